//! A call of any method of any service, in any of the protocols wirelens speaks, as plain data:
//! which method a name means, the HTTP request to send, and the answer read incrementally into
//! messages and a status. The IO is the caller's: the app hands the request to `fetch`, the CLI
//! to hyper (or tonic, for native gRPC); both feed the answer's chunks to [`Response`].
//!
//! Knows gRPC's, grpc-web's and Connect's request shapes (through [`grpcweb`] and [`connect`])
//! and run-time descriptors; nothing about sockets, clocks or generated types.

use std::fmt;
use std::ops::Range;

use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, MethodDescriptor};

pub use crate::compression::Algorithm;
use crate::compression::{self, Compressed};
use crate::connect::{self, Codec};
use crate::grpcweb::{self, Encoding, Frame};
use crate::message::{self, JsonStyle};
use crate::status::{self, Status};

/// The wire protocol of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Native gRPC over HTTP/2: every kind of method; not from a browser.
    Grpc,
    /// grpc-web, binary frames (`application/grpc-web+proto`).
    GrpcWeb,
    /// grpc-web in base64 (`application/grpc-web-text`).
    GrpcWebText,
    /// Connect with binary protobuf (`application/proto`; `application/connect+proto` streams).
    Connect,
    /// Connect with JSON messages (`application/json`; `application/connect+json` streams).
    ConnectJson,
}

impl Protocol {
    pub const ALL: [Protocol; 5] =
        [Protocol::Grpc, Protocol::GrpcWeb, Protocol::GrpcWebText, Protocol::Connect, Protocol::ConnectJson];

    /// The name `--protocol` takes: `grpc`, `grpc-web`, `grpc-web-text`, `connect`, `connect-json`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::GrpcWeb => "grpc-web",
            Protocol::GrpcWebText => "grpc-web-text",
            Protocol::Connect => "connect",
            Protocol::ConnectJson => "connect-json",
        }
    }

    pub fn from_name(name: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.name() == name)
    }

    /// True when a browser can make calls in it (everything but native gRPC).
    pub fn in_browser(self) -> bool {
        self != Protocol::Grpc
    }

    /// True when the protocol carries methods of this kind: native gRPC all four; grpc-web and
    /// Connect over HTTP/1.1 or fetch, unary and server-streaming ones only.
    pub fn carries(self, kind: Kind) -> bool {
        self == Protocol::Grpc || matches!(kind, Kind::Unary | Kind::ServerStreaming)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The four kinds of method, by which sides stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unary,
    ServerStreaming,
    ClientStreaming,
    Bidi,
}

impl Kind {
    pub fn of(method: &MethodDescriptor) -> Kind {
        match (method.is_client_streaming(), method.is_server_streaming()) {
            (false, false) => Kind::Unary,
            (false, true) => Kind::ServerStreaming,
            (true, false) => Kind::ClientStreaming,
            (true, true) => Kind::Bidi,
        }
    }

    /// `unary`, `server streaming`, `client streaming`, `bidirectional streaming`.
    pub fn words(self) -> &'static str {
        match self {
            Kind::Unary => "unary",
            Kind::ServerStreaming => "server streaming",
            Kind::ClientStreaming => "client streaming",
            Kind::Bidi => "bidirectional streaming",
        }
    }

    /// True when the client sends a stream of messages.
    pub fn client_streams(self) -> bool {
        matches!(self, Kind::ClientStreaming | Kind::Bidi)
    }
}

/// Why a call cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("no method '{0}' in the schema{1}")]
    UnknownMethod(String, String),
    #[error("'{name}' is ambiguous: {}", candidates.join(", "))]
    AmbiguousMethod { name: String, candidates: Vec<String> },
    #[error("{protocol} cannot carry {method}: it is {} (use --protocol grpc)", kind.words())]
    NotCarried { protocol: Protocol, method: String, kind: Kind },
    #[error("{method} takes exactly one request, got {count}")]
    RequestCount { method: String, count: usize },
    #[error("'{0}' is not an http:// or https:// URL")]
    BadUrl(String),
    #[error("request {index}: {message}")]
    BadRequest { index: usize, message: String },
    #[error("a GET is a Connect call (connect, connect-json), not {0}")]
    GetNeedsConnect(Protocol),
    #[error(
        "{0} cannot be a GET: the Connect protocol allows it only for a unary method marked `option idempotency_level = NO_SIDE_EFFECTS`"
    )]
    NotGettable(String),
}

/// Every method of every service in `pool`, as `package.Service/Method`, sorted.
pub fn methods(pool: &DescriptorPool) -> Vec<String> {
    let mut out: Vec<String> =
        pool.services().flat_map(|s| s.methods().map(|m| full_name(&m)).collect::<Vec<_>>()).collect();
    out.sort();
    out
}

/// `package.Service/Method`.
pub fn full_name(method: &MethodDescriptor) -> String {
    format!("{}/{}", method.parent_service().full_name(), method.name())
}

/// The HTTP path of a method: `/package.Service/Method`.
pub fn path(method: &MethodDescriptor) -> String {
    format!("/{}", full_name(method))
}

/// The method `name` means: `package.Service/Method` (or `package.Service.Method`),
/// `Service/Method`, or a method name unique in the schema (`GetUser`). A name that matches
/// nothing exactly is tried again ignoring case, so `getuser` finds `GetUser` when only one does.
pub fn find_method(pool: &DescriptorPool, name: &str) -> Result<MethodDescriptor, CallError> {
    let name = name.trim().trim_start_matches('/');
    let all: Vec<MethodDescriptor> = pool.services().flat_map(|s| s.methods().collect::<Vec<_>>()).collect();
    let matches = |ignore_case: bool| -> Vec<MethodDescriptor> {
        let eq = |a: &str, b: &str| if ignore_case { a.eq_ignore_ascii_case(b) } else { a == b };
        all.iter()
            .filter(|m| {
                let service = m.parent_service();
                let (full, short) = (service.full_name(), service.name());
                match name.rsplit_once('/') {
                    Some((s, method)) => eq(method, m.name()) && (eq(s, full) || eq(s, short)),
                    None => {
                        eq(name, m.name())
                            || name.rsplit_once('.').is_some_and(|(s, method)| eq(s, full) && eq(method, m.name()))
                    }
                }
            })
            .cloned()
            .collect()
    };
    let mut found = matches(false);
    if found.is_empty() {
        found = matches(true);
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => {
            let known = methods(pool);
            let hint = if known.is_empty() {
                " (it has no services)".to_owned()
            } else if known.len() <= 12 {
                format!(": it has {}", known.join(", "))
            } else {
                format!(": it has {} methods, {} …", known.len(), known[..12].join(", "))
            };
            Err(CallError::UnknownMethod(name.to_owned(), hint))
        }
        _ => {
            Err(CallError::AmbiguousMethod { name: name.to_owned(), candidates: found.iter().map(full_name).collect() })
        }
    }
}

