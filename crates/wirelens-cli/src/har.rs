//! `wirelens har`: the grpc-web and Connect calls of a HAR file (what browser DevTools and
//! playwright's `recordHar` export), each with its status and its messages both ways: JSON with
//! a schema (`.proto` files or a descriptor set), the payloads' bytes without one, annotated with
//! `--annotate`. A body the file lost or lacks is said so, never decoded silently. The reading
//! is core's (`wirelens_core::har`); this file prints it.

use std::path::PathBuf;

use prost_reflect::{DescriptorPool, MethodDescriptor};
use wirelens_core::call::{self, Protocol};
use wirelens_core::commands::{self, CallLine, SchemaSource};
use wirelens_core::har::{self, HarCall, Payload};
use wirelens_core::input;
use wirelens_core::message::{self, JsonStyle};
use wirelens_core::wire::annotate;

use crate::error::Failure;
use crate::{load, output};

/// Everything `har` needs, from the command line.
#[derive(Debug, Clone)]
pub struct Har {
    pub file: PathBuf,
    pub protos: Vec<PathBuf>,
    pub include: Vec<PathBuf>,
    pub descriptor_set: Option<PathBuf>,
    /// Only the call of this entry (its index in `log.entries`).
    pub entry: Option<usize>,
    pub annotate: bool,
    /// Print each call as `wirelens call`, grpcurl and `buf curl` lines, to send it again.
    pub commands: bool,
    pub color: bool,
}

/// Reads the file and prints its calls.
pub fn run(args: &Har) -> Result<(), Failure> {
    let text =
        std::fs::read(&args.file).map_err(|e| Failure::invalid(format!("cannot read {}: {e}", args.file.display())))?;
    let text = String::from_utf8(text).map_err(|e| {
        Failure::invalid(format!("{}: not UTF-8 text at byte {}", args.file.display(), e.utf8_error().valid_up_to()))
    })?;
    let capture = har::read(&text).map_err(|e| match e.line_col() {
        Some((line, column)) => Failure::invalid_at(format!("{}: {e}", args.file.display()), &text, line, column),
        None => Failure::invalid(format!("{}: {e}", args.file.display())),
    })?;
    let pool = schema(args)?;
    let calls: Vec<&HarCall> = capture.calls.iter().filter(|c| args.entry.is_none_or(|e| c.entry == e)).collect();
    if let Some(entry) = args.entry
        && calls.is_empty()
    {
        let entries: Vec<String> = capture.calls.iter().map(|c| c.entry.to_string()).collect();
        return Err(Failure::usage(format!(
            "entry {entry} is not a grpc-web or Connect call; the calls are entries {}",
            if entries.is_empty() { "(none)".to_owned() } else { entries.join(", ") }
        )));
    }
    let mut out = String::new();
    if args.entry.is_none() {
        let other = match capture.other_entries {
            1 => ", 1 other entry".to_owned(),
            n => format!(", {n} other entries"),
        };
        let creator = capture.creator.as_deref().map(|c| format!(" (recorded by {c})")).unwrap_or_default();
        let plural = if capture.calls.len() == 1 { "" } else { "s" };
        out.push_str(&format!("{} call{plural}{other}{creator}\n", capture.calls.len()));
    }
    for call in calls {
        if !out.is_empty() {
            out.push('\n');
        }
        let method = pool.as_ref().and_then(|p| call::find_method(p, &call.method).ok());
        print_call(&mut out, call, method.as_ref(), pool.is_some(), args);
    }
    output::write_stdout(out.as_bytes())
}

/// The schema of `--proto` or `--descriptor-set`, if given.
fn schema(args: &Har) -> Result<Option<DescriptorPool>, Failure> {
    if let Some(set) = &args.descriptor_set {
        return crate::call::descriptor_set(set).map(Some);
    }
    if args.protos.is_empty() {
        return Ok(None);
    }
    let include = if args.include.is_empty() { vec![PathBuf::from(".")] } else { args.include.clone() };
    Ok(Some(load::files(&args.protos, &include)?.schema.pool().clone()))
}

