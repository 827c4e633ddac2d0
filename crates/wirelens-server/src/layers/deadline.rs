//! Deadlines from the `grpc-timeout` header (on REST too: one vocabulary for both twins). The
//! call's future is dropped when the deadline passes and the client gets DEADLINE_EXCEEDED
//! (HTTP 504). Streams that outlive the headers check the [`Deadline`] extension themselves.

use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tokio::time::Instant;
use wirelens_core::grpcweb::parse_grpc_timeout;

use super::{Protocol, reject};
use crate::error::ApiError;

/// When a call must be done; inserted into the request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    at: Instant,
    timeout: Duration,
}

impl Deadline {
    pub fn at(&self) -> Instant {
        self.at
    }

    /// The error for a call still running at the deadline.
    pub fn exceeded(&self) -> ApiError {
        ApiError::deadline_exceeded(self.timeout.as_millis())
    }
}

/// The middleware: runs the rest of the call under the deadline, if the request sets one.
pub async fn enforce(mut request: Request, next: Next) -> Response {
    let protocol = Protocol::of(request.headers());
    let Some(value) = request.headers().get("grpc-timeout") else { return next.run(request).await };
    let Some(timeout) = value.to_str().ok().and_then(parse_grpc_timeout) else {
        let error = ApiError::invalid_argument("grpc-timeout", "expected 1 to 8 digits and a unit (H, M, S, m, u, n)");
        return reject(protocol, &error);
    };
    // A timeout too far away to represent is no deadline at all.
    let Some(at) = Instant::now().checked_add(timeout) else { return next.run(request).await };
    let deadline = Deadline { at, timeout };
    request.extensions_mut().insert(deadline);
    match tokio::time::timeout_at(at, next.run(request)).await {
        Ok(response) => response,
        Err(_elapsed) => reject(protocol, &deadline.exceeded()),
    }
}