/// An HTTP request to send: `method` (POST; GET for a Connect GET, with no body) `url` with
/// `headers` and `body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What to call and how: everything [`request`] needs beside the messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target<'a> {
    pub protocol: Protocol,
    /// The server's base URL (`http://127.0.0.1:8080`, a path prefix allowed).
    pub base_url: &'a str,
    /// Request metadata, `authorization` included, as `(name, value)`.
    pub metadata: &'a [(String, String)],
    pub deadline_ms: Option<u32>,
    /// Compress the request's messages with this, and ask the server to compress its answer so
    /// (`grpc-encoding` and `grpc-accept-encoding`; Connect's `connect-content-encoding` and
    /// `connect-accept-encoding`, or for a unary call `content-encoding` and `accept-encoding`).
    pub compression: Option<compression::Algorithm>,
    /// Connect only: send the call as a GET, its message in the URL's query (what Connect
    /// clients do with `useHttpGet` / `WithHTTPGet`), for a unary method marked
    /// `NO_SIDE_EFFECTS`; any other is a [`CallError::NotGettable`].
    pub get: bool,
}

/// True when `method` is marked `option idempotency_level = NO_SIDE_EFFECTS`: the methods
/// Connect may call with a GET.
pub fn no_side_effects(method: &MethodDescriptor) -> bool {
    // google.protobuf.MethodOptions.IdempotencyLevel: NO_SIDE_EFFECTS = 1.
    method.options().get_field_by_name("idempotency_level").is_some_and(|v| v.as_enum_number() == Some(1))
}

/// The HTTP request of a call of `method` with `messages` (one for unary and server-streaming
/// methods). Native gRPC's request is given too (HTTP/2 only, `te: trailers`), for display.
pub fn request(
    target: &Target<'_>,
    method: &MethodDescriptor,
    messages: &[DynamicMessage],
) -> Result<HttpRequest, CallError> {
    let kind = Kind::of(method);
    if !target.protocol.carries(kind) {
        return Err(CallError::NotCarried { protocol: target.protocol, method: full_name(method), kind });
    }
    if !kind.client_streams() && messages.len() != 1 {
        return Err(CallError::RequestCount { method: full_name(method), count: messages.len() });
    }
    let base = target.base_url.trim().trim_end_matches('/');
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(CallError::BadUrl(target.base_url.to_owned()));
    }
    let url = format!("{base}{}", path(method));
    if target.get {
        return get_request(target, method, &messages[0], url);
    }
    let streaming = kind != Kind::Unary;
    // A message as its frame or envelope carries it, compressed when asked (flag 0x01).
    let packed = |payload: Vec<u8>| match target.compression {
        Some(algorithm) => (grpcweb::FLAG_COMPRESSED, compression::compress(algorithm, &payload)),
        None => (0, payload),
    };
    let framed = || -> Vec<u8> {
        messages
            .iter()
            .flat_map(|m| {
                let (flags, payload) = packed(message::encode(m));
                grpcweb::frame(flags, &payload)
            })
            .collect()
    };
    let (headers, body) = match target.protocol {
        Protocol::Grpc => {
            let mut headers = vec![
                ("content-type".to_owned(), "application/grpc".to_owned()),
                ("te".to_owned(), "trailers".to_owned()),
            ];
            if let Some(ms) = target.deadline_ms {
                headers.push(("grpc-timeout".to_owned(), grpcweb::grpc_timeout(ms)));
            }
            headers.extend(target.metadata.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())));
            (headers, framed())
        }
        Protocol::GrpcWeb => {
            (grpcweb::request_headers(Encoding::Binary, target.metadata, target.deadline_ms), framed())
        }
        Protocol::GrpcWebText => (
            grpcweb::request_headers(Encoding::Text, target.metadata, target.deadline_ms),
            grpcweb::body(Encoding::Text, framed()),
        ),
        Protocol::Connect | Protocol::ConnectJson => {
            let codec = if target.protocol == Protocol::Connect { Codec::Proto } else { Codec::Json };
            let payload = |m: &DynamicMessage| -> Result<Vec<u8>, CallError> {
                match codec {
                    Codec::Proto => Ok(message::encode(m)),
                    Codec::Json => message::to_json(m, JsonStyle::CANONICAL)
                        .map(String::into_bytes)
                        .map_err(|e| CallError::BadRequest { index: 1, message: e.to_string() }),
                }
            };
            let headers = connect::request_headers(codec, streaming, target.metadata, target.deadline_ms);
            let body = if streaming {
                let mut body = Vec::new();
                for m in messages {
                    let (flags, payload) = packed(payload(m)?);
                    body.extend(connect::envelope(flags, &payload));
                }
                body
            } else {
                packed(payload(&messages[0])?).1
            };
            (headers, body)
        }
    };
    let mut headers = headers;
    if let Some(algorithm) = target.compression {
        let (content, accept) = match target.protocol {
            Protocol::Connect | Protocol::ConnectJson if streaming => {
                ("connect-content-encoding", "connect-accept-encoding")
            }
            Protocol::Connect | Protocol::ConnectJson => ("content-encoding", "accept-encoding"),
            _ => ("grpc-encoding", "grpc-accept-encoding"),
        };
        // Before the caller's metadata, after the protocol's own headers.
        let at = headers.len() - target.metadata.len();
        headers.insert(at, (content.to_owned(), algorithm.name().to_owned()));
        headers.insert(at + 1, (accept.to_owned(), algorithm.name().to_owned()));
    }
    Ok(HttpRequest { method: "POST", url, headers, body })
}

