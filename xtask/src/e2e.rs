//! The end-to-end tests: build and start the real `wirelens-server` (in memory) on the built
//! `dist/`, then run `tests/e2e/*.test.mjs` with node's test runner, driving Debian's Chromium
//! through playwright-core; the page and its gRPC panel talk to that server. Knows where the tests,
//! the driver and the screenshots live; the tests themselves know the page.

use std::path::Path;

use anyhow::{Context, Result};

use crate::bench_server::{self, Server};
use crate::util;

/// Screenshots of the main states, written by the tests for a person to look at.
pub const SCREENSHOTS: &str = "target/screenshots";

pub fn run(dist: &Path) -> Result<()> {
    let binaries = bench_server::build("dev")?;
    let binary = binaries.iter().find(|p| p.ends_with("wirelens-server")).context("no wirelens-server binary")?;
    let mut server = Server::start_serving(binary, dist)?;
    println!("wirelens-server serving {} at {}", dist.display(), server.url);
    let result = node(&format!("{}/", server.url), &["--test", "--test-reporter=spec", "tests/e2e/"]);
    server.stop();
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
    let root = util::root();
    let modules = util::e2e_prefix().join("node_modules");
    let mut node = util::cmd("node", args);
    node.env("WIRELENS_URL", url)
        .env("WIRELENS_NODE_MODULES", &modules)
        .env("WIRELENS_SCREENSHOTS", root.join(SCREENSHOTS))
        .env("CHROMIUM", "/usr/bin/chromium");
    util::run(&mut node)
}
