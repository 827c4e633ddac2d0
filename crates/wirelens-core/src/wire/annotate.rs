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

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};

use super::readings::{Pins, Reading, Readings};
use super::{Annotation, Diagnostic, Field, MAX_FIELD_NUMBER, NodeKind, Note, Scalar, Severity, TreeBuilder, WireType};
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
pub fn annotate_pinned(bytes: &[u8], message: Option<&MessageDescriptor>, pins: &Pins, limits: Limits) -> Annotation {
    let mut walker = Walker { bytes, tree: TreeBuilder::new(), diagnostics: Vec::new(), limits, pins };
    // Top level: never strict, so this cannot fail.
    let _ = walker.fields(0..bytes.len(), message, None, 0, Mode::Lenient);
    walker.tree.finish(bytes.to_vec(), walker.diagnostics, message.cloned())
}

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

struct Walker<'a> {
    bytes: &'a [u8],
    tree: TreeBuilder,
    diagnostics: Vec<Diagnostic>,
    limits: Limits,
    pins: &'a Pins,
}

/// How one record is to be read, decided from its tag and the schema.
enum Plan {
    /// No schema field: read by wire type alone.
    Raw,
    /// The schema's field, written with its own wire type.
    Typed(FieldDescriptor),
    /// A repeated scalar field written as one LEN record of packed elements.
    Packed(FieldDescriptor),
}

