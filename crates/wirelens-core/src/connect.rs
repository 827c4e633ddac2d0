//! The Connect protocol: content types, request headers, envelopes, the end-of-stream message
//! and error bodies, and the status a Connect answer ends with.
//!
//! A unary call is a plain HTTP POST: the request body is the message itself
//! (`application/proto`, or `application/json` for JSON), and the answer is the message on HTTP
//! 200, or a JSON error body (`{"code":"not_found","message":…,"details":[…]}`) on another
//! status; trailers travel as `trailer-`-prefixed headers. A streaming call
//! (`application/connect+proto` / `+json`) sends and answers 5-byte envelopes like grpc-web's
//! frames; the last answer envelope has flag `0x02` and a JSON end-of-stream message
//! (`{"error":{…},"metadata":{…}}`) that carries the status. The envelopes are read by
//! [`grpcweb::Parser`]'s framing with the end flag `0x02`; this file knows Connect's JSON and
//! codes. No IO: bytes in, plain data out.

use serde_json::Value;

use crate::compression::{self, Algorithm};
use crate::grpcweb::{self, Body, Encoding, Frame, FrameError};
use crate::input::{self, InputFormat};
use crate::status::{self, Detail, Source, Status};

/// Envelope flag: the payload is compressed.
pub const FLAG_COMPRESSED: u8 = 0x01;
/// Envelope flag: the end-of-stream message, the last envelope of an answer.
pub const FLAG_END_STREAM: u8 = 0x02;
/// The `connect-protocol-version` header's value.
pub const PROTOCOL_VERSION: &str = "1";

/// How messages are written: binary protobuf or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Proto,
    Json,
}

/// The content type of a request (and of its answer) in `codec`.
pub fn content_type(codec: Codec, streaming: bool) -> &'static str {
    match (codec, streaming) {
        (Codec::Proto, false) => "application/proto",
        (Codec::Json, false) => "application/json",
        (Codec::Proto, true) => "application/connect+proto",
        (Codec::Json, true) => "application/connect+json",
    }
}

/// The codec a content type names and whether it is a stream's (`application/connect+proto`),
/// parameters such as `; charset=utf-8` ignored: the inverse of [`content_type`]. `None` for a
/// content type that is not Connect's.
pub fn codec_of(content_type: &str) -> Option<(Codec, bool)> {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/proto" => Some((Codec::Proto, false)),
        "application/json" => Some((Codec::Json, false)),
        "application/connect+proto" => Some((Codec::Proto, true)),
        "application/connect+json" => Some((Codec::Json, true)),
        _ => None,
    }
}

/// The headers of a Connect request, in order: content type, protocol version, the deadline as
/// `connect-timeout-ms`, then the caller's `metadata` (names in lower case) as given.
pub fn request_headers(
    codec: Codec,
    streaming: bool,
    metadata: &[(String, String)],
    deadline_ms: Option<u32>,
) -> Vec<(String, String)> {
    let mut headers = vec![
        ("content-type".to_owned(), content_type(codec, streaming).to_owned()),
        ("connect-protocol-version".to_owned(), PROTOCOL_VERSION.to_owned()),
    ];
    if let Some(ms) = deadline_ms {
        headers.push(("connect-timeout-ms".to_owned(), ms.to_string()));
    }
    headers.extend(metadata.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())));
    headers
}

/// The query of a Connect GET (a unary call of a method marked `NO_SIDE_EFFECTS`, its message
/// in the URL): `connect=v1&encoding=proto&base64=1&message=…` with the payload in unpadded
/// URL-safe base64, or for JSON without `compression`, the JSON percent-encoded as text;
/// `compression=gzip` when the payload is compressed. [`get_message`] reads it back.
pub fn get_query(codec: Codec, payload: &[u8], compression: Option<Algorithm>) -> String {
    let encoding = match codec {
        Codec::Proto => "proto",
        Codec::Json => "json",
    };
    let mut query = format!("connect=v{PROTOCOL_VERSION}&encoding={encoding}");
    let payload = match compression {
        Some(algorithm) => {
            query.push_str(&format!("&compression={}", algorithm.name()));
            compression::compress(algorithm, payload)
        }
        None => payload.to_vec(),
    };
    if codec == Codec::Json && compression.is_none() {
        let text = percent_encoding::percent_encode(&payload, percent_encoding::NON_ALPHANUMERIC);
        query.push_str(&format!("&message={text}"));
    } else {
        let text = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &payload);
        query.push_str(&format!("&base64=1&message={text}"));
    }
    query
}

