//! The gRPC panel's state: the call form, the call in flight and what came back. Pure, no effects.
//!
//! [`GrpcAction::Call`] checks the request JSON against the reference schema and, when it parses,
//! leaves a [`CallSpec`] (URL, headers, framed body) for `grpc_app.rs` to send through `rpc.rs`;
//! what the network reports comes back as [`CallEvent`]s tagged with the call's id, so an answer
//! to an older call is ignored. The status shown is decided here, from the response headers, the
//! trailer frame or the transport's failure; beside it, what tonic's generated client made of the
//! same call ([`ClientView`]) and whether the two agree.

use std::rc::Rc;

use wirelens_api::contract::rest_twin;
use wirelens_core::grpcweb::{self, Encoding, Frame, Trailers};
use wirelens_core::message;
use wirelens_core::prost_reflect::MessageDescriptor;
use wirelens_core::schema::Schema;
use wirelens_core::status;
use yew::Reducible;

/// The demo token, and the response header in which ListUsers names the token of the next page
/// (empty on the last): the service's contract, defined in wirelens-api.
pub use wirelens_api::contract::{DEMO_TOKEN, NEXT_PAGE_HEADER};
/// The most bytes of a malformed body drawn cell by cell.
pub const MAX_GARBLED_CELLS: usize = 4096;

/// The calls a browser can make over grpc-web: unary and server streaming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    GetUser,
    ListUsers,
}

impl Method {
    pub const ALL: [Method; 2] = [Method::GetUser, Method::ListUsers];

    pub fn name(self) -> &'static str {
        match self {
            Method::GetUser => "GetUser",
            Method::ListUsers => "ListUsers",
        }
    }

    pub fn request_type(self) -> &'static str {
        match self {
            Method::GetUser => "userservice.GetUserRequest",
            Method::ListUsers => "userservice.ListUsersRequest",
        }
    }

    pub fn response_type(self) -> &'static str {
        match self {
            Method::GetUser => "userservice.GetUserResponse",
            Method::ListUsers => "userservice.User",
        }
    }

    pub fn example_request(self) -> &'static str {
        match self {
            Method::GetUser => r#"{"userId":"42"}"#,
            Method::ListUsers => r#"{"pageSize":5}"#,
        }
    }

    /// The demo header that slows this method down: work before answering, or a delay per message.
    pub fn demo_header(self) -> &'static str {
        match self {
            Method::GetUser => "x-wirelens-work-ms",
            Method::ListUsers => "x-wirelens-delay-ms",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Everything `rpc.rs` needs to make one call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSpec {
    pub id: u32,
    pub method: Method,
    /// The server's origin (the URL without the method's path).
    pub base: String,
    pub url: String,
    pub encoding: Encoding,
    pub headers: Vec<(String, String)>,
    /// The request frame, base64'd for the text encoding.
    pub body: Vec<u8>,
    /// The request message alone, encoded (what the typed client is given).
    pub message: Vec<u8>,
    /// The client gives up after this (plus a grace period for the server's own answer).
    pub deadline_ms: Option<u32>,
}

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
    pub source: &'static str,
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
        if outcome.source == "client" {
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

#[derive(Debug, Clone, PartialEq)]
pub struct GrpcState {
    pub method: Method,
    /// The request text of each method, kept when switching between them.
    pub requests: [String; 2],
    /// The server's origin; empty means the page's own.
    pub address: String,
    pub token: String,
    /// Text of the deadline in ms; empty for none.
    pub deadline_ms: String,
    /// Text of the demo delay in ms (the method's demo header); empty for none.
    pub demo_ms: String,
    pub encoding: Encoding,
    /// Why the last Call could not be sent (bad JSON, a bad number).
    pub form_error: Option<String>,
    /// The call `grpc_app.rs` is to send: set by `Call`; its effect sends each new one.
    pub pending: Option<CallSpec>,
    pub call: Option<CallView>,
    /// Text of how many calls of each kind the gRPC-vs-REST comparison makes.
    pub compare_n: String,
    /// The comparison `grpc_app.rs` is to run (set by `Compare`), and what it has measured.
    pub compare: Option<Comparison>,
    next_id: u32,
    schema: Option<Rc<Schema>>,
}

pub enum GrpcAction {
    SetMethod(Method),
    EditRequest(String),
    SetAddress(String),
    SetToken(String),
    SetDeadline(String),
    SetDemoDelay(String),
    SetEncoding(Encoding),
    /// Send the request as the form says; `origin` is the page's, used when the address is empty.
    Call {
        origin: String,
    },
    Event(u32, CallEvent),
    /// Stop the call in flight (the effect aborts its requests).
    CancelCall,
    /// Set the ListUsers request's `page_token` to the one the last call returned, and call.
    NextPage {
        origin: String,
    },
    SetCompareN(String),
    /// Start the gRPC-vs-REST comparison of the form's call.
    Compare {
        origin: String,
    },
    CancelCompare,
    /// One timed call of the comparison `id`, or its end.
    Sample(u32, Sample),
    CompareDone(u32),
}

/// The longest deadline a call may have: a day. Browser timers hold at most 2^31 - 1 ms, and
/// tonic-web-wasm-client panics past that.
pub const MAX_DEADLINE_MS: u32 = 24 * 60 * 60 * 1000;

/// The most calls of each kind one comparison makes, and how long it may run.
pub const MAX_COMPARE_CALLS: u32 = 1000;
pub const COMPARE_TIME_LIMIT_MS: f64 = 30_000.0;

/// The same request made N times as grpc-web and as its REST twin, alternating.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareSpec {
    pub id: u32,
    pub n: u32,
    pub time_limit_ms: f64,
    /// The grpc-web call (its `id` is unused).
    pub grpc: CallSpec,
    /// `GET` of the REST twin, with the same authorization.
    pub rest_url: String,
    pub rest_headers: Vec<(String, String)>,
}

/// One timed call: which kind, how long, whether it succeeded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub rest: bool,
    pub ms: f64,
    pub ok: bool,
}

