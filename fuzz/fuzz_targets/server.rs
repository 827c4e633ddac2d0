//! Any bytes as a grpc-web request body (the layers' frame checks agree with core's parser, in
//! any chunking) and as REST parameters (each reads or ends INVALID_ARGUMENT). The properties
//! live in `wirelens_server::fuzzing`, which `cargo test -p wirelens-server` replays on the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wirelens_server::fuzzing::grpc_web_request(data);
    wirelens_server::fuzzing::rest_parameters(data);
});
