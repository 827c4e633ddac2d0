//! Protoscope's language read into bytes, and the spelling of its literals: all of protoscope's
//! `language.txt` (github.com/protocolbuffers/protoscope), with its scanner's accept and refuse
//! rules. Knows the wire format's tags and varints; knows nothing about schemas. The writer
//! (`crate::protoscope`) spells its literals with [`string_literal`], [`hex_literal`],
//! [`push_double_literal`] and [`push_float_literal`], so that what it writes reads back here.
//!
//! # The language
//!
//! Tokens are separated by space, tab, CR and LF (only those); `#` starts a comment that runs
//! to the end of the line. Each token emits bytes as soon as it is read:
//! - `"text"`: its bytes, any character before the closing quote, line breaks included; the
//!   escapes are `\\`, `\"`, `\n`, `\x` with exactly two hex digits, and `\` with one to three
//!   octal digits that fit a byte. `` `0a2B` ``: bytes in hex, digits only, in pairs.
//! - Integers, `-?` then digits or `0x` and hex digits: a varint (a negative one as ten bytes of
//!   two's complement); with `z`, zigzag; with `i32` / `i64`, little-endian fixed width.
//!   `true` and `false` are `01` and `00`.
//! - Floats need a point with digits on both sides: `1.5`, `-9.4e-2`, and hex `-0x1.ffp52`; a
//!   double, or a float with `i32` (`i64` is allowed too). `inf32`, `-inf32`, `inf64`, `-inf64`
//!   are the infinities. A value too large for its width is a mistake.
//! - A tag is an integer and a colon, `1:`, with a wire type after it (`VARINT`, `I64`, `LEN`,
//!   `SGROUP`, `EGROUP`, `I32`, or a number from 0 to 7). The field number may be negative,
//!   zigzag or hex (`-5:6`, `9z:7`, `0x1fffffffffffffff:0`: 61 bits, signed). Without a wire
//!   type, the next token decides: `I32` for a 32-bit fixed value or float, `I64` for a 64-bit
//!   one, `LEN` for `{`, `SGROUP` for `!{`, `VARINT` for anything else and at the end.
//! - `{ … }` emits its contents behind their length as a varint; `!{ … }` right after a tag
//!   without a wire type is a group, closed by the matching `EGROUP` tag.
//! - `long-form:N` makes the next varint (an integer, a tag, the length of `{`, or, as the last
//!   token inside `!{ … }`, the end-group tag) N bytes longer than it needs.
//!
//! Two departures from protoscope's scanner: a varint that `long-form` would make longer than
//! ten bytes is refused, since nothing reads it as a varint (protoscope writes it); and a zigzag
//! tag whose wire type is inferred is `zigzag(n << 3 | type)`, as when the type is written
//! (protoscope ORs the type into the first byte of `zigzag(n << 3)`).

use std::fmt;

use super::{ErrorKind, Fault};
use crate::varint;
use crate::wire::WireType;

