//! Any bytes, schema-less and as the reference User: annotate returns, its leaves tile the input,
//! and its protoscope text reads back to the same bytes.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use prost_reflect::MessageDescriptor;
use wirelens_core::input::{self, InputFormat};
use wirelens_core::{examples, protoscope, wire};

static USER: LazyLock<MessageDescriptor> =
    LazyLock::new(|| examples::REFERENCE.schema().unwrap().message("userservice.User").unwrap());

fuzz_target!(|bytes: &[u8]| {
    for desc in [None, Some(&*USER)] {
        let a = wire::annotate(bytes, desc);
        let mut next = 0;
        for leaf in a.leaves() {
            assert_eq!(a.node(leaf).range.start, next);
            next = a.node(leaf).range.end;
        }
        assert_eq!(next, bytes.len());
        assert_eq!(input::parse_bytes(&protoscope::write(&a), InputFormat::Protoscope).unwrap(), bytes);
    }
});
