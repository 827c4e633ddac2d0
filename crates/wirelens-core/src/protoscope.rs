//! Protoscope-style text: bytes as a list of tagged values that a person can read and edit, and
//! back. `1: 42  2: {"Alice"}` is the reference user's first two fields.
//!
//! The language is protoscope's (github.com/protocolbuffers/protoscope); its reader, and the
//! spelling of its literals, are the notation module's ([`crate::input::protoscope`]).
//! [`write`](fn@write) prints an [`Annotation`] so that reading it gives back exactly its bytes: tags as
//! `N:` (groups as `N:SGROUP` … `N:EGROUP`), overlong varints as `long-form:N`, and anything the
//! annotator could not read as hex, with the reason in a comment. Knows the wire format; the
//! schema only lends names to the comments.
//!
//! The text is made from the annotator's walk as it goes (a visitor of it, `wire::visit::Visitor`): [`Printer`] prints
//! bytes while the walk reads them, with no annotation built, and [`write`](fn@write) hears the
//! same events again from an annotation's tree. One printer, so both print the same text.

use std::fmt::Write as _;
use std::ops::Range;

use prost_reflect::{EnumDescriptor, FieldDescriptor, MessageDescriptor};

use crate::input::protoscope::{push_double_literal, push_float_literal, push_hex_literal, push_string_literal};
use crate::varint;
use crate::wire::{Annotation, Annotator, Chosen, LeafKind, Limits, Note, Scalar, ScalarCode, Visitor, WireType};

/// The annotation as protoscope text, one record per line, nested messages indented.
pub fn write(annotation: &Annotation) -> String {
    let mut out = String::new();
    write_to(annotation, 0, &mut out);
    out
}

/// [`write`](fn@write), appended to `out` with every line `depth` levels (two spaces each) further
/// in: how a printer of many messages (`--delimited`) puts them in one buffer. Writes straight
/// into `out`, a line at a time, with no text of its own per record.
pub fn write_to(annotation: &Annotation, depth: usize, out: &mut String) {
    let mut held = Held::default();
    annotation.replay(held.lines(annotation.bytes(), depth, out, None));
}

/// [`write`](fn@write) into `sink` as it is made, through a buffer handed over whenever it holds
/// 64 KiB: a printer of a large annotation holds a few lines of its text at a time.
pub fn write_into(annotation: &Annotation, sink: &mut dyn std::fmt::Write) -> std::fmt::Result {
    let mut buf = String::with_capacity(PIECE + PIECE / 4);
    let mut held = Held::default();
    annotation.replay(held.lines(annotation.bytes(), 0, &mut buf, Some(&mut *sink))).result?;
    sink.write_str(&buf)
}

/// Bytes printed as protoscope as the walk reads them, with no annotation built: what
/// [`write`](fn@write) prints of `annotate(bytes, message)`, for a printer that has no other use
/// for the annotation (the CLI's `--output protoscope`, and `--delimited`, message after message
/// of one type with what they share kept: the schema's table, the walk's counters, the buffers).
#[derive(Debug)]
pub struct Printer {
    annotator: Annotator,
    held: Held,
}

/// What the printer keeps from one message to the next.
#[derive(Debug, Default)]
struct Held {
    fields: Fields,
    stack: Vec<Frame>,
    comment: String,
}

/// The names of the schema fields met so far, by their index in the walk's table, and the enum
/// types of those that are enums (asked of prost-reflect once per field, not per record).
#[derive(Debug, Default)]
struct Fields {
    /// The end of a line that names the field, `  # name` and its line feed: the name is
    /// between [`TAIL`] and the line feed. Empty for an index not met yet.
    names: Vec<Box<str>>,
    enums: Vec<Option<Enum>>,
}

/// An enum type, with the names of its small values by number (a value's name asked of
/// prost-reflect is a lookup and an `Arc` clone per record).
#[derive(Debug, Clone)]
struct Enum {
    desc: EnumDescriptor,
    /// By number, for the numbers from 0 to [`DENSE_ENUM`]; empty where no value has the number.
    names: Vec<Box<str>>,
}

/// What starts a line's comment.
const TAIL: &str = "  # ";

/// Enum numbers up to this have their names in [`Enum::names`].
const DENSE_ENUM: i32 = 256;

impl Enum {
    fn new(desc: EnumDescriptor) -> Enum {
        let mut names: Vec<Box<str>> = Vec::new();
        for value in desc.values() {
            if let Ok(at) = usize::try_from(value.number())
                && value.number() < DENSE_ENUM
            {
                if names.len() <= at {
                    names.resize(at + 1, Box::default());
                }
                if names[at].is_empty() {
                    // The first of aliases, as `get_value` finds it.
                    names[at] = desc.get_value(value.number()).map_or_else(Box::default, |v| v.name().into());
                }
            }
        }
        Enum { desc, names }
    }
}

impl Printer {
    pub fn new(message: Option<&MessageDescriptor>) -> Printer {
        Printer { annotator: Annotator::new(message, Limits::default()), held: Held::default() }
    }

    /// `bytes` as protoscope, appended to `out` with every line `depth` levels further in (as
    /// [`write_to`] appends an annotation).
    pub fn write_to(&mut self, bytes: &[u8], depth: usize, out: &mut String) {
        let lines = self.held.lines(bytes, depth, out, None);
        let _ = self.annotator.visit(bytes, lines);
    }

