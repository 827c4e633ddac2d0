//! The annotation's storage: a preorder tree as a struct of arrays, and side tables keyed by node.
//!
//! A node is 5 bytes: its kind, the low 16 bits of its start, and the distances back to its
//! parent and on to the end of its subtree (a byte each). The start's high bits are its 64 KiB
//! page, found from the first node of each page (starts never decrease in preorder); distances
//! of 255 or more sit in small sorted side tables (`Tree`). Its range's end is not stored: the
//! leaves tile the input and every node spans exactly its subtree, so it ends where the first
//! node after its subtree starts. Numbers are not stored either: the kind says how to read them
//! again from the bytes. A record's extras (8 bytes in `records`, in node order, found by
//! counting the record nodes before it) and notes and invalid reasons (sorted by node, found by
//! binary search, only where there are some) live in side tables. Knows nothing about
//! descriptors beyond an index.

use std::ops::Range;

use prost_reflect::FieldDescriptor;

use super::readings::Chosen;
use super::visit::Visitor;
use super::{Note, Scalar, WireType};
use crate::varint;

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
    pub(crate) const fn to_u8(self) -> u8 {
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

/// What a record keeps beyond its node: 8 bytes. Its node is not stored: records are numbered in
/// node order, so a record node's position in `records` is how many record nodes come before it
/// (`Tree::record_of`, a rank over one bit per node).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) index: u32,
    /// The low 24 bits: an index into the annotation's fields, or [`NO_FIELD`]; the high 8: the
    /// readings' [`Chosen`].
    field_and_readings: u32,
}

/// "No schema field" in a [`Record`]. A table of 2^24 - 1 fields is far past any real schema.
pub(crate) const NO_FIELD: u32 = 0x00FF_FFFF;

impl Record {
    pub(crate) fn new(index: u32, field: u32) -> Record {
        Record { index, field_and_readings: field.min(NO_FIELD) }
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

/// A parent or subtree-end distance too far for a byte: looked up in the node's far table.
const FAR: u8 = u8::MAX;

/// A page of input: a node's start is its page (found from `Tree::pages`) and 16 low bits.
const PAGE_BITS: u32 = 16;

/// Nodes per entry of `Tree::block_pages`.
const BLOCK: usize = 256;

/// The nodes and their side tables.
///
/// Per node, 5 bytes: the kind; the low 16 bits of the start (the high bits are the start's
/// page: starts never decrease in preorder, so `pages` lists the first node of each page); the
/// distance back to the parent and forward to the end of the subtree, a byte each. Distances of
/// [`FAR`] or more are the exception (a record deep inside a large message, a large subtree) and
/// live in sorted side tables: `far_parents` holds runs (first node, parent), one per change of
/// parent among the far nodes, so the elements of a large packed field or the records of a large
/// message share one entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Tree {
    kinds: Vec<u8>,
    starts: Vec<u16>,
    /// `pages[k]`: the first node whose start is `(k + 1) << 16` or more.
    pages: Vec<u32>,
    /// The page of every [`BLOCK`]th node, where `start` looks on from. Built once the tree is built.
    block_pages: Vec<u32>,
    /// `id - parent`; 0 for a root, [`FAR`] when in `far_parents`.
    parents: Vec<u8>,
    far_parents: Vec<(u32, u32)>,
    /// One past the last node of the subtree, minus the node; [`FAR`] when in `far_ends`.
    ends: Vec<u8>,
    /// (node, end of subtree), sorted by node once the tree is built.
    far_ends: Vec<(u32, u32)>,
    pub(crate) records: Vec<Record>,
    /// One bit per node, set for a record (`Kind::Field`), 64 nodes a word, and beside each word
    /// the records before it: what `record_of` counts with. Built once the tree is built.
    record_bits: Vec<u64>,
    records_before: Vec<u32>,
    /// Notes, and beside them the node of the record each belongs to (sorted).
    notes: Vec<Note>,
    note_nodes: Vec<u32>,
    reasons: Vec<(u32, Box<str>)>,
}

/// Where a tree's heap bytes go: the per-node arrays and per-record table as long as they are,
/// what else it keeps (far distances, pages, the record index, notes, reasons), and the capacity
/// reserved beyond all of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct TreeSize {
    pub(crate) nodes: usize,
    pub(crate) records: usize,
    pub(crate) extras: usize,
    pub(crate) slack: usize,
}

