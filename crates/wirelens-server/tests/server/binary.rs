//! The `wirelens-server` binary itself, spawned on 127.0.0.1 port 0: its access log (one line
//! per call), graceful shutdown on SIGINT (open calls finish, exit 0) and its bound (a stream
//! that does not end cannot hold it past `--shutdown-grace`; a second SIGINT exits at once),
//! SIGKILL in the middle of uploads (no partial photo, the database opens cleanly), and the
//! message when the port is taken.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Endpoint;
use wirelens_api::{ChatMessage, GetUserRequest, ListUsersRequest, PhotoUpload, UserServiceClient};

use crate::raw::{H1, Reply};
use crate::support::authed;

/// The spawned binary and the lines of its standard output, as they come.
struct Binary {
    child: Child,
    lines: mpsc::Receiver<String>,
    addr: SocketAddr,
}

impl Binary {
    fn start(extra: &[&str]) -> Binary {
        let mut child =
            command(&["--addr", "127.0.0.1:0"], extra).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut binary = Binary { child, lines, addr: "0.0.0.0:0".parse().unwrap() };
        let first = binary.line_where(|l| l.starts_with("wirelens-server listening on http://"));
        let addr = first.trim_start_matches("wirelens-server listening on http://").trim_end_matches('/');
        binary.addr = addr.parse().unwrap();
        binary
    }

