//! The gRPC status codes: number, name, what each means, and the HTTP status that means the same.
//!
//! The names and numbers are gRPC's (`google.rpc.Code`). The HTTP equivalents are the reference
//! material's where it gives one (OK, INVALID_ARGUMENT 400, NOT_FOUND 404, ALREADY_EXISTS 409,
//! PERMISSION_DENIED 403, UNAUTHENTICATED 401, RESOURCE_EXHAUSTED 429, INTERNAL 500,
//! UNAVAILABLE 503; DEADLINE_EXCEEDED has "no direct HTTP equivalent"), and `google.rpc.Code`'s
//! documented mapping for the rest. [`Status`] is how a call ended, whatever the protocol said it
//! with: code, message, the `google.rpc.Status` details, and where it was read from. Knows nothing
//! about transports.

use base64::Engine as _;

/// One status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    pub number: u32,
    /// The canonical name, as in `NOT_FOUND`.
    pub name: &'static str,
    pub meaning: &'static str,
    /// The HTTP status that means the same, when there is one.
    pub http: Option<u16>,
}

/// Every code, by number (0 to 16).
pub const CODES: [Code; 17] = [
    Code { number: 0, name: "OK", meaning: "success", http: Some(200) },
    Code { number: 1, name: "CANCELLED", meaning: "the client cancelled the request", http: Some(499) },
    Code { number: 2, name: "UNKNOWN", meaning: "an error with no better code", http: Some(500) },
    Code { number: 3, name: "INVALID_ARGUMENT", meaning: "the client sent bad data", http: Some(400) },
    Code {
        number: 4,
        name: "DEADLINE_EXCEEDED",
        meaning: "the deadline passed before the call finished: a timeout",
        http: None,
    },
    Code { number: 5, name: "NOT_FOUND", meaning: "the resource was not found", http: Some(404) },
    Code { number: 6, name: "ALREADY_EXISTS", meaning: "the resource already exists", http: Some(409) },
    Code { number: 7, name: "PERMISSION_DENIED", meaning: "not authorized to do this", http: Some(403) },
    Code {
        number: 8,
        name: "RESOURCE_EXHAUSTED",
        meaning: "a limit was reached: rate limited, or a message too large",
        http: Some(429),
    },
    Code {
        number: 9,
        name: "FAILED_PRECONDITION",
        meaning: "the system is not in a state the call needs",
        http: Some(400),
    },
    Code { number: 10, name: "ABORTED", meaning: "aborted, as by a concurrency conflict", http: Some(409) },
    Code { number: 11, name: "OUT_OF_RANGE", meaning: "past the valid range", http: Some(400) },
    Code { number: 12, name: "UNIMPLEMENTED", meaning: "the method is not implemented", http: Some(501) },
    Code { number: 13, name: "INTERNAL", meaning: "a server error (or a broken response)", http: Some(500) },
    Code {
        number: 14,
        name: "UNAVAILABLE",
        meaning: "the service is unavailable for now: unreachable, or down",
        http: Some(503),
    },
    Code { number: 15, name: "DATA_LOSS", meaning: "unrecoverable data loss or corruption", http: Some(500) },
    Code { number: 16, name: "UNAUTHENTICATED", meaning: "not authenticated: no valid credentials", http: Some(401) },
];

pub const OK: u32 = 0;
pub const CANCELLED: u32 = 1;
pub const DEADLINE_EXCEEDED: u32 = 4;
pub const UNIMPLEMENTED: u32 = 12;
pub const INTERNAL: u32 = 13;
pub const UNAVAILABLE: u32 = 14;

/// The code with this number.
pub fn by_number(number: u32) -> Option<&'static Code> {
    CODES.get(number as usize)
}

/// The canonical name of the code with this number (`NOT_FOUND`), or `UNKNOWN CODE` for a
/// number no code has (`UNKNOWN`, 2, is a code of its own).
pub fn name(number: u32) -> &'static str {
    by_number(number).map_or("UNKNOWN CODE", |c| c.name)
}

/// The code with this canonical name (`NOT_FOUND`).
pub fn by_name(name: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.name == name)
}

/// The status a plain HTTP response without `grpc-status` stands for, as the gRPC spec maps
/// them ("HTTP to gRPC Status Code Mapping"): 400 INTERNAL, 401 UNAUTHENTICATED, 403
/// PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, anything else UNKNOWN.
pub fn from_http(status: u16) -> &'static Code {
    let number = match status {
        400 => 13,
        401 => 16,
        403 => 7,
        404 => 12,
        429 | 502 | 503 | 504 => 14,
        _ => 2,
    };
    &CODES[number]
}

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub code: u32,
    /// The message, decoded (grpc-web's `%XX` escapes undone).
    pub message: String,
    /// The error details (`google.rpc.Status.details`), in order.
    pub details: Vec<Detail>,
    pub source: Source,
}

impl Status {
    /// A status decided by the client itself (a failed connection, a broken body).
    pub fn client(code: u32, message: impl Into<String>) -> Status {
        Status { code, message: message.into(), details: Vec::new(), source: Source::Client }
    }

    pub fn is_ok(&self) -> bool {
        self.code == OK
    }

    /// `NOT_FOUND (5): no user 7`.
    pub fn describe(&self) -> String {
        let name = name(self.code);
        if self.message.is_empty() {
            format!("{name} ({})", self.code)
        } else {
            format!("{name} ({}): {}", self.code, self.message)
        }
    }
}

