//! A method whose request is one message (unary and server-streaming) must get exactly one:
//! a request with none, or with a second, ends UNIMPLEMENTED (a cardinality violation, in the
//! words of gRPC's status code guide). tonic alone would answer an empty request INTERNAL
//! ("Missing request message") and read past a second message as if it were not there. The
//! frames are counted with [`Scanner`], the same reader that enforces the message size limit;
//! which methods take one message comes from the service's descriptors
//! ([`crate::json::pool`]), not from a list kept here.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::Frame;

use super::Protocol;
use super::max_message::Scanner;
use crate::error::ApiError;

/// The method's name when the gRPC `path` (`/package.Service/Method`) names a method of the
/// server's schema that takes a single request message; `None` for a client or bidirectional
/// stream, or a path the schema does not know (tonic answers those UNIMPLEMENTED itself).
pub fn single_request_method(path: &str) -> Option<&str> {
    let (service, method) = path.strip_prefix('/')?.split_once('/')?;
    let service = crate::json::pool().get_service_by_name(service)?;
    let found = service.methods().find(|m| m.name() == method)?;
    (!found.is_client_streaming()).then_some(method)
}

/// Counts the frames of one request body: the first frame after the one allowed, or an end
/// with none, is the violation.
#[derive(Debug, Default, Clone)]
pub struct OneMessage {
    scanner: Scanner,
}

impl OneMessage {
    /// The next chunk of the (binary, gRPC-framed) body; `Err` once a second frame begins.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Violation> {
        // The size limit is `max_message`'s business: no length is too large here.
        let _ = self.scanner.feed(chunk, usize::MAX);
        if self.scanner.frames_started() > 1 { Err(Violation::More) } else { Ok(()) }
    }

    /// The end of the body; `Err` when no frame began.
    pub fn end(&self) -> Result<(), Violation> {
        if self.scanner.frames_started() == 0 { Err(Violation::None) } else { Ok(()) }
    }
}

/// How many messages a single-message request had instead of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    None,
    More,
}

impl Violation {
    pub fn to_error(self, method: &str) -> ApiError {
        ApiError::cardinality(method, if self == Violation::None { "none" } else { "more than one" })
    }
}

/// The middleware: gRPC requests to single-message methods get their body counted.
pub async fn one_message(request: Request, next: Next) -> Response {
    if Protocol::of(request.headers()) != Protocol::Grpc {
        return next.run(request).await;
    }
    let Some(method) = single_request_method(request.uri().path()).map(Arc::<str>::from) else {
        return next.run(request).await;
    };
    next.run(
        request.map(|inner| {
            Body::new(Counted { inner, method, count: OneMessage::default(), violation: None, done: false })
        }),
    )
    .await
}

pin_project_lite::pin_project! {
    /// A request body that fails with UNIMPLEMENTED when it has ended with no frame, or with a
    /// second one. The rest after the start of a second frame is read (and dropped) first: a
    /// body that is also malformed further on gets that error instead (from the body itself, or
    /// from `grpc_web_body` outside), since broken framing is the more basic fault.
    struct Counted {
        #[pin]
        inner: Body,
        method: Arc<str>,
        count: OneMessage,
        // Found, and waiting for the end of the body to be given.
        violation: Option<Violation>,
        // True once the error has been given.
        done: bool,
    }
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let mut this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        // Bounded by the body: every turn consumes one of its frames.
        loop {
            let polled = this.inner.as_mut().poll_frame(cx);
            if this.violation.is_some() {
                match polled {
                    Poll::Ready(Some(Ok(_))) => continue,
                    Poll::Ready(None) => break,
                    other => return other,
                }
            }
            let counted = match &polled {
                Poll::Ready(Some(Ok(frame))) => frame.data_ref().map_or(Ok(()), |data| this.count.feed(data)),
                Poll::Ready(None) => this.count.end(),
                Poll::Ready(Some(Err(_))) | Poll::Pending => Ok(()),
            };
            match counted {
                Ok(()) => return polled,
                Err(violation) => *this.violation = Some(violation),
            }
            if matches!(polled, Poll::Ready(None)) {
                break;
            }
        }
        *this.done = true;
        let violation = this.violation.unwrap_or(Violation::None);
        // tonic looks for a Status in a body error's source chain and sends it as it is.
        Poll::Ready(Some(Err(axum::Error::new(violation.to_error(this.method).to_status()))))
    }

    fn is_end_stream(&self) -> bool {
        // An empty body still has its error to give.
        self.done || (self.violation.is_none() && self.inner.is_end_stream() && self.count.end().is_ok())
    }

    fn size_hint(&self) -> http_body::SizeHint {
        let mut hint = self.inner.size_hint();
        hint.set_lower(0);
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_message_methods_come_from_the_schema() {
        assert_eq!(single_request_method("/userservice.UserService/GetUser"), Some("GetUser"));
        assert_eq!(single_request_method("/userservice.UserService/ListUsers"), Some("ListUsers"));
        assert_eq!(single_request_method("/userservice.UserService/UploadUserPhotos"), None);
        assert_eq!(single_request_method("/userservice.UserService/Chat"), None);
        assert_eq!(single_request_method("/userservice.UserService/Nope"), None);
        assert_eq!(single_request_method("/nope.Service/GetUser"), None);
        assert_eq!(single_request_method("GetUser"), None);
    }

    #[test]
    fn one_frame_in_any_chunking_and_nothing_else() {
        let one = [0, 0, 0, 0, 2, 0x08, 0x2A];
        // The first byte of a second frame is enough to tell.
        let two = [one.as_slice(), &[0]].concat();
        for split in 0..=one.len() {
            let mut count = OneMessage::default();
            let result = count.feed(&one[..split]).and_then(|()| count.feed(&one[split..]));
            assert_eq!(result.and_then(|()| count.end()), Ok(()), "split at {split}");
        }
        for split in 0..=two.len() {
            let mut count = OneMessage::default();
            let result = count.feed(&two[..split]).and_then(|()| count.feed(&two[split..]));
            assert_eq!(result, Err(Violation::More), "split at {split}");
        }
        assert_eq!(OneMessage::default().end(), Err(Violation::None));
        let mut empty_chunks = OneMessage::default();
        assert_eq!(empty_chunks.feed(&[]).and_then(|()| empty_chunks.end()), Err(Violation::None));
    }
}
