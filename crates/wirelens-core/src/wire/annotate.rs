//! The annotator: walks protobuf bytes and builds the span tree.
//!
//! It reads records with the schema's field kinds where a descriptor is given
//! and by wire type alone where not. It never fails and never panics: a byte
//! that cannot be read starts an `Invalid` leaf that runs to the end of the
//! enclosing message, and a diagnostic names its offset. Lengths are checked
//! against the bytes that remain before anything is read, so a huge length
//! allocates nothing; nesting is bounded by [`Limits::max_depth`].

use std::collections::HashMap;
use std::ops::Range;

use prost_reflect::MessageDescriptor;

use super::readings::{Chosen, Pins, Reading, Utf8Runs};
use super::table::{Facts, Payload, Table};
use super::tree::{self, Kind, NO_FIELD, ScalarCode};
use super::visit::Visitor;
use super::{Annotation, Diagnostic, MAX_FIELD_NUMBER, Note, Severity, TreeBuilder, WireType};
use crate::varint::{self, Varint};

/// Bounds on the work the annotator does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Nested messages and groups deeper than this are not read (protobuf's parsers stop at 100 too).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_depth: 100 }
    }
}

/// Annotates `bytes` as a message of type `message`, or schema-less when `None`.
pub fn annotate(bytes: &[u8], message: Option<&MessageDescriptor>) -> Annotation {
    annotate_with(bytes, message, Limits::default())
}

/// [`annotate`] with explicit limits.
pub fn annotate_with(bytes: &[u8], message: Option<&MessageDescriptor>, limits: Limits) -> Annotation {
    annotate_pinned(bytes, message, &Pins::default(), limits)
}

/// [`annotate`], with the reading of some schema-less LEN fields chosen by the user.
///
/// Offsets are `u32`s: input past 4 GiB is annotated up to there, and the rest is one `Invalid` leaf.
pub fn annotate_pinned(bytes: &[u8], message: Option<&MessageDescriptor>, pins: &Pins, limits: Limits) -> Annotation {
    let (tree, fields, diagnostics) = annotate_parts(bytes, message, pins, limits);
    Annotation { bytes: bytes.to_vec(), tree, fields, diagnostics, message: message.cloned() }
}

/// [`annotate`] of bytes handed over: the annotation keeps them instead of a copy (for a
/// caller that has no more use for them, such as the CLI).
pub fn annotate_owned(bytes: Vec<u8>, message: Option<&MessageDescriptor>) -> Annotation {
    let (tree, fields, diagnostics) = annotate_parts(&bytes, message, &Pins::default(), Limits::default());
    Annotation { bytes, tree, fields, diagnostics, message: message.cloned() }
}

/// Bytes not read yet: one `Bytes` leaf over all of them (no nodes for no bytes), no records,
/// no diagnostics. Its leaves tile the input like any annotation's, so a view can draw the bytes
/// while they are read (the app draws a large paste first and reads it in the next task).
pub fn unread(bytes: &[u8]) -> Annotation {
    let mut builder = TreeBuilder::new(0);
    if !bytes.is_empty() {
        builder.leaf(0..bytes.len(), Kind::Bytes);
    }
    Annotation {
        bytes: bytes.to_vec(),
        tree: builder.finish(),
        fields: Vec::new(),
        diagnostics: Vec::new(),
        message: None,
    }
}

/// What an annotation holds besides its bytes and message type.
fn annotate_parts(
    bytes: &[u8],
    message: Option<&MessageDescriptor>,
    pins: &Pins,
    limits: Limits,
) -> (tree::Tree, Vec<prost_reflect::FieldDescriptor>, Vec<Diagnostic>) {
    let mut table = Table::default();
    let top = message.map(|m| table.message(m));
    let mut seen = Vec::new();
    let (tree, diagnostics) = walk(bytes, top, pins, limits, &mut table, &mut seen, TreeBuilder::new(bytes.len()));
    (tree.finish(), table.fields.into_iter().map(|f| f.fd).collect(), diagnostics)
}

/// Annotates message after message of one type, keeping what they share: the schema's table
/// (built once, not per message), the counters of each nesting level, and the annotation's own
/// buffers, which the next message reuses. What a stream of small messages (`--delimited`) needs;
/// for one message, [`annotate`] does the same.
#[derive(Debug)]
pub struct Annotator {
    table: Table,
    top: Option<u32>,
    limits: Limits,
    seen: Vec<Seen>,
    /// The tree builder's stack of open nodes, kept between messages.
    open: Vec<u32>,
    annotation: Annotation,
}

impl Annotator {
    pub fn new(message: Option<&MessageDescriptor>, limits: Limits) -> Annotator {
        let mut table = Table::default();
        let top = message.map(|m| table.message(m));
        let annotation = Annotation {
            bytes: Vec::new(),
            tree: tree::Tree::default(),
            fields: Vec::new(),
            diagnostics: Vec::new(),
            message: message.cloned(),
        };
        Annotator { table, top, limits, seen: Vec::new(), open: Vec::new(), annotation }
    }

    /// Annotates `bytes`, as [`annotate_with`] would. The annotation is the annotator's until the
    /// next call, which reuses its memory.
    pub fn annotate(&mut self, bytes: &[u8]) -> &Annotation {
        let a = &mut self.annotation;
        let builder = TreeBuilder::reuse(std::mem::take(&mut a.tree), std::mem::take(&mut self.open), bytes.len());
        let (builder, diagnostics) =
            walk(bytes, self.top, &Pins::default(), self.limits, &mut self.table, &mut self.seen, builder);
        (a.tree, self.open) = builder.finish_keeping_capacity();
        a.diagnostics = diagnostics;
        a.bytes.clear();
        a.bytes.extend_from_slice(bytes);
        // The table only grows: the fields met before are the annotation's already.
        let known = a.fields.len();
        a.fields.extend(self.table.fields[known..].iter().map(|f| f.fd.clone()));
        &self.annotation
    }

