//! Protoscope-style text: bytes as a list of tagged values that a person can read and edit, and
//! back. `1: 42  2: {"Alice"}` is the reference user's first two fields.
//!
//! The language is protoscope's (github.com/protocolbuffers/protoscope); its reader, and the
//! spelling of its literals, are the notation module's ([`crate::input::protoscope`]).
//! [`write`](fn@write) prints an [`Annotation`] so that reading it gives back exactly its bytes: tags as
//! `N:` (groups as `N:SGROUP` … `N:EGROUP`), overlong varints as `long-form:N`, and anything the
//! annotator could not read as hex, with the reason in a comment. Knows the wire format; the
//! schema only lends names to the comments.

use std::fmt::Write as _;

use crate::input::protoscope::{double_literal, float_literal, push_hex_literal, push_string_literal};
use crate::varint;
use crate::wire::{Annotation, NodeId, NodeKind, Scalar, WireType};

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
    let mut writer = Writer { a: annotation, out, comment: String::new(), record: 0 };
    for id in annotation.roots() {
        writer.item(id, depth);
    }
}

/// [`write`](fn@write) into `sink` as it is made, through a buffer handed over whenever it holds
/// 64 KiB: a printer of a large annotation holds a few lines of its text at a time.
pub fn write_into(annotation: &Annotation, sink: &mut dyn std::fmt::Write) -> std::fmt::Result {
    const PIECE: usize = 1 << 16;
    let mut buf = String::with_capacity(PIECE + PIECE / 4);
    let mut writer = Writer { a: annotation, out: &mut buf, comment: String::new(), record: 0 };
    for id in annotation.roots() {
        writer.item(id, 0);
        if writer.out.len() >= PIECE {
            sink.write_str(writer.out)?;
            writer.out.clear();
        }
    }
    sink.write_str(writer.out)
}

struct Writer<'a> {
    a: &'a Annotation,
    out: &'a mut String,
    /// The comment of the line being written, put after it by [`Writer::end`].
    comment: String,
    /// Where the last record was found among the annotation's records (`Annotation::field_from`).
    record: usize,
}

