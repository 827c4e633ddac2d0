//! The annotation's storage: a preorder tree as a struct of arrays, and side tables keyed by node.
//!
//! Node ids number every node in preorder, but only the nodes that the bytes and a stored
//! neighbour cannot tell are stored. A record's tag, a LEN record's length prefix, and a record's
//! value when it is one `Scalar` leaf or one payload node (`Str`, `Bytes`, `Message`, `Packed`)
//! are implied by the record's kind byte: they start after the tag (and prefix), their parent is
//! the record, a leaf ends at the next id and a payload's subtree with the record's. A packed
//! payload's elements are implied too when they are all whole (fixed-width ones at the payload's
//! start plus k widths; shortest varints stepped over from a sample of every [`SAMPLE`]th start),
//! with a [`Run`] per such record; and a group's tag and message (an empty group's end-group tag
//! as well: a non-empty group's comes after its fields and is stored). Records that are cut or
//! invalid store every child. A bit per id says which ids are stored; an implied id's record is
//! the stored id before it (a packed record's, found among the runs).
//!
//! A stored node is 5 bytes: its kind, the low 16 bits of its start, and the distances in ids
//! back to its parent and on to the end of its subtree (a byte each). The start's high bits are
//! its 64 KiB page, found from the first stored node of each page (starts never decrease in
//! preorder); distances of 255 or more sit in small sorted side tables (`Tree`). Its range's end is
//! not stored: the leaves tile the input and every node spans exactly its subtree, so it ends
//! where the first node after its subtree starts. Numbers are not stored either: the kind says how
//! to read them again from the bytes. A record's extras (8 bytes in `records`, in node order,
//! found by counting the record nodes before it) and notes and invalid reasons (sorted by node,
//! found by binary search, only where there are some) live in side tables. Knows nothing about
//! descriptors beyond an index.

use std::collections::HashMap;
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

/// A node's kind as views see it: one byte.
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

/// A stored record's kind byte has this bit set; the low bits say which of its children are
/// implied: 0, none (all are stored); a payload kind (`Str`, `Bytes`, `Message`, `Packed`), the
/// tag, the length prefix and that payload; a `Scalar` kind, the tag and that value;
/// [`ELEMENTS`] and a [`ScalarCode`], the tag, the length prefix, a `Packed` payload and its
/// elements (how many: the record's [`Run`]); a group kind ([`GROUP`], [`EMPTY_GROUP`],
/// [`CUT_GROUP`], [`GROUP_END`]), the tag and the group's `Message` (and its end-group tag, but
/// for `GROUP` and `CUT_GROUP`). Any other stored node's kind byte is its view kind.
const RECORD: u8 = 0x80;

/// With [`RECORD`] and a [`ScalarCode`] (as `RECORD | ELEMENTS | code`): a packed record whose
/// elements, all whole and shortest, are implied.
const ELEMENTS: u8 = 0x40;

/// A group record that ends with an end-group tag: its tag and `Message` are implied, the
/// end-group tag (after the message's fields) is stored.
const GROUP: u8 = 8;
/// A group with no fields: its tag, its empty `Message` and its end-group tag are implied.
const EMPTY_GROUP: u8 = 9;
/// A group with no end-group tag (the input or its enclosing message ends first): its tag and
/// its `Message`, which ends with the record, are implied.
const CUT_GROUP: u8 = 10;
/// A group whose end-group tag is as long as its tag: its tag and `Message` are implied, and so
/// is the end-group tag, the last node of the record's subtree (after the message's fields, so
/// not right after the record: found from the stored node before it, up its ancestors). It
/// starts as long before the node after it as the record's tag is long.
const GROUP_END: u8 = 11;

/// Whether a kind byte is that of a packed record whose elements are implied.
#[inline(always)]
fn has_elements(byte: u8) -> bool {
    byte & (RECORD | ELEMENTS) == RECORD | ELEMENTS
}

/// How many implied nodes follow a stored node, by its kind byte, before a packed record's
/// elements (a [`GROUP_END`] record's end-group tag comes later).
const IMPLIED: [u8; 256] = {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        let sub = byte as u8 & !RECORD;
        table[byte] = if byte as u8 & RECORD == 0 || sub == 0 {
            0
        } else if sub == GROUP || sub == CUT_GROUP || sub == GROUP_END {
            2
        } else if sub < SCALAR_BASE || sub & ELEMENTS != 0 {
            3
        } else {
            2
        };
        byte += 1;
    }
    table
};

/// How many ids a stored node and the implied nodes right after it take, by its kind byte; 0
/// for those that take more ([`Tree::seal`] looks further): a packed record's elements, and a
/// [`GROUP_END`] record's end-group tag after its fields.
const STEP: [u8; 256] = {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        if !(byte as u8 & (RECORD | ELEMENTS) == RECORD | ELEMENTS || byte as u8 == RECORD | GROUP_END) {
            table[byte] = 1 + IMPLIED[byte];
        }
        byte += 1;
    }
    table
};

/// The view kind of a stored node's kind byte.
#[inline(always)]
fn view(byte: u8) -> u8 {
    if byte & RECORD == 0 { byte } else { Kind::Field.to_u8() }
}

/// The view kind of the `nth` (from 1) implied child of a record whose kind byte is `record`.
#[inline(always)]
#[allow(clippy::manual_range_contains, reason = "`contains` is not const")]
const fn implied_kind(record: u8, nth: usize) -> u8 {
    let sub = record & !RECORD;
    match nth {
        1 => Kind::Tag.to_u8(),
        2 if sub >= GROUP && sub <= GROUP_END => Kind::Message.to_u8(),
        2 if sub < SCALAR_BASE || sub & ELEMENTS != 0 => Kind::Length.to_u8(),
        3 if sub == EMPTY_GROUP => Kind::Tag.to_u8(),
        3 if sub & ELEMENTS != 0 => Kind::Packed.to_u8(),
        n if n > 3 => SCALAR_BASE + (sub & !ELEMENTS),
        _ => sub,
    }
}

/// Where the `nth` (2 or 3) implied child of a record whose kind byte is `record` starts: after
/// the one before it (a tag or a length prefix), or with it (an empty group's end-group tag
/// after its empty message).
#[inline(always)]
const fn implied_follows(record: u8, nth: usize) -> bool {
    nth == 2 || record & !RECORD != EMPTY_GROUP
}

/// How the subtree of the `nth` (1 to 3) implied child of a record whose kind byte is
/// `record` ends: 0, it is a leaf; 1, with the record's; 2, one node before (a group's message,
/// before its stored end-group tag).
#[inline(always)]
const fn implied_nests(record: u8, nth: usize) -> u8 {
    let sub = record & !RECORD;
    match nth {
        3 if sub == Kind::Message.to_u8() || sub == Kind::Packed.to_u8() || sub & ELEMENTS != 0 => 1,
        2 if sub == CUT_GROUP => 1,
        2 if sub == GROUP || sub == GROUP_END => 2,
        _ => 0,
    }
}

/// What [`Walk`] needs of each of a record's first three implied children, by the record's kind
/// byte and the child's position (0 to 2): its view kind (the low 5 bits), whether it starts
/// after the one before ([`FOLLOWS`]), and how its subtree ends (the high 2 bits:
/// [`implied_nests`]). One load where three matches were.
const HEADS: [[u8; 3]; 256] = {
    let mut table = [[0; 3]; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut nth = 1;
        while nth <= 3 {
            let follows = if nth > 1 && implied_follows(byte as u8, nth) { FOLLOWS } else { 0 };
            table[byte][nth - 1] = implied_kind(byte as u8, nth) | follows | implied_nests(byte as u8, nth) << 6;
            nth += 1;
        }
        byte += 1;
    }
    table
};

/// In [`HEADS`]: the child starts after the one before.
const FOLLOWS: u8 = 0x20;

/// The elements' code of a packed record whose kind byte `record` [`has_elements`].
#[inline(always)]
fn element_code(record: u8) -> ScalarCode {
    ScalarCode::ALL[usize::from(record & !(RECORD | ELEMENTS))]
}

/// The high bit of every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// How many bytes of a word have their high bit set, where only high bits are (one multiply:
/// x86-64's baseline has no `popcnt`).
#[inline(always)]
fn high_count(high: u64) -> usize {
    ((high >> 7).wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize
}

/// Where the varint `n` whole varints after the one at `at` starts (all of them whole), eight
/// bytes at a time.
#[inline]
fn skip_varints(bytes: &[u8], mut at: usize, mut n: usize) -> usize {
    while n > 0 {
        let Some(word) = bytes.get(at..at + 8) else {
            // Near the end of the input, a varint at a time.
            for _ in 0..n {
                at += varint_len(bytes, at);
            }
            return at;
        };
        let mut ends = !u64::from_le_bytes(word.try_into().expect("eight bytes")) & HIGH;
        let count = high_count(ends);
        if count < n {
            n -= count;
            at += 8;
            continue;
        }
        for _ in 1..n {
            ends &= ends - 1;
        }
        return at + ends.trailing_zeros() as usize / 8 + 1;
    }
    at
}

/// Pushes onto `samples` the start of every [`SAMPLE`]th of the `count` varints, all whole,
/// that make up `bytes` (which start at `start`), from the first.
fn sample_varints(start: usize, bytes: &[u8], count: usize, samples: &mut Vec<u32>) {
    let first = samples.len();
    samples.reserve(count.div_ceil(SAMPLE));
    // Offsets fit a `u32` (past 4 GiB the input is one invalid leaf).
    samples.push(start as u32);
    // The varint whose start is the next sample is the one after the `next`th end.
    let (mut ends_before, mut next) = (0, SAMPLE);
    for (w, chunk) in bytes.chunks(8).enumerate() {
        let mut word = [0x80; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        let mut ends = !u64::from_le_bytes(word) & HIGH;
        let count = high_count(ends);
        // At most eight ends in a word, fewer than a sample's.
        if ends_before + count >= next {
            for _ in 1..next - ends_before {
                ends &= ends - 1;
            }
            samples.push((start + w * 8 + ends.trailing_zeros() as usize / 8 + 1) as u32);
            next += SAMPLE;
        }
        ends_before += count;
    }
    // The last end is the payload's: no varint starts after it.
    samples.truncate(first + count.div_ceil(SAMPLE));
}

/// The length of the varint at `at`, which the annotator has checked is whole.
#[inline(always)]
pub(crate) fn varint_len(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at) {
        Some(&byte) if byte < 0x80 => 1,
        _ => {
            let rest = bytes.get(at..).unwrap_or_default();
            rest.iter().position(|&b| b < 0x80).map_or(rest.len(), |last| last + 1)
        }
    }
}

/// The code of a record stored as one node with its tag and scalar value implied, by its kind
/// byte ([`Walked::stored`]): what the walk told as a `scalar_record`.
pub(crate) fn scalar_record(stored: u8) -> Option<ScalarCode> {
    let sub = stored & !RECORD;
    (stored & RECORD != 0 && sub >= SCALAR_BASE && sub & ELEMENTS == 0)
        .then(|| ScalarCode::ALL[usize::from(sub - SCALAR_BASE)])
}

/// What a record keeps beyond its node: 8 bytes. Records are numbered in node order, so a record
/// node's position in `records` is how many record nodes come before it (`Tree::record_of`).
///
/// The notes records get in runs cost nothing more (every record of a message read with the
/// wrong type is unknown to it; a singular field written again and again; an encoder that writes
/// every varint too long; a oneof's members written in turn): a record keeps in place its note
/// about its field (unknown, reserved, or written with another wire type: four bits), that a
/// singular field was seen before (where, in place of its index, which is always 0), that its tag
/// or the varint after it (a value or a length prefix) is overlong, and that its text is not
/// UTF-8 (a bit each), that it replaces another member of its oneof (the member's number less
/// the record's, in a byte: a oneof's members are numbered close together), and that a packed
/// field continues in it (a packed field is never a oneof's member), as long as no note kept
/// aside came before: [`Record::notes`] tells them first, in the order the walk does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    /// The element's position among the records of a repeated field; for a singular field,
    /// 0, or where it was first seen when [`SEEN_BEFORE`] is set.
    index: u32,
    /// The low 20 bits: an index into the annotation's fields, or [`NO_FIELD`]; then
    /// [`SEEN_BEFORE`], [`OVERLONG_TAG`], [`OVERLONG_VALUE`], [`NOT_UTF8`]; the high 8, for a
    /// record with no schema field, the readings' [`Chosen`] (its bits 0 to 2 and 7) and the
    /// field note (bits 3 to 6, from [`FIELD_NOTE_SHIFT`]); for a record with one (which has
    /// neither), the oneof note ([`ONEOF`]) or [`PACKED_CONTINUES`].
    bits: u32,
}

