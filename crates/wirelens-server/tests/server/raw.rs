//! Hand-made requests on one connection: HTTP/1.1 (grpc-web, REST) and HTTP/2 (native gRPC)
//! through hyper's connection API, with gRPC frames built and split by hand.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tonic::Code;
use wirelens_server::DEMO_TOKEN;

use crate::support::TestServer;

/// A response read to its end.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub trailers: Option<HeaderMap>,
    /// True when the headers ended the response (HTTP/2 END_STREAM on HEADERS): a trailers-only
    /// gRPC answer must, or strict clients (grpcio) drop the call.
    pub ended_with_headers: bool,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One HTTP/1.1 connection (keep-alive): requests go one after another on it.
pub struct H1(hyper::client::conn::http1::SendRequest<Full<Bytes>>);

impl H1 {
    pub async fn connect(addr: SocketAddr) -> H1 {
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await.unwrap();
        tokio::spawn(conn);
        H1(send)
    }

    pub async fn send(&mut self, request: Request<Full<Bytes>>) -> Reply {
        self.0.ready().await.expect("the connection is still open");
        read(self.0.send_request(request).await.unwrap()).await
    }
}

/// One HTTP/2 connection, prior knowledge (h2c), as native gRPC clients open them.
pub struct H2(hyper::client::conn::http2::SendRequest<Full<Bytes>>);

impl H2 {
    pub async fn connect(addr: SocketAddr) -> H2 {
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (send, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp)).await.unwrap();
        tokio::spawn(conn);
        H2(send)
    }

    pub async fn send(&mut self, request: Request<Full<Bytes>>) -> Reply {
        self.0.ready().await.unwrap();
        read(self.0.send_request(request).await.unwrap()).await
    }
}

async fn read(response: http::Response<hyper::body::Incoming>) -> Reply {
    use http_body::Body as _;
    let ended_with_headers = response.body().is_end_stream();
    let (parts, body) = response.into_parts();
    let collected = tokio::time::timeout(Duration::from_secs(10), body.collect()).await.unwrap().unwrap();
    let trailers = collected.trailers().cloned();
    Reply { status: parts.status, headers: parts.headers, body: collected.to_bytes(), trailers, ended_with_headers }
}

/// A POST of `body` to `path` with `content-type` and the demo token.
pub fn post(path: &str, content_type: &str, body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    Request::post(path)
        .header("content-type", content_type)
        .header("authorization", format!("Bearer {DEMO_TOKEN}"))
        .header("host", "127.0.0.1")
        .body(Full::new(body.into()))
        .unwrap()
}

/// A gRPC frame: flag byte, 4-byte big-endian length, payload.
pub fn frame(flag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![flag];
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Splits a body into `(flag, payload)` frames; panics unless the frames tile it exactly.
pub fn frames(body: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        assert!(rest.len() >= 5, "a truncated frame header: {rest:02x?}");
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        assert!(rest.len() >= 5 + len, "frame of {len} bytes, {} left", rest.len() - 5);
        out.push((rest[0], rest[5..5 + len].to_vec()));
        rest = &rest[5 + len..];
    }
    out
}

#[tokio::test]
async fn native_deadline_exceeded_comes_from_the_server() {
    let server = TestServer::start().await;
    let mut h2 = H2::connect(server.addr).await;
    let mut request = post("/userservice.UserService/GetUser", "application/grpc", frame(0, &[0x08, 0x2A]));
    request.headers_mut().insert("te", "trailers".parse().unwrap());
    request.headers_mut().insert("grpc-timeout", "100m".parse().unwrap());
    request.headers_mut().insert("x-wirelens-work-ms", "5000".parse().unwrap());
    let reply = h2.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    // Trailers-only: the status is in the headers, the body is empty.
    assert_eq!(reply.header("grpc-status"), Some(&*(Code::DeadlineExceeded as i32).to_string()));
    assert_eq!(reply.header("grpc-message"), Some("deadline%20of%20100%20ms%20exceeded"));
    assert!(reply.header("grpc-status-details-bin").is_some(), "ErrorInfo is attached");
    assert!(reply.body.is_empty());
    assert!(reply.ended_with_headers, "trailers-only: END_STREAM on the HEADERS frame");

    // The same connection serves the next call.
    let mut request = post("/userservice.UserService/GetUser", "application/grpc", frame(0, &[0x08, 0x2A]));
    request.headers_mut().insert("te", "trailers".parse().unwrap());
    let reply = h2.send(request).await;
    assert_eq!(reply.trailers.unwrap().get("grpc-status").unwrap(), "0");
    let frames = frames(&reply.body);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].1.len(), 45, "GetUserResponse: 0A 2B and the 43-byte user");
}

#[tokio::test]
async fn a_native_error_from_the_service_is_trailers_only_with_end_stream() {
    // NOT_FOUND comes from the service itself, through every layer's response body.
    let server = TestServer::start().await;
    let mut h2 = H2::connect(server.addr).await;
    let mut request = post("/userservice.UserService/GetUser", "application/grpc", frame(0, &[0x08, 0x63]));
    request.headers_mut().insert("te", "trailers".parse().unwrap());
    let reply = h2.send(request).await;
    assert_eq!(reply.header("grpc-status"), Some(&*(Code::NotFound as i32).to_string()), "{reply:?}");
    assert!(reply.body.is_empty() && reply.trailers.is_none(), "{reply:?}");
    assert!(reply.ended_with_headers, "trailers-only: END_STREAM on the HEADERS frame");
}

#[tokio::test]
async fn native_unary_with_two_messages_or_none_ends_unimplemented() {
    let server = TestServer::start().await;
    let mut h2 = H2::connect(server.addr).await;
    let get_user = |body: Vec<u8>| {
        let mut request = post("/userservice.UserService/GetUser", "application/grpc", body);
        request.headers_mut().insert("te", "trailers".parse().unwrap());
        request
    };
    let one = frame(0, &[0x08, 0x2A]);
    for (body, found) in [([one.clone(), one.clone()].concat(), "more than one"), (Vec::new(), "none")] {
        let reply = h2.send(get_user(body)).await;
        assert_eq!(reply.header("grpc-status"), Some(&*(Code::Unimplemented as i32).to_string()), "{reply:?}");
        assert_eq!(
            wirelens_core::grpcweb::percent_decode(reply.header("grpc-message").unwrap()),
            format!("GetUser takes exactly one request message, the request has {found}")
        );
        assert!(reply.body.is_empty() && reply.ended_with_headers, "trailers-only: {reply:?}");
    }
    // One message is still a call.
    let reply = h2.send(get_user(one)).await;
    assert_eq!(reply.trailers.unwrap().get("grpc-status").unwrap(), "0");
}
