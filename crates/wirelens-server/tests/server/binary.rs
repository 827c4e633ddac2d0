//! The `wirelens-server` binary itself, spawned on 127.0.0.1 port 0: its access log (one line
//! per call), graceful shutdown on SIGINT (open calls finish, exit 0), and the message when the
//! port is taken.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tokio_stream::StreamExt as _;
use tonic::transport::Endpoint;
use wirelens_api::{GetUserRequest, ListUsersRequest, UserServiceClient};

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

fn command(addr: &[&str], extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wirelens-server"));
    command
        .args(["--memory", "--dist", "/nonexistent-wirelens-dist"])
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
