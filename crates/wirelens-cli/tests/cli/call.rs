//! `wirelens call` against a real wirelens-server on 127.0.0.1:0, started in this process
//! with a fresh in-memory database for each test.

use expect_test::expect;
use wirelens_server::{Config, Store};

use super::{outcome, render, run};

/// A server on its own runtime; dropping it stops the server.
struct Server {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start() -> Server {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let config = Config { rate_limit: None, ..Config::default() };
        let app = wirelens_server::app(Store::in_memory().unwrap(), &config);
        runtime.spawn(wirelens_server::serve(listener, app, &config, std::future::pending()));
        Server { url, _runtime: runtime }
    }

    /// `wirelens call --addr URL ARGS` (ARGS split as `check` splits them), with `stdin`.
    fn call(&self, args: &str, stdin: &[u8]) -> String {
        outcome(&format!("call --addr {} --color never {args}", self.url), stdin)
    }
}

#[test]
fn get_user_prints_canonical_json_and_annotated_bytes() {
    let server = Server::start();
    expect![[r#"
        status: 0
        --- stdout
        {"user":{"id":"42","name":"Alice","email":"alice@example.com","roles":["admin","user"],"status":"ACTIVE"}}
    "#]]
    .assert_eq(&server.call(r#"GetUser --json {"userId":"42"}"#, b""));
    let annotated = server.call("GetUser --annotate -", br#"{"userId": "42"}"#);
    assert!(annotated.contains("# userservice.GetUserResponse, 45 bytes\n"), "{annotated}");
    assert!(annotated.contains("0A                         tag: field 1, wire type 2 LEN"), "{annotated}");
    assert!(annotated.contains("41 6C 69 63 65                 \"Alice\""), "{annotated}");
}

#[test]
fn list_users_streams_one_line_per_user() {
    let server = Server::start();
    expect![[r#"
        status: 0
        --- stdout
        {"id":"3","name":"Dana","email":"dana3@example.com","roles":["user"],"address":{"street":"3 Main Street","city":"Quito","country":"EC","zipCode":"170150"},"status":"ACTIVE"}
        {"id":"4","name":"Emeka","email":"emeka4@example.com","roles":["user"],"status":"ACTIVE"}
        --- stderr
        next page token: 4
    "#]]
    .assert_eq(&server.call(r#"ListUsers --json {"pageSize":2,"pageToken":"2"}"#, b""));
}

#[test]
fn upload_reads_one_chunk_per_line_from_stdin() {
    let server = Server::start();
    // "hello" and " world": the SHA-256 is that of "hello world".
    let stdin = b"{\"userId\":\"42\",\"filename\":\"a.txt\",\"chunk\":\"aGVsbG8=\"}\n\n{\"chunk\":\"IHdvcmxk\",\"chunkIndex\":1}\n";
    expect![[r#"
        status: 0
        --- stdout
        {"userId":"42","photoId":"photo-1","totalBytes":"11","chunkCount":2,"sha256Hex":"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"}
    "#]]
    .assert_eq(&server.call("UploadUserPhotos -", stdin));
    expect![[r#"
        status: 1
        --- stderr
        wirelens: error: line 2: the request: invalid JSON at line 1, column 2: key must be a string
          1 | {chunk}
            |  ^
    "#]]
    .assert_eq(&server.call("UploadUserPhotos", b"{\"userId\":\"42\"}\n{chunk}\n"));
}

#[test]
fn chat_answers_each_line() {
    let server = Server::start();
    let output = run(
        &["call", "--addr", &server.url, "Chat"],
        b"{\"from\":\"me\",\"text\":\"hi\"}\n{\"from\":\"me\",\"text\":\"bye\"}\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", render(&output));
    let replies: Vec<serde_json::Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let texts: Vec<&str> = replies.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["#1 me: hi", "#2 me: bye"]);
    assert!(replies.iter().all(|r| r["from"] == "wirelens-server" && r["sentAt"].is_string()));
}

#[test]
fn failed_calls_exit_3_with_the_status_and_its_details() {
    let server = Server::start();
    expect![[r#"
        status: 3
        --- stderr
        wirelens: error: NOT_FOUND (5): no user with id 999
        wirelens: hint: ErrorInfo: reason USER_NOT_FOUND (wirelens.example) user_id=999
    "#]]
    .assert_eq(&server.call(r#"GetUser --json {"userId":"999"}"#, b""));
    expect![[r#"
        status: 3
        --- stderr
        wirelens: error: INVALID_ARGUMENT (3): invalid user_id: must be positive, got 0
        wirelens: hint: BadRequest: user_id: must be positive, got 0
    "#]]
    .assert_eq(&server.call("GetUser --json {}", b""));
    expect![[r#"
        status: 3
        --- stderr
        wirelens: error: UNAUTHENTICATED (16): the bearer token is not this server's token
        wirelens: hint: ErrorInfo: reason INVALID_TOKEN (wirelens.example)
        wirelens: hint: the server's demo token is wirelens-demo-token: pass --token
    "#]]
    .assert_eq(&server.call(r#"GetUser --token guess --json {"userId":"42"}"#, b""));
    expect![[r#"
        status: 3
        --- stderr
        wirelens: error: DEADLINE_EXCEEDED (4): the deadline of 100ms passed (seen by the client)
    "#]]
    .assert_eq(&server.call(r#"GetUser --deadline 100ms -H x-wirelens-work-ms:3000 --json {"userId":"42"}"#, b""));
}

#[test]
fn no_server_and_bad_arguments() {
    expect![[r#"
        status: 3
        --- stderr
        wirelens: error: cannot connect to http://127.0.0.1:1: transport error: tcp connect error: Connection refused (os error 111)
        wirelens: hint: is a server listening at http://127.0.0.1:1? (wirelens-server: `cargo run -p wirelens-server`)
    "#]]
    .assert_eq(&outcome("call --addr http://127.0.0.1:1 GetUser --json {}", b""));
    let unknown = outcome("call DeleteUser", b"");
    assert!(unknown.starts_with("status: 2\n"), "{unknown}");
    assert!(
        unknown.contains(
            "no method 'DeleteUser' in the schema: it has userservice.UserService/Chat, userservice.UserService/GetUser"
        ),
        "{unknown}"
    );
}

#[test]
fn repeat_multiplexes_calls_and_summarises_them() {
    let server = Server::start();
    let output = run(
        &[
            "call",
            "--addr",
            &server.url,
            "ListUsers",
            "--json",
            r#"{"pageSize":5}"#,
            "--repeat",
            "40",
            "--concurrency",
            "8",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0), "{}", render(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(
        lines[0].starts_with("ListUsers x 40, 8 at a time on one HTTP/2 connection: 40 OK (200 messages back) in "),
        "{stdout}"
    );
    assert!(lines[1].starts_with("latency: p50 "), "{stdout}");
    // The REST twin, for comparison: HTTP/1.1 needs a connection per request in flight.
    assert!(
        lines[2].starts_with(
            "REST twin GET /v1/users?page_size=5 x 40, 8 at a time over HTTP/1.1 on 8 connections: 40 OK (200 messages back) in "
        ),
        "{stdout}"
    );
    assert!(lines[3].starts_with("latency: p50 "), "{stdout}");

    // A failure on either side fails the run, and names the side.
    let output =
        run(&["call", "--addr", &server.url, "GetUser", "--json", r#"{"userId":"4242"}"#, "--repeat", "2"], b"");
    assert_eq!(output.status.code(), Some(3), "{}", render(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("2 x NOT_FOUND (first: no user with id 4242)"), "{stdout}");
    assert!(stdout.contains("on 1 connection: 0 OK"), "{stdout}");
    assert!(stdout.contains("2 x NOT_FOUND (first: HTTP 404 Not Found: no user with id 4242)"), "{stdout}");

    let stdin = b"{\"userId\":\"42\",\"chunk\":\"AAEC\"}\n";
    let output = run(&["call", "--addr", &server.url, "UploadUserPhotos", "--repeat", "3", "-"], stdin);
    assert_eq!(output.status.code(), Some(0), "{}", render(&output));
    assert!(String::from_utf8(output.stdout).unwrap().contains(": 3 OK (3 messages back)"));
}

#[test]
fn compress_sends_and_reads_gzip_and_deflate_in_every_protocol_of_the_server() {
    let server = Server::start();
    let plain = server.call(r#"ListUsers --json {"pageSize":3}"#, b"");
    assert!(plain.starts_with("status: 0\n"), "{plain}");
    for protocol in ["grpc", "grpc-web", "grpc-web-text"] {
        for algorithm in ["gzip", "deflate"] {
            let args = format!(r#"--protocol {protocol} --compress {algorithm} ListUsers --json {{"pageSize":3}}"#);
            assert_eq!(server.call(&args, b""), plain, "{protocol} {algorithm}");
        }
    }
    // tonic answers in gzip because the request accepts it: the message shown is the protobuf,
    // headed by its size on the wire.
    let annotated =
        server.call(r#"--protocol grpc-web --compress gzip --annotate GetUser --json {"userId":"42"}"#, b"");
    let head = annotated.lines().find(|l| l.starts_with("# userservice.GetUserResponse")).unwrap_or_default();
    let wire: usize = head
        .strip_prefix("# userservice.GetUserResponse, 45 bytes (compressed with gzip: ")
        .and_then(|rest| rest.strip_suffix(" bytes on the wire)"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{annotated}"));
    // gzip's header and trailer are 18 bytes: a 45-byte message does not shrink.
    assert!(wire > 45, "{annotated}");
    assert!(annotated.contains("41 6C 69 63 65                 \"Alice\""), "{annotated}");
    expect![[r#"
        status: 2
        --- stderr
        error: invalid value 'br' for '--compress <ALGORITHM>': 'br' is not a compression wirelens writes: use gzip or deflate

        For more information, try '--help'.
    "#]]
    .assert_eq(&server.call("--compress br GetUser --json {}", b""));
}

#[test]
fn get_is_refused_for_a_method_not_marked_no_side_effects_and_outside_connect() {
    let server = Server::start();
    expect![[r#"
        status: 2
        --- stderr
        wirelens: error: userservice.UserService/GetUser cannot be a GET: the Connect protocol allows it only for a unary method marked `option idempotency_level = NO_SIDE_EFFECTS`
    "#]].assert_eq(&server.call(r#"--protocol connect --get GetUser --json {"userId":"42"}"#, b""));
    expect![[r#"
        status: 2
        --- stderr
        wirelens: error: a GET is a Connect call (connect, connect-json), not grpc-web
    "#]]
    .assert_eq(&server.call(r#"--protocol grpc-web --get GetUser --json {"userId":"42"}"#, b""));
    let grpc = server.call(r#"--get GetUser --json {"userId":"42"}"#, b"");
    assert!(grpc.contains("a GET is a Connect call (connect, connect-json), not grpc\n"), "{grpc}");
}

#[test]
fn every_protocol_wirelens_server_speaks_gives_the_same_answers() {
    let server = Server::start();
    let grpc = server.call(r#"ListUsers --json {"pageSize":2}"#, b"");
    for protocol in ["grpc-web", "grpc-web-text"] {
        assert_eq!(
            server.call(&format!(r#"--protocol {protocol} ListUsers --json {{"pageSize":2}}"#), b""),
            grpc,
            "{protocol}"
        );
    }
    // The trailer frame, with --annotate.
    let annotated =
        server.call(r#"--protocol grpc-web --annotate userservice.UserService/GetUser --json {"userId":"42"}"#, b"");
    assert!(annotated.contains("# trailer frame, bytes 55..70:\ngrpc-status:0\n"), "{annotated}");
    // wirelens-server does not speak Connect: its 415 and the line it says.
    expect![[r#"
        status: 3
        --- stderr
        wirelens: error: UNKNOWN (2): HTTP 415: content type application/proto is not gRPC: send application/grpc (HTTP/2), application/grpc-web+proto or application/grpc-web-text
    "#]]
    .assert_eq(&server.call(r#"--protocol connect GetUser --json {"userId":"42"}"#, b""));
    // A stream from the client needs native gRPC.
    let refused = server.call("--protocol grpc-web Chat --json {}", b"");
    assert!(
        refused.contains("grpc-web cannot carry userservice.UserService/Chat: it is bidirectional streaming"),
        "{refused}"
    );
}

#[test]
fn reflection_gives_the_schema_over_grpc_and_grpc_web() {
    let server = Server::start();
    expect![[r#"
        status: 0
        --- stdout
        userservice.UserService/Chat  userservice.ChatMessage -> userservice.ChatMessage  bidirectional streaming
        userservice.UserService/GetUser  userservice.GetUserRequest -> userservice.GetUserResponse  unary
        userservice.UserService/ListUsers  userservice.ListUsersRequest -> userservice.User  server streaming
        userservice.UserService/UploadUserPhotos  userservice.PhotoUpload -> userservice.UploadResult  client streaming
    "#]]
    .assert_eq(&server.call("--reflect", b""));
    for protocol in ["grpc", "grpc-web", "grpc-web-text"] {
        let answer = server.call(
            &format!(r#"--reflect --protocol {protocol} --token wirelens-demo-token GetUser --json {{"userId":"42"}}"#),
            b"",
        );
        assert!(answer.contains(r#"{"user":{"id":"42","name":"Alice""#), "{protocol}: {answer}");
    }
    let no_token = server.call(r#"--reflect GetUser --json {"userId":"42"}"#, b"");
    assert!(no_token.contains("UNAUTHENTICATED (16)") && !no_token.contains("demo token"), "{no_token}");
}

#[test]
fn a_descriptor_set_file_is_a_schema_and_a_broken_one_says_so() {
    let dir = std::env::temp_dir().join(format!("wirelens-call-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let set = dir.join("userservice.binpb");
    std::fs::write(&set, wirelens_api::FILE_DESCRIPTOR_SET).unwrap();
    let listed = outcome(&format!("call --descriptor-set {} --protocol grpc-web", set.display()), b"");
    assert!(listed.contains("userservice.UserService/Chat  userservice.ChatMessage -> userservice.ChatMessage  bidirectional streaming (native gRPC only)"), "{listed}");
    let broken = dir.join("broken.pb");
    std::fs::write(&broken, b"\x0a\x05oops").unwrap();
    let failed = outcome(&format!("call --descriptor-set {} GetUser", broken.display()), b"");
    assert!(
        failed.starts_with("status: 1\n")
            && failed.contains(
                "not a FileDescriptorSet: failed to decode Protobuf message: FileDescriptorSet.file: buffer underflow"
            ),
        "{failed}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn commands_prints_the_call_for_three_tools() {
    expect![[r#"
        status: 0
        --- stdout
        wirelens call --protocol grpc-web --addr http://h:1 -H 'x-a: 1' --token '' --deadline 2000ms userservice.UserService/GetUser --json '{"userId":"42"}'
        grpcurl -plaintext -H 'x-a: 1' -max-time 2 -d '{"userId":"42"}' h:1 userservice.UserService/GetUser
        buf curl --protocol grpcweb -H 'x-a: 1' -H 'grpc-timeout: 2000m' -d '{"userId":"42"}' http://h:1/userservice.UserService/GetUser
    "#]]
    .assert_eq(&outcome(r#"call --addr http://h:1 --protocol grpc-web --token= -H x-a:1 --deadline 2s --commands GetUser --json {"userId":"42"}"#, b""));
}
