//! The call form as a request: the method, its request text, the server, the token, the
//! deadline, the demo delay and the encoding become a [`CallSpec`] (URL, headers, framed body)
//! for `rpc.rs` to send, or the form's mistake in words.

use wirelens_core::grpcweb::{self, Encoding};
use wirelens_core::message;

use super::GrpcState;

/// The demo token: the service's contract, defined in wirelens-api.
pub use wirelens_api::contract::DEMO_TOKEN;

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

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// The longest deadline a call may have: a day. Browser timers hold at most 2^31 - 1 ms, and
/// tonic-web-wasm-client panics past that.
pub const MAX_DEADLINE_MS: u32 = 24 * 60 * 60 * 1000;

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

impl GrpcState {
    pub(super) fn spec(&self, origin: &str) -> Result<CallSpec, String> {
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
        let mut metadata = Vec::new();
        if !self.token.trim().is_empty() {
            metadata.push(("authorization".to_owned(), format!("Bearer {}", self.token.trim())));
        }
        if let Some(ms) = demo_ms {
            metadata.push((self.method.demo_header().to_owned(), ms.to_string()));
        }
        let headers = grpcweb::request_headers(self.encoding, &metadata, deadline_ms);
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
}
