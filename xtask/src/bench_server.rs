//! `cargo xtask bench server`: builds wirelens-server and the `wirelens` CLI with the bench
//! profile, starts the server on a free port with an in-memory database and no rate limit, and
//! runs `wirelens call --repeat --concurrency` on each kind of call, printing each summary; then
//! the server's `load` example drives GetUser and a ListUsers page over native gRPC, grpc-web and
//! REST/JSON side by side, for a fixed time each. Knows the scenarios; the timing is the clients'.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::util;

/// Seconds per protocol and call in the side-by-side run, and the calls in flight.
const SIDE_BY_SIDE_SECONDS: &str = "3";
const SIDE_BY_SIDE_CONCURRENCY: &str = "16";

/// `(method, requests, repeat, concurrency)`: requests as `call` reads them (one JSON per line).
const SCENARIOS: &[(&str, &str, u32, u32)] = &[
    ("GetUser", r#"{"userId":"42"}"#, 2000, 1),
    ("GetUser", r#"{"userId":"42"}"#, 5000, 16),
    ("GetUser", r#"{"userId":"42"}"#, 5000, 64),
    ("ListUsers", r#"{"pageSize":60}"#, 500, 16),
    ("UploadUserPhotos", "", 300, 8), // filled in by `upload_requests`
    ("Chat", "{\"from\":\"bench\",\"text\":\"hello\"}\n{\"from\":\"bench\",\"text\":\"bye\"}", 1000, 16),
];

pub fn run() -> Result<()> {
    let binaries = build("bench")?;
    let server_bin = binaries.iter().find(|p| p.ends_with("wirelens-server")).context("no wirelens-server binary")?;
    let cli = binaries.iter().find(|p| p.ends_with("wirelens")).context("no wirelens binary")?;
    let load = build_with(profile_args("bench", &["-p", "wirelens-server", "--example", "load"]))?;
    let load = load.iter().find(|p| p.ends_with("load")).context("no load example binary")?.clone();
    let mut server = Server::start(server_bin)?;
    println!("server at {} (bench profile, in memory, no rate limit)\n", server.url);
    let result = (|| {
        for &(method, requests, repeat, concurrency) in SCENARIOS {
            let requests = if method == "UploadUserPhotos" { upload_requests() } else { requests.to_owned() };
            // On stdin: a photo's JSON is too long for one argument.
            let args = [
                "call",
                "--addr",
                &server.url,
                method,
                "--repeat",
                &repeat.to_string(),
                "--concurrency",
                &concurrency.to_string(),
                "-",
            ];
            let mut child = Command::new(cli)
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .context("could not run wirelens call")?;
            child.stdin.take().context("no stdin")?.write_all(requests.as_bytes()).context("writing the requests")?;
            let output = child.wait_with_output().context("waiting for wirelens call")?;
            print!("{}", String::from_utf8_lossy(&output.stdout));
            if !output.status.success() {
                bail!("{method} failed: {}", String::from_utf8_lossy(&output.stderr));
            }
            println!();
        }
        println!("side by side: {SIDE_BY_SIDE_CONCURRENCY} calls at once, {SIDE_BY_SIDE_SECONDS} s each");
        let addr = server.url.trim_start_matches("http://");
        let args = [addr, "wirelens-demo-token", SIDE_BY_SIDE_SECONDS, SIDE_BY_SIDE_CONCURRENCY];
        util::run(Command::new(&load).args(args)).context("a side-by-side call failed")
    })();
    server.stop();
    result
}

/// A photo of four chunks of 65535 bytes, as JSON lines (`chunk` is base64).
fn upload_requests() -> String {
    let chunk = "A".repeat(21_845 * 4); // base64 of 65535 zero bytes
    (0..4)
        .map(|i| format!(r#"{{"userId":"42","filename":"bench.bin","chunk":"{chunk}","chunkIndex":{i}}}"#))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Builds the server and the CLI with `profile` (bench: optimised, no LTO) and returns the
/// paths of their binaries.
pub fn build(profile: &str) -> Result<Vec<PathBuf>> {
    build_with(profile_args(profile, &["-p", "wirelens-server", "-p", "wirelens-cli"]))
}

pub fn profile_args<'a>(profile: &'a str, targets: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["build", "--profile", profile, "--message-format=json"];
    args.extend_from_slice(targets);
    args
}

/// Runs `cargo ARGS` (a build with `--message-format=json`) and returns the executables built.
pub fn build_with(args: Vec<&str>) -> Result<Vec<PathBuf>> {
    let mut cargo = util::cmd("cargo", &args);
    println!("$ {}", util::display(&cargo));
    let output = cargo.stderr(Stdio::inherit()).output().context("could not run cargo build")?;
    if !output.status.success() {
        bail!("cargo build failed ({})", output.status);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    Ok(stdout
        .lines()
        .filter_map(|line| line.split_once(r#""executable":""#)?.1.split_once('"').map(|(path, _)| PathBuf::from(path)))
        .collect())
}

/// The server process; stopped (killed and reaped) by [`Server::stop`].
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Server {
    /// Starts `binary` on a free port, in memory, without a rate limit, and reads its address.
    pub fn start(binary: &PathBuf) -> Result<Server> {
        Server::start_serving(binary, Path::new("/nonexistent"))
    }

    /// As [`Server::start`], serving the app from `dist` too (the end-to-end tests).
    pub fn start_serving(binary: &PathBuf, dist: &Path) -> Result<Server> {
        let dist = dist.to_str().context("the dist path is not UTF-8")?;
        let mut child = Command::new(binary)
            .args(["--addr", "127.0.0.1:0", "--memory", "--rate", "0", "--dist", dist])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("could not start wirelens-server")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        // Bounded: the address is on the first line; a few more lines are allowed.
        for line in lines.by_ref().take(20) {
            let line = line.context("reading the server's output")?;
            if let Some(rest) = line.strip_prefix("wirelens-server listening on ") {
                // Keep reading what it prints later, so it never writes to a closed pipe.
                std::thread::spawn(move || lines.for_each(drop));
                return Ok(Server { child, url: rest.trim_end_matches('/').to_owned() });
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        bail!("wirelens-server did not print its address")
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
