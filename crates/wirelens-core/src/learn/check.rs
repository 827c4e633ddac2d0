//! The exercise checkers: the learner's hex against the true bytes, byte by byte; a clicked byte
//! against the record it should lie in. Every verdict names the byte it is about and says what
//! that byte is, in the words of [`crate::explain`].

use crate::explain;
use crate::grpcweb;
use crate::input::{self, InputFormat};
use crate::wire::Annotation;

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Correct,
    /// The answer is not hex: the input parser's message, with its position.
    Unreadable(String),
    /// The first byte that differs. `expected` is `None` for a byte too many, `got` for a byte
    /// missing. `what` is what the expected byte is (or the last one, for an extra byte).
    WrongByte {
        offset: usize,
        expected: Option<u8>,
        got: Option<u8>,
        what: String,
    },
    /// A click outside the field: what the clicked byte belongs to instead.
    Missed {
        offset: usize,
        what: String,
    },
}

impl Verdict {
    pub fn is_correct(&self) -> bool {
        *self == Verdict::Correct
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Correct => write!(f, "correct"),
            Verdict::Unreadable(e) => write!(f, "not hex: {e}"),
            Verdict::WrongByte { offset, expected: Some(e), got: Some(g), what } => {
                write!(f, "byte {offset} should be {e:02X}, not {g:02X}: it is {what}")
            }
            Verdict::WrongByte { offset, expected: Some(e), got: None, what } => {
                write!(f, "byte {offset} is missing: it should be {e:02X}, {what}")
            }
            Verdict::WrongByte { offset, expected: None, got: Some(g), what } => {
                write!(f, "byte {offset} ({g:02X}) is one too many: the encoding ends before it, after {what}")
            }
            Verdict::WrongByte { offset, .. } => write!(f, "byte {offset} differs"),
            Verdict::Missed { offset, what } => write!(f, "byte {offset} is not in that field: it is {what}"),
        }
    }
}

/// Checks hex the learner typed against the true `expected` bytes. `describe(offset)` says what
/// the expected byte at `offset` is.
pub fn check_bytes(expected: &[u8], answer: &str, describe: impl Fn(usize) -> String) -> Verdict {
    let got = match input::parse_bytes(answer, InputFormat::Hex) {
        Ok(got) => got,
        Err(e) => return Verdict::Unreadable(e.to_string()),
    };
    let first_difference = (0..expected.len().max(got.len())).find(|&i| expected.get(i) != got.get(i));
    match first_difference {
        None => Verdict::Correct,
        Some(offset) => Verdict::WrongByte {
            offset,
            expected: expected.get(offset).copied(),
            got: got.get(offset).copied(),
            what: describe(offset.min(expected.len().saturating_sub(1))),
        },
    }
}

/// What byte `offset` of an annotated message is: its record's path and summary, and the part of
/// the record it lies in (`in address.city (field 2 city: string): length 11`).
pub fn describe_byte(a: &Annotation, offset: usize) -> String {
    let Some(leaf) = a.leaf_at(offset) else { return "past the end of the message".into() };
    let part = explain::summary(a, leaf);
    match a.field_of(leaf) {
        Some((record, _)) if record != leaf => {
            format!("part of `{}` ({}): {part}", a.path(record), explain::summary(a, record))
        }
        _ => part,
    }
}

/// What byte `offset` of a grpc-web frame around a message is; `message` is the message's
/// annotation, the frame's payload.
pub fn describe_frame_byte(message: &Annotation, offset: usize) -> String {
    match offset {
        0 => "the flag byte: 00 for a message frame, uncompressed".into(),
        1..grpcweb::HEADER_LEN => format!(
            "byte {} of the message length, a 4-byte big-endian number: {} = {}",
            offset,
            crate::input::to_hex(&(message.bytes().len() as u32).to_be_bytes()),
            message.bytes().len()
        ),
        _ => format!(
            "message byte {}, {}",
            offset - grpcweb::HEADER_LEN,
            describe_byte(message, offset - grpcweb::HEADER_LEN)
        ),
    }
}

/// Checks a click at `offset` of `a` against the record at `path`: correct when the byte lies in
/// that record (in any element of it, for a repeated field named without an index).
pub fn check_click(a: &Annotation, path: &str, offset: usize) -> Verdict {
    let Some(leaf) = a.leaf_at(offset) else {
        return Verdict::Missed { offset, what: "past the end of the message".into() };
    };
    let hit = a.ancestors(leaf).any(|id| {
        let p = a.path(id);
        matches!(a.node(id).kind, crate::wire::NodeKind::Field(_))
            && (p == path || p.strip_prefix(path).is_some_and(|rest| rest.starts_with('[')))
    });
    if hit { Verdict::Correct } else { Verdict::Missed { offset, what: describe_byte(a, offset) } }
}