/// The bytes a vector's elements take, and its capacity beyond them.
fn used_and_slack<T>(v: &Vec<T>) -> (usize, usize) {
    let size = std::mem::size_of::<T>();
    (v.len() * size, (v.capacity() - v.len()) * size)
}

impl Tree {
    /// The number of nodes.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.kinds.len()
    }

    #[inline]
    pub(crate) fn kind(&self, id: usize) -> u8 {
        self.kinds[id]
    }

    #[inline]
    pub(crate) fn start(&self, id: usize) -> usize {
        // A block of nodes spans more than one page only around leaves of many bytes.
        let mut page = self.block_pages[id / BLOCK] as usize;
        while self.pages.get(page).is_some_and(|&first| first as usize <= id) {
            page += 1;
        }
        (page << PAGE_BITS) | usize::from(self.starts[id])
    }

    /// Every node's start, in order (without looking up each one's page).
    pub(crate) fn starts(&self) -> impl Iterator<Item = usize> + '_ {
        let first_of = |page: usize| self.pages.get(page).map_or(usize::MAX, |&first| first as usize);
        let (mut page, mut next_page_at) = (0, first_of(0));
        self.starts.iter().enumerate().map(move |(id, &low)| {
            while id >= next_page_at {
                page += 1;
                next_page_at = first_of(page);
            }
            (page << PAGE_BITS) | usize::from(low)
        })
    }

    /// The number of nodes that start at or before `offset`.
    pub(crate) fn starting_by(&self, offset: usize) -> usize {
        let page = offset >> PAGE_BITS;
        let from = if page == 0 { 0 } else { self.pages.get(page - 1).map_or(self.len(), |&f| f as usize) };
        let to = self.pages.get(page).map_or(self.len(), |&f| f as usize);
        let low = (offset & ((1 << PAGE_BITS) - 1)) as u16;
        from + self.starts[from..to].partition_point(|&s| s <= low)
    }

    #[inline]
    pub(crate) fn parent(&self, id: usize) -> Option<usize> {
        match self.parents[id] {
            0 => None,
            FAR => {
                let run = self.far_parents.partition_point(|&(first, _)| first as usize <= id);
                Some(self.far_parents[run - 1].1 as usize)
            }
            d => Some(id - usize::from(d)),
        }
    }

    /// One past the last node of `id`'s subtree.
    #[inline]
    pub(crate) fn end(&self, id: usize) -> usize {
        match self.ends[id] {
            FAR => {
                let at = self.far_ends.partition_point(|&(node, _)| (node as usize) < id);
                self.far_ends[at].1 as usize
            }
            d => id + usize::from(d),
        }
    }

    #[inline]
    pub(crate) fn is_leaf(&self, id: usize) -> bool {
        self.ends[id] == 1
    }

    /// The position in `records` of the record at node `node`.
    #[inline]
    pub(crate) fn record_of(&self, node: usize) -> usize {
        let (word, bit) = (node / 64, node % 64);
        self.records_before[word] as usize + (self.record_bits[word] & ((1u64 << bit) - 1)).count_ones() as usize
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

    pub(crate) fn size(&self) -> TreeSize {
        let mut size = TreeSize::default();
        for (used, slack) in [
            used_and_slack(&self.kinds),
            used_and_slack(&self.starts),
            used_and_slack(&self.parents),
            used_and_slack(&self.ends),
        ] {
            size.nodes += used;
            size.slack += slack;
        }
        let (used, slack) = used_and_slack(&self.records);
        size.records += used;
        size.slack += slack;
        for (used, slack) in [
            used_and_slack(&self.pages),
            used_and_slack(&self.block_pages),
            used_and_slack(&self.far_parents),
            used_and_slack(&self.far_ends),
            used_and_slack(&self.record_bits),
            used_and_slack(&self.records_before),
            used_and_slack(&self.notes),
            used_and_slack(&self.note_nodes),
            used_and_slack(&self.reasons),
        ] {
            size.extras += used;
            size.slack += slack;
        }
        size.extras += self.reasons.iter().map(|(_, r)| r.len()).sum::<usize>();
        size
    }

    /// What the walk leaves for views to find: the far ends in node order, the page of each block
    /// of nodes, and the record index.
    fn seal(&mut self) {
        self.block_pages.clear();
        let mut page = 0;
        for block in (0..self.len()).step_by(BLOCK) {
            while self.pages.get(page).is_some_and(|&first| first as usize <= block) {
                page += 1;
            }
            self.block_pages.push(page as u32);
        }
        // Pushed as subtrees closed (inner ones first).
        self.far_ends.sort_unstable_by_key(|&(node, _)| node);
        self.record_bits.clear();
        self.records_before.clear();
        let mut before = 0;
        for chunk in self.kinds.chunks(64) {
            let bits = record_bits(chunk);
            self.records_before.push(before);
            self.record_bits.push(bits);
            before += bits.count_ones();
        }
    }
}