/// A comparison run: its spec, the samples so far, and whether it has ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub spec: CompareSpec,
    pub samples: Vec<Sample>,
    pub done: bool,
    pub cancelled: bool,
}

/// The latencies of one kind of call: count, failures, median and 95th percentile (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub count: usize,
    pub failed: usize,
    pub median_ms: f64,
    pub p95_ms: f64,
}

impl Comparison {
    /// Stats of the successful calls of one kind (`rest` or grpc-web); `None` before any.
    pub fn stats(&self, rest: bool) -> Option<Stats> {
        let samples: Vec<&Sample> = self.samples.iter().filter(|s| s.rest == rest).collect();
        let mut ms: Vec<f64> = samples.iter().filter(|s| s.ok).map(|s| s.ms).collect();
        if ms.is_empty() {
            return None;
        }
        ms.sort_by(f64::total_cmp);
        // Nearest rank: the smallest value with at least p% of the samples at or below it.
        let rank = |p: f64| ms[((p * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
        Some(Stats {
            count: samples.len(),
            failed: samples.iter().filter(|s| !s.ok).count(),
            median_ms: rank(0.5),
            p95_ms: rank(0.95),
        })
    }
}

impl Default for GrpcState {
    fn default() -> GrpcState {
        GrpcState {
            method: Method::GetUser,
            requests: Method::ALL.map(|m| m.example_request().to_owned()),
            address: String::new(),
            token: DEMO_TOKEN.to_owned(),
            deadline_ms: "5000".to_owned(),
            demo_ms: String::new(),
            encoding: Encoding::Binary,
            form_error: None,
            pending: None,
            call: None,
            compare_n: "50".to_owned(),
            compare: None,
            next_id: 1,
            // The reference schema as wirelens-api's build compiled it: no .proto compiler in
            // this tab's module.
            schema: Schema::from_descriptor_set(
                wirelens_api::FILE_DESCRIPTOR_SET,
                &["userservice/user_service.proto", "userservice/user.proto"],
            )
            .ok()
            .map(Rc::new),
        }
    }
}

impl GrpcState {
    pub fn request_text(&self) -> &str {
        &self.requests[self.method.index()]
    }

    /// The response message type of the method of `call`.
    pub fn response_descriptor(&self, method: Method) -> Option<MessageDescriptor> {
        self.schema.as_ref()?.message(method.response_type()).ok()
    }

    /// The type of `method`'s request, from the reference schema.
    fn request_descriptor(&self, method: Method) -> Result<MessageDescriptor, String> {
        let schema = self.schema.as_ref().ok_or("the reference schema's descriptors did not load")?;
        schema.message(method.request_type()).map_err(|e| e.to_string())
    }

    /// The form's request, read as its method's request type.
    fn request(&self) -> Result<wirelens_core::prost_reflect::DynamicMessage, String> {
        let desc = self.request_descriptor(self.method)?;
        message::parse_json(&desc, self.request_text()).map_err(|e| format!("request: {e}"))
    }

    fn spec(&self, origin: &str) -> Result<CallSpec, String> {
        let request = self.request()?;
        let number = |text: &str, what: &str| -> Result<Option<u32>, String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse().map(Some).map_err(|_| format!("{what} '{text}' is not a number of milliseconds"))
        };
        let deadline_ms = number(&self.deadline_ms, "deadline")?;
        if let Some(ms) = deadline_ms.filter(|ms| *ms > MAX_DEADLINE_MS) {
            return Err(format!("a deadline of {ms} ms is over the {MAX_DEADLINE_MS} ms (a day) a call may wait"));
        }
        let demo_ms = number(&self.demo_ms, self.method.demo_header())?;
        let address = self.address.trim().trim_end_matches('/');
        let base = if address.is_empty() { origin.trim_end_matches('/') } else { address };
        let mut headers = vec![
            ("content-type".to_owned(), self.encoding.content_type().to_owned()),
            ("accept".to_owned(), self.encoding.content_type().to_owned()),
            ("x-grpc-web".to_owned(), "1".to_owned()),
        ];
        if !self.token.trim().is_empty() {
            headers.push(("authorization".to_owned(), format!("Bearer {}", self.token.trim())));
        }
        if let Some(ms) = deadline_ms {
            headers.push(("grpc-timeout".to_owned(), grpcweb::grpc_timeout(ms)));
        }
        if let Some(ms) = demo_ms {
            headers.push((self.method.demo_header().to_owned(), ms.to_string()));
        }
        let encoded = message::encode(&request);
        let frame = grpcweb::frame(0, &encoded);
        let body = match self.encoding {
            Encoding::Binary => frame,
            Encoding::Text => wirelens_core::input::to_base64(&frame).into_bytes(),
        };
        Ok(CallSpec {
            id: self.next_id,
            method: self.method,
            base: base.to_owned(),
            url: format!("{base}/userservice.UserService/{}", self.method.name()),
            encoding: self.encoding,
            headers,
            body,
            message: encoded,
            deadline_ms,
        })
    }

    fn compare_spec(&self, origin: &str) -> Result<CompareSpec, String> {
        let n: u32 = self
            .compare_n
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=MAX_COMPARE_CALLS).contains(n))
            .ok_or(format!("the number of calls must be 1 to {MAX_COMPARE_CALLS}"))?;
        let grpc = self.spec(origin)?;
        let request = self.request()?;
        let field = |name: &str| request.get_field_by_name(name).map(|v| v.into_owned());
        let token = field("page_token");
        let twin = match self.method {
            Method::GetUser => {
                rest_twin::Request::GetUser { user_id: field("user_id").and_then(|v| v.as_i64()).unwrap_or_default() }
            }
            Method::ListUsers => rest_twin::Request::ListUsers {
                page_size: field("page_size").and_then(|v| v.as_i32()).unwrap_or_default(),
                page_token: token.as_ref().and_then(|v| v.as_str()).unwrap_or_default(),
            },
        };
        let rest_url = format!("{}{}", grpc.base, rest_twin::path(twin));
        let rest_headers = grpc.headers.iter().filter(|(n, _)| n == "authorization").cloned().collect();
        Ok(CompareSpec { id: self.next_id, n, time_limit_ms: COMPARE_TIME_LIMIT_MS, grpc, rest_url, rest_headers })
    }

