//! HAR files (HTTP Archive 1.2: what browser DevTools and playwright's `recordHar` export): the
//! grpc-web, grpc-web-text and Connect calls among their entries, each with its bodies as the
//! file holds them, its request messages undone from the protocol's framing (to send again),
//! and its answer read as a live call's is, with a schema or without.
//!
//! How recorders write bodies decides what can be trusted:
//! - a response body is `content.text`, in base64 with `encoding: "base64"` for binary content
//!   types (exact), or as text for textual ones (`application/json`, and for playwright any
//!   `+json` type such as `application/connect+json`), which lost every byte that was not UTF-8;
//! - a request body is `postData.text`, always text (the HAR format has no `encoding` for it;
//!   one is honoured if present): binary grpc-web and Connect requests went through UTF-8, and a
//!   U+FFFD in them marks bytes that were lost. grpc-web-text bodies are base64 and survive;
//! - playwright's `content: "attach"` writes `_file` (or `_sha1` in a trace) instead of text,
//!   and `content: "omit"` writes no text (an empty `postData.text`) beside a non-zero size.
//!
//! Such bodies are [`BodyData::Lossy`] or [`BodyData::Missing`] with the reason, never decoded
//! silently. Knows HAR's JSON and which content types are calls; the framing and statuses are
//! [`grpcweb`]'s, [`connect`]'s and [`call::Response`]'s. No IO: the file's text comes in.

use std::fmt;
use std::ops::Range;

use prost_reflect::{DynamicMessage, MethodDescriptor};
use serde_json::Value;

use crate::call::{self, Finished, Protocol, Response};
use crate::compression;
use crate::connect::{self, Codec};
use crate::grpcweb::{self, Encoding, FrameError, SpanKind};
use crate::input::{self, InputFormat};
use crate::message::{self, MessageError};

/// Reads a HAR file: its grpc-web, grpc-web-text and Connect calls, in file order.
pub fn read(text: &str) -> Result<Capture, HarError> {
    let value: Value = serde_json::from_str(text).map_err(|e| HarError(Kind::Json(message::json_error(text, &e))))?;
    let not_har = |why| Err(HarError(Kind::NotHar(why)));
    let Value::Object(root) = &value else { return not_har("the JSON is not an object") };
    let Some(Value::Object(log)) = root.get("log") else { return not_har("it has no 'log' object") };
    let Some(Value::Array(entries)) = log.get("entries") else { return not_har("its 'log' has no 'entries' list") };
    let creator = log.get("creator").map(|c| {
        let part = |key| c.get(key).and_then(Value::as_str).unwrap_or_default();
        format!("{} {}", part("name"), part("version")).trim().to_owned()
    });
    let mut calls = Vec::new();
    let mut other_entries = 0;
    for (index, entry) in entries.iter().enumerate() {
        match call_of(index, entry) {
            Some(call) => calls.push(call),
            None => other_entries += 1,
        }
    }
    Ok(Capture { calls, other_entries, creator: creator.filter(|c| !c.is_empty()) })
}

/// The calls a HAR file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    pub calls: Vec<HarCall>,
    /// Entries that are not such calls (pages, scripts, REST, anything unreadable).
    pub other_entries: usize,
    /// The recorder, `log.creator`'s name and version: `Playwright 1.49.0`, `WebInspector 537.36`.
    pub creator: Option<String>,
}

/// How a call's messages travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// grpc-web frames both ways (in base64 for grpc-web-text), the answer's last one the
    /// trailers.
    GrpcWeb,
    /// A unary Connect POST: each body is one message (or the answer's error JSON).
    ConnectUnary,
    /// A streaming Connect call: envelopes both ways, the answer's last one end-of-stream JSON.
    ConnectStream,
    /// A unary Connect GET: the request message is the URL's `message` parameter (with
    /// `encoding`, `base64` and `compression`), the answer as [`Framing::ConnectUnary`]'s.
    ConnectGet,
}

