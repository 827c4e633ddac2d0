//! The annotated wire format: what every byte of a protobuf message is.
//!
//! [`annotate`] walks bytes, with or without a message descriptor, and returns
//! an [`Annotation`]: a tree of [`Node`]s whose leaves tile the input exactly,
//! plus [`Diagnostic`]s that name byte offsets. It never fails: bytes it cannot
//! read become [`NodeKind::Invalid`] leaves. This module knows the wire format
//! and descriptors; it knows nothing about hex rows, colours or JSON.
//!
//! The tree is numbered in preorder and stored flat, as a struct of arrays (5 bytes a stored node):
//! a node's kind, start, parent and the end of its subtree, the last three packed small; a record's
//! tag, length prefix and one-leaf value or payload are implied by its kind, not stored (`tree.rs`).
//! Everything else is worked out
//! when asked: a range's end is where the next node after its subtree starts (the leaves tile
//! the input), a number is read again from its bytes, a record's extras (descriptor, notes,
//! readings) sit in side tables keyed by node, and descriptors are indices into a table of
//! the fields the annotation met. [`Node`] and [`Field`] are views built on access.

mod annotate;
mod delimited;
mod readings;
mod table;
mod tree;
mod visit;

use std::ops::Range;

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};

pub use annotate::{Annotator, Limits, annotate, annotate_owned, annotate_pinned, annotate_with, plural, unread};
pub use delimited::{Delimited, DelimitedError, DelimitedMessage};
pub(crate) use readings::{Chosen, utf8};
pub use readings::{Pins, Reading, Readings};
pub(crate) use tree::{Kind as LeafKind, ScalarCode, TreeBuilder};
pub(crate) use visit::Visitor;

/// The six wire types a tag can name, and the two values it cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WireType {
    Varint = 0,
    I64 = 1,
    Len = 2,
    StartGroup = 3,
    EndGroup = 4,
    I32 = 5,
}

impl WireType {
    pub fn from_bits(bits: u8) -> Option<WireType> {
        Some(match bits {
            0 => WireType::Varint,
            1 => WireType::I64,
            2 => WireType::Len,
            3 => WireType::StartGroup,
            4 => WireType::EndGroup,
            5 => WireType::I32,
            _ => return None,
        })
    }

    /// The name protobuf's encoding guide uses: `VARINT`, `I64`, `LEN`, `SGROUP`, `EGROUP`, `I32`.
    pub fn name(self) -> &'static str {
        match self {
            WireType::Varint => "VARINT",
            WireType::I64 => "I64",
            WireType::Len => "LEN",
            WireType::StartGroup => "SGROUP",
            WireType::EndGroup => "EGROUP",
            WireType::I32 => "I32",
        }
    }

    /// What the wire type means, in words.
    pub fn meaning(self) -> &'static str {
        match self {
            WireType::Varint => "varint",
            WireType::I64 => "64-bit fixed width",
            WireType::Len => "length-delimited",
            WireType::StartGroup => "start group",
            WireType::EndGroup => "end group",
            WireType::I32 => "32-bit fixed width",
        }
    }

    /// The wire type a field of this kind is written with, when not packed.
    pub fn for_kind(kind: &Kind) -> WireType {
        match kind {
            Kind::Int32
            | Kind::Int64
            | Kind::Uint32
            | Kind::Uint64
            | Kind::Sint32
            | Kind::Sint64
            | Kind::Bool
            | Kind::Enum(_) => WireType::Varint,
            Kind::Fixed64 | Kind::Sfixed64 | Kind::Double => WireType::I64,
            Kind::Fixed32 | Kind::Sfixed32 | Kind::Float => WireType::I32,
            Kind::String | Kind::Bytes | Kind::Message(_) => WireType::Len,
        }
    }
}

/// The largest field number a tag can carry: 2^29 - 1.
pub const MAX_FIELD_NUMBER: u32 = (1 << 29) - 1;

/// Index of a node in preorder: `0..Annotation::len()`.
pub type NodeId = usize;