/// Bit `i` set where `kinds[i]` (64 of them at most) is a record's, eight kinds at a time.
fn record_bits(kinds: &[u8]) -> u64 {
    const _: () = assert!(Kind::Field.to_u8() == 0, "`zero_bytes` finds records");
    let mut words = kinds.chunks_exact(8);
    let mut bits = 0;
    for (i, eight) in (&mut words).enumerate() {
        bits |= zero_bytes(eight.try_into().expect("eight bytes")) << (8 * i);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut eight = [0xFF; 8];
        eight[..rest.len()].copy_from_slice(rest);
        bits |= zero_bytes(eight) << (kinds.len() - rest.len());
    }
    bits
}

/// Bit `i` set where byte `i` is zero.
#[inline(always)]
fn zero_bytes(eight: [u8; 8]) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let word = u64::from_le_bytes(eight);
    // The high bit of each byte that is zero, and no other (no carry crosses bytes).
    let zero = !(((word & LOW7) + LOW7) | word | LOW7);
    // Gathers the eight high bits into the top byte, byte 0's lowest.
    (zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
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
    /// The input's length, to estimate how many nodes it needs.
    bytes: usize,
    /// Where the next page starts: a node starting there or later opens pages.
    next_page: usize,
}

/// A point to roll back to when a tentative reading fails.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    nodes: usize,
    open: usize,
    records: usize,
    notes: usize,
    reasons: usize,
    pages: usize,
    far_parents: usize,
    far_ends: usize,
}

impl TreeBuilder {
    /// A builder for `bytes` bytes of input.
    pub(crate) fn new(bytes: usize) -> TreeBuilder {
        TreeBuilder::reuse(Tree::default(), Vec::new(), bytes)
    }

    /// A builder that fills `tree`'s buffers again, keeping their memory (and `open`'s, the
    /// stack of open nodes, from [`TreeBuilder::finish_keeping_capacity`]).
    pub(crate) fn reuse(mut tree: Tree, mut open: Vec<u32>, bytes: usize) -> TreeBuilder {
        open.clear();
        let t = &mut tree;
        t.kinds.clear();
        t.starts.clear();
        t.pages.clear();
        t.parents.clear();
        t.far_parents.clear();
        t.ends.clear();
        t.far_ends.clear();
        t.records.clear();
        t.notes.clear();
        t.note_nodes.clear();
        t.reasons.clear();
        let mut builder = TreeBuilder { tree, open, bytes, next_page: page_start(1) };
        // Real messages hold about one node per 2.5 bytes; dense ones up to two per byte, and the
        // first growth estimates from what was read (`grow`).
        builder.reserve(bytes / 2 + 16);
        builder.tree.records.reserve_exact(bytes / 6 + 8);
        builder
    }

