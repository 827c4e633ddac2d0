//! The annotation's storage: a preorder tree as a struct of arrays, and side tables keyed by node.
//!
//! A node is 13 bytes: its kind (a byte), its start, its parent and the end of its subtree
//! (`u32`s). Its range's end is not stored: the leaves tile the input and every node spans
//! exactly its subtree, so it ends where the first node after its subtree starts. Numbers are
//! not stored either: the kind says how to read them again from the bytes. A record's extras
//! live in side tables sorted by node (`records`, `notes`, `reasons`), found by binary search,
//! and only records with notes or an invalid reason have entries there. Knows nothing about
//! descriptors beyond an index.

use std::ops::Range;

use prost_reflect::FieldDescriptor;

use super::readings::Chosen;
use super::visit::Visitor;
use super::{Note, Scalar, WireType};
use crate::varint;

/// "No node": a root's parent, a record without a schema field.
pub(crate) const NONE: u32 = u32::MAX;

/// How a `Scalar` leaf reads its bytes: the field's kind, or the wire type alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum ScalarCode {
    Int32,
    Int64,
    Uint32,
    /// uint64, and a varint read without a schema.
    Uint64,
    Sint32,
    Sint64,
    Bool,
    Enum,
    Fixed32,
    Sfixed32,
    Float,
    Fixed64,
    Sfixed64,
    Double,
}

impl ScalarCode {
    const ALL: [ScalarCode; 14] = [
        ScalarCode::Int32,
        ScalarCode::Int64,
        ScalarCode::Uint32,
        ScalarCode::Uint64,
        ScalarCode::Sint32,
        ScalarCode::Sint64,
        ScalarCode::Bool,
        ScalarCode::Enum,
        ScalarCode::Fixed32,
        ScalarCode::Sfixed32,
        ScalarCode::Float,
        ScalarCode::Fixed64,
        ScalarCode::Sfixed64,
        ScalarCode::Double,
    ];

    /// Bytes a fixed-width element takes: 4, 8, or 0 for varints.
    pub(crate) fn width(self) -> usize {
        match self {
            ScalarCode::Fixed32 | ScalarCode::Sfixed32 | ScalarCode::Float => 4,
            ScalarCode::Fixed64 | ScalarCode::Sfixed64 | ScalarCode::Double => 8,
            _ => 0,
        }
    }

    /// The value at the start of `bytes` (which the annotator has checked holds it).
    pub(crate) fn read(self, bytes: &[u8]) -> Scalar {
        match self.width() {
            4 => {
                let b = [bytes[0], bytes[1], bytes[2], bytes[3]];
                match self {
                    ScalarCode::Sfixed32 => Scalar::SFixed32(i32::from_le_bytes(b)),
                    ScalarCode::Float => Scalar::Float(f32::from_le_bytes(b)),
                    _ => Scalar::Fixed32(u32::from_le_bytes(b)),
                }
            }
            8 => {
                let mut b = [0; 8];
                b.copy_from_slice(&bytes[..8]);
                match self {
                    ScalarCode::Sfixed64 => Scalar::SFixed64(i64::from_le_bytes(b)),
                    ScalarCode::Double => Scalar::Double(f64::from_le_bytes(b)),
                    _ => Scalar::Fixed64(u64::from_le_bytes(b)),
                }
            }
            _ => {
                let raw = read_varint(bytes);
                match self {
                    ScalarCode::Int32 => Scalar::Int(i64::from(raw as i32)),
                    ScalarCode::Int64 => Scalar::Int(raw as i64),
                    ScalarCode::Uint32 => Scalar::UInt(u64::from(raw as u32)),
                    ScalarCode::Sint32 => Scalar::SInt { raw, value: i64::from(varint::zigzag32(raw)) },
                    ScalarCode::Sint64 => Scalar::SInt { raw, value: varint::zigzag64(raw) },
                    ScalarCode::Bool => Scalar::Bool { raw },
                    ScalarCode::Enum => Scalar::Enum(raw as i32),
                    _ => Scalar::UInt(raw),
                }
            }
        }
    }
}

/// A node's kind as stored: one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Field,
    Tag,
    Length,
    Str,
    Bytes,
    Message,
    Packed,
    Invalid,
    Scalar(ScalarCode),
}

const SCALAR_BASE: u8 = 16;

impl Kind {
    #[inline]
    pub(crate) fn to_u8(self) -> u8 {
        match self {
            Kind::Field => 0,
            Kind::Tag => 1,
            Kind::Length => 2,
            Kind::Str => 3,
            Kind::Bytes => 4,
            Kind::Message => 5,
            Kind::Packed => 6,
            Kind::Invalid => 7,
            Kind::Scalar(code) => SCALAR_BASE + code as u8,
        }
    }

