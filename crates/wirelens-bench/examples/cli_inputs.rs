//! Writes the inputs of `cargo xtask bench cli` into the directory named by its argument:
//! `batch.bin`, the criterion benches' 1 MiB page of users (`bench.UserPage`), and
//! `users.delimited`, the same users as a stream of length-delimited `userservice.User`s (what
//! `writeDelimitedTo` writes), which xtask repeats to make a long stream; `shape-NAME.bin`, 1 MiB
//! corpora of one record shape repeated (see [`SHAPES`]), and one of a real kind: the
//! repository's `.proto` files compiled with their comments and imports into a
//! `FileDescriptorSet`, repeated (names, comments, source positions as packed numbers, nested
//! messages: what `protoc --descriptor_set_out --include_source_info` writes); and `shapes.tsv`,
//! each corpus's name, schema file and message type, the schema files beside it.

use std::path::{Path, PathBuf};

use prost::Message as _;
use wirelens_bench::workload::{BATCH_USERS, page};

/// A shape's record, made anew for each repeat (from the state of its random bytes).
type Record = fn(&mut u64) -> Vec<u8>;

/// The shapes' schema: a type for each, so that each is read with a schema too.
const SHAPES_PROTO: &str = r#"syntax = "proto3";
package shapes;
message Ints { repeated int32 a = 1 [packed = false]; }
message Blobs { repeated bytes b = 1; }
message Strs { repeated string s = 2; }
message Inner { int32 a = 1; }
message Nested { repeated Inner n = 3; }
message Fixed { repeated fixed64 f = 1 [packed = false]; }
message Deep { int32 a = 1; repeated Deep d = 3; }
"#;

/// The descriptor set's schema: protobuf's own `descriptor.proto` (a well-known import, which
/// protoc finds among its includes and wirelens knows), used once so that protoc does not warn.
const DESCRIPTOR_PROTO: &str = r#"syntax = "proto3";
import "google/protobuf/descriptor.proto";
message Sets { repeated google.protobuf.FileDescriptorSet sets = 1; }
"#;

/// Each shape's name, its type in [`SHAPES_PROTO`], and the record it repeats.
const SHAPES: [(&str, &str, Record); 8] = [
    // Dense one-byte ints: `1: 1`.
    ("ints", "shapes.Ints", |_| vec![0x08, 0x01]),
    // Binary blobs that are valid UTF-8: LEN payloads of 1000 control bytes.
    ("blobs", "shapes.Blobs", |_| [&[0x0A, 0xE8, 0x07][..], &[0x05; 1000]].concat()),
    // Short strings: `2: {"abc"}`.
    ("strings", "shapes.Strs", |_| vec![0x12, 0x03, b'a', b'b', b'c']),
    // Long text: strings of 1000 bytes of ASCII prose, which protoc prints almost as fast as it
    // copies them.
    ("text", "shapes.Strs", |_| {
        let prose = b"The quick brown fox jumps over the lazy dog. ".iter().copied().cycle().take(1000);
        [0x12, 0xE8, 0x07].into_iter().chain(prose).collect()
    }),
    // Tiny nested messages: `3: {1: 5}`.
    ("nested", "shapes.Nested", |_| vec![0x1A, 0x02, 0x08, 0x05]),
    // LEN payloads of 1000 random bytes (shown as hex).
    ("random-bytes", "shapes.Blobs", |seed| [&[0x0A, 0xE8, 0x07][..], &random(seed, 1000)].concat()),
    // Dense fixed64 records of random bits.
    ("fixed64", "shapes.Fixed", |seed| [&[0x09][..], &random(seed, 8)].concat()),
    // Messages nested ten deep (as deep as protoc --decode_raw reads) around `1: 5`.
    ("deep", "shapes.Deep", |_| {
        (0..9).fold(vec![0x08, 0x05], |inner, _| [&[0x1A, inner.len() as u8][..], &inner].concat())
    }),
];

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: cli_inputs DIR"));
    let batch = page(BATCH_USERS as usize);
    std::fs::write(dir.join("batch.bin"), batch.encode_to_vec()).expect("writing batch.bin");
    let mut stream = Vec::new();
    for user in &batch.users {
        user.encode_length_delimited(&mut stream).expect("a Vec grows");
    }
    std::fs::write(dir.join("users.delimited"), stream).expect("writing users.delimited");
    let mut manifest = String::new();
    for (name, message, record) in SHAPES {
        let mut seed = 0x2545_F491_4F6C_DD1D;
        let mut bytes = Vec::with_capacity((1 << 20) + 1024);
        while bytes.len() < 1 << 20 {
            bytes.extend(record(&mut seed));
        }
        std::fs::write(dir.join(format!("shape-{name}.bin")), bytes).expect("writing a shape");
        manifest.push_str(&format!("{name}\tshapes.proto\t{message}\n"));
    }
    std::fs::write(dir.join("shapes.proto"), SHAPES_PROTO).expect("writing shapes.proto");

    let set = descriptor_set(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../proto"));
    let bytes: Vec<u8> = set.iter().copied().cycle().take(set.len() * (1_usize << 20).div_ceil(set.len())).collect();
    std::fs::write(dir.join("shape-descriptor-set.bin"), bytes).expect("writing the descriptor sets");
    std::fs::write(dir.join("descriptor-set.proto"), DESCRIPTOR_PROTO).expect("writing descriptor-set.proto");
    manifest.push_str("descriptor-set\tdescriptor-set.proto\tgoogle.protobuf.FileDescriptorSet\n");
    std::fs::write(dir.join("shapes.tsv"), manifest).expect("writing shapes.tsv");
}

/// Every `.proto` file under `root`, compiled with their imports and source information into
/// an encoded `FileDescriptorSet`.
fn descriptor_set(root: &Path) -> Vec<u8> {
    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("reading proto/").flatten() {
            let path = entry.path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "proto") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    files(root, &mut paths);
    paths.sort();
    let mut compiler = protox::Compiler::new([root]).expect("proto/ is a directory");
    compiler.include_imports(true).include_source_info(true);
    compiler.open_files(&paths).expect("the repository's .proto files compile");
    compiler.encode_file_descriptor_set()
}

/// `n` bytes of xorshift64, from `seed` on.
fn random(seed: &mut u64, n: usize) -> Vec<u8> {
    (0..n)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed >> 24) as u8
        })
        .collect()
}