    /// Walks `bytes` as [`Annotator::annotate`] does, telling `visitor` what it reads instead of
    /// building an annotation: how the protoscope printer writes a stream as it reads.
    pub(crate) fn visit<V: Visitor>(&mut self, bytes: &[u8], visitor: V) -> V {
        walk(bytes, self.top, &Pins::default(), self.limits, &mut self.table, &mut self.seen, visitor).0
    }
}

/// Walks `bytes` as a message of the table's type `top`, telling `tree` what it reads.
fn walk<V: Visitor>(
    bytes: &[u8],
    top: Option<u32>,
    pins: &Pins,
    limits: Limits,
    table: &mut Table,
    seen: &mut Vec<Seen>,
    tree: V,
) -> (V, Vec<Diagnostic>) {
    let mut walker = Walker {
        bytes,
        tree,
        diagnostics: Vec::new(),
        repeats: HashMap::new(),
        limits,
        pins,
        table,
        seen,
        utf8: Utf8Runs::new(bytes),
        path: Vec::new(),
        elements: 0,
        last_scalar: None,
    };
    let readable = bytes.len().min(MAX_INPUT);
    // Top level: never strict, so this cannot fail.
    let _ = walker.fields(0..readable, top, None, 0, Mode::Lenient);
    if readable < bytes.len() {
        let reason = format!("input past {MAX_INPUT} bytes is not read");
        walker.fail_at(readable, bytes.len(), Mode::Lenient, || reason);
    }
    let mut diagnostics = walker.diagnostics;
    for (repeat, &(at, more)) in &walker.repeats {
        if more > 0
            && let Some(d) = diagnostics.get_mut(at)
        {
            let (one, many) = repeat.counts();
            d.message.push_str(&format!(" (and {} after it)", plural(u64::from(more), one, many)));
        }
    }
    (walker.tree, diagnostics)
}

/// What a warning said once per annotation is about ([`Walker::repeats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Repeat {
    /// A field number message type `message` (an index into the table) does not have.
    Unknown { message: u32, number: u32 },
    /// Schema field `field` written with another wire type.
    Mismatch { field: u32, wire_type: u8 },
    /// String field `field` holding bytes that are not UTF-8.
    InvalidUtf8 { field: u32 },
    /// A varint of `len` bytes whose value takes `shortest`.
    Overlong { what: Which, len: u8, shortest: u8 },
}

impl Repeat {
    /// What the warning stands for one of, and more of.
    fn counts(self) -> (&'static str, &'static str) {
        match self {
            Repeat::Overlong { what: Which::Element, .. } => ("more element", "more elements"),
            _ => ("more record", "more records"),
        }
    }
}

/// Which varint of a record an overlong warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    Tag,
    /// A value or a length prefix.
    Value,
    /// An element of a packed field.
    Element,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::Tag => "tag",
            Which::Value => "varint",
            Which::Element => "packed element",
        }
    }
}

/// Offsets are stored as `u32`s; the last one must fit too.
const MAX_INPUT: usize = u32::MAX as usize - 1;

/// Lenient reading shows bad bytes as `Invalid`; strict reading (a tentative
/// schema-less "is this a message?") gives up at the first bad byte instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Lenient,
    Strict,
}

/// How a run of records ended.
enum Outcome {
    /// Every byte of the range was read (or marked invalid, in lenient mode).
    Consumed,
    /// The end-group tag of the open group, at this range (not yet pushed).
    EndGroup { tag: Range<usize> },
    /// Strict mode met a byte it cannot read; the caller rolls back.
    Abandoned,
}

struct Walker<'a, V> {
    bytes: &'a [u8],
    /// Who is told what the walk reads: the tree builder, or the protoscope printer.
    tree: V,
    diagnostics: Vec<Diagnostic>,
    /// Warnings said once however many records repeat them (an unknown field in every record
    /// of a large message would otherwise cost a line of text each: 50 bytes per input byte),
    /// by what they are about: the diagnostic's index and how many more records it stands for.
    /// Each record still has its note.
    repeats: HashMap<Repeat, (usize, u32)>,
    limits: Limits,
    pins: &'a Pins,
    table: &'a mut Table,
    /// One per nesting level, reused by every message read at that level.
    seen: &'a mut Vec<Seen>,
    /// The text of schema-less payloads, the input decoded once as the walk moves on.
    utf8: Utf8Runs<'a>,
    /// The field numbers of the records being read, outermost first (kept only when there are
    /// pins, which are keyed by it).
    path: Vec<u32>,
    /// Elements of the packed payloads read since the count was last reset.
    elements: u32,
    /// For a listener that takes no notes: the last scalar record read whole with a one-byte
    /// tag, as what decides how the next one with that tag in that message is read (the
    /// message, the tag, the schema field or [`NO_FIELD`], the code), so that a run of them skips
    /// the lookups ([`Walker::repeat_scalar`]).
    last_scalar: Option<(Option<u32>, u8, u32, ScalarCode)>,
}

/// How one record is to be read, decided from its tag and the schema.
#[derive(Clone, Copy)]
enum Plan {
    /// No schema field: read by wire type alone.
    Raw,
    /// The schema's field (an index into the table), written with its own wire type.
    Typed(u32),
    /// A repeated scalar field written as one LEN record of packed elements.
    Packed(u32),
}

impl<'a, V: Visitor> Walker<'a, V> {
    /// Reads the records of `range` as fields of `message`. Inside a group, `group`
    /// is its field number and the run ends at the matching end-group tag.
    fn fields(
        &mut self,
        range: Range<usize>,
        message: Option<u32>,
        group: Option<u32>,
        depth: usize,
        mode: Mode,
    ) -> Outcome {
        if !V::NOTES {
            return self.fields_with(range, message, group, depth, mode);
        }
        if self.seen.len() <= depth {
            self.seen.resize_with(depth + 1, Seen::default);
        }
        self.seen[depth].start(
            message.map_or(RAW_SLOTS, |m| self.table.messages[m as usize].slots),
            message.map_or(0, |m| self.table.messages[m as usize].oneofs.len()),
        );
        self.fields_with(range, message, group, depth, mode)
    }