/// One span of the input: a record, a part of one, or bytes that could not be read. A view,
/// built by [`Annotation::node`].
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub range: Range<usize>,
    pub kind: NodeKind<'a>,
    pub parent: Option<NodeId>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NodeKind<'a> {
    /// A whole record: its tag, then its payload. Children: `Tag`, then the payload nodes.
    Field(Field<'a>),
    /// Tag bytes: `(field << 3) | wire_type` as a varint. A leaf.
    Tag { field: u32, wire_type: WireType },
    /// The length prefix of a LEN record. A leaf.
    Length(u64),
    /// A number read from a varint, or from 4 or 8 fixed-width bytes. A leaf.
    Scalar(Scalar),
    /// A UTF-8 string payload. A leaf; the text is `Annotation::text(id)`.
    Str,
    /// Bytes shown as bytes. A leaf.
    Bytes,
    /// The fields of a nested message or group. Children: `Field` records.
    Message,
    /// A packed repeated payload. Children: `Scalar` leaves.
    Packed,
    /// Bytes that cannot be read from here on, and why. A leaf.
    Invalid(&'a str),
}

/// What the annotator knows about one record: a view of the record's node and side tables.
#[derive(Clone, Copy)]
pub struct Field<'a> {
    a: &'a Annotation,
    /// The record's node, its position in the tree's records, and where it starts (its tag).
    node: usize,
    record: usize,
    start: usize,
}

impl<'a> Field<'a> {
    fn data(&self) -> &'a tree::Record {
        &self.a.tree.records[self.record]
    }

    fn tag(&self) -> (u32, WireType) {
        tree::read_tag(&self.a.bytes[self.start..])
    }

    /// The record's node.
    pub fn id(&self) -> NodeId {
        self.node
    }

    pub fn number(&self) -> u32 {
        self.tag().0
    }

    pub fn wire_type(&self) -> WireType {
        self.tag().1
    }

    /// The schema's field, when the record matches one (by number and a compatible wire type).
    pub fn descriptor(&self) -> Option<&'a FieldDescriptor> {
        self.data().field().map(|f| &self.a.fields[f])
    }

    /// The position of this element among the records of a repeated field in the same message,
    /// counting packed elements; 0 for singular fields.
    pub fn index(&self) -> u32 {
        self.data().index()
    }

    /// What is worth telling about the record, in the order the walk found it.
    pub fn notes(&self) -> Vec<Note> {
        let unpacked = unpacked(self.descriptor(), self.wire_type());
        let in_place = self.data().notes(&self.a.bytes, self.start, self.descriptor());
        unpacked.into_iter().chain(in_place).chain(self.a.tree.notes_aside_of(self.node as u32)).collect()
    }

    /// For LEN records read without a schema: every valid reading, and the one shown. Worked out
    /// from the payload when asked (only the chosen one, and whether a message fits, are stored).
    pub fn readings(&self) -> Readings {
        let packed = self.data().readings();
        if packed.is_none() {
            return Readings::default();
        }
        // Tag, length prefix, payload: a record with readings was read whole, so the payload is
        // as long as its prefix says.
        let bytes = &self.a.bytes;
        let at = self.start + tree::varint_len(bytes, self.start);
        let from = at + tree::varint_len(bytes, at);
        let payload = from..from + tree::read_varint(&bytes[at..]) as usize;
        Readings::of(packed, &bytes[payload])
    }

    /// The schema's name of the field, or its number.
    pub fn label(&self) -> String {
        match self.descriptor() {
            Some(fd) => fd.name().to_owned(),
            None => self.number().to_string(),
        }
    }

    /// The declared type, as a `.proto` file spells it (`int64`, `userservice.Address`, `map<string, int32>`).
    /// Without a schema, a name the wire type or the reading gives, which is never made anew.
    pub fn type_name(&self) -> std::borrow::Cow<'static, str> {
        match self.descriptor() {
            Some(fd) => type_name(fd).into(),
            None => {
                self.data().readings().chosen().map_or_else(|| wire_guess(self.wire_type()), Reading::type_name).into()
            }
        }
    }

    pub fn is_unknown(&self) -> bool {
        self.descriptor().is_none()
    }
}