    /// `bytes` as protoscope into `sink` as it is made, through a buffer handed over whenever it
    /// holds 64 KiB between two top-level records (as [`write_into`] writes an annotation).
    pub fn write_into(&mut self, bytes: &[u8], sink: &mut dyn std::fmt::Write) -> std::fmt::Result {
        let mut buf = String::with_capacity(PIECE + PIECE / 4);
        let lines = self.held.lines(bytes, 0, &mut buf, Some(&mut *sink));
        self.annotator.visit(bytes, lines).result?;
        sink.write_str(&buf)
    }
}

impl Held {
    fn lines<'a>(
        &'a mut self,
        bytes: &'a [u8],
        depth: usize,
        out: &'a mut String,
        sink: Option<&'a mut dyn std::fmt::Write>,
    ) -> Lines<'a> {
        self.stack.clear();
        self.comment.clear();
        Lines {
            bytes,
            out,
            comment: &mut self.comment,
            fields: &mut self.fields,
            stack: &mut self.stack,
            base: depth,
            sink,
            result: Ok(()),
        }
    }
}

/// `bytes` read as `message` (schema-less when `None`) as protoscope: [`write`](fn@write) of
/// their annotation, with none built.
pub fn print(bytes: &[u8], message: Option<&MessageDescriptor>) -> String {
    let mut out = String::new();
    Printer::new(message).write_to(bytes, 0, &mut out);
    out
}

/// The pieces [`write_into`] and [`Printer::write_into`] hand over.
const PIECE: usize = 1 << 16;

/// The protoscope text of the walk's events ([`Visitor`]), a line written as soon as what it
/// says is known: a scalar's line at its value, a LEN record's at its payload, a record that
/// cannot be read, as its bytes, at the invalid leaf or at its end.
struct Lines<'a> {
    bytes: &'a [u8],
    out: &'a mut String,
    /// The comment of the line being written, put after it by [`end`].
    comment: &'a mut String,
    fields: &'a mut Fields,
    /// What is open: records and what their payloads hold.
    stack: &'a mut Vec<Frame>,
    /// The depth of top-level records.
    base: usize,
    /// Where the text goes once it holds [`PIECE`] bytes, if anywhere.
    sink: Option<&'a mut dyn std::fmt::Write>,
    result: std::fmt::Result,
}

/// An open node, as the printer needs it.
#[derive(Debug, Clone, Copy)]
enum Frame {
    Record(Open),
    /// A LEN record's message, whose fields are `depth` levels in; `lines` once one was written
    /// (the record's own line, `N: {`, is then ended).
    Message {
        depth: usize,
        lines: bool,
    },
    /// A group's fields, `depth` levels in.
    Group {
        depth: usize,
    },
    /// A LEN record told with its message ([`Visitor::message_record`]): the record and the
    /// message in one frame, the record's line written up to `{`, its fields `depth` levels in,
    /// `lines` once one was written.
    Nested {
        depth: usize,
        field: u32,
        lines: bool,
    },
    Packed {
        first: bool,
    },
}

/// An open record.
#[derive(Debug, Clone, Copy)]
struct Open {
    start: usize,
    /// Its index among the printer's fields, or `NO_FIELD`.
    field: u32,
    depth: usize,
    tag: varint::Varint,
    length: varint::Varint,
    /// The end of its last leaf so far.
    end: usize,
    state: State,
}

/// Where a record is: what the next event means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// After the tag of a record that is not a group.
    Tag,
    /// After a LEN record's length prefix.
    Length,
    /// A group, its line written.
    Group,
    /// Its line written (its payload's lines too, or being written).
    Written,
}

impl Lines<'_> {
    /// A LEN record's line up to its `{` (its tag, and its length prefix as long as it was
    /// written), for a string told whole or a message record; the line's depth.
    #[inline(always)]
    fn len_record_head(
        &mut self,
        tag: varint::Varint,
        field: u32,
        fd: Option<&FieldDescriptor>,
        length: varint::Varint,
    ) -> usize {
        if let Some(fd) = fd {
            self.fields.meet(field, fd);
        }
        let depth = self.item_depth();
        let out = &mut *self.out;
        indent(out, depth);
        push_tag(out, tag);
        out.push(' ');
        push_long_form(length, out);
        out.push('{');
        depth
    }

    /// The depth of a line that starts now at the level of the innermost message, ending the
    /// line of the LEN record around it if this is its first.
    #[inline(always)]
    fn item_depth(&mut self) -> usize {
        match self.stack.last() {
            None => self.base,
            Some(
                Frame::Group { depth }
                | Frame::Message { depth, lines: true }
                | Frame::Nested { depth, lines: true, .. },
            ) => *depth,
            Some(_) => self.first_item_depth(),
        }
    }

    /// [`item_depth`](Lines::item_depth) of a message's first line, or inside a record or a
    /// packed payload (which hold no line of their own level).
    #[inline(never)]
    fn first_item_depth(&mut self) -> usize {
        let n = self.stack.len();
        match self.stack.last_mut() {
            Some(Frame::Message { depth, lines }) => {
                let depth = *depth;
                if !*lines {
                    *lines = true;
                    let tail = match self.stack[n - 2] {
                        Frame::Record(open) => self.fields.line_end(open.field),
                        _ => "",
                    };
                    end_named(self.out, self.comment, tail);
                }
                depth
            }
            Some(Frame::Nested { depth, field, lines }) => {
                if !*lines {
                    *lines = true;
                    end_named(self.out, self.comment, self.fields.line_end(*field));
                }
                *depth
            }
            Some(Frame::Group { depth }) => *depth,
            _ => self.base,
        }
    }

    /// After a record: hands the text to the sink once it holds a piece, between top-level records.
    #[inline]
    fn piece_done(&mut self) {
        if self.stack.is_empty()
            && self.out.len() >= PIECE
            && let Some(sink) = &mut self.sink
        {
            self.result = self.result.and_then(|()| sink.write_str(self.out));
            self.out.clear();
        }
    }

    /// A scalar record's line, `depth` levels in: its tag, its value, the field's name and what
    /// the value means in a comment.
    #[inline(always)]
    fn scalar_line(&mut self, depth: usize, tag: varint::Varint, field: u32, bytes: &[u8], code: ScalarCode) {
        let out = &mut *self.out;
        indent(out, depth);
        push_tag(out, tag);
        out.push(' ');
        // Every number whose token is the number itself makes no `Scalar`: only an enum's has a
        // meaning to add (its name), and only the rarer codes need reading as such.
        let enum_number = match code {
            ScalarCode::Uint64 | ScalarCode::Uint32 => {
                push_uint(out, bytes);
                None
            }
            ScalarCode::Int32 | ScalarCode::Int64 => {
                push_int(out, bytes);
                None
            }
            ScalarCode::Fixed32 | ScalarCode::Fixed64 => {
                push_fixed(out, bytes);
                None
            }
            ScalarCode::Enum => Some(push_uint(out, bytes) as i32),
            _ => {
                push_scalar(out, bytes, &code.read(bytes));
                None
            }
        };
        let Some(number) = enum_number else {
            return end_named(out, self.comment, self.fields.line_end(field));
        };
        let tail = self.fields.tail(field);
        let enum_type = self.fields.enum_type(field);
        if tail.is_empty() {
            meaning(number, enum_type, self.comment);
            end(out, self.comment);
        } else {
            out.push_str(tail);
            meaning(number, enum_type, out);
            out.push('\n');
        }
    }

    /// Bytes that cannot be read, on a line of their own.
    fn unreadable(&mut self, depth: usize, range: Range<usize>, reason: &str) {
        indent(self.out, depth);
        push_hex_literal(self.out, &self.bytes[range]);
        let _ = write!(self.comment, "not readable: {reason}");
        end(self.out, self.comment);
    }
}