    /// Room for `nodes` nodes in all, and the records that many nodes hold at most in real messages.
    fn reserve(&mut self, nodes: usize) {
        let t = &mut self.tree;
        let more = nodes.saturating_sub(t.kinds.len());
        t.kinds.reserve_exact(more);
        t.starts.reserve_exact(more);
        t.parents.reserve_exact(more);
        t.ends.reserve_exact(more);
    }

    /// The node arrays are full at a node starting at `start`: grow them to what the whole input
    /// needs at the rate of nodes per byte read so far (with a sixteenth more), rather than
    /// doubling past it, and by at least a quarter.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, start: usize) {
        let nodes = self.tree.kinds.len();
        let estimate = (nodes as u128 * self.bytes as u128 / start.max(1) as u128) as usize;
        let estimate = estimate.saturating_add(estimate / 16).min(self.bytes.saturating_mul(4).saturating_add(64));
        self.reserve(estimate.max(nodes + nodes / 4 + 64));
    }

    /// The records' table is full at a node starting at `start`: grown as `grow` grows the nodes'.
    #[cold]
    #[inline(never)]
    fn grow_records(&mut self, start: usize) {
        let records = &mut self.tree.records;
        let len = records.len();
        let estimate = (len as u128 * self.bytes as u128 / start.max(1) as u128) as usize;
        let estimate = estimate.saturating_add(estimate / 16).min(self.bytes.saturating_mul(2).saturating_add(64));
        records.reserve_exact(estimate.max(len + len / 4 + 64) - len);
    }

    #[inline(always)]
    fn push(&mut self, start: usize, kind: Kind) -> u32 {
        if self.tree.kinds.len() == self.tree.kinds.capacity() {
            self.grow(start);
        }
        let t = &mut self.tree;
        let id = t.kinds.len() as u32;
        t.kinds.push(kind.to_u8());
        t.starts.push(start as u16);
        if start >= self.next_page {
            self.next_page = new_pages(&mut t.pages, id, start);
        }
        let parent = match self.open.last() {
            None => 0,
            Some(&parent) if id - parent < u32::from(FAR) => (id - parent) as u8,
            Some(&parent) if t.far_parents.last().is_some_and(|&(_, p)| p == parent) => FAR,
            Some(&parent) => far_parent(&mut t.far_parents, id, parent),
        };
        t.parents.push(parent);
        t.ends.push(1);
        id
    }

    /// `count` leaves of `kind` at `starts`, the children of the open node (a packed payload's
    /// elements): each array filled in one pass, rather than a node at a time.
    fn push_leaves(&mut self, count: usize, kind: Kind, starts: impl Iterator<Item = usize>) {
        let t = &mut self.tree;
        if t.kinds.capacity() - t.kinds.len() < count {
            let len = t.kinds.len();
            self.reserve(len + count);
        }
        let t = &mut self.tree;
        let first = t.kinds.len() as u32;
        t.kinds.resize(t.kinds.len() + count, kind.to_u8());
        t.ends.resize(t.ends.len() + count, 1);
        let parent = *self.open.last().expect("leaves lie inside an open node");
        // Distances back to the parent: near ones in a byte, from the first far one on a run.
        let near = u32::from(FAR).saturating_sub(first - parent).min(count as u32);
        t.parents.extend((0..near).map(|i| (first - parent + i) as u8));
        if (near as usize) < count {
            far_parent(&mut t.far_parents, first + near, parent);
            t.parents.resize(t.parents.len() + count - near as usize, FAR);
        }
        let mut id = first;
        for start in starts {
            t.starts.push(start as u16);
            if start >= self.next_page {
                self.next_page = new_pages(&mut t.pages, id, start);
            }
            id += 1;
        }
        debug_assert_eq!(id as usize, t.kinds.len());
    }

    /// The tree, its buffers as large as they grew (for [`TreeBuilder::reuse`]).
    pub(crate) fn finish_keeping_capacity(mut self) -> (Tree, Vec<u32>) {
        debug_assert!(self.open.is_empty());
        self.tree.seal();
        (self.tree, self.open)
    }

    pub(crate) fn finish(mut self) -> Tree {
        debug_assert!(self.open.is_empty());
        let t = &mut self.tree;
        t.seal();
        // In place for large buffers (the allocator gives back the tail), so it costs no copy.
        t.kinds.shrink_to_fit();
        t.starts.shrink_to_fit();
        t.parents.shrink_to_fit();
        t.ends.shrink_to_fit();
        t.records.shrink_to_fit();
        self.tree
    }
}

