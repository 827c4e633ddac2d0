//! Damage on purpose: the mutation lab's edits of good bytes, each aimed at the record around a
//! chosen byte, so the decoder's real diagnostic can be seen next to what was done.
//!
//! Knows annotations and varints; never panics: a mutation that has nothing to act on at that
//! byte (no length prefix in the record, say) returns `None`.

use crate::varint;
use crate::wire::{Annotation, NodeKind};

/// One way to damage a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    /// Toggle the top bit of the chosen byte: a varint then ends early or runs on.
    FlipContinuationBit,
    /// The record's length prefix one less: the payload loses its last byte to the next record.
    ShortenLength,
    /// The record's length prefix one more: the payload swallows a byte of what follows.
    LengthenLength,
    /// The record's tag names the next wire type (VARINT → I64 → LEN → …).
    ChangeWireType,
    /// Cut the bytes off at the chosen byte.
    Truncate,
    /// Insert a zero byte before the chosen byte.
    InsertByte,
}

impl Mutation {
    pub const ALL: [Mutation; 6] = [
        Mutation::FlipContinuationBit,
        Mutation::ShortenLength,
        Mutation::LengthenLength,
        Mutation::ChangeWireType,
        Mutation::Truncate,
        Mutation::InsertByte,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Mutation::FlipContinuationBit => "flip the continuation bit",
            Mutation::ShortenLength => "shorten the length prefix",
            Mutation::LengthenLength => "lengthen the length prefix",
            Mutation::ChangeWireType => "change the wire type",
            Mutation::Truncate => "truncate here",
            Mutation::InsertByte => "insert a byte",
        }
    }
}

/// `a`'s bytes with `mutation` applied at byte `offset`, or `None` when it does not apply there.
pub fn mutate(a: &Annotation, offset: usize, mutation: Mutation) -> Option<Vec<u8>> {
    let bytes = a.bytes();
    if offset >= bytes.len() {
        return None;
    }
    let record = a.leaf_at(offset).and_then(|leaf| a.field_of(leaf)).map(|(id, _)| id);
    let child = |want: fn(&NodeKind) -> bool| record.and_then(|r| a.children(r).find(|&c| want(&a.node(c).kind)));
    let mut out = bytes.to_vec();
    match mutation {
        Mutation::FlipContinuationBit => out[offset] ^= 0x80,
        Mutation::Truncate => out.truncate(offset),
        Mutation::InsertByte => out.insert(offset, 0),
        Mutation::ShortenLength | Mutation::LengthenLength => {
            let length = child(|k| matches!(k, NodeKind::Length(_)))?;
            let NodeKind::Length(value) = a.node(length).kind else { return None };
            let value = if mutation == Mutation::ShortenLength { value.checked_sub(1)? } else { value + 1 };
            let mut encoded = Vec::new();
            varint::encode(value, &mut encoded);
            out.splice(a.node(length).range.clone(), encoded);
        }
        Mutation::ChangeWireType => {
            let tag = child(|k| matches!(k, NodeKind::Tag { .. }))?;
            let NodeKind::Tag { field, wire_type } = a.node(tag).kind else { return None };
            let next = (wire_type as u64 + 1) % 6;
            let mut encoded = Vec::new();
            varint::encode((u64::from(field) << 3) | next, &mut encoded);
            out.splice(a.node(tag).range.clone(), encoded);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{InputFormat, parse_bytes, to_hex};
    use crate::wire::annotate;

    fn apply(hex: &str, offset: usize, m: Mutation) -> Option<String> {
        let a = annotate(&parse_bytes(hex, InputFormat::Hex).unwrap(), None);
        mutate(&a, offset, m).map(|b| to_hex(&b))
    }

    #[test]
    fn each_mutation_does_what_it_says() {
        let alice = "08 2A 12 05 41 6C 69 63 65";
        assert_eq!(apply(alice, 1, Mutation::FlipContinuationBit).as_deref(), Some("08 AA 12 05 41 6C 69 63 65"));
        assert_eq!(apply(alice, 5, Mutation::ShortenLength).as_deref(), Some("08 2A 12 04 41 6C 69 63 65"));
        assert_eq!(apply(alice, 2, Mutation::LengthenLength).as_deref(), Some("08 2A 12 06 41 6C 69 63 65"));
        assert_eq!(apply(alice, 0, Mutation::ChangeWireType).as_deref(), Some("09 2A 12 05 41 6C 69 63 65"));
        assert_eq!(apply(alice, 4, Mutation::Truncate).as_deref(), Some("08 2A 12 05"));
        assert_eq!(apply(alice, 2, Mutation::InsertByte).as_deref(), Some("08 2A 00 12 05 41 6C 69 63 65"));
        // A varint record has no length prefix to change; past the end nothing applies.
        assert_eq!(apply(alice, 1, Mutation::ShortenLength), None);
        assert_eq!(apply(alice, 9, Mutation::Truncate), None);
    }

    #[test]
    fn the_decoder_reports_each_damage_at_its_offset() {
        let user = crate::examples::REFERENCE.schema().unwrap().message("userservice.User").unwrap();
        let good = parse_bytes("08 2A 12 05 41 6C 69 63 65 30 01", InputFormat::Hex).unwrap();
        let a = annotate(&good, Some(&user));
        let lengthened = mutate(&a, 3, Mutation::LengthenLength).unwrap();
        let error = crate::message::decode(&user, &lengthened).unwrap_err();
        // The string now swallows the 30; the 01 left over is field 0, which is invalid.
        assert_eq!(error.to_string(), "cannot decode at byte 10: field number 0 is not allowed");
        let truncated = mutate(&a, 6, Mutation::Truncate).unwrap();
        assert_eq!(
            crate::message::decode(&user, &truncated).unwrap_err().to_string(),
            "cannot decode at byte 3: length 5 runs past the end: only 2 bytes follow"
        );
    }
}
