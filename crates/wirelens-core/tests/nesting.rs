//! Nesting attacks: 100,000 start-group tags, and 101 messages each inside the next. `annotate`
//! and `decode` stop at 100 levels with an error that names the offset, natively (`cargo test`)
//! and in wasm32, where a stack overflow does not unwind but kills the page
//! (`cargo test --target wasm32-unknown-unknown -p wirelens-core --test nesting`, in headless
//! Chromium through wasm-bindgen-test; `cargo xtask test` runs both).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
use wirelens_core::message;
use wirelens_core::prost_reflect::MessageDescriptor;
use wirelens_core::schema::Schema;
use wirelens_core::wire::{self, Severity};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const TOO_DEEP: &str = "messages nested deeper than 100 levels are not read";

/// A message that holds itself as field 1 (a length-delimited message) and as field 3 (a group,
/// whose start tag is the byte 0x1B).
fn nest() -> MessageDescriptor {
    let source = r#"syntax = "proto2";
        message N { optional N child = 1; optional int32 leaf = 2; optional group G = 3 { optional N in_group = 4; } }"#;
    Schema::compile(&[("n.proto", source)]).unwrap().message("N").unwrap()
}

/// The first error of annotating `bytes`, with and without the schema; both must be the same.
fn annotator_error(bytes: &[u8]) -> (usize, String) {
    let errors: Vec<(usize, String)> = [None, Some(&nest())]
        .into_iter()
        .map(|desc| {
            let a = wire::annotate(bytes, desc);
            let leaves_end = a.leaves().map(|leaf| a.node(leaf).range.end).max();
            assert_eq!(leaves_end, Some(bytes.len()), "the leaves reach the end of the input");
            let error = a.diagnostics().iter().find(|d| d.severity == Severity::Error).expect("an error");
            (error.offset, error.message.clone())
        })
        .collect();
    assert_eq!(errors[0], errors[1], "schema-less and with the schema");
    errors[0].clone()
}

#[test]
fn a_flood_of_start_group_tags_stops_at_level_100() {
    let bytes = vec![0x1B; 100_000];
    // The 101st tag (at offset 100) opens level 101: its content, at 101, is not read.
    let expected = (101, TOO_DEEP.to_owned());
    assert_eq!(annotator_error(&bytes), expected);
    let error = message::decode(&nest(), &bytes).unwrap_err();
    assert_eq!((error.offset, error.message), (Some(expected.0), expected.1));
}

#[test]
fn messages_nested_101_deep_stop_at_level_100() {
    let bytes = nested(101);
    // The innermost payload, `10 01`, is level 101.
    let at = bytes.len() - 2;
    let error = message::decode(&nest(), &bytes).unwrap_err();
    assert_eq!((error.offset, error.message.as_str()), (Some(at), TOO_DEEP));
    let a = wire::annotate(&bytes, Some(&nest()));
    let error = a.diagnostics().iter().find(|d| d.severity == Severity::Error).unwrap();
    assert_eq!((error.offset, error.message.as_str()), (at, TOO_DEEP));
    // Schema-less, a payload too deep to read as a message is shown as bytes: no error.
    let a = wire::annotate(&bytes, None);
    assert!(a.is_valid(), "{:?}", a.diagnostics());
    // 100 levels are read.
    assert!(message::decode(&nest(), &nested(100)).is_ok());
    assert!(wire::annotate(&nested(100), Some(&nest())).is_valid());
}

/// N{child: N{child: ... N{leaf: 1}}}: `levels` times `0A len` around `10 01`.
fn nested(levels: usize) -> Vec<u8> {
    let mut bytes = vec![0x10, 0x01];
    for _ in 0..levels {
        let mut outer = vec![0x0A];
        wirelens_core::varint::encode(bytes.len() as u64, &mut outer);
        outer.extend_from_slice(&bytes);
        bytes = outer;
    }
    bytes
}
