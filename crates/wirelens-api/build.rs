//! Generates the Rust types and tonic stubs for `proto/userservice/` at build time.
//!
//! protox parses the `.proto` files (no system `protoc`); tonic-prost-build turns the resulting
//! `FileDescriptorSet` into `$OUT_DIR/userservice.rs`. The encoded set itself is written to
//! `$OUT_DIR/file_descriptor_set.bin` for run-time reflection. Client and server stubs follow the
//! crate's `client` and `server` features.

use std::{env, fs, path::PathBuf};

use protox::prost::Message as _;

/// The files to compile, relative to the proto root; their imports come along.
const PROTOS: &[&str] = &["userservice/user_service.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let proto_root = manifest_dir.join("../../proto");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);

    // A directory rerun-if-changed reruns when any file under it changes (by mtime).
    println!("cargo:rerun-if-changed={}", proto_root.join("userservice").display());

    // Includes source info (comments end up as doc comments) and imports (the set is self-contained).
    let fds = protox::compile(PROTOS, [&proto_root])?;
    fs::write(out_dir.join("file_descriptor_set.bin"), fds.encode_to_vec())?;

    // `cfg!(feature = ...)` would test the build script's own features: read Cargo's variables.
    let client = env::var_os("CARGO_FEATURE_CLIENT").is_some();
    let server = env::var_os("CARGO_FEATURE_SERVER").is_some();

    tonic_prost_build::configure()
        .build_client(client)
        .build_server(server)
        // No `connect()`/transport helpers: the client must build for wasm32 and take any channel.
        .build_transport(false)
        // google.protobuf.* maps to prost_types rather than being generated here.
        .compile_well_known_types(false)
        .compile_fds(fds)?;

    Ok(())
}