/// The node `id` starting at `start` opens one or more pages; returns where the next one starts.
#[cold]
#[inline(never)]
fn new_pages(pages: &mut Vec<u32>, id: u32, start: usize) -> usize {
    while start >> PAGE_BITS > pages.len() {
        pages.push(id);
    }
    page_start(pages.len() + 1)
}

/// Where page `page` starts (past `usize::MAX`, on 32-bit targets, never).
fn page_start(page: usize) -> usize {
    page.saturating_mul(1 << PAGE_BITS)
}

/// Where each whole varint of `bytes` starts: after the last one's final byte (the first with its
/// high bit clear), found a word at a time.
struct VarintStarts<'a> {
    /// Where the next varint starts.
    next: usize,
    /// Where the current word starts, and where the next one does.
    base: usize,
    next_word: usize,
    /// The high bit of each byte of the current word, not yet told, that ends a varint.
    ends: u64,
    words: std::slice::Chunks<'a, u8>,
}

impl<'a> VarintStarts<'a> {
    fn new(start: usize, bytes: &'a [u8]) -> VarintStarts<'a> {
        VarintStarts { next: start, base: start, next_word: start, ends: 0, words: bytes.chunks(8) }
    }
}

impl Iterator for VarintStarts<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.ends == 0 {
            let chunk = self.words.next()?;
            let mut word = [0x80; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.ends = !u64::from_le_bytes(word) & 0x8080_8080_8080_8080;
            self.base = self.next_word;
            self.next_word += chunk.len();
        }
        let start = self.next;
        self.next = self.base + self.ends.trailing_zeros() as usize / 8 + 1;
        self.ends &= self.ends - 1;
        Some(start)
    }
}