/// A mistake in protoscope text; an [`InputError`](super::InputError) says where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mistake {
    /// A word that is no token (`banana`); a float written wrong is [`Mistake::FloatForm`].
    Unknown(String),
    /// A white-space character other than the four that separate tokens.
    Separator(char),
    /// `!` without `{` after it.
    Bang,
    /// An integer beyond 64 bits, or a negative one below the smallest.
    IntRange(String),
    /// A fixed-width integer that does not fit its width: the word and the bits.
    Width(String, u32),
    /// A float too large for its width: the word and the bits.
    FloatRange(String, u32),
    /// Looks like a float but is not one: `1.`, `1e1`, `1.0e+1`.
    FloatForm(String),
    /// `i32` or `i64` on a tag.
    FixedTag(String),
    /// What follows a tag's colon is no wire type.
    WireType(String),
    /// A field number beyond 61 bits.
    FieldNumber(String),
    /// `long-form:N` with N beyond 2^31 - 1.
    LongFormRange(String),
    /// A `long-form:N` (as written) before something that is not a varint.
    LongFormAlone(usize),
    /// A `long-form` that would make a varint of more than ten bytes.
    VarintTooLong {
        extra: usize,
        value: u64,
    },
    /// `!{` not right after a tag without a wire type.
    GroupWithoutTag,
    UnclosedBrace,
    UnclosedGroup,
    UnmatchedClose,
    UnclosedString,
    UnclosedHex,
    /// `\x` without two hex digits after it.
    HexEscape,
    /// A backslash before a character that makes no escape.
    Escape(char),
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mistake::Unknown(word) => write!(
                f,
                "'{word}' is not protoscope: expected a tag such as '1:', a number, a \"string\", `hex`, '{{' or '}}'"
            ),
            Mistake::Separator(c) => {
                write!(f, "{c:?} is not a separator: tokens are separated by spaces, tabs and line breaks")
            }
            Mistake::Bang => write!(f, "'!' opens a group only as '!{{'"),
            Mistake::IntRange(word) => write!(f, "'{word}' does not fit in 64 bits"),
            Mistake::Width(word, bits) => write!(f, "'{word}' does not fit in {bits} bits"),
            Mistake::FloatRange(word, bits) => write!(f, "'{word}' is too large for a {bits}-bit float"),
            Mistake::FloatForm(word) => write!(
                f,
                "'{word}' is not a number: a float needs digits on both sides of its point, and its exponent is written e5 or e-5"
            ),
            Mistake::FixedTag(word) => write!(f, "'{word}': a tag is a varint, it cannot be i32 or i64"),
            Mistake::WireType(word) => {
                write!(f, "'{word}' is not a wire type: VARINT, I64, LEN, SGROUP, EGROUP, I32 or a number from 0 to 7")
            }
            Mistake::FieldNumber(word) => {
                write!(f, "field number '{word}' is too large: with the wire type, a tag has 64 bits")
            }
            Mistake::LongFormRange(word) => write!(f, "'{word}' asks for too many extra bytes"),
            Mistake::LongFormAlone(n) => {
                write!(f, "'long-form:{n}' must stand before a varint: a number, a tag, '{{' or a group's closing '}}'")
            }
            Mistake::VarintTooLong { extra, value } => write!(
                f,
                "long-form:{extra} makes {value} a varint of {} bytes; a varint has at most {}",
                varint::encoded_len(*value) + extra,
                varint::MAX_LEN
            ),
            Mistake::GroupWithoutTag => {
                write!(f, "'!{{' must follow a tag without a wire type, such as '3:'")
            }
            Mistake::UnclosedBrace => write!(f, "this '{{' is never closed"),
            Mistake::UnclosedGroup => write!(f, "this '!{{' is never closed"),
            Mistake::UnmatchedClose => write!(f, "this '}}' closes nothing"),
            Mistake::UnclosedString => write!(f, "this '\"' has no closing '\"'"),
            Mistake::UnclosedHex => write!(f, "this '`' has no closing '`'"),
            Mistake::HexEscape => write!(f, "'\\x' needs two hex digits after it"),
            Mistake::Escape(c) => {
                let escape = if c.is_control() { format!("a backslash before {c:?}") } else { format!("'\\{c}'") };
                write!(
                    f,
                    "{escape} is no escape: a string has \\\\, \\\", \\n, \\x and two hex digits, and \\ and one to three octal digits"
                )
            }
        }
    }
}

/// The bytes protoscope `chars` spell, or the first mistake and the character it is at.
pub(super) fn read(chars: &[char]) -> Result<Vec<u8>, Fault> {
    let out = Vec::with_capacity(chars.len() / 2);
    Scanner { chars, at: 0, out, frames: Vec::new(), long_form: None, tag: None, word: String::new() }.run()
}

/// Whether `chars` opens like protoscope: with a comment, a tag (`1:`, `-5:LEN`) or a
/// `long-form:`.
pub(super) fn looks_like(chars: &[char]) -> bool {
    let start = chars.iter().position(|&c| !is_separator(c)).unwrap_or(chars.len());
    if chars.get(start) == Some(&'#') {
        return true;
    }
    let end = (start..chars.len()).find(|&i| ends_word(chars[i])).unwrap_or(chars.len());
    let word: String = chars[start..end].iter().collect();
    // A tag with a mistake after its colon (`1:FOO`) is still a tag, to be reported as one.
    let head = match word.find(':') {
        Some(colon) if !word.starts_with("long-form:") => &word[..=colon],
        _ => &word,
    };
    matches!(token(head), Ok(Token::Tag { .. } | Token::LongForm(_)))
}

/// `"…"` that reads back as `text`'s UTF-8: `"`, `\` and line feeds escaped, other control
/// characters as `\x` escapes.
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_string_literal(&mut out, text);
    out
}

/// [`string_literal`], appended to `out`.
pub fn push_string_literal(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let bytes = text.as_bytes();
    if !may_escape(bytes) {
        out.push_str(text);
        return out.push('"');
    }
    // Runs of characters that need no escape are copied whole. The control characters are
    // U+0000 to U+001F, U+007F, and U+0080 to U+009F (0xC2 then 0x80 to 0x9F in UTF-8).
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while none of them may need an escape, then byte by byte.
        if let Some(word) = bytes.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok())
            && !may_escape_any(u64::from_le_bytes(word))
        {
            i += 8;
            continue;
        }
        if !MAY_ESCAPE[usize::from(bytes[i])] || !escapes_at(bytes, i) {
            i += 1;
            continue;
        }
        out.push_str(&text[copied..i]);
        // A lone escape (a line feed in text), or one of the few bytes left (a small packed
        // number read as text), is pushed as it is; a longer run a buffer at a time.
        if (bytes.len() - i <= SHORT_RUN || !escapes_at(bytes, i + 1))
            && let Some(escape) = escape_text(bytes[i])
        {
            out.push_str(escape);
            i += 1;
        } else {
            i = push_escapes(out, bytes, i);
        }
        copied = i;
    }
    out.push_str(&text[copied..]);
    out.push('"');
}

