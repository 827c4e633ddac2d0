//! Writes the inputs of `cargo xtask bench cli` into the directory named by its argument:
//! `batch.bin`, the criterion benches' 1 MiB page of users (`bench.UserPage`), and
//! `users.delimited`, the same users as a stream of length-delimited `userservice.User`s (what
//! `writeDelimitedTo` writes), which xtask repeats to make a long stream.

use std::path::PathBuf;

use prost::Message as _;
use wirelens_bench::workload::{BATCH_USERS, page};

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: cli_inputs DIR"));
    let batch = page(BATCH_USERS as usize);
    std::fs::write(dir.join("batch.bin"), batch.encode_to_vec()).expect("writing batch.bin");
    let mut stream = Vec::new();
    for user in &batch.users {
        user.encode_length_delimited(&mut stream).expect("a Vec grows");
    }
    std::fs::write(dir.join("users.delimited"), stream).expect("writing users.delimited");
}
