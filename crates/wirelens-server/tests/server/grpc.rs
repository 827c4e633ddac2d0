//! Native gRPC (tonic's HTTP/2 client): the four kinds of call, pagination, every status code
//! the server sends, and the layers in front of the service.

use std::time::{Duration, Instant};

use prost::Message as _;
use sha2::{Digest as _, Sha256};
use tokio_stream::StreamExt as _;
use tonic::Code;
use wirelens_api::{ChatMessage, GetUserRequest, ListUsersRequest, PhotoUpload, User, userservice::user::Status};
use wirelens_server::{Config, RateLimit, seed, store};

use crate::support::{TestServer, authed, bad_field, reason, with_token};

fn get(user_id: i64) -> GetUserRequest {
    GetUserRequest { user_id }
}

fn chunk(user_id: i64, index: u32, bytes: &[u8]) -> PhotoUpload {
    PhotoUpload {
        user_id: if index == 0 { user_id } else { 0 },
        filename: if index == 0 { "avatar.png".into() } else { String::new() },
        content_type: if index == 0 { "image/png".into() } else { String::new() },
        chunk: bytes.to_vec(),
        chunk_index: index,
    }
}

#[tokio::test]
async fn get_user_42_is_the_reference_user_in_43_bytes() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let user = client.get_user(authed(get(42))).await.unwrap().into_inner().user.unwrap();
    assert_eq!(user.id, 42);
    assert_eq!(user.name, "Alice");
    assert_eq!(user.email, "alice@example.com");
    assert_eq!(user.roles, ["admin", "user"]);
    assert_eq!(user.status(), Status::Active);
    assert_eq!(user.address, None);
    assert_eq!(user.encoded_len(), 43);
    assert_eq!(user, seed::user(42));
}

#[tokio::test]
async fn get_user_errors_carry_codes_and_details() {
    let server = TestServer::start().await;
    let mut client = server.client().await;

    let status = client.get_user(authed(get(999))).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "no user with id 999");
    assert_eq!(reason(&status).as_deref(), Some("USER_NOT_FOUND"));

    for id in [0, -7] {
        let status = client.get_user(authed(get(id))).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "id {id}");
        assert_eq!(bad_field(&status).as_deref(), Some("user_id"));
    }
}

async fn list_page(server: &TestServer, page_size: i32, page_token: &str) -> (Vec<User>, String) {
    let mut client = server.client().await;
    let request = authed(ListUsersRequest { page_size, page_token: page_token.into() });
    let response = client.list_users(request).await.unwrap();
    let next = response.metadata().get("x-wirelens-next-page-token").map(|v| v.to_str().unwrap().to_owned());
    assert_ne!(next.as_deref(), Some(""), "the last page sends no token rather than an empty one");
    let users: Vec<User> = response.into_inner().collect::<Result<_, _>>().await.unwrap();
    (users, next.unwrap_or_default())
}

#[tokio::test]
async fn list_users_pages_through_every_user_once() {
    let server = TestServer::start().await;
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    for _ in 0..10 {
        let (users, next) = list_page(&server, 25, &token).await;
        pages += 1;
        assert!(users.len() <= 25);
        seen.extend(users.iter().map(|u| u.id));
        if next.is_empty() {
            break;
        }
        token = next;
    }
    assert_eq!(pages, 3, "60 users in pages of 25");
    let (_, next) = list_page(&server, 25, "50").await;
    assert_eq!(next, "", "no token after the last page");
    assert_eq!(seen, (1..=seed::COUNT).collect::<Vec<_>>());

    let (users, next) = list_page(&server, 0, "").await;
    assert_eq!(users.len(), 10, "page size 0 means the default");
    assert_eq!(next, "10");
    let (users, _) = list_page(&server, 1000, "").await;
    assert_eq!(users.len(), 60, "capped at 100, and there are 60");
}

#[tokio::test]
async fn list_users_rejects_bad_page_requests() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let bad = [
        (ListUsersRequest { page_size: -1, page_token: String::new() }, "page_size"),
        (ListUsersRequest { page_size: 5, page_token: "abc".into() }, "page_token"),
    ];
    for (request, field) in bad {
        let status = client.list_users(authed(request)).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(bad_field(&status).as_deref(), Some(field));
    }
}

#[tokio::test]
async fn list_users_delay_spaces_the_messages() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let mut request = authed(ListUsersRequest { page_size: 3, page_token: String::new() });
    request.metadata_mut().insert("x-wirelens-delay-ms", "60".parse().unwrap());
    let mut stream = client.list_users(request).await.unwrap().into_inner();
    let mut arrivals = Vec::new();
    while let Some(user) = stream.next().await {
        user.unwrap();
        arrivals.push(Instant::now());
    }
    assert_eq!(arrivals.len(), 3);
    assert!(arrivals[2] - arrivals[0] >= Duration::from_millis(120), "{:?}", arrivals[2] - arrivals[0]);
}