/// The run of characters to escape that starts at `bytes[i]`, as escapes appended to `out`;
/// returns where the run ends. The escapes are spelled into a buffer and pushed a buffer at a
/// time: a binary payload that is valid UTF-8 (control bytes) is a run as long as itself, where
/// a push per escape cost a hundred instructions per byte.
#[inline(never)]
fn push_escapes(out: &mut String, bytes: &[u8], mut i: usize) -> usize {
    const ROOM: usize = 1024;
    let mut buf = [0u8; ROOM + 32];
    loop {
        let mut n = 0;
        while n < ROOM {
            // Eight control characters other than a line feed at a time, each a `\xNN`.
            if let Some(word) = bytes.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok())
                && u64::from_le_bytes(word) & (ONES * 0xE0) == 0
                && !any_equal(u64::from_le_bytes(word), b'\n')
            {
                for (at, b) in word.into_iter().enumerate() {
                    buf[n + 4 * at..n + 4 * at + 4].copy_from_slice(&ESCAPES[usize::from(b)].0);
                }
                n += 32;
                i += 8;
                continue;
            }
            let Some(&b) = bytes.get(i) else { break };
            let (escape, width) = ESCAPES[usize::from(b)];
            let width = match width {
                0 if b == 0xC2 && bytes.get(i + 1).is_some_and(|&next| (0x80..0xA0).contains(&next)) => 4,
                0 => break,
                width => width,
            };
            buf[n..n + 4].copy_from_slice(&escape);
            n += usize::from(width);
            i += 1;
            if width == 4 && b == 0xC2 {
                // U+0080 to U+009F: its second byte too.
                buf[n..n + 4].copy_from_slice(&ESCAPES[usize::from(bytes[i])].0);
                n += 4;
                i += 1;
            }
        }
        // Checked as text by simdutf8 (std's check took two instructions a byte).
        out.push_str(crate::wire::utf8(&buf[..n]).expect("escapes are ASCII"));
        if n < ROOM {
            return i;
        }
    }
}

/// Escape runs no longer than this are pushed an escape at a time, where zeroing
/// [`push_escapes`]'s buffer and checking it cost more than the run.
const SHORT_RUN: usize = 16;

/// The escape of byte `b` as a piece of [`ESCAPE_TEXT`], if it is escaped on its own.
#[inline(always)]
fn escape_text(b: u8) -> Option<&'static str> {
    let at = 4 * usize::from(b);
    match ESCAPES[usize::from(b)].1 {
        0 => None,
        width => ESCAPE_TEXT.get(at..at + usize::from(width)),
    }
}

/// [`ESCAPES`] as one text, four bytes a byte.
const ESCAPE_TEXT: &str = {
    const BYTES: [u8; 1024] = {
        let mut text = [0; 1024];
        let mut b = 0;
        while b < 256 {
            let escape = ESCAPES[b].0;
            let mut k = 0;
            while k < 4 {
                text[4 * b + k] = escape[k];
                k += 1;
            }
            b += 1;
        }
        text
    };
    match std::str::from_utf8(&BYTES) {
        Ok(text) => text,
        Err(_) => panic!("escapes are ASCII"),
    }
};

/// Whether [`push_string_literal`] escapes the character at `bytes[i]`.
#[inline]
fn escapes_at(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(b'"' | b'\\' | b'\n' | 0..0x20 | 0x7F) => true,
        Some(0xC2) => bytes.get(i + 1).is_some_and(|&next| (0x80..0xA0).contains(&next)),
        _ => false,
    }
}

/// Each byte's escape as [`push_string_literal`] spells it, padded to four bytes, and its width:
/// `\"`, `\\`, `\n`, else `\x` and two lowercase hex digits; width 0 for the bytes not escaped
/// on their own (0xC2 starts an escape only before 0x80 to 0x9F).
const ESCAPES: [([u8; 4], u8); 256] = {
    let mut table = [([0; 4], 0); 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'"' => ([b'\\', b'"', 0, 0], 2),
            b'\\' => ([b'\\', b'\\', 0, 0], 2),
            b'\n' => ([b'\\', b'n', 0, 0], 2),
            0..0x20 | 0x7F => ([b'\\', b'x', HEX[b][0], HEX[b][1]], 4),
            _ => ([b'\\', b'x', HEX[b][0], HEX[b][1]], 0),
        };
        b += 1;
    }
    table
};

/// Whether any byte of `bytes` is one of [`MAY_ESCAPE`]'s (never a false "no").
#[inline]
fn may_escape(bytes: &[u8]) -> bool {
    if bytes.len() >= 64 { may_escape_long(bytes) } else { may_escape_short(bytes) }
}

/// [`may_escape`] eight bytes at a time, the last eight overlapping the word before them, a
/// string shorter than eight byte by byte.
#[inline(always)]
fn may_escape_short(bytes: &[u8]) -> bool {
    let word = |at: usize| bytes.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map(u64::from_le_bytes);
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes.iter().any(|&b| MAY_ESCAPE[usize::from(b)]);
    };
    let mut at = 0;
    while at < last {
        if word(at).is_none_or(may_escape_any) {
            return true;
        }
        at += 8;
    }
    word(last).is_none_or(may_escape_any)
}

