//! The testee of protobuf's conformance runner (`cargo xtask conformance` runs it).
//!
//! The runner starts `wirelens-conformance [...] PROTO_DIR` and writes requests to its stdin: a 4-byte
//! little-endian length, then a `conformance.ConformanceRequest`; each answer goes to stdout the
//! same way. PROTO_DIR holds conformance.proto and the two test_messages protos, compiled at start
//! by core's `Schema::compile`. Every message is read and written through wirelens-core's public
//! API only (`message::decode`, `parse_json_with`, `parse_text`, `encode`, `to_json`,
//! `to_text_with`), and every binary input is also annotated: an annotator that finds an error
//! where the decoder finds none, or the reverse, fails the test (a `runtime_error`). At the end,
//! a line on stderr counts the inputs and the disagreements.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use wirelens_core::message::{self, JsonStyle, ParseOptions, TextStyle};
use wirelens_core::prost_reflect::{DynamicMessage, MessageDescriptor, Value};
use wirelens_core::schema::Schema;
use wirelens_core::wire::{self, Severity};

/// The files PROTO_DIR must hold, by the import names the test messages use.
const PROTOS: &[(&str, &str)] = &[
    ("conformance.proto", "conformance.proto"),
    ("google/protobuf/test_messages_proto2.proto", "test_messages_proto2.proto"),
    ("google/protobuf/test_messages_proto3.proto", "test_messages_proto3.proto"),
];

/// conformance.proto's `WireFormat`.
const PROTOBUF: i32 = 1;
const JSON: i32 = 2;
const JSPB: i32 = 3;
const TEXT_FORMAT: i32 = 4;
/// conformance.proto's `TestCategory::JSON_IGNORE_UNKNOWN_PARSING_TEST`.
const JSON_IGNORE_UNKNOWN: i32 = 3;