/// The first value of query parameter `name`, percent-decoded (`+` is a space, as in a form).
pub fn query_param(query: &str, name: &str) -> Option<Vec<u8>> {
    query.split('&').find_map(|pair| {
        let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
        (n == name).then(|| percent_encoding::percent_decode_str(&v.replace('+', " ")).collect())
    })
}

/// A Connect GET's request message from its URL: the `message` parameter, from base64 when
/// `base64=1`, inflated as `compression` says (at most [`compression::MAX_INFLATED`] bytes).
/// The error says what is wrong with the URL.
pub fn get_message(url: &str) -> Result<Vec<u8>, String> {
    let query = url.split('#').next().unwrap_or_default().split_once('?').map_or("", |(_, q)| q);
    let message = query_param(query, "message").ok_or("the URL has no 'message' parameter")?;
    let message = if query_param(query, "base64").as_deref() == Some(b"1") {
        let text = std::str::from_utf8(&message).map_err(|_| "'base64=1', but it is not base64 text")?;
        input::parse_bytes(text, InputFormat::Base64).map_err(|e| format!("'base64=1', but {e}"))?
    } else {
        message
    };
    match query_param(query, "compression").map(|c| String::from_utf8_lossy(&c).into_owned()) {
        Some(name) if compression::named(Some(&name)) != Ok(None) => {
            compression::decompress(Some(&name), &message, 0, compression::MAX_INFLATED).map_err(|e| e.to_string())
        }
        _ => Ok(message),
    }
}

/// Connect's name of a status code: gRPC's in lower case, except `canceled` (one l).
pub fn code_name(code: u32) -> String {
    match code {
        status::CANCELLED => "canceled".to_owned(),
        _ => status::name(code).to_ascii_lowercase(),
    }
}

/// The code of a Connect code name (`not_found`), if it is one.
pub fn code_from_name(name: &str) -> Option<u32> {
    if name == "canceled" {
        return Some(status::CANCELLED);
    }
    // OK has no Connect name (success is HTTP 200), and CANCELLED is spelt `canceled`.
    let named = |c: &&status::Code| c.number != status::CANCELLED && c.name.to_ascii_lowercase() == name;
    status::CODES.iter().skip(1).find(named).map(|c| c.number)
}

/// A Connect error: a unary answer's error body, or the `error` of an end-of-stream message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The code, or `None` when the body named none (or none Connect knows).
    pub code: Option<u32>,
    pub message: String,
    pub details: Vec<Detail>,
}

/// The end-of-stream message of a streaming answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndStream {
    pub error: Option<Error>,
    /// The trailers (`metadata`), names in lower case, one entry per value.
    pub metadata: Vec<(String, String)>,
}

/// Reads an error object (`{"code":…,"message":…,"details":[{"type":…,"value":…}]}`).
/// The error is what is wrong with it.
pub fn parse_error(json: &[u8]) -> Result<Error, String> {
    let value: Value = serde_json::from_slice(json).map_err(|e| format!("the error body is not JSON: {e}"))?;
    error_of(&value)
}

/// Reads an end-of-stream message. The error is what is wrong with it.
pub fn parse_end_stream(json: &[u8]) -> Result<EndStream, String> {
    let value: Value =
        serde_json::from_slice(json).map_err(|e| format!("the end-of-stream message is not JSON: {e}"))?;
    let Value::Object(object) = &value else { return Err("the end-of-stream message is not a JSON object".into()) };
    let error = match object.get("error") {
        None | Some(Value::Null) => None,
        Some(e) => Some(error_of(e)?),
    };
    let mut metadata = Vec::new();
    match object.get("metadata") {
        None | Some(Value::Null) => {}
        Some(Value::Object(entries)) => {
            for (name, values) in entries {
                let Value::Array(values) = values else {
                    return Err(format!("metadata '{name}' is not a list of strings"));
                };
                for v in values {
                    let Value::String(v) = v else { return Err(format!("metadata '{name}' is not a list of strings")) };
                    metadata.push((name.to_ascii_lowercase(), v.clone()));
                }
            }
        }
        Some(_) => return Err("the end-of-stream metadata is not a JSON object".into()),
    }
    Ok(EndStream { error, metadata })
}