/// [`may_escape`] of a long string: 32 bytes at a time, by a fold the compiler turns into
/// vector compares (a third of the instructions of the words' tests), then the rest.
#[inline(never)]
fn may_escape_long(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        // `|`, not `||`: no branch per byte.
        let any = block
            .iter()
            .fold(false, |any, &b| any | (b < 0x20) | (b == b'"') | (b == b'\\') | (b == 0x7F) | (b == 0xC2));
        if any {
            return true;
        }
    }
    may_escape_short(blocks.remainder())
}

/// Whether any of the eight bytes of `word` is one of [`MAY_ESCAPE`]'s (never a false "no"):
/// [`any_below`] and [`any_equal`]'s tests, their high bits or'ed, with one branch where
/// `||` took five (a third of the instructions of a short string's literal).
fn may_escape_any(word: u64) -> bool {
    let below = |n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word;
    let equal = |b: u8| {
        let x = word ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x
    };
    (below(0x20) | equal(b'"') | equal(b'\\') | equal(0x7F) | equal(0xC2)) & (ONES << 7) != 0
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// Whether a byte of `word` is below `n`, for `n` up to 0x80: its subtraction borrows into the
/// high bit, which it lacked.
fn any_below(word: u64, n: u8) -> bool {
    word.wrapping_sub(ONES * u64::from(n)) & !word & (ONES << 7) != 0
}

/// Whether a byte of `word` is `b`.
fn any_equal(word: u64, b: u8) -> bool {
    any_below(word ^ (ONES * u64::from(b)), 1)
}

/// The bytes that may start a character [`push_string_literal`] escapes.
const MAY_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[0x7F] = true;
    table[0xC2] = true;
    table
};

/// `` `0a2b` ``: the bytes in lowercase hex.
pub fn hex_literal(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2 + 2);
    push_hex_literal(&mut out, bytes);
    out
}

/// [`hex_literal`], appended to `out`: spelled into a buffer and pushed a buffer at a time (a push
/// per digit cost some twenty instructions per byte of a binary payload).
pub fn push_hex_literal(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len() * 2 + 2);
    out.push('`');
    let mut buf = [0u8; 256];
    for chunk in bytes.chunks(buf.len() / 2) {
        for (pair, &b) in buf.chunks_exact_mut(2).zip(chunk) {
            pair.copy_from_slice(&HEX[usize::from(b)]);
        }
        out.push_str(crate::wire::utf8(&buf[..chunk.len() * 2]).expect("hex digits are ASCII"));
    }
    out.push('`');
}

/// Each byte in two lowercase hex digits.
const HEX: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [DIGITS[b >> 4], DIGITS[b & 15]];
        b += 1;
    }
    table
};

/// A decimal double that reads back to exactly `value`'s bits (`1.5`, `1.0e300`), appended to
/// `out`; `false`, with nothing appended, for an infinity or a NaN.
pub fn push_double_literal(out: &mut String, value: f64) -> bool {
    if !value.is_finite() {
        return false;
    }
    let start = out.len();
    push_shortest(out, format_args!("{value:?}"));
    debug_assert_eq!(out[start..].parse::<f64>().map(f64::to_bits), Ok(value.to_bits()), "{}", &out[start..]);
    true
}

/// A decimal float with its `i32` that reads back to exactly `value`'s bits, appended to `out`;
/// `false`, with nothing appended, for an infinity or a NaN.
pub fn push_float_literal(out: &mut String, value: f32) -> bool {
    if !value.is_finite() {
        return false;
    }
    let start = out.len();
    push_shortest(out, format_args!("{value:?}"));
    debug_assert_eq!(out[start..].parse::<f32>().map(f32::to_bits), Ok(value.to_bits()), "{}", &out[start..]);
    out.push_str("i32");
    true
}

/// Rust's shortest spelling of a finite number (`{:?}`), which reads back to exactly its bits
/// (Rust's formatting finds the shortest digits that do, and its parsing rounds correctly: no
/// check is needed), appended with the point protoscope requires: `1e300` as `1.0e300`. Written
/// in place, with no `String` of its own (a third of the time of a line of a float).
fn push_shortest(out: &mut String, number: fmt::Arguments) {
    let start = out.len();
    let _ = fmt::Write::write_fmt(out, number);
    // A point, if any, comes before the exponent: the first of the two says which is there.
    if let Some(at) = out.as_bytes()[start..].iter().position(|&b| b == b'.' || b == b'e')
        && out.as_bytes()[start + at] == b'e'
    {
        out.insert_str(start + at, ".0");
    }
}

/// The four characters that separate tokens.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Whether `c` ends a word (a number, a tag, `long-form:N`, `true` …).
fn ends_word(c: char) -> bool {
    is_separator(c) || "{}[]`\"#!".contains(c)
}

