//! The end-to-end tests: build and start the real `wirelens-server` (in memory) on the built
//! `dist/`, then run `tests/e2e/*.test.mjs` with node's test runner, driving Debian's Chromium
//! through playwright-core; the page and its gRPC panel talk to that server. Knows where the tests,
//! the driver and the screenshots live; the tests themselves know the page.

use std::path::Path;

use anyhow::{Context, Result};

use crate::bench_server::{self, Server};
use crate::static_server::StaticServer;
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

/// Runs one node script against the served `dist/` (the app benchmark: static files suffice).
pub fn run_script(dist: &Path, script: &str) -> Result<()> {
    let server = StaticServer::bind("127.0.0.1:0", dist)?.spawn();
    println!("serving {} at {}", dist.display(), server.url);
    node(&server.url, &[script])
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
