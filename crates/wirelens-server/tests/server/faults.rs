//! Faults a server meets in the wild, in process: more calls than it takes at once (load
//! shedding), a request body over the total limit, and clients that connect and then send
//! their headers slowly or not at all. Each ends in a status or a closed connection, and the
//! server goes on serving.

use std::time::Duration;

use http::StatusCode;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;
use wirelens_api::{ChatMessage, GetUserRequest, PhotoUpload};
use wirelens_server::{Config, DEMO_TOKEN, store};

use crate::raw::{H1, post};
use crate::support::{TestServer, authed, reason};

fn config() -> Config {
    Config { rate_limit: None, ..Config::default() }
}

fn rest_get(path: &str) -> http::Request<http_body_util::Full<bytes::Bytes>> {
    http::Request::get(path)
        .header("host", "127.0.0.1")
        .header("authorization", format!("Bearer {DEMO_TOKEN}"))
        .body(http_body_util::Full::default())
        .unwrap()
}

#[tokio::test]
async fn calls_beyond_the_concurrency_limit_are_shed_until_one_ends() {
    let server = TestServer::with_config(Config { max_concurrent_calls: 2, ..config() }).await;
    let mut client = server.client().await;

    // Two chats, each answered once: both are in progress, holding the two permits.
    let mut open = Vec::new();
    for name in ["ann", "bob"] {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let mut replies = client.chat(authed(ReceiverStream::new(rx))).await.unwrap().into_inner();
        tx.send(ChatMessage { from: name.into(), text: "hi".into(), sent_at: None }).await.unwrap();
        assert_eq!(replies.next().await.unwrap().unwrap().text, format!("#1 {name}: hi"));
        open.push((tx, replies));
    }

    // A third call of any kind is refused at once, without waiting for a permit.
    let status = client.get_user(authed(GetUserRequest { user_id: 42 })).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert_eq!(reason(&status).as_deref(), Some("OVERLOADED"));
    assert_eq!(status.message(), "the server is busy: 2 calls are in progress, retry later");
    let mut h1 = H1::connect(server.addr).await;
    let reply = h1.send(rest_get("/v1/users/42")).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{reply:?}");
    assert_eq!(reply.header("retry-after"), Some("1"));
    let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");

    // One chat ends: its permit is back by the time its trailers reach the client.
    let (tx, mut replies) = open.pop().unwrap();
    drop(tx);
    assert!(replies.next().await.is_none(), "the chat ended OK");
    let user = client.get_user(authed(GetUserRequest { user_id: 42 })).await.unwrap().into_inner();
    assert_eq!(user.user.unwrap().name, "Alice");
    // ... and only one: the other chat still holds its own.
    let (tx, mut replies) = open.pop().unwrap();
    let (busy_tx, busy_rx) = tokio::sync::mpsc::channel(1);
    let mut third = client.chat(authed(ReceiverStream::new(busy_rx))).await.unwrap().into_inner();
    let status = client.get_user(authed(GetUserRequest { user_id: 42 })).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "two chats open again: {status:?}");
    drop(tx);
    assert!(replies.next().await.is_none());
    drop(busy_tx);
    assert!(third.next().await.is_none());
}