impl Walker<'_> {
    /// Reads the records of `range` as fields of `message`. Inside a group, `group`
    /// is its field number and the run ends at the matching end-group tag.
    fn fields(
        &mut self,
        range: Range<usize>,
        message: Option<&MessageDescriptor>,
        group: Option<u32>,
        depth: usize,
        mode: Mode,
    ) -> Outcome {
        let mut seen = Seen::default();
        let mut pos = range.start;
        while pos < range.end {
            match self.record(pos, range.end, message, group, depth, mode, &mut seen) {
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
        message: Option<&MessageDescriptor>,
        group: Option<u32>,
        depth: usize,
        mode: Mode,
        seen: &mut Seen,
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
        let plan = match message.and_then(|m| m.get_field(number)) {
            None => {
                if let Some(m) = message {
                    let reserved = m.reserved_ranges().any(|r| r.contains(&number));
                    notes.push(if reserved { Note::Reserved } else { Note::Unknown });
                    let why = if reserved {
                        let names: Vec<&str> = m.reserved_names().collect();
                        let names = if names.is_empty() {
                            String::new()
                        } else {
                            format!(" (reserved names: {})", names.join(", "))
                        };
                        format!(
                            "field {number} is reserved in {}: a removed field{names}, kept as an unknown field",
                            m.full_name()
                        )
                    } else {
                        format!("field {number} is not in {}: kept as an unknown field", m.full_name())
                    };
                    self.warn(start, why);
                }
                Plan::Raw
            }
            Some(fd) => {
                let kind = fd.kind();
                let expected = if fd.is_group() { WireType::StartGroup } else { WireType::for_kind(&kind) };
                if wire_type == expected {
                    if fd.is_packed() {
                        notes.push(Note::Unpacked);
                    }
                    Plan::Typed(fd)
                } else if wire_type == WireType::Len
                    && fd.is_list()
                    && expected != WireType::Len
                    && expected != WireType::StartGroup
                {
                    Plan::Packed(fd)
                } else {
                    notes.push(Note::WireTypeMismatch { expected });
                    self.warn(
                        start,
                        format!(
                            "field {number} ({}) is {} but written as wire type {} ({}): parsers keep it as an unknown field",
                            fd.name(),
                            expected.name(),
                            wire_type as u8,
                            wire_type.name()
                        ),
                    );
                    Plan::Raw
                }
            }
        };
        if tag.is_overlong() {
            notes.push(Note::Overlong { at: start });
            self.warn(start, format!("tag uses {} bytes where {} would do", tag.len, varint::encoded_len(tag.value)));
        }
        let descriptor = match &plan {
            Plan::Typed(fd) | Plan::Packed(fd) => Some(fd.clone()),
            Plan::Raw => None,
        };
        let index = seen.visit(number, start, &plan, &mut notes);
        if let Some(fd) = &descriptor
            && let Some(oneof) = fd.containing_oneof().filter(|o| !o.is_synthetic())
            && let Some(previous) = seen.oneof(oneof.name(), number)
        {
            notes.push(Note::OneofReplaces { oneof: oneof.name().to_owned(), previous });
        }

        let field = Field { number, wire_type, descriptor, index, notes, readings: Readings::default() };
        let id = self.tree.open(start, NodeKind::Field(Box::new(field)));
        self.tree.leaf(start..tag_end, NodeKind::Tag { field: number, wire_type });

        let step = match wire_type {
            WireType::Varint => self.varint_payload(id, tag_end, end, &plan, mode),
            WireType::I64 => self.fixed_payload(tag_end, end, 8, &plan, mode),
            WireType::I32 => self.fixed_payload(tag_end, end, 4, &plan, mode),
            WireType::Len => self.len_payload(id, tag_end, end, &plan, depth, mode),
            WireType::StartGroup => self.group_payload(tag_end, end, number, &plan, depth, mode),
            WireType::EndGroup => unreachable!("handled above"),
        };
        let close_at = match &step {
            Step::Next(next) => *next,
            Step::Stop(_) => end,
        };
        if matches!(step, Step::Stop(Outcome::Abandoned)) {
            return step;
        }
        self.tree.close(id, close_at);
        if matches!(plan, Plan::Packed(_)) {
            // Every scalar in this record is a packed element; the next record's index follows them.
            let elements = self.tree.nodes[id..].iter().filter(|n| matches!(n.kind, NodeKind::Scalar(_))).count();
            seen.add_elements(number, elements.saturating_sub(1) as u32);
        }
        step
    }

    fn varint_payload(&mut self, id: usize, start: usize, end: usize, plan: &Plan, mode: Mode) -> Step {
        match varint::decode(&self.bytes[start..end]) {
            Ok(v) => {
                self.note_overlong(id, start, v);
                let scalar = varint_scalar(plan_kind(plan).as_ref(), v.value);
                self.tree.leaf(start..start + v.len, NodeKind::Scalar(scalar));
                Step::Next(start + v.len)
            }
            Err(e) => Step::Stop(self.fail_at(start, end, mode, || format!("value: {}", e.describe()))),
        }
    }

    fn fixed_payload(&mut self, start: usize, end: usize, width: usize, plan: &Plan, mode: Mode) -> Step {
        if end - start < width {
            let reason = || {
                format!(
                    "a {}-bit value needs {width} bytes, only {} left",
                    width * 8,
                    plural((end - start) as u64, "byte is", "bytes are")
                )
            };
            return Step::Stop(self.fail_at(start, end, mode, reason));
        }
        let scalar = fixed_scalar(plan_kind(plan).as_ref(), &self.bytes[start..start + width]);
        self.tree.leaf(start..start + width, NodeKind::Scalar(scalar));
        Step::Next(start + width)
    }

    fn len_payload(&mut self, id: usize, start: usize, end: usize, plan: &Plan, depth: usize, mode: Mode) -> Step {
        let length = match varint::decode(&self.bytes[start..end]) {
            Ok(v) => v,
            Err(e) => return Step::Stop(self.fail_at(start, end, mode, || format!("length: {}", e.describe()))),
        };
        self.note_overlong(id, start, length);
        let payload_start = start + length.len;
        let available = (end - payload_start) as u64;
        if length.value > available {
            if mode == Mode::Strict {
                return Step::Stop(Outcome::Abandoned);
            }
            self.tree.leaf(start..payload_start, NodeKind::Length(length.value));
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
        self.tree.leaf(start..payload_start, NodeKind::Length(length.value));
        let payload = payload_start..payload_start + length.value as usize;
        let next = payload.end;
        match plan {
            Plan::Raw => {
                let readings = self.raw_len(id, payload, depth);
                if let NodeKind::Field(field) = &mut self.tree.nodes[id].kind {
                    field.readings = readings;
                }
            }
            Plan::Packed(fd) => self.packed(payload, &fd.kind()),
            Plan::Typed(fd) => match fd.kind() {
                Kind::Message(m) => {
                    if depth + 1 > self.limits.max_depth {
                        return Step::Stop(self.too_deep(payload.start, end, mode));
                    }
                    let nested = self.tree.open(payload.start, NodeKind::Message);
                    match self.fields(payload.clone(), Some(&m), None, depth + 1, mode) {
                        Outcome::Abandoned => return Step::Stop(Outcome::Abandoned),
                        Outcome::Consumed | Outcome::EndGroup { .. } => self.tree.close(nested, payload.end),
                    }
                }
                Kind::String => {
                    if std::str::from_utf8(&self.bytes[payload.clone()]).is_ok() {
                        self.tree.leaf(payload, NodeKind::Str);
                    } else {
                        self.warn(
                            payload.start,
                            format!("string field {} is not valid UTF-8: shown as bytes", fd.name()),
                        );
                        if let NodeKind::Field(field) = &mut self.tree.nodes[id].kind {
                            field.notes.push(Note::InvalidUtf8);
                        }
                        self.tree.leaf(payload, NodeKind::Bytes);
                    }
                }
                _ => {
                    self.tree.leaf(payload, NodeKind::Bytes);
                }
            },
        }
        Step::Next(next)
    }

    /// A LEN payload with no schema: try it as a message, then string, then bytes, unless the
    /// user pinned another reading for this field.
    fn raw_len(&mut self, record: usize, payload: Range<usize>, depth: usize) -> Readings {
        let bytes = &self.bytes[payload.clone()];
        let mut valid: Vec<Reading> =
            [Reading::String, Reading::PackedVarint, Reading::PackedFixed32, Reading::PackedFixed64, Reading::Bytes]
                .into_iter()
                .filter(|r| r.fits(bytes))
                .collect();
        let pin = self.pin_for(record);
        if !payload.is_empty() && depth < self.limits.max_depth {
            let mark = (self.tree.mark(), self.diagnostics.len());
            let nested = self.tree.open(payload.start, NodeKind::Message);
            let outcome = self.fields(payload.clone(), None, None, depth + 1, Mode::Strict);
            if matches!(outcome, Outcome::Consumed) && matches!(pin, None | Some(Reading::Message)) {
                self.tree.close(nested, payload.end);
                return Readings::new(valid, Reading::Message);
            }
            self.tree.rollback(mark.0);
            self.diagnostics.truncate(mark.1);
            if matches!(outcome, Outcome::Consumed) {
                valid.push(Reading::Message);
            }
        }
        let default = if valid.contains(&Reading::String) { Reading::String } else { Reading::Bytes };
        let chosen = match pin {
            Some(pin) if valid.contains(&pin) => pin,
            Some(pin) => {
                let message = format!(
                    "the pinned reading '{}' does not fit these bytes: shown as {}",
                    pin.type_name(),
                    default.type_name()
                );
                self.warn(payload.start, message);
                default
            }
            None => default,
        };
        match chosen {
            Reading::String => {
                self.tree.leaf(payload, NodeKind::Str);
            }
            Reading::PackedVarint => self.packed(payload, &Kind::Uint64),
            Reading::PackedFixed32 => self.packed(payload, &Kind::Fixed32),
            Reading::PackedFixed64 => self.packed(payload, &Kind::Fixed64),
            Reading::Bytes | Reading::Message => {
                self.tree.leaf(payload, NodeKind::Bytes);
            }
        }
        Readings::new(valid, chosen)
    }

    /// The reading pinned for the record `record` (by its path of field numbers), if any.
    fn pin_for(&self, record: usize) -> Option<Reading> {
        if self.pins.is_empty() {
            return None;
        }
        let mut path = Vec::new();
        let mut at = Some(record);
        while let Some(id) = at {
            if let NodeKind::Field(field) = &self.tree.nodes[id].kind {
                path.push(field.number);
            }
            at = self.tree.nodes[id].parent;
        }
        path.reverse();
        self.pins.get(&path)
    }

    fn packed(&mut self, payload: Range<usize>, kind: &Kind) {
        let node = self.tree.open(payload.start, NodeKind::Packed);
        let mut pos = payload.start;
        let width = match WireType::for_kind(kind) {
            WireType::I32 => 4,
            WireType::I64 => 8,
            _ => 0,
        };
        while pos < payload.end {
            if width == 0 {
                match varint::decode(&self.bytes[pos..payload.end]) {
                    Ok(v) => {
                        if v.is_overlong() {
                            self.warn(
                                pos,
                                format!(
                                    "packed element uses {} bytes where {} would do",
                                    v.len,
                                    varint::encoded_len(v.value)
                                ),
                            );
                        }
                        self.tree.leaf(pos..pos + v.len, NodeKind::Scalar(varint_scalar(Some(kind), v.value)));
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
                let scalar = fixed_scalar(Some(kind), &self.bytes[pos..pos + width]);
                self.tree.leaf(pos..pos + width, NodeKind::Scalar(scalar));
                pos += width;
            }
        }
        self.tree.close(node, payload.end);
    }

    fn group_payload(&mut self, start: usize, end: usize, number: u32, plan: &Plan, depth: usize, mode: Mode) -> Step {
        if depth + 1 > self.limits.max_depth {
            return Step::Stop(self.too_deep(start, end, mode));
        }
        let message = match plan {
            Plan::Typed(fd) => fd.kind().as_message().cloned(),
            _ => None,
        };
        let nested = self.tree.open(start, NodeKind::Message);
        match self.fields(start..end, message.as_ref(), Some(number), depth + 1, mode) {
            Outcome::EndGroup { tag } => {
                self.tree.close(nested, tag.start);
                self.tree.leaf(tag.clone(), NodeKind::Tag { field: number, wire_type: WireType::EndGroup });
                Step::Next(tag.end)
            }
            Outcome::Consumed => {
                self.tree.close(nested, end);
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
            self.tree.leaf(start..end, NodeKind::Invalid(reason.clone()));
        }
        self.diagnostics.push(Diagnostic { offset: start, severity: Severity::Error, message: reason });
        Outcome::Consumed
    }

    fn warn(&mut self, offset: usize, message: String) {
        self.diagnostics.push(Diagnostic { offset, severity: Severity::Warning, message });
    }

    fn note_overlong(&mut self, id: usize, at: usize, v: Varint) {
        if v.is_overlong() {
            self.warn(at, format!("varint uses {} bytes where {} would do", v.len, varint::encoded_len(v.value)));
            if let NodeKind::Field(field) = &mut self.tree.nodes[id].kind {
                field.notes.push(Note::Overlong { at });
            }
        }
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

fn plan_kind(plan: &Plan) -> Option<Kind> {
    match plan {
        Plan::Raw => None,
        Plan::Typed(fd) | Plan::Packed(fd) => Some(fd.kind()),
    }
}

/// Reads a varint's value as the field's kind declares it; without a kind, as unsigned.
fn varint_scalar(kind: Option<&Kind>, raw: u64) -> Scalar {
    match kind {
        Some(Kind::Int32) => Scalar::Int(i64::from(raw as i32)),
        Some(Kind::Int64) => Scalar::Int(raw as i64),
        Some(Kind::Uint32) => Scalar::UInt(u64::from(raw as u32)),
        Some(Kind::Sint32) => Scalar::SInt { raw, value: i64::from(varint::zigzag32(raw)) },
        Some(Kind::Sint64) => Scalar::SInt { raw, value: varint::zigzag64(raw) },
        Some(Kind::Bool) => Scalar::Bool { raw },
        Some(Kind::Enum(_)) => Scalar::Enum(raw as i32),
        _ => Scalar::UInt(raw),
    }
}

/// Reads 4 or 8 little-endian bytes as the field's kind declares them.
fn fixed_scalar(kind: Option<&Kind>, bytes: &[u8]) -> Scalar {
    if let Ok(b) = <[u8; 4]>::try_from(bytes) {
        return match kind {
            Some(Kind::Sfixed32) => Scalar::SFixed32(i32::from_le_bytes(b)),
            Some(Kind::Float) => Scalar::Float(f32::from_le_bytes(b)),
            _ => Scalar::Fixed32(u32::from_le_bytes(b)),
        };
    }
    let mut b = [0; 8];
    b.copy_from_slice(&bytes[..8]);
    match kind {
        Some(Kind::Sfixed64) => Scalar::SFixed64(i64::from_le_bytes(b)),
        Some(Kind::Double) => Scalar::Double(f64::from_le_bytes(b)),
        _ => Scalar::Fixed64(u64::from_le_bytes(b)),
    }
}

/// What one message has seen so far: occurrences per field number, the last field of each oneof.
#[derive(Default)]
struct Seen {
    fields: HashMap<u32, Occurrences>,
    oneofs: Vec<(String, u32)>,
}

struct Occurrences {
    first_at: usize,
    /// Elements so far (packed records count each element).
    elements: u32,
    len_records: u32,
}

impl Seen {
    /// Counts this record and returns the index of its first element; adds notes for repeats.
    fn visit(&mut self, number: u32, at: usize, plan: &Plan, notes: &mut Vec<Note>) -> u32 {
        let entry = self.fields.entry(number).or_insert(Occurrences { first_at: at, elements: 0, len_records: 0 });
        let index = entry.elements;
        match plan {
            Plan::Typed(fd) if !fd.is_list() && !fd.is_map() && index > 0 => {
                notes.push(Note::Repeated { first_at: entry.first_at });
            }
            Plan::Packed(_) if entry.len_records > 0 => notes.push(Note::PackedContinues),
            _ => {}
        }
        entry.elements += 1;
        if matches!(plan, Plan::Packed(_)) {
            entry.len_records += 1;
        }
        index
    }

    fn add_elements(&mut self, number: u32, extra: u32) {
        if let Some(entry) = self.fields.get_mut(&number) {
            entry.elements += extra;
        }
    }

    /// Records that the oneof `name` now holds `number`; returns the field it held before, if another.
    fn oneof(&mut self, name: &str, number: u32) -> Option<u32> {
        match self.oneofs.iter_mut().find(|(n, _)| n == name) {
            Some((_, held)) => Some(std::mem::replace(held, number)).filter(|&previous| previous != number),
            None => {
                self.oneofs.push((name.to_owned(), number));
                None
            }
        }
    }
}
