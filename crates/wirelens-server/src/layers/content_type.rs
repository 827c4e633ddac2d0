//! The gRPC paths take gRPC content types only. Anything else gets HTTP 415 with a plain-text
//! line naming what is accepted, as the gRPC over HTTP/2 spec asks (tonic-web alone would
//! answer a bare 400 over HTTP/1.1, and tonic would try to decode the body over HTTP/2).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use http::StatusCode;

use super::Protocol;

/// The middleware, on the gRPC routes only.
pub async fn require_grpc(request: Request, next: Next) -> Response {
    if Protocol::of(request.headers()) == Protocol::Grpc {
        return next.run(request).await;
    }
    let found = request.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("none");
    let message = format!(
        "content type {found} is not gRPC: send application/grpc (HTTP/2), application/grpc-web+proto or \
         application/grpc-web-text\n"
    );
    (StatusCode::UNSUPPORTED_MEDIA_TYPE, message).into_response()
}