fn error_of(value: &Value) -> Result<Error, String> {
    let Value::Object(object) = value else { return Err("the error is not a JSON object".into()) };
    let text = |key: &str| object.get(key).and_then(Value::as_str);
    let code = text("code").and_then(code_from_name);
    let message = text("message").unwrap_or_default().to_owned();
    let mut details = Vec::new();
    if let Some(Value::Array(list)) = object.get("details") {
        for (i, d) in list.iter().enumerate() {
            let type_name = d.get("type").and_then(Value::as_str);
            let value = d.get("value").and_then(Value::as_str).and_then(status::decode_base64_any);
            match (type_name, value) {
                (Some(t), Some(v)) => details.push(Detail { type_name: status::type_name(t), value: v }),
                _ => return Err(format!("error detail {i} has no 'type' and base64 'value'")),
            }
        }
    }
    Ok(Error { code, message, details })
}

/// The status of a unary answer: OK on HTTP 200; otherwise the error body's code, or, when the
/// body names none, what the HTTP status stands for (Connect maps HTTP statuses as gRPC does).
pub fn unary_status(http_status: u16, body: &[u8]) -> Status {
    if http_status == 200 {
        return Status { code: status::OK, message: String::new(), details: Vec::new(), source: Source::HttpOk };
    }
    let from_http = status::from_http(http_status).number;
    match parse_error(body) {
        Ok(Error { code: Some(code), message, details }) => {
            Status { code, message, details, source: Source::ErrorBody }
        }
        Ok(Error { code: None, message, details }) => Status {
            code: from_http,
            message: format!("HTTP {http_status}, an error body without a code{}", suffix(&message)),
            details,
            source: Source::HttpStatus,
        },
        Err(why) => Status {
            code: from_http,
            // A proxy's or another protocol's answer is often a line of text: show it.
            message: match std::str::from_utf8(body)
                .ok()
                .filter(|_| serde_json::from_slice::<Value>(body).is_err())
                .and_then(|t| t.lines().find(|l| !l.trim().is_empty()))
            {
                Some(line) => format!("HTTP {http_status}: {}", line.trim().chars().take(200).collect::<String>()),
                None => format!("HTTP {http_status}: {why}"),
            },
            details: Vec::new(),
            source: Source::HttpStatus,
        },
    }
}

/// The status of a streaming answer: the end-of-stream message's error, or OK; a non-200 HTTP
/// status (a protocol error before the stream began) as it maps; INTERNAL when the stream ended
/// without its end-of-stream message (`end` is `None`) or the message could not be read.
pub fn stream_status(http_status: u16, end: Option<Result<&EndStream, &str>>, body: &[u8]) -> Status {
    if http_status != 200 {
        return unary_status(http_status, body);
    }
    match end {
        Some(Ok(EndStream { error: None, .. })) => {
            Status { code: status::OK, message: String::new(), details: Vec::new(), source: Source::EndOfStream }
        }
        Some(Ok(EndStream { error: Some(e), .. })) => Status {
            code: e.code.unwrap_or(2),
            message: e.message.clone(),
            details: e.details.clone(),
            source: Source::EndOfStream,
        },
        Some(Err(why)) => Status::client(status::INTERNAL, why),
        None => Status::client(status::INTERNAL, "the stream ended without an end-of-stream message"),
    }
}

/// A unary answer's trailers: its `trailer-` headers, prefix taken off.
pub fn unary_trailers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(n, v)| {
            let n = n.to_ascii_lowercase();
            n.strip_prefix("trailer-").map(|t| (t.to_owned(), v.clone()))
        })
        .collect()
}