    fn fields_with(
        &mut self,
        range: Range<usize>,
        message: Option<u32>,
        group: Option<u32>,
        depth: usize,
        mode: Mode,
    ) -> Outcome {
        let mut pos = range.start;
        while pos < range.end {
            if !V::NOTES
                && let Some(next) = self.repeat_scalar(pos, range.end, message)
            {
                pos = next;
                continue;
            }
            match self.record(pos, range.end, message, group, depth, mode) {
                Step::Next(next) => pos = next,
                Step::Stop(outcome) => return outcome,
            }
        }
        if let Some(number) = group {
            let reason = || format!("group {number} has no end-group tag before the end of its enclosing message");
            return self.fail_at(range.end, range.end, mode, reason);
        }
        Outcome::Consumed
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        start: usize,
        end: usize,
        message: Option<u32>,
        group: Option<u32>,
        depth: usize,
        mode: Mode,
    ) -> Step {
        let tag = match varint::decode(&self.bytes[start..end]) {
            Ok(tag) => tag,
            Err(e) => return Step::Stop(self.fail_at(start, end, mode, || format!("tag: {}", e.describe()))),
        };
        let tag_end = start + tag.len;
        if tag.value > u64::from(u32::MAX) {
            let reason = || format!("tag value {} is too large: field numbers stop at {MAX_FIELD_NUMBER}", tag.value);
            return Step::Stop(self.fail_at(start, end, mode, reason));
        }
        let number = (tag.value >> 3) as u32;
        let Some(wire_type) = WireType::from_bits((tag.value & 7) as u8) else {
            let reason =
                || format!("tag 0x{:X} names wire type {}, which does not exist (0 to 5 do)", tag.value, tag.value & 7);
            return Step::Stop(self.fail_at(start, end, mode, reason));
        };
        if number == 0 {
            return Step::Stop(self.fail_at(start, end, mode, || "field number 0 is not allowed".into()));
        }
        if wire_type == WireType::EndGroup {
            if group == Some(number) {
                return Step::Stop(Outcome::EndGroup { tag: start..tag_end });
            }
            let reason = || match group {
                Some(open) => format!("end-group tag for field {number} inside group {open}"),
                None => format!("end-group tag for field {number} without a matching start-group tag"),
            };
            return Step::Stop(self.fail_at(start, end, mode, reason));
        }

        let mut notes = Vec::new();
        // The schema's field, and its facts read once.
        let found = message.and_then(|m| self.table.field(m, number)).map(|f| (f, self.table.fields[f as usize].facts));
        let plan = match (message, found) {
            (None, _) => Plan::Raw,
            (Some(m), None) => {
                self.unknown(m, number, start, &mut notes);
                Plan::Raw
            }
            (Some(_), Some((f, facts))) => {
                let expected = facts.expected;
                if wire_type == expected {
                    if V::NOTES && facts.packed {
                        notes.push(Note::Unpacked);
                    }
                    Plan::Typed(f)
                } else if wire_type == WireType::Len
                    && facts.list
                    && expected != WireType::Len
                    && expected != WireType::StartGroup
                {
                    Plan::Packed(f)
                } else {
                    self.mismatch(f, number, wire_type, start, &mut notes);
                    Plan::Raw
                }
            }
        };
        let descriptor = match plan {
            Plan::Typed(f) | Plan::Packed(f) => Some(f),
            Plan::Raw => None,
        };
        // Without a schema, small field numbers are their own slots.
        let slot = match found {
            Some((_, facts)) => Some(facts.slot),
            None if message.is_none() && number < RAW_SLOTS => Some(number),
            None => None,
        };
        let singular = found.is_some_and(|(_, facts)| !facts.list && !facts.map);
        let index = if V::NOTES { self.seen[depth].visit(number, slot, start, plan, singular, &mut notes) } else { 0 };
        // The tag's note after those about the field and its repeats, which `tree::Record` keeps
        // in place (and tells first).
        if tag.is_overlong() {
            self.overlong_tag(start, tag, &mut notes);
        }
        if V::NOTES
            && descriptor.is_some()
            && let Some((_, facts)) = found
            && let Some(oneof) = facts.oneof
            && let Some(previous) = self.seen[depth].oneof(oneof, number)
        {
            let m = message.map_or(0, |m| m as usize);
            notes.push(Note::OneofReplaces { oneof: self.table.messages[m].oneofs[oneof as usize].clone(), previous });
        }
        let field = descriptor.unwrap_or(NO_FIELD);
        // `get`, not indexing, for `fd` below: a visitor that takes no descriptor (the tree
        // builder) then costs nothing there.

        // A record of one readable scalar is told as one event.
        let scalar = match wire_type {
            WireType::Varint => varint::decode(&self.bytes[tag_end..end]).ok().map(|v| (tag_end + v.len, Some(v))),
            WireType::I64 if end - tag_end >= 8 => Some((tag_end + 8, None)),
            WireType::I32 if end - tag_end >= 4 => Some((tag_end + 4, None)),
            _ => None,
        };
        if let Some((value_end, v)) = scalar {
            let code = self.code(plan, wire_type);
            let fd = descriptor.and_then(|f| self.table.fields.get(f as usize)).map(|info| &info.fd);
            let record = self.tree.scalar_record(start, tag, index, field, fd, tag_end..value_end, code);
            if !V::NOTES && tag.len == 1 {
                self.last_scalar = Some((message, tag.value as u8, field, code));
            }
            self.notes(record, notes);
            if let Some(v) = v {
                self.note_overlong(record, tag_end, v);
            }
            return Step::Next(value_end);
        }
        // So is a LEN record read as a string, the commonest after it; and a LEN record read
        // as a message has its head told as one event, and its close.
        let mut framed = None;
        if wire_type == WireType::Len {
            if let Some((length, payload, text)) = self.string_payload(tag_end, end, plan, found, depth, &mut framed) {
                let next = payload.end;
                let fd = descriptor.and_then(|f| self.table.fields.get(f as usize)).map(|info| &info.fd);
                let record = self.tree.string_record(start, tag, index, field, fd, length, payload, text);
                self.notes(record, notes);
                self.note_overlong(record, tag_end, length);
                if matches!(plan, Plan::Raw) {
                    self.tree.readings(record, Chosen::new(Reading::String, false));
                }
                return Step::Next(next);
            }
            let message = match (plan, found) {
                // A schema-less payload that passed the framing check (with no pins).
                (Plan::Raw, _) if framed == Some(true) => Some(None),
                (Plan::Typed(f), Some((_, facts))) if facts.payload == Payload::Message => Some(Some(f)),
                _ => None,
            };
            if let Some(message) = message
                && let Some(step) = self.message_record(start, tag, index, end, &mut notes, message, depth, mode)
            {
                return step;
            }
        }
        let fd = descriptor.and_then(|f| self.table.fields.get(f as usize)).map(|info| &info.fd);
        let record = self.tree.open_record(start, tag, index, descriptor.unwrap_or(NO_FIELD), fd);
        self.notes(record, notes);

        let nests = !self.pins.is_empty();
        if nests {
            self.path.push(number);
        }
        self.elements = 0;
        let step = match wire_type {
            WireType::Varint => self.bad_varint(tag_end, end, mode),
            WireType::I64 => self.cut_fixed(tag_end, end, 8, mode),
            WireType::I32 => self.cut_fixed(tag_end, end, 4, mode),
            WireType::Len => self.len_payload(record, tag_end, end, plan, depth, mode, framed),
            WireType::StartGroup => self.group_payload(tag_end, end, number, plan, depth, mode),
            WireType::EndGroup => unreachable!("handled above"),
        };
        if nests {
            self.path.pop();
        }
        if matches!(step, Step::Stop(Outcome::Abandoned)) {
            return step;
        }
        self.tree.close_record(record);
        if V::NOTES && matches!(plan, Plan::Packed(_)) {
            // Every element of this record counts; the next record's index follows them.
            self.seen[depth].add_elements(number, slot, self.elements.saturating_sub(1));
        }
        step
    }

