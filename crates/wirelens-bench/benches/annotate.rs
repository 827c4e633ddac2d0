//! How fast `wire::annotate` reads bytes, with and without a schema, and the peer it is measured
//! against: `protoc --decode_raw`, which reads the same bytes without a schema and prints them.
//!
//! Throughput is in protobuf bytes read. protoc runs as a process, so its figure includes start-up;
//! the run on a tiny input measures that start-up, and the difference is printed as protoc's
//! decode-only estimate. Without `protoc` on the PATH that group is skipped with a note.
//!
//! The inputs are wirelens-bench's workloads: the reference user, and the batch, a page of
//! [`BATCH_USERS`] users (about 1 MiB). prost's generated decode of the batch runs in the same
//! group, as the yardstick annotate is held to; `annotate/numbers` and `annotate/strings` do the
//! same on the other built-in messages at about 1 MiB. `annotate/adversarial` reads inputs of the
//! batch's size built to make a schema-less reader work hard (see [`adversarial`]); their
//! times compare with `annotate/batch/schema-less`. `protoscope/batch` prints the batch as
//! protoscope the two ways core can: `protoscope::Printer` as the walk reads (`print-…`, what the
//! CLI does), and `protoscope::write` of the annotation (`annotate-write-…`, what the app does);
//! `protoscope/adversarial` prints the adversarial inputs. `memory_shapes` prints how many bytes
//! the annotation takes per input byte, part by part, on the batch and on inputs of one record
//! shape each (dense varints, tiny nested messages, short strings, blobs).

use std::cell::RefCell;
use std::fs::File;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use wirelens_bench::codec::{Codec, Direction, RustCodec};
use wirelens_bench::workload::{BATCH_USERS, Workload};
use wirelens_core::protoscope;
use wirelens_core::wire::annotate;

fn batch() -> Workload {
    Workload::page(BATCH_USERS).expect("the batch builds")
}

fn user() -> Workload {
    Workload::builtin("user").expect("the reference user builds")
}

fn annotate_batch(c: &mut Criterion) {
    let batch = batch();
    let (bytes, desc) = (batch.proto.as_slice(), batch.descriptor());
    for (name, desc) in [("schema", Some(&desc)), ("schema-less", None)] {
        let annotation = annotate(bytes, desc);
        assert!(annotation.is_valid(), "the batch annotates without an invalid span");
        println!(
            "batch: {BATCH_USERS} users in {} bytes of {}; annotated {name}: {} nodes, {} bytes of annotation \
             ({:.1} per input byte)",
            bytes.len(),
            batch.descriptor().full_name(),
            annotation.len(),
            annotation.heap_size(),
            annotation.heap_size() as f64 / bytes.len() as f64
        );
    }
    against_prost(c, "annotate/batch", &batch, Duration::from_secs(5));
}

/// The batch is one shape of message; the same comparison on the other two built-in ones, at
/// about 1 MiB: packed doubles and varints (`numbers`, where prost's decode is at its fastest:
/// a packed field is a loop with no per-element allocation) and text (`strings`).
fn annotate_shapes(c: &mut Criterion) {
    for workload in [Workload::numbers(70_000), Workload::strings(3_000)] {
        let workload = workload.expect("the workload builds");
        let name = workload.id.split('-').next().unwrap_or("shape");
        against_prost(c, &format!("annotate/{name}"), &workload, Duration::from_secs(3));
    }
}

/// `workload` annotated with its schema and without, and decoded by prost's generated code (the
/// yardstick), in one group named `name`.
fn against_prost(c: &mut Criterion, name: &str, workload: &Workload, measurement: Duration) {
    let (bytes, desc) = (workload.proto.as_slice(), workload.descriptor());
    let prost = RustCodec(wirelens_bench::codec::CodecId::Prost);
    let mut prost_decode = prost.op(workload, Direction::Decode).expect("the workload has prost types");
    let mut group = c.benchmark_group(name);
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(measurement);
    group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
    group.bench_function("schema", |b| b.iter(|| annotate(black_box(bytes), Some(&desc))));
    group.bench_function("schema-less", |b| b.iter(|| annotate(black_box(bytes), None)));
    group.bench_function("prost-decode", |b| b.iter(&mut prost_decode));
    group.finish();
}

