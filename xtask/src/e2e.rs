//! The end-to-end tests: serve the built `dist/`, then run `tests/e2e/*.test.mjs` with node's test
//! runner, driving Debian's Chromium through playwright-core. Knows where the tests, the driver and
//! the screenshots live; the tests themselves know the page.

use std::path::Path;

use anyhow::Result;

use crate::static_server::StaticServer;
use crate::util;

/// Screenshots of the main states, written by the tests for a person to look at.
pub const SCREENSHOTS: &str = "target/screenshots";

pub fn run(dist: &Path) -> Result<()> {
    let result = node(dist, &["--test", "--test-reporter=spec", "tests/e2e/"]);
    println!("screenshots: {SCREENSHOTS}/");
    result
}

/// Runs one node script against the served `dist/` (the app benchmark).
pub fn run_script(dist: &Path, script: &str) -> Result<()> {
    node(dist, &[script])
}

fn node(dist: &Path, args: &[&str]) -> Result<()> {
    let server = StaticServer::bind("127.0.0.1:0", dist)?.spawn();
    println!("serving {} at {}", dist.display(), server.url);
    let root = util::root();
    let modules = util::e2e_prefix().join("node_modules");
    let mut node = util::cmd("node", args);
    node.env("WIRELENS_URL", &server.url)
        .env("WIRELENS_NODE_MODULES", &modules)
        .env("WIRELENS_SCREENSHOTS", root.join(SCREENSHOTS))
        .env("CHROMIUM", "/usr/bin/chromium");
    util::run(&mut node)
}