    /// A scalar record at `start` with the one-byte tag of the last one read whole in the same
    /// message ([`Walker::last_scalar`]), told as [`record`](Walker::record) tells it to a
    /// listener that takes no notes, without looking its field up again; returns where it ends.
    /// `None` for any other record, or a value that cannot be read: `record` reads those.
    #[inline(always)]
    fn repeat_scalar(&mut self, start: usize, end: usize, message: Option<u32>) -> Option<usize> {
        let (m, byte, field, code) = self.last_scalar?;
        if self.bytes[start] != byte || m != message {
            return None;
        }
        let tag_end = start + 1;
        let value_end = match WireType::from_bits(byte & 7)? {
            WireType::Varint => tag_end + varint::decode(&self.bytes[tag_end..end]).ok()?.len,
            WireType::I64 if end - tag_end >= 8 => tag_end + 8,
            WireType::I32 if end - tag_end >= 4 => tag_end + 4,
            _ => return None,
        };
        let fd = self.table.fields.get(field as usize).map(|info| &info.fd);
        let tag = Varint { value: u64::from(byte), len: 1 };
        self.tree.scalar_record(start, tag, 0, field, fd, tag_end..value_end, code);
        Some(value_end)
    }

    /// Tells the notes about `record` (most records have none).
    #[inline(always)]
    fn notes(&mut self, record: V::Record, notes: Vec<Note>) {
        if !notes.is_empty() {
            self.more_notes(record, notes);
        }
    }

    #[cold]
    #[inline(never)]
    fn more_notes(&mut self, record: V::Record, notes: Vec<Note>) {
        for note in notes {
            self.tree.note(record, note);
        }
    }

    /// A record whose number message `m` has no field for: noted, and said why (once per
    /// message type and number).
    #[cold]
    #[inline(never)]
    fn unknown(&mut self, m: u32, number: u32, start: usize, notes: &mut Vec<Note>) {
        let repeat = Repeat::Unknown { message: m, number };
        let desc = &self.table.messages[m as usize].desc;
        let reserved = desc.reserved_ranges().any(|r| r.contains(&number));
        notes.push(if reserved { Note::Reserved } else { Note::Unknown });
        if self.said_before(repeat) {
            return;
        }
        let m = &self.table.messages[m as usize].desc;
        let why = if reserved {
            let names: Vec<&str> = m.reserved_names().collect();
            let names =
                if names.is_empty() { String::new() } else { format!(" (reserved names: {})", names.join(", ")) };
            format!("field {number} is reserved in {}: a removed field{names}, kept as an unknown field", m.full_name())
        } else {
            format!("field {number} is not in {}: kept as an unknown field", m.full_name())
        };
        self.warn_once(repeat, start, why);
    }

    /// Whether the warning about `repeat` is already said (and still there: a rollback may have
    /// taken it back); if so, it now stands for one more record.
    fn said_before(&mut self, repeat: Repeat) -> bool {
        match self.repeats.get_mut(&repeat) {
            Some((at, more)) if *at < self.diagnostics.len() => {
                *more += 1;
                true
            }
            _ => false,
        }
    }

    /// [`Walker::warn`], remembered as what `repeat` says.
    fn warn_once(&mut self, repeat: Repeat, offset: usize, message: String) {
        self.repeats.insert(repeat, (self.diagnostics.len(), 0));
        self.warn(offset, message);
    }

