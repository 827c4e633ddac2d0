//! The end-to-end tests: build and start the real `wirelens-server` (in memory) on the built
//! `dist/`, and a server this project did not write (the interop tests' ConnectRPC-for-Node
//! EchoService, with CORS, on another origin), then run `tests/e2e/*.test.mjs` with node's test
//! runner, driving Debian's Chromium through playwright-core; the page and its gRPC panel talk to
//! both. Knows where the tests, the driver and the screenshots live; the tests themselves know
//! the page.

use std::path::Path;

use anyhow::{Context, Result};

use crate::bench_server::{self, Server};
use crate::{interop, util};

/// Screenshots of the main states, written by the tests for a person to look at.
pub const SCREENSHOTS: &str = "target/screenshots";

pub fn run(dist: &Path) -> Result<()> {
    let binaries = bench_server::build("dev")?;
    let binary = binaries.iter().find(|p| p.ends_with("wirelens-server")).context("no wirelens-server binary")?;
    let sets = interop::EchoSets::write()?;
    let mut echo = interop::NodeServer::start(&util::node_interop_prefix(), &[&sets.echo])?;
    let mut server = Server::start_serving(binary, dist)?;
    println!(
        "wirelens-server serving {} at {}; Connect for Node's EchoService at {}",
        dist.display(),
        server.url,
        echo.url
    );
    let echo_env = [
        ("WIRELENS_ECHO_URL", echo.url.clone()),
        ("WIRELENS_ECHO_SET", sets.echo.to_string_lossy().into_owned()),
        ("WIRELENS_ECHO_EDITIONS_SET", sets.editions.to_string_lossy().into_owned()),
    ];
    let result = node_with(&format!("{}/", server.url), &["--test", "--test-reporter=spec", "tests/e2e/"], &echo_env);
    server.stop();
    echo.stop();
    println!("screenshots: {SCREENSHOTS}/");
    result
}

/// Runs node scripts one after another against `dist/` as users get it: the release build of
/// wirelens-server (as `cargo xtask serve` runs it), with its precompressed files and caching
/// headers (the app benchmarks).
pub fn run_scripts(dist: &Path, scripts: &[&str]) -> Result<()> {
    let binaries = bench_server::build("release")?;
    let binary = binaries.iter().find(|p| p.ends_with("wirelens-server")).context("no wirelens-server binary")?;
    let mut server = Server::start_serving(binary, dist)?;
    println!("wirelens-server (release) serving {} at {}", dist.display(), server.url);
    let result = scripts.iter().try_for_each(|script| node(&format!("{}/", server.url), &[script]));
    server.stop();
    result
}

fn node(url: &str, args: &[&str]) -> Result<()> {
    node_with(url, args, &[])
}

fn node_with(url: &str, args: &[&str], env: &[(&str, String)]) -> Result<()> {
    let root = util::root();
    let modules = util::e2e_prefix().join("node_modules");
    let mut node = util::cmd("node", args);
    node.env("WIRELENS_URL", url)
        .env("WIRELENS_NODE_MODULES", &modules)
        .env("WIRELENS_SCREENSHOTS", root.join(SCREENSHOTS))
        .env("CHROMIUM", "/usr/bin/chromium");
    node.envs(env.iter().map(|(k, v)| (*k, v)));
    util::run(&mut node)
}