impl PartialEq for Field<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.a, other.a) && self.node == other.node
    }
}

impl std::fmt::Debug for Field<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field")
            .field("number", &self.number())
            .field("wire_type", &self.wire_type())
            .field("descriptor", &self.descriptor().map(FieldDescriptor::full_name))
            .field("index", &self.index())
            .field("notes", &self.notes())
            .field("readings", &self.readings())
            .finish()
    }
}

/// Something worth telling about a record beyond its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// A schema was given but has no field with this number.
    Unknown,
    /// The schema has no field with this number and reserves it: a field that was removed.
    Reserved,
    /// The schema's field has this number but is written with another wire type, so parsers keep it as unknown.
    WireTypeMismatch { expected: WireType },
    /// A singular field seen again: the last value wins (for messages: the two are merged).
    Repeated { first_at: usize },
    /// Another field of the same oneof came first; this one replaces it.
    OneofReplaces { oneof: String, previous: u32 },
    /// A field declared packed, written as one record per element (parsers accept both).
    Unpacked,
    /// A packed field whose elements are split over several records (parsers concatenate them).
    PackedContinues,
    /// A varint (tag, length or value) in this record uses more bytes than its value needs.
    Overlong { at: usize },
    /// A string field whose bytes are not valid UTF-8.
    InvalidUtf8,
}

/// A number and the type that reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    /// int32 and int64: two's complement in a varint (negative int32 takes 10 bytes).
    Int(i64),
    /// uint32, uint64, and a varint read without a schema.
    UInt(u64),
    /// sint32 and sint64: `raw` is the zigzag code on the wire.
    SInt {
        raw: u64,
        value: i64,
    },
    Bool {
        raw: u64,
    },
    Enum(i32),
    Fixed32(u32),
    Fixed64(u64),
    SFixed32(i32),
    SFixed64(i64),
    Float(f32),
    Double(f64),
}

/// A problem found in the input, at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub offset: usize,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Legal, but worth knowing: overlong varints, unknown fields, a singular field repeated.
    Warning,
    /// The bytes cannot be read as protobuf from this offset on (within the enclosing message).
    Error,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{what} at byte {}: {}", self.offset, self.message)
    }
}

/// The annotated input: the bytes, a preorder tree of nodes, and diagnostics.
///
/// `Eq`, so that two `Rc<Annotation>`s holding the same one compare equal at once, without
/// comparing their contents (std's `Rc` does so for `Eq` types): the app's components take one as
/// a prop, and comparing a 16 MiB annotation with itself took a tenth of a second per component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    bytes: Vec<u8>,
    tree: tree::Tree,
    /// The schema's fields the records refer to (`Record::field`), each once.
    fields: Vec<FieldDescriptor>,
    diagnostics: Vec<Diagnostic>,
    message: Option<MessageDescriptor>,
}

impl Annotation {
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every node, in preorder: a parent comes before its children, siblings in byte order.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = Node<'_>> + '_ {
        (0..self.len()).map(|id| self.node(id))
    }

