//! The central properties, with fixed seeds so every run checks the same cases:
//! - for any bytes, with or without a schema, `annotate` returns and its leaves tile the input;
//! - an `Annotator` reused message after message reads each as `annotate` does;
//! - the listing, read in order, says of each node what the annotation's lookups say;
//! - for any message of the example schemas, `annotate(encode(m))` has no invalid span and the
//!   values it shows rebuild exactly the message `decode(encode(m))` gives;
//! - JSON and text format round-trip to the same bytes.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use prost_reflect::{DynamicMessage, Kind, MessageDescriptor, Value};
use wirelens_core::message::{self, JsonStyle};
use wirelens_core::wire::{self, Annotation, NodeId, NodeKind, Scalar};
use wirelens_core::{explain, protoscope};

mod common;
use common::{Generator, descriptors};

fn config(cases: u32) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(0x5eed_1e25), failure_persistence: None, ..Config::default() }
}

fn assert_tiles(a: &Annotation) {
    let mut next = 0;
    for leaf in a.leaves() {
        assert_eq!(a.node(leaf).range.start, next);
        next = a.node(leaf).range.end;
    }
    assert_eq!(next, a.bytes().len());
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_bytes_annotate_and_tile(bytes in proptest::collection::vec(any::<u8>(), 0..300), pick in any::<prop::sample::Index>()) {
        let descriptors = descriptors();
        assert_tiles(&wire::annotate(&bytes, None));
        assert_tiles(&wire::annotate(&bytes, Some(pick.get(&descriptors))));
        // Handing the bytes over changes nothing but who owns them.
        prop_assert_eq!(wire::annotate_owned(bytes.clone(), None), wire::annotate(&bytes, None));
    }

    #[test]
    fn a_reused_annotator_reads_each_message_as_annotate_does(
        messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 1..8),
        entropy in proptest::collection::vec(any::<u64>(), 256),
        pick in any::<prop::sample::Index>(),
    ) {
        let descriptors = descriptors();
        let desc = pick.get(&descriptors);
        // Random bytes, and between them real messages, which enter nested types as they go.
        let real = message::encode(&Generator::new(&entropy).message(desc, 0));
        for schema in [None, Some(desc)] {
            let mut annotator = wire::Annotator::new(schema, wire::Limits::default());
            for bytes in messages.iter().flat_map(|m| [m, &real]) {
                let once = wire::annotate(bytes, schema);
                let again = annotator.annotate(bytes);
                prop_assert_eq!(explain::listing(again), explain::listing(&once));
                prop_assert_eq!(protoscope::write(again), protoscope::write(&once));
                prop_assert_eq!(again.diagnostics(), once.diagnostics());
            }
        }
    }

    #[test]
    fn the_listing_read_in_order_says_what_lookups_say(
        bytes in proptest::collection::vec(prop_oneof![Just(0x0au8), Just(0x02u8), Just(0x08u8), Just(0x0bu8), Just(0x0cu8), any::<u8>()], 0..200),
        pick in any::<prop::sample::Index>(),
    ) {
        let descriptors = descriptors();
        for a in [wire::annotate(&bytes, None), wire::annotate(&bytes, Some(pick.get(&descriptors)))] {
            let lines = explain::listing_lines(&a);
            prop_assert_eq!(lines.len(), a.len());
            for (id, line) in lines.iter().enumerate() {
                prop_assert_eq!(line.node, id);
                prop_assert_eq!(line.offset, a.range(id).start);
                prop_assert_eq!(line.depth, a.ancestors(id).count() - 1);
                prop_assert_eq!(line.hex.is_empty(), !a.is_leaf(id) || a.range(id).is_empty());
                prop_assert_eq!(&line.text, &explain::summary(&a, id));
            }
        }
    }

    #[test]
    fn varint_heavy_bytes_annotate_and_tile(bytes in proptest::collection::vec(prop_oneof![Just(0x80u8), Just(0xffu8), Just(0x0au8), Just(0x02u8), any::<u8>()], 0..200)) {
        assert_tiles(&wire::annotate(&bytes, None));
    }

    #[test]
    fn encoded_messages_annotate_cleanly_and_rebuild_what_decode_gives(
        entropy in proptest::collection::vec(any::<u64>(), 256),
        pick in any::<prop::sample::Index>(),
    ) {
        let descriptors = descriptors();
        let desc = pick.get(&descriptors);
        let m = Generator::new(&entropy).message(desc, 0);
        let bytes = message::encode(&m);
        let a = wire::annotate(&bytes, Some(desc));
        assert_tiles(&a);
        prop_assert!(a.is_valid(), "{}\n{}", desc.full_name(), wirelens_core::explain::listing(&a));
        let decoded = message::decode(desc, &bytes).unwrap();
        prop_assert_eq!(message::encode(&decoded), bytes.clone());
        let rebuilt = rebuild(&a, None, desc);
        prop_assert_eq!(message::encode(&rebuilt), bytes.clone(), "{}", wirelens_core::explain::listing(&a));

        // JSON and text format carry the same message.
        for style in [JsonStyle::CANONICAL, JsonStyle::PRETTY, JsonStyle::WITH_DEFAULTS, JsonStyle::HAND_WRITTEN] {
            let json = message::to_json(&m, style).unwrap();
            let back = message::parse_json(desc, &json).unwrap();
            prop_assert_eq!(message::encode(&back), bytes.clone(), "{}", json);
        }
        let text = message::to_text(&m, true);
        prop_assert_eq!(message::encode(&message::parse_text(desc, &text).unwrap()), bytes, "{}", text);
    }
}

