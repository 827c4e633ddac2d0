//! A bounded load client for `cargo xtask bench server`: the same calls over native gRPC (h2c,
//! one connection carrying C streams at once), grpc-web (HTTP/1.1, C keep-alive connections:
//! HTTP/1.1 has one call per connection at a time) and the REST/JSON twin (HTTP/1.1, C
//! connections), each at fixed concurrency for a fixed time, through one hyper client so only
//! the protocol differs. Prints calls per second, p50/p99 latency and errors for each.
//!
//! Usage: `load ADDR TOKEN SECONDS CONCURRENCY` (ADDR like 127.0.0.1:8080; a server started with
//! `--rate 0`). Every answer is checked: HTTP 200 and, for gRPC, grpc-status 0 in the trailers
//! (native) or the trailer frame (grpc-web). Exits 1 if any call failed.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Grpc,
    GrpcWeb,
    Rest,
}

impl Protocol {
    fn label(self, concurrency: usize) -> String {
        match self {
            Protocol::Grpc => format!("native gRPC (h2c, 1 connection, {concurrency} streams)"),
            Protocol::GrpcWeb => format!("grpc-web (HTTP/1.1, {concurrency} connections)"),
            Protocol::Rest => format!("REST/JSON (HTTP/1.1, {concurrency} connections)"),
        }
    }
}

/// One call, in each protocol's terms.
struct Scenario {
    name: &'static str,
    grpc_path: &'static str,
    /// The request message, encoded (framed per call).
    message: &'static [u8],
    rest_path: &'static str,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "GetUser(42)",
        grpc_path: "/userservice.UserService/GetUser",
        message: &[0x08, 0x2A],
        rest_path: "/v1/users/42",
    },
    Scenario {
        name: "ListUsers (a page of 10)",
        grpc_path: "/userservice.UserService/ListUsers",
        message: &[0x08, 0x0A],
        rest_path: "/v1/users?page_size=10",
    },
];

const WARM_UP: Duration = Duration::from_millis(300);

