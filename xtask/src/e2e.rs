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
    let server = StaticServer::bind("127.0.0.1:0", dist)?.spawn();
    println!("serving {} at {}", dist.display(), server.url);
    let root = util::root();
    let modules = util::e2e_prefix().join("node_modules");
    let mut node = util::cmd("node", &["--test", "--test-reporter=spec", "tests/e2e/"]);
    node.env("WIRELENS_URL", &server.url)
        .env("WIRELENS_NODE_MODULES", &modules)
        .env("WIRELENS_SCREENSHOTS", root.join(SCREENSHOTS))
        .env("CHROMIUM", "/usr/bin/chromium");
    let result = util::run(&mut node);
    println!("screenshots: {SCREENSHOTS}/");
    result
}