/// A Connect GET: the message in the query ([`connect::get_query`]), the deadline, the accepted
/// compression and the metadata as headers, no body (so no content type).
fn get_request(
    target: &Target<'_>,
    method: &MethodDescriptor,
    message: &DynamicMessage,
    url: String,
) -> Result<HttpRequest, CallError> {
    let codec = match target.protocol {
        Protocol::Connect => Codec::Proto,
        Protocol::ConnectJson => Codec::Json,
        other => return Err(CallError::GetNeedsConnect(other)),
    };
    if Kind::of(method) != Kind::Unary || !no_side_effects(method) {
        return Err(CallError::NotGettable(full_name(method)));
    }
    let payload = match codec {
        Codec::Proto => message::encode(message),
        Codec::Json => message::to_json(message, JsonStyle::CANONICAL)
            .map(String::into_bytes)
            .map_err(|e| CallError::BadRequest { index: 1, message: e.to_string() })?,
    };
    let mut headers = Vec::new();
    if let Some(ms) = target.deadline_ms {
        headers.push(("connect-timeout-ms".to_owned(), ms.to_string()));
    }
    if let Some(algorithm) = target.compression {
        headers.push(("accept-encoding".to_owned(), algorithm.name().to_owned()));
    }
    headers.extend(target.metadata.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())));
    let url = format!("{url}?{}", connect::get_query(codec, &payload, target.compression));
    Ok(HttpRequest { method: "GET", url, headers, body: Vec::new() })
}

/// What a browser's failed call most likely means, and what the server must allow: `fetch`
/// rejects before any answer when the server is down or unreachable, and when a cross-origin
/// server does not allow the call by CORS, and a page cannot tell which. `origin` is the page's,
/// `headers` the request's.
pub fn cors_advice(origin: &str, url: &str, headers: &[(String, String)]) -> String {
    let same_origin = url.strip_prefix(origin).is_some_and(|rest| rest.starts_with('/'));
    if same_origin {
        return format!("nothing answered at {url}: is the server running?");
    }
    let mut names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    format!(
        "the browser got no answer it may read from {url}. Either the server is not running, or it does not \
         allow this page by CORS. A server that allows it answers the preflight (OPTIONS) with \
         access-control-allow-origin: {origin} (or *), access-control-allow-methods: POST, \
         access-control-allow-headers: {}, and every answer with access-control-allow-origin and \
         access-control-expose-headers: grpc-status, grpc-message, grpc-status-details-bin (and any header \
         or trailer to read; a unary Connect answer's trailers are trailer- headers). The CLI is not bound by CORS: copy the call as a wirelens call line below.",
        names.join(", ")
    )
}

/// One message of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// 0 for the first message of the answer.
    pub index: usize,
    /// Where its payload lies in the decoded body (after base64, for grpc-web-text); when it
    /// came compressed, the compressed bytes.
    pub range: Range<usize>,
    /// Its protobuf encoding (for Connect JSON, the JSON read and encoded), inflated when it
    /// came compressed.
    pub bytes: Vec<u8>,
    pub message: DynamicMessage,
    /// Set when the payload came compressed: with what, and its size on the wire.
    pub compressed: Option<Compressed>,
}

/// How an answer ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    pub status: Status,
    /// The trailers: grpc-web's trailer frame, Connect's end-of-stream metadata or `trailer-`
    /// headers. Names in lower case.
    pub trailers: Vec<(String, String)>,
    /// The decoded body laid out in spans (frames or envelopes; a unary Connect body is one
    /// message, or the error JSON, as a single span).
    pub body: grpcweb::Body,
}

/// An answer being read. Create it when the headers are in, [`push`](Response::push) each chunk
/// of the body as it arrives (messages come back as soon as they are whole), then
/// [`finish`](Response::finish).
#[derive(Debug, Clone)]
pub struct Response {
    protocol: Protocol,
    kind: Kind,
    /// The type of the answer's messages; `None` reads the body without a schema.
    output: Option<MessageDescriptor>,
    http_status: u16,
    headers: Vec<(String, String)>,
    /// The body as received (text for grpc-web-text).
    raw: Vec<u8>,
    reader: Reader,
    frames: Vec<Frame>,
    messages: usize,
    /// The first message that would not decode: the answer's status becomes INTERNAL.
    broken: Option<String>,
    /// The compression the answer names for its messages (`grpc-encoding`,
    /// `connect-content-encoding`, or a unary Connect body's `content-encoding`).
    compression: Option<String>,
}

#[derive(Debug, Clone)]
enum Reader {
    GrpcWeb(grpcweb::Parser),
    Connect(connect::Parser),
    /// A unary Connect answer, or a body that is not the protocol's (a non-200 error page).
    Whole,
}

impl Response {
    /// The answer to a call of `method` in `protocol` began with `http_status` and `headers`.
    pub fn new(
        protocol: Protocol,
        method: &MethodDescriptor,
        http_status: u16,
        headers: Vec<(String, String)>,
    ) -> Response {
        Response::start(protocol, Kind::of(method), Some(method.output()), http_status, headers)
    }

    /// An answer read without a schema (a recorded call whose method the schema lacks): the
    /// same framing and status as [`new`](Response::new), but no message is decoded, so
    /// [`push`](Response::push) returns none and the payloads are the frames (or, for a unary
    /// Connect answer, the whole body) of [`Finished::body`]. `streaming` says whether the
    /// method's answer is a stream (Connect envelopes it; grpc-web frames either way).
    pub fn without_schema(
        protocol: Protocol,
        streaming: bool,
        http_status: u16,
        headers: Vec<(String, String)>,
    ) -> Response {
        let kind = if streaming { Kind::ServerStreaming } else { Kind::Unary };
        Response::start(protocol, kind, None, http_status, headers)
    }