impl Fields {
    /// A field's name, or nothing for a record without one.
    fn label(&self, field: u32) -> &str {
        self.tail(field).get(TAIL.len()..).unwrap_or_default()
    }

    /// What ends a line that names the field before anything more is said, `  # name`, or nothing.
    fn tail(&self, field: u32) -> &str {
        let end = self.line_end(field);
        end.strip_suffix('\n').unwrap_or(end)
    }

    /// What ends a line that names the field, `  # name` and the line feed (one piece to push),
    /// or nothing.
    #[inline]
    fn line_end(&self, field: u32) -> &str {
        self.names.get(field as usize).map_or("", |name| name)
    }

    /// Learns the name (and enum type) of schema field `field` the first time a record of it is met.
    #[inline(always)]
    fn meet(&mut self, field: u32, fd: &FieldDescriptor) {
        if self.names.get(field as usize).is_none_or(|name| name.is_empty()) {
            self.learn(field, fd);
        }
    }

    #[cold]
    #[inline(never)]
    fn learn(&mut self, field: u32, fd: &FieldDescriptor) {
        let at = field as usize;
        if self.names.len() <= at {
            self.names.resize(at + 1, Box::default());
            self.enums.resize(at + 1, None);
        }
        self.names[at] = format!("{TAIL}{}\n", fd.name()).into();
        self.enums[at] = fd.kind().as_enum().cloned().map(Enum::new);
    }

    fn enum_type(&self, field: u32) -> Option<&Enum> {
        self.enums.get(field as usize).and_then(Option::as_ref)
    }
}

impl Open {
    /// A LEN record's line up to its payload: `N: {`.
    fn len_head(&self, out: &mut String) {
        indent(out, self.depth);
        push_tag(out, self.tag);
        out.push(' ');
        push_long_form(self.length, out);
        out.push('{');
    }

    /// A record this printer has no tidier spelling for: its bytes up to `end_at`, exactly.
    fn raw(
        &self,
        bytes: &[u8],
        end_at: usize,
        reason: Option<&str>,
        label: &str,
        out: &mut String,
        comment: &mut String,
    ) {
        let _ = match reason {
            Some(reason) if label.is_empty() => write!(comment, "not readable: {reason}"),
            Some(reason) => write!(comment, "{label}: {reason}"),
            None => comment.write_str(label),
        };
        indent(out, self.depth);
        push_hex_literal(out, &bytes[self.start..end_at]);
        end(out, comment);
    }
}

/// An element of a packed payload: a scalar's token or, for bytes that cannot be read, their hex.
fn packed_element(first: &mut bool, out: &mut String, bytes: &[u8], code: Option<ScalarCode>) {
    if !std::mem::replace(first, false) {
        out.push(' ');
    }
    match code {
        Some(code) => push_scalar(out, bytes, &code.read(bytes)),
        None => push_hex_literal(out, bytes),
    }
}

