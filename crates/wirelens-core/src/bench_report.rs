//! The benchmark's vocabulary (issue #5), shared by the runner (`wirelens-bench`, natively and
//! in the app's worker) and the app that shows the results: which workloads and codecs, the
//! request and the events that cross between the app and its worker as JSON, the report that
//! comes back, and the report told as a Markdown table and as sentences beside the reference
//! material's claim.
//!
//! Plain data and text only: no codec, no workload, no clock (the timing is [`crate::bench`]'s).
//! The app depends on this, not on `wirelens-bench`, so the benchmark's prost types and serde
//! structs stay out of its bundle.

use serde::{Deserialize, Serialize};

use crate::bench::{Measurement, Plan};

/// Encode (message → text or bytes) or decode (back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Encode,
    Decode,
}

impl Direction {
    pub const BOTH: [Direction; 2] = [Direction::Encode, Direction::Decode];

    pub fn label(self) -> &'static str {
        match self {
            Direction::Encode => "encode",
            Direction::Decode => "decode",
        }
    }
}

/// Which implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CodecId {
    /// prost with generated types (`wirelens-api`, `bench.proto`).
    #[serde(rename = "prost")]
    Prost,
    /// prost-reflect's `DynamicMessage`: what the playground uses for any schema.
    #[serde(rename = "prost-reflect")]
    ProstReflect,
    /// serde_json on serde-derived structs of the same shape (through prost-reflect's serde
    /// support for the user's message, which has no derived struct).
    #[serde(rename = "serde_json")]
    SerdeJson,
    /// The browser's `JSON.stringify` / `JSON.parse` on the equivalent JavaScript object.
    #[serde(rename = "browser-json")]
    BrowserJson,
}

impl CodecId {
    pub const ALL: [CodecId; 4] = [CodecId::Prost, CodecId::ProstReflect, CodecId::SerdeJson, CodecId::BrowserJson];

    pub fn name(self) -> &'static str {
        match self {
            CodecId::Prost => "prost",
            CodecId::ProstReflect => "prost-reflect",
            CodecId::SerdeJson => "serde_json",
            CodecId::BrowserJson => "JSON.parse/stringify",
        }
    }

    pub fn from_name(name: &str) -> Option<CodecId> {
        CodecId::ALL
            .into_iter()
            .find(|c| c.name() == name || serde_json::to_value(c).ok().as_ref().and_then(|v| v.as_str()) == Some(name))
    }

    /// Whether it writes protobuf (else JSON).
    pub fn is_protobuf(self) -> bool {
        matches!(self, CodecId::Prost | CodecId::ProstReflect)
    }
}

/// How long to measure: the full plan (the issue's: 100 ms warm-up, 20 samples of at least
/// 10 ms), or a quick look (for tests and a first impression; its spread means less).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Length {
    Full,
    Quick,
}

impl Length {
    pub fn plan(self) -> Plan {
        match self {
            Length::Full => Plan::default(),
            Length::Quick => Plan { warmup_ns: 10e6, min_sample_ns: 2e6, samples: 5 },
        }
    }
}

/// A built-in workload: id, title, and the number of users for the pages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Builtin {
    pub id: &'static str,
    pub title: &'static str,
    pub users: Option<u32>,
}

/// Every built-in workload, smallest first within each kind.
pub const BUILTIN: &[Builtin] = &[
    Builtin { id: "user", title: "the reference user", users: None },
    Builtin { id: "page-1", title: "a page of 1 user", users: Some(1) },
    Builtin { id: "page-10", title: "a page of 10 users", users: Some(10) },
    Builtin { id: "page-100", title: "a page of 100 users", users: Some(100) },
    Builtin { id: "page-1000", title: "a page of 1,000 users", users: Some(1000) },
    Builtin { id: "page-10000", title: "a page of 10,000 users", users: Some(10_000) },
    Builtin { id: "numbers", title: "numbers: 1,000 doubles and 1,000 int64s, packed", users: None },
    Builtin { id: "strings", title: "strings: an article of 100 paragraphs", users: None },
];

/// The id of the workload made of the playground's current message.
pub const CUSTOM: &str = "yours";

/// The reference material's claim, quoted beside the figures.
pub const CLAIM: &str = "protobuf is typically 3-10x smaller than JSON and 20-100x faster to serialize/deserialize";