#[tokio::test]
async fn a_request_body_over_the_total_limit_is_refused_both_twins() {
    let server = TestServer::with_config(Config { max_request_bytes: 1000, ..config() }).await;
    let mut client = server.client().await;

    // Ten frames of about 210 bytes: each message is small, the stream as a whole is not.
    let chunks = (0..10u32).map(|i| PhotoUpload {
        user_id: if i == 0 { 42 } else { 0 },
        chunk: vec![i as u8; 200],
        chunk_index: i,
        ..Default::default()
    });
    let status = client.upload_user_photos(authed(tokio_stream::iter(chunks))).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert_eq!(status.message(), "the request body is larger than the limit of 1000 bytes");
    assert_eq!(reason(&status).as_deref(), Some("TOO_LARGE"));

    // REST with a content-length over the limit: refused before the body is read.
    let mut h1 = H1::connect(server.addr).await;
    let mut request = post("/v1/users/42/photos?filename=a.png", "image/png", vec![7u8; 2000]);
    request.headers_mut().insert("content-type", "image/png".parse().unwrap());
    let reply = h1.send(request).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{reply:?}");
    let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(body["error"]["message"], "the request body is larger than the limit of 1000 bytes");

    // REST, chunked (no content-length): the bytes are counted as they come.
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /v1/users/42/photos HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {DEMO_TOKEN}\r\n\
         content-type: image/png\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    let mut request = head.into_bytes();
    for _ in 0..3 {
        request.extend_from_slice(b"258\r\n"); // 600 bytes
        request.extend_from_slice(&[9u8; 600]);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // One write: the whole request is in before the server answers, so closing after the
    // answer cannot reset the connection under bytes it never read.
    tcp.write_all(&request).await.unwrap();
    let answer = read_until_closed_or(&mut tcp, b"\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // Nothing was stored, and a call under the limit goes through.
    assert_eq!(server.store.run(|conn| store::photo_counts(conn)).await.unwrap(), (0, 0));
    let small = PhotoUpload { user_id: 42, chunk: vec![1; 500], ..Default::default() };
    let result = client.upload_user_photos(authed(tokio_stream::iter([small]))).await.unwrap().into_inner();
    assert_eq!(result.total_bytes, 500);
}

/// Reads from `tcp` until `end` has been read or the connection closes; at most 10 s.
async fn read_until_closed_or(tcp: &mut TcpStream, end: &[u8]) -> String {
    let mut read = Vec::new();
    let mut buffer = [0; 1024];
    while !read.windows(end.len()).any(|w| w == end) {
        let n = match tokio::time::timeout(Duration::from_secs(10), tcp.read(&mut buffer)).await {
            Ok(Ok(n)) => n,
            Ok(Err(_)) => 0, // reset: closed as well
            Err(_) => panic!("neither {end:?} nor a close within 10 s: {:?}", String::from_utf8_lossy(&read)),
        };
        if n == 0 {
            break;
        }
        read.extend_from_slice(&buffer[..n]);
    }
    String::from_utf8_lossy(&read).into_owned()
}

#[tokio::test]
async fn slow_or_silent_clients_are_disconnected_after_the_header_read_timeout() {
    let timeout = Duration::from_millis(300);
    let server = TestServer::with_config(Config { header_read_timeout: Some(timeout), ..config() }).await;
    // Never reached: each connection must close first (its read sees the end, not this text).
    const NEVER: &[u8] = b"\0never\0";
    let stalls: [&[u8]; 4] = [
        b"",                                                 // connects, sends nothing
        b"GET /v1/users/42 HTTP/1.1\r\nhost: 127.0.0.1\r\n", // half a head, then silence
        b"PRI * HTTP/2.0\r\n",                               // half the HTTP/2 preface
        b"P",                                                // not even enough to tell which
    ];
    let mut stalled = Vec::new();
    for bytes in stalls {
        let mut tcp = TcpStream::connect(server.addr).await.unwrap();
        tcp.write_all(bytes).await.unwrap();
        stalled.push((bytes, tcp));
    }
    // Meanwhile, a prompt client is served on a connection of its own.
    let mut h1 = H1::connect(server.addr).await;
    assert_eq!(h1.send(rest_get("/v1/users/42")).await.status, StatusCode::OK);
    for (bytes, mut tcp) in stalled {
        let read = read_until_closed_or(&mut tcp, NEVER).await;
        // hyper answers a head it timed out on with nothing, or with 408; never with the user.
        assert!(read.is_empty() || read.starts_with("HTTP/1.1 408"), "after {bytes:?}: {read}");
    }
    // An idle keep-alive connection is closed the same way once its call is done.
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let head = format!("GET /v1/users/42 HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {DEMO_TOKEN}\r\n\r\n");
    tcp.write_all(head.as_bytes()).await.unwrap();
    let answer = read_until_closed_or(&mut tcp, NEVER).await;
    assert!(answer.starts_with("HTTP/1.1 200") && answer.contains("Alice"), "{answer}");
}
