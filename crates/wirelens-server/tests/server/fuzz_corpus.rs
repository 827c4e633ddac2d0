//! Replays the cargo-fuzz corpus of the `server` target (`fuzz/corpus/server/`: the seeds and
//! whatever the fuzzer kept) through the same properties as the target,
//! `wirelens_server::fuzzing`, so `cargo test` guards what fuzzing found; and holds them on
//! generated requests (proptest, fixed seed), which reach what a stable toolchain cannot fuzz.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use wirelens_server::fuzzing;

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

#[test]
fn server_corpus_holds_the_request_properties() {
    for path in corpus("server") {
        let data = std::fs::read(&path).unwrap();
        // A failed property panics with its reason; name the file it came from.
        let outcome = std::panic::catch_unwind(|| {
            fuzzing::grpc_web_request(&data);
            fuzzing::rest_parameters(&data);
        });
        assert!(outcome.is_ok(), "{} broke a property (see the panic above)", path.display());
    }
}

fn config(cases: u32) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(0x5eed_1e25), failure_persistence: None, ..Config::default() }
}

/// A request body made of frames (messages, compressed ones, trailers, unknown flags), as
/// binary or base64 text, sometimes cut short or followed by junk; the options byte first.
fn request_strategy() -> impl Strategy<Value = Vec<u8>> {
    let flags = prop_oneof![4 => Just(0u8), 1 => Just(1u8), 1 => Just(0x80u8), 1 => any::<u8>()];
    let frame = (flags, proptest::collection::vec(any::<u8>(), 0..40));
    (any::<u8>(), proptest::collection::vec(frame, 0..4), 0usize..8, proptest::collection::vec(any::<u8>(), 0..3))
        .prop_map(|(options, frames, cut, junk)| {
            let mut body: Vec<u8> = frames.iter().flat_map(|(f, p)| wirelens_core::grpcweb::frame(*f, p)).collect();
            body.truncate(body.len().saturating_sub(cut % 4));
            body.extend(junk);
            if options & 1 == 1 {
                body = base64::engine::general_purpose::STANDARD.encode(&body).into_bytes();
            }
            [vec![options], body].concat()
        })
}

fn query_strategy() -> impl Strategy<Value = String> {
    let name = prop_oneof![Just("page_size"), Just("page_token"), Just("filename"), Just("x"), Just("")];
    let value = "[-+0-9a-z%=&. ]{0,24}";
    proptest::collection::vec((name, value), 0..4)
        .prop_map(|pairs| pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("&"))
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn generated_grpc_web_requests_hold_the_properties(data in request_strategy()) {
        fuzzing::grpc_web_request(&data);
    }

    #[test]
    fn any_bytes_hold_the_properties(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        fuzzing::grpc_web_request(&data);
        fuzzing::rest_parameters(&data);
    }

    #[test]
    fn generated_queries_hold_the_rest_properties(query in query_strategy()) {
        fuzzing::rest_parameters(query.as_bytes());
    }
}