/// Where a status was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// grpc-web's trailer frame (or native gRPC's HTTP/2 trailers).
    Trailers,
    /// The response headers: a trailers-only answer.
    Headers,
    /// Connect's end-of-stream message.
    EndOfStream,
    /// Connect's unary error body (JSON).
    ErrorBody,
    /// A Connect unary answer of HTTP 200.
    HttpOk,
    /// What the HTTP status stands for, as no protocol status came.
    HttpStatus,
    /// The client: no status came, or the answer could not be read.
    Client,
}

impl Source {
    /// In words, for a status line: `trailer frame`, `response headers`, …
    pub fn words(self) -> &'static str {
        match self {
            Source::Trailers => "trailers",
            Source::Headers => "response headers",
            Source::EndOfStream => "end-of-stream message",
            Source::ErrorBody => "error body",
            Source::HttpOk => "HTTP 200",
            Source::HttpStatus => "HTTP status",
            Source::Client => "client",
        }
    }
}

/// One error detail: a `google.protobuf.Any`, its type by full name (`google.rpc.ErrorInfo`,
/// the `type.googleapis.com/` prefix taken off) and its encoded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub type_name: String,
    pub value: Vec<u8>,
}

/// `google.rpc.Status` and `google.protobuf.Any`, as much as a status needs of them.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<Any>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Any {
    #[prost(string, tag = "1")]
    type_url: String,
    #[prost(bytes = "vec", tag = "2")]
    value: Vec<u8>,
}

/// The details of a `grpc-status-details-bin` value: base64 (padded or not) of an encoded
/// `google.rpc.Status`. `None` when it is neither.
pub fn details_from_bin(value: &str) -> Option<Vec<Detail>> {
    details_from_bytes(&decode_base64_any(value.trim())?)
}

/// The details of an encoded `google.rpc.Status` (what `grpc-status-details-bin` holds, once
/// base64 is undone). `None` when the bytes are not one.
pub fn details_from_bytes(bytes: &[u8]) -> Option<Vec<Detail>> {
    let status = <RpcStatus as prost::Message>::decode(bytes).ok()?;
    Some(
        status
            .details
            .into_iter()
            .map(|any| Detail { type_name: type_name(&any.type_url), value: any.value })
            .collect(),
    )
}

/// The value of a `grpc-status-details-bin` header for `code`, `message` and `details`.
pub fn details_to_bin(code: u32, message: &str, details: &[Detail]) -> String {
    let status = RpcStatus {
        code: code as i32,
        message: message.to_owned(),
        details: details
            .iter()
            .map(|d| Any { type_url: format!("type.googleapis.com/{}", d.type_name), value: d.value.clone() })
            .collect(),
    };
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(prost::Message::encode_to_vec(&status))
}

/// `type.googleapis.com/google.rpc.ErrorInfo` → `google.rpc.ErrorInfo`.
pub fn type_name(type_url: &str) -> String {
    type_url.rsplit('/').next().unwrap_or(type_url).to_owned()
}

/// Base64 as gRPC and Connect write binary values: standard or URL-safe, padded or not.
pub(crate) fn decode_base64_any(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let text = text.trim_end_matches('=');
    STANDARD_NO_PAD.decode(text).or_else(|_| URL_SAFE_NO_PAD.decode(text)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_without_a_code_is_named_as_such() {
        assert_eq!((name(5), name(2), name(17)), ("NOT_FOUND", "UNKNOWN", "UNKNOWN CODE"));
    }

    #[test]
    fn codes_are_in_number_order_and_names_are_unique() {
        for (i, code) in CODES.iter().enumerate() {
            assert_eq!(code.number as usize, i);
            assert_eq!(by_name(code.name), Some(code));
        }
        assert_eq!(by_number(17), None);
    }

    #[test]
    fn the_reference_equivalents() {
        let http = |name| by_name(name).unwrap().http;
        assert_eq!(http("NOT_FOUND"), Some(404));
        assert_eq!(http("UNAUTHENTICATED"), Some(401));
        assert_eq!(http("RESOURCE_EXHAUSTED"), Some(429));
        assert_eq!(http("UNAVAILABLE"), Some(503));
        assert_eq!(http("DEADLINE_EXCEEDED"), None);
        assert_eq!(from_http(503).name, "UNAVAILABLE");
    }

    #[test]
    fn details_round_trip_through_the_header_value() {
        let details = vec![Detail { type_name: "google.rpc.ErrorInfo".into(), value: vec![0x0a, 0x01, b'x'] }];
        let bin = details_to_bin(5, "gone", &details);
        assert_eq!(details_from_bin(&bin), Some(details.clone()));
        assert_eq!(details_from_bin(&format!("{bin}==")), Some(details), "padding is accepted");
        assert_eq!(details_from_bin("not base64!"), None);
        assert_eq!(details_from_bin("/w"), None, "0xff is not a google.rpc.Status");
    }

    #[test]
    fn a_status_in_words() {
        let s = Status { code: 5, message: "no user 7".into(), details: vec![], source: Source::Trailers };
        assert_eq!(s.describe(), "NOT_FOUND (5): no user 7");
        assert_eq!(Status::client(14, "").describe(), "UNAVAILABLE (14)");
    }
}
