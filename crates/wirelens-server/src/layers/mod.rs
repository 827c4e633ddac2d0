//! The middleware every API request passes, gRPC and REST alike, as tower layers (axum's
//! `from_fn`): [`logging`], then [`concurrency`] (load shedding), [`auth`], [`rate_limit`],
//! [`deadline`], [`body_limit`], [`max_message`] and [`cardinality`]. Each answers in the
//! request's own protocol: a gRPC status for gRPC (grpc-web is gRPC by then), an HTTP status with
//! a JSON body for REST.

pub mod auth;
pub mod body_limit;
pub mod cardinality;
pub mod concurrency;
pub mod content_type;
pub mod deadline;
pub mod drain;
pub mod grpc_web_body;
pub mod logging;
pub mod max_message;
pub mod rate_limit;

use axum::body::Body;
use axum::response::{IntoResponse as _, Response};
use http::HeaderMap;

use crate::error::ApiError;

/// Which twin a request speaks, from its content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `application/grpc…`: native gRPC, or grpc-web once tonic-web has translated it.
    Grpc,
    /// Anything else on an API path: REST/JSON.
    Rest,
}

impl Protocol {
    pub fn of(headers: &HeaderMap) -> Protocol {
        let content_type = headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if content_type.starts_with("application/grpc") { Protocol::Grpc } else { Protocol::Rest }
    }
}

/// The response a layer sends when it stops a request: trailers-only gRPC (the status in the
/// headers, no body) or a REST error.
pub fn reject(protocol: Protocol, error: &ApiError) -> Response {
    match protocol {
        Protocol::Grpc => error.to_status().into_http::<Body>(),
        Protocol::Rest => crate::rest::error_response(error).into_response(),
    }
}