/// Node `id`'s parent is far: a new run unless the last far node had the same parent.
#[cold]
#[inline(never)]
fn far_parent(runs: &mut Vec<(u32, u32)>, id: u32, parent: u32) -> u8 {
    if runs.last().is_none_or(|&(_, p)| p != parent) {
        runs.push((id, parent));
    }
    FAR
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
        if self.tree.records.len() == self.tree.records.capacity() {
            self.grow_records(start);
        }
        self.tree.records.push(Record::new(index, field));
        // The tag's leaf, the record's first node.
        self.push(start, Kind::Tag);
        (node, self.tree.records.len() - 1)
    }

    /// The record's three nodes at once: the record, its tag and the value (whose parent and
    /// subtree end are known without the stack of open nodes).
    #[inline]
    fn scalar_record(
        &mut self,
        start: usize,
        _: varint::Varint,
        index: u32,
        field: u32,
        _: Option<&FieldDescriptor>,
        value: Range<usize>,
        code: ScalarCode,
    ) -> (u32, usize) {
        if self.tree.kinds.capacity() - self.tree.kinds.len() < 3 {
            self.grow(start);
        }
        if self.tree.records.len() == self.tree.records.capacity() {
            self.grow_records(start);
        }
        let t = &mut self.tree;
        let id = t.kinds.len() as u32;
        t.kinds.extend([Kind::Field.to_u8(), Kind::Tag.to_u8(), Kind::Scalar(code).to_u8()]);
        t.starts.extend([start as u16, start as u16, value.start as u16]);
        if value.start >= self.next_page {
            new_pages(&mut t.pages, id, start);
            self.next_page = new_pages(&mut t.pages, id + 2, value.start);
        }
        let parent = match self.open.last() {
            None => 0,
            Some(&parent) if id - parent < u32::from(FAR) => (id - parent) as u8,
            Some(&parent) => far_parent(&mut t.far_parents, id, parent),
        };
        t.parents.extend([parent, 1, 2]);
        t.ends.extend([3, 1, 1]);
        t.records.push(Record::new(index, field));
        (id, t.records.len() - 1)
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
        let t = &mut self.tree;
        let end = t.kinds.len() as u32;
        t.ends[id as usize] = if end - id < u32::from(FAR) {
            (end - id) as u8
        } else {
            t.far_ends.push((id, end));
            FAR
        };
    }

    /// Only the start is stored: a leaf ends where the next node starts.
    #[inline(always)]
    fn leaf(&mut self, range: Range<usize>, kind: Kind) {
        self.push(range.start, kind);
    }

    fn fixed_leaves(&mut self, start: usize, count: usize, width: usize, kind: Kind) {
        self.push_leaves(count, kind, (0..count).map(|i| start + i * width));
    }

    fn varint_leaves(&mut self, start: usize, bytes: &[u8], count: usize, kind: Kind) {
        self.push_leaves(count, kind, VarintStarts::new(start, bytes).take(count));
    }

    fn invalid(&mut self, range: Range<usize>, reason: &str) {
        let id = self.push(range.start, Kind::Invalid);
        self.tree.reasons.push((id, reason.into()));
    }

    fn mark(&self) -> Mark {
        let t = &self.tree;
        Mark {
            nodes: t.kinds.len(),
            open: self.open.len(),
            records: t.records.len(),
            notes: t.notes.len(),
            reasons: t.reasons.len(),
            pages: t.pages.len(),
            far_parents: t.far_parents.len(),
            far_ends: t.far_ends.len(),
        }
    }

    /// The subtrees closed since the mark all lie after it (the reading's own node is still open),
    /// so their far ends are the last ones pushed.
    fn rollback(&mut self, mark: Mark) {
        let t = &mut self.tree;
        t.kinds.truncate(mark.nodes);
        t.starts.truncate(mark.nodes);
        t.pages.truncate(mark.pages);
        self.next_page = page_start(mark.pages + 1);
        t.parents.truncate(mark.nodes);
        t.far_parents.truncate(mark.far_parents);
        t.ends.truncate(mark.nodes);
        t.far_ends.truncate(mark.far_ends);
        t.records.truncate(mark.records);
        t.notes.truncate(mark.notes);
        t.note_nodes.truncate(mark.notes);
        t.reasons.truncate(mark.reasons);
        self.open.truncate(mark.open);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{Annotator, Limits, annotate};

    /// The tree as the walk tells it, kept plainly (a `usize` per fact): what the compact tree
    /// must give back node by node.
    #[derive(Default)]
    struct Plain {
        kinds: Vec<u8>,
        starts: Vec<usize>,
        parents: Vec<Option<usize>>,
        ends: Vec<usize>,
        /// (node, repeated index, field)
        records: Vec<(usize, u32, u32)>,
        open: Vec<usize>,
    }

    impl Plain {
        fn push(&mut self, start: usize, kind: Kind) -> usize {
            self.kinds.push(kind.to_u8());
            self.starts.push(start);
            self.parents.push(self.open.last().copied());
            self.ends.push(self.kinds.len());
            self.kinds.len() - 1
        }
    }

    impl Visitor for Plain {
        type Record = u32;
        type Mark = (usize, usize, usize);

        fn open_record(
            &mut self,
            start: usize,
            _: varint::Varint,
            index: u32,
            field: u32,
            _: Option<&FieldDescriptor>,
        ) -> u32 {
            let node = self.open(start, Kind::Field);
            self.records.push((node as usize, index, field));
            self.push(start, Kind::Tag);
            node
        }

        fn note(&mut self, _: u32, _: Note) {}

        fn readings(&mut self, _: u32, _: Chosen) {}

        fn close_record(&mut self, node: u32) {
            self.close(node);
        }

        fn open(&mut self, start: usize, kind: Kind) -> u32 {
            let id = self.push(start, kind);
            self.open.push(id);
            id as u32
        }

        fn close(&mut self, id: u32) {
            self.open.pop();
            self.ends[id as usize] = self.kinds.len();
        }

        fn leaf(&mut self, range: Range<usize>, kind: Kind) {
            self.push(range.start, kind);
        }

        fn invalid(&mut self, range: Range<usize>, _: &str) {
            self.push(range.start, Kind::Invalid);
        }

        fn mark(&self) -> (usize, usize, usize) {
            (self.kinds.len(), self.records.len(), self.open.len())
        }

        fn rollback(&mut self, (nodes, records, open): (usize, usize, usize)) {
            self.kinds.truncate(nodes);
            self.starts.truncate(nodes);
            self.parents.truncate(nodes);
            self.ends.truncate(nodes);
            self.records.truncate(records);
            self.open.truncate(open);
        }
    }

    fn len_record(field: u8, payload: &[u8]) -> Vec<u8> {
        let mut record = vec![field << 3 | 2];
        let mut len = payload.len();
        while len >= 0x80 {
            record.push((len as u8 & 0x7F) | 0x80);
            len >>= 7;
        }
        record.push(len as u8);
        record.extend_from_slice(payload);
        record
    }

    /// Checks every node of `bytes`' annotation against the plain tree of the same walk, and
    /// returns the tree to say which of its far tables the input reached.
    fn check(bytes: &[u8], message: Option<&prost_reflect::MessageDescriptor>) -> Tree {
        let plain = Annotator::new(message, Limits::default()).visit(bytes, Plain::default());
        let a = annotate(bytes, message);
        let t = &a.tree;
        assert_eq!(t.len(), plain.kinds.len());
        let mut starts = t.starts();
        for id in 0..t.len() {
            assert_eq!(t.kind(id), plain.kinds[id], "kind of {id}");
            assert_eq!(t.start(id), plain.starts[id], "start of {id}");
            assert_eq!(starts.next(), Some(plain.starts[id]), "start of {id} in order");
            assert_eq!(a.parent(id), plain.parents[id], "parent of {id}");
            assert_eq!(t.end(id), plain.ends[id], "end of {id}");
            assert_eq!(a.is_leaf(id), plain.ends[id] == id + 1, "leaf {id}");
        }
        assert_eq!(t.records.len(), plain.records.len());
        for (at, &(node, index, field)) in plain.records.iter().enumerate() {
            assert_eq!(t.record_of(node), at, "record of {node}");
            assert_eq!(t.records[at].index, index);
            assert_eq!(t.records[at].field(), (field != NO_FIELD).then_some(field as usize));
        }
        // The leaf at an offset is the last non-empty leaf starting at or before it.
        let leaves: Vec<usize> = (0..t.len()).filter(|&id| plain.ends[id] == id + 1).collect();
        let mut leaf = 0;
        for offset in (0..bytes.len()).step_by(7).chain(bytes.len().checked_sub(1)) {
            while leaves.get(leaf + 1).is_some_and(|&next| plain.starts[next] <= offset) {
                leaf += 1;
            }
            let mut expected = leaf;
            while a.range(leaves[expected]).is_empty() {
                expected -= 1;
            }
            assert_eq!(a.leaf_at(offset), Some(leaves[expected]), "leaf at {offset}");
        }
        assert_eq!(a.leaf_at(bytes.len()), None);
        // An annotator that read other bytes first keeps nothing of them.
        let mut again = Annotator::new(message, Limits::default());
        again.annotate(&[0x0A, 0x02, 0x08, 0x01].repeat(20_000));
        assert!(again.annotate(bytes) == &a, "a reused annotator reads the bytes as annotate does");
        a.tree.clone()
    }

    #[test]
    fn far_parents_far_ends_and_pages_read_back_as_the_walk_told_them() {
        let pairs = [0x08, 0x01].repeat(100_000);
        // One message of 300,000 nodes: every record's parent and the message's end are far.
        let t = check(&len_record(1, &pairs), None);
        assert!(t.far_parents.len() == 1 && !t.far_ends.is_empty() && t.pages.len() == 3);
        // Records at odd offsets: a page starts at the value of one of them.
        let mut odd = vec![0x08, 0x96, 0x01];
        odd.extend(&pairs);
        let t = check(&odd, None);
        assert_eq!(t.start(t.pages[0] as usize), 1 << 16);
        assert_eq!(t.kind(t.pages[0] as usize), Kind::Scalar(ScalarCode::Uint64).to_u8());

        // Records of a large message, each a message of 600 nodes: far parents alternate between
        // the outer message and each inner one.
        let inner = len_record(2, &[0x08, 0x01].repeat(200));
        let t = check(&len_record(1, &inner.repeat(300)), None);
        assert!(t.far_parents.len() > 300);

        // A string that spans pages, between records; then a nesting that reads as a message
        // almost to its end, so that its far nodes are rolled back.
        let mut bytes = pairs.clone();
        bytes.extend(len_record(3, &b"a".repeat(200_000)));
        bytes.extend(&pairs[..1000]);
        let mut nested = [0x08, 0x01].repeat(30_000);
        nested.push(0x07);
        for _ in 0..20 {
            nested = len_record(1, &nested);
        }
        bytes.extend(nested);
        let t = check(&bytes, None);
        assert!(t.pages.len() >= 6 && t.pages.windows(2).any(|w| w[0] == w[1]));
    }

    #[test]
    fn record_bits_finds_every_record_kind_among_any_bytes() {
        let naive = |kinds: &[u8]| kinds.iter().enumerate().fold(0u64, |b, (i, &k)| b | u64::from(k == 0) << i);
        // Every byte value beside a zero and alone, at every position and length.
        let mut kinds: Vec<u8> = (0..=255u8).flat_map(|b| [b, 0, b, b]).collect();
        kinds.extend([0; 70]);
        for from in 0..kinds.len() {
            let chunk = &kinds[from..kinds.len().min(from + 64)];
            for len in [chunk.len(), chunk.len() / 2, 1] {
                assert_eq!(record_bits(&chunk[..len]), naive(&chunk[..len]), "{:02x?}", &chunk[..len]);
            }
        }
    }

    #[test]
    fn a_large_packed_field_shares_one_far_parent() {
        let schema = crate::schema::Schema::compile(&[(
            "t.proto",
            "syntax = \"proto3\"; message T { repeated int32 p = 1; repeated T t = 2; repeated double d = 3; repeated int64 v = 4; }",
        )])
        .expect("the schema compiles");
        let t_type = schema.message("T").expect("T is declared");
        let packed = len_record(1, &[0x01].repeat(100_000));
        let t = check(&packed, Some(&t_type));
        assert_eq!(t.far_parents.len(), 1);
        let mut nested = packed.clone();
        nested.extend(len_record(2, &packed));
        nested.extend(&packed);
        check(&len_record(2, &nested), Some(&t_type));

        // Told at once (fixed-width elements, whole shortest varints) across pages, after a
        // record at an odd offset; then the same payloads with a remainder, an overlong, a cut or
        // a ten-byte element somewhere, which are read an element at a time from there.
        let mut varints = Vec::new();
        for i in 0..60_000u64 {
            crate::varint::encode((i * i * 7919) >> (i % 40), &mut varints);
        }
        let doubles = [0x40u8].repeat(8 * 20_000 + 3);
        let mut bytes = vec![0x08, 0x96, 0x01];
        bytes.extend(len_record(3, &doubles[..8 * 20_000]));
        bytes.extend(len_record(4, &varints));
        bytes.extend(len_record(3, &doubles));
        let t = check(&bytes, Some(&t_type));
        assert!(t.pages.len() >= 5);
        for (at, damage) in [(0, &[0x80, 0x00][..]), (30_000, &[0x80, 0x00]), (70_001, &[0xFF; 9])] {
            let mut odd = varints.clone();
            odd.splice(at..at, damage.iter().copied());
            check(&len_record(4, &odd), Some(&t_type));
        }
        let mut ten = varints.clone();
        ten.extend([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x05]);
        check(&len_record(4, &ten), Some(&t_type));
        check(&len_record(4, &varints[..varints.len() - 1]), Some(&t_type));
    }
}