    /// A record of schema field `f` written with a wire type that field cannot have.
    #[cold]
    #[inline(never)]
    fn mismatch(&mut self, f: u32, number: u32, wire_type: WireType, start: usize, notes: &mut Vec<Note>) {
        let info = &self.table.fields[f as usize];
        let expected = info.facts.expected;
        notes.push(Note::WireTypeMismatch { expected });
        let repeat = Repeat::Mismatch { field: f, wire_type: wire_type as u8 };
        if self.said_before(repeat) {
            return;
        }
        let info = &self.table.fields[f as usize];
        let why = format!(
            "field {number} ({}) is {} but written as wire type {} ({}): parsers keep it as an unknown field",
            info.fd.name(),
            expected.name(),
            wire_type as u8,
            wire_type.name()
        );
        self.warn_once(repeat, start, why);
    }

    #[cold]
    #[inline(never)]
    fn overlong_tag(&mut self, start: usize, tag: Varint, notes: &mut Vec<Note>) {
        notes.push(Note::Overlong { at: start });
        self.warn_overlong(Which::Tag, start, tag);
    }

    /// Says that a varint is longer than it needs to be (once for each kind of varint, length
    /// and shortest length).
    #[cold]
    #[inline(never)]
    fn warn_overlong(&mut self, what: Which, at: usize, v: Varint) {
        let shortest = varint::encoded_len(v.value);
        let repeat = Repeat::Overlong { what, len: v.len as u8, shortest: shortest as u8 };
        if !self.said_before(repeat) {
            self.warn_once(repeat, at, format!("{} uses {} bytes where {shortest} would do", what.name(), v.len));
        }
    }

    /// Says that string field `f` holds bytes that are not UTF-8 (once per field).
    #[cold]
    #[inline(never)]
    fn invalid_utf8(&mut self, f: u32, at: usize) {
        let repeat = Repeat::InvalidUtf8 { field: f };
        if !self.said_before(repeat) {
            let name = self.table.fields[f as usize].fd.name();
            self.warn_once(repeat, at, format!("string field {name} is not valid UTF-8: shown as bytes"));
        }
    }

    /// The scalar code a plan reads numbers with.
    fn code(&self, plan: Plan, wire_type: WireType) -> ScalarCode {
        match plan {
            Plan::Typed(f) | Plan::Packed(f) => match self.table.fields[f as usize].facts.payload {
                Payload::Scalar(code) => code,
                _ => raw_code(wire_type),
            },
            Plan::Raw => raw_code(wire_type),
        }
    }

    /// A varint value that cannot be read (a readable one is a `scalar_record`).
    #[cold]
    #[inline(never)]
    fn bad_varint(&mut self, start: usize, end: usize, mode: Mode) -> Step {
        let e = varint::decode(&self.bytes[start..end]).err().unwrap_or(varint::VarintError::Truncated);
        Step::Stop(self.fail_at(start, end, mode, || format!("value: {}", e.describe())))
    }

    /// A fixed-width value cut short by the end (a whole one is a `scalar_record`).
    #[cold]
    #[inline(never)]
    fn cut_fixed(&mut self, start: usize, end: usize, width: usize, mode: Mode) -> Step {
        let reason = || {
            format!(
                "a {}-bit value needs {width} bytes, only {} left",
                width * 8,
                plural((end - start) as u64, "byte is", "bytes are")
            )
        };
        Step::Stop(self.fail_at(start, end, mode, reason))
    }

    /// A LEN record's length prefix and payload. `framed` is whether a schema-less payload
    /// passed [`frames`](Walker::frames), if that was asked already.
    #[allow(clippy::too_many_arguments)]
    fn len_payload(
        &mut self,
        record: V::Record,
        start: usize,
        end: usize,
        plan: Plan,
        depth: usize,
        mode: Mode,
        framed: Option<bool>,
    ) -> Step {
        let length = match varint::decode(&self.bytes[start..end]) {
            Ok(v) => v,
            Err(e) => return Step::Stop(self.fail_at(start, end, mode, || format!("length: {}", e.describe()))),
        };
        self.note_overlong(record, start, length);
        let payload_start = start + length.len;
        let available = (end - payload_start) as u64;
        if length.value > available {
            if mode == Mode::Strict {
                return Step::Stop(Outcome::Abandoned);
            }
            self.tree.length(start..payload_start, length);
            let reason = format!(
                "length {} runs past the end: only {}",
                length.value,
                plural(available, "byte follows", "bytes follow")
            );
            let outcome = self.fail_at(payload_start, end, mode, || reason);
            // Point at the length prefix that promised too much, not at the bytes after it.
            if let Some(last) = self.diagnostics.last_mut() {
                last.offset = start;
            }
            return Step::Stop(outcome);
        }
        self.tree.length(start..payload_start, length);
        let payload = payload_start..payload_start + length.value as usize;
        let next = payload.end;
        match plan {
            Plan::Raw => {
                let chosen = self.raw_len(payload, depth, framed);
                self.tree.readings(record, chosen);
            }
            Plan::Packed(_) => {
                let code = self.code(plan, WireType::Len);
                self.packed(payload, code);
            }
            Plan::Typed(f) => match self.table.fields[f as usize].facts.payload {
                Payload::Message => {
                    if depth + 1 > self.limits.max_depth {
                        return Step::Stop(self.too_deep(payload.start, end, mode));
                    }
                    let m = self.table.nested(f);
                    let nested = self.tree.open(payload.start, Kind::Message);
                    match self.fields(payload.clone(), m, None, depth + 1, mode) {
                        Outcome::Abandoned => return Step::Stop(Outcome::Abandoned),
                        Outcome::Consumed | Outcome::EndGroup { .. } => self.tree.close(nested),
                    }
                }
                Payload::String => {
                    if let Some(text) = self.utf8.text(payload.clone()) {
                        self.tree.text(payload, text);
                    } else {
                        self.invalid_utf8(f, payload.start);
                        self.tree.note(record, Note::InvalidUtf8);
                        self.tree.leaf(payload, Kind::Bytes);
                    }
                }
                Payload::Bytes | Payload::Scalar(_) => {
                    self.tree.leaf(payload, Kind::Bytes);
                }
            },
        }
        Step::Next(next)
    }

