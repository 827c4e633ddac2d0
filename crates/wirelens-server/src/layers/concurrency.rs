//! Load shedding: at most `max_concurrent_calls` API calls in progress, gRPC and REST together.
//! A call beyond that is answered at once RESOURCE_EXHAUSTED (HTTP 503 with `Retry-After` on
//! REST) instead of waiting in a queue, so a flood costs a refusal each, not memory.
//!
//! A call holds its permit until its response body ends (its trailers pass, or the body is
//! dropped), not only until the handler returns: a ListUsers or Chat stream is in progress
//! for as long as it is open. That is why this is not tower's `ConcurrencyLimit` + `LoadShed`,
//! whose permit is released when the response future completes, i.e. when a stream's headers
//! go out.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::Frame;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{Protocol, reject};
use crate::error::ApiError;

/// The permits of every call; cheap to clone (clones share them).
#[derive(Clone)]
pub struct Calls {
    permits: Arc<Semaphore>,
    limit: usize,
}

impl Calls {
    pub fn new(limit: usize) -> Calls {
        Calls { permits: Arc::new(Semaphore::new(limit.min(Semaphore::MAX_PERMITS))), limit }
    }
}

/// The middleware: a permit or a refusal.
pub async fn shed(State(calls): State<Calls>, request: Request, next: Next) -> Response {
    let Ok(permit) = Arc::clone(&calls.permits).try_acquire_owned() else {
        let protocol = Protocol::of(request.headers());
        let mut response = reject(protocol, &ApiError::overloaded(calls.limit));
        if protocol == Protocol::Rest {
            response.headers_mut().insert(http::header::RETRY_AFTER, 1.into());
        }
        return response;
    };
    next.run(request).await.map(|inner| Body::new(Holding { inner, permit: Some(permit) }))
}

pin_project_lite::pin_project! {
    /// A response body that gives its call's permit back when it ends.
    struct Holding {
        #[pin]
        inner: Body,
        permit: Option<OwnedSemaphorePermit>,
    }
}

impl http_body::Body for Holding {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        let over = match &polled {
            Poll::Ready(Some(Ok(frame))) => frame.is_trailers(),
            Poll::Ready(None | Some(Err(_))) => true,
            Poll::Pending => false,
        };
        if over {
            // Before the client can see the end: a call that follows finds the permit free.
            *this.permit = None;
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