/// Builds a message from the values the annotation shows, children of `parent` (roots when `None`).
fn rebuild(a: &Annotation, parent: Option<NodeId>, desc: &MessageDescriptor) -> DynamicMessage {
    let mut m = DynamicMessage::new(desc.clone());
    let records: Vec<NodeId> = match parent {
        Some(p) => a.children(p).collect(),
        None => a.roots().collect(),
    };
    for record in records {
        let NodeKind::Field(field) = &a.node(record).kind else { panic!("not a record: {:?}", a.node(record)) };
        let fd = field.descriptor().expect("encoded messages have no unknown fields");
        let kind = fd.kind();
        let mut values = Vec::new();
        for child in a.children(record) {
            match &a.node(child).kind {
                NodeKind::Tag { .. } | NodeKind::Length(_) => {}
                NodeKind::Packed => values.extend(a.children(child).map(|e| leaf_value(a, e, &kind))),
                NodeKind::Message => values.push(Value::Message(rebuild(a, Some(child), kind.as_message().unwrap()))),
                _ => values.push(leaf_value(a, child, &kind)),
            }
        }
        for value in values {
            if fd.is_map() {
                let Value::Message(entry) = value else { unreachable!() };
                let key = entry.get_field_by_number(1).unwrap().into_owned();
                let value = entry.get_field_by_number(2).unwrap().into_owned();
                let key = message::map_key(key).expect("map keys are integers, bools or strings");
                m.get_field_mut(fd).as_map_mut().unwrap().insert(key, value);
            } else if fd.is_list() {
                m.get_field_mut(fd).as_list_mut().unwrap().push(value);
            } else {
                m.set_field(fd, value);
            }
        }
    }
    m
}

fn leaf_value(a: &Annotation, id: NodeId, kind: &Kind) -> Value {
    match (&a.node(id).kind, kind) {
        (NodeKind::Str, _) => Value::String(a.text(id).into_owned()),
        (NodeKind::Bytes, _) => Value::Bytes(a.slice(id).to_vec().into()),
        (NodeKind::Scalar(s), kind) => match (*s, kind) {
            (Scalar::Int(v), Kind::Int32) => Value::I32(v as i32),
            (Scalar::Int(v), _) => Value::I64(v),
            (Scalar::UInt(v), Kind::Uint32) => Value::U32(v as u32),
            (Scalar::UInt(v), _) => Value::U64(v),
            (Scalar::SInt { value, .. }, Kind::Sint32) => Value::I32(value as i32),
            (Scalar::SInt { value, .. }, _) => Value::I64(value),
            (Scalar::Bool { raw }, _) => Value::Bool(raw != 0),
            (Scalar::Enum(v), _) => Value::EnumNumber(v),
            (Scalar::Fixed32(v), _) => Value::U32(v),
            (Scalar::Fixed64(v), _) => Value::U64(v),
            (Scalar::SFixed32(v), _) => Value::I32(v),
            (Scalar::SFixed64(v), _) => Value::I64(v),
            (Scalar::Float(v), _) => Value::F32(v),
            (Scalar::Double(v), _) => Value::F64(v),
        },
        (other, _) => panic!("not a value leaf: {other:?}"),
    }
}