struct Run {
    latencies: Vec<Duration>,
    errors: u64,
    first_error: Option<String>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, token, seconds, concurrency] = &args[..] else {
        eprintln!("usage: load ADDR TOKEN SECONDS CONCURRENCY");
        std::process::exit(2);
    };
    let addr: SocketAddr = addr.parse().expect("ADDR like 127.0.0.1:8080");
    let duration = Duration::from_secs_f64(seconds.parse().expect("SECONDS"));
    let concurrency: usize = concurrency.parse().expect("CONCURRENCY");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut failed = false;
    println!("{:<26} {:<48} {:>9} {:>9} {:>9} {:>6}", "call", "over", "calls/s", "p50", "p99", "errors");
    for scenario in SCENARIOS {
        for protocol in [Protocol::Grpc, Protocol::GrpcWeb, Protocol::Rest] {
            // A short warm-up first (connections, allocator, caches), not counted.
            runtime.block_on(load(addr, token, scenario, protocol, concurrency, WARM_UP));
            let run = runtime.block_on(load(addr, token, scenario, protocol, concurrency, duration));
            let mut latencies = run.latencies;
            latencies.sort_unstable();
            let at = |q: f64| wirelens_core::stats::nearest_rank(&latencies, q);
            let ms = |d: Option<Duration>| d.map_or("-".to_owned(), |d| format!("{:.2} ms", d.as_secs_f64() * 1e3));
            println!(
                "{:<26} {:<48} {:>9.0} {:>9} {:>9} {:>6}",
                scenario.name,
                protocol.label(concurrency),
                latencies.len() as f64 / duration.as_secs_f64(),
                ms(at(0.5)),
                ms(at(0.99)),
                run.errors
            );
            if let Some(error) = run.first_error {
                eprintln!("  first error: {error}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}

async fn load(
    addr: SocketAddr,
    token: &str,
    scenario: &'static Scenario,
    protocol: Protocol,
    concurrency: usize,
    duration: Duration,
) -> Run {
    let until = Instant::now() + duration;
    let h2 = if protocol == Protocol::Grpc { Some(h2_connect(addr).await) } else { None };
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let token = token.to_owned();
        let h2 = h2.clone();
        workers.spawn(async move {
            let mut run = Run { latencies: Vec::new(), errors: 0, first_error: None };
            let mut h1 = None;
            while Instant::now() < until {
                let request = request(scenario, protocol, &token);
                let started = Instant::now();
                let result = match &h2 {
                    Some(h2) => send(h2.clone(), request).await,
                    None => {
                        if h1.is_none() {
                            h1 = h1_connect(addr).await.ok();
                        }
                        match h1.as_mut() {
                            Some(h1) => send_h1(h1, request).await,
                            None => Err("could not connect".to_owned()),
                        }
                    }
                };
                match result.and_then(|reply| check(protocol, reply)) {
                    Ok(()) => run.latencies.push(started.elapsed()),
                    Err(error) => {
                        run.errors += 1;
                        run.first_error.get_or_insert(error);
                        h1 = None; // a fresh connection after any failure
                    }
                }
            }
            run
        });
    }
    let mut total = Run { latencies: Vec::new(), errors: 0, first_error: None };
    while let Some(run) = workers.join_next().await {
        let run = run.expect("a worker panicked");
        total.latencies.extend(run.latencies);
        total.errors += run.errors;
        total.first_error = total.first_error.take().or(run.first_error);
    }
    total
}

type H2 = hyper::client::conn::http2::SendRequest<Full<Bytes>>;
type H1 = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn h2_connect(addr: SocketAddr) -> H2 {
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tcp.set_nodelay(true).unwrap();
    let (send, conn) = hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tcp)).await.unwrap();
    tokio::spawn(conn);
    send
}

async fn h1_connect(addr: SocketAddr) -> Result<H1, String> {
    let tcp = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await.map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    Ok(send)
}

fn request(scenario: &Scenario, protocol: Protocol, token: &str) -> Request<Full<Bytes>> {
    let builder = Request::builder().header("host", "127.0.0.1").header("authorization", format!("Bearer {token}"));
    let mut framed = vec![0];
    framed.extend_from_slice(&(scenario.message.len() as u32).to_be_bytes());
    framed.extend_from_slice(scenario.message);
    match protocol {
        Protocol::Grpc => builder
            .method("POST")
            .uri(format!("http://127.0.0.1{}", scenario.grpc_path))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .body(Full::new(framed.into())),
        Protocol::GrpcWeb => builder
            .method("POST")
            .uri(scenario.grpc_path)
            .header("content-type", "application/grpc-web+proto")
            .header("x-grpc-web", "1")
            .body(Full::new(framed.into())),
        Protocol::Rest => builder.method("GET").uri(scenario.rest_path).body(Full::new(Bytes::new())),
    }
    .unwrap()
}

struct Reply {
    status: StatusCode,
    body: Bytes,
    grpc_status: Option<String>,
}

async fn send(mut h2: H2, request: Request<Full<Bytes>>) -> Result<Reply, String> {
    h2.ready().await.map_err(|e| e.to_string())?;
    read(h2.send_request(request).await.map_err(|e| e.to_string())?).await
}

async fn send_h1(h1: &mut H1, request: Request<Full<Bytes>>) -> Result<Reply, String> {
    h1.ready().await.map_err(|e| e.to_string())?;
    read(h1.send_request(request).await.map_err(|e| e.to_string())?).await
}

async fn read(response: http::Response<hyper::body::Incoming>) -> Result<Reply, String> {
    let (parts, body) = response.into_parts();
    let collected = body.collect().await.map_err(|e| e.to_string())?;
    let header = parts.headers.get("grpc-status");
    let trailer = collected.trailers().and_then(|t| t.get("grpc-status"));
    let grpc_status = trailer.or(header).and_then(|v| v.to_str().ok()).map(str::to_owned);
    Ok(Reply { status: parts.status, body: collected.to_bytes(), grpc_status })
}

fn check(protocol: Protocol, reply: Reply) -> Result<(), String> {
    if reply.status != StatusCode::OK {
        return Err(format!("HTTP {}", reply.status));
    }
    match protocol {
        Protocol::Grpc if reply.grpc_status.as_deref() != Some("0") => {
            Err(format!("grpc-status {:?}", reply.grpc_status))
        }
        // The last frame is the trailer frame: flag 0x80, then `grpc-status:0`.
        Protocol::GrpcWeb if !trailer_frame_ok(&reply.body) => Err("no grpc-status:0 trailer frame".to_owned()),
        _ => Ok(()),
    }
}

fn trailer_frame_ok(body: &[u8]) -> bool {
    let mut rest = body;
    while rest.len() >= 5 {
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        let Some(payload) = rest.get(5..5 + len) else { return false };
        if rest[0] == 0x80 {
            return payload.windows(13).any(|w| w == b"grpc-status:0") && rest.len() == 5 + len;
        }
        rest = &rest[5 + len..];
    }
    false
}
