//! `wirelens annotate --delimited`: a stream of varint-length-prefixed messages (what
//! `writeDelimitedTo` writes), each annotated and printed as soon as its last byte is read, then
//! dropped: memory holds one message and its annotation, however long the stream. The framing
//! is core's `wire::Delimited`, and one `wire::Annotator` reads every message (the schema's table
//! is built once per stream), or for protoscope one `protoscope::Printer`, which prints as it
//! reads and builds no annotation; this file reads, numbers and prints, into one buffer that goes
//! to stdout whenever it holds [`FLUSH_AT`] bytes.

use std::fmt::Write as _;
use std::io::{self, Read};

use prost_reflect::MessageDescriptor;
use wirelens_core::protoscope;
use wirelens_core::varint;
use wirelens_core::wire::{Annotator, Delimited, DelimitedMessage, Limits};

use crate::error::Failure;
use crate::output;

/// How each message is printed.
#[derive(Debug, Clone, Copy)]
pub enum Form {
    /// The annotated listing (offsets within the message), under a header line.
    Listing { explain: bool, color: bool },
    /// Protoscope, each message inside `{ }`, so reading the text back gives the stream's bytes.
    Protoscope,
}

/// The output buffer's size: written to stdout once it holds this much.
const FLUSH_AT: usize = 1 << 16;

/// Reads the stream from `source` to its end, printing each message to stdout.
pub fn run(source: &mut dyn Read, desc: Option<&MessageDescriptor>, form: Form) -> Result<(), Failure> {
    let mut splitter = Delimited::new();
    let mut reader = match form {
        Form::Listing { explain, color } => {
            Reader::Listing { annotator: Annotator::new(desc, Limits::default()), explain, color }
        }
        Form::Protoscope => Reader::Protoscope(protoscope::Printer::new(desc)),
    };
    let mut failure = None;
    let mut at_end = false;
    output::stream_stdout(|out| {
        let mut chunk = vec![0; 1 << 16];
        let mut text = String::with_capacity(FLUSH_AT * 2);
        loop {
            let n = match source.read(&mut chunk) {
                Ok(0) => {
                    at_end = true;
                    return out.write_str(&text);
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    failure = Some(Failure::invalid(format!("cannot read the stream: {e}")));
                    return out.write_str(&text);
                }
            };
            splitter.push(&chunk[..n]);
            while let Some(message) = splitter.next_message() {
                let message = match message {
                    Ok(message) => message,
                    Err(e) => {
                        failure = Some(Failure::invalid(e.to_string()));
                        return out.write_str(&text);
                    }
                };
                print(&message, &mut reader, &mut text);
                if text.len() >= FLUSH_AT {
                    out.write_str(&text)?;
                    text.clear();
                }
            }
        }
    })?;
    match failure {
        Some(failure) => Err(failure),
        // Not at the end: the reader went away, and that is not an error.
        None if !at_end => Ok(()),
        None => splitter.finish().map_err(|e| Failure::invalid(e.to_string())),
    }
}

/// What reads each message: for the listing, an annotator; for protoscope, a printer.
enum Reader {
    Listing { annotator: Annotator, explain: bool, color: bool },
    Protoscope(protoscope::Printer),
}

/// Appends message `m`, read by `reader`, to `out`.
fn print(m: &DelimitedMessage, reader: &mut Reader, out: &mut String) {
    let start = m.offset + m.prefix as u64;
    match reader {
        Reader::Listing { annotator, explain, color } => {
            let _ = writeln!(
                out,
                "# message {}: {} at byte {start} (offsets below are within the message)",
                m.index,
                wirelens_core::wire::plural(m.bytes.len() as u64, "byte", "bytes")
            );
            let _ = output::listing_to(annotator.annotate(m.bytes), *explain, *color, out);
        }
        Reader::Protoscope(printer) => {
            // `# message N: bytes A..B`, without core::fmt: one line per message of a long stream.
            let mut number = itoa::Buffer::new();
            out.push_str("# message ");
            out.push_str(number.format(m.index));
            out.push_str(": bytes ");
            out.push_str(number.format(start));
            out.push_str("..");
            out.push_str(number.format(start + m.bytes.len() as u64));
            out.push('\n');
            let extra = m.prefix - varint::encoded_len(m.bytes.len() as u64);
            if extra > 0 {
                let _ = writeln!(out, "long-form:{extra} {{");
            } else {
                out.push_str("{\n");
            }
            printer.write_to(m.bytes, 1, out);
            out.push_str("}\n");
        }
    }
}
