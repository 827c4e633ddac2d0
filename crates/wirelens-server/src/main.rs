//! `wirelens-server`: parses the command line, opens the database, binds the port, prints the
//! URL and the token, and serves until Ctrl-C. Everything else is the library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::Parser;
use wirelens_server::{Config, DEMO_TOKEN, RateLimit, Store};

/// The wirelens UserService over native gRPC, grpc-web and REST/JSON on one port, with the
/// built app beside it.
///
/// gRPC:  POST /userservice.UserService/{GetUser,ListUsers,UploadUserPhotos,Chat}
///        (HTTP/2 native gRPC; grpc-web binary and text over HTTP/1.1 or HTTP/2)
///        and server reflection, grpc.reflection.v1 and v1alpha (no token needed)
/// REST:  GET /v1/users/{id}, GET /v1/users?page_size=&page_token=, POST /v1/users/{id}/photos
/// App:   every other path, from --dist
///
/// Every UserService call needs `authorization: Bearer <token>`.
#[derive(Parser, Debug)]
#[command(name = "wirelens-server", version, verbatim_doc_comment)]
struct Args {
    /// The address to listen on. Port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,

    /// The SQLite database file; created and seeded with 60 users (user 42 is Alice) if new.
    #[arg(long, default_value = "wirelens.sqlite3", conflicts_with = "memory")]
    db: PathBuf,

    /// Keep the data in memory instead: a fresh, seeded database that ends with the process.
    #[arg(long)]
    memory: bool,

    /// The built app to serve on every path the API does not claim (`cargo xtask serve` builds it).
    #[arg(long, default_value = "dist")]
    dist: PathBuf,

    /// The bearer token API calls must send (`authorization: Bearer TOKEN`).
    #[arg(long, default_value = DEMO_TOKEN)]
    token: String,

    /// Requests per second each client IP may make on average; 0 turns the limit off.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,

    /// Requests a client IP may make at once before the rate applies.
    #[arg(long, default_value_t = 100)]
    burst: u32,

    /// The largest gRPC message accepted or sent, in bytes; larger ones end RESOURCE_EXHAUSTED.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    max_message_bytes: usize,

    /// The largest request body, all messages together (a whole upload or chat), in bytes;
    /// larger ones end RESOURCE_EXHAUSTED (HTTP 413).
    #[arg(long, default_value_t = Config::default().max_request_bytes)]
    max_request_bytes: usize,

    /// The most API calls in progress at once (open streams count); more are refused at once
    /// with RESOURCE_EXHAUSTED (HTTP 503) instead of queueing.
    #[arg(long, default_value_t = Config::default().max_concurrent_calls)]
    max_concurrent_calls: usize,

    /// Seconds a connection may take to send a request's headers; slower ones are closed
    /// (idle keep-alive connections too). 0 turns the limit off.
    #[arg(long, default_value_t = Config::default().header_read_timeout.map_or(0.0, |t| t.as_secs_f64()))]
    header_read_timeout: f64,

    /// Seconds Ctrl-C waits for open calls (streams) to finish before exiting anyway; a second
    /// Ctrl-C exits at once.
    #[arg(long, default_value_t = 5.0)]
    shutdown_grace: f64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: could not start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(args));
    // Whatever still runs (a stream past the grace, a database call) is abandoned, not awaited.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<()> {
    let store = if args.memory { Store::in_memory() } else { Store::open(&args.db) }
        .context("the database is unreadable (pick another with --db PATH, or use --memory)")?;
    let listener = tokio::net::TcpListener::bind(args.addr).await.map_err(|err| {
        let hint = if err.kind() == std::io::ErrorKind::AddrInUse {
            " (the port is taken: is another server running? pick another with --addr 127.0.0.1:PORT)"
        } else {
            ""
        };
        anyhow::anyhow!("could not listen on {}: {err}{hint}", args.addr)
    })?;
    let addr = listener.local_addr().context("the listener has no address")?;
    let dist = args.dist.join("index.html").is_file().then(|| args.dist.clone());
    if dist.is_none() {
        eprintln!(
            "note: no {}/index.html; serving the API only (build the app with `cargo xtask serve`)",
            args.dist.display()
        );
    }
    let seconds = |name: &str, value: f64| {
        Duration::try_from_secs_f64(value).with_context(|| format!("--{name} {value}: expected seconds, 0 or more"))
    };
    let header_read_timeout =
        Some(seconds("header-read-timeout", args.header_read_timeout)?).filter(|timeout| !timeout.is_zero());
    let shutdown_grace = seconds("shutdown-grace", args.shutdown_grace)?;
    anyhow::ensure!(args.max_concurrent_calls > 0, "--max-concurrent-calls 0 would refuse every call");
    let config = Config {
        token: args.token.clone(),
        max_message_bytes: args.max_message_bytes,
        max_request_bytes: args.max_request_bytes,
        max_concurrent_calls: args.max_concurrent_calls,
        header_read_timeout,
        rate_limit: (args.rate > 0.0).then_some(RateLimit { per_second: args.rate, burst: args.burst }),
        dist,
        ..Config::default()
    };
    let database = if args.memory { "in memory".to_owned() } else { args.db.display().to_string() };
    println!("wirelens-server listening on http://{addr}/");
    println!("  gRPC + grpc-web: {addr}  service userservice.UserService");
    println!("  REST:            http://{addr}/v1/users/42");
    println!("  database:        {database}");
    println!("  token:           {}   (send: authorization: Bearer {})", args.token, args.token);
    println!("Ctrl-C stops it.");

    // Listening from here on: a second Ctrl-C during the grace must not be lost.
    let mut interrupts = Interrupts::new().context("could not listen for Ctrl-C")?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let app = wirelens_server::app(store, &config);
    let mut server = tokio::spawn(wirelens_server::serve(listener, app, &config, async {
        let _ = stop_rx.await;
    }));
    tokio::select! {
        served = &mut server => return served.context("the server task failed")?.context("serving failed"),
        () = interrupts.next() => {}
    }
    let grace = shutdown_grace.as_secs_f64();
    println!("stopping: finishing open calls (at most {grace} s; Ctrl-C again to exit now)");
    let _ = stop_tx.send(());
    tokio::select! {
        finished = tokio::time::timeout(shutdown_grace, &mut server) => match finished {
            Ok(served) => served.context("the server task failed")?.context("serving failed")?,
            Err(_) => println!("calls still open after {grace} s; exiting anyway"),
        },
        () = interrupts.next() => println!("second Ctrl-C; exiting now"),
    }
    Ok(())
}

/// Ctrl-C presses as they come, counted from creation (tokio's `ctrl_c()` future only hears a
/// press made after it is first polled).
struct Interrupts {
    #[cfg(unix)]
    inner: tokio::signal::unix::Signal,
    #[cfg(windows)]
    inner: tokio::signal::windows::CtrlC,
}

impl Interrupts {
    fn new() -> std::io::Result<Interrupts> {
        #[cfg(unix)]
        let inner = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        #[cfg(windows)]
        let inner = tokio::signal::windows::ctrl_c()?;
        Ok(Interrupts { inner })
    }

    async fn next(&mut self) {
        // `None` only if the signal driver is gone, i.e. the runtime is shutting down.
        let _ = self.inner.recv().await;
    }
}