/// "No schema field" in a [`Record`]. A table of 2^20 - 1 fields is far past any real schema.
pub(crate) const NO_FIELD: u32 = 0x000F_FFFF;

/// A [`Record`] of a singular field seen before in its message: its note is `Repeated`.
const SEEN_BEFORE: u32 = 1 << 20;

/// A [`Record`] whose tag is overlong (its note is at the record's start).
const OVERLONG_TAG: u32 = 1 << 21;

/// A [`Record`] whose varint after the tag (its value or length prefix) is overlong.
const OVERLONG_VALUE: u32 = 1 << 22;

/// A [`Record`] of a string field whose bytes are not UTF-8.
const NOT_UTF8: u32 = 1 << 23;

/// The flags above, a note each, in the order the walk tells them.
const FLAGS: u32 = 0xF << 20;

/// The bits of a [`Record`] that hold its readings' [`Chosen`].
const READINGS: u32 = 0x87 << 24;

/// Where a [`Record`] keeps its field note: 4 bits, 0 for none, 1 `Unknown`, 2 `Reserved`, 3 +
/// the expected wire type for `WireTypeMismatch`.
const FIELD_NOTE_SHIFT: u32 = 27;

/// The notes a [`Record`] keeps in place, in the order the walk tells them.
const IN_PLACE: u32 = (0xF << FIELD_NOTE_SHIFT) | FLAGS;

/// Where a [`Record`] with a schema field keeps its oneof note: the number of the member it
/// replaces less its own, as an `i8`, 0 for none (a member never replaces itself), never
/// `i8::MIN`, which is [`PACKED_CONTINUES`].
const ONEOF: u32 = 0xFF << 24;

/// The high byte of a [`Record`] of a packed field that continues an earlier record of it: its
/// `PackedContinues` note, the first the walk tells of such a record.
const PACKED_CONTINUES: u32 = 0x80 << 24;

impl Record {
    pub(crate) fn new(index: u32, field: u32) -> Record {
        Record { index, bits: field.min(NO_FIELD) }
    }

    /// The position among the records of a repeated field, 0 for a singular field.
    pub(crate) fn index(&self) -> u32 {
        if self.bits & SEEN_BEFORE == 0 { self.index } else { 0 }
    }

    /// The index into the annotation's fields, if the record has a schema field.
    pub(crate) fn field(&self) -> Option<usize> {
        let field = self.bits & NO_FIELD;
        (field != NO_FIELD).then_some(field as usize)
    }

    /// The readings of a record read without a schema field (none for one with a field, whose
    /// high bits hold its oneof note).
    pub(crate) fn readings(&self) -> Chosen {
        let bits = if self.field().is_some() { 0 } else { self.bits };
        Chosen::from_bits(((bits & READINGS) >> 24) as u8)
    }

    pub(crate) fn set_readings(&mut self, chosen: Chosen) {
        debug_assert_eq!(u32::from(chosen.bits()) << 24 & !READINGS, 0, "readings fit their bits");
        self.bits = (self.bits & !READINGS) | (u32::from(chosen.bits()) << 24);
    }

    /// The notes the record keeps in place, in the order the walk told them (before those kept
    /// aside), for the record at `start` of `bytes` whose schema field is `fd` (which names its
    /// oneof).
    #[inline]
    pub(crate) fn notes<'a>(&self, bytes: &'a [u8], start: usize, fd: Option<&'a FieldDescriptor>) -> InPlace<'a> {
        let bits = self.bits;
        // A record with a schema field has no field note: its first bit tells a packed field
        // continued.
        let (field, oneof) = match fd {
            None => ((bits >> FIELD_NOTE_SHIFT) & 0xF != 0, false),
            Some(_) => {
                let high = bits & ONEOF;
                (high == PACKED_CONTINUES, high != 0 && high != PACKED_CONTINUES)
            }
        };
        let flags = ((bits & FLAGS) >> 20) as u8;
        let left = u8::from(field) | (flags & 0b11) << 1 | u8::from(oneof) << 3 | (flags >> 2) << 4;
        InPlace { record: *self, bytes, start, fd, left }
    }

    /// The in-place note `which` (a bit of [`InPlace::left`]).
    #[cold]
    #[inline(never)]
    fn note(&self, which: u32, bytes: &[u8], start: usize, fd: Option<&FieldDescriptor>) -> Option<Note> {
        let bits = self.bits;
        match which {
            0 if fd.is_some() => Some(Note::PackedContinues),
            0 => match (bits >> FIELD_NOTE_SHIFT) & 0xF {
                1 => Some(Note::Unknown),
                2 => Some(Note::Reserved),
                code => WireType::from_bits((code - 3) as u8).map(|expected| Note::WireTypeMismatch { expected }),
            },
            1 => Some(Note::Repeated { first_at: self.index as usize }),
            2 => Some(Note::Overlong { at: start }),
            3 => fd.and_then(FieldDescriptor::containing_oneof).map(|oneof| {
                let delta = ((bits & ONEOF) >> 24) as u8 as i8;
                let previous = read_tag(&bytes[start..]).0.wrapping_add_signed(i32::from(delta));
                Note::OneofReplaces { oneof: oneof.name().to_owned(), previous }
            }),
            4 => Some(Note::Overlong { at: start + varint_len(bytes, start) }),
            _ => Some(Note::InvalidUtf8),
        }
    }

    /// Keeps `note` in place if it is one a record can keep, told after those it keeps (the
    /// caller checks that no note kept aside came before it); false if not. `at_start` is
    /// whether an overlong note is about the tag (at the record's start; if not, it is about the
    /// varint right after the tag); `number` is the record's field number.
    fn keep(&mut self, note: &Note, at_start: bool, number: u32) -> bool {
        let typed = self.field().is_some();
        // The note's bits, and those of notes told after it (none may be kept yet): a field
        // note only on a record with no schema field, a oneof's on one with a field.
        let (bits, later) = match *note {
            Note::Unknown | Note::Reserved | Note::WireTypeMismatch { .. } if typed => return false,
            Note::Unknown => (1 << FIELD_NOTE_SHIFT, IN_PLACE),
            Note::Reserved => (2 << FIELD_NOTE_SHIFT, IN_PLACE),
            Note::WireTypeMismatch { expected } => ((3 + expected as u32) << FIELD_NOTE_SHIFT, IN_PLACE),
            Note::PackedContinues if typed => (PACKED_CONTINUES, IN_PLACE | ONEOF),
            Note::OneofReplaces { previous, .. } => {
                let delta = i64::from(previous) - i64::from(number);
                match i8::try_from(delta) {
                    Ok(delta) if typed && delta != 0 && delta != i8::MIN => {
                        (u32::from(delta as u8) << 24, ONEOF | OVERLONG_VALUE | NOT_UTF8)
                    }
                    _ => return false,
                }
            }
            _ => {
                let flag = match *note {
                    Note::Repeated { .. } if self.index == 0 => SEEN_BEFORE,
                    Note::Overlong { .. } if at_start => OVERLONG_TAG,
                    Note::Overlong { .. } => OVERLONG_VALUE,
                    Note::InvalidUtf8 => NOT_UTF8,
                    _ => return false,
                };
                // A oneof's note comes after the tag's.
                let oneof = if typed && flag <= OVERLONG_TAG { ONEOF } else { 0 };
                (flag, (FLAGS & !(flag - 1)) | oneof)
            }
        };
        if self.bits & later != 0 {
            return false;
        }
        if let Note::Repeated { first_at } = *note {
            // Offsets fit a `u32` (past 4 GiB the input is one invalid leaf).
            self.index = first_at as u32;
        }
        self.bits |= bits;
        true
    }
}

/// The notes a [`Record`] keeps in place, told one at a time ([`Record::notes`]): nothing to
/// build for the records that keep none.
pub(crate) struct InPlace<'a> {
    record: Record,
    bytes: &'a [u8],
    start: usize,
    fd: Option<&'a FieldDescriptor>,
    /// The notes left to tell, a bit each in the order the walk told them: the field's (a
    /// packed field continued, for a record with a schema field), seen before, an overlong tag,
    /// the oneof's, an overlong value, text that is not UTF-8.
    left: u8,
}

impl Iterator for InPlace<'_> {
    type Item = Note;

    #[inline]
    fn next(&mut self) -> Option<Note> {
        while self.left != 0 {
            let which = self.left.trailing_zeros();
            self.left &= self.left - 1;
            if let Some(note) = self.record.note(which, self.bytes, self.start, self.fd) {
                return Some(note);
            }
        }
        None
    }
}

/// What kind of [`Note`] a note is, as the tree keeps it.
const NOTE_UNKNOWN: u8 = 0;
const NOTE_RESERVED: u8 = 1;
const NOTE_MISMATCH: u8 = 2;
const NOTE_REPEATED: u8 = 3;
const NOTE_ONEOF: u8 = 4;
const NOTE_UNPACKED: u8 = 5;
const NOTE_PACKED_CONTINUES: u8 = 6;
const NOTE_OVERLONG: u8 = 7;
const NOTE_INVALID_UTF8: u8 = 8;

/// A parent or subtree-end distance too far for a byte: looked up in the node's far table.
const FAR: u8 = u8::MAX;

/// A page of input: a node's start is its page (found from `Tree::pages`) and 16 low bits.
const PAGE_BITS: u32 = 16;

/// Stored nodes per entry of `Tree::block_pages`.
const BLOCK: usize = 256;

/// Words of [`Rank::bits`] per entry of [`Rank::before`].
const RANK_WORDS: usize = 4;

/// Varint elements per entry of [`Tree::samples`]: an element's start is found from the last
/// sampled one, over fewer than this many varints.
const SAMPLE: usize = 8;

/// A packed payload of fewer elements keeps them stored: a [`Run`] (16 bytes) and its first
/// sample (4) cost as much as four stored elements (5 bytes each), and a packed field split over
/// records of four elements each stays within 8 bytes of annotation per input byte only stored.
const IMPLY_FROM: usize = 5;

/// A packed record whose elements are implied ([`ELEMENTS`]): its id, how many elements, where
/// its payload starts, and for varints the position in [`Tree::samples`] of its first element's
/// start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    record: u32,
    count: u32,
    payload: u32,
    samples: u32,
}

/// A bit per position, and for every [`RANK_WORDS`] words one `u64` of counts: in the low 32
/// bits, the bits set before the first word; in each byte above, the bits set in the block before
/// its second, third and fourth word. How many bits are set before a position, in two loads and
/// a popcount.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Rank {
    bits: Vec<u64>,
    before: Vec<u64>,
}

impl Rank {
    /// Counts the bits once they are all set.
    fn index(&mut self) {
        self.before.clear();
        self.before.reserve_exact(self.bits.len().div_ceil(RANK_WORDS));
        let mut before = 0u32;
        for words in self.bits.chunks(RANK_WORDS) {
            let (mut counts, mut within) = (u64::from(before), 0);
            for (k, word) in words.iter().enumerate() {
                if k > 0 {
                    counts |= within << (24 + 8 * k);
                }
                within += u64::from(word.count_ones());
            }
            self.before.push(counts);
            before += within as u32;
        }
    }

    /// The bits set before position `at`, and whether `at`'s is.
    #[inline(always)]
    fn rank(&self, at: usize) -> (usize, bool) {
        let word = at / 64;
        let counts = self.before[word / RANK_WORDS];
        // The counts within the block, the first word's (0) in the low byte.
        let within = (counts >> 32) << 8 >> (8 * (word % RANK_WORDS)) & 0xFF;
        let bits = self.bits[word];
        let before = (counts & 0xFFFF_FFFF) + within + u64::from((bits & ((1u64 << (at % 64)) - 1)).count_ones());
        (before as usize, bits >> (at % 64) & 1 == 1)
    }

    /// Whether position `at`'s bit is set.
    #[inline(always)]
    fn is_set(&self, at: usize) -> bool {
        self.bits[at / 64] >> (at % 64) & 1 == 1
    }

    /// The last set position before `at` (0 if there is none).
    #[inline]
    fn previous(&self, at: usize) -> usize {
        let mut word = at / 64;
        let mut bits = self.bits[word] & ((1u64 << (at % 64)) - 1);
        while bits == 0 && word > 0 {
            word -= 1;
            bits = self.bits[word];
        }
        if bits == 0 { 0 } else { word * 64 + 63 - bits.leading_zeros() as usize }
    }