    pub(crate) fn from_u8(byte: u8) -> Kind {
        match byte {
            0 => Kind::Field,
            1 => Kind::Tag,
            2 => Kind::Length,
            3 => Kind::Str,
            4 => Kind::Bytes,
            5 => Kind::Message,
            6 => Kind::Packed,
            7 => Kind::Invalid,
            _ => Kind::Scalar(ScalarCode::ALL[usize::from(byte - SCALAR_BASE)]),
        }
    }
}

/// What a record keeps beyond its node: 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) node: u32,
    pub(crate) index: u32,
    /// The low 24 bits: an index into the annotation's fields, or [`NO_FIELD`]; the high 8: the
    /// readings' [`Chosen`].
    field_and_readings: u32,
}

/// "No schema field" in a [`Record`]. A table of 2^24 - 1 fields is far past any real schema.
pub(crate) const NO_FIELD: u32 = 0x00FF_FFFF;

impl Record {
    pub(crate) fn new(node: u32, index: u32, field: u32) -> Record {
        Record { node, index, field_and_readings: field.min(NO_FIELD) }
    }

    /// The index into the annotation's fields, if the record has a schema field.
    pub(crate) fn field(&self) -> Option<usize> {
        let field = self.field_and_readings & NO_FIELD;
        (field != NO_FIELD).then_some(field as usize)
    }

    pub(crate) fn readings(&self) -> Chosen {
        Chosen::from_bits((self.field_and_readings >> 24) as u8)
    }

    pub(crate) fn set_readings(&mut self, chosen: Chosen) {
        self.field_and_readings = (self.field_and_readings & NO_FIELD) | (u32::from(chosen.bits()) << 24);
    }
}

/// The nodes and their side tables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Tree {
    pub(crate) kinds: Vec<u8>,
    pub(crate) starts: Vec<u32>,
    pub(crate) parents: Vec<u32>,
    /// One past the last node of each node's subtree.
    pub(crate) ends: Vec<u32>,
    pub(crate) records: Vec<Record>,
    /// Notes, and beside them the node of the record each belongs to (sorted).
    notes: Vec<Note>,
    note_nodes: Vec<u32>,
    reasons: Vec<(u32, Box<str>)>,
}

impl Tree {
    /// The position in `records` of the record at node `node`.
    pub(crate) fn record_of(&self, node: u32) -> usize {
        self.records.partition_point(|r| r.node < node)
    }

    pub(crate) fn notes_of(&self, node: u32) -> &[Note] {
        let from = self.note_nodes.partition_point(|&n| n < node);
        let to = from + self.note_nodes[from..].partition_point(|&n| n == node);
        &self.notes[from..to]
    }

    pub(crate) fn reason_of(&self, node: u32) -> &str {
        let at = self.reasons.partition_point(|(n, _)| *n < node);
        self.reasons.get(at).filter(|(n, _)| *n == node).map_or("", |(_, r)| r)
    }

    pub(crate) fn heap_size(&self) -> usize {
        self.kinds.capacity()
            + 4 * (self.starts.capacity() + self.parents.capacity() + self.ends.capacity())
            + self.records.capacity() * std::mem::size_of::<Record>()
            + self.notes.capacity() * std::mem::size_of::<Note>()
            + self.note_nodes.capacity() * 4
            + self.reasons.iter().map(|(_, r)| r.len()).sum::<usize>()
            + self.reasons.capacity() * std::mem::size_of::<(u32, Box<str>)>()
    }
}

/// Reads a tag the annotator has checked: field number and wire type.
pub(crate) fn read_tag(bytes: &[u8]) -> (u32, WireType) {
    let tag = read_varint(bytes);
    ((tag >> 3) as u32, WireType::from_bits((tag & 7) as u8).unwrap_or(WireType::Varint))
}

/// Reads a varint the annotator has checked (a length prefix may promise more than follows, but
/// its own bytes are whole).
pub(crate) fn read_varint(bytes: &[u8]) -> u64 {
    varint::decode(bytes).map_or(0, |v| v.value)
}

/// Builds a [`Tree`] from the walk's events ([`Visitor`]): nodes are opened, filled and closed in preorder.
pub(crate) struct TreeBuilder {
    pub(crate) tree: Tree,
    open: Vec<u32>,
}

/// A point to roll back to when a tentative reading fails.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    nodes: usize,
    open: usize,
    records: usize,
    notes: usize,
    reasons: usize,
}

impl TreeBuilder {
    /// A builder for about `bytes` bytes of input.
    pub(crate) fn new(bytes: usize) -> TreeBuilder {
        // Real messages hold about one node per 2.5 bytes; untouched capacity costs no memory.
        let nodes = bytes / 2 + 16;
        let tree = Tree {
            kinds: Vec::with_capacity(nodes),
            starts: Vec::with_capacity(nodes),
            parents: Vec::with_capacity(nodes),
            ends: Vec::with_capacity(nodes),
            records: Vec::with_capacity(nodes / 3),
            ..Tree::default()
        };
        TreeBuilder { tree, open: Vec::new() }
    }