/// The incremental reader of a streaming body's envelopes: [`push`](Parser::push) chunks, then
/// [`finish`](Parser::finish). Frames come back as [`grpcweb::Frame`]s (their `trailers` are
/// `None`); the one with [`FLAG_END_STREAM`] is the last, read with [`parse_end_stream`].
#[derive(Debug, Clone)]
pub struct Parser(grpcweb::Parser);

impl Default for Parser {
    fn default() -> Parser {
        Parser::new()
    }
}

impl Parser {
    pub fn new() -> Parser {
        Parser(grpcweb::Parser::with_end_flag(Encoding::Binary, FLAG_END_STREAM))
    }

    pub fn push(&mut self, chunk: &[u8]) -> Vec<Frame> {
        self.0.push(chunk)
    }

    pub fn finish(&mut self) -> Vec<Frame> {
        self.0.finish()
    }

    pub fn error(&self) -> Option<&FrameError> {
        self.0.error()
    }
}

/// True for the end-of-stream envelope.
pub fn is_end(frame: &Frame) -> bool {
    frame.flags & FLAG_END_STREAM != 0
}

/// Builds one envelope: the request envelopes of a streaming call.
pub fn envelope(flags: u8, payload: &[u8]) -> Vec<u8> {
    grpcweb::frame(flags, payload)
}

/// A whole streaming body laid out as spans (flags, length, message, end-of-stream JSON as
/// `Trailers`, an invalid rest), like [`grpcweb::annotate_body`].
pub fn annotate_body(body: &[u8]) -> Body {
    let mut parser = Parser::new();
    let mut frames = parser.push(body);
    frames.extend(parser.finish());
    let error = parser.error().cloned();
    let spans = grpcweb::spans_by(&frames, body.len(), error.as_ref(), FLAG_END_STREAM);
    Body { bytes: body.to_vec(), frames, spans, error }
}