    /// The position of the set bit that has `n` set bits before it (`n` is less than the count).
    fn select(&self, n: usize) -> usize {
        let block = self.before.partition_point(|&b| (b & 0xFFFF_FFFF) as usize <= n) - 1;
        let mut left = n - (self.before[block] & 0xFFFF_FFFF) as usize;
        let mut word = block * RANK_WORDS;
        while self.bits[word].count_ones() as usize <= left {
            left -= self.bits[word].count_ones() as usize;
            word += 1;
        }
        let mut bits = self.bits[word];
        for _ in 0..left {
            bits &= bits - 1;
        }
        word * 64 + bits.trailing_zeros() as usize
    }

    fn clear(&mut self) {
        self.bits.clear();
        self.before.clear();
    }
}

/// Where node `id` is kept.
#[derive(Debug, Clone, Copy)]
enum At {
    /// Stored, at this position of the node arrays.
    Stored(usize),
    /// Implied: the `nth` (1 to 3) node after its record, which is stored at `stored`.
    Implied { stored: usize, nth: usize },
    /// Implied: element `k` of the packed record stored at `stored`, whose [`Run`] is `run`.
    Element { stored: usize, run: usize, k: usize },
    /// Implied: node `id`, the end-group tag of the [`GROUP_END`] record `record`, stored at
    /// `group`.
    EndTag { group: usize, record: usize, id: usize },
}

/// The nodes and their side tables.
///
/// Node ids number every node in preorder, but only the nodes that cannot be told from the bytes
/// and a neighbour are stored; the others are implied by their record's kind byte (see
/// [`RECORD`]): a record's tag (it starts with the record), a LEN record's length prefix (after
/// the tag) and payload (after the prefix; its subtree ends with the record's), a scalar record's
/// value (after the tag), a packed payload's whole elements (`runs`, `samples`), a group's
/// message (after the tag). A bit per id says which ids are stored (`stored`, with counts that map
/// an id to its position in the node arrays); an implied id's record is the stored id before it.
///
/// Per stored node, 5 bytes: the kind; the low 16 bits of the start (the high bits are the
/// start's page: starts never decrease in preorder, so `pages` lists the first stored node of
/// each page); the distance in ids back to the parent and forward to the end of the subtree, a
/// byte each. Distances of [`FAR`] or more are the exception (a record deep inside a large
/// message, a large subtree) and live in sorted side tables keyed by id: `far_parents` holds runs
/// (first node, parent), one per change of parent among the far nodes, so the elements of a large
/// packed field or the records of a large message share one entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Tree {
    /// The number of nodes, stored and implied.
    len: usize,
    kinds: Vec<u8>,
    starts: Vec<u16>,
    /// `pages[k]`: the first stored node whose start is `(k + 1) << 16` or more.
    pages: Vec<u32>,
    /// The page of every [`BLOCK`]th stored node, where `start` looks on from. Built once the
    /// tree is built.
    block_pages: Vec<u32>,
    /// `id - parent`; 0 for a root, [`FAR`] when in `far_parents`.
    parents: Vec<u8>,
    far_parents: Vec<(u32, u32)>,
    /// One past the last node of the subtree, minus the node; [`FAR`] when in `far_ends`.
    ends: Vec<u8>,
    /// (node, end of subtree), sorted by node once the tree is built.
    far_ends: Vec<(u32, u32)>,
    pub(crate) records: Vec<Record>,
    /// The packed records whose elements are implied, by id.
    runs: Vec<Run>,
    /// Every [`SAMPLE`]th element's start, from the first, of each run of varints.
    samples: Vec<u32>,
    /// A bit per id, set for a stored node. Built once the tree is built.
    stored: Rank,
    /// A bit per stored node, set for a record: what `record_of` counts with. Built once the tree
    /// is built.
    record_bits: Rank,
    /// The notes kept aside (those a [`Record`] does not keep in place), 9 bytes each: sorted by
    /// the node of the record each belongs to, beside it what kind of note (`NOTE_…`) and its
    /// number (an offset, a wire type, or for a oneof's note its position in `oneof_notes`).
    note_nodes: Vec<u32>,
    note_codes: Vec<u8>,
    note_values: Vec<u32>,
    /// The distinct oneof notes: a oneof's members written one after another (a record each)
    /// share one.
    oneof_notes: Vec<Note>,
    /// Where each oneof note is in `oneof_notes`, by oneof and the field it replaces.
    oneof_index: HashMap<(String, u32), u32>,
    reasons: Vec<(u32, Box<str>)>,
}

/// Where a tree's heap bytes go: the per-node arrays and per-record table as long as they are,
/// what else it keeps (far distances, pages, the indexes of stored nodes and records, notes,
/// reasons), and the capacity reserved beyond all of these.
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

/// What [`Tree::facts`] finds of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Facts {
    pub(crate) kind: u8,
    pub(crate) range: Range<usize>,
    pub(crate) parent: Option<usize>,
    /// The record's position in `records` (0 for other nodes).
    pub(crate) record: usize,
}

/// One node as [`Tree::walk`] reads them in order: its id, view kind, start and subtree end, and
/// its stored kind byte (0 for an implied node).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Walked {
    pub(crate) id: usize,
    pub(crate) kind: u8,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) stored: u8,
}

/// Every node in preorder, without looking up each one's position or page: [`Tree::walk`].
pub(crate) struct Walk<'a> {
    tree: &'a Tree,
    bytes: &'a [u8],
    id: usize,
    stored: usize,
    page: usize,
    next_page_at: usize,
    /// The last stored record's kind byte and subtree end, how many of its implied nodes are yet
    /// to come, how many came, and where the last one started.
    record: u8,
    record_end: usize,
    left: usize,
    nth: usize,
    at: usize,
    /// The next [`Run`], and the width of the last one's elements (0 for varints).
    run: usize,
    width: usize,
    /// The open [`GROUP_END`] groups' implied end-group tags, innermost last: the tag's id and
    /// how long it is; and the next one's id (`usize::MAX` for none).
    end_tags: Vec<(usize, usize)>,
    next_end_tag: usize,
}

impl Iterator for Walk<'_> {
    type Item = Walked;

    #[inline(always)]
    fn next(&mut self) -> Option<Walked> {
        let id = self.id;
        if self.left > 0 {
            self.left -= 1;
            self.nth += 1;
            self.id += 1;
            if self.nth > 3 {
                // A packed element: after the one before, but for the first.
                if self.nth > 4 {
                    self.at += if self.width > 0 { self.width } else { varint_len(self.bytes, self.at) };
                }
                let kind = SCALAR_BASE + (self.record & !(RECORD | ELEMENTS));
                return Some(Walked { id, kind, start: self.at, end: id + 1, stored: 0 });
            }
            let head = HEADS[usize::from(self.record)][self.nth - 1];
            if head & FOLLOWS != 0 {
                self.at += varint_len(self.bytes, self.at);
            }
            let end = match head >> 6 {
                0 => id + 1,
                1 => self.record_end,
                _ => self.record_end - 1,
            };
            return Some(Walked { id, kind: head & 0x1F, start: self.at, end, stored: 0 });
        }
        if id == self.next_end_tag {
            return Some(self.end_tag(id));
        }
        let t = self.tree;
        let s = self.stored;
        let &byte = t.kinds.get(s)?;
        while s >= self.next_page_at {
            self.page += 1;
            self.next_page_at = t.pages.get(self.page).map_or(usize::MAX, |&first| first as usize);
        }
        let start = (self.page << PAGE_BITS) | usize::from(t.starts[s]);
        let end = t.stored_end(s, id);
        self.stored += 1;
        self.id += 1;
        self.left = usize::from(IMPLIED[usize::from(byte)]);
        if self.left > 0 {
            (self.record, self.record_end, self.nth, self.at) = (byte, end, 0, start);
            if has_elements(byte) {
                self.left += t.runs[self.run].count as usize;
                self.run += 1;
                self.width = element_code(byte).width();
            } else if byte == RECORD | GROUP_END {
                self.open_group(start, end);
            }
        }
        Some(Walked { id, kind: view(byte), start, end, stored: byte })
    }
}

impl Walk<'_> {
    /// A [`GROUP_END`] record at `start` whose subtree ends before id `end`: its end-group tag
    /// comes last, as long as its tag.
    #[cold]
    #[inline(never)]
    fn open_group(&mut self, start: usize, end: usize) {
        self.end_tags.push((end - 1, varint_len(self.bytes, start)));
        self.next_end_tag = end - 1;
    }

    /// The implied end-group tag `id` of the innermost open group: it starts before those of
    /// the groups that end right after it, which end where the next stored node starts.
    #[cold]
    #[inline(never)]
    fn end_tag(&mut self, id: usize) -> Walked {
        let (_, len) = self.end_tags.pop().expect("an end-group tag is due");
        self.next_end_tag = self.end_tags.last().map_or(usize::MAX, |&(tag, _)| tag);
        let t = self.tree;
        let mut end = t.kinds.get(self.stored).map_or(self.bytes.len(), |_| t.stored_start(self.stored));
        for (k, &(tag, len)) in self.end_tags.iter().rev().enumerate() {
            if tag != id + 1 + k {
                break;
            }
            end -= len;
        }
        self.id += 1;
        Walked { id, kind: Kind::Tag.to_u8(), start: end - len, end: id + 1, stored: 0 }
    }
}

