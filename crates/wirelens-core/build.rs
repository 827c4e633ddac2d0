//! Compiles the schemas of the examples (`examples::EXAMPLES`: what the app's picker offers and
//! its first screen opens with) and of Learn mode's lessons at build time, so the app shows them by
//! decoding a descriptor set: no `.proto` parsing, and no compiler in the page's code until the
//! user's own files need one (the app fetches protox's code then).
//!
//! Each set is what `Schema::compile` makes of the same files (protox, imports included, no
//! source info), but for the file options of the well-known imports (`java_package`,
//! `go_package`…: code generators' settings, which nothing in wirelens reads). Kept, they make
//! prost-reflect build its pool of every well-known type, `descriptor.proto` included, to read
//! them: most of the first screen's work in the browser. `schema::tests` holds every example's and
//! lesson's set to a fresh compile of its files.

use std::fmt::Write as _;
use std::{env, fs, path::PathBuf};

use protox::prost::Message as _;

/// The file lists of `examples::EXAMPLES` and `learn::LESSONS`, each in its order (a test checks
/// that every example and lesson has its set).
const SETS: &[&[&str]] = &[
    &["userservice/user.proto", "userservice/user_service.proto"],
    &["userservice/user.proto"],
    &["examples/scalars.proto"],
    &["examples/maps.proto"],
    &["examples/oneof.proto"],
    &["examples/packed.proto"],
    &["examples/proto2.proto"],
    &["examples/wellknown.proto"],
    &["examples/evolution/v1.proto"],
    &["examples/evolution/v2.proto"],
    &["examples/evolution/v1.proto", "examples/evolution/v2.proto"],
    &["learn/names.proto"],
    &["learn/tags.proto"],
    &["learn/varints.proto"],
    &["learn/signed.proto"],
    &["learn/collections.proto"],
    &["learn/presence.proto"],
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let proto_root = manifest_dir.join("../../proto");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    for dir in ["userservice", "examples", "learn"] {
        println!("cargo::rerun-if-changed={}", proto_root.join(dir).display());
    }

    let mut table = String::from("&[\n");
    for (i, files) in SETS.iter().enumerate() {
        let mut compiler = protox::Compiler::new([&proto_root])?;
        compiler.include_imports(true).include_source_info(false);
        compiler.open_files(*files)?;
        let mut set = compiler.file_descriptor_set();
        for file in &mut set.file {
            if file.name().starts_with("google/protobuf/") {
                file.options = None;
            }
        }
        let path = out_dir.join(format!("precompiled-{i}.binpb"));
        fs::write(&path, set.encode_to_vec())?;
        writeln!(table, "    (&{files:?}, include_bytes!({:?})),", path.display().to_string())?;
    }
    table.push(']');
    fs::write(out_dir.join("precompiled.rs"), table)?;
    Ok(())
}