    fn on_event(&mut self, id: u32, event: CallEvent) {
        if let (CallEvent::Client(view), Some(call)) = (&event, self.call.as_mut().filter(|c| c.id == id)) {
            // The typed call ends on its own time, before or after the frames; a cancelled call
            // keeps the view Cancel gave it.
            call.client.get_or_insert_with(|| view.clone());
            return;
        }
        let Some(call) = self.call.as_mut().filter(|c| c.id == id && c.outcome.is_none()) else { return };
        match event {
            CallEvent::Client(_) => {}
            CallEvent::Text(chunk) => {
                let room = MAX_TEXT_KEPT.saturating_sub(call.text.len());
                call.text.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            CallEvent::Headers { http_status, headers } => {
                call.http_status = Some(http_status);
                call.headers = headers;
            }
            CallEvent::Frames { frames, at_ms } => call.frames.extend(frames.into_iter().map(|f| (f, at_ms))),
            CallEvent::Finished { at_ms } => {
                call.elapsed_ms = Some(at_ms);
                call.outcome = Some(outcome(call));
            }
            CallEvent::Failed { code, reason, at_ms } => {
                call.elapsed_ms = Some(at_ms);
                call.outcome = Some(Outcome { code, message: reason, source: "client" });
            }
            CallEvent::Malformed { body, encoding, at_ms } => {
                let body = grpcweb::annotate_body(&body, encoding);
                let reason = body.error.as_ref().map_or_else(|| "not a frame".to_owned(), ToString::to_string);
                call.elapsed_ms = Some(at_ms);
                call.outcome = Some(Outcome {
                    code: status::INTERNAL,
                    message: format!("malformed response: {reason}"),
                    source: "client",
                });
                call.garbled = Some(Rc::new(body));
            }
        }
    }

    /// The ListUsers request with `page_token` set to `token`, as hand-written JSON.
    fn with_page_token(&self, token: &str) -> Result<String, String> {
        let desc = self.request_descriptor(Method::ListUsers)?;
        let text = &self.requests[Method::ListUsers.index()];
        let mut request = message::parse_json(&desc, text).map_err(|e| format!("request: {e}"))?;
        let field = desc.get_field_by_name("page_token").ok_or("ListUsersRequest has no page_token")?;
        request.set_field(&field, wirelens_core::prost_reflect::Value::String(token.to_owned()));
        message::to_json(&request, message::JsonStyle::HAND_WRITTEN).map_err(|e| e.to_string())
    }
}

/// The status of a finished call: the trailer frame's, else the headers' (a trailers-only
/// response), else what the HTTP status stands for, else INTERNAL: a body without a status.
fn outcome(call: &CallView) -> Outcome {
    let headers = Trailers(call.headers.clone());
    let from = |t: &Trailers, source| {
        t.status().map(|code| Outcome { code, message: t.message().unwrap_or_default(), source })
    };
    if let Some(o) = call.trailers().and_then(|t| from(t, "trailer frame")) {
        return o;
    }
    if let Some(o) = from(&headers, "response headers") {
        return o;
    }
    match call.http_status {
        Some(http) if http != 200 => Outcome {
            code: status::from_http(http).number,
            message: format!("HTTP {http} without a grpc-status"),
            source: "HTTP status",
        },
        _ => Outcome {
            code: status::INTERNAL,
            message: "the response ended without a grpc-status".to_owned(),
            source: "client",
        },
    }
}

impl Reducible for GrpcState {
    type Action = GrpcAction;

