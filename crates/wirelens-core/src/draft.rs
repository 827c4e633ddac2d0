//! A `.proto` drafted from bytes read without a schema: every field seen, with the type its
//! reading (chosen, or pinned by the user) implies, nested messages and groups included. Compiled
//! back, it reads the same bytes the same way, with nothing left to guess.
//!
//! Knows annotations and `.proto` syntax; knows nothing about how readings were chosen.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::wire::{Annotation, NodeId, NodeKind, Reading, Scalar, WireType};

/// The name of the top-level message a draft declares.
pub const ROOT: &str = "Draft";

/// A proto2 file declaring [`ROOT`] for the records of a schema-less annotation.
pub fn draft_proto(a: &Annotation) -> String {
    let mut root = Draft::default();
    root.add(a, a.roots().collect());
    let mut out = String::from(
        "// Drafted by wirelens from bytes read without a schema: names are made up, types follow\n\
         // the readings shown (pin another reading to change one).\nsyntax = \"proto2\";\n\n",
    );
    root.write(ROOT, 0, &mut out);
    out
}

#[derive(Default)]
struct Draft {
    fields: BTreeMap<u32, Slot>,
}

struct Slot {
    ty: Ty,
    repeated: bool,
}

enum Ty {
    Varint,
    Fixed32,
    Fixed64,
    String,
    Bytes,
    Message(Draft),
    Group(Draft),
    Packed(&'static str),
}

impl Draft {
    /// Adds the records `records` (siblings in one message) to this draft.
    fn add(&mut self, a: &Annotation, records: Vec<NodeId>) {
        let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
        for record in records {
            let NodeKind::Field(field) = &a.node(record).kind else { continue };
            *counts.entry(field.number()).or_default() += 1;
            let payload: Vec<NodeId> = a
                .children(record)
                .filter(|&c| !matches!(a.node(c).kind, NodeKind::Tag { .. } | NodeKind::Length(_)))
                .collect();
            let Some(&value) = payload.first() else { continue };
            let ty = match (&a.node(value).kind, field.wire_type()) {
                (NodeKind::Message, WireType::StartGroup) => Ty::Group(Draft::default()),
                (NodeKind::Message, _) => Ty::Message(Draft::default()),
                (NodeKind::Packed, _) => Ty::Packed(match field.readings().chosen() {
                    Some(Reading::PackedFixed32) => "fixed32",
                    Some(Reading::PackedFixed64) => "fixed64",
                    _ => "uint64",
                }),
                (NodeKind::Str, _) => Ty::String,
                (NodeKind::Scalar(Scalar::Fixed32(_)), _) => Ty::Fixed32,
                (NodeKind::Scalar(Scalar::Fixed64(_)), _) => Ty::Fixed64,
                (NodeKind::Scalar(_), _) => Ty::Varint,
                _ => Ty::Bytes,
            };
            let packed = matches!(ty, Ty::Packed(_));
            let slot = self.fields.entry(field.number()).or_insert(Slot { ty, repeated: packed });
            if let (Ty::Message(nested) | Ty::Group(nested), NodeKind::Message) = (&mut slot.ty, &a.node(value).kind) {
                nested.add(a, a.children(value).collect());
            } else if matches!((&slot.ty, &a.node(value).kind), (Ty::String, NodeKind::Bytes)) {
                // Seen as text once and as bytes another time: only bytes reads both.
                slot.ty = Ty::Bytes;
            }
        }
        for (number, count) in counts {
            if let Some(slot) = self.fields.get_mut(&number).filter(|_| count > 1) {
                slot.repeated = true;
            }
        }
    }

