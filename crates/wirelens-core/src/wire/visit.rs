//! What the walker tells whoever listens, in byte order: records opened and closed, the leaves
//! in between, bytes that cannot be read, and the points a tentative reading may roll back to.
//!
//! The annotator's [`TreeBuilder`](super::TreeBuilder) listens and keeps the tree; the protoscope
//! printer listens and writes text as the walk reads, with no tree at all. Every decision about the
//! bytes (which reading a schema-less payload gets, where a group ends, what is invalid, the
//! nesting limit) is the walker's, made once for both. Knows nothing about text or storage.

use std::ops::Range;

use prost_reflect::FieldDescriptor;

use super::Note;
use super::readings::Chosen;
use super::tree::{Kind, ScalarCode};
use crate::varint::Varint;

/// A listener to the walk. Nodes arrive in preorder: `open_record` or `open`, then what is inside,
/// then `close`; leaves with their whole range (a leaf's bytes are `range`, and the leaves tile
/// the input, as the tree's do).
pub(crate) trait Visitor {
    /// What `open_record` hands back for the later events of that record.
    type Record: Copy;
    /// A point to roll back to.
    type Mark: Copy;

    /// Whether the listener is told [`note`](Visitor::note)s and each record's `index` among
    /// its field's: one that has no use for them (the protoscope printer) lets the walk skip
    /// counting occurrences, which only they need.
    const NOTES: bool = true;

    /// A record starts at `start` with `tag` (its first leaf, `start..start + tag.len`, which is
    /// not told again as a leaf: the tag was read to decide everything after it): the position
    /// of its first element among the records of the same field, and its schema field (an index
    /// into the walk's table, or [`NO_FIELD`](super::tree::NO_FIELD)) with that field's descriptor.
    fn open_record(
        &mut self,
        start: usize,
        tag: Varint,
        index: u32,
        field: u32,
        fd: Option<&FieldDescriptor>,
    ) -> Self::Record;

    /// A whole record of one scalar (a varint or fixed-width value at `value`, right after the
    /// tag): `open_record`, the value's leaf and `close_record` told as one event, the commonest
    /// record's three. Notes about it may follow.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn scalar_record(
        &mut self,
        start: usize,
        tag: Varint,
        index: u32,
        field: u32,
        fd: Option<&FieldDescriptor>,
        value: Range<usize>,
        code: ScalarCode,
    ) -> Self::Record {
        let record = self.open_record(start, tag, index, field, fd);
        self.leaf(value, Kind::Scalar(code));
        self.close_record(record);
        record
    }

    /// A whole LEN record whose payload reads as a string (`text`, at `payload`, after the
    /// length prefix that says `length`): `open_record`, the length's and the text's leaves and
    /// `close_record` told as one event, as [`scalar_record`](Visitor::scalar_record) tells a
    /// scalar's. Notes about it, and its readings, may follow.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn string_record(
        &mut self,
        start: usize,
        tag: Varint,
        index: u32,
        field: u32,
        fd: Option<&FieldDescriptor>,
        length: Varint,
        payload: Range<usize>,
        text: &str,
    ) -> Self::Record {
        let record = self.open_record(start, tag, index, field, fd);
        self.length(start + tag.len..payload.start, length);
        self.text(payload, text);
        self.close_record(record);
        record
    }

    /// The head of a LEN record whose payload the walk reads as a message (at `payload_start`,
    /// after the length prefix that says `length`): `open_record`, the length's leaf and
    /// `open(Kind::Message)` told as one event. The message's records follow, then
    /// [`close_message_record`](Visitor::close_message_record) with the record and the message
    /// node handed back here. Notes about the record may follow this event.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn message_record(
        &mut self,
        start: usize,
        tag: Varint,
        index: u32,
        field: u32,
        fd: Option<&FieldDescriptor>,
        length: Varint,
        payload_start: usize,
    ) -> (Self::Record, u32) {
        let record = self.open_record(start, tag, index, field, fd);
        self.length(start + tag.len..payload_start, length);
        let node = self.open(payload_start, Kind::Message);
        (record, node)
    }

    /// The end of a record [`message_record`](Visitor::message_record) opened: `close` of its
    /// message, its readings (for a schema-less payload) and `close_record`, told as one event.
    #[inline]
    fn close_message_record(&mut self, record: Self::Record, node: u32, chosen: Option<Chosen>) {
        self.close(node);
        if let Some(chosen) = chosen {
            self.readings(record, chosen);
        }
        self.close_record(record);
    }

    /// Something worth telling about the record (the last one opened).
    fn note(&mut self, record: Self::Record, note: Note);

    /// The reading a schema-less LEN payload got, once it is known (after its nodes).
    fn readings(&mut self, record: Self::Record, chosen: Chosen);

    /// The end of a record.
    fn close_record(&mut self, record: Self::Record);

    /// A nested message or group's fields (`Kind::Message`) or a packed payload (`Kind::Packed`).
    fn open(&mut self, start: usize, kind: Kind) -> u32;

    fn close(&mut self, id: u32);

    /// A tag, length prefix, scalar, string or bytes.
    fn leaf(&mut self, range: Range<usize>, kind: Kind);

    /// `count` leaves of `kind`, `width` bytes each, from `start`: a packed payload's
    /// fixed-width elements.
    fn fixed_leaves(&mut self, start: usize, count: usize, width: usize, kind: Kind) {
        for at in (start..start + count * width).step_by(width) {
            self.leaf(at..at + width, kind);
        }
    }

    /// A leaf of `kind` for each of the `count` varints that make up `bytes` (which start at
    /// `start`, and which [`varint::count_shortest`](crate::varint::count_shortest) found whole):
    /// a packed payload's varint elements.
    fn varint_leaves(&mut self, start: usize, bytes: &[u8], count: usize, kind: Kind) {
        debug_assert_eq!(bytes.iter().filter(|&&b| b < 0x80).count(), count);
        let mut from = start;
        for (i, _) in bytes.iter().enumerate().filter(|&(_, &b)| b < 0x80) {
            self.leaf(from..start + i + 1, kind);
            from = start + i + 1;
        }
    }

    /// A LEN record's length prefix, which the walk read as `length`.
    #[inline(always)]
    fn length(&mut self, range: Range<usize>, _length: Varint) {
        self.leaf(range, Kind::Length);
    }

    /// A string leaf whose text the walk has already checked (a `string` field's).
    #[inline(always)]
    fn text(&mut self, range: Range<usize>, _text: &str) {
        self.leaf(range, Kind::Str);
    }

    /// Bytes that cannot be read, and why (`range` is not empty).
    fn invalid(&mut self, range: Range<usize>, reason: &str);

    /// Before a tentative reading of a payload as a message.
    fn mark(&self) -> Self::Mark;

    /// The tentative reading failed, or another one is shown: forget every event since `mark`.
    fn rollback(&mut self, mark: Self::Mark);
}