impl Visitor for Lines<'_> {
    type Record = ();
    type Mark = (usize, usize, Option<Frame>);

    /// Notes are the listing's: protoscope text says what the bytes are, not what is odd about them.
    const NOTES: bool = false;

    fn open_record(&mut self, start: usize, tag: varint::Varint, _: u32, field: u32, fd: Option<&FieldDescriptor>) {
        if let Some(fd) = fd {
            self.fields.meet(field, fd);
        }
        let depth = self.item_depth();
        let none = varint::Varint { value: 0, len: 0 };
        let mut open = Open { start, field, depth, tag, length: none, end: start + tag.len, state: State::Tag };
        if tag.value & 7 == WireType::StartGroup as u64 {
            indent(self.out, depth);
            push_tag(self.out, tag);
            end_labelled(self.out, self.comment, self.fields.tail(field), " (group)");
            open.state = State::Group;
        }
        self.stack.push(Frame::Record(open));
    }

    /// The record's line, with nothing to push or pop.
    fn scalar_record(
        &mut self,
        _: usize,
        tag: varint::Varint,
        _: u32,
        field: u32,
        fd: Option<&FieldDescriptor>,
        value: Range<usize>,
        code: ScalarCode,
    ) {
        if let Some(fd) = fd {
            self.fields.meet(field, fd);
        }
        let depth = self.item_depth();
        self.scalar_line(depth, tag, field, &self.bytes[value], code);
        self.piece_done();
    }

    /// The record's line, `N: {"text"}`, with nothing to push or pop.
    fn string_record(
        &mut self,
        _: usize,
        tag: varint::Varint,
        _: u32,
        field: u32,
        fd: Option<&FieldDescriptor>,
        length: varint::Varint,
        _: Range<usize>,
        text: &str,
    ) {
        self.len_record_head(tag, field, fd, length);
        let out = &mut *self.out;
        push_string_literal(out, text);
        out.push('}');
        end_named(out, self.comment, self.fields.line_end(field));
        self.piece_done();
    }

    /// The record's line up to `{`, and one frame for the record and its message.
    fn message_record(
        &mut self,
        _: usize,
        tag: varint::Varint,
        _: u32,
        field: u32,
        fd: Option<&FieldDescriptor>,
        length: varint::Varint,
        _: usize,
    ) -> ((), u32) {
        let depth = self.len_record_head(tag, field, fd, length);
        self.stack.push(Frame::Nested { depth: depth + 1, field, lines: false });
        ((), 0)
    }

    fn close_message_record(&mut self, _: (), _: u32, _: Option<Chosen>) {
        match self.stack.pop() {
            Some(Frame::Nested { field, lines: false, .. }) => {
                self.out.push('}');
                end_named(self.out, self.comment, self.fields.line_end(field));
            }
            Some(Frame::Nested { depth, lines: true, .. }) => {
                indent(self.out, depth - 1);
                self.out.push('}');
                end(self.out, self.comment);
            }
            _ => debug_assert!(false, "a message record closed where none is open"),
        }
        self.piece_done();
    }

    fn note(&mut self, _: (), _: Note) {}

    fn readings(&mut self, _: (), _: Chosen) {}

    fn close_record(&mut self, _: ()) {
        if let Some(Frame::Record(open)) = self.stack.pop()
            && matches!(open.state, State::Tag | State::Length)
        {
            // The value or the length prefix was cut off at the very end: no invalid leaf says why.
            open.raw(self.bytes, open.end, None, self.fields.label(open.field), self.out, self.comment);
        }
        self.piece_done();
    }

    fn open(&mut self, _: usize, kind: LeafKind) -> u32 {
        let Some(Frame::Record(open)) = self.stack.last_mut() else { return 0 };
        let frame = match (open.state, kind) {
            (State::Length, LeafKind::Message) => Frame::Message { depth: open.depth + 1, lines: false },
            (State::Length, _) => Frame::Packed { first: true },
            (_, _) => Frame::Group { depth: open.depth + 1 },
        };
        if open.state == State::Length {
            open.len_head(self.out);
            open.state = State::Written;
        }
        self.stack.push(frame);
        0
    }

    fn close(&mut self, _: u32) {
        let frame = self.stack.pop();
        let Some(Frame::Record(open)) = self.stack.last() else { return };
        match frame {
            Some(Frame::Message { lines: false, .. }) => {
                self.out.push('}');
                end_named(self.out, self.comment, self.fields.line_end(open.field));
            }
            Some(Frame::Message { lines: true, .. }) => {
                indent(self.out, open.depth);
                self.out.push('}');
                end(self.out, self.comment);
            }
            Some(Frame::Packed { .. }) => {
                self.out.push('}');
                end_labelled(self.out, self.comment, self.fields.tail(open.field), " (packed)");
            }
            _ => {}
        }
    }

    fn leaf(&mut self, range: Range<usize>, kind: LeafKind) {
        let bytes = &self.bytes[range.clone()];
        let open = match self.stack.last_mut() {
            Some(Frame::Record(open)) => open,
            Some(Frame::Packed { first }) => {
                let code = match kind {
                    LeafKind::Scalar(code) => Some(code),
                    _ => None,
                };
                return packed_element(first, self.out, bytes, code);
            }
            _ => return debug_assert!(false, "{kind:?} outside a record at {}", range.start),
        };
        open.end = range.end;
        let out = &mut *self.out;
        match (open.state, kind) {
            (State::Tag, LeafKind::Scalar(code)) => {
                open.state = State::Written;
                let (depth, tag, field) = (open.depth, open.tag, open.field);
                self.scalar_line(depth, tag, field, bytes, code);
            }
            (State::Tag, LeafKind::Length) => {
                open.length = varint::decode(bytes).unwrap_or(varint::Varint { value: 0, len: 0 });
                open.state = State::Length;
            }
            (State::Length, LeafKind::Str | LeafKind::Bytes) => {
                open.len_head(out);
                // Only a string is checked: bytes are shown as hex, UTF-8 or not.
                match (kind == LeafKind::Str).then(|| crate::wire::utf8(bytes)).flatten() {
                    Some(text) => push_string_literal(out, text),
                    None => push_hex_literal(out, bytes),
                }
                out.push('}');
                end_named(out, self.comment, self.fields.line_end(open.field));
                open.state = State::Written;
            }
            // A group's end-group tag, on a line of its own at the group's level.
            (State::Group, LeafKind::Tag) => {
                indent(out, open.depth);
                push_tag(out, varint::decode(bytes).unwrap_or(varint::Varint { value: 0, len: 0 }));
                end(out, self.comment);
            }
            _ => debug_assert!(false, "unexpected {kind:?} in a record at {}", open.start),
        }
    }

    /// The length, as the walk read it, kept for the record's line.
    fn length(&mut self, range: Range<usize>, length: varint::Varint) {
        match self.stack.last_mut() {
            Some(Frame::Record(open)) if open.state == State::Tag => {
                open.end = range.end;
                open.length = length;
                open.state = State::Length;
            }
            _ => self.leaf(range, LeafKind::Length),
        }
    }

    fn text(&mut self, range: Range<usize>, text: &str) {
        match self.stack.last_mut() {
            Some(Frame::Record(open)) if open.state == State::Length => {
                open.end = range.end;
                open.state = State::Written;
                open.len_head(self.out);
                push_string_literal(self.out, text);
                self.out.push('}');
                end_named(self.out, self.comment, self.fields.line_end(open.field));
            }
            _ => self.leaf(range, LeafKind::Str),
        }
    }

    fn invalid(&mut self, range: Range<usize>, reason: &str) {
        let open = match self.stack.last_mut() {
            Some(Frame::Packed { first }) => return packed_element(first, self.out, &self.bytes[range], None),
            Some(Frame::Record(open)) => open,
            _ => {
                let depth = self.item_depth();
                return self.unreadable(depth, range, reason);
            }
        };
        open.end = range.end;
        let before = std::mem::replace(&mut open.state, State::Written);
        let open = *open;
        let label = self.fields.label(open.field);
        match before {
            // A payload of exactly the promised length that is not read (nested too deep).
            State::Length if range.len() as u64 == open.length.value => {
                open.len_head(self.out);
                push_hex_literal(self.out, &self.bytes[range]);
                self.out.push('}');
                end_named(self.out, self.comment, self.fields.line_end(open.field));
            }
            State::Group => self.unreadable(open.depth + 1, range, reason),
            _ => open.raw(self.bytes, range.end, Some(reason), label, self.out, self.comment),
        }
    }

    fn mark(&self) -> Self::Mark {
        (self.out.len(), self.stack.len(), self.stack.last().copied())
    }

    fn rollback(&mut self, (len, depth, top): Self::Mark) {
        self.out.truncate(len);
        self.stack.truncate(depth);
        if let (Some(frame), Some(last)) = (top, self.stack.last_mut()) {
            *last = frame;
        }
    }
}