    fn write(&self, name: &str, depth: usize, out: &mut String) {
        let indent = "  ".repeat(depth);
        let _ = writeln!(out, "{indent}message {name} {{");
        for (number, slot) in &self.fields {
            let label = if slot.repeated { "repeated" } else { "optional" };
            let inner = "  ".repeat(depth + 1);
            match &slot.ty {
                Ty::Message(nested) => {
                    let type_name = format!("Field{number}");
                    nested.write(&type_name, depth + 1, out);
                    let _ = writeln!(out, "{inner}{label} {type_name} field_{number} = {number};");
                }
                Ty::Group(nested) => {
                    // A group declares its type and field at once; its fields follow inside.
                    let mut body = String::new();
                    nested.write("", depth + 1, &mut body);
                    let body = body.trim_start().trim_start_matches("message  {").trim_start();
                    let _ = write!(out, "{inner}{label} group Group{number} = {number} {{\n{}", body);
                    out.push('\n');
                }
                Ty::Packed(scalar) => {
                    let _ = writeln!(out, "{inner}repeated {scalar} field_{number} = {number} [packed = true];");
                }
                other => {
                    let scalar = match other {
                        Ty::Varint => "uint64",
                        Ty::Fixed32 => "fixed32",
                        Ty::Fixed64 => "fixed64",
                        Ty::String => "string",
                        _ => "bytes",
                    };
                    let _ = writeln!(out, "{inner}{label} {scalar} field_{number} = {number};");
                }
            }
        }
        let _ = writeln!(out, "{indent}}}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{InputFormat, parse_bytes};
    use crate::schema::Schema;
    use crate::wire::{self, Limits, Pins};

    const USER: &str = "08 2A 12 05 41 6C 69 63 65 1A 11 61 6C 69 63 65 40 65 78 61 6D 70 6C 65 2E 63 6F 6D \
                        22 05 61 64 6D 69 6E 22 04 75 73 65 72 2A 07 12 05 50 61 72 69 73 30 01";

    /// Drafts a schema from `hex` read with `pins`, compiles it, reads the bytes with it, and
    /// checks nothing is left unknown or ambiguous and the leaves fall where they did.
    fn round_trip(hex: &str, pins: &Pins) -> String {
        let bytes = parse_bytes(hex, InputFormat::Hex).unwrap();
        let raw = wire::annotate_pinned(&bytes, None, pins, Limits::default());
        let draft = draft_proto(&raw);
        let schema = Schema::compile(&[("draft.proto", draft.as_str())]).unwrap_or_else(|e| panic!("{e}\n{draft}"));
        let typed = wire::annotate(&bytes, Some(&schema.message(ROOT).unwrap()));
        assert!(typed.is_valid() && typed.diagnostics().is_empty(), "{:?}\n{draft}", typed.diagnostics());
        let leaves = |a: &wire::Annotation| -> Vec<(std::ops::Range<usize>, &'static str)> {
            a.leaves().map(|l| (a.node(l).range.clone(), crate::hexview::class(&a.node(l).kind))).collect()
        };
        assert_eq!(leaves(&typed), leaves(&raw), "{draft}");
        draft
    }

    #[test]
    fn the_reference_user_drafts_a_schema_that_reads_it_the_same_way() {
        let draft = round_trip(USER, &Pins::default());
        expect_test::expect![[r#"
            // Drafted by wirelens from bytes read without a schema: names are made up, types follow
            // the readings shown (pin another reading to change one).
            syntax = "proto2";

            message Draft {
              optional uint64 field_1 = 1;
              optional string field_2 = 2;
              optional string field_3 = 3;
              repeated string field_4 = 4;
              message Field5 {
                optional string field_2 = 2;
              }
              optional Field5 field_5 = 5;
              optional uint64 field_6 = 6;
            }
        "#]]
        .assert_eq(&draft);
    }

    #[test]
    fn pins_change_the_draft_and_it_still_reads_the_bytes() {
        let mut pins = Pins::default();
        pins.pin(vec![2], Reading::Bytes);
        pins.pin(vec![3], Reading::PackedVarint);
        pins.pin(vec![5], Reading::Bytes);
        let draft = round_trip(USER, &pins);
        assert!(draft.contains("optional bytes field_2 = 2;"), "{draft}");
        assert!(draft.contains("repeated uint64 field_3 = 3 [packed = true];"), "{draft}");
        assert!(draft.contains("optional bytes field_5 = 5;"), "{draft}");
    }

    #[test]
    fn a_pin_that_does_not_fit_is_a_warning_and_the_default_reading() {
        let mut pins = Pins::default();
        pins.pin(vec![2], Reading::PackedFixed64);
        let a = wire::annotate_pinned(
            &parse_bytes("12 03 41 42 43", InputFormat::Hex).unwrap(),
            None,
            &pins,
            Limits::default(),
        );
        assert_eq!(
            a.diagnostics()[0].message,
            "the pinned reading 'packed fixed64' does not fit these bytes: shown as string"
        );
    }

    #[test]
    fn groups_and_repeated_nested_messages_merge_their_fields() {
        round_trip("3B 42 03 35 35 35 3C 3B 48 01 3C 0A 02 08 01 0A 02 10 02", &Pins::default());
    }
}
