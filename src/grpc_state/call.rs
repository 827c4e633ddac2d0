//! A call made and what came back: the network's [`CallEvent`]s fill a [`CallView`]. The answer
//! is read by core's `call::Response` through a [`Reading`] (which `rpc.rs` feeds with what
//! fetch gives, and the tests with bytes), so the status is core's decision in every protocol; a
//! malformed body is laid out byte by byte; the typed client's result is checked against the
//! frames.

use std::rc::Rc;

use wirelens_core::call::{self, Protocol};
use wirelens_core::commands::CallLine;
use wirelens_core::connect;
use wirelens_core::grpcweb::{self, Encoding, Frame};
use wirelens_core::prost_reflect::MethodDescriptor;
use wirelens_core::status::{self, Source, Status};

use super::form::Method;

/// The response header in which ListUsers names the token of the next page (empty on the last):
/// the service's contract, defined in wirelens-api.
pub use wirelens_api::contract::NEXT_PAGE_HEADER;
/// The most bytes of a malformed body drawn cell by cell.
pub const MAX_GARBLED_CELLS: usize = 4096;

/// What the network reports about a call.
#[derive(Debug, Clone, PartialEq)]
pub enum CallEvent {
    /// The response started: HTTP status and headers (names in lower case).
    Headers { http_status: u16, headers: Vec<(String, String)> },
    /// A grpc-web-text chunk as it came, before its base64 is decoded.
    Text(Vec<u8>),
    /// Frames (Connect: envelopes) completed by the latest chunk, at this time (ms since the
    /// call started).
    Frames { frames: Vec<Frame>, at_ms: f64 },
    /// The answer ended, read to its end or up to where its framing broke: core's status, the
    /// trailers, and the decoded body laid out in spans.
    Ended { status: Status, trailers: Vec<(String, String)>, body: Rc<grpcweb::Body>, malformed: bool, at_ms: f64 },
    /// The call failed before an answer could be read: a status code and the reason.
    Failed { code: u32, reason: String, at_ms: f64 },
    /// What the typed client made of the same call.
    Client(ClientView),
}

/// The same call made by tonic's generated client over tonic-web-wasm-client: what a Rust
/// program calling the server from a browser would get.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientView {
    /// tonic's status, its error details (`grpc-status-details-bin`, decoded by tonic-types), and
    /// each response; details and responses as their Rust types print (`{:#?}`).
    Done { code: u32, message: String, details: Vec<String>, responses: Vec<String> },
    /// The typed call was not made: why.
    NotMade(String),
    /// Cancel stopped it: its future was dropped, which aborts its fetch.
    Cancelled,
}

/// How the typed client's result compares with the frames' reading.
#[derive(Debug, Clone, PartialEq)]
pub enum Agreement {
    /// Same status, same number of messages.
    Agrees,
    /// What differs, in words.
    Differs(String),
}

/// A call made, and what has come back so far.
#[derive(Debug, Clone, PartialEq)]
pub struct CallView {
    pub id: u32,
    /// `package.Service/Method`.
    pub method: String,
    /// The method as the schema has it; `None` for a recorded call the schema lacks, read
    /// without one.
    pub descriptor: Option<MethodDescriptor>,
    /// The answer is a stream (a server-streaming method, or a recorded Connect stream).
    pub streaming: bool,
    /// For a call read from a HAR file rather than made: where it was recorded, and what the
    /// file lost of it.
    pub recorded: Option<Recorded>,
    /// The reference method this is, when it is one.
    pub reference: Option<Method>,
    pub protocol: Protocol,
    /// The request body as it went, base64 undone.
    pub request: Vec<u8>,
    pub http_status: Option<u16>,
    pub headers: Vec<(String, String)>,
    /// The response frames (Connect: envelopes), each with the time it completed. A unary
    /// Connect answer, which has no envelope, is one frame of flags 0 from its end.
    pub frames: Vec<(Frame, f64)>,
    pub outcome: Option<Status>,
    /// The trailers: grpc-web's trailer frame, Connect's end-of-stream metadata or `trailer-`
    /// headers.
    pub trailers: Vec<(String, String)>,
    /// A unary Connect error body (JSON), as it came.
    pub error_body: Option<String>,
    pub elapsed_ms: Option<f64>,
    /// A body that broke the framing, laid out by core: frames, then the invalid rest.
    pub garbled: Option<Rc<grpcweb::Body>>,
    /// The typed client's result, once it has one.
    pub client: Option<ClientView>,
    /// A grpc-web-text body as received, base64 and all (the first [`MAX_TEXT_KEPT`] bytes).
    pub text: Vec<u8>,
    /// The call as command lines would make it.
    pub line: CallLine,
}