    pub fn node(&self, id: NodeId) -> Node<'_> {
        let facts = self.tree.facts(id, &self.bytes);
        let kind = self.node_kind(id, facts.kind, facts.range.start, facts.record);
        Node { range: facts.range, kind, parent: facts.parent }
    }

    /// The bytes a node spans, as offsets.
    #[inline]
    pub fn range(&self, id: NodeId) -> Range<usize> {
        self.tree.range(id, &self.bytes)
    }

    #[inline]
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.tree.parent(id)
    }

    pub fn kind(&self, id: NodeId) -> NodeKind<'_> {
        let (kind, at) = self.tree.kind_and_start(id, &self.bytes);
        let record = if kind == tree::Kind::Field.to_u8() { self.tree.record_of(id) } else { 0 };
        self.node_kind(id, kind, at, record)
    }

    /// Node `id`'s kind, from its stored facts: its kind byte, start and record position.
    fn node_kind(&self, id: NodeId, kind: u8, at: usize, record: usize) -> NodeKind<'_> {
        match tree::Kind::from_u8(kind) {
            tree::Kind::Field => NodeKind::Field(Field { a: self, node: id, record, start: at }),
            tree::Kind::Tag => {
                let (field, wire_type) = tree::read_tag(&self.bytes[at..]);
                NodeKind::Tag { field, wire_type }
            }
            tree::Kind::Length => NodeKind::Length(tree::read_varint(&self.bytes[at..])),
            tree::Kind::Scalar(code) => NodeKind::Scalar(code.read(&self.bytes[at..])),
            tree::Kind::Str => NodeKind::Str,
            tree::Kind::Bytes => NodeKind::Bytes,
            tree::Kind::Message => NodeKind::Message,
            tree::Kind::Packed => NodeKind::Packed,
            tree::Kind::Invalid => NodeKind::Invalid(self.tree.reason_of(id as u32)),
        }
    }

    /// The record node `id` is, if it is one.
    pub fn field(&self, id: NodeId) -> Option<Field<'_>> {
        self.is_field(id).then(|| Field {
            a: self,
            node: id,
            record: self.tree.record_of(id),
            start: self.tree.start(id, &self.bytes),
        })
    }

    /// Whether node `id` is a record (a `NodeKind::Field`), without building the view.
    #[inline]
    pub fn is_field(&self, id: NodeId) -> bool {
        self.tree.is_record(id)
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The message type the bytes were read as, if a schema was given.
    pub fn message(&self) -> Option<&MessageDescriptor> {
        self.message.as_ref()
    }

    /// True when no byte is invalid (warnings allowed).
    pub fn is_valid(&self) -> bool {
        !self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }

    /// The heap bytes the annotation holds (nodes, side tables, diagnostics, its copy of the input).
    pub fn heap_size(&self) -> usize {
        self.heap_parts().total()
    }

    /// [`heap_size`](Self::heap_size), part by part.
    pub fn heap_parts(&self) -> HeapParts {
        let tree = self.tree.size();
        let diagnostics =
            self.diagnostics.iter().map(|d| std::mem::size_of::<Diagnostic>() + d.message.capacity()).sum::<usize>();
        HeapParts {
            input: self.bytes.len(),
            nodes: tree.nodes,
            records: tree.records,
            extras: tree.extras + self.fields.len() * std::mem::size_of::<FieldDescriptor>() + diagnostics,
            slack: tree.slack
                + (self.bytes.capacity() - self.bytes.len())
                + (self.fields.capacity() - self.fields.len()) * std::mem::size_of::<FieldDescriptor>(),
        }
    }

    /// The top-level records (and a trailing `Invalid`, if any).
    pub fn roots(&self) -> Siblings<'_> {
        Siblings { tree: &self.tree, next: 0, end: self.len() }
    }

    pub fn children(&self, id: NodeId) -> Siblings<'_> {
        Siblings { tree: &self.tree, next: id + 1, end: self.tree.end(id) }
    }

    #[inline]
    pub fn is_leaf(&self, id: NodeId) -> bool {
        self.tree.is_leaf(id)
    }

    /// The leaves in byte order. Their ranges tile `0..bytes().len()` exactly.
    pub fn leaves(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.tree.walk(&self.bytes).filter(|node| node.end == node.id + 1).map(|node| node.id)
    }

    /// The leaf that holds byte `offset`.
    pub fn leaf_at(&self, offset: usize) -> Option<NodeId> {
        if offset >= self.bytes.len() {
            return None;
        }
        // The last node starting at or before `offset` whose range holds it is the deepest one;
        // leaves tile the input, so the last leaf starting at or before it holds it.
        let last = self.tree.starting_by(offset, &self.bytes);
        (0..last).rev().find(|&id| self.is_leaf(id) && !self.range(id).is_empty())
    }

    /// `id`, its parent, its parent's parent … up to a root.
    pub fn ancestors(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        std::iter::successors(Some(id), |&id| self.parent(id))
    }

    /// The record a node belongs to (the node itself if it is a record).
    pub fn field_of(&self, id: NodeId) -> Option<(NodeId, Field<'_>)> {
        self.ancestors(id).find_map(|a| self.field(a).map(|f| (a, f)))
    }

    /// The path of a node's record from the root: `address.city`, `roles[1]`, `4` (an unknown field).
    pub fn path(&self, id: NodeId) -> String {
        let mut parts: Vec<String> = self
            .ancestors(id)
            .filter_map(|a| self.field(a))
            .map(|field| {
                let repeated = field.descriptor().is_some_and(|fd| fd.is_list() || fd.is_map());
                if repeated { format!("{}[{}]", field.label(), field.index()) } else { field.label() }
            })
            .collect();
        parts.reverse();
        parts.join(".")
    }

    /// The field numbers of the records from the root down to `id`'s record: what [`Pins`] key on.
    pub fn number_path(&self, id: NodeId) -> Vec<u32> {
        let mut path: Vec<u32> = self.ancestors(id).filter_map(|a| self.field(a)).map(|f| f.number()).collect();
        path.reverse();
        path
    }

    /// Where a record's value sits in the message's canonical JSON: `address.city`, `roles[1]`,
    /// or `int32s` for a packed record (it holds several elements). `None` for unknown fields and
    /// for the inside of map entries, which JSON writes by key.
    pub fn json_path(&self, id: NodeId) -> Option<String> {
        let mut records: Vec<NodeId> = self.ancestors(id).filter(|&a| self.is_field(a)).collect();
        records.reverse();
        let mut parts = Vec::with_capacity(records.len());
        for record in records {
            let field = self.field(record)?;
            let fd = field.descriptor()?;
            if fd.is_map() {
                return None;
            }
            let packed = self.children(record).any(|c| matches!(self.kind(c), NodeKind::Packed));
            parts.push(if fd.is_list() && !packed {
                format!("{}[{}]", fd.json_name(), field.index())
            } else {
                fd.json_name().to_owned()
            });
        }
        Some(parts.join("."))
    }

    /// The first record whose [`json_path`](Self::json_path) is `path` or lies inside it.
    pub fn record_at_json_path(&self, path: &str) -> Option<NodeId> {
        (0..self.len()).filter(|&id| self.is_field(id)).find(|&id| {
            self.json_path(id)
                .is_some_and(|p| p == path || p.starts_with(&format!("{path}[")) || path.starts_with(&format!("{p}[")))
        })
    }

    /// Every node in preorder with what a line about it needs, read in order with no lookup per
    /// node (the tree's [`walk`](tree::Tree::walk), a cursor over the records and a stack of the
    /// open nodes): how the listing costs a constant per line.
    pub(crate) fn in_order(&self) -> impl Iterator<Item = Listed<'_>> + '_ {
        let mut nodes = self.tree.walk(&self.bytes).peekable();
        // The subtree ends of the open nodes, each with the record it is or belongs to.
        let mut open: Vec<(usize, Option<Field<'_>>)> = Vec::new();
        let mut records = 0;
        std::iter::from_fn(move || {
            let node = nodes.next()?;
            while open.last().is_some_and(|&(end, _)| end <= node.id) {
                open.pop();
            }
            let depth = open.len();
            let record = if node.kind == tree::Kind::Field.to_u8() {
                records += 1;
                records - 1
            } else {
                0
            };
            let kind = self.node_kind(node.id, node.kind, node.start, record);
            let record = match kind {
                NodeKind::Field(field) => Some(field),
                _ => open.last().and_then(|&(_, record)| record),
            };
            // A leaf ends where the next node starts (the leaves tile the input).
            let leaf =
                (node.end == node.id + 1).then(|| node.start..nodes.peek().map_or(self.bytes.len(), |next| next.start));
            if leaf.is_none() {
                open.push((node.end, record));
            }
            Some(Listed { id: node.id, depth, start: node.start, leaf, kind, record })
        })
    }

    /// Tells `visitor` the nodes, as the walk told the tree builder that made them (the tree
    /// keeps what a visitor hears, but for the marks of readings that were rolled back).
    pub(crate) fn replay<V: Visitor>(&self, mut visitor: V) -> V {
        enum Opened<R> {
            Record(R, Chosen),
            Node(u32),
        }
        let mut open: Vec<(usize, Opened<V::Record>)> = Vec::new();
        let close = |visitor: &mut V, opened: Opened<V::Record>| match opened {
            Opened::Record(record, chosen) => {
                if !chosen.is_none() {
                    visitor.readings(record, chosen);
                }
                visitor.close_record(record);
            }
            Opened::Node(id) => visitor.close(id),
        };
        let mut records = self.tree.records.iter();
        // Which fields are packed: a record of one written unpacked has a note the tree does not keep.
        let packed: Vec<bool> = self.fields.iter().map(FieldDescriptor::is_packed).collect();
        // The notes kept aside, in node order, as the records come.
        let mut notes = self.tree.notes_aside().peekable();
        // A record's notes: `Unpacked` (which the tree does not keep: its field and wire type
        // tell it), those it keeps in place, then those kept aside.
        let mut tell_notes = |visitor: &mut V,
                              record: V::Record,
                              id: usize,
                              start: usize,
                              r: &tree::Record,
                              tag: crate::varint::Varint| {
            let wire_type = WireType::from_bits((tag.value & 7) as u8).unwrap_or(WireType::Varint);
            let unpacked = r.field().is_some_and(|f| packed[f]) && wire_type != WireType::Len;
            let fd = r.field().map(|f| &self.fields[f]);
            for note in unpacked.then_some(Note::Unpacked).into_iter().chain(r.notes(&self.bytes, start, fd)) {
                visitor.note(record, note);
            }
            while let Some((_, note)) = notes.next_if(|&(node, _)| node == id) {
                visitor.note(record, note);
            }
        };
        // Each node once, in order, and the one after it: a leaf ends where the next node starts.
        let mut nodes = self.tree.walk(&self.bytes);
        let mut ahead = nodes.next();
        while let Some(node) = ahead {
            ahead = nodes.next();
            let (id, start, end) = (node.id, node.start, node.end);
            let next_start = ahead.map_or(self.bytes.len(), |next| next.start);
            while open.last().is_some_and(|(end, _)| *end <= id) {
                let (_, opened) = open.pop().expect("checked");
                close(&mut visitor, opened);
            }
            match tree::Kind::from_u8(node.kind) {
                tree::Kind::Field => {
                    let Some(r) = records.next() else { break };
                    let fd = r.field().map(|f| &self.fields[f]);
                    let field = r.field().map_or(tree::NO_FIELD, |f| f as u32);
                    // The record's tag leaf is told with `open_record`. The walk reads a tag it
                    // has checked, so it decodes (never the empty fallback); the tag starts where
                    // its record does.
                    let tag = ahead
                        .is_some_and(|next| next.id < end && next.kind == tree::Kind::Tag.to_u8())
                        .then(|| crate::varint::decode(&self.bytes[start..]).ok())
                        .flatten();
                    if let Some(tag) = tag
                        && let Some(code) = tree::scalar_record(node.stored)
                    {
                        // Told as the walk told it: one event for the record, its tag and value.
                        let value = start + tag.len;
                        let width = match code.width() {
                            0 => tree::varint_len(&self.bytes, value),
                            width => width,
                        };
                        let value_end = value + width;
                        let record = visitor.scalar_record(start, tag, r.index(), field, fd, value..value_end, code);
                        tell_notes(&mut visitor, record, id, start, r, tag);
                        // Past the tag and the value.
                        nodes.next();
                        ahead = nodes.next();
                        continue;
                    }
                    if tag.is_some() {
                        ahead = nodes.next();
                    }
                    let tag = tag.unwrap_or(crate::varint::Varint { value: 0, len: 0 });
                    let record = visitor.open_record(start, tag, r.index(), field, fd);
                    tell_notes(&mut visitor, record, id, start, r, tag);
                    open.push((end, Opened::Record(record, r.readings())));
                }
                kind @ (tree::Kind::Message | tree::Kind::Packed) => {
                    open.push((end, Opened::Node(visitor.open(start, kind))));
                }
                tree::Kind::Invalid => visitor.invalid(start..next_start, self.tree.reason_of(id as u32)),
                kind => visitor.leaf(start..next_start, kind),
            }
        }
        while let Some((_, opened)) = open.pop() {
            close(&mut visitor, opened);
        }
        visitor
    }

    /// The text of a `Str` leaf (lossy for strings that are not valid UTF-8).
    pub fn text(&self, id: NodeId) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.slice(id))
    }

    /// The bytes a node spans.
    pub fn slice(&self, id: NodeId) -> &[u8] {
        &self.bytes[self.range(id)]
    }
}