    /// A LEN payload with no schema: try it as a message, then string, then bytes, unless the
    /// user pinned another reading for this field. Only what decides the reading shown is worked
    /// out here; the other valid readings are found when a view asks (`Field::readings`).
    fn raw_len(&mut self, payload: Range<usize>, depth: usize, framed: Option<bool>) -> Chosen {
        let pin = self.pin_for();
        let mut message_fits = false;
        // Most payloads that are not messages fail the framing check within a few bytes; only
        // those that pass it are read (and their nodes built) as one.
        if !payload.is_empty()
            && depth < self.limits.max_depth
            && (framed.unwrap_or_else(|| self.frames(payload.start, payload.end, None, depth + 1).is_some())
                || cfg!(debug_assertions))
        {
            let mark = (self.tree.mark(), self.diagnostics.len());
            let nested = self.tree.open(payload.start, Kind::Message);
            let outcome = self.fields(payload.clone(), None, None, depth + 1, Mode::Strict);
            message_fits = matches!(outcome, Outcome::Consumed);
            debug_assert_eq!(message_fits, self.frames(payload.start, payload.end, None, depth + 1).is_some());
            if message_fits && matches!(pin, None | Some(Reading::Message)) {
                self.tree.close(nested);
                return Chosen::new(Reading::Message, true);
            }
            self.tree.rollback(mark.0);
            self.diagnostics.truncate(mark.1);
        }
        // The payload's text, if it is UTF-8: asked of the runs once.
        let text = self.utf8.text(payload.clone());
        let chosen = match pin {
            None if text.is_some() => Reading::String,
            None => Reading::Bytes,
            Some(pin) => {
                let fits = match pin {
                    Reading::Message => message_fits,
                    Reading::String => text.is_some(),
                    other => other.fits(&self.bytes[payload.clone()]),
                };
                if fits {
                    pin
                } else {
                    let default = if text.is_some() { Reading::String } else { Reading::Bytes };
                    let message = format!(
                        "the pinned reading '{}' does not fit these bytes: shown as {}",
                        pin.type_name(),
                        default.type_name()
                    );
                    self.warn(payload.start, message);
                    default
                }
            }
        };
        match chosen {
            Reading::String => match text {
                Some(text) => self.tree.text(payload, text),
                // Not met: a string reading is chosen only for UTF-8.
                None => self.tree.leaf(payload, Kind::Str),
            },
            Reading::PackedVarint => self.packed(payload, ScalarCode::Uint64),
            Reading::PackedFixed32 => self.packed(payload, ScalarCode::Fixed32),
            Reading::PackedFixed64 => self.packed(payload, ScalarCode::Fixed64),
            Reading::Bytes | Reading::Message => {
                self.tree.leaf(payload, Kind::Bytes);
            }
        }
        Chosen::new(chosen, message_fits)
    }