/// Inputs about the batch's size that a schema-less reader could take quadratic time on, each
/// read without a schema:
/// - `nested-late-failure`: 99 nested LEN payloads around a run of text; every payload reads as a
///   message up to its last byte (a tag naming field 0), so each is tried as a message, fails at
///   its end, and is checked as a string, at every level;
/// - `start-groups`: nothing but start-group tags (`0B`, field 1), inside a LEN record;
/// - `ambiguous`: records whose payloads nest 6 deep and each read as a message, a string and
///   packed varints alike.
fn adversarial(size: usize) -> Vec<(&'static str, Vec<u8>)> {
    let mut nested = vec![b'a'; size - 99 * 8];
    for _ in 0..99 {
        let mut outer = vec![0x0A];
        let mut len = nested.len() + 1;
        while len >= 0x80 {
            outer.push((len as u8 & 0x7F) | 0x80);
            len >>= 7;
        }
        outer.push(len as u8);
        outer.extend_from_slice(&nested);
        outer.push(0x07);
        nested = outer;
    }
    let mut groups = vec![0x0A];
    let mut len = size - 4;
    while len >= 0x80 {
        groups.push((len as u8 & 0x7F) | 0x80);
        len >>= 7;
    }
    groups.push(len as u8);
    groups.resize(groups.len() + size - 4, 0x0B);
    let unit = [0x0A, 0x0C, 0x0A, 0x0A, 0x0A, 0x08, 0x0A, 0x06, 0x0A, 0x04, 0x0A, 0x02, 0x08, 0x01];
    let ambiguous: Vec<u8> = unit.iter().copied().cycle().take(size / unit.len() * unit.len()).collect();
    vec![("nested-late-failure", nested), ("start-groups", groups), ("ambiguous", ambiguous)]
}

/// Inputs of `size` bytes made of one record shape over and over, the densest first (what
/// `memory_shapes` prints the annotation's size of, part by part):
/// - `pairs`: `08 01`, one-byte varints (3 nodes and a record per 2 bytes);
/// - `nested`: `1A 02 08 05`, tiny nested messages (7 nodes and 2 records per 4 bytes);
/// - `empty`: `12 00`, empty strings (the most nodes per byte: 4 nodes and a record per 2 bytes);
/// - `deep`: `1A 12 1A 10` … `1A 02 08 05`, messages nested 10 deep (39 nodes and 10 records per 20 bytes);
/// - `strings`: `12 03 "abc"`, short strings;
/// - `blobs`: `0A E8 07` and 1000 bytes of `05`, a LEN payload of control bytes;
/// - `groups`: `0B 0C`, empty groups (4 nodes and a record per 2 bytes);
/// - `group fields`: `0B 08 01 0C`, groups of one small field (7 nodes and 2 records per 4 bytes).
fn shapes(size: usize) -> Vec<(&'static str, Vec<u8>)> {
    let mut blob = vec![0x0A, 0xE8, 0x07];
    blob.resize(1003, 0x05);
    let deep: Vec<u8> = (1..10).rev().flat_map(|level| [0x1A, 2 * level]).chain([0x08, 0x05]).collect();
    [
        ("pairs", &[0x08, 0x01][..]),
        ("nested", &[0x1A, 0x02, 0x08, 0x05]),
        ("empty", &[0x12, 0x00]),
        ("deep", &deep),
        ("strings", b"\x12\x03abc"),
        ("blobs", &blob),
        ("groups", &[0x0B, 0x0C]),
        ("group fields", &[0x0B, 0x08, 0x01, 0x0C]),
    ]
    .into_iter()
    .map(|(name, unit)| (name, unit.iter().copied().cycle().take(size.div_ceil(unit.len()) * unit.len()).collect()))
    .collect()
}

