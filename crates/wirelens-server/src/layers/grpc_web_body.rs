//! grpc-web request bodies checked frame by frame before tonic-web reads them, with core's
//! [`grpcweb::Parser`] (the one grpc-web framing parser: the app reads responses with it). A bad
//! frame header, a body that ends inside a frame, a character that is not base64 in
//! grpc-web-text, or a compressed frame when the request names no `grpc-encoding` ends the call
//! INTERNAL with what was wrong and where (a byte offset; for base64, a character position) as
//! `grpc-message`, instead of tonic-web's generic `Unexpected EOF` or `Invalid symbol`.
//!
//! The body streams through unbuffered. When the call fails before its response starts (every
//! unary call: tonic reads the whole request first), the layer answers itself, trailers-only;
//! a stream already under way ends with tonic-web's INTERNAL, whose message carries the same
//! reason.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http::HeaderValue;
use http_body::Frame;
use wirelens_core::grpcweb::{self, Encoding, FrameError, Parser};

use crate::error::ApiError;

/// What is wrong with a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Malformed {
    /// The framing (or the base64 around it), as core's parser reports it.
    Frame(FrameError),
    /// A message frame with the compressed flag, but no `grpc-encoding` to decompress it with.
    Compressed { offset: usize },
}

impl Malformed {
    /// The byte offset in the decoded body (a character position for base64 errors).
    pub fn offset(&self) -> usize {
        match self {
            Malformed::Frame(error) => error.offset(),
            Malformed::Compressed { offset } => *offset,
        }
    }

    pub fn to_error(&self) -> ApiError {
        ApiError::malformed_request(format!("malformed grpc-web request: {self}"), self.offset())
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::Frame(error) => error.fmt(f),
            Malformed::Compressed { offset } => write!(
                f,
                "frame at byte {offset} has the compressed flag (0x01), but the request names no grpc-encoding"
            ),
        }
    }
}

/// Checks one body: fed chunk by chunk, then ended.
#[derive(Debug)]
pub struct Checker {
    parser: Parser,
    /// True when the request names a `grpc-encoding` other than `identity`.
    encoded: bool,
}

impl Checker {
    pub fn new(encoding: Encoding, grpc_encoding: Option<&HeaderValue>) -> Checker {
        Checker { parser: Parser::new(encoding), encoded: grpc_encoding.is_some_and(|v| v != "identity") }
    }

    /// The next chunk of the body, as it came.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Malformed> {
        let frames = self.parser.push(chunk);
        self.check(&frames)
    }

    /// The end of the body: a frame (or base64 group) left open is an error.
    pub fn end(&mut self) -> Result<(), Malformed> {
        let frames = self.parser.finish();
        self.check(&frames)
    }

    fn check(&self, frames: &[grpcweb::Frame]) -> Result<(), Malformed> {
        if let Some(frame) = frames.iter().find(|f| f.is_compressed() && !self.encoded) {
            return Err(Malformed::Compressed { offset: frame.offset });
        }
        self.parser.error().map_or(Ok(()), |error| Err(Malformed::Frame(error.clone())))
    }
}

/// The middleware, in front of tonic-web: grpc-web requests only.
pub async fn check(request: Request, next: Next) -> Response {
    let content_type = request.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let Some(encoding) = content_type.and_then(Encoding::from_content_type) else {
        return next.run(request).await;
    };
    let checker = Checker::new(encoding, request.headers().get("grpc-encoding"));
    let found = Arc::new(Mutex::new(None));
    let request =
        request.map(|body| Body::new(Checked { inner: body, checker: Some(checker), found: Arc::clone(&found) }));
    let response = next.run(request).await;
    let malformed = found.lock().unwrap_or_else(PoisonError::into_inner).take();
    match malformed {
        // Trailers-only: the call failed before its response began, so the answer can be ours.
        Some(malformed) if response.headers().contains_key("grpc-status") => {
            let mut response = malformed.to_error().to_status().into_http::<Body>();
            response
                .headers_mut()
                .insert(http::header::CONTENT_TYPE, HeaderValue::from_static(encoding.content_type()));
            response
        }
        _ => response,
    }
}

pin_project_lite::pin_project! {
    /// A request body that fails at its first malformed frame, and says why in `found`.
    struct Checked {
        #[pin]
        inner: Body,
        // `None` once the body has failed or ended.
        checker: Option<Checker>,
        found: Arc<Mutex<Option<Malformed>>>,
    }
}

impl http_body::Body for Checked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.project();
        let polled = this.inner.poll_frame(cx);
        let Some(checker) = this.checker.as_mut() else { return polled };
        let checked = match &polled {
            Poll::Ready(Some(Ok(frame))) => frame.data_ref().map_or(Ok(()), |data| checker.feed(data)),
            Poll::Ready(None) => {
                let ended = checker.end();
                *this.checker = None;
                ended
            }
            Poll::Ready(Some(Err(_))) | Poll::Pending => Ok(()),
        };
        match checked {
            Ok(()) => polled,
            Err(malformed) => {
                *this.checker = None;
                let status = malformed.to_error().to_status();
                *this.found.lock().unwrap_or_else(PoisonError::into_inner) = Some(malformed);
                // The bad chunk goes no further: tonic-web would fail on it with its own words.
                Poll::Ready(Some(Err(axum::Error::new(status))))
            }
        }
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

    fn check(encoding: Encoding, grpc_encoding: Option<&str>, chunks: &[&[u8]]) -> Result<(), String> {
        let grpc_encoding = grpc_encoding.map(|v| HeaderValue::from_str(v).unwrap());
        let mut checker = Checker::new(encoding, grpc_encoding.as_ref());
        chunks.iter().try_for_each(|chunk| checker.feed(chunk)).and_then(|()| checker.end()).map_err(|m| m.to_string())
    }

    #[test]
    fn names_what_is_wrong_and_where() {
        let ok = grpcweb::frame(0, &[0x08, 0x2A]);
        assert_eq!(check(Encoding::Binary, None, &[&ok[..3], &ok[3..]]), Ok(()));
        assert_eq!(
            check(Encoding::Binary, None, &[&[0, 0, 0, 0, 100, 0x08, 0x2A]]).unwrap_err(),
            "frame at byte 0 says its payload is 100 bytes, but the body ends after 2"
        );
        assert_eq!(
            check(Encoding::Binary, None, &[&ok, &[0, 0, 0]]).unwrap_err(),
            "the body ends inside a frame header at byte 7: 3 of 5 bytes"
        );
        assert_eq!(
            check(Encoding::Binary, None, &[&ok, &[0x42, 0, 0, 0, 0]]).unwrap_err(),
            "frame at byte 7 has unknown flag bits 0x42 (flags 0x42)"
        );
        assert_eq!(
            check(Encoding::Text, None, &[b"AAAA", b"AA!A"]).unwrap_err(),
            "invalid base64 character '!' at character 6"
        );
        let compressed = grpcweb::frame(1, &[0x08, 0x2A]);
        assert_eq!(
            check(Encoding::Binary, None, &[&ok, &compressed]).unwrap_err(),
            "frame at byte 7 has the compressed flag (0x01), but the request names no grpc-encoding"
        );
        assert_eq!(check(Encoding::Binary, Some("gzip"), &[&compressed]), Ok(()), "tonic answers that encoding");
        assert!(check(Encoding::Binary, Some("identity"), &[&compressed]).is_err());
    }
}