/// One recorded call.
#[derive(Debug, Clone, PartialEq)]
pub struct HarCall {
    /// Its index in `log.entries`.
    pub entry: usize,
    pub url: String,
    /// The URL without the method's path and the query (a path prefix kept): what
    /// [`call::Target::base_url`] takes to send it again.
    pub base_url: String,
    /// `pkg.Service/Method`, the path's last two segments.
    pub method: String,
    /// From the request's content type (Connect's JSON and proto alike; a Connect GET's
    /// `encoding` parameter).
    pub protocol: Protocol,
    pub framing: Framing,
    /// `startedDateTime` as written.
    pub started: String,
    /// The entry's `time` in milliseconds; -1 when the file has none.
    pub time_ms: f64,
    /// 0 when no answer was recorded (a failed or blocked request).
    pub http_status: u16,
    /// Names in lower case, HTTP/2 pseudo-headers (`:authority`) left out.
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    /// The HTTP body (empty for a GET).
    pub request_body: BodyData,
    pub response_body: BodyData,
    /// The sizes the file records (`request.bodySize`, `response.content.size`), when it does.
    recorded_request_size: Option<usize>,
    recorded_response_size: Option<usize>,
}

/// A body as the file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyData {
    /// The bytes as they were sent.
    Exact(Vec<u8>),
    /// Bytes that went through text and may have lost some: why.
    Lossy(Vec<u8>, String),
    /// The file does not hold the body: why.
    Missing(String),
}

impl BodyData {
    /// The bytes, exact or lossy.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            BodyData::Exact(bytes) | BodyData::Lossy(bytes, _) => Some(bytes),
            BodyData::Missing(_) => None,
        }
    }

    /// Why the bytes are not (all) there: `None` for an exact body.
    pub fn problem(&self) -> Option<&str> {
        match self {
            BodyData::Exact(_) => None,
            BodyData::Lossy(_, why) | BodyData::Missing(why) => Some(why),
        }
    }
}

/// One message's bytes, undone from the framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// 0 for the first message.
    pub index: usize,
    /// Where it lies in the decoded body (after base64, for grpc-web-text), or, for a Connect
    /// GET's request, in the decoded `message` parameter.
    pub range: Range<usize>,
    /// Protobuf, or JSON text for [`Protocol::ConnectJson`].
    pub bytes: Vec<u8>,
}

/// A recorded answer, read as a live one.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The messages, decoded (none without a schema).
    pub messages: Vec<call::Message>,
    /// Every message's bytes, with or without a schema: the frames' (envelopes') payloads, or
    /// a unary Connect answer's body.
    pub payloads: Vec<Payload>,
    /// The status, the trailers and the body laid out in spans.
    pub finished: Finished,
    /// Set when the body is [`BodyData::Lossy`]: the reading is of damaged bytes, and why.
    pub lossy: Option<String>,
}

impl HarCall {
    /// The request's messages, undone from the protocol's framing: grpc-web frames (from base64
    /// for grpc-web-text), Connect's unary body or envelopes, a Connect GET's `message`
    /// parameter; inflated when compressed (as `grpc-encoding`, `connect-content-encoding` or a
    /// unary body's `content-encoding` say). A lost, missing or malformed body is an error that
    /// says what and where.
    pub fn request_payloads(&self) -> Result<Vec<Payload>, BodyError> {
        if self.framing == Framing::ConnectGet {
            let bytes = get_message(&self.url)?;
            return Ok(vec![Payload { index: 0, range: 0..bytes.len(), bytes }]);
        }
        let body = match &self.request_body {
            BodyData::Exact(bytes) => bytes,
            BodyData::Lossy(_, why) => return Err(BodyError::new(Side::Request, Problem::Lossy(why.clone()))),
            BodyData::Missing(why) => return Err(BodyError::new(Side::Request, Problem::Missing(why.clone()))),
        };
        let (mut parser, end_flag) = match (self.framing, self.protocol) {
            (Framing::ConnectUnary, _) => {
                let name = header(&self.request_headers, "content-encoding");
                let bytes = match compression::named(name) {
                    Ok(Some(algorithm)) if algorithm.looks_compressed(body) => {
                        compression::decompress(name, body, 0, compression::MAX_INFLATED)
                            .map_err(|e| BodyError::new(Side::Request, Problem::Compression(e)))?
                    }
                    _ => body.clone(),
                };
                return Ok(vec![Payload { index: 0, range: 0..body.len(), bytes }]);
            }
            (Framing::ConnectStream, _) => (Frames::Connect(connect::Parser::new()), connect::FLAG_END_STREAM),
            (_, Protocol::GrpcWebText) => {
                (Frames::GrpcWeb(grpcweb::Parser::new(Encoding::Text)), grpcweb::FLAG_TRAILERS)
            }
            _ => (Frames::GrpcWeb(grpcweb::Parser::new(Encoding::Binary)), grpcweb::FLAG_TRAILERS),
        };
        let (frames, error) = parser.read(body);
        let encoding = match self.framing {
            Framing::ConnectStream => header(&self.request_headers, "connect-content-encoding"),
            _ => header(&self.request_headers, "grpc-encoding"),
        };
        let mut payloads = Vec::with_capacity(frames.len());
        for frame in frames {
            let at = frame.offset;
            if frame.flags & end_flag != 0 {
                return Err(BodyError::new(Side::Request, Problem::EndFrame(at)));
            }
            let range = frame.payload_range();
            let bytes = if frame.is_compressed() {
                compression::decompress(encoding, &frame.payload, at, compression::MAX_INFLATED)
                    .map_err(|e| BodyError::new(Side::Request, Problem::Compression(e)))?
            } else {
                frame.payload
            };
            payloads.push(Payload { index: payloads.len(), range, bytes });
        }
        match error {
            Some(e) => Err(BodyError::new(Side::Request, Problem::Frames(e))),
            None => Ok(payloads),
        }
    }