fn print_call(out: &mut String, call: &HarCall, method: Option<&MethodDescriptor>, schema: bool, args: &Har) {
    let answer = call.response(method);
    let status = match &answer {
        Ok(a) => a.finished.status.describe(),
        Err(_) if call.http_status == 0 => "no answer".to_owned(),
        Err(_) => "unknown (no response body)".to_owned(),
    };
    let size = |s: Option<usize>| s.map_or("?".to_owned(), |n| n.to_string());
    let time = if call.time_ms >= 0.0 { format!(", {:.0} ms", call.time_ms) } else { String::new() };
    out.push_str(&format!("#{} {} {}: {status}\n", call.entry, call.protocol, call.method));
    out.push_str(&format!(
        "  {}, HTTP {}{time}, {} bytes sent, {} received\n",
        call.base_url,
        call.http_status,
        size(call.request_size()),
        size(call.response_size())
    ));
    if schema && method.is_none() {
        out.push_str("  (the schema has no such method: its payloads follow as bytes)\n");
    }
    let json = call.protocol == Protocol::ConnectJson;
    match method {
        Some(method) => match call.request_messages(method) {
            Ok(requests) => {
                for m in &requests {
                    let bytes = message::encode(m);
                    message_line(out, '>', m, &bytes, &method.input(), args);
                }
                if args.commands {
                    commands_lines(out, call, &requests, args);
                }
            }
            Err(e) => out.push_str(&format!("  > ({e})\n")),
        },
        None => match call.request_payloads() {
            Ok(payloads) => payloads.iter().for_each(|p| payload_line(out, '>', p, json, args)),
            Err(e) => out.push_str(&format!("  > ({e})\n")),
        },
    }
    match answer {
        Ok(answer) => {
            if let Some(why) = &answer.lossy {
                out.push_str(&format!("  < (the response body lost bytes in the file: {why})\n"));
            }
            match method {
                Some(method) => {
                    for m in &answer.messages {
                        message_line(out, '<', &m.message, &m.bytes, &method.output(), args);
                    }
                }
                None => answer.payloads.iter().for_each(|p| payload_line(out, '<', p, json, args)),
            }
            for (name, value) in &answer.finished.trailers {
                out.push_str(&format!("  trailer: {name}: {value}\n"));
            }
        }
        Err(e) => out.push_str(&format!("  < ({e})\n")),
    }
}

/// One message as canonical JSON on one line, then its annotated bytes with `--annotate`.
fn message_line(
    out: &mut String,
    arrow: char,
    m: &prost_reflect::DynamicMessage,
    bytes: &[u8],
    desc: &prost_reflect::MessageDescriptor,
    args: &Har,
) {
    match message::to_json(m, JsonStyle::CANONICAL) {
        Ok(json) => out.push_str(&format!("  {arrow} {json}\n")),
        Err(e) => out.push_str(&format!("  {arrow} ({e})\n")),
    }
    if args.annotate {
        out.push_str(&format!("# {}, {} bytes\n", desc.full_name(), bytes.len()));
        out.push_str(&output::listing(&annotate(bytes, Some(desc)), false, args.color));
    }
}

/// A payload without a schema: its JSON text (Connect JSON), or its bytes in hex, annotated
/// without a schema with `--annotate`.
fn payload_line(out: &mut String, arrow: char, p: &Payload, json: bool, args: &Har) {
    let range = format!("bytes {}..{}", p.range.start, p.range.end);
    match std::str::from_utf8(&p.bytes) {
        Ok(text) if json => out.push_str(&format!("  {arrow} {text}  ({range})\n")),
        _ => out.push_str(&format!("  {arrow} {}  ({range})\n", input::to_hex(&p.bytes))),
    }
    if args.annotate && !json {
        out.push_str(&output::listing(&annotate(&p.bytes, None), false, args.color));
    }
}

/// The call as command lines that make it again: its URL, protocol, metadata and deadline, the
/// schema as given, the requests as JSON.
fn commands_lines(out: &mut String, call: &HarCall, requests: &[prost_reflect::DynamicMessage], args: &Har) {
    let text = |p: &PathBuf| p.to_string_lossy().into_owned();
    let schema = match &args.descriptor_set {
        Some(set) => SchemaSource::DescriptorSet(text(set)),
        None => SchemaSource::Protos {
            files: args.protos.iter().map(text).collect(),
            includes: args.include.iter().map(text).collect(),
        },
    };
    let requests: Result<Vec<String>, _> = requests.iter().map(|m| message::to_json(m, JsonStyle::CANONICAL)).collect();
    let Ok(requests) = requests else { return };
    let line = CallLine {
        protocol: call.protocol,
        base_url: call.base_url.clone(),
        method: call.method.clone(),
        schema,
        metadata: call.metadata(),
        deadline_ms: call.deadline_ms(),
        compress: None,
        get: call.framing == wirelens_core::har::Framing::ConnectGet,
        requests,
    };
    for command in [commands::wirelens(&line), commands::grpcurl(&line), commands::buf_curl(&line)] {
        out.push_str(&format!("  $ {command}\n"));
    }
}
