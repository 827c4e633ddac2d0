//! grpc-web at the byte level, over HTTP/1.1: hand-framed requests in binary
//! (`application/grpc-web+proto`) and text (`application/grpc-web-text`, base64), the data
//! frames and the trailer frame (flag 0x80) of the answers, and malformed requests, each
//! answered with a status on a connection that goes on serving.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::StatusCode;
use prost::Message as _;
use wirelens_api::{GetUserResponse, User};
use wirelens_server::seed;

use wirelens_core::grpcweb::percent_decode;

use crate::raw::{H1, Reply, frame, frames, post};
use crate::support::TestServer;

const GET_USER: &str = "/userservice.UserService/GetUser";
const LIST_USERS: &str = "/userservice.UserService/ListUsers";
const BINARY: &str = "application/grpc-web+proto";
const TEXT: &str = "application/grpc-web-text";

/// `GetUserRequest { user_id: 42 }`: field 1, varint 42.
const USER_42: &[u8] = &[0x08, 0x2A];

/// The trailer frame's text as `name:value` lines.
fn trailer_lines(payload: &[u8]) -> Vec<String> {
    String::from_utf8(payload.to_vec()).unwrap().split("\r\n").filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// A grpc-web-text body decoded: each frame may be its own base64 run (with padding), so the
/// runs are decoded one by one.
fn decode_text(body: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(body).unwrap();
    let mut bytes = Vec::new();
    for run in text.split_inclusive('=').filter(|r| !r.trim_start_matches('=').is_empty()) {
        bytes.extend(STANDARD.decode(run).unwrap());
    }
    bytes
}

/// A well-formed GetUser(42) on `h1` answers Alice: the check that the connection still serves.
async fn still_serves(h1: &mut H1) {
    let reply = h1.send(post(GET_USER, BINARY, frame(0, USER_42))).await;
    let frames = frames(&reply.body);
    assert_eq!(frames.len(), 2, "{reply:?}");
    assert_eq!(GetUserResponse::decode(&*frames[0].1).unwrap().user.unwrap().name, "Alice");
}

/// A trailers-only answer (the status in the headers, no body): what tonic-web sends for a
/// call that fails before any message.
fn assert_status(reply: &Reply, code: &str, message: &str) {
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.header("grpc-status"), Some(code), "{reply:?}");
    assert!(reply.header("grpc-message").unwrap_or_default().contains(message), "{reply:?}");
}

#[tokio::test]
async fn binary_unary_call_has_a_data_frame_then_a_trailer_frame() {
    let server = TestServer::start().await;
    let mut h1 = H1::connect(server.addr).await;
    let reply = h1.send(post(GET_USER, BINARY, frame(0, USER_42))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some(BINARY));
    assert_eq!(reply.trailers, None, "grpc-web carries trailers in the body, not as HTTP trailers");

    let frames = frames(&reply.body);
    assert_eq!(frames.len(), 2);
    let (flag, payload) = &frames[0];
    assert_eq!(*flag, 0x00, "a data frame, uncompressed");
    let mut expected = vec![0x0A, 43]; // GetUserResponse field 1 (LEN), 43 bytes of User
    expected.extend(seed::user(42).encode_to_vec());
    assert_eq!(payload, &expected);
    assert_eq!(&payload[2..6], &[0x08, 0x2A, 0x12, 0x05], "08 2A: id 42; 12 05: a 5-byte name");
    let (flag, payload) = &frames[1];
    assert_eq!(*flag, 0x80, "the trailer frame");
    assert_eq!(trailer_lines(payload), ["grpc-status:0"]);
}

#[tokio::test]
async fn text_mode_is_base64_both_ways() {
    let server = TestServer::start().await;
    let mut h1 = H1::connect(server.addr).await;
    let mut request = post(GET_USER, TEXT, STANDARD.encode(frame(0, USER_42)));
    request.headers_mut().insert("accept", TEXT.parse().unwrap());
    let reply = h1.send(request).await;
    assert_eq!(reply.header("content-type"), Some("application/grpc-web-text+proto"));
    let frames = frames(&decode_text(&reply.body));
    assert_eq!(frames.len(), 2);
    assert_eq!(GetUserResponse::decode(&*frames[0].1).unwrap().user.unwrap(), seed::user(42));
    assert_eq!(frames[1].0, 0x80);
    assert_eq!(trailer_lines(&frames[1].1), ["grpc-status:0"]);
}

