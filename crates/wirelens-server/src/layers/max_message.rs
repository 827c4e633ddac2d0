//! The largest gRPC message, both ways, checked on the 5-byte frame prefixes as the bodies
//! stream: a request frame announcing more than the limit ends the call RESOURCE_EXHAUSTED
//! before its bytes are read; a response frame over the limit is not sent, and the call ends
//! RESOURCE_EXHAUSTED in its trailers after the messages before it. The gRPC spec asks for
//! RESOURCE_EXHAUSTED both ways; tonic's own checks answer OUT_OF_RANGE, so `app` turns
//! tonic's encoding limit off and this layer is the one place the limit lives. It sits inside
//! tonic-web, so grpc-web gets the same status (in its trailer frame).

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http::HeaderMap;
use http_body::Frame;

use super::Protocol;
use crate::error::ApiError;

/// The limit in bytes, as the middleware's state.
#[derive(Debug, Clone, Copy)]
pub struct MaxMessage(pub usize);

/// The middleware: wraps gRPC request bodies in a `FrameLimit` and response bodies in a
/// `ResponseLimit`; leaves REST alone.
pub async fn limit(State(MaxMessage(limit)): State<MaxMessage>, request: Request, next: Next) -> Response {
    if Protocol::of(request.headers()) != Protocol::Grpc {
        return next.run(request).await;
    }
    let request = request.map(|body| Body::new(FrameLimit { inner: body, limit, scanner: Scanner::default() }));
    let response = next.run(request).await;
    response.map(|body| {
        Body::new(ResponseLimit { inner: body, limit, scanner: Scanner::default(), seen: 0, ending: None, done: false })
    })
}

/// A frame that announces more than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oversized {
    /// The length its header announces.
    pub len: u64,
    /// The offset of its flag byte in the whole body.
    pub at: u64,
}

/// Follows the frame boundaries of a gRPC body, one chunk at a time.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scanner {
    /// Bytes of the current frame's prefix seen so far (up to 5).
    prefix: Vec<u8>,
    /// Payload bytes of the current frame still to come.
    payload_left: u64,
    /// Bytes read so far, all chunks together.
    offset: u64,
    /// Frames begun so far (a frame begins with its first prefix byte).
    started: u64,
}

impl Scanner {
    /// Reads `chunk`; the first frame length above `limit` is an error.
    pub fn feed(&mut self, mut chunk: &[u8], limit: usize) -> Result<(), Oversized> {
        // Bounded: every turn consumes at least one byte of `chunk`.
        while !chunk.is_empty() {
            if self.payload_left > 0 {
                let skip = chunk.len().min(usize::try_from(self.payload_left).unwrap_or(usize::MAX));
                self.payload_left -= skip as u64;
                self.offset += skip as u64;
                chunk = &chunk[skip..];
                continue;
            }
            if self.prefix.is_empty() {
                self.started += 1;
            }
            let take = chunk.len().min(5 - self.prefix.len());
            self.prefix.extend_from_slice(&chunk[..take]);
            self.offset += take as u64;
            chunk = &chunk[take..];
            if self.prefix.len() == 5 {
                let len =
                    u64::from(u32::from_be_bytes([self.prefix[1], self.prefix[2], self.prefix[3], self.prefix[4]]));
                if len > limit as u64 {
                    return Err(Oversized { len, at: self.offset - 5 });
                }
                self.prefix.clear();
                self.payload_left = len;
            }
        }
        Ok(())
    }

    /// How many frames have begun, the one under way included.
    pub fn frames_started(&self) -> u64 {
        self.started
    }

    /// True between frames: no prefix or payload byte is missing.
    pub fn at_boundary(&self) -> bool {
        self.prefix.is_empty() && self.payload_left == 0
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
            && let Err(Oversized { len, .. }) = this.scanner.feed(data, *this.limit)
        {
            // tonic looks for a Status in a body error's source chain and sends it as it is.
            let error = ApiError::too_large(&format!("a request message of {len} bytes"), *this.limit);
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

pin_project_lite::pin_project! {
    /// A response body that stops before an oversized frame and ends with RESOURCE_EXHAUSTED
    /// trailers instead of the ones the service would have sent.
    struct ResponseLimit {
        #[pin]
        inner: Body,
        limit: usize,
        scanner: Scanner,
        // Bytes passed on so far.
        seen: u64,
        // The trailers to send next, once the frames before the oversized one are out.
        ending: Option<HeaderMap>,
        done: bool,
    }
}

impl http_body::Body for ResponseLimit {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        if let Some(trailers) = this.ending.take() {
            *this.done = true;
            return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
        }
        let frame = match this.inner.poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            other => return other,
        };
        let Some(data) = frame.data_ref() else { return Poll::Ready(Some(Ok(frame))) };
        let start = *this.seen;
        *this.seen += data.len() as u64;
        let Err(Oversized { len, at }) = this.scanner.feed(data, *this.limit) else {
            return Poll::Ready(Some(Ok(frame)));
        };
        let error = ApiError::too_large(&format!("a response message of {len} bytes"), *this.limit);
        let status = error.to_status();
        // tonic writes whole frames per chunk, so the oversized one starts in this chunk; were
        // its header split, the client would hold half a frame: reset instead.
        let Some(cut) = at.checked_sub(start).and_then(|cut| usize::try_from(cut).ok()) else {
            *this.done = true;
            return Poll::Ready(Some(Err(axum::Error::new(status))));
        };
        let mut trailers = HeaderMap::new();
        if status.add_header(&mut trailers).is_err() {
            *this.done = true;
            return Poll::Ready(Some(Err(axum::Error::new(status))));
        }
        let before = frame.into_data().map(|data| data.slice(..cut)).unwrap_or_default();
        if before.is_empty() {
            *this.done = true;
            return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
        }
        *this.ending = Some(trailers);
        Poll::Ready(Some(Ok(Frame::data(before))))
    }

    fn is_end_stream(&self) -> bool {
        // Passed through while nothing was cut: a trailers-only answer's empty body must say it
        // is over, or HTTP/2 sends the headers without END_STREAM (grpcio then drops the call).
        self.done || (self.ending.is_none() && self.inner.is_end_stream())
    }

    fn size_hint(&self) -> http_body::SizeHint {
        if self.done {
            return http_body::SizeHint::with_exact(0);
        }
        // The body may end early: the upper bound holds, the lower does not.
        let mut hint = self.inner.size_hint();
        hint.set_lower(0);
        hint
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
            assert_eq!(result, Err(Oversized { len: 256, at: 8 }), "split at {split}");
            let mut scanner = Scanner::default();
            assert_eq!(scanner.feed(a, 256).and_then(|()| scanner.feed(b, 256)), Ok(()), "split at {split}");
        }
    }
}