/// Begins a line `depth` levels in.
#[inline]
fn indent(out: &mut String, depth: usize) {
    if depth <= 4 {
        // A piece per level: a `memset` call costs more for a few.
        for _ in 0..depth {
            out.push_str("  ");
        }
        return;
    }
    deep_indent(out, depth);
}

#[inline(never)]
fn deep_indent(out: &mut String, depth: usize) {
    /// Spaces enough for 32 levels, pushed as one piece (a push per level made deeply nested
    /// messages cost a third of their time in indents).
    const SPACES: &str = "                                                                ";
    let mut width = 2 * depth;
    while width > SPACES.len() {
        out.push_str(SPACES);
        width -= SPACES.len();
    }
    out.push_str(&SPACES[..width]);
}

/// Ends the line: its comment, if any (trimmed, on one line), then the line feed.
#[inline]
fn end(out: &mut String, comment: &mut String) {
    if comment.is_empty() {
        return out.push('\n');
    }
    end_commented(out, comment);
}

/// [`end`] of a line with a comment.
#[inline(never)]
fn end_commented(out: &mut String, comment: &mut String) {
    let text = comment.trim();
    if !text.is_empty() {
        out.push_str("  # ");
        if text.bytes().any(|b| b == b'\n') {
            out.push_str(&text.replace('\n', " "));
        } else {
            out.push_str(text);
        }
    }
    out.push('\n');
    comment.clear();
}

/// Ends a line whose comment is a field's name and `more`, which holds no line feed: `tail`,
/// the field's `  # name` (or nothing, for a record without a name), then `more` ([`end`]
/// without a copy through `comment`).
fn end_labelled(out: &mut String, comment: &mut String, tail: &str, more: &str) {
    if tail.is_empty() {
        comment.push_str(more);
        return end(out, comment);
    }
    out.push_str(tail);
    out.push_str(more);
    out.push('\n');
}

/// [`end_labelled`] with nothing more, the commonest end of a line: `line_end`, the field's
/// `  # name` and the line feed (or nothing, for a record without a name: then [`end`]).
#[inline]
fn end_named(out: &mut String, comment: &mut String, line_end: &str) {
    if line_end.is_empty() {
        return end(out, comment);
    }
    out.push_str(line_end);
}

/// `N:` (or `N:SGROUP`, `N:EGROUP`) behind its long form, for a tag already read. Inline: a
/// call per line cost more than the digit and the colon it pushes.
#[inline(always)]
fn push_tag(out: &mut String, tag: varint::Varint) {
    // A one-byte tag (fields 1 to 15) is never overlong, nor a number past 9 but in two digits.
    match tag.value >> 3 {
        number @ 0..10 if tag.len == 1 => out.push(char::from(b'0' + number as u8)),
        _ => push_long_tag(out, tag),
    }
    out.push(':');
    // Values carry their width (`5i32`, `1.5`, `{`), so only groups need the type spelled.
    if let 3 | 4 = tag.value & 7 {
        push_group_wire_type(out, tag);
    }
}