impl Writer<'_> {
    /// Begins a line.
    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }

    /// Ends the line: its comment, if any (trimmed, on one line), then the line feed.
    fn end(&mut self) {
        let comment = self.comment.trim();
        if !comment.is_empty() {
            self.out.push_str("  # ");
            if comment.bytes().any(|b| b == b'\n') {
                self.out.push_str(&comment.replace('\n', " "));
            } else {
                self.out.push_str(comment);
            }
        }
        self.out.push('\n');
        self.comment.clear();
    }

    /// Ends a line whose comment is a field's name (an identifier, or empty) and `more`, which
    /// holds no line feed: [`Writer::end`] without a copy through `comment`.
    fn end_labelled(&mut self, label: &str, more: &str) {
        if label.is_empty() {
            self.comment.push_str(more);
            return self.end();
        }
        self.out.push_str("  # ");
        self.out.push_str(label);
        self.out.push_str(more);
        self.out.push('\n');
    }

    fn item(&mut self, id: NodeId, depth: usize) {
        if self.a.is_field(id) {
            return self.field(id, depth);
        }
        match self.a.kind(id) {
            NodeKind::Invalid(reason) => {
                self.indent(depth);
                push_hex_literal(self.out, self.a.slice(id));
                let _ = write!(self.comment, "not readable: {reason}");
                self.end();
            }
            _ => {
                self.indent(depth);
                push_hex_literal(self.out, self.a.slice(id));
                self.end();
            }
        }
    }

    fn field(&mut self, id: NodeId, depth: usize) {
        let Some(field) = self.a.field_from(id, &mut self.record) else { return };
        let fd = field.descriptor();
        // Names come from the schema; without one the field number is already on the line.
        let label = fd.map_or("", |fd| fd.name());
        // A record has a tag and at most two nodes after it, but for a group's.
        let mut children = [0; 3];
        let mut count = 0;
        for child in self.a.children(id) {
            if count < children.len() {
                children[count] = child;
            }
            count += 1;
        }
        let tag = match count {
            0 => None,
            _ => self.a.is_tag(children[0]).then(|| varint::decode(self.a.slice(children[0])).ok()).flatten(),
        };
        let Some(tag) = tag else { return self.raw(id, depth, label) };
        let wire_type = WireType::from_bits((tag.value & 7) as u8).unwrap_or(WireType::Varint);
        let kind = |at: usize| if at < count.min(3) { Some(self.a.kind(children[at])) } else { None };
        let (second, third) = (kind(1), kind(2));
        match (wire_type, count, second, third) {
            (WireType::Varint | WireType::I32 | WireType::I64, 2, Some(NodeKind::Scalar(scalar)), _) => {
                self.indent(depth);
                self.push_tag(tag);
                self.out.push(' ');
                self.scalar(children[1], &scalar);
                if label.is_empty() {
                    meaning(&scalar, fd, &mut self.comment);
                    self.end();
                } else {
                    self.out.push_str("  # ");
                    self.out.push_str(label);
                    meaning(&scalar, fd, self.out);
                    self.out.push('\n');
                }
            }
            (WireType::Len, 3, Some(NodeKind::Length(len)), Some(payload)) => {
                let payload_id = children[2];
                if self.a.range(payload_id).len() as u64 != len {
                    return self.raw(id, depth, label);
                }
                self.indent(depth);
                self.push_tag(tag);
                self.out.push(' ');
                long_form(self.a.slice(children[1]), self.out);
                self.out.push('{');
                match payload {
                    NodeKind::Str => {
                        let bytes = self.a.slice(payload_id);
                        match std::str::from_utf8(bytes) {
                            Ok(text) => push_string_literal(self.out, text),
                            Err(_) => push_string_literal(self.out, &String::from_utf8_lossy(bytes)),
                        }
                        self.out.push('}');
                        self.end_labelled(label, "");
                    }
                    NodeKind::Message if self.a.is_leaf(payload_id) => {
                        self.out.push('}');
                        self.end_labelled(label, "");
                    }
                    NodeKind::Message => {
                        self.end_labelled(label, "");
                        for child in self.a.children(payload_id) {
                            self.item(child, depth + 1);
                        }
                        self.indent(depth);
                        self.out.push('}');
                        self.end();
                    }
                    NodeKind::Packed => {
                        for (i, c) in self.a.children(payload_id).enumerate() {
                            if i > 0 {
                                self.out.push(' ');
                            }
                            match self.a.kind(c) {
                                NodeKind::Scalar(s) => self.scalar(c, &s),
                                _ => push_hex_literal(self.out, self.a.slice(c)),
                            }
                        }
                        self.out.push('}');
                        self.end_labelled(label, " (packed)");
                    }
                    _ => {
                        push_hex_literal(self.out, self.a.slice(payload_id));
                        self.out.push('}');
                        self.end_labelled(label, "");
                    }
                }
            }
            (WireType::StartGroup, _, _, _) => {
                self.indent(depth);
                self.push_tag(tag);
                self.end_labelled(label, " (group)");
                for child in self.a.children(id).skip(1) {
                    match self.a.kind(child) {
                        NodeKind::Message => self.a.children(child).for_each(|c| self.item(c, depth + 1)),
                        NodeKind::Tag { .. } => {
                            self.indent(depth);
                            self.tag(child);
                            self.end();
                        }
                        _ => self.item(child, depth + 1),
                    }
                }
            }
            (WireType::EndGroup, 1, _, _) => {
                self.indent(depth);
                self.push_tag(tag);
                self.end_labelled(label, " (end of a group that was not started)");
            }
            _ => self.raw(id, depth, label),
        }
    }

    /// A record this writer has no tidier spelling for: its bytes, exactly.
    fn raw(&mut self, id: NodeId, depth: usize, label: &str) {
        let reason = self.a.children(id).find_map(|c| match self.a.kind(c) {
            NodeKind::Invalid(reason) => Some(reason),
            _ => None,
        });
        let _ = match reason {
            Some(reason) if label.is_empty() => write!(self.comment, "not readable: {reason}"),
            Some(reason) => write!(self.comment, "{label}: {reason}"),
            None => self.comment.write_str(label),
        };
        self.indent(depth);
        push_hex_literal(self.out, self.a.slice(id));
        self.end();
    }

    /// `N:` (or `N:SGROUP`, `N:EGROUP`) behind its long form, for the `Tag` node `id`.
    fn tag(&mut self, id: NodeId) {
        if let Ok(tag) = varint::decode(self.a.slice(id)) {
            self.push_tag(tag);
        }
    }

    /// [`Writer::tag`] of a tag already read.
    fn push_tag(&mut self, tag: varint::Varint) {
        push_long_form(tag, self.out);
        self.out.push_str(itoa::Buffer::new().format(tag.value >> 3));
        self.out.push(':');
        // Values carry their width (`5i32`, `1.5`, `{`), so only groups need the type spelled.
        if let Some(wire_type @ (WireType::StartGroup | WireType::EndGroup)) =
            WireType::from_bits((tag.value & 7) as u8)
        {
            self.out.push_str(wire_type.name());
        }
    }

    /// A scalar leaf as the token that writes its bytes back.
    fn scalar(&mut self, id: NodeId, scalar: &Scalar) {
        let bytes = self.a.slice(id);
        let out = &mut *self.out;
        let _ = match *scalar {
            Scalar::Fixed32(_) | Scalar::SFixed32(_) | Scalar::Float(_) => {
                let bits = u32::from_le_bytes(bytes.try_into().unwrap_or_default());
                match *scalar {
                    Scalar::SFixed32(v) => write!(out, "{v}i32"),
                    Scalar::Float(f) if f.to_bits() == bits => match float_literal(f) {
                        Some(text) => out.write_str(&text),
                        None => write!(out, "{bits}i32"),
                    },
                    _ => write!(out, "{bits}i32"),
                }
            }
            Scalar::Fixed64(_) | Scalar::SFixed64(_) | Scalar::Double(_) => {
                let bits = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
                match *scalar {
                    Scalar::SFixed64(v) => write!(out, "{v}i64"),
                    Scalar::Double(f) if f.to_bits() == bits => match double_literal(f) {
                        Some(text) => out.write_str(&text),
                        None => write!(out, "{bits}i64"),
                    },
                    _ => write!(out, "{bits}i64"),
                }
            }
            _ => {
                let Ok(v) = varint::decode(bytes) else { return push_hex_literal(out, bytes) };
                push_long_form(v, out);
                match *scalar {
                    Scalar::SInt { raw, value } if zigzag(value) == raw => write!(out, "{value}z"),
                    Scalar::Bool { raw: 0 } => out.write_str("false"),
                    Scalar::Bool { raw: 1 } => out.write_str("true"),
                    // A signed field's negatives as such: `-1` writes the same ten bytes as
                    // 18446744073709551615, the spelling unsigned fields and schema-less reads keep.
                    Scalar::Int(_) if v.value >= 1 << 63 => out.write_str(itoa::Buffer::new().format(v.value as i64)),
                    _ => out.write_str(itoa::Buffer::new().format(v.value)),
                }
            }
        };
    }
}

/// What a comment adds to a scalar's field name: the schema's reading where the token does not
/// already say it (an enum's name).
fn meaning(scalar: &Scalar, field: Option<&prost_reflect::FieldDescriptor>, comment: &mut String) {
    if let Scalar::Enum(v) = *scalar {
        let _ = match field.map(|f| f.kind()) {
            Some(prost_reflect::Kind::Enum(e)) => match e.get_value(v) {
                Some(value) => {
                    comment.push_str(" = ");
                    comment.write_str(value.name())
                }
                None => write!(comment, " = {v}, not a value of {}", e.name()),
            },
            _ => write!(comment, " = enum {v}"),
        };
    }
}

/// `long-form:N ` for a varint that takes N more bytes than it needs, else nothing.
fn long_form(bytes: &[u8], out: &mut String) {
    if let Ok(v) = varint::decode(bytes) {
        push_long_form(v, out);
    }
}

/// [`long_form`] of a varint already read.
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

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            rng_seed: RngSeed::Fixed(0x5769_7265_4c65_6e73),
            ..ProptestConfig::default()
        })]

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
