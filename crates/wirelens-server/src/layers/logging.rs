//! One log line per call, written when the response body ends (or is dropped): path, protocol,
//! HTTP status, gRPC status (from the headers of a trailers-only response or from the
//! trailers), duration, and bytes received and sent.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http::HeaderMap;
use http_body::Frame;

use super::Protocol;

/// The middleware: counts the bytes of both bodies and logs when the response ends.
pub async fn log(request: Request, next: Next) -> Response {
    let received = Arc::new(AtomicU64::new(0));
    let mut record = Record {
        start: Instant::now(),
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        protocol: Protocol::of(request.headers()),
        received: Arc::clone(&received),
        sent: 0,
        http_status: 0,
        grpc_status: None,
    };
    let request = request.map(|body| Body::new(Counted { inner: body, on_frame: Count(received), record: None }));
    let response = next.run(request).await;
    record.http_status = response.status().as_u16();
    record.grpc_status = grpc_status(response.headers());
    response.map(|body| {
        Body::new(Counted { inner: body, on_frame: Count(Arc::new(AtomicU64::new(0))), record: Some(record) })
    })
}

/// What the log line says; written when dropped.
struct Record {
    start: Instant,
    method: String,
    path: String,
    protocol: Protocol,
    received: Arc<AtomicU64>,
    sent: u64,
    http_status: u16,
    grpc_status: Option<String>,
}

impl Drop for Record {
    fn drop(&mut self) {
        let grpc_status = self.grpc_status.as_deref().unwrap_or("-");
        tracing::info!(
            target: "wirelens_server::access",
            method = %self.method,
            path = %self.path,
            protocol = ?self.protocol,
            http_status = self.http_status,
            grpc_status,
            duration_ms = self.start.elapsed().as_secs_f64() * 1000.0,
            received_bytes = self.received.load(Ordering::Relaxed),
            sent_bytes = self.sent,
        );
    }
}

struct Count(Arc<AtomicU64>);

pin_project_lite::pin_project! {
    /// A body that counts its data bytes and, for responses, finishes the record at its end.
    struct Counted {
        #[pin]
        inner: Body,
        on_frame: Count,
        record: Option<Record>,
    }
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.on_frame.0.fetch_add(data.len() as u64, Ordering::Relaxed);
                    if let Some(record) = this.record.as_mut() {
                        record.sent += data.len() as u64;
                    }
                }
                if let (Some(trailers), Some(record)) = (frame.trailers_ref(), this.record.as_mut()) {
                    record.grpc_status = grpc_status(trailers).or(record.grpc_status.take());
                }
            }
            Poll::Ready(None) => {
                drop(this.record.take()); // the end: log now, not when hyper drops the body
            }
            Poll::Ready(Some(Err(_))) | Poll::Pending => {}
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

fn grpc_status(headers: &HeaderMap) -> Option<String> {
    headers.get("grpc-status").and_then(|v| v.to_str().ok()).map(str::to_owned)
}