fn main() -> ExitCode {
    // The last argument: v21.12's runner passes its TESTEE argument on to the testee as argv[1] too.
    let Some(dir) = std::env::args_os().skip(1).last().map(PathBuf::from) else {
        eprintln!("usage: wirelens-conformance PROTO_DIR (conformance_test_runner starts it)");
        return ExitCode::from(2);
    };
    match run(&dir) {
        Ok(tally) => {
            eprintln!(
                "wirelens-conformance: {} requests, {} binary inputs annotated, {} annotator/decoder disagreements",
                tally.requests, tally.annotated, tally.disagreements
            );
            if tally.disagreements == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(err) => {
            eprintln!("wirelens-conformance: {err}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Debug, Default)]
struct Tally {
    requests: usize,
    annotated: usize,
    disagreements: usize,
}

struct Testee {
    schema: Schema,
    request: MessageDescriptor,
    response: MessageDescriptor,
    tally: Tally,
}

fn run(dir: &Path) -> Result<Tally, String> {
    let mut sources = Vec::new();
    for (name, file) in PROTOS {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        sources.push((*name, text));
    }
    let schema = Schema::compile(&sources).map_err(|e| e.to_string())?;
    let descriptor = |name: &str| schema.message(name).map_err(|e| e.to_string());
    let (request, response) =
        (descriptor("conformance.ConformanceRequest")?, descriptor("conformance.ConformanceResponse")?);
    let mut testee = Testee { schema, request, response, tally: Tally::default() };

    let (mut stdin, mut stdout) = (io::stdin().lock(), io::stdout().lock());
    while let Some(bytes) = read_frame(&mut stdin).map_err(|e| format!("reading a request: {e}"))? {
        let answer = testee.answer(&bytes);
        let length = u32::try_from(answer.len()).map_err(|_| "an answer longer than 4 GiB".to_owned())?;
        stdout
            .write_all(&length.to_le_bytes())
            .and_then(|()| stdout.write_all(&answer))
            .and_then(|()| stdout.flush())
            .map_err(|e| format!("writing an answer: {e}"))?;
    }
    Ok(testee.tally)
}

/// One length-prefixed frame, or `None` at the end of the input.
fn read_frame(input: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut length = [0; 4];
    match input.read_exact(&mut length) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    let mut bytes = vec![0; u32::from_le_bytes(length) as usize];
    input.read_exact(&mut bytes)?;
    Ok(Some(bytes))
}

/// What a `ConformanceResponse` says: the name of its `result` member and its value.
type Outcome = (&'static str, Value);

fn text(member: &'static str, text: impl ToString) -> Outcome {
    (member, Value::String(text.to_string()))
}

impl Testee {
    /// An encoded `ConformanceResponse` for an encoded `ConformanceRequest`.
    fn answer(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.tally.requests += 1;
        let (member, value) = match message::decode(&self.request, bytes) {
            Ok(request) => self.respond(&request),
            Err(e) => text("runtime_error", format!("unreadable ConformanceRequest: {e}")),
        };
        let mut response = DynamicMessage::new(self.response.clone());
        response.set_field_by_name(member, value);
        message::encode(&response)
    }

    fn respond(&mut self, request: &DynamicMessage) -> Outcome {
        let field = |name: &str| request.get_field_by_name(name).map(|v| v.into_owned());
        let string = |name: &str| field(name).and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let number = |name: &str| field(name).and_then(|v| v.as_enum_number()).unwrap_or_default();
        let message_type = string("message_type");
        if message_type == "conformance.FailureSet" {
            // The runner asks for the testee's own failure list first: it is empty.
            return ("protobuf_payload", Value::Bytes(Vec::new().into()));
        }
        let desc = match self.schema.message(&message_type) {
            Ok(desc) => desc,
            Err(e) => return text("runtime_error", e),
        };
        let has = |name: &str| request.has_field_by_name(name);
        let parsed = if has("protobuf_payload") {
            let payload = field("protobuf_payload").and_then(|v| v.as_bytes().cloned()).unwrap_or_default();
            self.decode(&desc, &payload)
        } else if has("json_payload") {
            let options = ParseOptions { ignore_unknown_fields: number("test_category") == JSON_IGNORE_UNKNOWN };
            message::parse_json_with(&desc, &string("json_payload"), options).map_err(|e| text("parse_error", e))
        } else if has("text_payload") {
            message::parse_text(&desc, &string("text_payload")).map_err(|e| text("parse_error", e))
        } else {
            Err(text("skipped", "wirelens reads protobuf, JSON and text format only"))
        };
        let message = match parsed {
            Ok(message) => message,
            Err(outcome) => return outcome,
        };
        let bool_field = |name: &str| field(name).and_then(|v| v.as_bool()).unwrap_or_default();
        match number("requested_output_format") {
            PROTOBUF => ("protobuf_payload", Value::Bytes(message::encode(&message).into())),
            JSON => match message::to_json(&message, JsonStyle::CANONICAL) {
                Ok(json) => text("json_payload", json),
                Err(e) => text("serialize_error", e),
            },
            TEXT_FORMAT => {
                let style = TextStyle { pretty: false, unknown_fields: bool_field("print_unknown_fields") };
                text("text_payload", message::to_text_with(&message, style))
            }
            JSPB => text("skipped", "wirelens writes protobuf, JSON and text format only"),
            other => text("runtime_error", format!("unknown requested_output_format {other}")),
        }
    }

    /// `message::decode`, checked against the annotator: both must find the bytes valid, or both not.
    fn decode(&mut self, desc: &MessageDescriptor, bytes: &[u8]) -> Result<DynamicMessage, Outcome> {
        let decoded = message::decode(desc, bytes);
        let annotation = wire::annotate(bytes, Some(desc));
        let annotator_error = annotation.diagnostics().iter().find(|d| d.severity == Severity::Error);
        self.tally.annotated += 1;
        match (&decoded, annotator_error) {
            (Ok(_), Some(error)) => {
                self.tally.disagreements += 1;
                Err(text("runtime_error", format!("the decoder read these bytes but the annotator says: {error}")))
            }
            (Err(e), None) => {
                self.tally.disagreements += 1;
                Err(text("runtime_error", format!("the annotator found no error but the decoder says: {e}")))
            }
            _ => decoded.map_err(|e| text("parse_error", e)),
        }
    }
}
