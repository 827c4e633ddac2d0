//! The benchmark of issue #5 natively: every built-in workload through prost, prost-reflect and
//! serde_json, timed by the same runner and plan as the browser's worker (with `Instant` for the
//! clock), printed as the same Markdown table the app copies.
//!
//! `cargo xtask bench codec` runs it; `-- --quick` takes the quick plan, other arguments select
//! workloads by id (`page-100 numbers`).

use std::time::Instant;

use wirelens_bench::codec::{Codec, RustCodec};
use wirelens_bench::run::{Length, run};
use wirelens_bench::workload::{BUILTIN, Workload};
use wirelens_core::bench::{Clock, resolution};
use wirelens_core::bench_report::Environment;

struct Native(Instant);

impl Clock for Native {
    fn now_ns(&mut self) -> f64 {
        self.0.elapsed().as_nanos() as f64
    }
}

fn main() {
    // cargo bench passes `--bench`; anything else that starts with `-` is not ours either.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let length = if args.iter().any(|a| a == "--quick") { Length::Quick } else { Length::Full };
    let ids: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    let workloads: Vec<Workload> = BUILTIN
        .iter()
        .filter(|b| ids.is_empty() || ids.contains(&b.id))
        .map(|b| Workload::builtin(b.id).expect("built-in workloads build"))
        .collect();
    for w in &workloads {
        w.check().expect("every codec reads back the same message");
    }
    let codecs: Vec<&dyn Codec> = RustCodec::ALL.iter().map(|c| c as &dyn Codec).collect();
    let mut clock = Native(Instant::now());
    let env = Environment {
        machine: machine(),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
        resolution_ns: resolution(&mut clock),
        isolated: None,
        runtime: "native (cargo bench profile)".into(),
        plan: format!("{length:?}").to_lowercase(),
    };
    let report = run(
        &workloads,
        &codecs,
        &length.plan(),
        &mut clock,
        &mut |p| eprintln!("[{}/{}] {}", p.done, p.total, p.label),
        &mut || false,
    )
    .expect("nothing cancels the native run");
    println!("{}", report.markdown(&env));
}

/// The CPU model and the OS, from /proc where there is one.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    format!("{cpu}, {}", std::env::consts::OS)
}