impl Tree {
    /// The number of nodes.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn at(&self, id: usize) -> At {
        match self.stored.rank(id) {
            (stored, true) => At::Stored(stored),
            (after, false) => {
                let stored = after - 1;
                let byte = self.kinds[stored];
                if has_elements(byte) {
                    // Not `previous`, which would scan back over the elements a word at a time.
                    let run = self.runs.partition_point(|r| r.record as usize <= id) - 1;
                    let Run { record, count, .. } = self.runs[run];
                    let nth = id - record as usize;
                    if nth <= 3 {
                        return At::Implied { stored, nth };
                    }
                    if nth - 4 < count as usize {
                        return At::Element { stored, run, k: nth - 4 };
                    }
                    return self.end_tag(id, record as usize);
                }
                let previous = self.stored.previous(id);
                let nth = id - previous;
                if nth <= usize::from(IMPLIED[usize::from(byte)]) {
                    return At::Implied { stored, nth };
                }
                self.end_tag(id, previous)
            }
        }
    }

    /// Implied node `id`, past the implied nodes of the stored node `from` before it, is the
    /// end-group tag of the group among `from`'s ancestors whose subtree it ends.
    #[cold]
    #[inline(never)]
    fn end_tag(&self, id: usize, from: usize) -> At {
        let mut node = from;
        loop {
            let at = self.at(node);
            if let At::Stored(s) = at
                && self.kinds[s] == RECORD | GROUP_END
                && self.stored_end(s, node) == id + 1
            {
                return At::EndTag { group: s, record: node, id };
            }
            node = self.parent_at(at, node).expect("an implied end-group tag ends a group around the node before it");
        }
    }

    #[inline]
    fn kind_at(&self, at: At) -> u8 {
        match at {
            At::Stored(s) => view(self.kinds[s]),
            At::Implied { stored, nth } => implied_kind(self.kinds[stored], nth),
            At::Element { stored, .. } => SCALAR_BASE + element_code(self.kinds[stored]) as u8,
            At::EndTag { .. } => Kind::Tag.to_u8(),
        }
    }

    /// Whether node `id` is a record.
    #[inline]
    pub(crate) fn is_record(&self, id: usize) -> bool {
        matches!(self.at(id), At::Stored(s) if self.kinds[s] & RECORD != 0)
    }

    #[inline]
    fn stored_start(&self, s: usize) -> usize {
        // A block of nodes spans more than one page only around leaves of many bytes.
        let mut page = self.block_pages[s / BLOCK] as usize;
        while self.pages.get(page).is_some_and(|&first| first as usize <= s) {
            page += 1;
        }
        (page << PAGE_BITS) | usize::from(self.starts[s])
    }

    /// Where node `id` starts in `bytes` (the annotation's input; implied nodes start after their
    /// record's tag or length prefix).
    #[inline]
    pub(crate) fn start(&self, id: usize, bytes: &[u8]) -> usize {
        self.start_at(self.at(id), bytes)
    }

    #[inline]
    fn start_at(&self, at: At, bytes: &[u8]) -> usize {
        match at {
            At::Stored(s) => self.stored_start(s),
            At::Implied { stored, nth } => {
                let at = self.stored_start(stored);
                if nth == 1 {
                    return at;
                }
                let at = at + varint_len(bytes, at);
                if nth == 2 || !implied_follows(self.kinds[stored], nth) {
                    return at;
                }
                at + varint_len(bytes, at)
            }
            At::Element { stored, run, k } => self.element_start(stored, run, k, bytes),
            // As long as the group's tag, before the node after it (the end of the group's bytes).
            At::EndTag { group, id, .. } => {
                let end = if id + 1 >= self.len { bytes.len() } else { self.start(id + 1, bytes) };
                end - varint_len(bytes, self.stored_start(group))
            }
        }
    }

    /// Where an element of the packed record stored at `stored` that starts at `start` ends (as
    /// the next one starts).
    #[inline]
    fn element_end(&self, stored: usize, start: usize, bytes: &[u8]) -> usize {
        match element_code(self.kinds[stored]).width() {
            0 => start + varint_len(bytes, start),
            width => start + width,
        }
    }

    /// Where element `k` of the packed record stored at `stored` (whose run is `run`) starts:
    /// `k` widths into its payload, or past the varints since the last sampled start.
    #[inline]
    fn element_start(&self, stored: usize, run: usize, k: usize, bytes: &[u8]) -> usize {
        let run = &self.runs[run];
        match element_code(self.kinds[stored]).width() {
            0 => skip_varints(bytes, self.samples[run.samples as usize + k / SAMPLE] as usize, k % SAMPLE),
            width => run.payload as usize + k * width,
        }
    }

    /// Node `id`'s view kind and start, found at once.
    #[inline]
    pub(crate) fn kind_and_start(&self, id: usize, bytes: &[u8]) -> (u8, usize) {
        let at = self.at(id);
        (self.kind_at(at), self.start_at(at, bytes))
    }

    /// What views ask of node `id` at once, with one lookup of where it is kept: its view kind,
    /// the bytes it spans, its parent, and for a record its position in `records`.
    #[inline]
    pub(crate) fn facts(&self, id: usize, bytes: &[u8]) -> Facts {
        let at = self.at(id);
        let kind = self.kind_at(at);
        let record = match at {
            At::Stored(s) if kind == Kind::Field.to_u8() => self.record_bits.rank(s).0,
            _ => 0,
        };
        Facts { kind, range: self.range_at(at, id, bytes), parent: self.parent_at(at, id), record }
    }

    /// The bytes node `id` spans: from its start to where the first node after its subtree starts.
    #[inline]
    pub(crate) fn range(&self, id: usize, bytes: &[u8]) -> Range<usize> {
        self.range_at(self.at(id), id, bytes)
    }

    #[inline]
    fn range_at(&self, at: At, id: usize, bytes: &[u8]) -> Range<usize> {
        let start = self.start_at(at, bytes);
        let end = match at {
            At::Element { stored, .. } => self.element_end(stored, start, bytes),
            // So does a record's implied tag or length prefix, and a group's end-group tag.
            At::Implied { stored, nth }
                if matches!(Kind::from_u8(implied_kind(self.kinds[stored], nth)), Kind::Tag | Kind::Length) =>
            {
                start + varint_len(bytes, start)
            }
            At::EndTag { .. } => start + varint_len(bytes, start),
            _ => {
                let next = self.end_at(at, id);
                if next >= self.len { bytes.len() } else { self.start(next, bytes) }
            }
        };
        start..end
    }

    /// Every node in preorder, with its start and subtree end, reading each array in order.
    pub(crate) fn walk<'a>(&'a self, bytes: &'a [u8]) -> Walk<'a> {
        Walk {
            tree: self,
            bytes,
            id: 0,
            stored: 0,
            page: 0,
            next_page_at: self.pages.first().map_or(usize::MAX, |&first| first as usize),
            record: 0,
            record_end: 0,
            left: 0,
            nth: 0,
            at: 0,
            run: 0,
            width: 0,
            end_tags: Vec::new(),
            next_end_tag: usize::MAX,
        }
    }

    /// The number of nodes that start at or before `offset`.
    pub(crate) fn starting_by(&self, offset: usize, bytes: &[u8]) -> usize {
        let stored = self.kinds.len();
        let page = offset >> PAGE_BITS;
        let from = if page == 0 { 0 } else { self.pages.get(page - 1).map_or(stored, |&f| f as usize) };
        let to = self.pages.get(page).map_or(stored, |&f| f as usize);
        let low = (offset & ((1 << PAGE_BITS) - 1)) as u16;
        let count = from + self.starts[from..to].partition_point(|&s| s <= low);
        let Some(last) = count.checked_sub(1) else { return 0 };
        // The last stored node starting by `offset`, and those of its implied nodes that do too.
        let (record, id) = (self.kinds[last], self.stored.select(last));
        let (mut nodes, mut at) = (id + 1, self.stored_start(last));
        for nth in 1..=usize::from(IMPLIED[usize::from(record)]) {
            if nth > 1 && implied_follows(record, nth) {
                at += varint_len(bytes, at);
            }
            if at > offset {
                return nodes;
            }
            nodes += 1;
        }
        if has_elements(record) {
            // The payload starts by `offset`, and so do its elements up to the one that holds it.
            let run = self.runs.partition_point(|r| r.record as usize <= id) - 1;
            let Run { count, samples, .. } = self.runs[run];
            let count = count as usize;
            let before = match element_code(record).width() {
                0 => {
                    let samples = &self.samples[samples as usize..][..count.div_ceil(SAMPLE)];
                    let sample = samples.partition_point(|&s| s as usize <= offset) - 1;
                    let (mut k, mut at) = (sample * SAMPLE, samples[sample] as usize);
                    while k + 1 < count {
                        at += varint_len(bytes, at);
                        if at > offset {
                            break;
                        }
                        k += 1;
                    }
                    k + 1
                }
                width => ((offset - at) / width + 1).min(count),
            };
            nodes += before;
            if before < count {
                return nodes;
            }
        }
        // Past them, groups' implied end-group tags (the only implied nodes not right after
        // their record) that start by `offset`.
        while nodes < self.len && !self.stored.is_set(nodes) && self.start(nodes, bytes) <= offset {
            nodes += 1;
        }
        nodes
    }

    #[inline]
    pub(crate) fn parent(&self, id: usize) -> Option<usize> {
        self.parent_at(self.at(id), id)
    }

    #[inline]
    fn parent_at(&self, at: At, id: usize) -> Option<usize> {
        let s = match at {
            At::Stored(s) => s,
            At::Implied { nth, .. } => return Some(id - nth),
            // The payload, the record's third child.
            At::Element { run, .. } => return Some(self.runs[run].record as usize + 3),
            At::EndTag { record, .. } => return Some(record),
        };
        match self.parents[s] {
            0 => None,
            FAR => {
                let run = self.far_parents.partition_point(|&(first, _)| first as usize <= id);
                Some(self.far_parents[run - 1].1 as usize)
            }
            d => Some(id - usize::from(d)),
        }
    }

    /// One past the last node of the subtree of node `id`, stored at `s`.
    #[inline]
    fn stored_end(&self, s: usize, id: usize) -> usize {
        match self.ends[s] {
            FAR => {
                let at = self.far_ends.partition_point(|&(node, _)| (node as usize) < id);
                self.far_ends[at].1 as usize
            }
            d => id + usize::from(d),
        }
    }

    /// One past the last node of `id`'s subtree.
    #[inline]
    pub(crate) fn end(&self, id: usize) -> usize {
        match self.stored.rank(id) {
            (s, true) => self.stored_end(s, id),
            (after, false) => {
                let stored = after - 1;
                if has_elements(self.kinds[stored]) && !self.is_elements_payload(id) {
                    return id + 1;
                }
                self.end_at(self.at(id), id)
            }
        }
    }

    #[inline]
    fn end_at(&self, at: At, id: usize) -> usize {
        match at {
            At::Stored(s) => self.stored_end(s, id),
            At::Implied { stored, nth } => match implied_nests(self.kinds[stored], nth) {
                0 => id + 1,
                1 => self.stored_end(stored, id - nth),
                _ => self.stored_end(stored, id - nth) - 1,
            },
            At::Element { .. } | At::EndTag { .. } => id + 1,
        }
    }

    /// Whether implied node `id`, whose record is stored at `stored` and [`has_elements`], is
    /// the record's payload (its third child, the only one not a leaf): told by the bits of the
    /// three ids before it, without looking up its run.
    #[inline(always)]
    fn is_elements_payload(&self, id: usize) -> bool {
        let bits = &self.stored;
        id >= 3 && bits.is_set(id - 3) && !bits.is_set(id - 2) && !bits.is_set(id - 1)
    }

    #[inline]
    pub(crate) fn is_leaf(&self, id: usize) -> bool {
        match self.stored.rank(id) {
            (s, true) => self.ends[s] == 1,
            (after, false) => {
                let stored = after - 1;
                if has_elements(self.kinds[stored]) {
                    return !self.is_elements_payload(id);
                }
                // A tag, length prefix or value; or a payload that is a leaf, or holds nothing
                // (its subtree, and so its record's, ends right after it); or past them, a
                // group's end-group tag.
                let nth = id - self.stored.previous(id);
                if nth > usize::from(IMPLIED[usize::from(self.kinds[stored])]) {
                    return true;
                }
                match implied_nests(self.kinds[stored], nth) {
                    0 => true,
                    nests => usize::from(self.ends[stored]) == nth + usize::from(nests),
                }
            }
        }
    }

    /// The position in `records` of the record at node `node`.
    #[inline]
    pub(crate) fn record_of(&self, node: usize) -> usize {
        self.record_bits.rank(self.stored.rank(node).0).0
    }

    /// The notes kept aside about the record at node `node` (after those [`Record::notes`]
    /// tells), in the order the walk told them.
    pub(crate) fn notes_aside_of(&self, node: u32) -> impl Iterator<Item = Note> + '_ {
        let from = self.note_nodes.partition_point(|&n| n < node);
        let to = from + self.note_nodes[from..].partition_point(|&n| n == node);
        (from..to).map(|at| self.note(at))
    }

    /// Every note kept aside from its record (those [`Record::notes`] does not tell), in node
    /// order, beside the node of its record.
    pub(crate) fn notes_aside(&self) -> impl Iterator<Item = (usize, Note)> + '_ {
        self.note_nodes.iter().enumerate().map(|(at, &node)| (node as usize, self.note(at)))
    }

    /// The `at`th note.
    fn note(&self, at: usize) -> Note {
        {
            let value = self.note_values[at];
            match self.note_codes[at] {
                NOTE_UNKNOWN => Note::Unknown,
                NOTE_RESERVED => Note::Reserved,
                NOTE_MISMATCH => {
                    Note::WireTypeMismatch { expected: WireType::from_bits(value as u8).unwrap_or(WireType::Varint) }
                }
                NOTE_REPEATED => Note::Repeated { first_at: value as usize },
                NOTE_ONEOF => self.oneof_notes[value as usize].clone(),
                NOTE_UNPACKED => Note::Unpacked,
                NOTE_PACKED_CONTINUES => Note::PackedContinues,
                NOTE_OVERLONG => Note::Overlong { at: value as usize },
                _ => Note::InvalidUtf8,
            }
        }
    }

    /// Keeps `note` about the record at node `node` (after those of earlier records).
    fn push_note(&mut self, node: u32, note: Note) {
        let (code, value) = match note {
            Note::Unknown => (NOTE_UNKNOWN, 0),
            Note::Reserved => (NOTE_RESERVED, 0),
            Note::WireTypeMismatch { expected } => (NOTE_MISMATCH, expected as u32),
            // Offsets fit a `u32` (past 4 GiB the input is one invalid leaf).
            Note::Repeated { first_at } => (NOTE_REPEATED, first_at as u32),
            Note::OneofReplaces { oneof, previous } => {
                let next = self.oneof_notes.len() as u32;
                let at = *self.oneof_index.entry((oneof, previous)).or_insert_with_key(|(oneof, previous)| {
                    self.oneof_notes.push(Note::OneofReplaces { oneof: oneof.clone(), previous: *previous });
                    next
                });
                (NOTE_ONEOF, at)
            }
            Note::Unpacked => (NOTE_UNPACKED, 0),
            Note::PackedContinues => (NOTE_PACKED_CONTINUES, 0),
            Note::Overlong { at } => (NOTE_OVERLONG, at as u32),
            Note::InvalidUtf8 => (NOTE_INVALID_UTF8, 0),
        };
        self.note_nodes.push(node);
        self.note_codes.push(code);
        self.note_values.push(value);
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
            used_and_slack(&self.runs),
            used_and_slack(&self.samples),
            used_and_slack(&self.stored.bits),
            used_and_slack(&self.stored.before),
            used_and_slack(&self.record_bits.bits),
            used_and_slack(&self.record_bits.before),
            used_and_slack(&self.note_nodes),
            used_and_slack(&self.note_codes),
            used_and_slack(&self.note_values),
            used_and_slack(&self.oneof_notes),
            used_and_slack(&self.reasons),
        ] {
            size.extras += used;
            size.slack += slack;
        }
        size.extras += self.reasons.iter().map(|(_, r)| r.len()).sum::<usize>();
        // The oneof notes' names, twice (in the note and the key), and the index's entries.
        size.extras += 2 * self.oneof_index.keys().map(|(oneof, _)| oneof.len()).sum::<usize>();
        size.extras += self.oneof_index.capacity() * std::mem::size_of::<((String, u32), u32)>();
        size
    }

    /// What the walk leaves for views to find: the far ends in node order, the page of each block
    /// of stored nodes, which ids are stored, and the record index.
    fn seal(&mut self, len: usize) {
        self.len = len;
        self.block_pages.clear();
        let mut page = 0;
        for block in (0..self.kinds.len()).step_by(BLOCK) {
            while self.pages.get(page).is_some_and(|&first| first as usize <= block) {
                page += 1;
            }
            self.block_pages.push(page as u32);
        }
        // Pushed as subtrees closed (inner ones first).
        self.far_ends.sort_unstable_by_key(|&(node, _)| node);
        let mut bits = std::mem::take(&mut self.stored.bits);
        bits.clear();
        bits.resize(len.div_ceil(64), 0);
        let mut ids = Ids { bits, id: 0, runs: self.runs.iter(), end_tags: Vec::new(), next_end_tag: usize::MAX };
        // Without groups whose end-group tag is implied, no id is skipped between stored nodes.
        if self.kinds.contains(&(RECORD | GROUP_END)) {
            ids.count::<true>(self);
        } else {
            ids.count::<false>(self);
        }
        // The end-group tags of the groups that end the input.
        let id = ids.id + ids.end_tags.len();
        debug_assert_eq!(id, len, "every id is stored or implied");
        self.stored.bits = ids.bits;
        self.stored.index();
        self.record_bits.bits.clear();
        self.record_bits.bits.extend(self.kinds.chunks(64).map(high_bits));
        self.record_bits.index();
    }
}

