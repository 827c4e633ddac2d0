//! `cargo xtask`: the project's automation, in Rust rather than shell. This file parses the
//! command line and dispatches; each command lives in its own module.

mod bench_cli;
mod bench_server;
mod conformance;
mod dist;
mod e2e;
mod interop;
mod setup;
mod smoke;
mod split_app;
mod static_server;
mod test;
mod util;

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
cargo xtask <command> [options]

Commands:
  setup                          install what the other commands need, skipping what is present:
                                 wasm32 target, rustfmt/clippy, trunk 0.21, wasm-bindgen-cli (Cargo.lock's
                                 version), wasm-opt (npm binaryen, into target/tools), chromium, protoc,
                                 g++, libprotobuf-dev and libjsoncpp-dev (for the conformance runner)
  serve [--port N] [--no-build]  build the app (trunk build --release, brotli and gzip copies) and start
                                 wirelens-server (release build) on
                                 http://127.0.0.1:8080/ (or port N): the app, gRPC, grpc-web and REST
                                 on one origin, data in target/wirelens.sqlite3; --no-build serves
                                 dist/ as it is
  test [--quick]                 run every check CI runs: setup, fmt, clippy, doc, cargo test,
                                 `conformance`, wirelens-core in wasm32, trunk build, a smoke test of
                                 the built app in headless Chromium, and `interop`; --quick stops
                                 after cargo test
  conformance                    protobuf's conformance runner (v21.12, built once from
                                 ../shared/third_party/protobuf-conformance-v21.12 into target/) on
                                 wirelens-core: the binary/JSON and text-format suites with
                                 --enforce_recommended, every binary input annotated too
  bench [core] [-- ARGS]         criterion benchmarks of wirelens-core's annotator and encoder against
                                 prost, prost-reflect, serde_json and protoc --decode_raw (the annotate
                                 and codecs benches of crates/wirelens-bench; ARGS go to criterion)
  bench codec [-- ARGS]          protobuf against JSON natively (issue #5): the app's benchmark
                                 workloads through prost, prost-reflect and serde_json, printed
                                 as the app's Markdown table; ARGS: --quick, workload ids
  bench app                      build the app, serve it with wirelens-server (release) and time it in
                                 headless Chromium: cold loads under loopback, broadband and mobile
                                 profiles (time to the seed bytes, bytes for the first screen, every
                                 tab, a repeat visit), typing, a 1 MiB message, the benchmark tab
  bench server                   start wirelens-server (bench profile) and time each kind of call
                                 with `wirelens call --repeat --concurrency`, then GetUser and
                                 ListUsers over native gRPC, grpc-web and REST side by side
  bench cli                      the wirelens command against protoc, whole processes on the 1 MiB
                                 batch (time, peak memory), on 1 MiB corpora of one record shape
                                 each and a descriptor set (a ratio per corpus, with the schema and
                                 without), and a 1 GiB --delimited stream
  interop                        run the independent clients against wirelens-server: Python
                                 grpcio (native gRPC; PyPI, into target/tools/python) and Connect
                                 for Node (grpc-web; npm, into target/tools/interop-node)
  split-app                      trunk's post-build hook (Trunk.toml): cuts the app's wasm into the first
                                 download and the parts the gRPC, benchmark and Learn tabs fetch later
  help                           print this text
";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Not anyhow's Debug output: that adds a backtrace whenever RUST_BACKTRACE is set.
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["help" | "--help" | "-h", ..] => {
            print!("{USAGE}");
            Ok(())
        }
        ["setup"] => setup(),
        ["serve", rest @ ..] => serve(rest),
        ["test", rest @ ..] => match rest {
            [] => test::run(false),
            ["--quick"] => test::run(true),
            _ => usage_error(&format!("unexpected arguments to test: {rest:?}")),
        },
        ["bench", rest @ ..] => bench(rest),
        ["split-app"] => split_app::run(),
        ["conformance"] => {
            setup::run(setup::FOR_CONFORMANCE).require(setup::FOR_CONFORMANCE)?;
            conformance::run()
        }
        ["interop"] => {
            let needs = [setup::Tool::PythonGrpc, setup::Tool::NodeConnect, setup::Tool::Protoc];
            setup::run(&needs).require(&needs)?;
            interop::run()
        }
        [command, ..] => usage_error(&format!("unknown command or arguments: {command}")),
    }
}

fn usage_error(message: &str) -> Result<()> {
    eprint!("{USAGE}");
    bail!("{message}")
}