/// The annotation's heap bytes per input byte, part by part (`Annotation::heap_parts`), on the
/// batch and on each of the `shapes`, read without a schema (and the batch with its own); and
/// `pairs` read with schemas that give every record a note: as a proto3 `repeated int32`
/// (packed by default, so every record is written unpacked), as a singular `int32` (every
/// record after the first is seen before), and as a message without field 1 (every record is
/// unknown: the wrong message type picked); records with a note kept aside, each overlong or
/// holding text that is not UTF-8, or a oneof's members written in turn (two members, three,
/// with other fields between, in nested messages); a map's entries and empty messages read with
/// their schema; groups of three fields, groups nested three deep, a group holding a message; a
/// packed field split over records of one, two, four and five elements (each record after the
/// first continues it); one packed record of that proto3 field (one-byte varints) and of a
/// `repeated double`, each of the size of the shapes; and the adversarial inputs.
fn memory_shapes(_: &mut Criterion) {
    let batch = batch();
    let desc = batch.descriptor();
    let notes = wirelens_core::schema::Schema::compile(&[(
        "r.proto",
        "syntax = \"proto3\"; message R { repeated int32 a = 1; repeated double d = 2; } message S { int32 a = 1; } message U { int32 b = 2; } message V { string s = 2; } message O { oneof v { int32 a = 1; int32 b = 2; } } message O3 { oneof v { int32 a = 1; int32 b = 2; int32 c = 3; } } message P { oneof v { int32 a = 1; int32 b = 2; } int32 d = 4; int32 e = 5; } message N { repeated O o = 3; } message Mp { map<int32, int32> m = 1; repeated Mp e = 2; }",
    )])
    .expect("r.proto compiles");
    let [unpacked, singular, unknown, text, oneof, oneof3, between, nested, map] =
        ["R", "S", "U", "V", "O", "O3", "P", "N", "Mp"].map(|name| notes.message(name).expect("declared"));
    let packed = |tag: u8, payload: usize| {
        let mut bytes = vec![tag];
        let mut len = payload;
        while len >= 0x80 {
            bytes.push((len as u8 & 0x7F) | 0x80);
            len >>= 7;
        }
        bytes.push(len as u8);
        bytes.resize(bytes.len() + payload, 0x01);
        bytes
    };
    let shapes = shapes(1 << 20);
    let pairs = shapes[0].1.clone();
    let mut inputs =
        vec![("batch, schema", batch.proto.clone(), Some(&desc)), ("batch, schema-less", batch.proto.clone(), None)];
    inputs.extend(shapes.into_iter().map(|(name, bytes)| (name, bytes, None)));
    inputs.push(("pairs, unpacked", pairs.clone(), Some(&unpacked)));
    inputs.push(("pairs, singular", pairs.clone(), Some(&singular)));
    inputs.push(("pairs, unknown", pairs, Some(&unknown)));
    // Notes kept aside: an overlong varint, text that is not UTF-8, on every record.
    let every = |unit: &[u8]| unit.iter().copied().cycle().take((1 << 20) / unit.len() * unit.len()).collect();
    inputs.push(("overlong", every(&[0x08, 0x81, 0x00]), None));
    inputs.push(("not UTF-8", every(&[0x12, 0x01, 0xFF]), Some(&text)));
    inputs.push(("oneof in turn", every(&[0x08, 0x01, 0x10, 0x01]), Some(&oneof)));
    inputs.push(("oneof of three", every(&[0x08, 0x01, 0x10, 0x01, 0x18, 0x01]), Some(&oneof3)));
    inputs.push(("oneof, fields between", every(&[0x08, 0x01, 0x20, 0x01, 0x28, 0x01, 0x10, 0x01]), Some(&between)));
    inputs.push(("oneof in messages", every(&[0x1A, 0x04, 0x08, 0x01, 0x10, 0x01]), Some(&nested)));
    // A map's entries, and empty messages, read with the schema.
    inputs.push(("map entries", every(&[0x0A, 0x04, 0x08, 0x01, 0x10, 0x01]), Some(&map)));
    inputs.push(("empty messages", every(&[0x12, 0x00]), Some(&map)));
    // Groups of several fields, and groups in groups.
    inputs.push(("group of three", every(&[0x0B, 0x08, 0x01, 0x10, 0x01, 0x18, 0x01, 0x0C]), None));
    inputs.push(("groups nested", every(&[0x0B, 0x13, 0x1B, 0x08, 0x01, 0x1C, 0x14, 0x0C]), None));
    inputs.push(("group, message", every(&[0x0B, 0x12, 0x02, 0x08, 0x01, 0x0C]), None));
    // A packed field split over many records in one message, of one, two, four and five elements.
    inputs.push(("packed, split by 1", every(&[0x0A, 0x01, 0x01]), Some(&unpacked)));
    inputs.push(("packed, split by 2", every(&[0x0A, 0x02, 0x01, 0x01]), Some(&unpacked)));
    inputs.push(("packed, split by 4", every(&[0x0A, 0x04, 0x01, 0x01, 0x01, 0x01]), Some(&unpacked)));
    inputs.push(("packed, split by 5", every(&[0x0A, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01]), Some(&unpacked)));
    inputs.push(("packed int32s", packed(0x0A, (1 << 20) - 4), Some(&unpacked)));
    inputs.push(("packed doubles", packed(0x12, (1 << 20) - 8), Some(&unpacked)));
    inputs.extend(adversarial(1 << 20).into_iter().map(|(name, bytes)| (name, bytes, None)));
    println!("annotation memory, bytes per input byte: input + nodes + records + extras + slack = total");
    for (name, bytes, desc) in inputs {
        let a = annotate(&bytes, desc);
        let p = a.heap_parts();
        let per = |part: usize| part as f64 / bytes.len() as f64;
        println!(
            "  {name:<22} {:>9} bytes, {:>8} nodes: {:.2} + {:.2} + {:.2} + {:.2} + {:.2} = {:.2} ({:.1} MiB)",
            bytes.len(),
            a.len(),
            per(p.input),
            per(p.nodes),
            per(p.records),
            per(p.extras),
            per(p.slack),
            per(p.total()),
            p.total() as f64 / f64::from(1 << 20)
        );
    }
}