    /// The length, payload and text of a LEN record (its length prefix at `at`) that reads as
    /// a string: a `string` field's whose text is UTF-8, or a schema-less one's that is UTF-8 and
    /// not a message (no pins: the reading shown is the default). `found` is the schema field
    /// of its number and its facts. `None` for any other record, which the slow path reads (or
    /// [`message_record`](Walker::message_record)); `framed` is then what
    /// [`frames`](Walker::frames) said, if asked.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn string_payload(
        &mut self,
        at: usize,
        end: usize,
        plan: Plan,
        found: Option<(u32, Facts)>,
        depth: usize,
        framed: &mut Option<bool>,
    ) -> Option<(Varint, Range<usize>, &'a str)> {
        let length = varint::decode(&self.bytes[at..end]).ok()?;
        let start = at + length.len;
        if length.value > (end - start) as u64 {
            return None;
        }
        let payload = start..start + length.value as usize;
        match plan {
            Plan::Typed(_) if found.is_some_and(|(_, facts)| facts.payload == Payload::String) => {}
            Plan::Raw if self.pins.is_empty() => {
                if !payload.is_empty() && depth < self.limits.max_depth {
                    let fits = self.frames(payload.start, payload.end, None, depth + 1).is_some();
                    *framed = Some(fits);
                    if fits {
                        return None;
                    }
                    if cfg!(debug_assertions) {
                        self.check_not_a_message(payload.clone(), depth);
                    }
                }
            }
            _ => return None,
        }
        let text = self.utf8.text(payload.clone())?;
        Some((length, payload, text))
    }

    /// A LEN record (its tag at `start`) whose payload reads as a message, told with its head
    /// as one event ([`Visitor::message_record`]) and its close: `message` is `Some` of the
    /// schema's message field (the table's index), or `None` for a schema-less payload that
    /// passed the framing check, which then reads whole with no mark to roll back to (the
    /// reading a strict walk would find, and the default one: there are no pins). `None` for a
    /// record the slow path reads: a length that runs past `end`, nesting past the limit.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn message_record(
        &mut self,
        start: usize,
        tag: Varint,
        index: u32,
        end: usize,
        notes: &mut Vec<Note>,
        message: Option<u32>,
        depth: usize,
        mode: Mode,
    ) -> Option<Step> {
        let at = start + tag.len;
        let length = varint::decode(&self.bytes[at..end]).ok()?;
        let payload_start = at + length.len;
        if length.value > (end - payload_start) as u64 || depth >= self.limits.max_depth {
            return None;
        }
        let payload = payload_start..payload_start + length.value as usize;
        let fd = message.and_then(|f| self.table.fields.get(f as usize)).map(|info| &info.fd);
        let field = message.unwrap_or(NO_FIELD);
        let (record, node) = self.tree.message_record(start, tag, index, field, fd, length, payload_start);
        self.notes(record, std::mem::take(notes));
        self.note_overlong(record, at, length);
        let nests = !self.pins.is_empty();
        if nests {
            self.path.push((tag.value >> 3) as u32);
        }
        let next = payload.end;
        let nested = message.and_then(|f| self.table.nested(f));
        let outcome = self.fields(payload, nested, None, depth + 1, mode);
        if nests {
            self.path.pop();
        }
        if matches!(outcome, Outcome::Abandoned) {
            debug_assert!(message.is_some(), "a payload that passed the framing check failed as a message");
            return Some(Step::Stop(Outcome::Abandoned));
        }
        let chosen = message.is_none().then(|| Chosen::new(Reading::Message, true));
        self.tree.close_message_record(record, node, chosen);
        Some(Step::Next(next))
    }

    /// That a payload [`frames`](Walker::frames) refuses fails as a message too (debug builds:
    /// the check `raw_len` makes of the payloads it is asked about).
    fn check_not_a_message(&mut self, payload: Range<usize>, depth: usize) {
        let mark = (self.tree.mark(), self.diagnostics.len());
        self.tree.open(payload.start, Kind::Message);
        let outcome = self.fields(payload.clone(), None, None, depth + 1, Mode::Strict);
        debug_assert!(!matches!(outcome, Outcome::Consumed), "frames refused {payload:?}, which reads as a message");
        self.tree.rollback(mark.0);
        self.diagnostics.truncate(mark.1);
    }

    /// Whether `start..end` reads as schema-less records at `depth` as a strict `fields` would
    /// (inside a group when `group` names one), without building anything: tags, varints, fixed
    /// widths, lengths that fit, groups closed by their own end-group tag within the depth limit.
    /// LEN payloads are stepped over, since reading one never fails. Returns where the records
    /// end: `end`, or just past a group's end-group tag.
    fn frames(&self, mut pos: usize, end: usize, group: Option<u32>, depth: usize) -> Option<usize> {
        while pos < end {
            let tag = varint::decode(&self.bytes[pos..end]).ok()?;
            let number = tag.value >> 3;
            if tag.value > u64::from(u32::MAX) || number == 0 {
                return None;
            }
            pos += tag.len;
            match WireType::from_bits((tag.value & 7) as u8)? {
                WireType::Varint => pos += varint::decode(&self.bytes[pos..end]).ok()?.len,
                WireType::I64 | WireType::I32 => {
                    let width = if tag.value & 7 == 1 { 8 } else { 4 };
                    if end - pos < width {
                        return None;
                    }
                    pos += width;
                }
                WireType::Len => {
                    let length = varint::decode(&self.bytes[pos..end]).ok()?;
                    pos += length.len;
                    if length.value > (end - pos) as u64 {
                        return None;
                    }
                    pos += length.value as usize;
                }
                WireType::StartGroup => {
                    if depth + 1 > self.limits.max_depth {
                        return None;
                    }
                    pos = self.frames(pos, end, Some(number as u32), depth + 1)?;
                }
                WireType::EndGroup => return (group == Some(number as u32)).then_some(pos),
            }
        }
        group.is_none().then_some(pos)
    }

    /// The reading pinned for the record being read (by its path of field numbers), if any.
    fn pin_for(&self) -> Option<Reading> {
        if self.pins.is_empty() {
            return None;
        }
        self.pins.get(&self.path)
    }

    fn packed(&mut self, payload: Range<usize>, code: ScalarCode) {
        let node = self.tree.open(payload.start, Kind::Packed);
        let mut pos = payload.start;
        let width = code.width();
        // The common payload, told at once: whole fixed-width elements, or varints that are all
        // whole and shortest. Anything else (a remainder, a cut or overlong varint) is read an
        // element at a time below, from where the whole ones end.
        if let Some(count) = (payload.end - pos).checked_div(width) {
            if count > 0 {
                self.tree.fixed_leaves(pos, count, width, Kind::Scalar(code));
                self.elements = self.elements.saturating_add(count as u32);
                pos += count * width;
            }
        } else if let Some(count) = varint::count_shortest(&self.bytes[payload.clone()]) {
            self.tree.varint_leaves(pos, &self.bytes[payload.clone()], count, Kind::Scalar(code));
            self.elements = self.elements.saturating_add(count as u32);
            pos = payload.end;
        }
        while pos < payload.end {
            if width == 0 {
                match varint::decode(&self.bytes[pos..payload.end]) {
                    Ok(v) => {
                        if v.is_overlong() {
                            self.warn_overlong(Which::Element, pos, v);
                        }
                        self.tree.leaf(pos..pos + v.len, Kind::Scalar(code));
                        self.elements += 1;
                        pos += v.len;
                    }
                    Err(e) => {
                        self.fail_at(pos, payload.end, Mode::Lenient, || format!("packed element: {}", e.describe()));
                        pos = payload.end;
                    }
                }
            } else if payload.end - pos < width {
                let left = plural((payload.end - pos) as u64, "byte", "bytes");
                let reason = format!("{left} left over: packed {}-bit elements take {width} bytes each", width * 8);
                self.fail_at(pos, payload.end, Mode::Lenient, || reason);
                pos = payload.end;
            } else {
                self.tree.leaf(pos..pos + width, Kind::Scalar(code));
                self.elements += 1;
                pos += width;
            }
        }
        self.tree.close(node);
    }

    fn group_payload(&mut self, start: usize, end: usize, number: u32, plan: Plan, depth: usize, mode: Mode) -> Step {
        if depth + 1 > self.limits.max_depth {
            return Step::Stop(self.too_deep(start, end, mode));
        }
        let message = match plan {
            Plan::Typed(f) => self.table.nested(f),
            _ => None,
        };
        let nested = self.tree.open(start, Kind::Message);
        match self.fields(start..end, message, Some(number), depth + 1, mode) {
            Outcome::EndGroup { tag } => {
                self.tree.close(nested);
                let next = tag.end;
                self.tree.leaf(tag, Kind::Tag);
                Step::Next(next)
            }
            Outcome::Consumed => {
                self.tree.close(nested);
                Step::Stop(Outcome::Consumed)
            }
            Outcome::Abandoned => Step::Stop(Outcome::Abandoned),
        }
    }

    fn too_deep(&mut self, start: usize, end: usize, mode: Mode) -> Outcome {
        let reason = format!("messages nested deeper than {} levels are not read", self.limits.max_depth);
        self.fail_at(start, end, mode, || reason)
    }

    /// Marks `start..end` invalid (lenient) or abandons the tentative reading (strict).
    /// `reason` is only built in lenient mode: strict tries fail often and quietly.
    fn fail_at(&mut self, start: usize, end: usize, mode: Mode, reason: impl FnOnce() -> String) -> Outcome {
        if mode == Mode::Strict {
            return Outcome::Abandoned;
        }
        let reason = reason();
        if start < end {
            self.tree.invalid(start..end, &reason);
        }
        self.diagnostics.push(Diagnostic { offset: start, severity: Severity::Error, message: reason });
        Outcome::Consumed
    }

    fn warn(&mut self, offset: usize, message: String) {
        self.diagnostics.push(Diagnostic { offset, severity: Severity::Warning, message });
    }

    #[inline(always)]
    fn note_overlong(&mut self, record: V::Record, at: usize, v: Varint) {
        if v.len > 1 && v.is_overlong() {
            self.overlong(record, at, v);
        }
    }

    #[cold]
    #[inline(never)]
    fn overlong(&mut self, record: V::Record, at: usize, v: Varint) {
        self.warn_overlong(Which::Value, at, v);
        self.tree.note(record, Note::Overlong { at });
    }
}

