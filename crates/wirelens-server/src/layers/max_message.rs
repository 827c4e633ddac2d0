//! The largest gRPC message a call may send, checked on the 5-byte frame prefixes as the request
//! body streams in: a frame announcing more than the limit ends the call RESOURCE_EXHAUSTED
//! (as the gRPC spec asks; tonic's own check answers OUT_OF_RANGE) before its bytes are read.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::Frame;

use super::Protocol;
use crate::error::ApiError;

/// The limit in bytes, as the middleware's state.
#[derive(Debug, Clone, Copy)]
pub struct MaxMessage(pub usize);

/// The middleware: wraps gRPC request bodies in a [`FrameLimit`]; leaves REST alone.
pub async fn limit(State(MaxMessage(limit)): State<MaxMessage>, request: Request, next: Next) -> Response {
    if Protocol::of(request.headers()) != Protocol::Grpc {
        return next.run(request).await;
    }
    next.run(request.map(|body| Body::new(FrameLimit { inner: body, limit, scanner: Scanner::default() }))).await
}

/// Follows the frame boundaries of a gRPC body, one chunk at a time.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scanner {
    /// Bytes of the current frame's prefix seen so far (up to 5).
    prefix: Vec<u8>,
    /// Payload bytes of the current frame still to come.
    payload_left: u64,
}

impl Scanner {
    /// Reads `chunk`; the first frame length above `limit` is an error.
    pub fn feed(&mut self, mut chunk: &[u8], limit: usize) -> Result<(), u64> {
        // Bounded: every turn consumes at least one byte of `chunk`.
        while !chunk.is_empty() {
            if self.payload_left > 0 {
                let skip = chunk.len().min(usize::try_from(self.payload_left).unwrap_or(usize::MAX));
                self.payload_left -= skip as u64;
                chunk = &chunk[skip..];
                continue;
            }
            let take = chunk.len().min(5 - self.prefix.len());
            self.prefix.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
            if self.prefix.len() == 5 {
                let len =
                    u64::from(u32::from_be_bytes([self.prefix[1], self.prefix[2], self.prefix[3], self.prefix[4]]));
                if len > limit as u64 {
                    return Err(len);
                }
                self.prefix.clear();
                self.payload_left = len;
            }
        }
        Ok(())
    }
}

pin_project_lite::pin_project! {
    /// A request body that fails with a RESOURCE_EXHAUSTED status at an oversized frame.
    struct FrameLimit {
        #[pin]
        inner: Body,
        limit: usize,
        scanner: Scanner,
    }
}

impl http_body::Body for FrameLimit {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
            && let Err(len) = this.scanner.feed(data, *this.limit)
        {
            // tonic looks for a Status in a body error's source chain and sends it as it is.
            let error = ApiError::too_large(&format!("a message of {len} bytes"), *this.limit);
            return Poll::Ready(Some(Err(axum::Error::new(error.to_status()))));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_frame_lengths_across_chunk_boundaries() {
        let mut frames = vec![0, 0, 0, 0, 3, b'a', b'b', b'c'];
        frames.extend([0, 0, 0, 0x01, 0x00]); // 256 bytes announced
        for split in 0..frames.len() {
            let mut scanner = Scanner::default();
            let (a, b) = frames.split_at(split);
            let result = scanner.feed(a, 255).and_then(|()| scanner.feed(b, 255));
            assert_eq!(result, Err(256), "split at {split}");
            let mut scanner = Scanner::default();
            assert_eq!(scanner.feed(a, 256).and_then(|()| scanner.feed(b, 256)), Ok(()), "split at {split}");
        }
    }
}