    /// The request's messages as `method`'s input type (JSON for Connect JSON): what sending
    /// the call again takes.
    pub fn request_messages(&self, method: &MethodDescriptor) -> Result<Vec<DynamicMessage>, BodyError> {
        let input = method.input();
        let read = |p: &Payload| -> Result<DynamicMessage, String> {
            if self.protocol == Protocol::ConnectJson {
                let text = std::str::from_utf8(&p.bytes).map_err(|e| format!("not UTF-8 JSON: {e}"))?;
                message::parse_json(&input, text).map_err(|e| e.to_string())
            } else {
                message::decode(&input, &p.bytes).map_err(|e| e.to_string())
            }
        };
        self.request_payloads()?
            .iter()
            .map(|p| {
                read(p).map_err(|why| {
                    let problem = Problem::Message {
                        index: p.index,
                        range: p.range.clone(),
                        type_name: input.full_name().to_owned(),
                        why,
                    };
                    BodyError::new(Side::Request, problem)
                })
            })
            .collect()
    }

    /// The answer read through [`call::Response`], as a live call's: its messages decoded as
    /// `method`'s output when given, its payloads either way, its status, trailers and spans.
    /// An answer that was not recorded, or whose body the file lacks, is an error.
    pub fn response(&self, method: Option<&MethodDescriptor>) -> Result<Answer, BodyError> {
        let body = match &self.response_body {
            BodyData::Exact(bytes) | BodyData::Lossy(bytes, _) => bytes,
            BodyData::Missing(why) => return Err(BodyError::new(Side::Response, Problem::Missing(why.clone()))),
        };
        let headers = self.response_headers.clone();
        let mut response = match method {
            Some(method) => Response::new(self.protocol, method, self.http_status, headers),
            None => {
                let streaming = self.framing == Framing::ConnectStream;
                Response::without_schema(self.protocol, streaming, self.http_status, headers)
            }
        };
        let mut messages = response.push(body);
        let (last, finished) = response.finish();
        messages.extend(last);
        let mut payloads: Vec<Payload> = finished
            .body
            .spans
            .iter()
            .filter(|s| matches!(s.kind, SpanKind::Message { .. }))
            .enumerate()
            .map(|(index, s)| Payload {
                index,
                range: s.range.clone(),
                bytes: finished.body.bytes.get(s.range.clone()).unwrap_or_default().to_vec(),
            })
            .collect();
        // A unary Connect answer of no bytes is one message, all defaults (no span shows it).
        let unary = matches!(self.framing, Framing::ConnectUnary | Framing::ConnectGet);
        if unary && self.http_status == 200 && finished.body.bytes.is_empty() {
            payloads.push(Payload { index: 0, range: 0..0, bytes: Vec::new() });
        }
        let lossy = match &self.response_body {
            BodyData::Lossy(_, why) => Some(why.clone()),
            _ => None,
        };
        Ok(Answer { messages, payloads, finished, lossy })
    }

    /// The request headers the caller chose (`authorization`, `x-…`): what
    /// [`call::Target::metadata`] takes to send the call again. Left out: the protocol's own
    /// (content type, `x-grpc-web`, `connect-protocol-version`, the deadline: see
    /// [`deadline_ms`](HarCall::deadline_ms)) and the browser's (`origin`, `user-agent`, `sec-…`,
    /// cookies), which it sets itself.
    pub fn metadata(&self) -> Vec<(String, String)> {
        self.request_headers.iter().filter(|(name, _)| !not_metadata(name)).cloned().collect()
    }