fn annotate_adversarial(c: &mut Criterion) {
    let size = batch().proto.len();
    let mut group = c.benchmark_group("annotate/adversarial");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    for (name, bytes) in adversarial(size) {
        let a = annotate(&bytes, None);
        println!("adversarial {name}: {} bytes, {} nodes, {} diagnostics", bytes.len(), a.len(), a.diagnostics().len());
        group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
        group.bench_function(name, |b| b.iter(|| annotate(black_box(&bytes), None)));
    }
    group.finish();
}

fn protoscope_batch(c: &mut Criterion) {
    let batch = batch();
    let (bytes, desc) = (batch.proto.as_slice(), batch.descriptor());
    let mut group = c.benchmark_group("protoscope/batch");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
    for (name, desc) in [("schema", Some(&desc)), ("schema-less", None)] {
        let text = protoscope::print(bytes, desc);
        assert_eq!(text, protoscope::write(&annotate(bytes, desc)), "the printer prints what the writer writes");
        println!("batch as protoscope, {name}: {} bytes of text", text.len());
        let mut printer = protoscope::Printer::new(desc);
        let mut out = String::with_capacity(text.len());
        group.bench_function(format!("print-{name}"), |b| {
            b.iter(|| {
                out.clear();
                printer.write_to(black_box(bytes), 0, &mut out);
            })
        });
        group.bench_function(format!("annotate-write-{name}"), |b| {
            b.iter(|| {
                out.clear();
                protoscope::write_to(&annotate(black_box(bytes), desc), 0, &mut out);
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("protoscope/adversarial");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    let mut printer = protoscope::Printer::new(None);
    let mut out = String::new();
    for (name, bytes) in adversarial(bytes.len()) {
        group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                printer.write_to(black_box(&bytes), 0, &mut out);
            })
        });
    }
    group.finish();
}

fn annotate_user(c: &mut Criterion) {
    let user = user();
    let (bytes, desc) = (user.proto.as_slice(), user.descriptor());
    let mut group = c.benchmark_group("annotate/user");
    group.sample_size(50).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
    group.bench_function("schema", |b| b.iter(|| annotate(black_box(bytes), Some(&desc))));
    group.bench_function("schema-less", |b| b.iter(|| annotate(black_box(bytes), None)));
    group.finish();
}

/// `protoc --decode_raw < file > /dev/null` on the batch and on the reference user.
fn protoc_decode_raw(c: &mut Criterion) {
    if let Err(e) = Command::new("protoc").arg("--version").stdout(Stdio::null()).status() {
        println!("protoc/decode_raw: skipped, cannot run protoc ({e}); `cargo xtask setup` installs it");
        return;
    }
    let dir = std::env::temp_dir().join(format!("wirelens-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let batch = write(&dir, "batch.bin", &batch().proto);
    let tiny = write(&dir, "user.bin", &user().proto);

    let mut group = c.benchmark_group("protoc/decode_raw");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_millis(500));
    // Each run's time per call, warm-up included: start-up is what it is from the first run on.
    let mut medians = Vec::new();
    for (name, (path, len)) in [("batch", &batch), ("tiny", &tiny)] {
        let times = RefCell::new(Vec::new());
        group.throughput(Throughput::BytesDecimal(*len));
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    decode_raw(path);
                }
                let elapsed = start.elapsed();
                times.borrow_mut().push(elapsed / iters as u32);
                elapsed
            })
        });
        medians.push((*len, median(times.into_inner())));
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);

    if let [(len, Some(batch)), (_, Some(tiny))] = medians[..] {
        let decode = batch.saturating_sub(tiny);
        println!("protoc --decode_raw, medians of every run:");
        println!("  batch, {len} bytes: {batch:.2?} ({:.1} MB/s with start-up)", mb_per_s(len, batch));
        println!("  tiny (start-up):     {tiny:.2?}");
        println!("  decode-only estimate: {decode:.2?} ({:.1} MB/s)", mb_per_s(len, decode));
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> (PathBuf, u64) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("writing a temporary file");
    (path, bytes.len() as u64)
}

fn decode_raw(input: &Path) {
    let status = Command::new("protoc")
        .arg("--decode_raw")
        .stdin(File::open(input).expect("the temporary file"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("protoc runs");
    assert!(status.success(), "protoc --decode_raw failed on {}", input.display());
}

fn median(mut times: Vec<Duration>) -> Option<Duration> {
    times.sort();
    times.get(times.len() / 2).copied()
}

/// Criterion's unit: 10^6 bytes per second.
fn mb_per_s(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / time.as_secs_f64() / 1e6
}

criterion_group!(
    benches,
    memory_shapes,
    annotate_batch,
    annotate_shapes,
    annotate_adversarial,
    protoscope_batch,
    annotate_user,
    protoc_decode_raw
);
criterion_main!(benches);