/// `1 byte is`, `2 bytes are`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") }
}

enum Step {
    Next(usize),
    Stop(Outcome),
}

/// How a number is read without a schema: unsigned, or fixed-width unsigned.
fn raw_code(wire_type: WireType) -> ScalarCode {
    match wire_type {
        WireType::I32 => ScalarCode::Fixed32,
        WireType::I64 => ScalarCode::Fixed64,
        _ => ScalarCode::Uint64,
    }
}

/// What one message has seen so far: occurrences per field, the last field of each oneof.
/// Schema fields are counted in a slot of their own (their position in the message), and so are
/// the numbers below [`RAW_SLOTS`] of a message read without a schema; other numbers in a short list, or a map once the list grows long. One `Seen` serves every message
/// at its nesting level: `start` makes it new without freeing anything.
#[derive(Debug, Default)]
struct Seen {
    /// The message being read; slots from an earlier one are stale.
    generation: u32,
    slots: Vec<Occurrences>,
    others: Vec<(u32, Occurrences)>,
    /// Made only for a message with more than [`FEW_OTHERS`] such numbers.
    many_others: Option<HashMap<u32, Occurrences>>,
    oneofs: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Occurrences {
    generation: u32,
    first_at: usize,
    /// Elements so far (packed records count each element).
    elements: u32,
    len_records: u32,
}

/// Field numbers below this count in a slot of their own in a message read without a schema.
const RAW_SLOTS: u32 = 32;

/// Numbers without a schema field kept in a list before they move to a map.
const FEW_OTHERS: usize = 16;

impl Seen {
    fn start(&mut self, slots: u32, oneofs: usize) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Wrapped: stale entries could look current.
            self.slots.clear();
            self.generation = 1;
        }
        if self.slots.len() < slots as usize {
            self.slots.resize(slots as usize, Occurrences { generation: 0, first_at: 0, elements: 0, len_records: 0 });
        }
        self.others.clear();
        if let Some(many) = &mut self.many_others {
            many.clear();
        }
        self.oneofs.clear();
        self.oneofs.resize(oneofs, 0);
    }

    #[inline]
    fn entry(&mut self, number: u32, slot: Option<u32>, at: usize) -> &mut Occurrences {
        let fresh = Occurrences { generation: self.generation, first_at: at, elements: 0, len_records: 0 };
        if let Some(slot) = slot {
            let entry = &mut self.slots[slot as usize];
            if entry.generation != self.generation {
                *entry = fresh;
            }
            return entry;
        }
        if let Some(at) = self.others.iter().position(|(n, _)| *n == number) {
            return &mut self.others[at].1;
        }
        if self.others.len() < FEW_OTHERS {
            self.others.push((number, fresh));
            return &mut self.others.last_mut().expect("just pushed").1;
        }
        self.many_others.get_or_insert_default().entry(number).or_insert(fresh)
    }

    /// Counts this record and returns the index of its first element (0 for a singular field);
    /// adds notes for repeats.
    #[inline]
    fn visit(
        &mut self,
        number: u32,
        slot: Option<u32>,
        at: usize,
        plan: Plan,
        singular: bool,
        notes: &mut Vec<Note>,
    ) -> u32 {
        let entry = self.entry(number, slot, at);
        let index = entry.elements;
        match plan {
            Plan::Typed(_) if singular && index > 0 => {
                notes.push(Note::Repeated { first_at: entry.first_at });
            }
            Plan::Packed(_) if entry.len_records > 0 => notes.push(Note::PackedContinues),
            _ => {}
        }
        entry.elements += 1;
        if matches!(plan, Plan::Packed(_)) {
            entry.len_records += 1;
        }
        if singular { 0 } else { index }
    }

    fn add_elements(&mut self, number: u32, slot: Option<u32>, extra: u32) {
        self.entry(number, slot, 0).elements += extra;
    }

    /// Records that oneof `oneof` now holds `number`; returns the field it held before, if another.
    fn oneof(&mut self, oneof: u32, number: u32) -> Option<u32> {
        let held = std::mem::replace(&mut self.oneofs[oneof as usize], number);
        (held != 0 && held != number).then_some(held)
    }
}