#[tokio::test]
async fn a_stream_past_its_deadline_ends_deadline_exceeded() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let mut request = authed(ListUsersRequest { page_size: 10, page_token: String::new() });
    request.metadata_mut().insert("x-wirelens-delay-ms", "100".parse().unwrap());
    request.set_timeout(Duration::from_millis(250));
    let mut stream = client.list_users(request).await.unwrap().into_inner();
    let mut received = 0;
    let status = loop {
        match stream.next().await {
            Some(Ok(_)) => received += 1,
            Some(Err(status)) => break status,
            None => panic!("the stream ended without an error after {received} users"),
        }
    };
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    // Users at about 100 and 200 ms, the deadline at 250 ms: not an exact count, so a loaded
    // machine cannot make it flaky, but well short of the page of 10.
    assert!((1..10).contains(&received), "{received} users before the deadline");
}

#[tokio::test]
async fn work_within_the_deadline_succeeds() {
    // Past the deadline, tonic's client gives up on its own timer (CANCELLED) a moment before the
    // server's DEADLINE_EXCEEDED arrives; `raw::native_deadline_exceeded` sees the server's answer.
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let mut request = authed(get(42));
    request.metadata_mut().insert("x-wirelens-work-ms", "20".parse().unwrap());
    request.set_timeout(Duration::from_secs(5));
    assert_eq!(client.get_user(request).await.unwrap().into_inner().user.unwrap().name, "Alice");
    let mut request = authed(get(42));
    request.metadata_mut().insert("x-wirelens-work-ms", "5000".parse().unwrap());
    request.set_timeout(Duration::from_millis(100));
    let start = Instant::now();
    assert!(client.get_user(request).await.is_err());
    assert!(start.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn upload_stores_the_chunks_and_answers_size_and_sha256() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let parts: [&[u8]; 3] = [b"\x89PNG\r\n", b"some pixels", b"IEND"];
    let chunks: Vec<PhotoUpload> = parts.iter().enumerate().map(|(i, bytes)| chunk(42, i as u32, bytes)).collect();
    let result = client.upload_user_photos(authed(tokio_stream::iter(chunks))).await.unwrap().into_inner();
    let whole = parts.concat();
    assert_eq!(result.user_id, 42);
    assert_eq!(result.total_bytes, whole.len() as u64);
    assert_eq!(result.chunk_count, 3);
    let expected: String = Sha256::digest(&whole).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(result.sha256_hex, expected);
    assert!(result.photo_id.starts_with("photo-"), "{}", result.photo_id);
    assert_eq!(server.store.run(|conn| store::photo_counts(conn)).await.unwrap(), (1, 3));
}

#[tokio::test]
async fn upload_errors() {
    let server = TestServer::with_config(Config { rate_limit: None, max_upload_bytes: 100, ..Config::default() }).await;
    let mut client = server.client().await;
    let cases: Vec<(Vec<PhotoUpload>, Code)> = vec![
        (vec![], Code::InvalidArgument),
        (vec![chunk(42, 0, b"a"), chunk(42, 2, b"c")], Code::InvalidArgument),
        (vec![chunk(0, 0, b"a")], Code::InvalidArgument),
        (vec![chunk(999, 0, b"a")], Code::NotFound),
        (vec![chunk(42, 0, &[0; 60]), chunk(42, 1, &[0; 60])], Code::ResourceExhausted),
    ];
    for (chunks, code) in cases {
        let status = client.upload_user_photos(authed(tokio_stream::iter(chunks))).await.unwrap_err();
        assert_eq!(status.code(), code, "{status:?}");
    }
    assert_eq!(
        server.store.run(|conn| store::photo_counts(conn)).await.unwrap(),
        (0, 0),
        "no failed upload left a trace"
    );
}

#[tokio::test]
async fn an_abandoned_upload_leaves_nothing_behind() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tx.send(chunk(42, 0, b"first half")).await.unwrap();
    let call = tokio::spawn({
        let mut client = client.clone();
        async move { client.upload_user_photos(authed(tokio_stream::wrappers::ReceiverStream::new(rx))).await }
    });
    tx.send(chunk(42, 1, b"second half")).await.unwrap();
    call.abort(); // the client gives up mid-stream, as a crash would
    let _ = call.await;
    drop(tx);

    let result = client.upload_user_photos(authed(tokio_stream::iter([chunk(7, 0, b"whole")]))).await.unwrap();
    assert_eq!(result.into_inner().chunk_count, 1);
    assert_eq!(server.store.run(|conn| store::photo_counts(conn)).await.unwrap(), (1, 1), "only the finished upload");
}