    /// A builder that fills `tree`'s buffers again, keeping their memory (and `open`'s, the
    /// stack of open nodes, from [`TreeBuilder::finish_keeping_capacity`]).
    pub(crate) fn reuse(mut tree: Tree, mut open: Vec<u32>, bytes: usize) -> TreeBuilder {
        open.clear();
        let t = &mut tree;
        t.kinds.clear();
        t.starts.clear();
        t.parents.clear();
        t.ends.clear();
        t.records.clear();
        t.notes.clear();
        t.note_nodes.clear();
        t.reasons.clear();
        let nodes = bytes / 2 + 16;
        if t.kinds.capacity() < nodes {
            t.kinds.reserve(nodes);
            t.starts.reserve(nodes);
            t.parents.reserve(nodes);
            t.ends.reserve(nodes);
            t.records.reserve(nodes / 3);
        }
        TreeBuilder { tree, open }
    }

    #[inline(always)]
    fn push(&mut self, start: usize, kind: Kind) -> u32 {
        let id = self.tree.kinds.len() as u32;
        self.tree.kinds.push(kind.to_u8());
        self.tree.starts.push(start as u32);
        self.tree.parents.push(self.open.last().copied().unwrap_or(NONE));
        self.tree.ends.push(id + 1);
        id
    }

    /// The tree, its buffers as large as they grew (for [`TreeBuilder::reuse`]).
    pub(crate) fn finish_keeping_capacity(self) -> (Tree, Vec<u32>) {
        debug_assert!(self.open.is_empty());
        (self.tree, self.open)
    }

    pub(crate) fn finish(mut self) -> Tree {
        debug_assert!(self.open.is_empty());
        let t = &mut self.tree;
        t.kinds.shrink_to_fit();
        t.starts.shrink_to_fit();
        t.parents.shrink_to_fit();
        t.ends.shrink_to_fit();
        t.records.shrink_to_fit();
        self.tree
    }
}

impl Visitor for TreeBuilder {
    /// The record's node, and its position in `records`.
    type Record = (u32, usize);
    type Mark = Mark;

    #[inline]
    fn open_record(
        &mut self,
        start: usize,
        _: varint::Varint,
        index: u32,
        field: u32,
        _: Option<&FieldDescriptor>,
    ) -> (u32, usize) {
        let node = self.open(start, Kind::Field);
        self.tree.records.push(Record::new(node, index, field));
        // The tag's leaf, the record's first node.
        self.push(start, Kind::Tag);
        (node, self.tree.records.len() - 1)
    }

    /// Notes belong to the last record opened.
    fn note(&mut self, (record, _): (u32, usize), note: Note) {
        debug_assert!(self.tree.note_nodes.last().is_none_or(|&n| n <= record));
        self.tree.notes.push(note);
        self.tree.note_nodes.push(record);
    }

    #[inline]
    fn readings(&mut self, (_, record): (u32, usize), chosen: Chosen) {
        self.tree.records[record].set_readings(chosen);
    }

    #[inline(always)]
    fn close_record(&mut self, (node, _): (u32, usize)) {
        self.close(node);
    }

    /// The nodes pushed until the matching `close` become its subtree.
    #[inline(always)]
    fn open(&mut self, start: usize, kind: Kind) -> u32 {
        let id = self.push(start, kind);
        self.open.push(id);
        id
    }

    #[inline(always)]
    fn close(&mut self, id: u32) {
        debug_assert_eq!(self.open.last(), Some(&id));
        self.open.pop();
        self.tree.ends[id as usize] = self.tree.kinds.len() as u32;
    }

    /// Only the start is stored: a leaf ends where the next node starts.
    #[inline(always)]
    fn leaf(&mut self, range: Range<usize>, kind: Kind) {
        self.push(range.start, kind);
    }

    fn invalid(&mut self, range: Range<usize>, reason: &str) {
        let id = self.push(range.start, Kind::Invalid);
        self.tree.reasons.push((id, reason.into()));
    }

    fn mark(&self) -> Mark {
        Mark {
            nodes: self.tree.kinds.len(),
            open: self.open.len(),
            records: self.tree.records.len(),
            notes: self.tree.notes.len(),
            reasons: self.tree.reasons.len(),
        }
    }

    fn rollback(&mut self, mark: Mark) {
        let t = &mut self.tree;
        t.kinds.truncate(mark.nodes);
        t.starts.truncate(mark.nodes);
        t.parents.truncate(mark.nodes);
        t.ends.truncate(mark.nodes);
        t.records.truncate(mark.records);
        t.notes.truncate(mark.notes);
        t.note_nodes.truncate(mark.notes);
        t.reasons.truncate(mark.reasons);
        self.open.truncate(mark.open);
    }
}