/// What a token asks of the scanner.
#[derive(Debug)]
enum Token {
    /// A varint: it takes a `long-form`.
    Varint(u64),
    /// A tag; without a wire type, the next token gives it one.
    Tag {
        number: i64,
        zigzag: bool,
        wire_type: Option<u8>,
    },
    /// Bytes as they are (strings, hex), which give a tag before them `VARINT`.
    Bytes(Vec<u8>),
    /// A fixed-width value (or a boolean): the first `len` bytes of `bytes`, and the wire type
    /// they give a tag before them.
    Fixed {
        bytes: [u8; 8],
        len: u8,
        wire_type: u8,
    },
    LongForm(usize),
    Open,
    OpenGroup,
    Close,
}

/// A tag waiting for the token after it to give it a wire type.
struct PendingTag {
    at: usize,
    number: i64,
    zigzag: bool,
    long_form: usize,
}

/// An open `{` or `!{`, and where it was opened.
enum Frame {
    /// Its contents start at `start` in the output; its length prefix is `extra` bytes longer.
    Length { at: usize, start: usize, extra: usize },
    /// Closed by this field number's end-group tag.
    Group { at: usize, number: i64 },
}

struct Scanner<'a> {
    chars: &'a [char],
    at: usize,
    out: Vec<u8>,
    frames: Vec<Frame>,
    /// A `long-form:N` waiting for its varint: where it is, and N.
    long_form: Option<(usize, usize)>,
    tag: Option<PendingTag>,
    /// The word being read, kept to spare an allocation per word.
    word: String,
}

fn fault(at: usize, mistake: Mistake) -> Fault {
    (at, ErrorKind::Protoscope(mistake))
}

