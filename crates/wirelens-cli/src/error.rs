//! Why a command failed, and the exit code that says so.
//!
//! Knows the two kinds of failure the CLI reports itself (bad usage, bad input). Knows nothing
//! about protobuf; the messages come from core's errors, which already name their positions.

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
        Failure::one(FailureKind::Invalid, message.into(), wirelens_core::position::excerpt(source, line, column))
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