fn suffix(message: &str) -> String {
    if message.is_empty() { String::new() } else { format!(": {message}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_headers() {
        assert_eq!(content_type(Codec::Proto, false), "application/proto");
        assert_eq!(content_type(Codec::Json, true), "application/connect+json");
        let metadata = vec![("Authorization".to_owned(), "Bearer t".to_owned())];
        let headers = request_headers(Codec::Proto, true, &metadata, Some(1500));
        let text: Vec<String> = headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        assert_eq!(
            text,
            [
                "content-type: application/connect+proto",
                "connect-protocol-version: 1",
                "connect-timeout-ms: 1500",
                "authorization: Bearer t"
            ]
        );
    }

    #[test]
    fn content_types_read_back() {
        for codec in [Codec::Proto, Codec::Json] {
            for streaming in [false, true] {
                assert_eq!(codec_of(content_type(codec, streaming)), Some((codec, streaming)));
            }
        }
        assert_eq!(codec_of("Application/JSON; charset=utf-8"), Some((Codec::Json, false)));
        assert_eq!(codec_of("application/grpc-web+proto"), None);
        assert_eq!(codec_of(""), None);
    }

    #[test]
    fn code_names_both_ways() {
        for code in 1..=16 {
            assert_eq!(code_from_name(&code_name(code)), Some(code), "{code}");
        }
        assert_eq!(code_name(1), "canceled");
        assert_eq!(code_name(5), "not_found");
        assert_eq!(code_from_name("cancelled"), None);
        assert_eq!(code_from_name("NOT_FOUND"), None);
        assert_eq!(code_from_name("ok"), None);
    }

    #[test]
    fn unary_statuses_of_a_table() {
        // (HTTP status, body) → (code, message, source, number of details)
        type Want = (u32, &'static str, Source, usize);
        let cases: &[(u16, &str, Want)] = &[
            (200, "\x0a\x01x", (0, "", Source::HttpOk, 0)),
            (404, r#"{"code":"not_found","message":"no user 7"}"#, (5, "no user 7", Source::ErrorBody, 0)),
            (
                400,
                r#"{"code":"invalid_argument","message":"bad","details":[{"type":"google.rpc.ErrorInfo","value":"CgF4"}]}"#,
                (3, "bad", Source::ErrorBody, 1),
            ),
            (503, "<html>", (14, "HTTP 503: <html>", Source::HttpStatus, 0)),
            (
                502,
                "",
                (
                    14,
                    "HTTP 502: the error body is not JSON: EOF while parsing a value at line 1 column 0",
                    Source::HttpStatus,
                    0,
                ),
            ),
            (401, r#"{"message":"who?"}"#, (16, "HTTP 401, an error body without a code: who?", Source::HttpStatus, 0)),
            (500, r#"{"code":"nonsense"}"#, (2, "HTTP 500, an error body without a code", Source::HttpStatus, 0)),
            (
                400,
                r#"{"code":"internal","details":[{"type":"x"}]}"#,
                (13, "HTTP 400: error detail 0 has no 'type' and base64 'value'", Source::HttpStatus, 0),
            ),
        ];
        for &(http, body, (code, message, source, details)) in cases {
            let s = unary_status(http, body.as_bytes());
            assert_eq!(
                (s.code, s.message.as_str(), s.source, s.details.len()),
                (code, message, source, details),
                "{body}"
            );
        }
        let s = unary_status(
            400,
            br#"{"code":"invalid_argument","details":[{"type":"type.googleapis.com/a.B","value":"CgF4"}]}"#,
        );
        assert_eq!(s.details, vec![Detail { type_name: "a.B".into(), value: vec![0x0a, 0x01, b'x'] }]);
    }

    #[test]
    fn end_of_stream_messages_of_a_table() {
        let ok = parse_end_stream(br#"{"metadata":{"X-Count":["1","2"]}}"#).unwrap();
        assert_eq!(ok.metadata, vec![("x-count".into(), "1".into()), ("x-count".into(), "2".into())]);
        assert_eq!(stream_status(200, Some(Ok(&ok)), b"").code, 0);
        let failed = parse_end_stream(br#"{"error":{"code":"resource_exhausted","message":"too many"}}"#).unwrap();
        let s = stream_status(200, Some(Ok(&failed)), b"");
        assert_eq!((s.code, s.message.as_str(), s.source), (8, "too many", Source::EndOfStream));
        assert_eq!(parse_end_stream(b"{}"), Ok(EndStream::default()));
        for bad in [&b"[]"[..], b"{", br#"{"metadata":{"a":"b"}}"#, br#"{"error":3}"#] {
            assert!(parse_end_stream(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(stream_status(200, None, b"").code, status::INTERNAL);
        assert_eq!(stream_status(200, Some(Err("broken")), b"").message, "broken");
        assert_eq!(stream_status(415, None, b"").code, 2, "HTTP 415 stands for UNKNOWN");
    }

    #[test]
    fn envelopes_in_chunks_with_the_end_stream_last() {
        let mut body = envelope(0, b"\x08\x01");
        body.extend(envelope(FLAG_END_STREAM, b"{}"));
        let mut parser = Parser::new();
        let mut frames = Vec::new();
        for byte in &body {
            frames.extend(parser.push(&[*byte]));
        }
        frames.extend(parser.finish());
        assert_eq!(parser.error(), None);
        assert_eq!(
            frames.iter().map(|f| (f.offset, is_end(f), f.payload.len())).collect::<Vec<_>>(),
            [(0, false, 2), (7, true, 2)]
        );

        // grpc-web's trailer flag is not Connect's: 0x80 is an unknown flag here.
        let mut parser = Parser::new();
        parser.push(&grpcweb::frame(0x80, b""));
        assert_eq!(
            parser.error().map(ToString::to_string).as_deref(),
            Some("frame at byte 0 has unknown flag bits 0x80 (flags 0x80)")
        );

        let mut after = body.clone();
        after.extend(envelope(0, b""));
        let laid = annotate_body(&after);
        assert_eq!(laid.error.map(|e| e.offset()), Some(14));
        let kinds: Vec<&str> = laid.spans.iter().map(|s| s.kind.class()).collect();
        assert_eq!(kinds, ["tag", "len", "bytes", "tag", "len", "string", "invalid"]);
    }

    #[test]
    fn trailers_of_a_unary_answer() {
        let headers =
            vec![("Trailer-X-Done".to_owned(), "yes".to_owned()), ("content-type".to_owned(), "a".to_owned())];
        assert_eq!(unary_trailers(&headers), vec![("x-done".to_owned(), "yes".to_owned())]);
    }
}
