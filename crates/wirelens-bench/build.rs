//! Generates prost types for `proto/bench/bench.proto` into `$OUT_DIR/bench.rs`.
//!
//! `userservice.User` is not generated again: it maps to `wirelens_api::userservice`.

use std::{env, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let proto_root = manifest_dir.join("../../proto");
    println!("cargo:rerun-if-changed={}", proto_root.join("bench").display());
    println!("cargo:rerun-if-changed={}", proto_root.join("userservice").display());
    let fds = protox::compile(["bench/bench.proto"], [&proto_root])?;
    tonic_prost_build::configure()
        .build_client(false)
        .build_server(false)
        .build_transport(false)
        .compile_well_known_types(false)
        .extern_path(".userservice", "::wirelens_api::userservice")
        .compile_fds(fds)?;
    Ok(())
}