/// The note a record of a packed field written one element a record has (the first of its
/// notes): the tree does not keep it, since the field and wire type tell it.
fn unpacked(fd: Option<&FieldDescriptor>, wire_type: WireType) -> Option<Note> {
    (wire_type != WireType::Len && fd.is_some_and(FieldDescriptor::is_packed)).then_some(Note::Unpacked)
}

/// Where an annotation's heap bytes go ([`Annotation::heap_parts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeapParts {
    /// The annotation's own copy of the input.
    pub input: usize,
    /// Each stored node's kind, start, parent and subtree end: 5 bytes a stored node (a record's tag,
    /// length prefix and one-leaf value or payload are implied, not stored).
    pub nodes: usize,
    /// Each record's repeated index, schema field and reading: 8 bytes a record.
    pub records: usize,
    /// The rest: distances too far for a node's byte, the start's pages, the index from node to
    /// record, notes, invalid reasons, the schema's fields, diagnostics.
    pub extras: usize,
    /// Capacity reserved beyond what all of these use.
    pub slack: usize,
}

impl HeapParts {
    pub fn total(&self) -> usize {
        self.input + self.nodes + self.records + self.extras + self.slack
    }
}

/// A node as [`Annotation::in_order`] reads it.
#[derive(Debug, Clone)]
pub(crate) struct Listed<'a> {
    pub(crate) id: NodeId,
    /// How many ancestors it has.
    pub(crate) depth: usize,
    pub(crate) start: usize,
    /// A leaf's bytes; `None` for a node with children (whose end comes after them).
    pub(crate) leaf: Option<Range<usize>>,
    pub(crate) kind: NodeKind<'a>,
    /// The record it is or belongs to (as [`Annotation::field_of`] finds it).
    pub(crate) record: Option<Field<'a>>,
}

