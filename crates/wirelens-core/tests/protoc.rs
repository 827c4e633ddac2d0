//! Differential tests against `protoc` (Debian's protobuf-compiler), which nobody here wrote:
//! - `protoc --encode` of a message's text format gives the bytes our encoder gives;
//! - our schema-less reading agrees with `protoc --decode_raw` on field numbers and values.
//!
//! `cargo xtask setup` installs protoc; without it these tests fail and say so.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use prost_reflect::MessageDescriptor;
use wirelens_core::examples::EXAMPLES;
use wirelens_core::wire::{self, Annotation, NodeId, NodeKind, Scalar};
use wirelens_core::{input, message};

mod common;
use common::generated;

const MESSAGES_PER_TYPE: u64 = 12;

#[test]
fn protoc_encode_of_our_text_format_gives_our_bytes() {
    let dir = write_examples();
    let messages = generated(MESSAGES_PER_TYPE, 1);
    for (desc, m) in &messages {
        let name = desc.full_name();
        let ours = message::encode(m);
        let text = message::to_text(m, true);
        let file = desc.parent_file();
        let theirs = protoc(&["--encode", name, "-I", dir.to_str().unwrap(), file.name()], text.as_bytes());
        if theirs != ours {
            // protoc writes map entries in its own order; everything else must match byte for byte.
            assert!(
                has_map(desc),
                "{name}: protoc {} vs ours {}\n{text}",
                input::to_hex(&theirs),
                input::to_hex(&ours)
            );
            let canonical = message::encode(&message::decode(desc, &theirs).unwrap());
            assert_eq!(input::to_hex(&canonical), input::to_hex(&ours), "{name}\n{text}");
        }
    }
    assert!(messages.len() > 100, "compared {} messages", messages.len());
}

#[test]
fn our_schema_less_reading_agrees_with_protoc_decode_raw() {
    let messages = generated(MESSAGES_PER_TYPE, 2);
    for (desc, m) in &messages {
        let bytes = message::encode(m);
        let theirs = String::from_utf8(protoc(&["--decode_raw"], &bytes)).unwrap();
        let a = wire::annotate(&bytes, None);
        assert_eq!(decode_raw_text(&a), theirs, "{}: {}", desc.full_name(), input::to_hex(&bytes));
    }
    assert!(messages.len() > 100, "compared {} messages", messages.len());
}

/// Our annotation, printed the way `protoc --decode_raw` prints: varints in decimal,
/// fixed widths in hex, strings and bytes C-escaped, messages and groups as blocks.
fn decode_raw_text(a: &Annotation) -> String {
    let mut out = String::new();
    for root in a.roots() {
        print_record(a, root, 0, &mut out);
    }
    out
}

fn print_record(a: &Annotation, record: NodeId, depth: usize, out: &mut String) {
    let NodeKind::Field(field) = &a.node(record).kind else { panic!("valid input has only records at the top") };
    let indent = "  ".repeat(depth);
    for child in a.children(record) {
        match &a.node(child).kind {
            NodeKind::Tag { .. } | NodeKind::Length(_) => {}
            NodeKind::Message => {
                out.push_str(&format!("{indent}{} {{\n", field.number()));
                for nested in a.children(child) {
                    print_record(a, nested, depth + 1, out);
                }
                out.push_str(&format!("{indent}}}\n"));
            }
            NodeKind::Str | NodeKind::Bytes => {
                out.push_str(&format!("{indent}{}: \"{}\"\n", field.number(), input::to_escaped(a.slice(child))));
            }
            NodeKind::Scalar(Scalar::UInt(v)) => out.push_str(&format!("{indent}{}: {v}\n", field.number())),
            NodeKind::Scalar(Scalar::Fixed32(v)) => out.push_str(&format!("{indent}{}: 0x{v:08x}\n", field.number())),
            NodeKind::Scalar(Scalar::Fixed64(v)) => out.push_str(&format!("{indent}{}: 0x{v:016x}\n", field.number())),
            other => panic!("schema-less reading gave {other:?}"),
        }
    }
}

fn has_map(desc: &MessageDescriptor) -> bool {
    fn walk(desc: &MessageDescriptor, seen: &mut Vec<String>) -> bool {
        if seen.iter().any(|s| s == desc.full_name()) {
            return false;
        }
        seen.push(desc.full_name().to_owned());
        desc.fields().any(|f| f.is_map() || f.kind().as_message().is_some_and(|m| walk(m, seen)))
    }
    walk(desc, &mut Vec::new())
}

/// The example files on disk, where protoc can read them.
fn write_examples() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirelens-protoc-{}", std::process::id()));
    for example in EXAMPLES {
        for (name, source) in example.files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, source).unwrap();
        }
    }
    dir
}

fn protoc(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new("protoc")
        .args(args)
        .args(include_dir().iter().flat_map(|d| ["-I".to_owned(), d.display().to_string()]))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run protoc ({e}): install protobuf-compiler, as `cargo xtask setup` does"));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "protoc {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// Where Debian's protobuf-compiler keeps the well-known types.
fn include_dir() -> Vec<PathBuf> {
    ["/usr/include"]
        .iter()
        .map(PathBuf::from)
        .filter(|p| Path::new(p).join("google/protobuf/timestamp.proto").exists())
        .collect()
}
