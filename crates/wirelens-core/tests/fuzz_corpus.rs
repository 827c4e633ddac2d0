//! Replays the cargo-fuzz corpora of `fuzz/corpus/` (seeds and whatever the fuzzers kept)
//! through the same checks as the fuzz targets, so `cargo test` guards what fuzzing found.

use std::path::{Path, PathBuf};

use wirelens_core::input::{self, InputFormat};
use wirelens_core::{examples, protoscope, wire};

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
fn annotate_corpus_tiles_and_reads_back_from_protoscope() {
    let user = examples::REFERENCE.schema().unwrap().message("userservice.User").unwrap();
    for path in corpus("annotate") {
        let bytes = std::fs::read(&path).unwrap();
        for desc in [None, Some(&user)] {
            let a = wire::annotate(&bytes, desc);
            let mut next = 0;
            for leaf in a.leaves() {
                assert_eq!(a.node(leaf).range.start, next, "{}", path.display());
                next = a.node(leaf).range.end;
            }
            assert_eq!(next, bytes.len(), "{}", path.display());
            let text = protoscope::write(&a);
            assert_eq!(
                input::parse_bytes(&text, InputFormat::Protoscope),
                Ok(bytes.clone()),
                "{}:\n{text}",
                path.display()
            );
        }
    }
}

#[test]
fn input_corpus_parses_or_points_at_a_character() {
    for path in corpus("input") {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        for format in
            [InputFormat::Auto, InputFormat::Hex, InputFormat::Base64, InputFormat::Escaped, InputFormat::Protoscope]
        {
            match input::parse_bytes(text, format) {
                Ok(bytes) => assert_eq!(input::parse_bytes(&input::to_hex(&bytes), InputFormat::Hex).unwrap(), bytes),
                Err(e) => assert!(e.position() <= text.chars().count(), "{}: {e}", path.display()),
            }
        }
    }
}
