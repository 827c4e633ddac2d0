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

use crate::input::protoscope::{double_literal, float_literal, hex_literal, string_literal};
use crate::varint;
use crate::wire::{Annotation, NodeId, NodeKind, Scalar, WireType};

/// The annotation as protoscope text, one record per line, nested messages indented.
pub fn write(annotation: &Annotation) -> String {
    let mut writer = Writer { a: annotation, out: String::new() };
    for id in annotation.roots() {
        writer.item(id, 0);
    }
    writer.out
}

struct Writer<'a> {
    a: &'a Annotation,
    out: String,
}

impl Writer<'_> {
    fn line(&mut self, depth: usize, text: &str, comment: Option<String>) {
        let _ = write!(self.out, "{:indent$}{text}", "", indent = depth * 2);
        if let Some(comment) = comment.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            let _ = write!(self.out, "  # {}", comment.replace('\n', " "));
        }
        self.out.push('\n');
    }

    fn item(&mut self, id: NodeId, depth: usize) {
        match &self.a.node(id).kind {
            NodeKind::Field(_) => self.field(id, depth),
            NodeKind::Invalid(reason) => {
                let hex = hex_literal(self.a.slice(id));
                self.line(depth, &hex, Some(format!("not readable: {reason}")));
            }
            _ => {
                let hex = hex_literal(self.a.slice(id));
                self.line(depth, &hex, None);
            }
        }
    }

    fn field(&mut self, id: NodeId, depth: usize) {
        let NodeKind::Field(field) = &self.a.node(id).kind else { return };
        let children: Vec<NodeId> = self.a.children(id).collect();
        // Names come from the schema; without one the field number is already on the line.
        let label = if field.descriptor().is_some() { field.label() } else { String::new() };
        let Some(tag) = children.first().and_then(|&t| self.tag(t)) else {
            return self.raw(id, depth, &label);
        };
        let kinds: Vec<NodeKind> = children.iter().map(|&c| self.a.kind(c)).collect();
        match (field.wire_type(), &kinds[1..]) {
            (WireType::Varint | WireType::I32 | WireType::I64, [NodeKind::Scalar(scalar)]) => {
                let value = self.scalar(children[1], scalar);
                let meaning = meaning(scalar, field.descriptor());
                self.line(depth, &format!("{tag} {value}"), Some(label + &meaning));
            }
            (WireType::Len, [NodeKind::Length(len), payload]) => {
                let payload_id = children[2];
                if self.a.node(payload_id).range.len() as u64 != *len {
                    return self.raw(id, depth, &label);
                }
                let open = format!("{tag} {}{{", long_form(self.a.slice(children[1])));
                match payload {
                    NodeKind::Str => {
                        let text = string_literal(&self.a.text(payload_id));
                        self.line(depth, &format!("{open}{text}}}"), Some(label));
                    }
                    NodeKind::Message if self.a.is_leaf(payload_id) => {
                        self.line(depth, &format!("{open}}}"), Some(label))
                    }
                    NodeKind::Message => {
                        self.line(depth, &open, Some(label));
                        for child in self.a.children(payload_id) {
                            self.item(child, depth + 1);
                        }
                        self.line(depth, "}", None);
                    }
                    NodeKind::Packed => {
                        let values: Vec<String> = self
                            .a
                            .children(payload_id)
                            .map(|c| match &self.a.node(c).kind {
                                NodeKind::Scalar(s) => self.scalar(c, s),
                                _ => hex_literal(self.a.slice(c)),
                            })
                            .collect();
                        self.line(depth, &format!("{open}{}}}", values.join(" ")), Some(label + " (packed)"));
                    }
                    _ => {
                        let hex = hex_literal(self.a.slice(payload_id));
                        self.line(depth, &format!("{open}{hex}}}"), Some(label));
                    }
                }
            }
            (WireType::StartGroup, rest) => {
                self.line(depth, &tag, Some(label + " (group)"));
                for (&child, kind) in children[1..].iter().zip(rest) {
                    match kind {
                        NodeKind::Message => self.a.children(child).for_each(|c| self.item(c, depth + 1)),
                        NodeKind::Tag { .. } => match self.tag(child) {
                            Some(end) => self.line(depth, &end, None),
                            None => self.item(child, depth),
                        },
                        _ => self.item(child, depth + 1),
                    }
                }
            }
            (WireType::EndGroup, []) => self.line(depth, &tag, Some(label + " (end of a group that was not started)")),
            _ => self.raw(id, depth, &label),
        }
    }

    /// A record this writer has no tidier spelling for: its bytes, exactly.
    fn raw(&mut self, id: NodeId, depth: usize, label: &str) {
        let reason = self.a.children(id).find_map(|c| match self.a.kind(c) {
            NodeKind::Invalid(reason) => Some(reason),
            _ => None,
        });
        let comment = match reason {
            Some(reason) if label.is_empty() => format!("not readable: {reason}"),
            Some(reason) => format!("{label}: {reason}"),
            None => label.to_owned(),
        };
        let hex = hex_literal(self.a.slice(id));
        self.line(depth, &hex, Some(comment));
    }

    /// `N:` (or `N:SGROUP`, `N:EGROUP`) behind its long form.
    fn tag(&self, id: NodeId) -> Option<String> {
        let NodeKind::Tag { field, wire_type } = self.a.node(id).kind else { return None };
        // Values carry their width (`5i32`, `1.5`, `{`), so only groups need the type spelled.
        let implied = !matches!(wire_type, WireType::StartGroup | WireType::EndGroup);
        let name = if implied { String::new() } else { wire_type.name().to_owned() };
        Some(format!("{}{field}:{name}", long_form(self.a.slice(id))))
    }

    /// A scalar leaf as the token that writes its bytes back.
    fn scalar(&self, id: NodeId, scalar: &Scalar) -> String {
        let bytes = self.a.slice(id);
        match *scalar {
            Scalar::Fixed32(_) | Scalar::SFixed32(_) | Scalar::Float(_) => {
                let bits = u32::from_le_bytes(bytes.try_into().unwrap_or_default());
                match *scalar {
                    Scalar::SFixed32(v) => format!("{v}i32"),
                    Scalar::Float(f) if f.to_bits() == bits => float_literal(f).unwrap_or(format!("{bits}i32")),
                    _ => format!("{bits}i32"),
                }
            }
            Scalar::Fixed64(_) | Scalar::SFixed64(_) | Scalar::Double(_) => {
                let bits = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
                match *scalar {
                    Scalar::SFixed64(v) => format!("{v}i64"),
                    Scalar::Double(f) if f.to_bits() == bits => double_literal(f).unwrap_or(format!("{bits}i64")),
                    _ => format!("{bits}i64"),
                }
            }
            _ => {
                let Ok(v) = varint::decode(bytes) else { return hex_literal(bytes) };
                let value = match *scalar {
                    Scalar::SInt { raw, value } if zigzag(value) == raw => format!("{value}z"),
                    Scalar::Bool { raw: 0 } => "false".into(),
                    Scalar::Bool { raw: 1 } => "true".into(),
                    // A signed field's negatives as such: `-1` writes the same ten bytes as
                    // 18446744073709551615, the spelling unsigned fields and schema-less reads keep.
                    Scalar::Int(_) if v.value >= 1 << 63 => (v.value as i64).to_string(),
                    _ => v.value.to_string(),
                };
                format!("{}{value}", long_form(bytes))
            }
        }
    }
}

/// What a comment adds to a scalar's field name: the schema's reading where the token does not
/// already say it (an enum's name).
fn meaning(scalar: &Scalar, field: Option<&prost_reflect::FieldDescriptor>) -> String {
    match *scalar {
        Scalar::Enum(v) => match field.map(|f| f.kind()) {
            Some(prost_reflect::Kind::Enum(e)) => match e.get_value(v) {
                Some(value) => format!(" = {}", value.name()),
                None => format!(" = {v}, not a value of {}", e.name()),
            },
            _ => format!(" = enum {v}"),
        },
        _ => String::new(),
    }
}

/// `long-form:N ` for a varint that takes N more bytes than it needs, else nothing.
fn long_form(bytes: &[u8]) -> String {
    match varint::decode(bytes) {
        Ok(v) if v.is_overlong() => format!("long-form:{} ", v.len - varint::encoded_len(v.value)),
        _ => String::new(),
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
