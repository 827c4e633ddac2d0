//! Hex dumps: `08 2A`, `0x08, 0x2a`, `082a`, read with the position of every mistake, and
//! written as uppercase pairs. Knows digits and separators; nothing about what the bytes mean.

use super::{ErrorKind, Fault};

/// Uppercase hex digit pairs separated by single spaces: `08 2A 12 05`.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    push_hex(&mut out, bytes);
    out
}

/// [`to_hex`], appended to `out`.
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for (i, &byte) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0xF)]));
    }
}

/// Whether `chars` is two or more groups of exactly two characters between separators, the shape
/// of a hex dump (`08 2A 12 6G`): base64 is not written in pairs, so a stray letter there is a
/// hex mistake to report, not a reason to read the text as base64.
pub(super) fn spaced_pairs(chars: &[char]) -> bool {
    let mut groups = 0;
    for group in chars.split(|&c| is_separator(c)).filter(|g| !g.is_empty()) {
        if group.len() != 2 {
            return false;
        }
        groups += 1;
    }
    groups >= 2
}

/// Whether `text` is plain hex, the common paste: groups of ASCII hex digit pairs between ASCII
/// whitespace, and nothing else. Such text reads the same as hex and as [`InputFormat::Auto`]
/// (`super::tests` holds the two readers to that), so it can be read from its bytes.
///
/// [`InputFormat::Auto`]: super::InputFormat::Auto
pub(super) fn is_plain(text: &str) -> bool {
    text.as_bytes()
        .split(u8::is_ascii_whitespace)
        .all(|group| group.len() % 2 == 0 && group.iter().all(u8::is_ascii_hexdigit))
}

/// The bytes of a text [`is_plain`] accepts, or `None` for any other text: in one pass, a byte
/// of text at a time (a megabyte of hex is three million characters: no `char` for each, and no
/// second pass to check them first).
pub(super) fn read_plain(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    // Written by index, not pushed: the app's size-first build (opt-level "z") calls `push`
    // for every byte, a third of the reading.
    let mut out = vec![0; text.len() / 2];
    let mut len = 0;
    let mut at = 0;
    while at < text.len() {
        match PLAIN[usize::from(text[at])] {
            SPACE => at += 1,
            OTHER => return None,
            high => {
                // The low digit must follow: a group of odd length, or anything else, is not plain.
                let low = PLAIN[usize::from(*text.get(at + 1)?)];
                if low >= SPACE {
                    return None;
                }
                out[len] = high << 4 | low;
                len += 1;
                at += 2;
            }
        }
    }
    out.truncate(len);
    Some(out)
}

/// [`read_plain`]'s table: a hex digit's value, else `SPACE` (ASCII whitespace) or `OTHER`.
const SPACE: u8 = 16;
const OTHER: u8 = 17;
const PLAIN: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ if c.is_ascii_whitespace() => SPACE,
            _ => OTHER,
        };
        b += 1;
    }
    table
};

pub(super) fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == ','
}

/// Where the digits start when a `0x` or `0X` prefix opens a group at `i`.
pub(super) fn prefix_end(chars: &[char], i: usize) -> Option<usize> {
    let at_group_start = i == 0 || is_separator(chars[i - 1]);
    let prefixed = chars.get(i) == Some(&'0') && matches!(chars.get(i + 1), Some('x' | 'X'));
    (at_group_start && prefixed).then_some(i + 2)
}

pub(super) fn read(chars: &[char]) -> Result<Vec<u8>, Fault> {
    let mut out = Vec::with_capacity(chars.len() / 2);
    let mut i = 0;
    while i < chars.len() {
        if is_separator(chars[i]) {
            i += 1;
            continue;
        }
        // A group: an optional prefix, then digits up to the next separator.
        if let Some(after) = prefix_end(chars, i) {
            if chars.get(after).is_none_or(|&c| is_separator(c)) {
                let prefix = chars[i..after].iter().collect();
                return Err((i, ErrorKind::HexPrefixWithoutDigits(prefix)));
            }
            i = after;
        }
        let mut high: Option<(usize, char, u8)> = None;
        while let Some(&c) = chars.get(i).filter(|&&c| !is_separator(c)) {
            let Some(digit) = c.to_digit(16) else {
                return Err((i, ErrorKind::InvalidHexDigit(c)));
            };
            let digit = digit as u8;
            match high.take() {
                Some((_, _, high)) => out.push(high << 4 | digit),
                None => high = Some((i, c, digit)),
            }
            i += 1;
        }
        if let Some((position, c, _)) = high {
            return Err((position, ErrorKind::UnpairedHexDigit(c)));
        }
    }
    Ok(out)
}
