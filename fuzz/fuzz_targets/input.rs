//! Any text in any notation: parse_bytes returns, and what it accepts as hex re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirelens_core::input::{self, InputFormat};

fuzz_target!(|text: &str| {
    for format in [InputFormat::Auto, InputFormat::Hex, InputFormat::Base64, InputFormat::Escaped, InputFormat::Protoscope] {
        if let Ok(bytes) = input::parse_bytes(text, format) {
            assert_eq!(input::parse_bytes(&input::to_hex(&bytes), InputFormat::Hex).unwrap(), bytes);
        }
    }
});