    fn start(
        protocol: Protocol,
        kind: Kind,
        output: Option<MessageDescriptor>,
        http_status: u16,
        headers: Vec<(String, String)>,
    ) -> Response {
        let headers: Vec<(String, String)> = headers.into_iter().map(|(n, v)| (n.to_ascii_lowercase(), v)).collect();
        let content_type = headers.iter().find(|(n, _)| n == "content-type").map_or("", |(_, v)| v.as_str());
        let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        let compression = match protocol {
            Protocol::Grpc | Protocol::GrpcWeb | Protocol::GrpcWebText => header("grpc-encoding"),
            Protocol::Connect | Protocol::ConnectJson => {
                header("connect-content-encoding").or_else(|| header("content-encoding"))
            }
        };
        let reader = match protocol {
            _ if http_status != 200 => Reader::Whole,
            Protocol::Grpc | Protocol::GrpcWeb | Protocol::GrpcWebText => {
                let encoding = match protocol {
                    Protocol::GrpcWebText => Encoding::Text,
                    Protocol::GrpcWeb => Encoding::Binary,
                    // Native gRPC: frames as grpc-web's, with the trailers in HTTP/2 trailers.
                    _ => Encoding::Binary,
                };
                // Trust the answer's own content type over the request's.
                let encoding = grpcweb::Encoding::from_content_type(content_type).unwrap_or(encoding);
                Reader::GrpcWeb(grpcweb::Parser::new(encoding))
            }
            // Trust the answer's own content type (envelopes or not) over the method's kind.
            Protocol::Connect | Protocol::ConnectJson => {
                let streaming = connect::codec_of(content_type).map_or(kind != Kind::Unary, |(_, streaming)| streaming);
                if streaming { Reader::Connect(connect::Parser::new()) } else { Reader::Whole }
            }
        };
        Response {
            protocol,
            kind,
            output,
            http_status,
            headers,
            raw: Vec::new(),
            reader,
            frames: Vec::new(),
            messages: 0,
            broken: None,
            compression,
        }
    }

    /// The response headers, names in lower case.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// The frames (grpc-web frames, Connect envelopes) read so far, in order; a unary Connect
    /// answer has none: its body is one piece, laid out by [`finish`](Response::finish).
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// True once the body broke the protocol's framing: nothing after that point can be read,
    /// and [`finish`](Response::finish) says where it broke.
    pub fn malformed(&self) -> bool {
        match &self.reader {
            Reader::GrpcWeb(p) => p.error().is_some(),
            Reader::Connect(p) => p.error().is_some(),
            Reader::Whole => false,
        }
    }

    /// Feeds the next chunk of the body; returns the messages it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Message> {
        self.raw.extend_from_slice(chunk);
        let frames = match &mut self.reader {
            Reader::GrpcWeb(p) => p.push(chunk),
            Reader::Connect(p) => p.push(chunk),
            Reader::Whole => Vec::new(),
        };
        self.take(frames)
    }

    /// Ends the body: the messages its last bytes completed (a unary Connect answer's one
    /// message), and how the call ended.
    pub fn finish(mut self) -> (Vec<Message>, Finished) {
        let frames = match &mut self.reader {
            Reader::GrpcWeb(p) => p.finish(),
            Reader::Connect(p) => p.finish(),
            Reader::Whole => Vec::new(),
        };
        let mut messages = self.take(frames);
        let json = self.protocol == Protocol::ConnectJson;
        let (status, trailers, body) = match &self.reader {
            Reader::Whole if self.protocol == Protocol::Connect || json => {
                let (plain, compressed) = self.unary_body();
                let status = connect::unary_status(self.http_status, &plain);
                if status.is_ok() {
                    messages.extend(self.message(0..self.raw.len(), &plain, compressed));
                }
                (status, connect::unary_trailers(&self.headers), whole(&self.raw, self.http_status == 200))
            }
            Reader::Whole => {
                // A grpc-web or gRPC answer that is not 200: its headers, else its HTTP status.
                let status = grpcweb::status(None, &self.headers, Some(self.http_status));
                (status, Vec::new(), whole(&self.raw, false))
            }
            Reader::GrpcWeb(p) => {
                let trailer = self.frames.iter().find_map(|f| f.trailers.clone());
                let mut status = grpcweb::status(trailer.as_ref(), &self.headers, Some(self.http_status));
                if let Some(error) = p.error() {
                    status = Status::client(status::INTERNAL, format!("the body is malformed: {error}"));
                }
                let body = grpcweb::annotate_body(&self.raw, p.encoding());
                (status, trailer.map(|t| t.0).unwrap_or_default(), body)
            }
            Reader::Connect(p) => {
                let end = self.frames.iter().find(|f| connect::is_end(f)).map(|f| {
                    let payload = if f.is_compressed() {
                        self.inflate(f).map(|(bytes, _)| bytes).map_err(|e| e.to_string())?
                    } else {
                        f.payload.clone()
                    };
                    connect::parse_end_stream(&payload)
                });
                let end_ref = end.as_ref().map(|r| r.as_ref().map_err(String::as_str));
                let mut status = connect::stream_status(self.http_status, end_ref, &self.raw);
                if let Some(error) = p.error() {
                    status = Status::client(status::INTERNAL, format!("the body is malformed: {error}"));
                }
                let trailers = end.and_then(Result::ok).map(|e| e.metadata).unwrap_or_default();
                (status, trailers, connect::annotate_body(&self.raw))
            }
        };
        let status = match self.broken.take() {
            Some(why) if status.is_ok() => Status::client(status::INTERNAL, why),
            _ => status,
        };
        (messages, Finished { status, trailers, body })
    }

    fn take(&mut self, frames: Vec<Frame>) -> Vec<Message> {
        let mut out = Vec::new();
        for frame in frames {
            let is_end = match self.reader {
                Reader::Connect(_) => connect::is_end(&frame),
                _ => frame.is_trailers(),
            };
            if !is_end {
                if !frame.is_compressed() {
                    out.extend(self.message(frame.payload_range(), &frame.payload, None));
                } else {
                    match self.inflate(&frame) {
                        Ok((bytes, compressed)) => {
                            out.extend(self.message(frame.payload_range(), &bytes, Some(compressed)))
                        }
                        Err(e) => {
                            self.broken.get_or_insert_with(|| e.to_string());
                        }
                    }
                }
            }
            self.frames.push(frame);
        }
        out
    }

    /// A compressed frame's payload inflated with the answer's compression.
    fn inflate(&self, frame: &Frame) -> Result<(Vec<u8>, Compressed), compression::Error> {
        let name = self.compression.as_deref();
        let bytes = compression::decompress(name, &frame.payload, frame.offset, compression::MAX_INFLATED)?;
        let algorithm = compression::named(name).ok().flatten().expect("decompress read it");
        Ok((bytes, Compressed { algorithm, wire_len: frame.payload.len() }))
    }

    /// A unary Connect body as its message (or error JSON) reads: inflated when its
    /// `content-encoding` is one wirelens reads and the body is in it (fetch has already undone
    /// it, hyper has not), else as received. A body that fails to inflate reads as received, and
    /// the answer breaks with why.
    fn unary_body(&mut self) -> (Vec<u8>, Option<Compressed>) {
        let name = self.compression.as_deref();
        match compression::named(name) {
            Ok(Some(algorithm)) if algorithm.looks_compressed(&self.raw) => {
                match compression::decompress(name, &self.raw, 0, compression::MAX_INFLATED) {
                    Ok(bytes) => (bytes, Some(Compressed { algorithm, wire_len: self.raw.len() })),
                    Err(e) => {
                        self.broken.get_or_insert_with(|| e.to_string());
                        (self.raw.clone(), None)
                    }
                }
            }
            _ => (self.raw.clone(), None),
        }
    }

    /// Reads one message payload (protobuf, or JSON for Connect JSON).
    fn message(&mut self, range: Range<usize>, payload: &[u8], compressed: Option<Compressed>) -> Option<Message> {
        let index = self.messages;
        self.messages += 1;
        let output = self.output.as_ref()?;
        let name = output.full_name().to_owned();
        let read = if self.protocol == Protocol::ConnectJson {
            std::str::from_utf8(payload)
                .map_err(|e| e.to_string())
                .and_then(|text| message::parse_json(output, text).map_err(|e| e.to_string()))
        } else {
            message::decode(output, payload).map_err(|e| e.to_string())
        };
        match read {
            Ok(message) => Some(Message { index, range, bytes: message::encode(&message), message, compressed }),
            Err(why) => {
                // A body in a compression wirelens does not read (and fetch did not undo) says so.
                let unread = compression::named(self.compression.as_deref()).err().filter(|_| compressed.is_none());
                let why = match unread {
                    Some(algorithm) => format!(
                        "{why} (the answer says it is compressed with '{algorithm}', which wirelens does not read)"
                    ),
                    None => why,
                };
                self.broken.get_or_insert_with(|| format!("message {} is not a {name}: {why}", index + 1));
                None
            }
        }
    }

    /// The method's kind, as the answer is read.
    pub fn kind(&self) -> Kind {
        self.kind
    }
}