/// The runner is about to start job `done + 1` of `total` (or has finished: `done == total`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub label: String,
}

/// Median and spread of one operation's time, and its throughput.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub median_ns: f64,
    pub p5_ns: f64,
    pub p95_ns: f64,
    pub q1_ns: f64,
    pub q3_ns: f64,
    /// Operations per timed sample.
    pub batch: u64,
    pub samples: usize,
    /// Bytes of the codec's own format per second, in MB (10^6 bytes).
    pub mb_s: f64,
}

impl Stat {
    pub fn new(m: &Measurement, bytes: usize) -> Stat {
        let s = m.summary;
        Stat {
            median_ns: s.median,
            p5_ns: s.p5,
            p95_ns: s.p95,
            q1_ns: s.q1,
            q3_ns: s.q3,
            batch: m.batch,
            samples: m.samples_ns.len(),
            mb_s: bytes as f64 / s.median * 1e3,
        }
    }
}

/// One codec on one workload in one direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub workload: String,
    pub users: Option<u32>,
    pub codec: CodecId,
    pub direction: Direction,
    /// The size of one message in this codec's format (protobuf or compact JSON).
    pub bytes: usize,
    pub stat: Stat,
    /// This median over prost's for the same workload and direction.
    pub vs_prost: Option<f64>,
}

/// One workload's sizes in bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sizes {
    pub workload: String,
    pub users: Option<u32>,
    pub protobuf: usize,
    pub protobuf_gzip: usize,
    pub json: usize,
    pub json_gzip: usize,
    pub json_pretty: usize,
    pub json_pretty_gzip: usize,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Report {
    pub rows: Vec<Row>,
    pub sizes: Vec<Sizes>,
}

/// Where the figures come from, printed with them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Environment {
    /// The browser's user agent, or the native machine's CPU and OS.
    pub machine: String,
    /// Logical processors (`navigator.hardwareConcurrency`, `available_parallelism`).
    pub threads: u32,
    /// The smallest clock step seen, in nanoseconds.
    pub resolution_ns: f64,
    /// `crossOriginIsolated` in the browser; `None` natively.
    pub isolated: Option<bool>,
    /// "wasm32 in a Web Worker" or "native".
    pub runtime: String,
    /// "full" or "quick".
    pub plan: String,
}

impl Report {
    pub fn row(&self, workload: &str, codec: CodecId, direction: Direction) -> Option<&Row> {
        self.rows.iter().find(|r| r.workload == workload && r.codec == codec && r.direction == direction)
    }

    /// Workload ids in the order they ran.
    pub fn workloads(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for r in &self.rows {
            if !ids.contains(&r.workload.as_str()) {
                ids.push(&r.workload);
            }
        }
        ids
    }

    /// Codecs in the order they ran.
    pub fn codecs(&self) -> Vec<CodecId> {
        let mut codecs: Vec<CodecId> = Vec::new();
        for r in &self.rows {
            if !codecs.contains(&r.codec) {
                codecs.push(r.codec);
            }
        }
        codecs
    }

    pub fn sizes_of(&self, workload: &str) -> Option<&Sizes> {
        self.sizes.iter().find(|s| s.workload == workload)
    }

