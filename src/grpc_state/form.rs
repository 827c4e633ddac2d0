//! The call form as a request: the method, its request text, the server, the protocol, the
//! token and metadata, the deadline become a [`CallSpec`] (URL, headers, body, built by core's
//! `call::request`) for `rpc.rs` to send, or the form's mistake in words. Also what the form
//! knows of the reference service ([`Method`]): its example requests, its demo headers, its
//! typed client.

use wirelens_core::call::{self, Protocol, Target};
use wirelens_core::commands::CallLine;
use wirelens_core::message;
use wirelens_core::prost_reflect::MethodDescriptor;

use super::GrpcState;

/// The demo token: the service's contract, defined in wirelens-api.
pub use wirelens_api::contract::DEMO_TOKEN;

/// The reference UserService's methods a browser can call (unary and server streaming): those
/// the tab knows more of than any schema says (an example request, a demo header, the typed
/// client generated from `proto/`, the REST twin).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    GetUser,
    ListUsers,
}

impl Method {
    pub const ALL: [Method; 2] = [Method::GetUser, Method::ListUsers];

    /// `userservice.UserService/GetUser`: the name the method picker and core use.
    pub fn full_name(self) -> &'static str {
        match self {
            Method::GetUser => "userservice.UserService/GetUser",
            Method::ListUsers => "userservice.UserService/ListUsers",
        }
    }

    /// The reference method of that full name, if it is one.
    pub fn of(full_name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.full_name() == full_name)
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
}

/// The longest deadline a call may have: a day. Browser timers hold at most 2^31 - 1 ms, and
/// tonic-web-wasm-client panics past that.
pub const MAX_DEADLINE_MS: u32 = 24 * 60 * 60 * 1000;

/// Everything `rpc.rs` needs to make one call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSpec {
    pub id: u32,
    /// `package.Service/Method`.
    pub method: String,
    pub descriptor: MethodDescriptor,
    /// The reference method this is, when it is one: the typed client makes it too.
    pub reference: Option<Method>,
    pub protocol: Protocol,
    /// The server's base URL (the URL without the method's path).
    pub base: String,
    pub url: String,
    /// `POST`, or `GET` for a Connect GET (its message in the URL, no body).
    pub http_method: &'static str,
    pub headers: Vec<(String, String)>,
    /// The request body, as sent (base64 for grpc-web-text).
    pub body: Vec<u8>,
    /// The request message alone, encoded (what the typed client is given).
    pub message: Vec<u8>,
    /// The client gives up after this (plus a grace period for the server's own answer).
    pub deadline_ms: Option<u32>,
    /// The call as a `wirelens call`, grpcurl and `buf curl` line would make it.
    pub line: CallLine,
}

impl GrpcState {
    pub(super) fn spec(&self, origin: &str) -> Result<CallSpec, String> {
        let method = self.method_descriptor().ok_or_else(|| match &self.method {
            Some(name) => format!("no method {name} in the schema"),
            None => "the schema has no service: add one to the .proto, or load a schema from the server".to_owned(),
        })?;
        let request = self.request()?;
        let deadline_ms = millis(&self.deadline_ms, "deadline")?;
        if let Some(ms) = deadline_ms.filter(|ms| *ms > MAX_DEADLINE_MS) {
            return Err(format!("a deadline of {ms} ms is over the {MAX_DEADLINE_MS} ms (a day) a call may wait"));
        }
        let reference = self.reference();
        let metadata = self.metadata_rows(reference)?;
        let base = self.base_url(origin);
        let target = Target {
            protocol: self.protocol,
            base_url: &base,
            metadata: &metadata,
            deadline_ms,
            // The browser inflates what it asks for by itself (accept-encoding); grpc-web and
            // Connect answers compressed per message are still read (core inflates them).
            compression: None,
            get: self.get && matches!(self.protocol, Protocol::Connect | Protocol::ConnectJson),
        };
        let http = call::request(&target, &method, std::slice::from_ref(&request)).map_err(|e| e.to_string())?;
        let json = message::to_json(&request, message::JsonStyle::CANONICAL).map_err(|e| e.to_string())?;
        let line = CallLine {
            protocol: self.protocol,
            base_url: base.clone(),
            method: call::full_name(&method),
            schema: self.schema_source.clone(),
            metadata: metadata.clone(),
            deadline_ms,
            requests: vec![json],
            compress: None,
            get: target.get,
        };
        Ok(CallSpec {
            id: self.next_id,
            method: call::full_name(&method),
            descriptor: method,
            reference,
            protocol: self.protocol,
            base,
            url: http.url,
            http_method: http.method,
            headers: http.headers,
            body: http.body,
            message: message::encode(&request),
            deadline_ms,
            line,
        })
    }

    /// The server's base URL: the address typed, else the page's origin.
    pub fn base_url(&self, origin: &str) -> String {
        let address = self.address.trim().trim_end_matches('/');
        if address.is_empty() { origin.trim_end_matches('/') } else { address }.to_owned()
    }

    /// The request metadata: the token as `authorization`, the metadata rows (`name: value`, one a
    /// line), the reference method's demo header.
    fn metadata_rows(&self, reference: Option<Method>) -> Result<Vec<(String, String)>, String> {
        let mut metadata = Vec::new();
        if !self.token.trim().is_empty() {
            metadata.push(("authorization".to_owned(), format!("Bearer {}", self.token.trim())));
        }
        for (i, line) in self.metadata.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let (name, value) = line
                .split_once(':')
                .map(|(n, v)| (n.trim(), v.trim()))
                .filter(|(n, _)| is_header_name(n))
                .ok_or_else(|| format!("metadata line {}: '{}' is not 'name: value'", i + 1, line.trim()))?;
            metadata.push((name.to_ascii_lowercase(), value.to_owned()));
        }
        if let Some(m) = reference
            && let Some(ms) = millis(&self.demo_ms, m.demo_header())?
        {
            metadata.push((m.demo_header().to_owned(), ms.to_string()));
        }
        Ok(metadata)
    }
}

/// A number of milliseconds typed in the field `what`; empty for none.
fn millis(text: &str, what: &str) -> Result<Option<u32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| format!("{what} '{text}' is not a number of milliseconds"))
}

/// An HTTP header name: letters, digits and `-_.!#$%&'*+^`|~` (RFC 9110's token).
fn is_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.!#$%&'*+^`|~".contains(&b))
}