impl Scanner<'_> {
    fn run(mut self) -> Result<Vec<u8>, Fault> {
        while let Some((at, token)) = self.next()? {
            self.step(at, token)?;
        }
        if let Some((at, n)) = self.long_form {
            return Err(fault(at, Mistake::LongFormAlone(n)));
        }
        self.resolve(0)?;
        match self.frames.last() {
            Some(Frame::Length { at, .. }) => Err(fault(*at, Mistake::UnclosedBrace)),
            Some(Frame::Group { at, .. }) => Err(fault(*at, Mistake::UnclosedGroup)),
            None => Ok(self.out),
        }
    }

    fn step(&mut self, at: usize, token: Token) -> Result<(), Fault> {
        // A pending long-form goes to this token, if it is a varint.
        let takes_long_form = match token {
            Token::Varint(_) | Token::Tag { .. } | Token::Open => true,
            Token::Close => matches!(self.frames.last(), Some(Frame::Group { .. })),
            _ => false,
        };
        let extra = match self.long_form {
            Some(_) if takes_long_form => self.long_form.take().map_or(0, |(_, n)| n),
            Some((at, n)) => return Err(fault(at, Mistake::LongFormAlone(n))),
            None => 0,
        };
        // A pending tag takes its wire type from this token.
        let group_tag = match &token {
            Token::LongForm(_) => None,
            Token::OpenGroup => match self.resolve(WireType::StartGroup as u8)? {
                Some(number) => Some(number),
                None => return Err(fault(at, Mistake::GroupWithoutTag)),
            },
            Token::Fixed { wire_type, .. } => self.resolve(*wire_type)?,
            Token::Bytes(_) => self.resolve(WireType::Varint as u8)?,
            Token::Open => self.resolve(WireType::Len as u8)?,
            Token::Varint(_) | Token::Tag { .. } | Token::Close => self.resolve(WireType::Varint as u8)?,
        };
        match token {
            Token::Varint(value) => self.varint(at, value, extra)?,
            Token::Tag { number, zigzag, wire_type: Some(wire_type) } => {
                self.varint(at, tag_value(number, zigzag, wire_type), extra)?
            }
            Token::Tag { number, zigzag, wire_type: None } => {
                self.tag = Some(PendingTag { at, number, zigzag, long_form: extra })
            }
            Token::Bytes(bytes) => self.out.extend_from_slice(&bytes),
            Token::Fixed { bytes, len, .. } => self.out.extend_from_slice(&bytes[..usize::from(len)]),
            Token::LongForm(n) => self.long_form = Some((at, n)),
            Token::Open => self.frames.push(Frame::Length { at, start: self.out.len(), extra }),
            Token::OpenGroup => {
                let number = group_tag.expect("a group has its tag");
                self.frames.push(Frame::Group { at, number })
            }
            Token::Close => match self.frames.pop() {
                None => return Err(fault(at, Mistake::UnmatchedClose)),
                Some(Frame::Group { number, .. }) => {
                    self.varint(at, tag_value(number, false, WireType::EndGroup as u8), extra)?
                }
                Some(Frame::Length { at: opened, start, extra }) => {
                    let mut prefix = Vec::new();
                    let len = (self.out.len() - start) as u64;
                    push_varint(&mut prefix, len, extra).map_err(|m| fault(opened, m))?;
                    self.out.splice(start..start, prefix);
                }
            },
        }
        Ok(())
    }

    /// Writes the pending tag, if any, with `wire_type`; returns its field number.
    fn resolve(&mut self, wire_type: u8) -> Result<Option<i64>, Fault> {
        let Some(tag) = self.tag.take() else { return Ok(None) };
        self.varint(tag.at, tag_value(tag.number, tag.zigzag, wire_type), tag.long_form)?;
        Ok(Some(tag.number))
    }

    fn varint(&mut self, at: usize, value: u64, extra: usize) -> Result<(), Fault> {
        push_varint(&mut self.out, value, extra).map_err(|m| fault(at, m))
    }

    /// The next token and the character it starts at, past separators and comments.
    fn next(&mut self) -> Result<Option<(usize, Token)>, Fault> {
        let chars = self.chars;
        loop {
            match chars.get(self.at) {
                None => return Ok(None),
                Some(&c) if is_separator(c) => self.at += 1,
                Some('#') => {
                    while self.at < chars.len() && chars[self.at] != '\n' {
                        self.at += 1;
                    }
                }
                Some(_) => break,
            }
        }
        let start = self.at;
        self.at += 1;
        let token = match chars[start] {
            '{' => Token::Open,
            '}' => Token::Close,
            '!' if chars.get(start + 1) == Some(&'{') => {
                self.at += 1;
                Token::OpenGroup
            }
            '!' => return Err(fault(start, Mistake::Bang)),
            '"' => Token::Bytes(self.string(start)?),
            '`' => Token::Bytes(self.hex(start)?),
            _ => {
                let end = (start + 1..chars.len()).find(|&i| ends_word(chars[i])).unwrap_or(chars.len());
                self.at = end;
                let word = &chars[start..end];
                if let Some(i) = word.iter().position(|c| c.is_whitespace()) {
                    return Err(fault(start + i, Mistake::Separator(word[i])));
                }
                self.word.clear();
                self.word.extend(word);
                token(&self.word).map_err(|m| fault(start, m))?
            }
        };
        Ok(Some((start, token)))
    }

    /// The bytes of the string whose opening quote is at `start`.
    fn string(&mut self, start: usize) -> Result<Vec<u8>, Fault> {
        let chars = self.chars;
        let mut out = Vec::new();
        let mut i = start + 1;
        loop {
            let Some(&c) = chars.get(i) else { return Err(fault(start, Mistake::UnclosedString)) };
            i += 1;
            match c {
                '"' => break,
                '\\' => i = escape(chars, i - 1, &mut out)?,
                c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        self.at = i;
        Ok(out)
    }

    /// The bytes of the hex literal whose opening backtick is at `start`.
    fn hex(&mut self, start: usize) -> Result<Vec<u8>, Fault> {
        let chars = self.chars;
        let end = (start + 1..chars.len()).find(|&i| chars[i] == '`').ok_or(fault(start, Mistake::UnclosedHex))?;
        let digits = &chars[start + 1..end];
        if let Some(i) = digits.iter().position(|c| !c.is_ascii_hexdigit()) {
            return Err((start + 1 + i, ErrorKind::InvalidHexDigit(digits[i])));
        }
        if digits.len() % 2 == 1 {
            return Err((end - 1, ErrorKind::UnpairedHexDigit(digits[digits.len() - 1])));
        }
        self.at = end + 1;
        let value = |c: char| c.to_digit(16).expect("checked") as u8;
        Ok(digits.chunks(2).map(|pair| value(pair[0]) << 4 | value(pair[1])).collect())
    }
}

/// Reads the escape whose backslash is at `i` into `out`; returns the index after it.
fn escape(chars: &[char], i: usize, out: &mut Vec<u8>) -> Result<usize, Fault> {
    let Some(&c) = chars.get(i + 1) else { return Err((i, ErrorKind::UnterminatedEscape("\\"))) };
    match c {
        'n' => out.push(b'\n'),
        '"' | '\\' => out.push(c as u8),
        'x' => {
            let digits = chars.get(i + 2..i + 4).ok_or((i, ErrorKind::UnterminatedEscape("\\x")))?;
            let [high, low] = [digits[0], digits[1]].map(|d| d.to_digit(16));
            let (Some(high), Some(low)) = (high, low) else { return Err(fault(i, Mistake::HexEscape)) };
            out.push((high << 4 | low) as u8);
            return Ok(i + 4);
        }
        '0'..='7' => {
            let count = chars[i + 1..].iter().take(3).take_while(|c| matches!(c, '0'..='7')).count();
            let digits = &chars[i + 1..i + 1 + count];
            let value = digits.iter().fold(0u32, |v, d| v * 8 + d.to_digit(8).expect("octal"));
            let byte = u8::try_from(value)
                .map_err(|_| (i, ErrorKind::OctalOutOfRange(chars[i..i + 1 + count].iter().collect())))?;
            out.push(byte);
            return Ok(i + 1 + count);
        }
        c => return Err(fault(i, Mistake::Escape(c))),
    }
    Ok(i + 2)
}

/// `number << 3 | wire_type`, zigzag-encoded when the tag says so, as the varint's bits.
fn tag_value(number: i64, zigzag: bool, wire_type: u8) -> u64 {
    let tag = number.wrapping_shl(3) | i64::from(wire_type);
    if zigzag { zigzag64(tag) } else { tag as u64 }
}

fn zigzag64(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// The varint of `value`, `extra` bytes longer than it needs (continuation bits on zero groups);
/// refused when that passes the ten bytes a varint may have.
fn push_varint(out: &mut Vec<u8>, value: u64, extra: usize) -> Result<(), Mistake> {
    if varint::encoded_len(value) + extra > varint::MAX_LEN {
        return Err(Mistake::VarintTooLong { extra, value });
    }
    varint::encode(value, out);
    if extra > 0 {
        *out.last_mut().expect("a varint has a byte") |= 0x80;
        out.extend(std::iter::repeat_n(0x80, extra - 1));
        out.push(0);
    }
    Ok(())
}

/// The `len` low bytes of `value`, little-endian, as a token.
fn fixed(value: u64, len: u8, wire_type: u8) -> Token {
    Token::Fixed { bytes: value.to_le_bytes(), len, wire_type }
}

/// A word (what runs up to a separator, a brace, a quote, a backtick, `#` or `!`) as a token.
fn token(word: &str) -> Result<Token, Mistake> {
    let unknown = || Mistake::Unknown(word.to_owned());
    if let Some(n) = word.strip_prefix("long-form:") {
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unknown());
        }
        return n.parse::<i32>().map(|n| Token::LongForm(n as usize)).map_err(|_| Mistake::LongFormRange(word.into()));
    }
    let (i32_tag, i64_tag) = (WireType::I32 as u8, WireType::I64 as u8);
    match word {
        "true" => return Ok(fixed(1, 1, 0)),
        "false" => return Ok(fixed(0, 1, 0)),
        "inf32" => return Ok(fixed(f32::INFINITY.to_bits().into(), 4, i32_tag)),
        "-inf32" => return Ok(fixed(f32::NEG_INFINITY.to_bits().into(), 4, i32_tag)),
        "inf64" => return Ok(fixed(f64::INFINITY.to_bits(), 8, i64_tag)),
        "-inf64" => return Ok(fixed(f64::NEG_INFINITY.to_bits(), 8, i64_tag)),
        _ => {}
    }
    let (negative, body) = match word.strip_prefix('-') {
        Some(body) => (true, body),
        None => (false, word),
    };
    let (radix, body) = match body.strip_prefix("0x") {
        Some(body) => (16, body),
        None => (10, body),
    };
    let digits = body.bytes().take_while(|b| char::from(*b).is_digit(radix)).count();
    if digits == 0 {
        return Err(unknown());
    }
    let (digits, rest) = body.split_at(digits);
    if let Some(rest) = rest.strip_prefix('.') {
        return float(word, negative, radix, digits, rest);
    }
    if radix == 10 && rest.starts_with(['e', 'E']) {
        return Err(Mistake::FloatForm(word.into()));
    }
    let (suffix, rest) =
        ["z", "i32", "i64"].into_iter().find_map(|s| rest.strip_prefix(s).map(|rest| (s, rest))).unwrap_or(("", rest));
    let tag = match rest.strip_prefix(':') {
        Some(wire_type) if wire_type.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => Some(wire_type),
        _ if rest.is_empty() => None,
        _ => return Err(unknown()),
    };
    let magnitude = u64::from_str_radix(digits, radix).map_err(|_| Mistake::IntRange(word.into()))?;
    let value = match negative {
        false => magnitude as i64,
        true if magnitude == 1 << 63 => i64::MIN,
        true => i64::try_from(magnitude).map(|m| -m).map_err(|_| Mistake::IntRange(word.into()))?,
    };
    if let Some(name) = tag {
        if suffix.starts_with('i') {
            return Err(Mistake::FixedTag(word.into()));
        }
        let wire_type = match name {
            "" => None,
            name => match (0..6).filter_map(WireType::from_bits).find(|w| w.name() == name) {
                Some(w) => Some(w as u8),
                None => Some(name.parse::<u8>().ok().filter(|&n| n < 8).ok_or(Mistake::WireType(name.into()))?),
            },
        };
        if value >> 61 != 0 && value >> 61 != -1 {
            return Err(Mistake::FieldNumber(word[..word.len() - rest.len()].into()));
        }
        return Ok(Token::Tag { number: value, zigzag: suffix == "z", wire_type });
    }
    Ok(match suffix {
        "z" => Token::Varint(zigzag64(value)),
        "i32" => {
            if value > i64::from(u32::MAX) || value < i64::from(i32::MIN) {
                return Err(Mistake::Width(word.into(), 32));
            }
            fixed(u64::from(value as u32), 4, i32_tag)
        }
        "i64" => fixed(value as u64, 8, i64_tag),
        _ => Token::Varint(value as u64),
    })
}