#[tokio::test]
async fn server_streaming_sends_one_frame_per_message() {
    let server = TestServer::start().await;
    let mut h1 = H1::connect(server.addr).await;
    // ListUsersRequest { page_size: 3 }: field 1, varint 3.
    let reply = h1.send(post(LIST_USERS, BINARY, frame(0, &[0x08, 0x03]))).await;
    assert_eq!(reply.header("x-wirelens-next-page-token"), Some("3"));
    let frames = frames(&reply.body);
    assert_eq!(frames.len(), 4, "three users and the trailers");
    let ids: Vec<i64> = frames[..3].iter().map(|(_, payload)| User::decode(&payload[..]).unwrap().id).collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(trailer_lines(&frames[3].1), ["grpc-status:0"]);
}

#[tokio::test]
async fn errors_keep_their_code_message_and_details() {
    let server = TestServer::start().await;
    let mut h1 = H1::connect(server.addr).await;
    let reply = h1.send(post(GET_USER, BINARY, frame(0, &[0x08, 0x63]))).await; // id 99
    assert_status(&reply, "5", "no%20user%20with%20id%2099");
    let details = STANDARD.decode(reply.header("grpc-status-details-bin").unwrap().as_bytes()).unwrap();
    let reason = b"USER_NOT_FOUND";
    assert!(details.windows(reason.len()).any(|w| w == reason), "google.rpc.Status with an ErrorInfo");

    let mut unauthenticated = post(GET_USER, BINARY, frame(0, USER_42));
    unauthenticated.headers_mut().remove("authorization");
    assert_status(&h1.send(unauthenticated).await, "16", "missing%20authorization");
    still_serves(&mut h1).await;
}

#[tokio::test]
async fn malformed_requests_get_a_status_and_the_connection_keeps_serving() {
    let server = TestServer::start().await;
    let mut h1 = H1::connect(server.addr).await;
    still_serves(&mut h1).await;

    // Each answered INTERNAL (13) with what was wrong and where, from core's grpc-web parser,
    // and an ErrorInfo carrying the offset.
    let cases: [(&str, Vec<u8>, &str); 6] = [
        // The frame announces 100 bytes; the body has 2.
        (
            BINARY,
            vec![0, 0, 0, 0, 100, 0x08, 0x2A],
            "frame at byte 0 says its payload is 100 bytes, but the body ends after 2",
        ),
        // A whole frame, then three bytes of a five-byte frame header.
        (
            BINARY,
            [frame(0, USER_42), vec![0, 0, 0]].concat(),
            "the body ends inside a frame header at byte 7: 3 of 5 bytes",
        ),
        // A flag byte with bits grpc-web does not define.
        (BINARY, frame(0x42, USER_42), "frame at byte 0 has unknown flag bits 0x42 (flags 0x42)"),
        // The compressed flag, but no grpc-encoding header.
        (
            BINARY,
            frame(0x01, USER_42),
            "frame at byte 0 has the compressed flag (0x01), but the request names no grpc-encoding",
        ),
        // Text mode with bytes that are not base64.
        (TEXT, b"AAAA!!not base64!!".to_vec(), "invalid base64 character '!' at character 4"),
        // Text mode cut inside the frame: valid base64 of a truncated frame.
        (
            TEXT,
            STANDARD.encode(&frame(0, USER_42)[..6]).into_bytes(),
            "frame at byte 0 says its payload is 2 bytes, but the body ends after 1",
        ),
    ];
    for (content_type, body, message) in cases {
        let reply = h1.send(post(GET_USER, content_type, body)).await;
        assert_eq!(reply.header("content-type"), Some(content_type), "{reply:?}");
        assert_status(&reply, "13", "");
        let sent = percent_decode(reply.header("grpc-message").unwrap());
        assert_eq!(sent, format!("malformed grpc-web request: {message}"));
        // Binary metadata is base64 without padding.
        let details = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(reply.header("grpc-status-details-bin").unwrap().trim_end_matches('='))
            .unwrap();
        assert!(details.windows(17).any(|w| w == b"MALFORMED_REQUEST"), "ErrorInfo reason");
        still_serves(&mut h1).await;
    }

    // Not gRPC at all: 415, as the gRPC spec asks of a content type not starting application/grpc.
    let reply = h1.send(post(GET_USER, "text/plain", frame(0, USER_42))).await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{reply:?}");
    assert!(std::str::from_utf8(&reply.body).unwrap().contains("application/grpc-web"));
    still_serves(&mut h1).await;

    // A frame larger than the server's limit: RESOURCE_EXHAUSTED before its bytes are read.
    let reply = h1.send(post(GET_USER, BINARY, vec![0, 0x7F, 0, 0, 0])).await;
    assert_status(&reply, "8", "limit");
    still_serves(&mut h1).await;
}

