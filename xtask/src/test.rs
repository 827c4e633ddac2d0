//! `cargo xtask test`: every check CI runs, in order, each step printed as a header and timed,
//! then a table of step durations. Stops at the first failing step and names it.
//! Knows which steps exist and what each needs; how tools get installed is `setup`'s business.

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::setup::{self, Tool};
use crate::{conformance, dist, e2e, interop, smoke, util};

struct Step {
    name: &'static str,
    needs: &'static [Tool],
    run: fn() -> Result<()>,
}

/// fmt, clippy, doc and the host tests: all `--quick` runs.
const QUICK_STEPS: &[Step] = &[
    Step { name: "fmt", needs: &[Tool::RustComponents], run: || cargo(&["fmt", "--all", "--check"]) },
    Step {
        name: "clippy (host crates)",
        needs: &[Tool::RustComponents],
        run: || cargo(&["clippy", "--workspace", "--exclude", "wirelens", "--all-targets", "--", "-D", "warnings"]),
    },
    Step {
        name: "clippy (app, wasm32)",
        needs: &[Tool::RustComponents, Tool::Wasm32Target],
        // The benchmark worker's code only exists for wasm32 (on the host it is a stub).
        run: || {
            cargo(&[
                "clippy",
                "-p",
                "wirelens",
                "-p",
                "wirelens-bench-worker",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
        },
    },
    Step {
        name: "doc (host crates, no broken links)",
        needs: &[],
        // A doc link to a renamed or private item is an error, as clippy's lints are. The app's
        // library is documented on the host; its wasm32-only code is clippy's above.
        run: || {
            let mut cmd = util::cmd("cargo", &["doc", "--workspace", "--no-deps"]);
            util::run(cmd.env("RUSTDOCFLAGS", "-D warnings"))
        },
    },
    Step {
        name: "cargo test (host crates)",
        // wirelens-core's differential tests run the reference `protoc`.
        needs: &[Tool::Protoc],
        // The app's pure state tests run on the host too (yew builds natively).
        run: || cargo(&["test", "--workspace"]),
    },
];

/// The references (protobuf's conformance suite), core in wasm32, the app in a browser and the
/// independent clients of the server: skipped by `--quick`.
const APP_STEPS: &[Step] = &[
    Step { name: "conformance (protobuf v21.12 runner)", needs: setup::FOR_CONFORMANCE, run: conformance::run },
    Step {
        name: "wirelens-core in wasm32 (wasm-bindgen-test, chromedriver)",
        needs: &[Tool::Wasm32Target, Tool::WasmBindgen, Tool::Chromium, Tool::Chromedriver],
        // Nesting attacks where a stack overflow does not unwind (tests/nesting.rs).
        run: || wasm_bindgen_test(&["-p", "wirelens-core", "--test", "nesting"]),
    },
    Step {
        name: "component tests (wasm-bindgen-test, chromedriver)",
        needs: &[Tool::Wasm32Target, Tool::WasmBindgen, Tool::Chromium, Tool::Chromedriver],
        run: || wasm_bindgen_test(&["-p", "wirelens", "--test", "components"]),
    },
    Step {
        name: "trunk build --release",
        needs: setup::FOR_TRUNK,
        run: || {
            dist::build()?;
            dist::check(&dist::dir()).map(drop)
        },
    },
    Step { name: "smoke (headless chromium)", needs: &[Tool::Chromium], run: || smoke::run(&dist::dir()) },
    Step {
        name: "end-to-end (playwright-core, headless chromium)",
        needs: &[Tool::Chromium, Tool::PlaywrightCore],
        run: || e2e::run(&dist::dir()),
    },
    Step {
        name: "interop (python grpcio, node connect grpc-web)",
        needs: &[Tool::PythonGrpc, Tool::NodeConnect, Tool::Protoc],
        run: interop::run,
    },
];

/// Runs setup, then the steps; `quick` skips building and loading the app.
pub fn run(quick: bool) -> Result<()> {
    let total = Instant::now();
    let mut timings: Vec<(&str, Duration, &str)> = Vec::new();

    let steps: Vec<&Step> = QUICK_STEPS.iter().chain(if quick { &[][..] } else { APP_STEPS }).collect();
    let count = steps.len() + 1;
    header(1, count, "setup");
    let start = Instant::now();
    let tools = if quick { setup::FOR_QUICK_TEST } else { setup::ALL };
    let report = setup::run(tools);
    // Missing tools fail only the steps that need them, below.
    let outcome = if report.missing.is_empty() { "ok" } else { "incomplete" };
    timings.push(("setup", start.elapsed(), outcome));

    for (i, step) in steps.into_iter().enumerate() {
        header(i + 2, count, step.name);
        let start = Instant::now();
        let result = report.require(step.needs).and_then(|()| (step.run)());
        let outcome = if result.is_ok() { "ok" } else { "FAILED" };
        timings.push((step.name, start.elapsed(), outcome));
        if let Err(err) = result {
            summary(&timings, total.elapsed(), quick);
            return Err(err.context(format!("step '{}' failed", step.name)));
        }
    }
    summary(&timings, total.elapsed(), quick);
    Ok(())
}

fn cargo(args: &[&str]) -> Result<()> {
    util::run(&mut util::cmd("cargo", args))
}

/// `cargo test --target wasm32-unknown-unknown ARGS`: wasm-bindgen-test-runner (from
/// wasm-bindgen-cli, the target's runner in .cargo/config.toml) drives Debian's chromedriver.
fn wasm_bindgen_test(args: &[&str]) -> Result<()> {
    let mut cmd = util::cmd("cargo", &["test", "--target", "wasm32-unknown-unknown"]);
    cmd.args(args).env("CHROMEDRIVER", "/usr/bin/chromedriver").env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    util::run(&mut cmd)
}

fn header(number: usize, count: usize, name: &str) {
    println!("\n==> [{number}/{count}] {name}");
}

fn summary(timings: &[(&str, Duration, &str)], total: Duration, quick: bool) {
    println!("\n{}", table(timings, total));
    if quick {
        println!("(--quick: skipped {})", skipped_names().join(", "));
    }
}

fn skipped_names() -> Vec<&'static str> {
    APP_STEPS.iter().map(|step| step.name).collect()
}

/// The summary table: one row per step run, then the total.
fn table(timings: &[(&str, Duration, &str)], total: Duration) -> String {
    let width =
        timings.iter().map(|(name, ..)| name.len()).chain(["step".len(), "total".len()]).max().unwrap_or_default();
    let mut out = format!("{:<width$}  {:>8}  result\n", "step", "time");
    for (name, took, outcome) in timings {
        out.push_str(&format!("{name:<width$}  {:>7.1}s  {outcome}\n", took.as_secs_f64()));
    }
    out.push_str(&format!("{:<width$}  {:>7.1}s", "total", total.as_secs_f64()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_names_and_times() {
        let timings = [
            ("setup", Duration::from_millis(1200), "ok"),
            ("cargo test (host crates)", Duration::from_secs(75), "FAILED"),
        ];
        let expected = "\
step                          time  result
setup                         1.2s  ok
cargo test (host crates)     75.0s  FAILED
total                        76.2s";
        assert_eq!(table(&timings, Duration::from_millis(76_200)), expected);
    }

    #[test]
    fn quick_skips_exactly_the_app_steps() {
        assert_eq!(QUICK_STEPS.len() + APP_STEPS.len(), 12);
        assert_eq!(
            skipped_names(),
            [
                "conformance (protobuf v21.12 runner)",
                "wirelens-core in wasm32 (wasm-bindgen-test, chromedriver)",
                "component tests (wasm-bindgen-test, chromedriver)",
                "trunk build --release",
                "smoke (headless chromium)",
                "end-to-end (playwright-core, headless chromium)",
                "interop (python grpcio, node connect grpc-web)"
            ]
        );
    }
}