/// A body that is one piece: a unary Connect message (`ok`) or an error text.
fn whole(raw: &[u8], ok: bool) -> grpcweb::Body {
    let spans = if raw.is_empty() {
        Vec::new()
    } else if ok {
        vec![grpcweb::Span { range: 0..raw.len(), kind: grpcweb::SpanKind::Message { frame: 0, message: 0 } }]
    } else {
        vec![grpcweb::Span { range: 0..raw.len(), kind: grpcweb::SpanKind::Trailers { frame: 0 } }]
    };
    grpcweb::Body { bytes: raw.to_vec(), frames: Vec::new(), spans, error: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grpcweb::FLAG_COMPRESSED;
    use crate::input;
    use crate::schema::Schema;

    const ECHO: &str = r#"syntax = "proto3";
package demo.v1;
message Req { string text = 1; int32 n = 2; }
message Rep { string text = 1; }
service Echo {
  rpc Say(Req) returns (Rep);
  rpc Count(Req) returns (stream Rep);
  rpc Gather(stream Req) returns (Rep);
  rpc Chat(stream Req) returns (stream Rep);
}
service Other { rpc Say(Req) returns (Rep); rpc Ping(Req) returns (Rep); }
"#;

    #[test]
    fn cors_advice_names_the_origin_and_the_headers_to_allow() {
        let headers = vec![("x-grpc-web".to_owned(), "1".to_owned()), ("content-type".to_owned(), "x".to_owned())];
        let advice = cors_advice("http://page.test", "http://api.test/a.S/M", &headers);
        assert!(advice.contains("access-control-allow-origin: http://page.test (or *)"), "{advice}");
        assert!(advice.contains("access-control-allow-headers: content-type, x-grpc-web,"), "{advice}");
        // The page's own server cannot be a CORS refusal.
        assert_eq!(
            cors_advice("http://page.test", "http://page.test/a.S/M", &headers),
            "nothing answered at http://page.test/a.S/M: is the server running?"
        );
    }

    fn pool() -> DescriptorPool {
        Schema::compile(&[("echo.proto", ECHO)]).unwrap().pool().clone()
    }

    fn req(pool: &DescriptorPool, json: &str) -> DynamicMessage {
        message::parse_json(&pool.get_message_by_name("demo.v1.Req").unwrap(), json).unwrap()
    }

    #[test]
    fn method_names_of_a_table() {
        let pool = pool();
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("demo.v1.Echo/Say", Ok("demo.v1.Echo/Say")),
            ("/demo.v1.Echo/Say", Ok("demo.v1.Echo/Say")),
            ("demo.v1.Echo.Say", Ok("demo.v1.Echo/Say")),
            ("Echo/Count", Ok("demo.v1.Echo/Count")),
            ("Ping", Ok("demo.v1.Other/Ping")),
            ("ping", Ok("demo.v1.Other/Ping")),
            ("Say", Err("'Say' is ambiguous: demo.v1.Echo/Say, demo.v1.Other/Say")),
            (
                "Shout",
                Err(
                    "no method 'Shout' in the schema: it has demo.v1.Echo/Chat, demo.v1.Echo/Count, demo.v1.Echo/Gather, demo.v1.Echo/Say, demo.v1.Other/Ping, demo.v1.Other/Say",
                ),
            ),
            (
                "Nope/Say",
                Err(
                    "no method 'Nope/Say' in the schema: it has demo.v1.Echo/Chat, demo.v1.Echo/Count, demo.v1.Echo/Gather, demo.v1.Echo/Say, demo.v1.Other/Ping, demo.v1.Other/Say",
                ),
            ),
        ];
        for (name, want) in cases {
            let got = find_method(&pool, name).map(|m| full_name(&m)).map_err(|e| e.to_string());
            assert_eq!(got.as_deref().map_err(String::as_str), *want, "{name}");
        }
        let empty = Schema::compile(&[("e.proto", "syntax = \"proto3\";")]).unwrap();
        assert_eq!(
            find_method(empty.pool(), "X").unwrap_err().to_string(),
            "no method 'X' in the schema (it has no services)"
        );
    }

    fn target(protocol: Protocol) -> Target<'static> {
        static META: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
        let metadata = META.get_or_init(|| vec![("authorization".to_owned(), "Bearer t".to_owned())]);
        Target { protocol, base_url: "http://h:1/", metadata, deadline_ms: Some(200), compression: None, get: false }
    }

    /// A request as text: URL, headers, body in hex (or as text when it is text).
    fn show(r: &HttpRequest) -> String {
        let headers: Vec<String> = r.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        let body = match std::str::from_utf8(&r.body) {
            Ok(text) if text.chars().all(|c| c.is_ascii_graphic()) => text.to_owned(),
            _ => input::to_hex(&r.body),
        };
        format!("{}\n  {}\n  {body}\n", r.url, headers.join("\n  "))
    }

    #[test]
    fn requests_in_every_protocol() {
        let pool = pool();
        let say = find_method(&pool, "Echo/Say").unwrap();
        let count = find_method(&pool, "Count").unwrap();
        let one = [req(&pool, r#"{"text":"hi"}"#)];
        let mut out = String::new();
        for protocol in Protocol::ALL {
            out.push_str(&show(&request(&target(protocol), &say, &one).unwrap()));
        }
        out.push_str(&show(&request(&target(Protocol::Connect), &count, &one).unwrap()));
        out.push_str(&show(&request(&target(Protocol::ConnectJson), &count, &one).unwrap()));
        expect_test::expect![[r#"
            http://h:1/demo.v1.Echo/Say
              content-type: application/grpc
              te: trailers
              grpc-timeout: 200m
              authorization: Bearer t
              00 00 00 00 04 0A 02 68 69
            http://h:1/demo.v1.Echo/Say
              content-type: application/grpc-web+proto
              accept: application/grpc-web+proto
              x-grpc-web: 1
              grpc-timeout: 200m
              authorization: Bearer t
              00 00 00 00 04 0A 02 68 69
            http://h:1/demo.v1.Echo/Say
              content-type: application/grpc-web-text
              accept: application/grpc-web-text
              x-grpc-web: 1
              grpc-timeout: 200m
              authorization: Bearer t
              AAAAAAQKAmhp
            http://h:1/demo.v1.Echo/Say
              content-type: application/proto
              connect-protocol-version: 1
              connect-timeout-ms: 200
              authorization: Bearer t
              0A 02 68 69
            http://h:1/demo.v1.Echo/Say
              content-type: application/json
              connect-protocol-version: 1
              connect-timeout-ms: 200
              authorization: Bearer t
              {"text":"hi"}
            http://h:1/demo.v1.Echo/Count
              content-type: application/connect+proto
              connect-protocol-version: 1
              connect-timeout-ms: 200
              authorization: Bearer t
              00 00 00 00 04 0A 02 68 69
            http://h:1/demo.v1.Echo/Count
              content-type: application/connect+json
              connect-protocol-version: 1
              connect-timeout-ms: 200
              authorization: Bearer t
              00 00 00 00 0D 7B 22 74 65 78 74 22 3A 22 68 69 22 7D
        "#]]
        .assert_eq(&out);
    }

    #[test]
    fn compressed_requests_carry_their_headers_and_flagged_frames() {
        let pool = pool();
        let say = find_method(&pool, "Echo/Say").unwrap();
        let count = find_method(&pool, "Count").unwrap();
        let one = [req(&pool, r#"{"text":"hi"}"#)];
        let mut out = String::new();
        for (protocol, method) in [
            (Protocol::Grpc, &say),
            (Protocol::GrpcWeb, &say),
            (Protocol::Connect, &say),
            (Protocol::Connect, &count),
            (Protocol::ConnectJson, &say),
        ] {
            let target = Target { compression: Some(Algorithm::Gzip), ..target(protocol) };
            let r = request(&target, method, &one).unwrap();
            let named: Vec<String> = r.headers[2..].iter().map(|(n, v)| format!("{n}: {v}")).collect();
            // The body read back: flagged frames (envelopes) or one gzip body, inflating to the request.
            let enveloped = protocol != Protocol::ConnectJson && (protocol != Protocol::Connect || method == &count);
            let (flags, packed) = if enveloped { (r.body[0], &r.body[5..]) } else { (0, &r.body[..]) };
            let inflated = compression::decompress(Some("gzip"), packed, 0, compression::MAX_INFLATED).unwrap();
            out += &format!(
                "{protocol} {}: flags {flags}, {:?}; {}\n",
                method.name(),
                String::from_utf8_lossy(&inflated),
                named.join(", ")
            );
        }
        expect_test::expect![[r#"
            grpc Say: flags 1, "\n\u{2}hi"; grpc-timeout: 200m, grpc-encoding: gzip, grpc-accept-encoding: gzip, authorization: Bearer t
            grpc-web Say: flags 1, "\n\u{2}hi"; x-grpc-web: 1, grpc-timeout: 200m, grpc-encoding: gzip, grpc-accept-encoding: gzip, authorization: Bearer t
            connect Say: flags 0, "\n\u{2}hi"; connect-timeout-ms: 200, content-encoding: gzip, accept-encoding: gzip, authorization: Bearer t
            connect Count: flags 1, "\n\u{2}hi"; connect-timeout-ms: 200, connect-content-encoding: gzip, connect-accept-encoding: gzip, authorization: Bearer t
            connect-json Say: flags 0, "{\"text\":\"hi\"}"; connect-timeout-ms: 200, content-encoding: gzip, accept-encoding: gzip, authorization: Bearer t
        "#]].assert_eq(&out);
    }

    #[test]
    fn requests_that_cannot_be_made() {
        let pool = pool();
        let chat = find_method(&pool, "Chat").unwrap();
        let say = find_method(&pool, "Echo/Say").unwrap();
        let one = [req(&pool, "{}")];
        let err = |t: Target<'_>, m: &MethodDescriptor, msgs: &[DynamicMessage]| {
            request(&t, m, msgs).unwrap_err().to_string()
        };
        assert_eq!(
            err(target(Protocol::GrpcWeb), &chat, &one),
            "grpc-web cannot carry demo.v1.Echo/Chat: it is bidirectional streaming (use --protocol grpc)"
        );
        assert_eq!(err(target(Protocol::Connect), &say, &[]), "demo.v1.Echo/Say takes exactly one request, got 0");
        assert_eq!(
            err(Target { base_url: "h:1", ..target(Protocol::Grpc) }, &say, &one),
            "'h:1' is not an http:// or https:// URL"
        );
        assert!(request(&target(Protocol::Grpc), &chat, &[]).is_ok(), "a client stream may be empty");
    }

    /// Feeds `body` one byte at a time; the messages as JSON and the status, trailers, spans.
    fn read(protocol: Protocol, method: &str, http: u16, headers: &[(&str, &str)], body: &[u8]) -> String {
        let pool = pool();
        let method = find_method(&pool, method).unwrap();
        let headers = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        let mut response = Response::new(protocol, &method, http, headers);
        let mut messages = Vec::new();
        for (i, byte) in body.iter().enumerate() {
            for m in response.push(&[*byte]) {
                messages.push(format!(
                    "{} at {:?} (whole after byte {i})",
                    message::to_json(&m.message, JsonStyle::CANONICAL).unwrap(),
                    m.range
                ));
            }
        }
        let (last, finished) = response.finish();
        for m in last {
            messages.push(format!(
                "{} at {:?} (at the end)",
                message::to_json(&m.message, JsonStyle::CANONICAL).unwrap(),
                m.range
            ));
        }
        let s = &finished.status;
        let spans: Vec<&str> = finished.body.spans.iter().map(|s| s.kind.class()).collect();
        format!(
            "{}{} via {:?}: {:?}, {} details; trailers {:?}; spans {}\n",
            messages.iter().map(|m| format!("{m}\n")).collect::<String>(),
            status::name(s.code),
            s.source,
            s.message,
            s.details.len(),
            finished.trailers,
            spans.join(" ")
        )
    }

    #[test]
    fn compressed_answers() {
        use crate::compression::{Algorithm, compress};
        let rep = |text: &str| [&[0x0a, text.len() as u8][..], text.as_bytes()].concat();
        let gz = |text: &str| compress(Algorithm::Gzip, &rep(text));
        let web = [
            grpcweb::frame(FLAG_COMPRESSED, &gz("a")),
            grpcweb::frame(0, &rep("b")),
            grpcweb::frame(0x80, b"grpc-status: 0\r\n"),
        ]
        .concat();
        let zlib = [
            connect::envelope(FLAG_COMPRESSED, &compress(Algorithm::Deflate, &rep("z"))),
            connect::envelope(connect::FLAG_END_STREAM | FLAG_COMPRESSED, &compress(Algorithm::Deflate, b"{}")),
        ]
        .concat();
        let h = |pairs: &[(&'static str, &'static str)]| pairs.to_vec();
        let web_ct = ("content-type", "application/grpc-web+proto");
        let mut out = String::new();
        let mut sizes = String::new();
        let mut look = |protocol, method, headers: Vec<(&str, &str)>, body: &[u8]| {
            out += &read(protocol, method, 200, &headers, body);
            let pool = pool();
            let method = find_method(&pool, method).unwrap();
            let headers = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
            let mut response = Response::new(protocol, &method, 200, headers);
            let mut messages = response.push(body);
            messages.extend(response.finish().0);
            for m in messages {
                let c = m.compressed.map(|c| format!("{} {} bytes", c.algorithm.name(), c.wire_len));
                sizes += &format!(
                    "{:?}: {} bytes at {:?}, {c:?}\n",
                    m.message.get_field_by_name("text").unwrap(),
                    m.bytes.len(),
                    m.range
                );
            }
        };
        look(Protocol::GrpcWeb, "Count", h(&[web_ct, ("grpc-encoding", "gzip")]), &web);
        look(Protocol::GrpcWeb, "Count", h(&[web_ct, ("grpc-encoding", "br")]), &web);
        look(Protocol::GrpcWeb, "Count", h(&[web_ct]), &web);
        look(
            Protocol::Connect,
            "Count",
            h(&[("content-type", "application/connect+proto"), ("connect-content-encoding", "deflate")]),
            &zlib,
        );
        // Unary Connect: the body in gzip (hyper), or already undone (fetch) under the same header.
        let unary = h(&[("content-type", "application/proto"), ("content-encoding", "gzip")]);
        look(Protocol::Connect, "Echo/Say", unary.clone(), &gz("u"));
        look(Protocol::Connect, "Echo/Say", unary, &rep("u"));
        look(
            Protocol::Connect,
            "Echo/Say",
            h(&[("content-type", "application/proto"), ("content-encoding", "zstd")]),
            &[0x28, 0xb5, 0x2f, 0xfd, 0x00],
        );
        let mut bomb = grpcweb::frame(FLAG_COMPRESSED, &compress(Algorithm::Gzip, &vec![0; 8 << 20]));
        bomb.extend(grpcweb::frame(0x80, b"grpc-status: 0\r\n"));
        look(Protocol::GrpcWeb, "Count", h(&[web_ct, ("grpc-encoding", "gzip")]), &bomb);
        expect_test::expect![[r#"
            {"text":"a"} at 5..28 (whole after byte 27)
            {"text":"b"} at 33..36 (whole after byte 35)
            OK via Trailers: "", 0 details; trailers [("grpc-status", "0")]; spans tag len bytes tag len bytes tag len string
            {"text":"b"} at 33..36 (whole after byte 35)
            INTERNAL via Client: "the message at byte 0 is compressed with 'br', which wirelens does not read (it reads gzip and deflate)", 0 details; trailers [("grpc-status", "0")]; spans tag len bytes tag len bytes tag len string
            {"text":"b"} at 33..36 (whole after byte 35)
            INTERNAL via Client: "the message at byte 0 is flagged compressed, but no header names its compression", 0 details; trailers [("grpc-status", "0")]; spans tag len bytes tag len bytes tag len string
            {"text":"z"} at 5..16 (whole after byte 15)
            OK via EndOfStream: "", 0 details; trailers []; spans tag len bytes tag len string
            {"text":"u"} at 0..23 (at the end)
            OK via HttpOk: "", 0 details; trailers []; spans bytes
            {"text":"u"} at 0..3 (at the end)
            OK via HttpOk: "", 0 details; trailers []; spans bytes
            INTERNAL via Client: "message 1 is not a demo.v1.Rep: cannot decode at byte 5: a 32-bit value needs 4 bytes, only 0 bytes are left (the answer says it is compressed with 'zstd', which wirelens does not read)", 0 details; trailers []; spans bytes
            INTERNAL via Client: "the message at byte 0 inflates (gzip) past 4194304 bytes, the most wirelens reads of one message", 0 details; trailers [("grpc-status", "0")]; spans tag len bytes tag len string
        "#]].assert_eq(&out);
        expect_test::expect![[r#"
            String("a"): 3 bytes at 5..28, Some("gzip 23 bytes")
            String("b"): 3 bytes at 33..36, None
            String("b"): 3 bytes at 33..36, None
            String("b"): 3 bytes at 33..36, None
            String("z"): 3 bytes at 5..16, Some("deflate 11 bytes")
            String("u"): 3 bytes at 0..23, Some("gzip 23 bytes")
            String("u"): 3 bytes at 0..3, None
        "#]]
        .assert_eq(&sizes);
    }

    #[test]
    fn answers_in_every_protocol() {
        let rep = |text: &str| [&[0x0a, text.len() as u8][..], text.as_bytes()].concat();
        let web = [
            grpcweb::frame(0, &rep("a")),
            grpcweb::frame(0, &rep("b")),
            grpcweb::frame(0x80, b"grpc-status: 0\r\nx-n: 2\r\n"),
        ]
        .concat();
        let web_failed = grpcweb::frame(0x80, b"grpc-status: 5\r\ngrpc-message: no%20one\r\n");
        let stream = [
            connect::envelope(0, &rep("a")),
            connect::envelope(
                connect::FLAG_END_STREAM,
                br#"{"error":{"code":"not_found","message":"no more"},"metadata":{"x-n":["1"]}}"#,
            ),
        ]
        .concat();
        let json_stream =
            [connect::envelope(0, br#"{"text":"j"}"#), connect::envelope(connect::FLAG_END_STREAM, b"{}")].concat();
        let ct = |v| [("content-type", v)];
        let mut out = String::new();
        out += &read(Protocol::GrpcWeb, "Count", 200, &ct("application/grpc-web+proto"), &web);
        out += &read(
            Protocol::GrpcWebText,
            "Count",
            200,
            &ct("application/grpc-web-text"),
            input::to_base64(&web).as_bytes(),
        );
        out += &read(Protocol::GrpcWeb, "Echo/Say", 200, &ct("application/grpc-web+proto"), &web_failed);
        out += &read(Protocol::GrpcWeb, "Echo/Say", 200, &[("grpc-status", "16"), ("grpc-message", "who")], b"");
        out += &read(Protocol::GrpcWeb, "Echo/Say", 404, &ct("text/html"), b"<h1>404</h1>");
        out += &read(
            Protocol::GrpcWeb,
            "Echo/Say",
            200,
            &ct("application/grpc-web"),
            &grpcweb::frame(0, &rep("cut"))[..6],
        );
        out += &read(
            Protocol::Connect,
            "Echo/Say",
            200,
            &[("content-type", "application/proto"), ("trailer-x-n", "3")],
            &rep("u"),
        );
        out += &read(Protocol::ConnectJson, "Echo/Say", 200, &ct("application/json"), br#"{"text":"u"}"#);
        out += &read(Protocol::ConnectJson, "Echo/Say", 200, &ct("application/json"), br#"{"nope":1}"#);
        out += &read(
            Protocol::Connect,
            "Echo/Say",
            404,
            &ct("application/json"),
            br#"{"code":"not_found","message":"no one"}"#,
        );
        out += &read(Protocol::Connect, "Count", 200, &ct("application/connect+proto"), &stream);
        out += &read(Protocol::ConnectJson, "Count", 200, &ct("application/connect+json"), &json_stream);
        out +=
            &read(Protocol::Connect, "Count", 200, &ct("application/connect+proto"), &connect::envelope(0, &rep("a")));
        expect_test::expect![[r#"
            {"text":"a"} at 5..8 (whole after byte 7)
            {"text":"b"} at 13..16 (whole after byte 15)
            OK via Trailers: "", 0 details; trailers [("grpc-status", "0"), ("x-n", "2")]; spans tag len bytes tag len bytes tag len string
            {"text":"a"} at 5..8 (whole after byte 11)
            {"text":"b"} at 13..16 (whole after byte 23)
            OK via Trailers: "", 0 details; trailers [("grpc-status", "0"), ("x-n", "2")]; spans tag len bytes tag len bytes tag len string
            NOT_FOUND via Trailers: "no one", 0 details; trailers [("grpc-status", "5"), ("grpc-message", "no%20one")]; spans tag len string
            UNAUTHENTICATED via Headers: "who", 0 details; trailers []; spans 
            UNIMPLEMENTED via HttpStatus: "HTTP 404 without a grpc-status", 0 details; trailers []; spans string
            INTERNAL via Client: "the body is malformed: frame at byte 0 says its payload is 5 bytes, but the body ends after 1", 0 details; trailers []; spans invalid
            {"text":"u"} at 0..3 (at the end)
            OK via HttpOk: "", 0 details; trailers [("x-n", "3")]; spans bytes
            {"text":"u"} at 0..12 (at the end)
            OK via HttpOk: "", 0 details; trailers []; spans bytes
            INTERNAL via Client: "message 1 is not a demo.v1.Rep: invalid JSON at line 1, column 7: unrecognized field name 'nope'", 0 details; trailers []; spans bytes
            NOT_FOUND via ErrorBody: "no one", 0 details; trailers []; spans string
            {"text":"a"} at 5..8 (whole after byte 7)
            NOT_FOUND via EndOfStream: "no more", 0 details; trailers [("x-n", "1")]; spans tag len bytes tag len string
            {"text":"j"} at 5..17 (whole after byte 16)
            OK via EndOfStream: "", 0 details; trailers []; spans tag len bytes tag len string
            {"text":"a"} at 5..8 (whole after byte 7)
            INTERNAL via Client: "the stream ended without an end-of-stream message", 0 details; trailers []; spans tag len bytes
        "#]]
        .assert_eq(&out);
    }
}
