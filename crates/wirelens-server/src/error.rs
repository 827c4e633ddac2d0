//! `ApiError`: one failure of a UserService call, and its two renderings: a `tonic::Status`
//! (with `google.rpc` details in `grpc-status-details-bin`) for gRPC and grpc-web, and an HTTP
//! status with a JSON body for REST. Knows nothing about handlers or transports.

use std::collections::HashMap;
use std::fmt;

use http::StatusCode;
use tonic::Code;
use tonic_types::{ErrorDetails, StatusExt as _};

/// The `domain` of every `google.rpc.ErrorInfo` this server sends.
pub const DOMAIN: &str = "wirelens.example";

/// A failed call: a gRPC code, a message for people, and at most one structured detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    code: Code,
    message: String,
    detail: Detail,
    http: Option<StatusCode>,
}

/// The structured part of an error, sent as a `google.rpc` detail message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Detail {
    None,
    /// `google.rpc.ErrorInfo`: a machine-readable reason plus key/value facts.
    Info {
        reason: &'static str,
        metadata: Vec<(&'static str, String)>,
    },
    /// `google.rpc.BadRequest` with one field violation.
    BadRequest {
        field: &'static str,
        description: String,
    },
}

impl ApiError {
    /// INVALID_ARGUMENT naming the request field at fault (a `BadRequest` detail).
    pub fn invalid_argument(field: &'static str, description: impl Into<String>) -> ApiError {
        let description = description.into();
        ApiError {
            code: Code::InvalidArgument,
            message: format!("invalid {field}: {description}"),
            detail: Detail::BadRequest { field, description },
            http: None,
        }
    }

    /// NOT_FOUND for a user id that is not in the database.
    pub fn user_not_found(id: i64) -> ApiError {
        ApiError::with_info(Code::NotFound, format!("no user with id {id}"), "USER_NOT_FOUND", [("user_id", id)])
    }

    /// UNAUTHENTICATED: no `authorization` header, or not the server's bearer token.
    pub fn unauthenticated(reason: &'static str, message: &str) -> ApiError {
        ApiError::with_info(Code::Unauthenticated, message.to_owned(), reason, [] as [(&str, u64); 0])
    }

    /// RESOURCE_EXHAUSTED from the per-client rate limit.
    pub fn rate_limited(retry_after_ms: u64) -> ApiError {
        ApiError::with_info(
            Code::ResourceExhausted,
            format!("rate limit exceeded, retry in {retry_after_ms} ms"),
            "RATE_LIMITED",
            [("retry_after_ms", retry_after_ms)],
        )
    }

    /// RESOURCE_EXHAUSTED for a message or upload above `limit` bytes (HTTP 413 on REST).
    pub fn too_large(what: &str, limit: usize) -> ApiError {
        let mut error = ApiError::with_info(
            Code::ResourceExhausted,
            format!("{what} is larger than the limit of {limit} bytes"),
            "TOO_LARGE",
            [("limit_bytes", limit)],
        );
        error.http = Some(StatusCode::PAYLOAD_TOO_LARGE);
        error
    }

    /// RESOURCE_EXHAUSTED (HTTP 503) when `limit` calls are already in progress: the server
    /// sheds the call instead of queueing it.
    pub fn overloaded(limit: usize) -> ApiError {
        let mut error = ApiError::with_info(
            Code::ResourceExhausted,
            format!("the server is busy: {limit} calls are in progress, retry later"),
            "OVERLOADED",
            [("max_concurrent_calls", limit)],
        );
        error.http = Some(StatusCode::SERVICE_UNAVAILABLE);
        error
    }

    /// UNIMPLEMENTED: a method that takes one request message got `found` (0, or more than 1)
    /// — a cardinality violation in gRPC's terms.
    pub fn cardinality(method: &str, found: &str) -> ApiError {
        ApiError::with_info(
            Code::Unimplemented,
            format!("{method} takes exactly one request message, the request has {found}"),
            "CARDINALITY_VIOLATION",
            [("method", method)],
        )
    }

    /// DEADLINE_EXCEEDED: the call's `grpc-timeout` elapsed before it finished.
    pub fn deadline_exceeded(timeout_ms: u128) -> ApiError {
        ApiError::with_info(
            Code::DeadlineExceeded,
            format!("deadline of {timeout_ms} ms exceeded"),
            "DEADLINE_EXCEEDED",
            [("timeout_ms", timeout_ms)],
        )
    }

    /// INTERNAL for a request body whose framing is broken: `message` says what and where,
    /// and the ErrorInfo carries the offset.
    pub fn malformed_request(message: String, offset: usize) -> ApiError {
        ApiError::with_info(Code::Internal, message, "MALFORMED_REQUEST", [("offset", offset)])
    }

    /// INTERNAL: the database failed; the cause is logged, not sent.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError { code: Code::Internal, message: message.into(), detail: Detail::None, http: None }
    }

    fn with_info<V: fmt::Display>(
        code: Code,
        message: String,
        reason: &'static str,
        metadata: impl IntoIterator<Item = (&'static str, V)>,
    ) -> ApiError {
        let metadata = metadata.into_iter().map(|(k, v)| (k, v.to_string())).collect();
        ApiError { code, message, detail: Detail::Info { reason, metadata }, http: None }
    }

    pub fn code(&self) -> Code {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The gRPC rendering: code, message and the detail in `grpc-status-details-bin`.
    pub fn to_status(&self) -> tonic::Status {
        let details = match &self.detail {
            Detail::None => return tonic::Status::new(self.code, self.message.clone()),
            Detail::Info { reason, metadata } => {
                let metadata: HashMap<String, String> =
                    metadata.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
                ErrorDetails::with_error_info(*reason, DOMAIN, metadata)
            }
            Detail::BadRequest { field, description } => {
                ErrorDetails::with_bad_request_violation(*field, description.clone())
            }
        };
        tonic::Status::with_error_details(self.code, self.message.clone(), details)
    }

    /// The HTTP status REST answers with, after the reference's table (DEADLINE_EXCEEDED,
    /// which has no direct HTTP equivalent there, is 504 Gateway Timeout).
    pub fn http_status(&self) -> StatusCode {
        self.http.unwrap_or_else(|| http_status(self.code))
    }

    /// The REST body, shaped like Google's JSON error mapping:
    /// `{"error":{"code":404,"status":"NOT_FOUND","message":"…","details":[{"@type":…}]}}`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let details = match &self.detail {
            Detail::None => vec![],
            Detail::Info { reason, metadata } => {
                let metadata: serde_json::Map<String, serde_json::Value> =
                    metadata.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
                vec![json!({
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": reason,
                    "domain": DOMAIN,
                    "metadata": metadata,
                })]
            }
            Detail::BadRequest { field, description } => vec![json!({
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field, "description": description}],
            })],
        };
        json!({"error": {
            "code": self.http_status().as_u16(),
            "status": code_name(self.code),
            "message": self.message,
            "details": details,
        }})
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", code_name(self.code), self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<ApiError> for tonic::Status {
    fn from(error: ApiError) -> tonic::Status {
        error.to_status()
    }
}

/// The HTTP status for a gRPC code, as the reference material pairs them.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::InvalidArgument | Code::OutOfRange | Code::FailedPrecondition => StatusCode::BAD_REQUEST,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Cancelled => StatusCode::from_u16(499).expect("499 is a valid status code"),
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `NOT_FOUND`, `INVALID_ARGUMENT`, …: the code's name in the gRPC specification, from core's table.
pub fn code_name(code: Code) -> &'static str {
    wirelens_core::status::by_number(code as u32).map_or("UNKNOWN", |c| c.name)
}