/// [`push_tag`]'s number of a tag of more than one byte, or past 9.
#[inline(never)]
fn push_long_tag(out: &mut String, tag: varint::Varint) {
    if tag.len > 1 {
        push_long_form(tag, out);
    }
    push_number(out, tag.value >> 3);
}

#[cold]
#[inline(never)]
fn push_group_wire_type(out: &mut String, tag: varint::Varint) {
    if let Some(wire_type) = WireType::from_bits((tag.value & 7) as u8) {
        out.push_str(wire_type.name());
    }
}

/// A scalar leaf's `bytes`, read as `scalar`, as the token that writes them back. Numbers by
/// `itoa`, not `core::fmt` (which took 180 instructions for a fixed-width value).
fn push_scalar(out: &mut String, bytes: &[u8], scalar: &Scalar) {
    let mut number = itoa::Buffer::new();
    match *scalar {
        Scalar::Fixed32(_) | Scalar::SFixed32(_) | Scalar::Float(_) => {
            let bits = u32::from_le_bytes(bytes.try_into().unwrap_or_default());
            if let Scalar::Float(f) = *scalar
                && f.to_bits() == bits
                && push_float_literal(out, f)
            {
                return;
            }
            match *scalar {
                Scalar::SFixed32(v) => out.push_str(number.format(v)),
                _ => out.push_str(number.format(bits)),
            }
            out.push_str("i32");
        }
        Scalar::Fixed64(_) | Scalar::SFixed64(_) | Scalar::Double(_) => {
            let bits = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
            if let Scalar::Double(f) = *scalar
                && f.to_bits() == bits
                && push_double_literal(out, f)
            {
                return;
            }
            match *scalar {
                Scalar::SFixed64(v) => out.push_str(number.format(v)),
                _ => out.push_str(number.format(bits)),
            }
            out.push_str("i64");
        }
        Scalar::UInt(_) => {
            push_uint(out, bytes);
        }
        _ => {
            let Ok(v) = varint::decode(bytes) else { return push_hex_literal(out, bytes) };
            push_long_form(v, out);
            match *scalar {
                Scalar::SInt { raw, value } if zigzag(value) == raw => {
                    out.push_str(number.format(value));
                    out.push('z');
                }
                Scalar::Bool { raw: 0 } => out.push_str("false"),
                Scalar::Bool { raw: 1 } => out.push_str("true"),
                // A signed field's negatives as such: `-1` writes the same ten bytes as
                // 18446744073709551615, the spelling unsigned fields and schema-less reads keep.
                Scalar::Int(_) if v.value >= 1 << 63 => out.push_str(number.format(v.value as i64)),
                _ => out.push_str(number.format(v.value)),
            }
        }
    }
}

/// A varint's `bytes` as an unsigned number (what [`push_scalar`] writes of a `Scalar::UInt`, and
/// the number of a `Scalar::Enum`); its value (0 for bytes that are not a varint, written as hex).
#[inline]
fn push_uint(out: &mut String, bytes: &[u8]) -> u64 {
    let Ok(v) = varint::decode(bytes) else {
        push_hex_literal(out, bytes);
        return 0;
    };
    push_long_form(v, out);
    push_number(out, v.value);
    v.value
}

/// A varint's `bytes` as a signed field's number (what [`push_scalar`] writes of a `Scalar::Int`).
#[inline]
fn push_int(out: &mut String, bytes: &[u8]) {
    let Ok(v) = varint::decode(bytes) else { return push_hex_literal(out, bytes) };
    push_long_form(v, out);
    match v.value {
        // Negatives as such: `-1` writes the same ten bytes as 18446744073709551615, the spelling
        // unsigned fields and schema-less reads keep.
        value if value >= 1 << 63 => out.push_str(itoa::Buffer::new().format(value as i64)),
        value => push_number(out, value),
    }
}

/// A number in decimal: a digit pushed alone, the rest by `itoa`.
#[inline(always)]
fn push_number(out: &mut String, value: u64) {
    match value {
        digit @ 0..10 => out.push(char::from(b'0' + digit as u8)),
        value => out.push_str(itoa::Buffer::new().format(value)),
    }
}

/// A fixed-width value's 4 or 8 `bytes` as an unsigned number and its width (what
/// [`push_scalar`] writes of a `Scalar::Fixed32` or `Scalar::Fixed64`).
#[inline]
fn push_fixed(out: &mut String, bytes: &[u8]) {
    let mut number = itoa::Buffer::new();
    match <[u8; 4]>::try_from(bytes) {
        Ok(four) => {
            out.push_str(number.format(u32::from_le_bytes(four)));
            out.push_str("i32");
        }
        Err(_) => {
            out.push_str(number.format(u64::from_le_bytes(bytes.try_into().unwrap_or_default())));
            out.push_str("i64");
        }
    }
}

/// What a comment adds to an enum field's name: the name of `number` among `enum_type`'s values.
fn meaning(number: i32, enum_type: Option<&Enum>, comment: &mut String) {
    if let Some(name) = enum_type.and_then(|e| e.names.get(usize::try_from(number).ok()?)).filter(|n| !n.is_empty()) {
        comment.push_str(" = ");
        return comment.push_str(name);
    }
    let _ = match enum_type.map(|e| &e.desc) {
        Some(e) => match e.get_value(number) {
            Some(value) => {
                comment.push_str(" = ");
                comment.write_str(value.name())
            }
            None => write!(comment, " = {number}, not a value of {}", e.name()),
        },
        None => write!(comment, " = enum {number}"),
    };
}

