//! A target for `perf` and for comparing two builds on a busy machine: annotates the benches'
//! 1 MiB batch (with the schema, without, and prost's generated decode beside them) in turns,
//! and prints each one's fastest time over the rounds, which other processes can only slow
//! down; then the batch printed as protoscope, by `protoscope::Printer` as the walk reads (`print-…`)
//! and by `protoscope::write` of the annotation (`write-…`). `annotate_loop [ROUNDS] [NAME|all]
//! [batch|numbers|strings]` runs one of them only (for `perf`), on the batch or on about 1 MiB
//! of the other built-in messages.

use std::hint::black_box;
use std::time::{Duration, Instant};

use wirelens_bench::codec::{Codec, CodecId, Direction, RustCodec};
use wirelens_bench::workload::{BATCH_USERS, Workload};
use wirelens_core::protoscope;
use wirelens_core::wire::annotate;

/// A named operation, run once per call.
type Op<'a> = (&'static str, Box<dyn FnMut() + 'a>);

fn main() {
    let mut args = std::env::args().skip(1);
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    let only = args.next().filter(|name| name != "all");
    let batch = match args.next().as_deref() {
        None | Some("batch") => Workload::page(BATCH_USERS),
        Some("numbers") => Workload::numbers(70_000),
        Some("strings") => Workload::strings(3_000),
        Some(other) => {
            eprintln!("annotate_loop: no workload {other:?}: batch, numbers or strings");
            std::process::exit(2);
        }
    }
    .expect("the workload builds");
    let (bytes, desc) = (batch.proto.as_slice(), batch.descriptor());
    let codec = RustCodec(CodecId::Prost);
    let prost = codec.op(&batch, Direction::Decode).expect("the batch has prost types");
    // Each printing op appends to its own buffer, cleared before it is used again.
    let write = |out: &mut String, desc: Option<&wirelens_core::prost_reflect::MessageDescriptor>| {
        out.clear();
        protoscope::write_to(&annotate(black_box(bytes), desc), 0, out);
    };
    let (mut text, mut written) = (String::new(), String::new());
    let (mut printer, mut raw) = (protoscope::Printer::new(Some(&desc)), protoscope::Printer::new(None));
    let (mut printed, mut raw_printed) = (String::new(), String::new());
    let mut ops: Vec<Op> = vec![
        ("schema", Box::new(|| drop(black_box(annotate(black_box(bytes), Some(&desc)))))),
        ("schema-less", Box::new(|| drop(black_box(annotate(black_box(bytes), None))))),
        ("prost", prost),
        ("write-schema", Box::new(|| write(&mut text, Some(&desc)))),
        ("write-schema-less", Box::new(|| write(&mut written, None))),
        (
            "print-schema",
            Box::new(|| {
                printed.clear();
                printer.write_to(black_box(bytes), 0, &mut printed);
            }),
        ),
        (
            "print-schema-less",
            Box::new(|| {
                raw_printed.clear();
                raw.write_to(black_box(bytes), 0, &mut raw_printed);
            }),
        ),
    ];
    ops.retain(|(name, _)| only.as_deref().is_none_or(|o| o == *name));
    let mut best = vec![Duration::MAX; ops.len()];
    for _ in 0..rounds {
        for (i, (_, op)) in ops.iter_mut().enumerate() {
            let start = Instant::now();
            op();
            best[i] = best[i].min(start.elapsed());
        }
    }
    let prost = ops.iter().position(|(name, _)| *name == "prost").map(|i| best[i]);
    for ((name, _), best) in ops.iter().zip(&best) {
        let ratio =
            prost.map_or(String::new(), |p| format!(", {:.2} times prost's", best.as_secs_f64() / p.as_secs_f64()));
        println!("{name:12} fastest {best:.2?} ({:.0} MB/s{ratio})", bytes.len() as f64 / best.as_secs_f64() / 1e6);
    }
}