/// Where a call read from a HAR file was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The HAR file's name and the entry's index in it.
    pub file: String,
    pub entry: usize,
    /// `startedDateTime`, as written.
    pub started: String,
    /// What the file lost of the bodies (a binary body kept as text, a body left out).
    pub problems: Vec<String>,
}

/// The most characters of a grpc-web-text body kept to show its base64 layer.
pub const MAX_TEXT_KEPT: usize = 64 << 10;

/// One byte of a malformed body as drawn: where it is, its value, its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub offset: usize,
    pub byte: u8,
    /// The span's class (`tag`, `len`, `bytes`, `string`, `invalid`).
    pub class: &'static str,
    /// True for the first byte of its span.
    pub start: bool,
}

/// The first [`MAX_GARBLED_CELLS`] bytes of `body` as cells in rows of `width`.
pub fn garbled_rows(body: &grpcweb::Body, width: usize) -> Vec<Vec<Cell>> {
    let cells: Vec<Cell> = body
        .spans
        .iter()
        .flat_map(|span| {
            span.range.clone().filter_map(move |offset| {
                Some(Cell {
                    offset,
                    byte: *body.bytes.get(offset)?,
                    class: span.kind.class(),
                    start: offset == span.range.start,
                })
            })
        })
        .take(MAX_GARBLED_CELLS)
        .collect();
    cells.chunks(width.max(1)).map(<[Cell]>::to_vec).collect()
}

impl CallView {
    /// A call begun (or a recorded one about to be read): nothing back yet.
    pub fn new(
        id: u32,
        method: String,
        descriptor: Option<MethodDescriptor>,
        streaming: bool,
        protocol: Protocol,
        request: Vec<u8>,
        line: CallLine,
    ) -> CallView {
        CallView {
            id,
            reference: Method::of(&method),
            method,
            descriptor,
            streaming,
            recorded: None,
            protocol,
            request,
            http_status: None,
            headers: Vec::new(),
            frames: Vec::new(),
            outcome: None,
            trailers: Vec::new(),
            error_body: None,
            elapsed_ms: None,
            garbled: None,
            client: None,
            text: Vec::new(),
            line,
        }
    }