#[tokio::test]
async fn an_oversized_response_ends_resource_exhausted_in_the_trailer_frame() {
    use wirelens_server::Config;
    let server = TestServer::with_config(Config { max_message_bytes: 44, rate_limit: None, ..Config::default() }).await;
    let mut h1 = H1::connect(server.addr).await;
    for (content_type, text) in [(BINARY, false), (TEXT, true)] {
        let body = if text { STANDARD.encode(frame(0, USER_42)).into_bytes() } else { frame(0, USER_42) };
        let mut request = post(GET_USER, content_type, body);
        request.headers_mut().insert("accept", content_type.parse().unwrap());
        let reply = h1.send(request).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        let body = if text { decode_text(&reply.body) } else { reply.body.to_vec() };
        let frames = frames(&body);
        assert_eq!(frames.len(), 1, "no message frame, only the trailers: {frames:?}");
        assert_eq!(frames[0].0, 0x80);
        let lines = trailer_lines(&frames[0].1);
        assert!(lines.contains(&"grpc-status:8".to_owned()), "{lines:?}");
        assert!(
            lines.contains(
                &"grpc-message:a%20response%20message%20of%2045%20bytes%20is%20larger%20than%20the%20limit%20of%2044%20bytes"
                    .to_owned()
            ),
            "{lines:?}"
        );
    }
    // A message under the limit still goes through on the same connection.
    let reply = h1.send(post(GET_USER, BINARY, frame(0, &[0x08, 0x01]))).await;
    assert_eq!(frames(&reply.body).len(), 2, "{reply:?}");
}

#[tokio::test]
async fn an_early_answer_waits_for_a_body_sent_after_the_headers() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    // Headers first, the body a moment later, as Node's http client writes them: without the
    // token the call is refused before its body is read, and the connection must live on.
    let server = TestServer::start().await;
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head =
        format!("POST {GET_USER} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: {BINARY}\r\ncontent-length: 7\r\n\r\n");
    async fn read_head(tcp: &mut tokio::net::TcpStream) -> String {
        let mut head = Vec::new();
        let mut byte = [0];
        while !head.ends_with(b"\r\n\r\n") {
            let n =
                tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut byte)).await.unwrap().unwrap();
            assert_eq!(n, 1, "the connection closed after {:?}", String::from_utf8_lossy(&head));
            head.push(byte[0]);
        }
        String::from_utf8(head).unwrap().to_ascii_lowercase()
    }
    for _ in 0..2 {
        tcp.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        tcp.write_all(&frame(0, USER_42)).await.unwrap();
        let answer = read_head(&mut tcp).await;
        assert!(answer.starts_with("http/1.1 200"), "{answer}");
        assert!(answer.contains("grpc-status: 16\r\n"), "{answer}");
        assert!(answer.contains("content-length: 0\r\n"), "trailers-only: {answer}");
    }
}

#[tokio::test]
async fn a_single_message_method_with_none_or_two_ends_unimplemented() {
    // gRPC's status code guide: a cardinality violation (zero or several request messages for a
    // method that takes one) is UNIMPLEMENTED, not INTERNAL and not OK.
    let server = TestServer::start().await;
    let mut h1 = H1::connect(server.addr).await;
    let two = [frame(0, USER_42), frame(0, &[0x08, 0x01])].concat();
    let cases: [(&str, &str, Vec<u8>, &str); 6] = [
        (GET_USER, BINARY, two.clone(), "more than one"),
        (GET_USER, BINARY, Vec::new(), "none"),
        (GET_USER, TEXT, STANDARD.encode(&two).into_bytes(), "more than one"),
        (GET_USER, TEXT, Vec::new(), "none"),
        // Server streaming takes one request message too.
        (LIST_USERS, BINARY, [frame(0, &[0x08, 0x03]), frame(0, &[0x08, 0x03])].concat(), "more than one"),
        (LIST_USERS, BINARY, Vec::new(), "none"),
    ];
    for (path, content_type, body, found) in cases {
        let reply = h1.send(post(path, content_type, body)).await;
        assert_status(&reply, "12", "");
        let method = path.rsplit('/').next().unwrap();
        assert_eq!(
            percent_decode(reply.header("grpc-message").unwrap()),
            format!("{method} takes exactly one request message, the request has {found}"),
            "{path} {content_type}"
        );
        assert!(reply.body.is_empty(), "trailers-only: no message went out: {reply:?}");
        still_serves(&mut h1).await;
    }
}
