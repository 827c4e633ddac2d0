//! Any bytes, schema-less and as the reference User: annotate returns and its leaves tile the input.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use prost_reflect::MessageDescriptor;
use wirelens_core::{examples, wire};

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
    }
});
