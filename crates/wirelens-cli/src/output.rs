//! Rendering for a terminal: the annotated listing with colours, and error reports.
//!
//! Knows ANSI escape codes, which byte class gets which colour, and when colour is on.
//! The listing's layout is core's (`explain::listing_lines`); this file only paints it and
//! adds the `--explain` lines. Knows nothing about files or arguments.

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};

use wirelens_core::explain::{self, Paint};
use wirelens_core::wire::Annotation;

use crate::error::Failure;

/// When to colour: `--color auto|always|never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Whether each output stream gets colour.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    pub stdout_color: bool,
    pub stderr_color: bool,
}

impl Ui {
    pub fn new(choice: ColorChoice) -> Ui {
        let auto = |terminal: bool| terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        match choice {
            ColorChoice::Always => Ui { stdout_color: true, stderr_color: true },
            ColorChoice::Never => Ui { stdout_color: false, stderr_color: false },
            ColorChoice::Auto => {
                Ui { stdout_color: auto(io::stdout().is_terminal()), stderr_color: auto(io::stderr().is_terminal()) }
            }
        }
    }

    /// Prints a failure to stderr: `wirelens: error: ...`, each excerpt under its error.
    pub fn report(&self, failure: &Failure) {
        let mut text = String::new();
        for problem in &failure.errors {
            let _ = writeln!(text, "wirelens: {} {}", paint(self.stderr_color, ERROR, "error:"), problem.message);
            if let Some(excerpt) = &problem.excerpt {
                let _ = writeln!(text, "{excerpt}");
            }
        }
        for hint in &failure.hints {
            let _ = writeln!(text, "wirelens: {} {hint}", paint(self.stderr_color, HINT, "hint:"));
        }
        let _ = io::stderr().write_all(text.as_bytes());
    }
}

/// Writes `bytes` to stdout. A reader that went away (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Failure::invalid(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// The annotated listing (core's layout), with `(no bytes)` for empty input. With `explain`,
/// each leaf is followed by its arithmetic; with `color`, the hex takes the colour of its byte
/// class and the diagnostics of their severity.
pub fn listing(a: &Annotation, explain: bool, color: bool) -> String {
    let mut out = String::new();
    let _ = listing_to(a, explain, color, &mut out);
    out
}

/// [`listing`], written into `out` as it is made: a printer of a large annotation holds one line
/// of it at a time.
pub fn listing_to(a: &Annotation, explain: bool, color: bool, out: &mut dyn std::fmt::Write) -> std::fmt::Result {
    if a.bytes().is_empty() {
        out.write_str("(no bytes)\n")?;
    }
    explain::write_listing(a, explain, &|p, text, line| paint_into(color, style(p), text, line), out)
}

fn style(p: Paint) -> &'static str {
    match p {
        Paint::Class(class) => class_color(class),
        Paint::Error => ERROR,
        Paint::Warning => WARNING,
        Paint::Explanation => DIM,
    }
}

/// An `io::Write` seen as a `fmt::Write`, keeping its first error (a reader that went away).
struct IoText<W: Write> {
    inner: W,
    error: Option<io::Error>,
}

impl<W: Write> std::fmt::Write for IoText<W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.inner.write_all(s.as_bytes()).map_err(|e| {
            self.error.get_or_insert(e);
            std::fmt::Error
        })
    }
}

/// Writes what `write` makes to stdout as it is made, through a buffer. A reader that went away
/// (`| head`) is not an error.
pub fn stream_stdout(write: impl FnOnce(&mut dyn std::fmt::Write) -> std::fmt::Result) -> Result<(), Failure> {
    let mut out = IoText { inner: io::BufWriter::with_capacity(1 << 16, io::stdout().lock()), error: None };
    let written = write(&mut out);
    let flushed = if written.is_ok() { out.inner.flush() } else { Ok(()) };
    match out.error.or(flushed.err()) {
        Some(e) => stdout_failure(e),
        None => Ok(()),
    }
}

/// What a failed write to stdout means: nothing, for a reader that went away (`| head`).
fn stdout_failure(e: io::Error) -> Result<(), Failure> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(Failure::invalid(format!("cannot write to stdout: {e}")))
    }
}

const RESET: &str = "\x1b[0m";
const ERROR: &str = "\x1b[1;31m";
const WARNING: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";
const HINT: &str = "\x1b[1;36m";

/// The escape code for a byte class of [`wirelens_core::hexview::CLASSES`]; empty for the default colour.
fn class_color(class: &str) -> &'static str {
    match class {
        "tag" => "\x1b[34m",
        "len" => "\x1b[33m",
        "varint" => "\x1b[32m",
        "fixed32" | "fixed64" => "\x1b[36m",
        "string" => "\x1b[35m",
        "invalid" => ERROR,
        _ => "",
    }
}

fn paint(color: bool, style: &str, text: &str) -> String {
    let mut out = String::new();
    paint_into(color, style, text, &mut out);
    out
}

/// [`paint`], appended to `out`.
fn paint_into(color: bool, style: &str, text: &str, out: &mut String) {
    if color && !style.is_empty() && !text.is_empty() {
        out.push_str(style);
        out.push_str(text);
        out.push_str(RESET);
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wirelens_core::wire::annotate;

    #[test]
    fn plain_listing_is_cores_listing() {
        let bytes =
            [0x08, 0x2a, 0x12, 0x05, b'A', b'l', b'i', b'c', b'e', 0x2a, 0x03, 0x0a, 0x01, b'x', 0x12, 0x09, 0x41];
        let a = annotate(&bytes, None);
        assert_eq!(listing(&a, false, false), explain::listing(&a));
    }

    #[test]
    fn colours_hex_by_class_and_errors_red() {
        let a = annotate(&[0x08, 0x2a, 0xff], None);
        let coloured = listing(&a, false, true);
        assert!(coloured.contains("\x1b[34m08\x1b[0m"), "{coloured:?}");
        assert!(coloured.contains("\x1b[32m2A\x1b[0m"), "{coloured:?}");
        assert!(coloured.contains("\x1b[1;31mFF\x1b[0m"), "{coloured:?}");
        assert!(coloured.contains("\x1b[1;31merror at byte 2"), "{coloured:?}");
        // Colour codes do not count towards the hex column's width.
        let plain = listing(&a, false, false);
        let strip = coloured.replace(RESET, "").replace("\x1b[34m", "").replace("\x1b[32m", "").replace(ERROR, "");
        assert_eq!(strip, plain);
    }
}