    /// The results as Markdown: the environment, then one table of times and one of sizes.
    pub fn markdown(&self, env: &Environment) -> String {
        let mut out = String::new();
        out.push_str(&format!(
            "Machine: {} ({} logical processors); {}; timer resolution {}{}; {} plan.\n\n",
            env.machine,
            env.threads,
            env.runtime,
            duration(env.resolution_ns),
            match env.isolated {
                Some(true) => ", cross-origin isolated",
                Some(false) => ", not cross-origin isolated",
                None => "",
            },
            env.plan
        ));
        out.push_str("| workload | codec | bytes | encode (median) | p5–p95 | MB/s | × prost | decode (median) | p5–p95 | MB/s | × prost |\n");
        out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for w in self.workloads() {
            for c in self.codecs() {
                let (enc, dec) = (self.row(w, c, Direction::Encode), self.row(w, c, Direction::Decode));
                let Some(any) = enc.or(dec) else { continue };
                out.push_str(&format!("| {w} | {} | {} |", c.name(), thousands(any.bytes)));
                for r in [enc, dec] {
                    match r {
                        Some(r) => out.push_str(&format!(
                            " {} | {}–{} | {:.1} | {} |",
                            duration(r.stat.median_ns),
                            duration(r.stat.p5_ns),
                            duration(r.stat.p95_ns),
                            r.stat.mb_s,
                            r.vs_prost.map_or("–".into(), |x| format!("{x:.2}"))
                        )),
                        None => out.push_str(" – | – | – | – |"),
                    }
                }
                out.push('\n');
            }
        }
        out.push_str("\n| workload | protobuf | gzip | JSON | gzip | JSON pretty | gzip | JSON / protobuf |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for s in &self.sizes {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {:.2} |\n",
                s.workload,
                thousands(s.protobuf),
                thousands(s.protobuf_gzip),
                thousands(s.json),
                thousands(s.json_gzip),
                thousands(s.json_pretty),
                thousands(s.json_pretty_gzip),
                s.json as f64 / s.protobuf.max(1) as f64
            ));
        }
        out
    }

    /// The measured ratios of one workload in plain words, beside the claim.
    pub fn words(&self, workload: &str) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(s) = self.sizes_of(workload) {
            let (ratio, gz) =
                (s.json as f64 / s.protobuf.max(1) as f64, s.json_gzip as f64 / s.protobuf_gzip.max(1) as f64);
            lines.push(format!(
                "On {workload}, protobuf is {} compact JSON ({} against {} bytes), and {} once both are gzipped.",
                times(ratio, "smaller than", "larger than", "about the same size as"),
                thousands(s.protobuf),
                thousands(s.json),
                times(gz, "smaller", "larger", "about the same size"),
            ));
        }
        let speed = |fast: CodecId, slow: CodecId, d: Direction| -> Option<String> {
            let (a, b) = (self.row(workload, fast, d)?, self.row(workload, slow, d)?);
            Some(format!(
                "{} {}s {} {}",
                fast.name(),
                d.label(),
                times(b.stat.median_ns / a.stat.median_ns, "faster than", "slower than", "about as fast as"),
                slow.name()
            ))
        };
        for json in [CodecId::SerdeJson, CodecId::BrowserJson] {
            let base = if self.row(workload, CodecId::Prost, Direction::Encode).is_some() {
                CodecId::Prost
            } else {
                CodecId::ProstReflect
            };
            let parts: Vec<String> = Direction::BOTH.into_iter().filter_map(|d| speed(base, json, d)).collect();
            if !parts.is_empty() {
                lines.push(format!("{}.", capitalize(&parts.join("; "))));
            }
        }
        lines
    }
}

/// "2.2x smaller", or "1.3x larger" when the ratio is under one.
fn times(ratio: f64, better: &str, worse: &str, same: &str) -> String {
    match ratio {
        r if (r.ln()).abs() < 1.05f64.ln() => same.to_owned(),
        r if r >= 1.0 => format!("{r:.1}x {better}"),
        r => format!("{:.1}x {worse}", 1.0 / r),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Nanoseconds in the unit that keeps three significant digits: "850 ns", "12.3 µs", "4.56 ms".
pub fn duration(ns: f64) -> String {
    let (value, unit) = match ns {
        ns if !ns.is_finite() => return "–".into(),
        ns if ns < 1e3 => (ns, "ns"),
        ns if ns < 1e6 => (ns / 1e3, "µs"),
        ns if ns < 1e9 => (ns / 1e6, "ms"),
        ns => (ns / 1e9, "s"),
    };
    let digits = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.digits$} {unit}")
}

/// 12345 → "12,345".
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Each row's median over prost's on the same workload and direction (prost itself: 1).
pub fn compare_to_prost(rows: &mut [Row]) {
    let prost: Vec<(String, Direction, f64)> = rows
        .iter()
        .filter(|r| r.codec == CodecId::Prost)
        .map(|r| (r.workload.clone(), r.direction, r.stat.median_ns))
        .collect();
    for row in rows {
        row.vs_prost = prost
            .iter()
            .find(|(w, d, _)| *w == row.workload && *d == row.direction)
            .map(|(_, _, ns)| row.stat.median_ns / ns);
    }
}

/// What the app asks the worker to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Built-in workload ids (`workload::BUILTIN`), and `workload::CUSTOM` for `custom`.
    pub workloads: Vec<String>,
    pub codecs: Vec<CodecId>,
    pub length: Length,
    pub custom: Option<Custom>,
}

