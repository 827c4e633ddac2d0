//! Why a command failed, and the exit code that says so.
//!
//! Knows the two kinds of failure the CLI reports itself (bad usage, bad input) and how to
//! point at a place in a text with a caret. Knows nothing about protobuf; the messages come
//! from core's errors, which already name their positions.

use std::fmt::Write as _;

/// A failed command: one or more errors, each with an optional excerpt of the text it is about.
#[derive(Debug)]
pub struct Failure {
    pub kind: FailureKind,
    pub errors: Vec<Problem>,
    /// What might fix it, printed after the errors.
    pub hints: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The arguments do not make sense together: exit code 2, as clap's own errors.
    Usage,
    /// The schema, the message or the bytes are wrong, or a file cannot be read: exit code 1.
    Invalid,
    /// `call` reached no server, or the call ended with a non-OK status: exit code 3.
    Call,
}

/// One error line, and the lines that show where it is.
#[derive(Debug)]
pub struct Problem {
    pub message: String,
    /// A source line with a caret under the column, ready to print.
    pub excerpt: Option<String>,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::one(FailureKind::Usage, message.into(), None)
    }

    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure::one(FailureKind::Invalid, message.into(), None)
    }

    pub fn call(message: impl Into<String>) -> Failure {
        Failure::one(FailureKind::Call, message.into(), None)
    }

    /// An error about a place in `source`: prints the line and a caret under `column`.
    pub fn invalid_at(message: impl Into<String>, source: &str, line: usize, column: usize) -> Failure {
        Failure::one(FailureKind::Invalid, message.into(), excerpt(source, line, column))
    }

    pub fn exit_code(&self) -> u8 {
        match self.kind {
            FailureKind::Usage => 2,
            FailureKind::Invalid => 1,
            FailureKind::Call => 3,
        }
    }

    fn one(kind: FailureKind, message: String, excerpt: Option<String>) -> Failure {
        Failure { kind, errors: vec![Problem { message, excerpt }], hints: Vec::new() }
    }
}

/// `line` of `source` (1-based) under a gutter with its number, and a caret under the 1-based
/// character `column`; `None` when the text has no such line. A column just past the end of the
/// line (where a missing token was expected) gets its caret there.
///
/// ```text
///   1 | {"id": }
///     |        ^
/// ```
pub fn excerpt(source: &str, line: usize, column: usize) -> Option<String> {
    let text = source.split('\n').nth(line.checked_sub(1)?)?;
    let text = text.strip_suffix('\r').unwrap_or(text);
    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    // Keep tabs as tabs under the caret, so that it lines up however wide a tab is shown.
    let pad: String = text.chars().take(column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    let mut out = String::new();
    let _ = writeln!(out, "  {number} | {text}");
    let _ = write!(out, "  {gutter} | {pad}^");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_puts_the_caret_under_the_column() {
        assert_eq!(excerpt("{\n  \"id\": ,\n}", 2, 9).unwrap(), "  2 |   \"id\": ,\n    |         ^");
        assert_eq!(excerpt("é\tx", 1, 3).unwrap(), "  1 | é\tx\n    |  \t^");
        assert_eq!(excerpt("ab", 1, 3).unwrap(), "  1 | ab\n    |   ^");
        assert_eq!(excerpt("ab", 2, 1), None);
    }
}