fn setup() -> Result<()> {
    setup::run(setup::ALL).require(setup::ALL)?;
    println!("setup: done");
    Ok(())
}

/// `serve [--port N] [--no-build]`.
fn serve(args: &[&str]) -> Result<()> {
    let mut port = 8080;
    let mut build = true;
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        match arg {
            "--no-build" => build = false,
            "--port" => {
                let value = args.next().context("--port needs a number")?;
                port = parse_port(value)?;
            }
            _ => match arg.strip_prefix("--port=") {
                Some(value) => port = parse_port(value)?,
                None => return usage_error(&format!("unexpected argument to serve: {arg}")),
            },
        }
    }
    let dist = dist::dir();
    if build {
        setup::run(setup::FOR_TRUNK).require(setup::FOR_TRUNK)?;
        dist::build()?;
    }
    dist::check(&dist).context("nothing to serve (run `cargo xtask serve` without --no-build)")?;
    let addr = format!("127.0.0.1:{port}");
    let db = util::root().join("target").join("wirelens.sqlite3");
    let dist_arg = dist.to_string_lossy().into_owned();
    let db_arg = db.to_string_lossy().into_owned();
    println!("serving the app and the API at http://{addr}/ (API token: {DEMO_TOKEN}); Ctrl-C stops it");
    // Release: what a user meets should be what is measured (`bench app` serves the same build).
    let args =
        ["run", "--release", "-p", "wirelens-server", "--", "--addr", &addr, "--dist", &dist_arg, "--db", &db_arg];
    util::run(&mut util::cmd("cargo", &args))
}

/// wirelens-server's default `--token`, printed so the user can call the API.
const DEMO_TOKEN: &str = "wirelens-demo-token";

fn parse_port(value: &str) -> Result<u16> {
    value.parse().with_context(|| format!("--port wants a number from 0 to 65535, not '{value}'"))
}

/// `bench app`: the built app in headless Chromium: loaded cold under three network profiles
/// (`tests/bench/load.mjs`), then typing, a 1 MiB message and the benchmark tab
/// (`tests/bench/app.mjs`).
fn bench_app() -> Result<()> {
    let report = setup::run(&[setup::FOR_TRUNK, &[setup::Tool::Chromium, setup::Tool::PlaywrightCore]].concat());
    report.require(&[setup::Tool::Chromium, setup::Tool::PlaywrightCore])?;
    dist::build()?;
    e2e::run_scripts(&dist::dir(), &["tests/bench/load.mjs", "tests/bench/app.mjs"])
}

/// `bench [core] [-- ARGS]`.
fn bench(args: &[&str]) -> Result<()> {
    if args == ["app"] {
        return bench_app();
    }
    if args == ["server"] {
        return bench_server::run();
    }
    if args == ["cli"] {
        return bench_cli::run();
    }
    if let ["codec", rest @ ..] = args {
        let extra = match rest {
            [] => &[][..],
            ["--", extra @ ..] => extra,
            _ => return usage_error(&format!("unexpected arguments to bench codec: {rest:?}")),
        };
        let mut cargo = util::cmd("cargo", &["bench", "-p", "wirelens-bench", "--bench", "table", "--"]);
        return util::run(cargo.args(extra));
    }
    let extra = match args {
        [] | ["core"] => &[][..],
        ["--", extra @ ..] | ["core", "--", extra @ ..] => extra,
        _ => return usage_error(&format!("unexpected arguments to bench: {args:?}")),
    };
    // Core's code, measured where the workloads are (wirelens-bench depends on core, not back).
    let mut cargo = util::cmd(
        "cargo",
        &["bench", "-p", "wirelens-bench", "--bench", "annotate", "--bench", "codecs", "--bench", "notation"],
    );
    if !extra.is_empty() {
        cargo.arg("--").args(extra);
    }
    util::run(&mut cargo)?;
    let report = util::root().join("target/criterion/report/index.html");
    if report.is_file() {
        println!("criterion's report: {}", report.display());
    } else {
        println!("criterion's results: {}", util::root().join("target/criterion").display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_token_is_the_servers_default() {
        // The server's default is the service contract's (wirelens-api), where the constant moved.
        let server = include_str!("../../crates/wirelens-api/src/contract.rs");
        assert!(server.contains(&format!("pub const DEMO_TOKEN: &str = \"{}\";", super::DEMO_TOKEN)));
    }
}
