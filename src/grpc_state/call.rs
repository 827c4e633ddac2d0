//! A call made and what came back: the network's [`CallEvent`]s fill a [`CallView`]; its status
//! is decided here (trailer frame, else headers, else HTTP status); a malformed body is laid out
//! byte by byte; the typed client's result is checked against the frames.

use std::rc::Rc;

use wirelens_core::grpcweb::{self, Encoding, Frame, Trailers};
use wirelens_core::status::{self, Source};

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
    /// Frames completed by the latest chunk, at this time (ms since the call started).
    Frames { frames: Vec<Frame>, at_ms: f64 },
    /// The body ended cleanly.
    Finished { at_ms: f64 },
    /// The call failed before a gRPC status arrived: a status code and the reason.
    Failed { code: u32, reason: String, at_ms: f64 },
    /// The body broke the framing: everything received, as it came, in the encoding it came in.
    Malformed { body: Vec<u8>, encoding: Encoding, at_ms: f64 },
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

/// The outcome of a call, however it came.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub code: u32,
    pub message: String,
    /// Where the status came from: the trailer frame, the response headers, or the client.
    pub source: Source,
}

/// A call made, and what has come back so far.
#[derive(Debug, Clone, PartialEq)]
pub struct CallView {
    pub id: u32,
    pub method: Method,
    pub encoding: Encoding,
    /// The request's frame (decoded), as sent.
    pub request: Vec<u8>,
    pub http_status: Option<u16>,
    pub headers: Vec<(String, String)>,
    /// The response frames, each with the time it completed.
    pub frames: Vec<(Frame, f64)>,
    pub outcome: Option<Outcome>,
    pub elapsed_ms: Option<f64>,
    /// A body that broke the framing, laid out by core: frames, then the invalid rest.
    pub garbled: Option<Rc<grpcweb::Body>>,
    /// The typed client's result, once it has one.
    pub client: Option<ClientView>,
    /// A grpc-web-text body as received, base64 and all (the first [`MAX_TEXT_KEPT`] bytes).
    pub text: Vec<u8>,
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
    /// The token of the next page, when a finished ListUsers call named one.
    pub fn next_page_token(&self) -> Option<&str> {
        if self.method != Method::ListUsers || self.outcome.as_ref().is_none_or(|o| o.code != status::OK) {
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

    pub fn trailers(&self) -> Option<&Trailers> {
        self.frames.iter().find_map(|(f, _)| f.trailers.as_ref())
    }

    pub fn messages(&self) -> impl Iterator<Item = &(Frame, f64)> {
        self.frames.iter().filter(|(f, _)| !f.is_trailers())
    }

    /// One row per frame, in arrival order: when it completed, the gap since the one before
    /// (or since the call started), its size with the header, and the bytes received so far.
    pub fn timeline(&self) -> Vec<TimelineRow> {
        let mut previous = 0.0;
        let mut cumulative = 0;
        self.frames
            .iter()
            .map(|(frame, at_ms)| {
                let size = frame.payload.len() + grpcweb::HEADER_LEN;
                cumulative += size;
                let row = TimelineRow {
                    trailers: frame.is_trailers(),
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

/// The status of a finished call, as core decides it: the trailer frame's, else the headers' (a
/// trailers-only response), else what the HTTP status stands for, else INTERNAL.
pub(super) fn outcome(call: &CallView) -> Outcome {
    let status = grpcweb::status(call.trailers(), &call.headers, call.http_status);
    Outcome { code: status.code, message: status.message, source: status.source }
}