    /// The token of the next page, when a finished ListUsers call named one.
    pub fn next_page_token(&self) -> Option<&str> {
        if self.reference != Some(Method::ListUsers) || self.outcome.as_ref().is_none_or(|o| o.code != status::OK) {
            return None;
        }
        self.headers.iter().find(|(n, _)| n == NEXT_PAGE_HEADER).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    /// Whether the typed client read the call as the frames did; `None` until both have ended,
    /// when the typed call was not made or was cancelled, and when no status came from the server
    /// (a failed fetch, a cancel, a broken body: each side then names the failure its own way).
    pub fn agreement(&self) -> Option<Agreement> {
        let (Some(outcome), Some(ClientView::Done { code, responses, .. })) = (&self.outcome, &self.client) else {
            return None;
        };
        if outcome.source == Source::Client {
            return None;
        }
        let messages = self.messages().count();
        Some(if *code != outcome.code {
            Agreement::Differs(format!(
                "the client says {}, the frames {}",
                status::name(*code),
                status::name(outcome.code)
            ))
        } else if responses.len() != messages {
            let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
            Agreement::Differs(format!(
                "the client has {}, the body {}",
                plural(responses.len(), "response"),
                plural(messages, "message")
            ))
        } else {
            Agreement::Agrees
        })
    }

    /// True for the frame that ends the answer: grpc-web's trailer frame, Connect's
    /// end-of-stream envelope.
    pub fn is_end(&self, frame: &Frame) -> bool {
        match self.protocol {
            Protocol::Connect | Protocol::ConnectJson => connect::is_end(frame),
            _ => frame.is_trailers(),
        }
    }

    /// The compression the answer names for its messages (`grpc-encoding`, Connect's
    /// `connect-content-encoding`).
    pub fn encoding(&self) -> Option<String> {
        let name = match self.protocol {
            Protocol::Connect | Protocol::ConnectJson => "connect-content-encoding",
            _ => "grpc-encoding",
        };
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    /// False for a unary Connect answer: its body is the message itself, with no frame header.
    pub fn enveloped(&self) -> bool {
        !matches!(self.protocol, Protocol::Connect | Protocol::ConnectJson) || self.streaming
    }

    pub fn messages(&self) -> impl Iterator<Item = &(Frame, f64)> {
        self.frames.iter().filter(|(f, _)| !self.is_end(f))
    }

    /// One row per frame, in arrival order: when it completed, the gap since the one before
    /// (or since the call started), its size with the header, and the bytes received so far.
    pub fn timeline(&self) -> Vec<TimelineRow> {
        let mut previous = 0.0;
        let mut cumulative = 0;
        let header = if self.enveloped() { grpcweb::HEADER_LEN } else { 0 };
        self.frames
            .iter()
            .map(|(frame, at_ms)| {
                let size = frame.payload.len() + header;
                cumulative += size;
                let row = TimelineRow {
                    trailers: self.is_end(frame),
                    at_ms: *at_ms,
                    gap_ms: at_ms - previous,
                    size,
                    cumulative,
                };
                previous = *at_ms;
                row
            })
            .collect()
    }
}

/// A frame's place in the stream's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    pub trailers: bool,
    /// Milliseconds since the call started.
    pub at_ms: f64,
    /// Milliseconds since the previous frame (the first: since the call started).
    pub gap_ms: f64,
    /// Bytes of the frame, header included.
    pub size: usize,
    /// Bytes of frames received up to and including this one.
    pub cumulative: usize,
}

/// An answer being read: core's `call::Response`, and the events each chunk of the body makes.
/// `rpc.rs` feeds it what fetch gives; the tests feed it bytes.
pub struct Reading {
    response: call::Response,
    /// A grpc-web-text answer: its chunks are reported as they came too, for the base64 view.
    text: bool,
}

impl Reading {
    /// The answer to a call of `method` in `protocol` began with `http_status` and `headers`;
    /// without a method, the answer is read without a schema (`streaming` says whether it is a
    /// stream).
    pub fn new(
        protocol: Protocol,
        method: Option<&MethodDescriptor>,
        streaming: bool,
        http_status: u16,
        headers: Vec<(String, String)>,
    ) -> (Reading, CallEvent) {
        let response = match method {
            Some(method) => call::Response::new(protocol, method, http_status, headers),
            None => call::Response::without_schema(protocol, streaming, http_status, headers),
        };
        let content_type = response.headers().iter().find(|(n, _)| n == "content-type").map(|(_, v)| v.as_str());
        let text = content_type.and_then(Encoding::from_content_type) == Some(Encoding::Text)
            || (protocol == Protocol::GrpcWebText && content_type.is_none());
        let event = CallEvent::Headers { http_status, headers: response.headers().to_vec() };
        (Reading { response, text }, event)
    }

    /// The next chunk of the body: its text (grpc-web-text), then the frames it completed.
    pub fn chunk(&mut self, bytes: &[u8], at_ms: f64) -> Vec<CallEvent> {
        let mut events = Vec::new();
        if self.text {
            events.push(CallEvent::Text(bytes.to_vec()));
        }
        let before = self.response.frames().len();
        self.response.push(bytes);
        let frames = self.response.frames()[before..].to_vec();
        if !frames.is_empty() {
            events.push(CallEvent::Frames { frames, at_ms });
        }
        events
    }

    /// True once the body broke its framing: stop reading.
    pub fn malformed(&self) -> bool {
        self.response.malformed()
    }

    /// The body ended (or broke): the frames its end completed, and how the call ended.
    pub fn end(self, at_ms: f64) -> Vec<CallEvent> {
        let malformed = self.response.malformed();
        let before = self.response.frames().len();
        let (_, finished) = self.response.finish();
        // The frames the end completed: those of the whole body past the ones already reported.
        let frames = finished.body.frames.get(before..).map(<[Frame]>::to_vec).unwrap_or_default();
        let mut events = Vec::new();
        if !frames.is_empty() {
            events.push(CallEvent::Frames { frames, at_ms });
        }
        events.push(CallEvent::Ended {
            malformed: malformed || finished.body.error.is_some(),
            status: finished.status,
            trailers: finished.trailers,
            body: Rc::new(finished.body),
            at_ms,
        });
        events
    }
}
