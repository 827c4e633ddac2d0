//! The largest request body, all of it, on both twins: a `content-length` over the limit is
//! refused before the body is read; a body without one fails when its bytes pass the limit.
//! RESOURCE_EXHAUSTED for gRPC (in its trailers, or trailers-only), HTTP 413 for REST. The
//! per-message limit ([`super::max_message`]) bounds each frame; this bounds a client stream
//! as a whole (an upload, a chat), whatever its messages say. For grpc-web it counts the
//! decoded bytes: it sits behind tonic-web, which drops `content-length`.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::Frame;

use super::{Protocol, reject};
use crate::error::ApiError;

/// The limit in bytes, as the middleware's state.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

impl BodyLimit {
    pub fn error(self) -> ApiError {
        ApiError::too_large("the request body", self.0)
    }
}

/// The middleware: refuses by `content-length`, or wraps the body in a counter.
pub async fn limit(State(limit): State<BodyLimit>, request: Request, next: Next) -> Response {
    let protocol = Protocol::of(request.headers());
    let announced = request
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > limit.0 as u64) {
        return reject(protocol, &limit.error());
    }
    next.run(request.map(|inner| Body::new(Counted { inner, limit, protocol, seen: 0 }))).await
}

/// The error a body over the limit fails with: a `tonic::Status` for gRPC (tonic looks for
/// one in a body error's source chain and sends it as it is), the `ApiError` for REST (the
/// handler finds it with [`crate::rest`]'s own search of the chain).
fn body_error(limit: BodyLimit, protocol: Protocol) -> axum::Error {
    match protocol {
        Protocol::Grpc => axum::Error::new(limit.error().to_status()),
        Protocol::Rest => axum::Error::new(limit.error()),
    }
}

pin_project_lite::pin_project! {
    struct Counted {
        #[pin]
        inner: Body,
        limit: BodyLimit,
        protocol: Protocol,
        seen: u64,
    }
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            *this.seen += data.len() as u64;
            if *this.seen > this.limit.0 as u64 {
                return Poll::Ready(Some(Err(body_error(*this.limit, *this.protocol))));
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
