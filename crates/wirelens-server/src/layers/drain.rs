//! An HTTP/1.1 request answered before its body was read (a missing token, the rate limit, a
//! wrong content type) has the rest of its body read before the answer goes out. Otherwise
//! hyper closes the connection with the body still on the way, and a client that sends the
//! headers and the body in two writes (Node's http, so Connect's grpc-web transport) gets
//! EPIPE instead of the status. Bounded: at most [`DRAIN_BYTES`] within [`DRAIN_TIME`];
//! past that the connection is closed as before. HTTP/2 needs none of this (a stream is reset,
//! the connection lives on).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http::Version;
use http_body::Frame;
use http_body_util::BodyExt as _;
use tokio::sync::oneshot;

/// The most request bytes read after an early answer.
pub const DRAIN_BYTES: usize = 256 * 1024;
/// The longest an early answer waits for the rest of its request.
pub const DRAIN_TIME: Duration = Duration::from_secs(1);

/// The middleware, outermost: hands the request body on, and takes it back if it is dropped
/// unread.
pub async fn drain_unread(request: Request, next: Next) -> Response {
    if request.version() >= Version::HTTP_2 {
        return next.run(request).await;
    }
    let (back, mut unread) = oneshot::channel();
    let request = request.map(|body| Body::new(ReturnUnread { inner: Some(body), back: Some(back) }));
    let response = next.run(request).await;
    // Only a body already dropped: one still held (a stream under way) is none of this layer's.
    if let Ok(mut body) = unread.try_recv() {
        let _ = tokio::time::timeout(DRAIN_TIME, async {
            let mut read = 0;
            while let Some(Ok(frame)) = body.frame().await {
                read += frame.data_ref().map_or(0, Bytes::len);
                if read > DRAIN_BYTES {
                    break;
                }
            }
        })
        .await;
    }
    response
}

/// A body that sends itself back when dropped before its end.
struct ReturnUnread {
    inner: Option<Body>,
    back: Option<oneshot::Sender<Body>>,
}

impl http_body::Body for ReturnUnread {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let Some(inner) = self.inner.as_mut() else { return Poll::Ready(None) };
        let polled = Pin::new(inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            self.back = None; // read to its end (or broken): nothing to drain
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(http_body::Body::is_end_stream)
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.as_ref().map(http_body::Body::size_hint).unwrap_or_default()
    }
}

impl Drop for ReturnUnread {
    fn drop(&mut self) {
        if let (Some(back), Some(inner)) = (self.back.take(), self.inner.take())
            && !http_body::Body::is_end_stream(&inner)
        {
            let _ = back.send(inner);
        }
    }
}