/// A float word, from its fraction on: `rest` follows the point of `word`.
fn float(word: &str, negative: bool, radix: u32, int: &str, rest: &str) -> Result<Token, Mistake> {
    let malformed = || Mistake::FloatForm(word.to_owned());
    let frac_len = rest.bytes().take_while(|b| char::from(*b).is_digit(radix)).count();
    let (frac, rest) = rest.split_at(frac_len);
    let marks: &[char] = if radix == 16 { &['p', 'P'] } else { &['e', 'E'] };
    let (exponent, suffix) = match rest.strip_prefix(marks) {
        Some(exp) => {
            let sign = usize::from(exp.starts_with('-'));
            let len = sign + exp[sign..].bytes().take_while(u8::is_ascii_digit).count();
            if len == sign {
                return Err(malformed());
            }
            (&exp[..len], &exp[len..])
        }
        None => ("", rest),
    };
    let double = match suffix {
        "" | "i64" => true,
        "i32" => false,
        _ => return Err(malformed()),
    };
    if frac.is_empty() {
        return Err(malformed());
    }
    let bits = if double { 64 } else { 32 };
    let too_large = || Mistake::FloatRange(word.to_owned(), bits);
    let bits_of = if radix == 10 {
        let text = &word[..word.len() - suffix.len()];
        if double {
            let value: f64 = text.parse().map_err(|_| malformed())?;
            value.is_finite().then(|| value.to_bits())
        } else {
            let value: f32 = text.parse().map_err(|_| malformed())?;
            value.is_finite().then(|| value.to_bits().into())
        }
    } else {
        // An exponent too long for i64 is one no format reaches either way.
        let exponent = match exponent {
            "" => 0,
            e => e.parse::<i64>().unwrap_or(if e.starts_with('-') { i64::MIN } else { i64::MAX }),
        };
        let format = if double { &DOUBLE } else { &FLOAT };
        hex_float(format, negative, int, frac, exponent)
    };
    let wire_type = if double { WireType::I64 } else { WireType::I32 };
    bits_of.map(|b| fixed(b, bits as u8 / 8, wire_type as u8)).ok_or_else(too_large)
}