    /// The deadline the call was made with (`grpc-timeout`, or Connect's `connect-timeout-ms`).
    pub fn deadline_ms(&self) -> Option<u32> {
        if let Some(value) = header(&self.request_headers, "grpc-timeout") {
            // In whole milliseconds, rounded up: a deadline never becomes none.
            let ms = grpcweb::parse_grpc_timeout(value)?.as_nanos().div_ceil(1_000_000);
            return Some(u32::try_from(ms).unwrap_or(u32::MAX));
        }
        let ms = header(&self.request_headers, "connect-timeout-ms")?.trim();
        // Connect allows at most 10 digits: beyond u32, the longest deadline there is.
        (!ms.is_empty() && ms.len() <= 10 && ms.bytes().all(|b| b.is_ascii_digit()))
            .then(|| ms.parse::<u64>().map_or(u32::MAX, |n| u32::try_from(n).unwrap_or(u32::MAX)))
    }

    /// The request body's size in bytes (a Connect GET's: the `message` parameter's, decoded):
    /// what the file holds, or, for a body it lost or lacks, the size it records.
    pub fn request_size(&self) -> Option<usize> {
        if self.framing == Framing::ConnectGet {
            return get_message(&self.url).ok().map(|m| m.len());
        }
        size(&self.request_body, self.recorded_request_size)
    }

    /// The response body's size in bytes (decoded, as the page saw it), likewise.
    pub fn response_size(&self) -> Option<usize> {
        size(&self.response_body, self.recorded_response_size)
    }
}

/// The file is not a HAR: not JSON (with the line and column), or JSON without `log.entries`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HarError(Kind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Json(MessageError),
    NotHar(&'static str),
}

impl HarError {
    /// The 1-based line and character column where the JSON breaks, when it does.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        match &self.0 {
            Kind::Json(e) => Some((e.line, e.column)),
            Kind::NotHar(_) => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Json(e) => {
                write!(f, "not a HAR file: not JSON at line {}, column {}: {}", e.line, e.column, e.message)
            }
            Kind::NotHar(why) => write!(f, "not a HAR file: {why}"),
        }
    }
}

/// A recorded call's body cannot give its messages: what, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{side} {problem}")]
pub struct BodyError {
    side: Side,
    problem: Problem,
}

impl BodyError {
    fn new(side: Side, problem: Problem) -> BodyError {
        BodyError { side, problem }
    }

    /// The byte offset the error is at, in the decoded body (a base64 error: the character).
    pub fn offset(&self) -> Option<usize> {
        match &self.problem {
            Problem::Frames(e) => Some(e.offset()),
            Problem::EndFrame(at) => Some(*at),
            Problem::Compression(e) => Some(e.offset()),
            Problem::Message { range, .. } => Some(range.start),
            _ => None,
        }
    }