/// Iterator over the children of a node (or the roots).
#[derive(Debug, Clone)]
pub struct Siblings<'a> {
    tree: &'a tree::Tree,
    next: NodeId,
    end: NodeId,
}

impl Iterator for Siblings<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        if self.next >= self.end {
            return None;
        }
        let id = self.next;
        self.next = self.tree.end(id);
        Some(id)
    }
}

/// The type of a field as written in a `.proto` file.
pub fn type_name(fd: &FieldDescriptor) -> String {
    let kind = fd.kind();
    if fd.is_map()
        && let Some(entry) = kind.as_message()
    {
        let key = entry.map_entry_key_field();
        let value = entry.map_entry_value_field();
        return format!("map<{}, {}>", kind_name(&key.kind()), kind_name(&value.kind()));
    }
    let base = kind_name(&kind);
    if fd.is_list() { format!("repeated {base}") } else { base }
}

/// The name of a kind as a `.proto` file spells it; messages and enums by full name.
pub fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Double => "double".into(),
        Kind::Float => "float".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint32 => "uint32".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::Sint32 => "sint32".into(),
        Kind::Sint64 => "sint64".into(),
        Kind::Fixed32 => "fixed32".into(),
        Kind::Fixed64 => "fixed64".into(),
        Kind::Sfixed32 => "sfixed32".into(),
        Kind::Sfixed64 => "sfixed64".into(),
        Kind::Bool => "bool".into(),
        Kind::String => "string".into(),
        Kind::Bytes => "bytes".into(),
        Kind::Message(m) => m.full_name().into(),
        Kind::Enum(e) => e.full_name().into(),
    }
}

fn wire_guess(wire_type: WireType) -> &'static str {
    match wire_type {
        WireType::Varint => "varint",
        WireType::I64 => "i64",
        WireType::Len => "bytes",
        WireType::StartGroup | WireType::EndGroup => "group",
        WireType::I32 => "i32",
    }
}