/// `long-form:N ` for a varint that takes N more bytes than it needs, else nothing.
fn push_long_form(v: varint::Varint, out: &mut String) {
    if v.is_overlong() {
        let _ = write!(out, "long-form:{} ", v.len - varint::encoded_len(v.value));
    }
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

#[cfg(test)]
mod tests {
    use expect_test::expect;
    use proptest::prelude::*;
    use proptest::test_runner::RngSeed;

    use super::*;
    use crate::examples::{self, EXAMPLES};
    use crate::input::{InputFormat, parse_bytes, to_hex};
    use crate::message;
    use crate::wire::annotate;
    use prost_reflect::MessageDescriptor;

    fn round_trip(bytes: &[u8], annotation: &Annotation) -> Result<(), String> {
        let text = write(annotation);
        match parse_bytes(&text, InputFormat::Protoscope) {
            Ok(back) if back == bytes => Ok(()),
            Ok(back) => Err(format!("{text}\nwrote {}\nread  {}", to_hex(bytes), to_hex(&back))),
            Err(e) => Err(format!("{text}\n{e}")),
        }
    }

    #[test]
    fn writes_the_reference_user() {
        let e = &examples::REFERENCE;
        let desc = e.schema().unwrap().message(e.message).unwrap();
        let bytes = message::encode(&message::parse_json(&desc, e.json).unwrap());
        let annotation = annotate(&bytes, Some(&desc));
        expect![[r#"
            1: 42  # id
            2: {"Alice"}  # name
            3: {"alice@example.com"}  # email
            4: {"admin"}  # roles
            4: {"user"}  # roles
            6: 1  # status = ACTIVE
        "#]]
        .assert_eq(&write(&annotation));
        round_trip(&bytes, &annotation).unwrap();
    }

    #[test]
    fn written_in_pieces_is_written_whole() {
        // Enough records to hand over several 64 KiB pieces.
        let mut bytes = Vec::new();
        for i in 0..40_000u64 {
            bytes.extend([0x08, (i % 100) as u8, 0x12, 0x03, b'a', b'"', b'c']);
        }
        let a = annotate(&bytes, None);
        let mut pieces = String::new();
        write_into(&a, &mut pieces).unwrap();
        assert!(pieces.len() > 3 << 16);
        assert_eq!(pieces, write(&a));
    }

    #[test]
    fn every_example_round_trips_with_and_without_its_schema() {
        for e in EXAMPLES {
            let desc = e.schema().unwrap().message(e.message).unwrap();
            let bytes = message::encode(&message::parse_json(&desc, e.json).unwrap());
            round_trip(&bytes, &annotate(&bytes, Some(&desc))).unwrap_or_else(|e| panic!("{e}"));
            round_trip(&bytes, &annotate(&bytes, None)).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    /// The printer's text against the writer's text of the annotation, for every way of reading
    /// `bytes`: without a schema, and as each example's message type.
    fn printer_agrees(bytes: &[u8]) -> Result<(), String> {
        let descs: Vec<Option<MessageDescriptor>> = std::iter::once(None)
            .chain(EXAMPLES.iter().map(|e| Some(e.schema().unwrap().message(e.message).unwrap())))
            .chain(std::iter::once(Some(nest())))
            .collect();
        for desc in &descs {
            let written = write(&annotate(bytes, desc.as_ref()));
            let printed = print(bytes, desc.as_ref());
            if printed != written {
                let name = desc.as_ref().map_or("no schema", |d| d.full_name());
                return Err(format!("{} as {name}:\nwritten:\n{written}\nprinted:\n{printed}", to_hex(bytes)));
            }
        }
        Ok(())
    }

    /// A message that holds itself as a message, in a group, and beside scalars and a packed field.
    fn nest() -> MessageDescriptor {
        let source = r#"syntax = "proto2";
            message N {
              optional N child = 1; optional int32 leaf = 2; optional group G = 3 { optional N in_group = 4; }
              repeated sint64 packed = 5 [packed = true]; optional string text = 6; optional float f = 7;
            }"#;
        crate::schema::Schema::compile(&[("n.proto", source)]).unwrap().message("N").unwrap()
    }

    fn tag(out: &mut Vec<u8>, number: u32, wire_type: u8) {
        push_varint(out, u64::from(number) << 3 | u64::from(wire_type));
    }

    fn push_varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push(v as u8 | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// Records of every wire type, nested messages and groups among them, with field numbers that
    /// the examples' schemas have (and some they lack).
    fn records() -> impl Strategy<Value = Vec<u8>> {
        let leaf = prop_oneof![
            (1u32..12, any::<u64>()).prop_map(|(n, v)| {
                let mut out = Vec::new();
                tag(&mut out, n, 0);
                push_varint(&mut out, v >> (v % 64));
                out
            }),
            (1u32..12, any::<u32>()).prop_map(|(n, v)| {
                let mut out = Vec::new();
                tag(&mut out, n, 5);
                out.extend(v.to_le_bytes());
                out
            }),
            (1u32..12, any::<u64>()).prop_map(|(n, v)| {
                let mut out = Vec::new();
                tag(&mut out, n, 1);
                out.extend(v.to_le_bytes());
                out
            }),
            (
                1u32..12,
                prop_oneof![
                    prop::collection::vec(any::<u8>(), 0..8),
                    "[a-z\"\n\u{e9}]{0,6}".prop_map(String::into_bytes)
                ]
            )
                .prop_map(|(n, payload)| {
                    let mut out = Vec::new();
                    tag(&mut out, n, 2);
                    push_varint(&mut out, payload.len() as u64);
                    out.extend(payload);
                    out
                }),
        ];
        let record = leaf.prop_recursive(5, 48, 4, |inner| {
            prop_oneof![
                (1u32..12, prop::collection::vec(inner.clone(), 0..4)).prop_map(|(n, fields)| {
                    let payload = fields.concat();
                    let mut out = Vec::new();
                    tag(&mut out, n, 2);
                    push_varint(&mut out, payload.len() as u64);
                    out.extend(payload);
                    out
                }),
                (1u32..12, prop::collection::vec(inner, 0..4)).prop_map(|(n, fields)| {
                    let mut out = Vec::new();
                    tag(&mut out, n, 3);
                    out.extend(fields.concat());
                    tag(&mut out, n, 4);
                    out
                }),
            ]
        });
        prop::collection::vec(record, 0..5).prop_map(|records| records.concat())
    }

    /// Damage at a few places: a byte changed, inserted or removed, the end cut off.
    fn mutated() -> impl Strategy<Value = Vec<u8>> {
        (records(), crate::testing::damage()).prop_map(|(mut bytes, damage)| {
            crate::testing::apply(&mut bytes, damage);
            bytes
        })
    }

    #[test]
    fn the_printer_agrees_with_the_writer_on_the_examples_and_on_deep_nesting() {
        for e in EXAMPLES {
            let desc = e.schema().unwrap().message(e.message).unwrap();
            printer_agrees(&message::encode(&message::parse_json(&desc, e.json).unwrap())).unwrap();
        }
        // 100,000 start-group tags, and 120 messages each inside the next (the limit is 100).
        printer_agrees(&[0x1B; 100_000]).unwrap();
        let mut nested = vec![0x10, 0x01];
        for _ in 0..120 {
            let mut outer = vec![0x0A];
            push_varint(&mut outer, nested.len() as u64);
            outer.extend(nested);
            nested = outer;
        }
        printer_agrees(&nested).unwrap();
        // A group too deep whose payload runs exactly to its message's end, empty payloads, cut values.
        for hex in ["0a00", "1a021b1c", "0a", "08", "0d0102", "0a05", "0b", "0c", "1b10011c", "2a03010203", "2a0301"] {
            printer_agrees(&crate::input::parse_bytes(hex, InputFormat::Hex).unwrap()).unwrap();
        }
    }

    #[test]
    fn runs_of_records_of_one_tag_print_as_the_writer_writes_them() {
        // Runs of one tag, each read after the first by what the first decided: N's int32, its
        // float, a number it lacks, a string written as a varint, a packed field unpacked, and
        // an overlong value; then the same tags inside a child message, and a value cut short.
        let mut run = Vec::new();
        for (tag_byte, value) in
            [(0x10, &[0x01][..]), (0x3D, &[0, 0, 0xC0, 0x3F]), (0x48, &[0x96, 0x01]), (0x30, &[0x05])]
        {
            for _ in 0..3 {
                run.push(tag_byte);
                run.extend(value);
            }
        }
        run.extend([0x28, 0x03, 0x28, 0x04, 0x10, 0x81, 0x00, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
        let mut bytes = run.clone();
        bytes.push(0x0A);
        push_varint(&mut bytes, run.len() as u64);
        bytes.extend(&run);
        bytes.extend(&run);
        bytes.extend([0x10, 0x01, 0x10, 0x80]);
        printer_agrees(&bytes).unwrap();
    }

    #[test]
    fn a_printer_of_many_messages_prints_each_as_the_writer_does() {
        let e = &examples::REFERENCE;
        let desc = e.schema().unwrap().message(e.message).unwrap();
        let good = message::encode(&message::parse_json(&desc, e.json).unwrap());
        let messages = [good.clone(), good[..good.len() / 2].to_vec(), Vec::new(), vec![0xff, 0x01], good];
        let mut printer = Printer::new(Some(&desc));
        let mut annotator = crate::wire::Annotator::new(Some(&desc), crate::wire::Limits::default());
        let (mut printed, mut written) = (String::new(), String::new());
        for m in &messages {
            printer.write_to(m, 1, &mut printed);
            write_to(annotator.annotate(m), 1, &mut written);
        }
        assert_eq!(printed, written);
        let mut pieces = String::new();
        printer.write_into(&messages[0], &mut pieces).unwrap();
        assert_eq!(pieces, write(&annotate(&messages[0], Some(&desc))));
    }

    #[test]
    fn printed_in_pieces_is_printed_whole() {
        let mut bytes = Vec::new();
        for i in 0..40_000u64 {
            bytes.extend([0x08, (i % 100) as u8, 0x12, 0x03, b'a', b'"', b'c']);
        }
        let mut pieces = String::new();
        Printer::new(None).write_into(&bytes, &mut pieces).unwrap();
        assert!(pieces.len() > 3 << 16);
        assert_eq!(pieces, write(&annotate(&bytes, None)));
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            rng_seed: RngSeed::Fixed(0x5769_7265_4c65_6e73),
            ..ProptestConfig::default()
        })]

        /// Whatever the bytes, the printer prints what the writer writes of their annotation.
        #[test]
        fn the_printer_agrees_with_the_writer(bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..96),
            records(),
            mutated(),
        ]) {
            prop_assert_eq!(printer_agrees(&bytes), Ok(()));
        }

        /// Whatever the bytes, read with a schema or without, the text spells them exactly.
        #[test]
        fn any_bytes_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..96)) {
            prop_assert_eq!(round_trip(&bytes, &annotate(&bytes, None)), Ok(()));
            let e = &examples::REFERENCE;
            let desc = e.schema().unwrap().message(e.message).unwrap();
            prop_assert_eq!(round_trip(&bytes, &annotate(&bytes, Some(&desc))), Ok(()));
        }
    }
}