/// [`Tree::seal`]'s count of ids: a bit set per stored node's id.
struct Ids<'a> {
    bits: Vec<u64>,
    /// The next id.
    id: usize,
    runs: std::slice::Iter<'a, Run>,
    /// The implied end-group tags of the groups open, innermost last, and the next one's id.
    end_tags: Vec<usize>,
    next_end_tag: usize,
}

impl Ids<'_> {
    /// Sets the bit of every stored node of `tree`, which has groups whose end-group tag is
    /// implied if `GROUPS`.
    fn count<const GROUPS: bool>(&mut self, tree: &Tree) {
        // Only records imply nodes: eight stored nodes none of which is a record (a packed
        // payload's elements, a message's scalars stored whole) have eight ids in a row, unless
        // a group's implied end-group tag falls among them.
        let mut eights = tree.kinds.chunks_exact(8);
        for (chunk, eight) in (&mut eights).enumerate() {
            if u64::from_le_bytes(eight.try_into().expect("eight bytes")) & HIGH == 0
                && (!GROUPS || self.next_end_tag >= self.id + 8)
            {
                let (word, bit) = (self.id / 64, self.id % 64);
                self.bits[word] |= 0xFF << bit;
                if bit > 56 {
                    self.bits[word + 1] |= 0xFF >> (64 - bit);
                }
                self.id += 8;
                continue;
            }
            for (k, &byte) in eight.iter().enumerate() {
                self.stored::<GROUPS>(tree, chunk * 8 + k, byte);
            }
        }
        let from = tree.kinds.len() - eights.remainder().len();
        for (k, &byte) in eights.remainder().iter().enumerate() {
            self.stored::<GROUPS>(tree, from + k, byte);
        }
    }

    /// Stored node `s` of `tree`, whose kind byte is `byte`, has the next id (after the end-group
    /// tags due before it); the implied nodes right after it take those after it.
    #[inline(always)]
    fn stored<const GROUPS: bool>(&mut self, tree: &Tree, s: usize, byte: u8) {
        while GROUPS && self.id == self.next_end_tag {
            self.end_tags.pop();
            self.next_end_tag = self.end_tags.last().copied().unwrap_or(usize::MAX);
            self.id += 1;
        }
        self.bits[self.id / 64] |= 1 << (self.id % 64);
        let step = STEP[usize::from(byte)];
        if step != 0 {
            self.id += usize::from(step);
            return;
        }
        // A packed record's elements, or a group's end-group tag to come.
        if !GROUPS || has_elements(byte) {
            self.id += 4 + self.runs.next().expect("a run per packed record").count as usize;
        } else {
            self.next_end_tag = tree.stored_end(s, self.id) - 1;
            self.end_tags.push(self.next_end_tag);
            self.id += 3;
        }
    }
}

/// Bit `i` set where `kinds[i]` (64 of them at most) has its high bit set (a record's), eight
/// kinds at a time.
fn high_bits(kinds: &[u8]) -> u64 {
    const _: () = assert!(RECORD == 0x80, "`high_bits` finds records");
    let mut words = kinds.chunks_exact(8);
    let mut bits = 0;
    for (i, eight) in (&mut words).enumerate() {
        bits |= high_bits_of(eight.try_into().expect("eight bytes")) << (8 * i);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut eight = [0; 8];
        eight[..rest.len()].copy_from_slice(rest);
        bits |= high_bits_of(eight) << (kinds.len() - rest.len());
    }
    bits
}

/// Bit `i` set where byte `i` has its high bit set.
#[inline(always)]
fn high_bits_of(eight: [u8; 8]) -> u64 {
    let high = u64::from_le_bytes(eight) & 0x8080_8080_8080_8080;
    // Gathers the eight high bits into the top byte, byte 0's lowest.
    (high >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
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

/// Builds a [`Tree`] from the walk's events ([`Visitor`]): nodes are opened, filled and closed in
/// preorder. A record's tag, and then its length prefix and payload, are numbered but not pushed
/// while they follow the common shape; the first event that breaks it (an invalid leaf, a group,
/// the record's end) pushes them after all ([`TreeBuilder::settle`]).
pub(crate) struct TreeBuilder {
    pub(crate) tree: Tree,
    /// The ids of the open nodes.
    open: Vec<u32>,
    /// The input's length, to estimate how many nodes it needs.
    bytes: usize,
    /// Where the next page starts: a stored node starting there or later opens pages.
    next_page: usize,
    /// The next node's id.
    next: u32,
    pending: Pending,
    /// Where the last implied payload's subtree ended (it must end with its record).
    payload_end: u32,
    /// The open groups whose message is implied, innermost last: the record's id, its position
    /// in the node arrays, and its tag's length (an end-group tag as long is implied).
    groups: Vec<(u32, u32, u32)>,
}

/// The open record whose last children are implied so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    /// Its tag: the record's id and position in the node arrays, and where it starts.
    Tag {
        record: u32,
        stored: u32,
        start: usize,
    },
    /// Its tag and length prefix, which starts at `length`.
    Length {
        record: u32,
        stored: u32,
        start: usize,
        length: usize,
    },
}

/// What [`TreeBuilder::open`] hands back for a node that is implied, not stored.
const IMPLIED_NODE: u32 = u32::MAX;

/// An open record, as the walk refers to it: its id, its position in the node arrays, its
/// position in `records`, and its field number (which a oneof's note is kept relative to).
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpenRecord {
    node: u32,
    stored: u32,
    record: u32,
    number: u32,
}

/// A point to roll back to when a tentative reading fails.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    nodes: usize,
    next: u32,
    pending: Pending,
    open: usize,
    records: usize,
    notes: usize,
    oneof_notes: usize,
    reasons: usize,
    pages: usize,
    far_parents: usize,
    far_ends: usize,
    runs: usize,
    samples: usize,
    groups: usize,
    /// The last stored node's kind byte, which later events may change (a record's, as its
    /// implied children turn out).
    last_kind: Option<u8>,
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
        t.len = 0;
        t.kinds.clear();
        t.starts.clear();
        t.pages.clear();
        t.block_pages.clear();
        t.parents.clear();
        t.far_parents.clear();
        t.ends.clear();
        t.far_ends.clear();
        t.records.clear();
        t.runs.clear();
        t.samples.clear();
        t.stored.clear();
        t.record_bits.clear();
        t.note_nodes.clear();
        t.note_codes.clear();
        t.note_values.clear();
        t.oneof_notes.clear();
        t.oneof_index.clear();
        t.reasons.clear();
        let mut builder = TreeBuilder {
            tree,
            open,
            bytes,
            next_page: page_start(1),
            next: 0,
            pending: Pending::None,
            payload_end: 0,
            groups: Vec::new(),
        };
        // Real messages hold about one stored node per 6 bytes; the densest records one per 2 bytes,
        // and the first growth estimates from what was read (`grow`).
        builder.reserve(bytes / 4 + 16);
        builder.tree.records.reserve_exact(bytes / 6 + 8);
        builder
    }

    /// Room for `nodes` stored nodes in all.
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

    /// Stores node `id` (the next id, or an implied one being pushed after all), a child of the
    /// innermost open node; returns its position in the node arrays.
    #[inline(always)]
    fn push_at(&mut self, id: u32, start: usize, kind: u8) -> u32 {
        if self.tree.kinds.len() == self.tree.kinds.capacity() {
            self.grow(start);
        }
        let t = &mut self.tree;
        let stored = t.kinds.len() as u32;
        t.kinds.push(kind);
        t.starts.push(start as u16);
        if start >= self.next_page {
            self.next_page = new_pages(&mut t.pages, stored, start);
        }
        let parent = match self.open.last() {
            None => 0,
            Some(&parent) if id - parent < u32::from(FAR) => (id - parent) as u8,
            Some(&parent) if t.far_parents.last().is_some_and(|&(_, p)| p == parent) => FAR,
            Some(&parent) => far_parent(&mut t.far_parents, id, parent),
        };
        t.parents.push(parent);
        t.ends.push(1);
        stored
    }

    /// Stores the next node (after the implied nodes of the open record, if any); returns its id
    /// and position in the node arrays.
    #[inline(always)]
    fn push(&mut self, start: usize, kind: u8) -> (u32, u32) {
        if self.pending != Pending::None {
            self.settle();
        }
        let id = self.next;
        let stored = self.push_at(id, start, kind);
        self.next += 1;
        (id, stored)
    }

    /// The open record's implied nodes are not what an implied record holds after all: stores them.
    #[cold]
    #[inline(never)]
    fn settle(&mut self) {
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::None => {}
            Pending::Tag { record, start, .. } => {
                debug_assert_eq!(self.open.last(), Some(&record));
                self.push_at(record + 1, start, Kind::Tag.to_u8());
            }
            Pending::Length { record, start, length, .. } => {
                debug_assert_eq!(self.open.last(), Some(&record));
                self.push_at(record + 1, start, Kind::Tag.to_u8());
                self.push_at(record + 2, length, Kind::Length.to_u8());
            }
        }
    }

    /// A whole record as one stored node whose kind (`RECORD` and its value's `kind`) implies its
    /// `implied` children (the tag, a length prefix, the value), all leaves; nothing is left open.
    #[inline(always)]
    fn whole_record(&mut self, start: usize, tag: u64, kind: Kind, implied: u32, index: u32, field: u32) -> OpenRecord {
        let (node, stored) = self.push(start, RECORD | kind.to_u8());
        self.tree.ends[stored as usize] = 1 + implied as u8;
        self.next += implied;
        if self.tree.records.len() == self.tree.records.capacity() {
            self.grow_records(start);
        }
        self.tree.records.push(Record::new(index, field));
        OpenRecord { node, stored, record: self.tree.records.len() as u32 - 1, number: (tag >> 3) as u32 }
    }

    /// `count` leaves of `kind` at `starts`, the children of the open node (a packed payload's
    /// elements): each array filled in one pass, rather than a node at a time.
    fn push_leaves(&mut self, count: usize, kind: Kind, starts: impl Iterator<Item = usize>) {
        if self.pending != Pending::None {
            self.settle();
        }
        let t = &mut self.tree;
        if t.kinds.capacity() - t.kinds.len() < count {
            let len = t.kinds.len();
            self.reserve(len + count);
        }
        let t = &mut self.tree;
        let (first, first_stored) = (self.next, t.kinds.len() as u32);
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
        // Written in place (no length and capacity kept per element), the page looked at each time.
        let from = t.starts.len();
        t.starts.resize(from + count, 0);
        let mut stored = first_stored;
        for (slot, start) in t.starts[from..].iter_mut().zip(starts) {
            *slot = start as u16;
            if start >= self.next_page {
                self.next_page = new_pages(&mut t.pages, stored, start);
            }
            stored += 1;
        }
        debug_assert_eq!(stored as usize, t.kinds.len());
        self.next += count as u32;
    }

    /// `count` elements of `kind` that start the open payload at `start`: implied, with a
    /// [`Run`] (for varints, the caller pushes the samples), if the payload is implied and has
    /// nothing yet.
    #[inline]
    fn imply_elements(&mut self, start: usize, count: usize, kind: Kind) -> bool {
        let t = &mut self.tree;
        let Some(last) = t.kinds.len().checked_sub(1) else { return false };
        // The last stored node is the record of the payload just opened (its id is one back).
        let payload = self.next - 1;
        if count < IMPLY_FROM
            || t.kinds[last] != RECORD | Kind::Packed.to_u8()
            || self.pending != Pending::None
            || self.open.last() != Some(&payload)
            || count > (u32::MAX - self.next) as usize
        {
            return false;
        }
        let Kind::Scalar(code) = kind else { return false };
        t.kinds[last] = RECORD | ELEMENTS | code as u8;
        // Offsets fit a `u32` (past 4 GiB the input is one invalid leaf).
        let (count, payload_start, samples) = (count as u32, start as u32, t.samples.len() as u32);
        t.runs.push(Run { record: payload - 3, count, payload: payload_start, samples });
        self.next += count;
        true
    }

    /// The tree, its buffers as large as they grew (for [`TreeBuilder::reuse`]).
    pub(crate) fn finish_keeping_capacity(mut self) -> (Tree, Vec<u32>) {
        debug_assert!(self.open.is_empty() && self.pending == Pending::None && self.groups.is_empty());
        self.tree.seal(self.next as usize);
        (self.tree, self.open)
    }

    pub(crate) fn finish(mut self) -> Tree {
        debug_assert!(self.open.is_empty() && self.pending == Pending::None && self.groups.is_empty());
        let t = &mut self.tree;
        t.seal(self.next as usize);
        // In place for large buffers (the allocator gives back the tail), so it costs no copy.
        t.kinds.shrink_to_fit();
        t.starts.shrink_to_fit();
        t.parents.shrink_to_fit();
        t.ends.shrink_to_fit();
        t.records.shrink_to_fit();
        // Those that grow by doubling as they are pushed to: a packed field split over many
        // records of a few elements each leaves its runs' slack as large as their annotation.
        t.runs.shrink_to_fit();
        t.samples.shrink_to_fit();
        t.note_nodes.shrink_to_fit();
        t.note_codes.shrink_to_fit();
        t.note_values.shrink_to_fit();
        self.tree
    }
}

