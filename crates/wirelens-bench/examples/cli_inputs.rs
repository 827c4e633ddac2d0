//! Writes the inputs of `cargo xtask bench cli` into the directory named by its argument:
//! `batch.bin`, the criterion benches' 1 MiB page of users (`bench.UserPage`), and
//! `users.delimited`, the same users as a stream of length-delimited `userservice.User`s (what
//! `writeDelimitedTo` writes), which xtask repeats to make a long stream; and `shape-NAME.bin`,
//! 1 MiB corpora of one record shape repeated (see [`SHAPES`]), each read without a schema.

use std::path::PathBuf;

use prost::Message as _;
use wirelens_bench::workload::{BATCH_USERS, page};

/// A shape's record, made anew for each repeat (from the state of its random bytes).
type Record = fn(&mut u64) -> Vec<u8>;

/// Each shape's name and the record it repeats.
const SHAPES: [(&str, Record); 7] = [
    // Dense one-byte ints: `1: 1`.
    ("ints", |_| vec![0x08, 0x01]),
    // Binary blobs that are valid UTF-8: LEN payloads of 1000 control bytes.
    ("blobs", |_| [&[0x0A, 0xE8, 0x07][..], &[0x05; 1000]].concat()),
    // Short strings: `2: {"abc"}`.
    ("strings", |_| vec![0x12, 0x03, b'a', b'b', b'c']),
    // Tiny nested messages: `3: {1: 5}`.
    ("nested", |_| vec![0x1A, 0x02, 0x08, 0x05]),
    // LEN payloads of 1000 random bytes (shown as hex).
    ("random-bytes", |seed| [&[0x0A, 0xE8, 0x07][..], &random(seed, 1000)].concat()),
    // Dense fixed64 records of random bits.
    ("fixed64", |seed| [&[0x09][..], &random(seed, 8)].concat()),
    // Messages nested ten deep (as deep as protoc --decode_raw reads) around `1: 5`.
    ("deep", |_| (0..9).fold(vec![0x08, 0x05], |inner, _| [&[0x1A, inner.len() as u8][..], &inner].concat())),
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
    for (name, record) in SHAPES {
        let mut seed = 0x2545_F491_4F6C_DD1D;
        let mut bytes = Vec::with_capacity((1 << 20) + 1024);
        while bytes.len() < 1 << 20 {
            bytes.extend(record(&mut seed));
        }
        std::fs::write(dir.join(format!("shape-{name}.bin")), bytes).expect("writing a shape");
    }
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