    fn reduce(self: Rc<Self>, action: GrpcAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            GrpcAction::SetMethod(m) => s.method = m,
            GrpcAction::EditRequest(text) => s.requests[s.method.index()] = text,
            GrpcAction::SetAddress(text) => s.address = text,
            GrpcAction::SetToken(text) => s.token = text,
            GrpcAction::SetDeadline(text) => s.deadline_ms = text,
            GrpcAction::SetDemoDelay(text) => s.demo_ms = text,
            GrpcAction::SetEncoding(e) => s.encoding = e,
            GrpcAction::NextPage { origin } => {
                let token = s.call.as_ref().and_then(CallView::next_page_token).map(str::to_owned);
                let Some(token) = token else { return self };
                match s.with_page_token(&token) {
                    Ok(text) => {
                        s.method = Method::ListUsers;
                        s.requests[Method::ListUsers.index()] = text;
                        return Rc::new(s).reduce(GrpcAction::Call { origin });
                    }
                    Err(e) => s.form_error = Some(e),
                }
            }
            GrpcAction::Call { origin } => match s.spec(&origin) {
                Ok(spec) => {
                    s.form_error = None;
                    let request = match spec.encoding {
                        Encoding::Binary => spec.body.clone(),
                        Encoding::Text => wirelens_core::input::parse_bytes(
                            std::str::from_utf8(&spec.body).unwrap_or_default(),
                            wirelens_core::input::InputFormat::Base64,
                        )
                        .unwrap_or_default(),
                    };
                    s.call = Some(CallView {
                        id: spec.id,
                        method: s.method,
                        encoding: spec.encoding,
                        request,
                        http_status: None,
                        headers: Vec::new(),
                        frames: Vec::new(),
                        outcome: None,
                        elapsed_ms: None,
                        garbled: None,
                        client: None,
                        text: Vec::new(),
                    });
                    s.next_id += 1;
                    s.pending = Some(spec);
                }
                Err(e) => s.form_error = Some(e),
            },
            GrpcAction::Event(id, event) => s.on_event(id, event),
            GrpcAction::CancelCall => {
                if let Some(call) = s.call.as_mut().filter(|c| c.outcome.is_none()) {
                    let message = "cancelled by the user".to_owned();
                    call.outcome = Some(Outcome { code: status::CANCELLED, message, source: "client" });
                    call.client.get_or_insert(ClientView::Cancelled);
                }
            }
            GrpcAction::SetCompareN(text) => s.compare_n = text,
            GrpcAction::Compare { origin } => match s.compare_spec(&origin) {
                Ok(spec) => {
                    s.form_error = None;
                    s.next_id += 1;
                    s.compare = Some(Comparison { spec, samples: Vec::new(), done: false, cancelled: false });
                }
                Err(e) => s.form_error = Some(e),
            },
            GrpcAction::CancelCompare => {
                if let Some(c) = s.compare.as_mut().filter(|c| !c.done) {
                    c.cancelled = true;
                    c.done = true;
                }
            }
            GrpcAction::Sample(id, sample) => {
                if let Some(c) = s.compare.as_mut().filter(|c| c.spec.id == id && !c.done) {
                    c.samples.push(sample);
                }
            }
            GrpcAction::CompareDone(id) => {
                if let Some(c) = s.compare.as_mut().filter(|c| c.spec.id == id) {
                    c.done = true;
                }
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(state: GrpcState, action: GrpcAction) -> GrpcState {
        (*Rc::new(state).reduce(action)).clone()
    }

    fn call(state: GrpcState) -> GrpcState {
        act(state, GrpcAction::Call { origin: "http://127.0.0.1:8080".into() })
    }

    #[test]
    fn a_call_frames_the_request_and_sets_the_headers() {
        let s = call(GrpcState::default());
        let spec = s.pending.clone().unwrap();
        assert_eq!(spec.url, "http://127.0.0.1:8080/userservice.UserService/GetUser");
        assert_eq!(spec.body, [0, 0, 0, 0, 2, 0x08, 0x2a]);
        let header = |n: &str| spec.headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(header("authorization"), Some("Bearer wirelens-demo-token"));
        assert_eq!(header("grpc-timeout"), Some("5000m"));
        assert_eq!(header("content-type"), Some("application/grpc-web+proto"));
    }

    #[test]
    fn a_deadline_past_a_day_is_refused_before_sending() {
        let s = call(act(GrpcState::default(), GrpcAction::SetDeadline("3000000000".into())));
        assert!(s.pending.is_none());
        assert_eq!(
            s.form_error.as_deref(),
            Some("a deadline of 3000000000 ms is over the 86400000 ms (a day) a call may wait")
        );
        let s = call(act(GrpcState::default(), GrpcAction::SetDeadline(MAX_DEADLINE_MS.to_string())));
        assert_eq!(s.pending.unwrap().deadline_ms, Some(MAX_DEADLINE_MS));
    }

    #[test]
    fn bad_json_keeps_the_text_and_sends_nothing() {
        let s = act(GrpcState::default(), GrpcAction::EditRequest("{\"userId\":".into()));
        let s = call(s);
        assert!(s.pending.is_none());
        assert!(s.form_error.as_deref().unwrap().starts_with("request:"));
        assert_eq!(s.request_text(), "{\"userId\":");
    }

    #[test]
    fn the_status_comes_from_the_trailer_frame_and_old_calls_are_ignored() {
        let s = call(GrpcState::default());
        let id = s.pending.as_ref().unwrap().id;
        let frames = grpcweb::annotate_body(
            &grpcweb::frame(0x80, b"grpc-status: 5\r\ngrpc-message: no%20user\r\n"),
            Encoding::Binary,
        )
        .frames;
        let s = act(s, GrpcAction::Event(id + 1, CallEvent::Finished { at_ms: 1.0 }));
        assert!(s.call.as_ref().unwrap().outcome.is_none());
        let s = act(s, GrpcAction::Event(id, CallEvent::Frames { frames, at_ms: 1.0 }));
        let s = act(s, GrpcAction::Event(id, CallEvent::Finished { at_ms: 2.0 }));
        let outcome = s.call.unwrap().outcome.unwrap();
        assert_eq!((outcome.code, outcome.message.as_str()), (5, "no user"));
    }

    #[test]
    fn the_spec_gives_the_typed_client_the_origin_and_the_bare_message() {
        let s = call(GrpcState::default());
        let spec = s.pending.unwrap();
        assert_eq!((spec.method, spec.base.as_str()), (Method::GetUser, "http://127.0.0.1:8080"));
        assert_eq!(spec.message, [0x08, 0x2a]);
        assert_eq!(spec.body[grpcweb::HEADER_LEN..], spec.message[..]);
    }

    /// A finished GetUser call whose body held `messages` messages and the trailer `status`.
    fn finished(messages: usize, status: u32) -> GrpcState {
        let s = call(GrpcState::default());
        let mut body: Vec<u8> = (0..messages).flat_map(|_| grpcweb::frame(0, b"\x0a\x02\x08\x2a")).collect();
        body.extend(grpcweb::frame(0x80, format!("grpc-status: {status}").as_bytes()));
        let frames = grpcweb::annotate_body(&body, Encoding::Binary).frames;
        let s = act(s, GrpcAction::Event(1, CallEvent::Frames { frames, at_ms: 1.0 }));
        act(s, GrpcAction::Event(1, CallEvent::Finished { at_ms: 2.0 }))
    }

    fn client(code: u32, responses: usize) -> CallEvent {
        CallEvent::Client(ClientView::Done {
            code,
            message: String::new(),
            details: Vec::new(),
            responses: vec!["User {}".into(); responses],
        })
    }

    #[test]
    fn the_typed_client_is_checked_against_the_frames_whenever_it_ends() {
        // The client's answer may come after the frames' outcome: it is still taken.
        let s = act(finished(1, status::OK), GrpcAction::Event(1, client(status::OK, 1)));
        assert_eq!(s.call.unwrap().agreement(), Some(Agreement::Agrees));
        let s = act(finished(1, status::OK), GrpcAction::Event(1, client(status::INTERNAL, 0)));
        assert_eq!(
            s.call.unwrap().agreement(),
            Some(Agreement::Differs("the client says INTERNAL, the frames OK".into()))
        );
        let s = act(finished(2, status::OK), GrpcAction::Event(1, client(status::OK, 1)));
        assert_eq!(
            s.call.unwrap().agreement(),
            Some(Agreement::Differs("the client has 1 response, the body 2 messages".into()))
        );
        // Before the frames end, or when the typed call was not made, there is nothing to compare.
        let s = act(call(GrpcState::default()), GrpcAction::Event(1, client(status::OK, 1)));
        assert_eq!(s.call.unwrap().agreement(), None);
        let s =
            act(finished(1, status::OK), GrpcAction::Event(1, CallEvent::Client(ClientView::NotMade("text".into()))));
        assert_eq!(s.call.unwrap().agreement(), None);
        // An answer to another call is not this call's.
        let s = act(finished(1, status::OK), GrpcAction::Event(2, client(status::OK, 1)));
        assert_eq!(s.call.unwrap().client, None);
    }

    #[test]
    fn cancel_ends_the_call_in_flight_as_cancelled_and_later_news_is_dropped() {
        let s = act(call(GrpcState::default()), GrpcAction::CancelCall);
        let s = act(s, GrpcAction::Event(1, CallEvent::Finished { at_ms: 5.0 }));
        let s = act(s, GrpcAction::Event(1, client(status::OK, 1)));
        let c = s.call.unwrap();
        let outcome = c.outcome.as_ref().unwrap();
        assert_eq!((outcome.code, outcome.message.as_str()), (status::CANCELLED, "cancelled by the user"));
        assert_eq!(c.client, Some(ClientView::Cancelled));
        assert_eq!(c.agreement(), None);
        // A call that has ended is not cancelled after the fact.
        let s = act(finished(1, status::OK), GrpcAction::CancelCall);
        assert_eq!(s.call.unwrap().outcome.unwrap().code, status::OK);
    }

    #[test]
    fn the_timeline_has_gaps_and_running_totals() {
        let s = call(act(GrpcState::default(), GrpcAction::SetMethod(Method::ListUsers)));
        let body =
            [grpcweb::frame(0, b"\x08\x01"), grpcweb::frame(0, b"\x08\x02"), grpcweb::frame(0x80, b"grpc-status: 0")];
        let mut s = s;
        for (i, f) in body.iter().enumerate() {
            let frames = grpcweb::annotate_body(f, Encoding::Binary).frames;
            s = act(s, GrpcAction::Event(1, CallEvent::Frames { frames, at_ms: 10.0 * (i as f64 + 1.0) }));
        }
        let rows = s.call.unwrap().timeline();
        let summary: Vec<(bool, f64, f64, usize, usize)> =
            rows.iter().map(|r| (r.trailers, r.at_ms, r.gap_ms, r.size, r.cumulative)).collect();
        assert_eq!(summary, [(false, 10.0, 10.0, 7, 7), (false, 20.0, 10.0, 7, 14), (true, 30.0, 10.0, 19, 33)]);
    }

    #[test]
    fn the_comparison_targets_the_rest_twin_and_sums_up_latencies() {
        let s = act(GrpcState::default(), GrpcAction::Compare { origin: "http://h".into() });
        let c = s.compare.clone().unwrap();
        assert_eq!(c.spec.rest_url, "http://h/v1/users/42");
        assert_eq!(c.spec.n, 50);
        let id = c.spec.id;
        let mut s = s;
        for ms in 1..=20 {
            s = act(s, GrpcAction::Sample(id, Sample { rest: false, ms: f64::from(ms), ok: true }));
        }
        s = act(s, GrpcAction::Sample(id, Sample { rest: true, ms: 7.0, ok: false }));
        s = act(s, GrpcAction::CancelCompare);
        s = act(s, GrpcAction::Sample(id, Sample { rest: false, ms: 99.0, ok: true }));
        let c = s.compare.unwrap();
        assert!(c.cancelled && c.done);
        assert_eq!(c.stats(false), Some(Stats { count: 20, failed: 0, median_ms: 10.0, p95_ms: 19.0 }));
        assert_eq!(c.stats(true), None);
        let bad = act(
            GrpcState { compare_n: "0".into(), ..GrpcState::default() },
            GrpcAction::Compare { origin: "h".into() },
        );
        assert!(bad.compare.is_none() && bad.form_error.is_some());
    }

    #[test]
    fn a_trailers_only_response_and_a_silent_body() {
        let s = call(GrpcState::default());
        let headers = vec![("grpc-status".to_owned(), "16".to_owned())];
        let s = act(s, GrpcAction::Event(1, CallEvent::Headers { http_status: 200, headers }));
        let s = act(s, GrpcAction::Event(1, CallEvent::Finished { at_ms: 1.0 }));
        assert_eq!(s.call.unwrap().outcome.unwrap().code, 16);
        let s = call(GrpcState::default());
        let s = act(s, GrpcAction::Event(1, CallEvent::Finished { at_ms: 1.0 }));
        assert_eq!(s.call.unwrap().outcome.unwrap().code, status::INTERNAL);
    }

    #[test]
    fn a_garbled_body_is_kept_as_annotated_bytes_with_the_invalid_rest_at_its_offset() {
        let s = call(GrpcState::default());
        let mut body = grpcweb::frame(0, &[0x08, 0x01]);
        body.extend([0x42, 0, 0, 0, 1, 9]);
        let event = CallEvent::Malformed { body, encoding: Encoding::Binary, at_ms: 3.0 };
        let view = act(s, GrpcAction::Event(1, event)).call.unwrap();
        let outcome = view.outcome.unwrap();
        assert_eq!(outcome.code, status::INTERNAL);
        assert_eq!(outcome.message, "malformed response: frame at byte 7 has unknown flag bits 0x42 (flags 0x42)");
        let garbled = view.garbled.unwrap();
        let rows = garbled_rows(&garbled, 8);
        assert_eq!(rows.len(), 2);
        let roles: Vec<(usize, &str, bool)> = rows.concat().iter().map(|c| (c.offset, c.class, c.start)).collect();
        assert_eq!(&roles[..3], [(0, "tag", true), (1, "len", true), (2, "len", false)]);
        assert_eq!(&roles[5..8], [(5, "bytes", true), (6, "bytes", false), (7, "invalid", true)]);
        assert!(roles[7..].iter().all(|(_, class, _)| *class == "invalid"), "{roles:?}");
        assert_eq!(rows.concat().len(), 13, "every byte drawn");

        // Text: the bad character ends the decoded bytes; the reason names its position.
        let s = call(GrpcState::default());
        let mut text = wirelens_core::input::to_base64(&grpcweb::frame(0, &[0x08, 0x01])).into_bytes();
        text.extend(b"!!");
        let event = CallEvent::Malformed { body: text, encoding: Encoding::Text, at_ms: 1.0 };
        let view = act(s, GrpcAction::Event(1, event)).call.unwrap();
        assert_eq!(view.outcome.unwrap().message, "malformed response: invalid base64 character '!' at character 12");
        assert_eq!(view.garbled.unwrap().bytes, grpcweb::frame(0, &[0x08, 0x01]));
    }

    #[test]
    fn next_page_calls_list_users_again_with_the_token_the_server_returned() {
        let s = call(act(GrpcState::default(), GrpcAction::SetMethod(Method::ListUsers)));
        let headers = vec![(NEXT_PAGE_HEADER.to_owned(), "5".to_owned())];
        let s = act(s, GrpcAction::Event(1, CallEvent::Headers { http_status: 200, headers }));
        let trailers = grpcweb::annotate_body(&grpcweb::frame(0x80, b"grpc-status: 0"), Encoding::Binary).frames;
        let s = act(s, GrpcAction::Event(1, CallEvent::Frames { frames: trailers, at_ms: 1.0 }));
        assert_eq!(s.call.as_ref().unwrap().next_page_token(), None, "not before the call ends");
        let s = act(s, GrpcAction::Event(1, CallEvent::Finished { at_ms: 2.0 }));
        assert_eq!(s.call.as_ref().unwrap().next_page_token(), Some("5"));
        let s = act(s, GrpcAction::NextPage { origin: "http://h".into() });
        assert_eq!(s.request_text(), r#"{"pageSize":5,"pageToken":"5"}"#);
        let spec = s.pending.clone().unwrap();
        assert_eq!(spec.id, 2);
        // ListUsersRequest { page_size: 5, page_token: "5" }: 08 05 12 01 35, framed.
        assert_eq!(spec.body, [0, 0, 0, 0, 5, 0x08, 0x05, 0x12, 0x01, b'5']);
        // The last page names no token: no next page.
        let headers = vec![(NEXT_PAGE_HEADER.to_owned(), String::new())];
        let s = act(s, GrpcAction::Event(2, CallEvent::Headers { http_status: 200, headers }));
        let trailers = grpcweb::annotate_body(&grpcweb::frame(0x80, b"grpc-status: 0"), Encoding::Binary).frames;
        let s = act(s, GrpcAction::Event(2, CallEvent::Frames { frames: trailers, at_ms: 1.0 }));
        let s = act(s, GrpcAction::Event(2, CallEvent::Finished { at_ms: 2.0 }));
        assert_eq!(s.call.as_ref().unwrap().next_page_token(), None);
        let unchanged = act(s.clone(), GrpcAction::NextPage { origin: "http://h".into() });
        assert_eq!(unchanged, s);
    }
}