/// The stored node `stored` starting at `start` opens one or more pages; returns where the next
/// one starts.
#[cold]
#[inline(never)]
fn new_pages(pages: &mut Vec<u32>, stored: u32, start: usize) -> usize {
    while start >> PAGE_BITS > pages.len() {
        pages.push(stored);
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
    type Record = OpenRecord;
    type Mark = Mark;

    /// The record's node; its tag is implied until an event says otherwise.
    #[inline]
    fn open_record(
        &mut self,
        start: usize,
        tag: varint::Varint,
        index: u32,
        field: u32,
        _: Option<&FieldDescriptor>,
    ) -> OpenRecord {
        let (node, stored) = self.push(start, RECORD);
        self.open.push(node);
        if self.tree.records.len() == self.tree.records.capacity() {
            self.grow_records(start);
        }
        self.tree.records.push(Record::new(index, field));
        self.next += 1;
        self.pending = Pending::Tag { record: node, stored, start };
        OpenRecord { node, stored, record: self.tree.records.len() as u32 - 1, number: (tag.value >> 3) as u32 }
    }

    /// One stored node, whose kind implies the tag and the value.
    #[inline]
    fn scalar_record(
        &mut self,
        start: usize,
        tag: varint::Varint,
        index: u32,
        field: u32,
        _: Option<&FieldDescriptor>,
        value: Range<usize>,
        code: ScalarCode,
    ) -> OpenRecord {
        debug_assert_eq!(value.start, start + tag.len, "the value follows the tag");
        self.whole_record(start, tag.value, Kind::Scalar(code), 2, index, field)
    }

    /// One stored node, whose kind implies the tag, the length prefix and the string.
    #[inline]
    fn string_record(
        &mut self,
        start: usize,
        tag: varint::Varint,
        index: u32,
        field: u32,
        _: Option<&FieldDescriptor>,
        length: varint::Varint,
        payload: Range<usize>,
        _: &str,
    ) -> OpenRecord {
        debug_assert_eq!(payload.start, start + tag.len + length.len, "the string follows the tag and prefix");
        self.whole_record(start, tag.value, Kind::Str, 3, index, field)
    }

    /// Notes belong to the last record opened. `Unpacked` is not kept: the record's field and
    /// wire type tell it again (`Field::notes`). The notes a record can keep in place are kept
    /// there, unless a note kept aside came before them.
    fn note(&mut self, record: OpenRecord, note: Note) {
        let aside = self.tree.note_nodes.last().copied();
        debug_assert!(aside.is_none_or(|n| n <= record.node));
        // An overlong note is about the tag when it is at the record's start: the low bits of
        // the start tell, as the tag is at most 10 bytes.
        let at_start = matches!(note, Note::Overlong { at } if at as u16 == self.tree.starts[record.stored as usize]);
        if note != Note::Unpacked
            && (aside == Some(record.node)
                || !self.tree.records[record.record as usize].keep(&note, at_start, record.number))
        {
            self.tree.push_note(record.node, note);
        }
    }

    #[inline]
    fn readings(&mut self, record: OpenRecord, chosen: Chosen) {
        self.tree.records[record.record as usize].set_readings(chosen);
    }

    #[inline(always)]
    fn close_record(&mut self, record: OpenRecord) {
        if self.pending != Pending::None {
            self.settle();
        }
        if self.groups.last().is_some_and(|&(_, stored, _)| stored == record.stored) {
            self.groups.pop();
        }
        let kind = &mut self.tree.kinds[record.stored as usize];
        if *kind == RECORD | GROUP && self.payload_end == self.next {
            // No end-group tag came: the group's message ends with the record.
            *kind = RECORD | CUT_GROUP;
        }
        debug_assert!(
            implied_nests(self.tree.kinds[record.stored as usize], 3) != 1 || self.payload_end == self.next,
            "an implied payload ends with its record"
        );
        self.close(record.stored);
    }

    /// The nodes pushed until the matching `close` become its subtree. A LEN record's payload
    /// is implied, and so is a group's message (opened right after the record's tag);
    /// [`IMPLIED_NODE`] stands for them.
    #[inline(always)]
    fn open(&mut self, start: usize, kind: Kind) -> u32 {
        let implied = match (kind, self.pending) {
            (Kind::Message | Kind::Packed, Pending::Length { stored, .. }) => Some((stored, kind.to_u8())),
            (Kind::Message, Pending::Tag { record, stored, start: at }) => {
                // Offsets fit a `u32` (past 4 GiB the input is one invalid leaf).
                self.groups.push((record, stored, (start - at) as u32));
                Some((stored, GROUP))
            }
            _ => None,
        };
        if let Some((stored, sub)) = implied {
            self.tree.kinds[stored as usize] = RECORD | sub;
            self.pending = Pending::None;
            self.open.push(self.next);
            self.next += 1;
            return IMPLIED_NODE;
        }
        let (id, stored) = self.push(start, kind.to_u8());
        self.open.push(id);
        stored
    }

    #[inline(always)]
    fn close(&mut self, stored: u32) {
        let id = self.open.pop().expect("a node is open");
        if stored == IMPLIED_NODE {
            self.payload_end = self.next;
            return;
        }
        let t = &mut self.tree;
        let end = self.next;
        t.ends[stored as usize] = if end - id < u32::from(FAR) {
            (end - id) as u8
        } else {
            t.far_ends.push((id, end));
            FAR
        };
    }

    /// Only the start is stored: a leaf ends where the next node starts. A LEN record's length
    /// prefix and string or bytes payload are implied.
    #[inline(always)]
    fn leaf(&mut self, range: Range<usize>, kind: Kind) {
        match (kind, self.pending) {
            (Kind::Length, Pending::Tag { record, stored, start }) => {
                self.pending = Pending::Length { record, stored, start, length: range.start };
                self.next += 1;
            }
            (Kind::Str | Kind::Bytes, Pending::Length { stored, .. }) => {
                self.tree.kinds[stored as usize] = RECORD | kind.to_u8();
                self.pending = Pending::None;
                self.next += 1;
            }
            // The end-group tag after a group's (implied) message: implied right after an empty
            // message, and after fields if it is as long as the group's tag.
            (Kind::Tag, Pending::None)
                if let Some(&(record, stored, len)) = self.groups.last()
                    && self.open.last() == Some(&record)
                    && self.tree.kinds[stored as usize] == RECORD | GROUP
                    && (record + 3 == self.next || range.len() == len as usize) =>
            {
                let sub = if record + 3 == self.next { EMPTY_GROUP } else { GROUP_END };
                self.tree.kinds[stored as usize] = RECORD | sub;
                self.next += 1;
            }
            _ => {
                self.push(range.start, kind.to_u8());
            }
        }
    }

    /// Implied by the record's kind byte when they are the first nodes of its implied payload;
    /// stored otherwise.
    fn fixed_leaves(&mut self, start: usize, count: usize, width: usize, kind: Kind) {
        if !self.imply_elements(start, count, kind) {
            self.push_leaves(count, kind, (0..count).map(|i| start + i * width));
        }
    }

    /// As [`fixed_leaves`](Visitor::fixed_leaves), with a sample of the starts kept.
    fn varint_leaves(&mut self, start: usize, bytes: &[u8], count: usize, kind: Kind) {
        if self.imply_elements(start, count, kind) {
            sample_varints(start, bytes, count, &mut self.tree.samples);
        } else {
            self.push_leaves(count, kind, VarintStarts::new(start, bytes).take(count));
        }
    }

    fn invalid(&mut self, range: Range<usize>, reason: &str) {
        let (id, _) = self.push(range.start, Kind::Invalid.to_u8());
        self.tree.reasons.push((id, reason.into()));
    }

    fn mark(&self) -> Mark {
        let t = &self.tree;
        Mark {
            nodes: t.kinds.len(),
            next: self.next,
            pending: self.pending,
            open: self.open.len(),
            records: t.records.len(),
            notes: t.note_nodes.len(),
            oneof_notes: t.oneof_notes.len(),
            reasons: t.reasons.len(),
            pages: t.pages.len(),
            far_parents: t.far_parents.len(),
            far_ends: t.far_ends.len(),
            runs: t.runs.len(),
            samples: t.samples.len(),
            groups: self.groups.len(),
            last_kind: t.kinds.last().copied(),
        }
    }

    /// The subtrees closed since the mark all lie after it (the reading's own node is still open),
    /// so their far ends are the last ones pushed. A record that had implied nodes at the mark
    /// has them again (and the kind of a record whose children are not known yet).
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
        t.runs.truncate(mark.runs);
        t.samples.truncate(mark.samples);
        t.records.truncate(mark.records);
        t.note_nodes.truncate(mark.notes);
        t.note_codes.truncate(mark.notes);
        t.note_values.truncate(mark.notes);
        if t.oneof_notes.len() > mark.oneof_notes {
            t.oneof_notes.truncate(mark.oneof_notes);
            t.oneof_index.retain(|_, at| (*at as usize) < mark.oneof_notes);
        }
        t.reasons.truncate(mark.reasons);
        self.open.truncate(mark.open);
        self.groups.truncate(mark.groups);
        self.next = mark.next;
        self.pending = mark.pending;
        if let Some(kind) = mark.last_kind {
            t.kinds[mark.nodes - 1] = kind;
        }
        debug_assert!(
            !matches!(mark.pending, Pending::Tag { stored, .. } | Pending::Length { stored, .. }
                if t.kinds[stored as usize] != RECORD),
            "a record whose children are not known yet implies none"
        );
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
        /// (record's node, note)
        notes: Vec<(usize, Note)>,
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
        type Mark = (usize, usize, usize, usize);

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

        fn note(&mut self, record: u32, note: Note) {
            self.notes.push((record as usize, note));
        }

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

        fn mark(&self) -> (usize, usize, usize, usize) {
            (self.kinds.len(), self.records.len(), self.open.len(), self.notes.len())
        }

        fn rollback(&mut self, (nodes, records, open, notes): (usize, usize, usize, usize)) {
            self.notes.truncate(notes);
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
        compare(t, &plain, bytes);
        assert_eq!(t.records.len(), plain.records.len());
        for (at, &(node, index, field)) in plain.records.iter().enumerate() {
            assert_eq!(t.records[at].index(), index);
            assert_eq!(t.records[at].field(), (field != NO_FIELD).then_some(field as usize));
            let notes: Vec<Note> =
                plain.notes.iter().filter(|(n, _)| *n == node).map(|(_, note)| note.clone()).collect();
            assert_eq!(a.field(node).expect("a record").notes(), notes, "notes of {node}");
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
        // Replayed, the annotation tells what the walk told.
        let replayed = a.replay(Plain::default());
        assert!(replayed.kinds == plain.kinds && replayed.starts == plain.starts, "replayed nodes");
        assert!(replayed.parents == plain.parents && replayed.ends == plain.ends, "replayed shape");
        assert!(replayed.records == plain.records && replayed.notes == plain.notes, "replayed records");
        // An annotator that read other bytes first keeps nothing of them.
        let mut again = Annotator::new(message, Limits::default());
        again.annotate(&[0x0A, 0x02, 0x08, 0x01].repeat(20_000));
        assert!(again.annotate(bytes) == &a, "a reused annotator reads the bytes as annotate does");
        a.tree.clone()
    }

    /// Checks every node of `t` (built from `bytes`) against `plain`, as views ask for them: one
    /// at a time, in order, and by offset.
    fn compare(t: &Tree, plain: &Plain, bytes: &[u8]) {
        assert_eq!(t.len(), plain.kinds.len());
        let mut walk = t.walk(bytes);
        for id in 0..t.len() {
            assert_eq!(t.kind_and_start(id, bytes).0, plain.kinds[id], "kind of {id}");
            assert_eq!(t.is_record(id), plain.kinds[id] == Kind::Field.to_u8(), "record {id}");
            assert_eq!(t.start(id, bytes), plain.starts[id], "start of {id}");
            let walked = walk.next().map(|n| (n.id, n.kind, n.start, n.end));
            assert_eq!(walked, Some((id, plain.kinds[id], plain.starts[id], plain.ends[id])), "node {id} in order");
            assert_eq!(t.parent(id), plain.parents[id], "parent of {id}");
            assert_eq!(t.end(id), plain.ends[id], "end of {id}");
            assert_eq!(t.is_leaf(id), plain.ends[id] == id + 1, "leaf {id}");
            let end = plain.starts.get(plain.ends[id]).copied().unwrap_or(bytes.len());
            assert_eq!(t.range(id, bytes), plain.starts[id]..end, "range of {id}");
            let facts = t.facts(id, bytes);
            assert_eq!(
                (facts.kind, facts.range, facts.parent),
                (plain.kinds[id], plain.starts[id]..end, plain.parents[id])
            );
            if plain.kinds[id] == Kind::Field.to_u8() {
                assert_eq!(facts.record, t.record_of(id), "record {id}");
            }
        }
        assert_eq!(walk.next(), None);
        for (at, &(node, _, _)) in plain.records.iter().enumerate() {
            assert_eq!(t.record_of(node), at, "record of {node}");
        }
        // Nodes starting by an offset, at every offset of small inputs and around the stored ones.
        let offsets: Vec<usize> = if bytes.len() < 5000 {
            (0..=bytes.len()).collect()
        } else {
            (0..bytes.len()).step_by(997).chain((0..t.kinds.len()).step_by(101).map(|s| t.stored_start(s))).collect()
        };
        for offset in offsets {
            let expected = plain.starts.partition_point(|&s| s <= offset);
            assert_eq!(t.starting_by(offset, bytes), expected, "nodes starting by {offset}");
        }
        // Stored ids and records are found again by position.
        for s in (0..t.kinds.len()).step_by(13) {
            assert!(t.stored.rank(t.stored.select(s)) == (s, true), "stored node {s}");
        }
    }

    /// The events of a packed record (field 1, wire type LEN, `count` fixed32 elements at 2),
    /// told to `v` with a mark and a rollback inside its payload: its elements told at once,
    /// then forgotten, then told one at a time; and an empty group (field 2) rolled back and
    /// told again with a field. Returns the bytes they stand for.
    fn rolled_back<V: Visitor>(v: &mut V, count: usize) -> Vec<u8> {
        let tag = |value| varint::Varint { value, len: 1 };
        let mut bytes = vec![0x0A, 4 * count as u8];
        bytes.extend((0..4 * count).map(|i| i as u8));
        let record = v.open_record(0, tag(0x0A), 0, NO_FIELD, None);
        v.length(1..2, tag(4 * count as u64));
        let payload = v.open(2, Kind::Packed);
        let mark = v.mark();
        v.fixed_leaves(2, count, 4, Kind::Scalar(ScalarCode::Fixed32));
        v.rollback(mark);
        for k in 0..count {
            v.leaf(2 + 4 * k..6 + 4 * k, Kind::Scalar(ScalarCode::Fixed32));
        }
        v.close(payload);
        v.close_record(record);
        let at = bytes.len();
        let mark = v.mark();
        let group = v.open_record(at, tag(0x13), 0, NO_FIELD, None);
        let message = v.open(at + 1, Kind::Message);
        v.close(message);
        v.leaf(at + 1..at + 2, Kind::Tag);
        v.close_record(group);
        v.rollback(mark);
        let group = v.open_record(at, tag(0x13), 0, NO_FIELD, None);
        let message = v.open(at + 1, Kind::Message);
        let field = v.open_record(at + 1, tag(0x08), 0, NO_FIELD, None);
        v.leaf(at + 2..at + 3, Kind::Scalar(ScalarCode::Uint64));
        v.close_record(field);
        v.close(message);
        v.leaf(at + 3..at + 4, Kind::Tag);
        v.close_record(group);
        bytes.extend([0x13, 0x08, 0x01, 0x14]);
        bytes
    }

    #[test]
    fn a_rollback_inside_a_packed_payload_or_after_a_group_forgets_what_they_implied() {
        for count in [4, 31] {
            let mut builder = TreeBuilder::new(4 * count + 6);
            let mut plain = Plain::default();
            let bytes = rolled_back(&mut builder, count);
            rolled_back(&mut plain, count);
            let t = builder.finish();
            // The packed record, its elements, the group and its field's record, tag and value
            // (the end-group tag is implied).
            assert!(t.runs.is_empty() && t.kinds.len() == count + 5, "{:x?}", t.kinds);
            compare(&t, &plain, &bytes);
        }
    }

    #[test]
    fn far_parents_far_ends_and_pages_read_back_as_the_walk_told_them() {
        let pairs = [0x08, 0x01].repeat(100_000);
        // One message of 300,000 nodes: every record's parent and the message's end are far.
        let t = check(&len_record(1, &pairs), None);
        assert!(t.far_parents.len() == 1 && !t.far_ends.is_empty() && t.pages.len() == 3);
        // Records at odd offsets: a page starts at the implied value of one of them, and the
        // first stored node of the page is the next record.
        let mut odd = vec![0x08, 0x96, 0x01];
        odd.extend(&pairs);
        let t = check(&odd, None);
        assert_eq!(t.stored_start(t.pages[0] as usize), (1 << 16) + 1);
        let value = t.starting_by(1 << 16, &odd) - 1;
        assert_eq!(t.kind_and_start(value, &odd), (Kind::Scalar(ScalarCode::Uint64).to_u8(), 1 << 16));

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

    /// A record: its tag (field `field`, wire type `wire`) and what follows.
    fn record(field: u32, wire: u8, rest: &[u8]) -> Vec<u8> {
        let mut bytes = varint(u64::from(field) << 3 | u64::from(wire));
        bytes.extend_from_slice(rest);
        bytes
    }

    fn varint(mut value: u64) -> Vec<u8> {
        let mut bytes = Vec::new();
        while value >= 0x80 {
            bytes.push(value as u8 | 0x80);
            value >>= 7;
        }
        bytes.push(value as u8);
        bytes
    }

    /// A schema with a field of every kind, and records of every shape for it: scalars, LEN
    /// records, groups, and records cut or invalid (each meant to end the input). Also the
    /// message the LEN records nest.
    #[allow(clippy::type_complexity)]
    fn every_shape() -> (prost_reflect::MessageDescriptor, [Vec<Vec<u8>>; 4], Vec<u8>) {
        let schema = crate::schema::Schema::compile(&[(
            "t.proto",
            "syntax = \"proto2\"; enum E { A = 0; B = 1; }
             message T {
               optional int32 i = 1; optional sint64 s = 2; optional fixed32 f = 3; optional fixed64 h = 4;
               optional float fl = 5; optional double d = 6; optional bool b = 7; optional E e = 8;
               optional string str = 9; optional bytes by = 10; optional T t = 11;
               repeated int32 p = 12 [packed = true]; repeated fixed64 pf = 13 [packed = true];
               optional group G = 14 { optional int32 x = 1; } repeated T ts = 15;
               repeated group Q = 52 { repeated int32 q = 1 [packed = true]; }
               optional sfixed32 sf = 16; optional sfixed64 sg = 17; optional uint32 u = 18;
               optional uint64 v = 19; optional int64 w = 21; optional sint32 z = 22;
               oneof o { int32 oa = 23; string ob = 24; }
               reserved 20;
               repeated int64 p2 = 40 [packed = true]; repeated uint32 p3 = 41 [packed = true];
               repeated uint64 p4 = 42 [packed = true]; repeated sint32 p5 = 43 [packed = true];
               repeated sint64 p6 = 44 [packed = true]; repeated bool p7 = 45 [packed = true];
               repeated E p8 = 46 [packed = true]; repeated fixed32 p9 = 47 [packed = true];
               repeated sfixed32 p10 = 48 [packed = true]; repeated float p11 = 49 [packed = true];
               repeated sfixed64 p12 = 50 [packed = true]; repeated double p13 = 51 [packed = true];
             }",
        )])
        .expect("the schema compiles");
        let t_type = schema.message("T").expect("T is declared");
        let scalars = vec![
            record(1, 0, &varint(u64::MAX)),
            record(2, 0, &varint(300)),
            record(3, 5, &[1, 2, 3, 4]),
            record(4, 1, &[1, 2, 3, 4, 5, 6, 7, 8]),
            record(5, 5, &1.5f32.to_le_bytes()),
            record(6, 1, &2.5f64.to_le_bytes()),
            record(7, 0, &[1]),
            record(8, 0, &[1]),
            record(16, 5, &[1, 2, 3, 4]),
            record(17, 1, &[1, 2, 3, 4, 5, 6, 7, 8]),
            record(18, 0, &[0x80, 1]),
            record(19, 0, &[2]),
            record(21, 0, &varint(u64::MAX)),
            record(22, 0, &[3]),
            // Two fields of a oneof, a packed field written unpacked.
            record(23, 0, &[1]),
            len_record(24, b"x"),
            record(12, 0, &[1]),
            // Overlong: a value, then a tag (notes on the record).
            record(1, 0, &[0x81, 0x00]),
            vec![0x88, 0x80, 0x00, 0x05],
            // Unknown and reserved numbers, and a field read with another wire type.
            record(30, 0, &[7]),
            record(20, 5, &[1, 2, 3, 4]),
            record(1, 1, &[1, 2, 3, 4, 5, 6, 7, 8]),
            // Notes kept in the record and aside: an unknown field with an overlong tag and value.
            vec![0xF0, 0x81, 0x00, 0x81, 0x00],
        ];
        let inner = [record(1, 0, &[5]), record(9, 2, &[3, b'a', b'b', b'c'])].concat();
        let lens = vec![
            len_record(9, b"text"),
            len_record(9, b""),
            len_record(9, &[0xFF, 0xFE]),
            len_record(10, &[0, 1, 2]),
            len_record(10, b""),
            len_record(11, &inner),
            len_record(11, b""),
            len_record(11, &len_record(11, &len_record(11, &inner))),
            len_record(15, &inner),
            len_record(15, &inner),
            len_record(12, &[1, 0x96, 0x01, 3]),
            len_record(12, b""),
            len_record(13, &[1, 2, 3, 4, 5, 6, 7, 8]),
            // A packed varint cut short, and packed fixed64s with bytes left over.
            len_record(12, &[1, 0x96]),
            len_record(13, &[1, 2, 3, 4, 5, 6, 7, 8, 9]),
            // A length with a long prefix.
            record(10, 2, &[0x83, 0x00, 1, 2, 3]),
            // Every note a record keeps in place (seen before, an overlong length, not UTF-8), and
            // the same after a note kept aside (a oneof's).
            record(9, 2, &[0x81, 0x00, 0xFF]),
            record(24, 2, &[0x81, 0x00, 0xFF]),
        ];
        // Packed payloads of every element code, of fewer elements than are implied, of just
        // enough, and of more than one and two samples' worth (varints of one to ten bytes).
        let mut lens = lens;
        for (number, width) in [(12, 0), (13, 8)].into_iter().chain((40..=46).map(|n| (n, 0))).chain([
            (47, 4),
            (48, 4),
            (49, 4),
            (50, 8),
            (51, 8),
        ]) {
            for count in [2, 3, 4, 17, 33, 70] {
                let payload: Vec<u8> = match width {
                    0 => (0..count as u64).flat_map(|i| varint((i * i * 7919) >> (i % 64))).collect(),
                    width => (0..count * width).map(|i| i as u8).collect(),
                };
                lens.push(record(number, 2, &[varint(payload.len() as u64), payload].concat()));
            }
        }
        // A group, an empty one, and one that holds a nested message.
        let group = |number: u32, fields: &[u8]| [record(number, 3, fields), record(number, 4, &[])].concat();
        let groups = vec![
            group(14, &record(1, 0, &[1])),
            group(14, &[]),
            record(14, 3, &[record(1, 0, &[1]), len_record(2, &inner), record(14, 4, &[])].concat()),
            // End-group tags longer than the tag, shorter, and as long (both overlong).
            [record(14, 3, &record(1, 0, &[1])), vec![0xF4, 0x00]].concat(),
            [vec![0xF3, 0x00], record(1, 0, &[1]), vec![0x74]].concat(),
            [vec![0xF3, 0x00], record(1, 0, &[1]), vec![0xF4, 0x00]].concat(),
            // Groups that end together: three deep, around an empty one, around a message.
            group(14, &group(16, &group(17, &record(1, 0, &[1])))),
            group(14, &group(16, &[record(1, 0, &[1]), group(17, &[])].concat())),
            group(14, &group(16, &len_record(11, &inner))),
            // Groups that end with packed elements, implied and stored, and a group of 300
            // fields (far parents).
            group(52, &len_record(1, &[1, 2, 3, 0x96, 0x01, 5])),
            group(52, &len_record(1, &[1, 2])),
            group(14, &record(1, 0, &[1]).repeat(300)),
        ];
        let cut = vec![
            // A length that runs past the end, a cut varint, a cut fixed32, a cut tag, a bad wire
            // type, field 0, a group that never ends, an end group with no start, each at the end.
            record(9, 2, &[5, b'a']),
            record(1, 0, &[0xFF]),
            record(3, 5, &[1, 2]),
            vec![0x88],
            record(1, 6, &[1]),
            vec![0x00, 0x01],
            record(14, 3, &record(1, 0, &[1])),
            record(14, 4, &[]),
            // Inside a message: its payload is cut, and the record around it is not.
            len_record(11, &record(9, 2, &[5, b'a'])),
            len_record(11, &record(1, 0, &[0xFF])),
        ];
        (t_type, [scalars, lens, groups, cut], inner)
    }

    #[test]
    fn every_shape_of_record_reads_back_as_the_walk_told_it() {
        let (t_type, [scalars, lens, groups, cut], inner) = every_shape();
        let (scalars, lens, groups) = (scalars.concat(), lens.concat(), groups.concat());
        // Every record kind byte the trees stored.
        let mut seen = std::collections::BTreeSet::new();
        let mut check = |bytes: &[u8], message| {
            seen.extend(check(bytes, message).kinds.into_iter().filter(|&k| k & RECORD != 0));
        };
        for message in [Some(&t_type), None] {
            for bytes in [&scalars, &lens, &groups] {
                check(bytes, message);
            }
            check(&[scalars.clone(), lens.clone(), groups.clone()].concat(), message);
            for tail in &cut {
                check(tail, message);
                check(&[lens.clone(), tail.clone()].concat(), message);
                check(&[groups.clone(), tail.clone(), scalars.clone()].concat(), message);
            }
        }

        // Without a schema, payloads that read as messages to their last byte and fail there, at
        // every depth (each rolled back to a string or bytes mid-record), and one that fits.
        let mut late = [record(1, 0, &[1]), len_record(2, b"ab")].concat();
        late.push(0x07);
        for _ in 0..5 {
            late = [len_record(1, &late), record(3, 0, &[1]), len_record(4, &inner)].concat();
            check(&late, None);
        }
        check(&len_record(1, &[late.clone(), inner.clone()].concat()), None);
        check(b"", None);
        // Records of every implied shape were met, and records that store all their children.
        let payloads = [Kind::Str, Kind::Bytes, Kind::Message, Kind::Packed];
        let scalars = ScalarCode::ALL.map(Kind::Scalar);
        let implied = payloads.iter().chain(&scalars).map(|k| RECORD | k.to_u8());
        let elements = ScalarCode::ALL.map(|code| RECORD | ELEMENTS | code as u8);
        let groups = [GROUP, EMPTY_GROUP, CUT_GROUP, GROUP_END].map(|sub| RECORD | sub);
        let implied = implied.chain(elements).chain(groups);
        assert!(seen.contains(&RECORD) && implied.clone().all(|k| seen.contains(&k)), "{seen:x?}");
        assert_eq!(seen.len(), implied.count() + 1);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 32,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x7669_7274),
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Records of every shape in any order, some bytes changed, inserted, removed or cut off:
        /// the tree reads back as the walk told it, with the schema and without.
        #[test]
        fn any_records_damaged_anywhere_read_back_as_the_walk_told_them(
            picks in proptest::collection::vec((0usize..4, proptest::prelude::any::<proptest::sample::Index>()), 0..10),
            damage in crate::testing::damage(),
        ) {
            let (t_type, shapes, _) = every_shape();
            let mut bytes: Vec<u8> = picks.iter().flat_map(|(shape, at)| at.get(&shapes[*shape]).clone()).collect();
            crate::testing::apply(&mut bytes, damage);
            check(&bytes, Some(&t_type));
            check(&bytes, None);
            // Nested in a LEN record, where a schema-less reading may roll back.
            check(&len_record(15, &bytes), Some(&t_type));
            check(&len_record(1, &bytes), None);
        }
    }

    #[test]
    fn high_bits_finds_every_record_kind_among_any_bytes() {
        let naive = |kinds: &[u8]| kinds.iter().enumerate().fold(0u64, |b, (i, &k)| b | u64::from(k >= 0x80) << i);
        // Every byte value beside a record's and alone, at every position and length.
        let mut kinds: Vec<u8> = (0..=255u8).flat_map(|b| [b, RECORD, b, b]).collect();
        kinds.extend([RECORD; 70]);
        for from in 0..kinds.len() {
            let chunk = &kinds[from..kinds.len().min(from + 64)];
            for len in [chunk.len(), chunk.len() / 2, 1] {
                assert_eq!(high_bits(&chunk[..len]), naive(&chunk[..len]), "{:02x?}", &chunk[..len]);
            }
        }
    }

    #[test]
    fn rank_counts_selects_and_finds_the_previous_bit() {
        // Bits at a varied stride, across several counts' blocks.
        let set: Vec<usize> = (0..3000).filter(|i| i % 7 == 0 || i % 11 == 3 || (600..900).contains(i)).collect();
        let mut rank = Rank { bits: vec![0; 3000usize.div_ceil(64)], before: Vec::new() };
        for &i in &set {
            rank.bits[i / 64] |= 1 << (i % 64);
        }
        rank.index();
        for at in 0..3000 {
            let before = set.partition_point(|&i| i < at);
            assert_eq!(rank.rank(at), (before, set.get(before) == Some(&at)), "rank of {at}");
            assert_eq!(rank.previous(at), before.checked_sub(1).map_or(0, |b| set[b]), "before {at}");
        }
        for (n, &i) in set.iter().enumerate() {
            assert_eq!(rank.select(n), i, "set bit {n}");
        }
    }

    #[test]
    fn a_oneofs_members_written_in_turn_keep_their_notes_in_place_or_share_them() {
        let schema = crate::schema::Schema::compile(&[(
            "o.proto",
            "syntax = \"proto3\"; message O { oneof v { int32 a = 1; int32 b = 2; } } \
             message F { oneof v { int32 a = 1; int32 b = 200; } int32 c = 3; } \
             message H { oneof v { int32 a = 1000; int32 b = 1127; int32 c = 872; } }",
        )])
        .expect("the schema compiles");
        let [o_type, f_type, h_type] = ["O", "F", "H"].map(|name| schema.message(name).expect("declared"));
        // Every record but the first replaces the other member, and but the first two is seen
        // before too: both notes in place.
        let t = check(&[0x08, 0x01, 0x10, 0x01].repeat(1000), Some(&o_type));
        assert!(t.note_nodes.is_empty() && t.oneof_notes.is_empty(), "{:?}", t.oneof_notes);
        // Members 199 apart: the note aside, one shared per member replaced.
        let t = check(&[0x08, 0x01, 0x18, 0x01, 0xC0, 0x0C, 0x01].repeat(1000), Some(&f_type));
        assert_eq!(t.note_nodes.len(), 1999);
        assert_eq!(t.oneof_notes.len(), 2, "{:?}", t.oneof_notes);
        // A member 127 above and one 128 below: `a`, `b` with an overlong value, `a`, `c` with
        // an overlong tag. `c` replaces a member too far (`a`, 128 above it) for a byte, and
        // the next `a` replaces one 128 below it, the byte a packed field's note takes: both
        // notes aside.
        let unit = [0xC0, 0x3E, 0x01, 0xB8, 0x46, 0x81, 0x00, 0xC0, 0x3E, 0x01, 0xC0, 0xB6, 0x00, 0x01];
        let t = check(&unit.repeat(300), Some(&h_type));
        assert_eq!((t.note_nodes.len(), t.oneof_notes.len()), (599, 2), "{:?}", t.oneof_notes);
    }

    #[test]
    fn a_packed_field_continued_keeps_its_note_in_place() {
        let schema = crate::schema::Schema::compile(&[(
            "p.proto",
            "syntax = \"proto3\"; message P { repeated int32 a = 1; repeated fixed32 b = 2; }",
        )])
        .expect("the schema compiles");
        let p = schema.message("P").expect("declared");
        // One element a record, two, four (stored), five (implied): every record after the first
        // continues the field.
        let five = [0x0A, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01];
        for unit in [&[0x0A, 0x01, 0x01][..], &[0x0A, 0x02, 0x01, 0x01], &[0x0A, 0x04, 0x01, 0x01, 0x01, 0x01], &five] {
            let t = check(&unit.repeat(1000), Some(&p));
            assert!(t.note_nodes.is_empty(), "{} notes aside", t.note_nodes.len());
        }
        // An overlong length prefix is told after it, in place too; an overlong tag before it
        // is not (the note is the walk's first), so it goes aside; fixed32 elements between.
        let t = check(&[0x0A, 0x81, 0x00, 0x01, 0x12, 0x04, 1, 2, 3, 4].repeat(500), Some(&p));
        assert!(t.note_nodes.is_empty(), "{} notes aside", t.note_nodes.len());
        let t = check(&[0x8A, 0x00, 0x01, 0x01].repeat(500), Some(&p));
        assert_eq!(t.note_nodes.len(), 499);
    }

    #[test]
    fn large_packed_fields_imply_their_elements_across_pages_and_far_parents() {
        let schema = crate::schema::Schema::compile(&[(
            "t.proto",
            "syntax = \"proto3\"; message T { repeated int32 p = 1; repeated T t = 2; repeated double d = 3; repeated int64 v = 4; }",
        )])
        .expect("the schema compiles");
        let t_type = schema.message("T").expect("T is declared");
        let packed = len_record(1, &[0x01].repeat(100_000));
        // One stored node and a run for 100,003 nodes, with a sample every 8 elements.
        let t = check(&packed, Some(&t_type));
        assert!(t.kinds.len() == 1 && t.runs.len() == 1 && t.far_parents.is_empty());
        assert_eq!(t.samples.len(), 100_000usize.div_ceil(SAMPLE));
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
        assert!(t.pages.len() >= 5 && t.runs.len() == 3);
        // Packed records far from their message, after 300 records in it.
        let mut far = [0x08, 0x01].repeat(300);
        far.extend(len_record(4, &(0..1000u64).flat_map(|i| varint((i * i * 7919) >> (i % 40))).collect::<Vec<u8>>()));
        far.extend(len_record(3, &doubles[..800]));
        let t = check(&len_record(2, &far), Some(&t_type));
        assert!(t.runs.len() == 2 && !t.far_parents.is_empty());
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
