//! C-style escaped strings: `\x08*\x12\x05Alice`, bare or in quotes, read with the position of
//! every mistake, and written as `protoc` prints bytes. Knows C's escapes and quoting; nothing
//! about what the bytes mean.

use std::fmt::Write as _;

use super::{ErrorKind, Fault};

/// C escapes as `protoc` prints bytes, without the surrounding quotes: printable ASCII as itself
/// except `"`, `'` and `\`, which are escaped; `\n`, `\r` and `\t` by name; every other byte as
/// three octal digits (`\010`), so a digit after it never joins the escape.
pub fn to_escaped(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &byte in bytes {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\'' => out.push_str("\\'"),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b' '..=b'~' => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\{byte:03o}");
            }
        }
    }
    out
}

pub(super) fn read(chars: &[char]) -> Result<Vec<u8>, Fault> {
    let mut out = Vec::with_capacity(chars.len());
    let first = chars.iter().position(|c| !c.is_whitespace());
    if !first.is_some_and(|i| opens_string(chars, i)) {
        // Bare: everything is content but line breaks.
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            i = match c {
                '\n' | '\r' => i + 1,
                '\\' => escape(chars, i, &mut out)?,
                _ => {
                    out.push(printable(chars, i)?);
                    i + 1
                }
            };
        }
        return Ok(out);
    }
    // Quoted: pieces separated by whitespace.
    let mut i = 0;
    loop {
        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        let Some(&c) = chars.get(i) else {
            return Ok(out);
        };
        if !opens_string(chars, i) {
            return Err((i, ErrorKind::OutsideQuotes(c)));
        }
        if matches!(c, 'b' | 'B') {
            i += 1;
        }
        let (open, quote) = (i, chars[i]);
        i += 1;
        loop {
            i = match chars.get(i) {
                None | Some('\n' | '\r') => {
                    return Err((open, ErrorKind::UnterminatedString(quote)));
                }
                Some(&c) if c == quote => break,
                Some('\\') => escape(chars, i, &mut out)?,
                Some(_) => {
                    out.push(printable(chars, i)?);
                    i + 1
                }
            };
        }
        i += 1;
    }
}

/// Whether a quoted string, `"`, `'`, `b"` or `b'`, opens at `i`.
pub(super) fn opens_string(chars: &[char], i: usize) -> bool {
    match chars.get(i) {
        Some('"' | '\'') => true,
        Some('b' | 'B') => matches!(chars.get(i + 1), Some('"' | '\'')),
        _ => false,
    }
}

fn printable(chars: &[char], i: usize) -> Result<u8, Fault> {
    match chars[i] {
        c @ ' '..='~' => Ok(c as u8),
        c => Err((i, ErrorKind::NotPrintable(c))),
    }
}

/// Reads the escape whose backslash is at `i` into `out`; returns the index after it.
fn escape(chars: &[char], i: usize, out: &mut Vec<u8>) -> Result<usize, Fault> {
    let ends_line = |j: usize| matches!(chars.get(j), None | Some('\n' | '\r'));
    let digits = |from: usize, radix: u32, most: usize| {
        let count = chars[from..].iter().take(most).take_while(|c| c.is_digit(radix)).count();
        let value = chars[from..from + count]
            .iter()
            .filter_map(|c| c.to_digit(radix))
            .fold(0, |value, digit| value * radix + digit);
        (from + count, value)
    };
    if ends_line(i + 1) {
        return Err((i, ErrorKind::UnterminatedEscape("\\")));
    }
    let byte = match chars[i + 1] {
        'x' => {
            let (end, value) = digits(i + 2, 16, 2);
            if end == i + 2 {
                let kind = if ends_line(end) {
                    ErrorKind::UnterminatedEscape("\\x")
                } else {
                    ErrorKind::HexEscapeWithoutDigits
                };
                return Err((i, kind));
            }
            out.push(value as u8);
            return Ok(end);
        }
        '0'..='7' => {
            let (end, value) = digits(i + 1, 8, 3);
            let Ok(byte) = u8::try_from(value) else {
                let written = chars[i..end].iter().collect();
                return Err((i, ErrorKind::OctalOutOfRange(written)));
            };
            out.push(byte);
            return Ok(end);
        }
        'n' => b'\n',
        'r' => b'\r',
        't' => b'\t',
        '"' => b'"',
        '\'' => b'\'',
        '\\' => b'\\',
        'a' => 0x07,
        'b' => 0x08,
        'f' => 0x0c,
        'v' => 0x0b,
        '?' => b'?',
        c => return Err((i, ErrorKind::InvalidEscape(c))),
    };
    out.push(byte);
    Ok(i + 2)
}