    /// True when the file does not hold the body (or lost bytes of it), rather than holding a
    /// malformed one.
    pub fn is_missing(&self) -> bool {
        matches!(self.problem, Problem::Missing(_) | Problem::Lossy(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Request => "request",
            Side::Response => "response",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    Missing(String),
    Lossy(String),
    Frames(FrameError),
    /// A trailer frame or end-of-stream envelope in a request, at this byte.
    EndFrame(usize),
    /// A compressed message that does not inflate (or in an algorithm wirelens lacks).
    Compression(compression::Error),
    /// The `message` parameter of a Connect GET.
    Query(String),
    Message {
        index: usize,
        range: Range<usize>,
        type_name: String,
        why: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Missing(why) => write!(f, "body is not in the file: {why}"),
            Problem::Lossy(why) => write!(f, "body lost bytes in the file: {why}"),
            Problem::Frames(e) => write!(f, "body is malformed: {e}"),
            Problem::EndFrame(at) => write!(f, "body has an end frame at byte {at}, where only messages may be"),
            Problem::Compression(e) => write!(f, "body: {e}"),
            Problem::Query(why) => write!(f, "message in the URL: {why}"),
            Problem::Message { index, range, type_name, why } => {
                write!(f, "message {} (bytes {}..{}) is not a {type_name}: {why}", index + 1, range.start, range.end)
            }
        }
    }
}

fn size(body: &BodyData, recorded: Option<usize>) -> Option<usize> {
    match body {
        BodyData::Exact(bytes) => Some(bytes.len()),
        BodyData::Lossy(bytes, _) => recorded.or(Some(bytes.len())),
        BodyData::Missing(_) => recorded,
    }
}

/// The frame readers of both envelopes, fed a whole body.
enum Frames {
    GrpcWeb(grpcweb::Parser),
    Connect(connect::Parser),
}

impl Frames {
    fn read(&mut self, body: &[u8]) -> (Vec<grpcweb::Frame>, Option<FrameError>) {
        match self {
            Frames::GrpcWeb(p) => {
                let mut frames = p.push(body);
                frames.extend(p.finish());
                (frames, p.error().cloned())
            }
            Frames::Connect(p) => {
                let mut frames = p.push(body);
                frames.extend(p.finish());
                (frames, p.error().cloned())
            }
        }
    }
}

/// The call an entry records, if it is one.
fn call_of(entry: usize, value: &Value) -> Option<HarCall> {
    let request = value.get("request")?;
    let response = value.get("response");
    let url = request.get("url")?.as_str()?.to_owned();
    let http_method = request.get("method").and_then(Value::as_str).unwrap_or("GET");
    let request_headers = headers(request.get("headers"));
    let content_type = header(&request_headers, "content-type")
        .or_else(|| request.get("postData")?.get("mimeType")?.as_str())
        .unwrap_or_default();
    let (base_url, method, query) = split_url(&url)?;
    let (protocol, framing) = if http_method.eq_ignore_ascii_case("GET") {
        let encoding = connect::query_param(query, "encoding")?;
        connect::query_param(query, "message")?;
        match encoding.as_slice() {
            b"proto" => (Protocol::Connect, Framing::ConnectGet),
            b"json" => (Protocol::ConnectJson, Framing::ConnectGet),
            _ => return None,
        }
    } else {
        protocol_of(content_type, header(&request_headers, "connect-protocol-version").is_some())?
    };
    let http_status = response
        .and_then(|r| r.get("status"))
        .and_then(Value::as_i64)
        .filter(|s| (1..=999).contains(s))
        .map_or(0, |s| s as u16);
    let recorded = |v: Option<&Value>| v.and_then(Value::as_i64).and_then(|n| usize::try_from(n).ok());
    let request_body =
        if framing == Framing::ConnectGet { BodyData::Exact(Vec::new()) } else { request_body(request, content_type) };
    let content = response.and_then(|r| r.get("content"));
    let response_body = if http_status == 0 {
        let failure = response
            .and_then(|r| r.get("_error").or_else(|| r.get("_failureText")))
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty());
        BodyData::Missing(match failure {
            Some(why) => format!("no answer was recorded: {why}"),
            None => "no answer was recorded".to_owned(),
        })
    } else {
        let headers = headers(response.and_then(|r| r.get("headers")));
        let content_type = header(&headers, "content-type")
            .or_else(|| content?.get("mimeType")?.as_str())
            .unwrap_or_default()
            .to_owned();
        response_body(content, &content_type)
    };
    Some(HarCall {
        entry,
        url: url.clone(),
        base_url,
        method,
        protocol,
        framing,
        started: value.get("startedDateTime").and_then(Value::as_str).unwrap_or_default().to_owned(),
        time_ms: value.get("time").and_then(Value::as_f64).unwrap_or(-1.0),
        http_status,
        request_headers,
        response_headers: headers(response.and_then(|r| r.get("headers"))),
        request_body,
        response_body,
        recorded_request_size: recorded(request.get("bodySize")),
        recorded_response_size: recorded(content.and_then(|c| c.get("size"))).filter(|_| http_status != 0),
    })
}

/// The protocol a POST's content type names: grpc-web's (not its JSON variant), or Connect's
/// (`application/json` only with `connect-protocol-version`: plain JSON is REST's too).
fn protocol_of(content_type: &str, connect_header: bool) -> Option<(Protocol, Framing)> {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match grpcweb::Encoding::from_content_type(&essence) {
        Some(_) if essence.ends_with("+json") => None,
        Some(Encoding::Text) => Some((Protocol::GrpcWebText, Framing::GrpcWeb)),
        Some(Encoding::Binary) => Some((Protocol::GrpcWeb, Framing::GrpcWeb)),
        None => match connect::codec_of(&essence)? {
            (Codec::Json, false) if !connect_header => None,
            (Codec::Proto, false) => Some((Protocol::Connect, Framing::ConnectUnary)),
            (Codec::Json, false) => Some((Protocol::ConnectJson, Framing::ConnectUnary)),
            (Codec::Proto, true) => Some((Protocol::Connect, Framing::ConnectStream)),
            (Codec::Json, true) => Some((Protocol::ConnectJson, Framing::ConnectStream)),
        },
    }
}

/// The base URL (scheme, authority, path prefix), `Service/Method` and the query of `url`;
/// `None` when its path has no two segments to name a method.
fn split_url(url: &str) -> Option<(String, String, &str)> {
    let url = url.split('#').next().unwrap_or_default();
    let (before_query, query) = url.split_once('?').unwrap_or((url, ""));
    let path_start = match before_query.find("://") {
        Some(i) => i + 3 + before_query[i + 3..].find('/')?,
        None => before_query.find('/')?,
    };
    let path = &before_query[path_start..];
    let mut segments = path.rsplitn(3, '/');
    let (method, service, prefix) = (segments.next()?, segments.next()?, segments.next()?);
    if method.is_empty() || service.is_empty() {
        return None;
    }
    let base = format!("{}{prefix}", &before_query[..path_start]);
    Some((base, format!("{service}/{method}"), query))
}

/// A Connect GET's request message, read by [`connect::get_message`].
fn get_message(url: &str) -> Result<Vec<u8>, BodyError> {
    connect::get_message(url).map_err(|why| BodyError::new(Side::Request, Problem::Query(why)))
}

/// `[{name, value}]` as pairs, names in lower case, pseudo-headers left out.
fn headers(list: Option<&Value>) -> Vec<(String, String)> {
    let Some(Value::Array(list)) = list else { return Vec::new() };
    list.iter()
        .filter_map(|h| {
            let name = h.get("name")?.as_str()?;
            let value = h.get("value").and_then(Value::as_str).unwrap_or_default();
            (!name.starts_with(':')).then(|| (name.to_ascii_lowercase(), value.to_owned()))
        })
        .collect()
}

/// Request headers a caller does not choose: the protocols' (`call::request` writes them again)
/// and the browser's (fetch refuses to set them, or sets them itself).
fn not_metadata(name: &str) -> bool {
    const PROTOCOL: [&str; 14] = [
        "content-type",
        "accept",
        "x-grpc-web",
        "x-user-agent",
        "grpc-timeout",
        "grpc-encoding",
        "grpc-accept-encoding",
        "connect-protocol-version",
        "connect-timeout-ms",
        "connect-content-encoding",
        "connect-accept-encoding",
        "content-encoding",
        "te",
        "content-length",
    ];
    const BROWSER: [&str; 17] = [
        "accept-charset",
        "accept-encoding",
        "accept-language",
        "cache-control",
        "connection",
        "cookie",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "pragma",
        "priority",
        "referer",
        "user-agent",
        "upgrade",
    ];
    PROTOCOL.contains(&name)
        || BROWSER.contains(&name)
        || ["sec-", "proxy-", "access-control-request-"].iter().any(|prefix| name.starts_with(prefix))
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn request_body(request: &Value, content_type: &str) -> BodyData {
    let recorded = request.get("bodySize").and_then(Value::as_i64).filter(|n| *n >= 0);
    let Some(post) = request.get("postData").filter(|p| p.is_object()) else {
        return match recorded {
            Some(0) => BodyData::Exact(Vec::new()),
            Some(n) => BodyData::Missing(format!("the file has no postData for its {n} bytes")),
            None => BodyData::Missing("the file records no request body".to_owned()),
        };
    };
    if let Some(missing) = attached(post) {
        return missing;
    }
    let Some(text) = post.get("text").and_then(Value::as_str) else {
        return BodyData::Missing("its postData has no text".to_owned());
    };
    match post.get("encoding").and_then(Value::as_str) {
        Some(encoding) => encoded(text, encoding),
        None if text.is_empty() && recorded.is_some_and(|n| n > 0) => BodyData::Missing(format!(
            "the recorder left its {} bytes out (playwright's content: \"omit\", or a content type it does not write)",
            recorded.unwrap_or_default()
        )),
        None => from_text(text, content_type),
    }
}

fn response_body(content: Option<&Value>, content_type: &str) -> BodyData {
    let Some(content) = content.filter(|c| c.is_object()) else {
        return BodyData::Missing("the entry has no response content".to_owned());
    };
    if let Some(missing) = attached(content) {
        return missing;
    }
    let recorded = content.get("size").and_then(Value::as_i64).filter(|n| *n >= 0);
    // The text is taken whole whatever `size` says: recorders write the size as sent.
    match (content.get("text").and_then(Value::as_str), content.get("encoding").and_then(Value::as_str)) {
        (Some(text), Some(encoding)) => encoded(text, encoding),
        (Some(text), None) => from_text(text, content_type),
        (None, _) if recorded == Some(0) => BodyData::Exact(Vec::new()),
        (None, _) => BodyData::Missing(match recorded {
            Some(n) => format!(
                "the file holds none of its {n} bytes (recorded without content, as playwright's content: \"omit\" does)"
            ),
            None => "the file holds no response content".to_owned(),
        }),
    }
}

/// playwright's `content: "attach"`: the body is a file beside the HAR (`_file`) or a trace
/// resource (`_sha1`), not in it.
fn attached(object: &Value) -> Option<BodyData> {
    if let Some(file) = object.get("_file").and_then(Value::as_str) {
        return Some(BodyData::Missing(format!(
            "it is in '{file}', a file beside the HAR (playwright's content: \"attach\"), not in the HAR itself"
        )));
    }
    let sha1 = object.get("_sha1").and_then(Value::as_str)?;
    Some(BodyData::Missing(format!("it is in '{sha1}' among a playwright trace's resources, not in the HAR")))
}

fn encoded(text: &str, encoding: &str) -> BodyData {
    if !encoding.eq_ignore_ascii_case("base64") {
        return BodyData::Missing(format!("its text is in an encoding wirelens does not know, '{encoding}'"));
    }
    match input::parse_bytes(text, InputFormat::Base64) {
        Ok(bytes) => BodyData::Exact(bytes),
        Err(e) => BodyData::Missing(format!("its text says base64, but {e}")),
    }
}

/// A body written as text: its UTF-8 bytes, exact unless a U+FFFD shows that the recorder met
/// bytes that were not UTF-8 and replaced them. A Connect JSON stream's lost bytes are only ever
/// in its envelopes' lengths, which are worked out again (see [`rebuild_json_envelopes`]).
fn from_text(text: &str, content_type: &str) -> BodyData {
    let replaced = text.matches('\u{FFFD}').count();
    let bytes = text.as_bytes().to_vec();
    if replaced == 0 {
        return BodyData::Exact(bytes);
    }
    if connect::codec_of(content_type) == Some((Codec::Json, true))
        && let Some(rebuilt) = rebuild_json_envelopes(text)
    {
        return BodyData::Exact(rebuilt);
    }
    let at = text.find('\u{FFFD}').unwrap_or_default();
    BodyData::Lossy(
        bytes,
        format!(
            "the recorder wrote the binary body as text, and {replaced} run{} of bytes that were not UTF-8 became \
             U+FFFD (the first at byte {at} of the text): their bytes are lost",
            if replaced == 1 { "" } else { "s" }
        ),
    )
}

/// A Connect JSON stream (`application/connect+json`) that went through text: every envelope is
/// a flag byte, a 4-byte length the text may have lost bytes of, and a JSON object that is text
/// and arrived whole. Each length is worked out again from the object it frames (where the
/// object ends, by serde_json) and kept only if it is written as the text shows it, U+FFFD and
/// all; any envelope that does not fit gives `None`, and the body stays lossy.
fn rebuild_json_envelopes(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let flags = bytes[at];
        if flags & !connect::FLAG_END_STREAM != 0 {
            return None;
        }
        // Four bytes as text: 4 characters of one byte, up to 4 U+FFFD of three.
        let header = at + 1;
        let last = (header + 12).min(bytes.len().saturating_sub(1));
        let (start, len) = (header + 4..=last).find_map(|start| {
            if bytes[start] != b'{' {
                return None;
            }
            let mut values = serde_json::Deserializer::from_slice(&bytes[start..]).into_iter::<serde::de::IgnoredAny>();
            values.next()?.ok()?;
            let len = values.byte_offset();
            let written = String::from_utf8_lossy(&u32::try_from(len).ok()?.to_be_bytes()).into_owned();
            (text.get(header..start)? == written).then_some((start, len))
        })?;
        out.push(flags);
        out.extend_from_slice(&(len as u32).to_be_bytes());
        out.extend_from_slice(&bytes[start..start + len]);
        at = start + len;
    }
    Some(out)
}