#[tokio::test]
async fn chat_echoes_each_message_with_a_counter() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut replies = client.chat(authed(tokio_stream::wrappers::ReceiverStream::new(rx))).await.unwrap().into_inner();
    // One message, one reply, before the next is sent: the two directions are independent.
    for (i, text) in ["hello", "how are you", "bye"].iter().enumerate() {
        tx.send(ChatMessage { from: "ann".into(), text: (*text).into(), sent_at: None }).await.unwrap();
        let reply = replies.next().await.unwrap().unwrap();
        assert_eq!(reply.from, "wirelens-server");
        assert_eq!(reply.text, format!("#{} ann: {text}", i + 1));
        assert!(reply.sent_at.unwrap().seconds > 1_600_000_000);
    }
    drop(tx);
    assert!(replies.next().await.is_none(), "the server ends its side when the client does");
}

#[tokio::test]
async fn calls_without_the_token_are_unauthenticated() {
    let server = TestServer::start().await;
    let mut client = server.client().await;
    let status = client.get_user(tonic::Request::new(get(42))).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(reason(&status).as_deref(), Some("MISSING_TOKEN"));
    let status = client.get_user(with_token(get(42), "guess")).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(reason(&status).as_deref(), Some("INVALID_TOKEN"));
    let status = client.list_users(with_token(ListUsersRequest::default(), "guess")).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "streams too");

    let custom = TestServer::with_config(Config { token: "other".into(), rate_limit: None, ..Config::default() }).await;
    let mut client = custom.client().await;
    assert_eq!(client.get_user(authed(get(42))).await.unwrap_err().code(), Code::Unauthenticated);
    assert!(client.get_user(with_token(get(42), "other")).await.is_ok());
}

#[tokio::test]
async fn a_client_over_its_rate_is_resource_exhausted() {
    let limit = RateLimit { per_second: 0.01, burst: 3 };
    let server = TestServer::with_config(Config { rate_limit: Some(limit), ..Config::default() }).await;
    let mut client = server.client().await;
    for _ in 0..3 {
        client.get_user(authed(get(42))).await.unwrap();
    }
    let status = client.get_user(authed(get(42))).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert_eq!(reason(&status).as_deref(), Some("RATE_LIMITED"));
    assert!(status.message().starts_with("rate limit exceeded, retry in "), "{}", status.message());
}

#[tokio::test]
async fn messages_over_the_size_limit_are_resource_exhausted() {
    let server =
        TestServer::with_config(Config { max_message_bytes: 1024, rate_limit: None, ..Config::default() }).await;
    let mut client = server.client().await;
    let status = client.upload_user_photos(authed(tokio_stream::iter([chunk(42, 0, &[7; 2000])]))).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert!(status.message().contains("1024"), "the limit is in the message: {}", status.message());
    let fits = client.upload_user_photos(authed(tokio_stream::iter([chunk(42, 0, &[7; 900])]))).await.unwrap();
    assert_eq!(fits.into_inner().total_bytes, 900);
}

#[tokio::test]
async fn responses_over_the_size_limit_are_resource_exhausted_not_out_of_range() {
    // GetUserResponse for 42 is 45 bytes: 0A 2B and the 43-byte user.
    let server = TestServer::with_config(Config { max_message_bytes: 44, rate_limit: None, ..Config::default() }).await;
    let mut client = server.client().await;
    let status = client.get_user(authed(get(42))).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert_eq!(status.message(), "a response message of 45 bytes is larger than the limit of 44 bytes");
    assert_eq!(reason(&status).as_deref(), Some("TOO_LARGE"));
    // The connection and the server go on: a smaller answer (user 1) fits.
    assert!(client.get_user(authed(get(1))).await.is_ok());
}

#[tokio::test]
async fn a_stream_sends_the_messages_before_an_oversized_one_then_ends_resource_exhausted() {
    let (small, big) = (seed::user(1).encoded_len().max(seed::user(2).encoded_len()), seed::user(3).encoded_len());
    assert!(big > small, "user 3 has an address");
    let server =
        TestServer::with_config(Config { max_message_bytes: small, rate_limit: None, ..Config::default() }).await;
    let mut client = server.client().await;
    let request = authed(ListUsersRequest { page_size: 3, page_token: String::new() });
    let mut stream = client.list_users(request).await.unwrap().into_inner();
    let mut ids = Vec::new();
    let status = loop {
        match stream.next().await {
            Some(Ok(user)) => ids.push(user.id),
            Some(Err(status)) => break status,
            None => panic!("the stream ended OK after {ids:?}"),
        }
    };
    assert_eq!(ids, [1, 2]);
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert_eq!(
        status.message(),
        format!("a response message of {big} bytes is larger than the limit of {small} bytes")
    );
}