/// An IEEE 754 binary format: significand bits (the hidden one included) and the largest
/// exponent.
struct Format {
    precision: i64,
    max_exp: i64,
    bits: u32,
}

const DOUBLE: Format = Format { precision: 53, max_exp: 1023, bits: 64 };
const FLOAT: Format = Format { precision: 24, max_exp: 127, bits: 32 };

/// The bits of `0x{int}.{frac}p{exponent}` in `format`, rounded to nearest, ties to even, as
/// exactly as protoscope's scanner (Go's `ParseFloat`) rounds; `None` when it is too large.
fn hex_float(format: &Format, negative: bool, int: &str, frac: &str, exponent: i64) -> Option<u64> {
    let sign = u64::from(negative) << (format.bits - 1);
    // value = m × 2^scale, plus something below m's last bit when `sticky`.
    let (mut m, mut scale, mut kept, mut sticky) = (0u64, 0i64, 0, false);
    for (i, digit) in int.chars().chain(frac.chars()).enumerate() {
        let digit = u64::from(digit.to_digit(16).expect("hex digit"));
        let in_frac = i >= int.len();
        if m == 0 && digit == 0 {
            scale -= if in_frac { 4 } else { 0 };
        } else if kept < 15 {
            m = m << 4 | digit;
            kept += 1;
            scale -= if in_frac { 4 } else { 0 };
        } else {
            sticky |= digit != 0;
            scale += if in_frac { 0 } else { 4 };
        }
    }
    if m == 0 {
        return Some(sign);
    }
    // Far beyond any format's range either way, and no overflow below.
    let scale = scale + exponent.clamp(-100_000, 100_000);
    let top = 63 - i64::from(m.leading_zeros());
    let e = top + scale;
    let min_exp = 1 - format.max_exp;
    if e > format.max_exp {
        return None;
    }
    // Significand bits the value keeps: fewer below the smallest normal exponent.
    let keep = format.precision - (min_exp - e).max(0);
    let drop = top + 1 - keep;
    let q = if drop <= 0 {
        m << -drop
    } else if drop > 64 {
        0
    } else {
        let q = if drop == 64 { 0 } else { m >> drop };
        let rest = m & (u64::MAX >> (64 - drop));
        let half = 1u64 << (drop - 1);
        let up = rest > half || (rest == half && (sticky || q & 1 == 1));
        q + u64::from(up)
    };
    let mantissa_bits = format.precision - 1;
    let bits = if e < min_exp {
        // Subnormal: a carry into the hidden bit makes the smallest normal by itself.
        q
    } else {
        let (q, e) = if q >> format.precision != 0 { (q >> 1, e + 1) } else { (q, e) };
        if e > format.max_exp {
            return None;
        }
        ((e + format.max_exp) as u64) << mantissa_bits | (q & ((1 << mantissa_bits) - 1))
    };
    Some(sign | bits)
}

#[cfg(test)]
mod tests;