    /// The next line of output that `want` accepts (others are skipped); panics after 10 s.
    fn line_where(&self, want: impl Fn(&str) -> bool) -> String {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).expect("the line within 10 s");
            if want(&line) {
                return line;
            }
        }
    }

    /// The next access log line, as its `key=value` fields.
    fn access_log(&self) -> HashMap<String, String> {
        fields(&self.line_where(|l| l.contains("wirelens_server::access")))
    }

    fn interrupt(&self) {
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit; panics after `limit`.
    fn wait(&mut self, limit: Duration) -> ExitStatus {
        let until = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < until, "still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    async fn client(&self) -> UserServiceClient<tonic::transport::Channel> {
        let channel = Endpoint::from_shared(format!("http://{}", self.addr)).unwrap().connect().await.unwrap();
        UserServiceClient::new(channel)
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with `addr` and `extra` arguments, in memory unless `extra` names a `--db`.
fn command(addr: &[&str], extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wirelens-server"));
    if !extra.contains(&"--db") {
        command.arg("--memory");
    }
    command
        .args(["--dist", "/nonexistent-wirelens-dist"])
        .args(addr)
        .args(extra)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command
}

/// `key=value` pairs of a tracing line (values unquoted; escape sequences dropped).
fn fields(line: &str) -> HashMap<String, String> {
    let mut plain = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ ... final byte in @..~
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) && c != '[' {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
        .split_whitespace()
        .filter_map(|word| word.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_call_logs_one_line_with_its_statuses_and_sizes() {
    let binary = Binary::start(&[]);
    let mut client = binary.client().await;

    client.get_user(authed(GetUserRequest { user_id: 42 })).await.unwrap();
    let log = binary.access_log();
    assert_eq!(log["method"], "POST");
    assert_eq!(log["path"], "/userservice.UserService/GetUser");
    assert_eq!(log["protocol"], "Grpc");
    assert_eq!(log["http_status"], "200");
    assert_eq!(log["grpc_status"], "0");
    assert_eq!(log["received_bytes"], "7", "a 5-byte frame header and 08 2A");
    assert_eq!(log["sent_bytes"], "50", "a 5-byte frame header and the 45-byte GetUserResponse");
    assert!(log["duration_ms"].parse::<f64>().unwrap() >= 0.0);

    let status = client.get_user(authed(GetUserRequest { user_id: 99 })).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::NotFound);
    let log = binary.access_log();
    assert_eq!((log["http_status"].as_str(), log["grpc_status"].as_str()), ("200", "5"));
    assert_eq!(log["sent_bytes"], "0", "trailers only");

    // REST: no gRPC status; the bytes are the JSON body's.
    let mut h1 = H1::connect(binary.addr).await;
    let request = http::Request::get("/v1/users/42")
        .header("host", "127.0.0.1")
        .header("authorization", format!("Bearer {}", wirelens_server::DEMO_TOKEN))
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let Reply { status, body, .. } = h1.send(request).await;
    assert_eq!(status, http::StatusCode::OK);
    let log = binary.access_log();
    assert_eq!(log["method"], "GET");
    assert_eq!(log["protocol"], "Rest");
    assert_eq!((log["http_status"].as_str(), log["grpc_status"].as_str()), ("200", "-"));
    assert_eq!(log["received_bytes"], "0");
    assert_eq!(log["sent_bytes"], body.len().to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_lets_open_calls_finish_then_exits_0() {
    let mut binary = Binary::start(&[]);
    let mut client = binary.client().await;
    // Five users, 300 ms apart: the stream is still open when the signal comes.
    let mut request = authed(ListUsersRequest { page_size: 5, page_token: String::new() });
    request.metadata_mut().insert("x-wirelens-delay-ms", "300".parse().unwrap());
    let mut stream = client.list_users(request).await.unwrap().into_inner();
    let first = stream.next().await.unwrap().unwrap();
    binary.interrupt();
    binary.line_where(|l| l.starts_with("stopping: finishing open calls"));
    let mut ids = vec![first.id];
    while let Some(user) = stream.next().await {
        ids.push(user.expect("the stream ends OK").id);
    }
    assert_eq!(ids, [1, 2, 3, 4, 5], "the open call finished");
    drop(stream);
    drop(client);
    let started = Instant::now();
    let status = binary.wait(Duration::from_secs(4));
    assert!(status.success(), "{status:?}");
    eprintln!("exited {:?} after the stream ended", started.elapsed());
}

/// A chat that has been answered once, so the call is surely in progress; kept open by its sender.
async fn open_chat(
    client: &mut UserServiceClient<tonic::transport::Channel>,
) -> (tokio::sync::mpsc::Sender<ChatMessage>, tonic::Streaming<ChatMessage>) {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let mut replies = client.chat(authed(ReceiverStream::new(rx))).await.unwrap().into_inner();
    tx.send(ChatMessage { from: "ann".into(), text: "still here".into(), sent_at: None }).await.unwrap();
    assert_eq!(replies.next().await.unwrap().unwrap().text, "#1 ann: still here");
    (tx, replies)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_stream_cannot_hold_sigint_past_the_grace() {
    let mut binary = Binary::start(&["--shutdown-grace", "1"]);
    let mut client = binary.client().await;
    let (_tx, mut replies) = open_chat(&mut client).await; // the client never ends it
    let started = Instant::now();
    binary.interrupt();
    binary.line_where(|l| l.starts_with("stopping: finishing open calls (at most 1 s"));
    binary.line_where(|l| l == "calls still open after 1 s; exiting anyway");
    let status = binary.wait(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
    eprintln!("SIGINT with a chat open and --shutdown-grace 1: exited after {:?}", started.elapsed());
    // The client is told: its stream ends (broken), it does not hang.
    let end = tokio::time::timeout(Duration::from_secs(10), replies.next()).await.expect("the stream ends");
    assert!(matches!(end, None | Some(Err(_))), "{end:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_sigint_exits_at_once() {
    let mut binary = Binary::start(&["--shutdown-grace", "600"]);
    let mut client = binary.client().await;
    let (_tx, _replies) = open_chat(&mut client).await;
    binary.interrupt();
    binary.line_where(|l| l.starts_with("stopping: finishing open calls (at most 600 s"));
    binary.interrupt();
    binary.line_where(|l| l == "second Ctrl-C; exiting now");
    let status = binary.wait(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
}

/// Every photo in the database at `path` is whole: all its chunks, their sizes adding up to
/// `total_bytes`, their bytes hashing to `sha256_hex`; and SQLite finds the file sound.
/// Returns the photos' hashes by id.
fn whole_photos(path: &std::path::Path) -> HashMap<i64, String> {
    use sha2::{Digest as _, Sha256};
    let store = wirelens_server::Store::open(path).expect("the database opens cleanly");
    let conn = rusqlite::Connection::open(path).unwrap();
    drop(store);
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok");
    let mut photos = conn.prepare("SELECT id, total_bytes, chunk_count, sha256_hex FROM photos").unwrap();
    let photos = photos
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect::<Vec<_>>();
    let mut found = HashMap::new();
    for (id, total, count, sha) in photos {
        let mut chunks = conn
            .prepare("SELECT chunk_index, data FROM photo_chunks WHERE photo_id = ?1 ORDER BY chunk_index")
            .unwrap();
        let chunks: Vec<(i64, Vec<u8>)> =
            chunks.query_map([id], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
        assert_eq!(chunks.iter().map(|c| c.0).collect::<Vec<_>>(), (0..count).collect::<Vec<_>>(), "photo {id}");
        assert_eq!(chunks.iter().map(|c| c.1.len() as i64).sum::<i64>(), total, "photo {id}");
        let hash: String = chunks
            .iter()
            .fold(Sha256::new(), |h, c| h.chain_update(&c.1))
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hash, sha, "photo {id}");
        found.insert(id, sha);
    }
    let orphans: i64 = conn
        .query_row("SELECT COUNT(*) FROM photo_chunks WHERE photo_id NOT IN (SELECT id FROM photos)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(orphans, 0, "chunks without their photo");
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_uploads_leaves_no_partial_photo() {
    const UPLOADERS: usize = 4;
    const CHUNKS: u32 = 16;
    const CHUNK: usize = 64 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("wirelens.sqlite3");
    let db_arg = db.to_str().unwrap();
    let mut binary = Binary::start(&["--db", db_arg, "--rate", "0"]);
    let client = binary.client().await;

    // One upload stays open mid-stream: the kill surely comes during an upload.
    let (held_tx, held_rx) = tokio::sync::mpsc::channel(4);
    let held = tokio::spawn({
        let mut client = client.clone();
        async move { client.upload_user_photos(authed(ReceiverStream::new(held_rx))).await }
    });
    for index in 0..2 {
        let chunk = PhotoUpload { user_id: 42, chunk: vec![0xEE; CHUNK], chunk_index: index, ..Default::default() };
        held_tx.send(chunk).await.unwrap();
    }
    // Others, one after another on each of a few tasks, 1 MiB each: saves keep happening.
    let (acked_tx, mut acked) = tokio::sync::mpsc::unbounded_channel::<(String, String)>();
    let mut uploaders = Vec::new();
    for uploader in 0..UPLOADERS {
        let mut client = client.clone();
        let acked_tx = acked_tx.clone();
        uploaders.push(tokio::spawn(async move {
            for round in 0u32..10_000 {
                let fill = (uploader as u32 * 1000 + round) as u8;
                let chunks = (0..CHUNKS).map(move |index| PhotoUpload {
                    user_id: 42,
                    chunk: vec![fill.wrapping_add(index as u8); CHUNK],
                    chunk_index: index,
                    ..Default::default()
                });
                match client.upload_user_photos(authed(tokio_stream::iter(chunks))).await {
                    Ok(result) => {
                        let result = result.into_inner();
                        let _ = acked_tx.send((result.photo_id, result.sha256_hex));
                    }
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    drop(acked_tx);
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 8 {
        let ack = tokio::time::timeout(Duration::from_secs(30), acked.recv()).await.expect("uploads go through");
        acknowledged.push(ack.unwrap());
    }
    binary.child.kill().unwrap(); // SIGKILL
    let status = binary.wait(Duration::from_secs(10));
    assert!(!status.success(), "killed: {status:?}");
    for uploader in uploaders {
        uploader.await.unwrap();
    }
    // Acknowledged after the kill was sent but before it landed: still acknowledged.
    while let Some(ack) = acked.recv().await {
        acknowledged.push(ack);
    }
    assert!(held.await.unwrap().is_err(), "the held upload never finished");

    let photos = whole_photos(&db);
    for (photo_id, sha) in &acknowledged {
        let id: i64 = photo_id.trim_start_matches("photo-").parse().unwrap();
        assert_eq!(photos.get(&id), Some(sha), "acknowledged {photo_id} is stored whole");
    }
    eprintln!(
        "SIGKILL during {UPLOADERS} uploaders' {} KiB photos and one held open: {} acknowledged, {} photos whole \
         after it ({} saved but not acknowledged), no partial photo",
        CHUNKS as usize * CHUNK / 1024,
        acknowledged.len(),
        photos.len(),
        photos.len() - acknowledged.len()
    );

    // The binary starts on the same file and takes uploads again.
    let binary = Binary::start(&["--db", db_arg]);
    let mut client = binary.client().await;
    let alice = client.get_user(authed(GetUserRequest { user_id: 42 })).await.unwrap().into_inner();
    assert_eq!(alice.user.unwrap().name, "Alice");
    let upload = PhotoUpload { user_id: 42, chunk: b"after".to_vec(), ..Default::default() };
    client.upload_user_photos(authed(tokio_stream::iter([upload]))).await.unwrap();
}

#[test]
fn a_taken_port_is_a_clear_error_naming_the_address() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = command(&["--addr", &addr], &[]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("error: could not listen on {addr}")), "{stderr}");
    assert!(stderr.contains("the port is taken"), "{stderr}");
}