/// The playground's message as the user wrote it (the fields of its permalink): the worker
/// compiles, parses and encodes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Custom {
    /// `(import name, source)` of every `.proto` file.
    pub files: Vec<(String, String)>,
    /// The full name of the message type.
    pub type_name: String,
    /// The message as the user wrote it, in `notation` (`json` or `text`).
    pub message: String,
    pub notation: String,
}

/// What the worker reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The worker has loaded and measured its clock.
    Ready(Environment),
    Progress(Progress),
    Done(Report),
    /// The request could not run (a workload that does not build, say).
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(workload: &str, codec: CodecId, direction: Direction, median_ns: f64) -> Row {
        let stat = Stat {
            median_ns,
            p5_ns: median_ns * 0.9,
            p95_ns: median_ns * 1.2,
            q1_ns: median_ns,
            q3_ns: median_ns,
            batch: 10,
            samples: 20,
            mb_s: 43.0 / median_ns * 1e3,
        };
        Row { workload: workload.into(), users: None, codec, direction, bytes: 43, stat, vs_prost: None }
    }

    fn report() -> Report {
        let mut rows = vec![
            row("user", CodecId::Prost, Direction::Encode, 100.0),
            row("user", CodecId::Prost, Direction::Decode, 200.0),
            row("user", CodecId::SerdeJson, Direction::Encode, 250.0),
            row("user", CodecId::SerdeJson, Direction::Decode, 820.0),
            row("user", CodecId::BrowserJson, Direction::Decode, 1500.0),
        ];
        compare_to_prost(&mut rows);
        let sizes = vec![Sizes {
            workload: "user".into(),
            users: None,
            protobuf: 43,
            protobuf_gzip: 60,
            json: 95,
            json_gzip: 90,
            json_pretty: 140,
            json_pretty_gzip: 100,
        }];
        Report { rows, sizes }
    }

    #[test]
    fn words_put_the_measured_ratios_in_sentences() {
        assert_eq!(
            {
                let mut r = report();
                r.rows.push(row("user", CodecId::BrowserJson, Direction::Encode, 103.0));
                r
            }
            .words("user"),
            [
                "On user, protobuf is 2.2x smaller than compact JSON (43 against 95 bytes), and 1.5x smaller once both are gzipped.",
                "Prost encodes 2.5x faster than serde_json; prost decodes 4.1x faster than serde_json.",
                "Prost encodes about as fast as JSON.parse/stringify; prost decodes 7.5x faster than JSON.parse/stringify.",
            ]
        );
    }

    #[test]
    fn markdown_has_a_line_per_codec_and_workload_and_the_sizes() {
        let env = Environment {
            machine: "test".into(),
            threads: 2,
            resolution_ns: 5000.0,
            isolated: Some(true),
            runtime: "native".into(),
            plan: "quick".into(),
        };
        let md = report().markdown(&env);
        assert!(md.starts_with("Machine: test (2 logical processors); native; timer resolution 5.00 µs, cross-origin isolated; quick plan."), "{md}");
        assert!(md.contains("| user | serde_json | 43 | 250 ns | 225 ns–300 ns | 172.0 | 2.50 | 820 ns | 738 ns–984 ns | 52.4 | 4.10 |"), "{md}");
        assert!(md.contains("| user | JSON.parse/stringify | 43 | – | – | – | – | 1.50 µs |"), "{md}");
        assert!(md.contains("| user | 43 | 60 | 95 | 90 | 140 | 100 | 2.21 |"), "{md}");
    }

    #[test]
    fn durations_and_thousands() {
        assert_eq!(
            [duration(850.0), duration(12_345.0), duration(4.56e6), duration(2.5e9)],
            ["850 ns", "12.3 µs", "4.56 ms", "2.50 s"]
        );
        assert_eq!([thousands(7), thousands(1234), thousands(1_234_567)], ["7", "1,234", "1,234,567"]);
    }
}
