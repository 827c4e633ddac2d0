//! Encoding and decoding the reference user and the 1 MiB batch with criterion: each of
//! wirelens-bench's Rust codecs (prost's generated types, prost-reflect's `DynamicMessage`,
//! serde_json on the serde mirrors), and for encoding also wirelens' deterministic
//! `message::encode`.
//!
//! The workloads and the codecs' operations are the ones `cargo xtask bench codec` times with the
//! app's runner; here criterion times them. Throughput is in protobuf bytes of the message for
//! every entry, JSON included, so figures in a group compare as times do (the JSON text is
//! larger: its size is printed once).

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use wirelens_bench::codec::{Codec, Direction, RustCodec};
use wirelens_bench::workload::{BATCH_USERS, Workload};

/// How a group samples: [`small`] or [`large`].
type Sampling = fn(&mut BenchmarkGroup<WallTime>);

/// The reference user (nanoseconds: many samples, short runs) and the batch (milliseconds: ten
/// equal samples), each checked to read back the same message through every codec.
fn workloads() -> [(&'static str, Workload, Sampling); 2] {
    let user = Workload::builtin("user").expect("the reference user builds");
    let batch = Workload::page(BATCH_USERS).expect("the batch builds");
    let workloads: [(&str, Workload, Sampling); 2] = [("user", user, small), ("batch", batch, large)];
    for (name, w, _) in &workloads {
        w.check().expect("every codec reads back the same message");
        println!("{name}: {} bytes of protobuf, {} bytes of JSON", w.proto.len(), w.json.len());
    }
    workloads
}

fn encode(c: &mut Criterion) {
    measure(c, Direction::Encode);
}

fn decode(c: &mut Criterion) {
    measure(c, Direction::Decode);
}

/// One group per workload, one benchmark per codec; `message::encode` joins the encoders.
fn measure(c: &mut Criterion, direction: Direction) {
    for (name, w, sampling) in workloads() {
        let mut group = c.benchmark_group(format!("{}/{name}", direction.label()));
        sampling(&mut group);
        group.throughput(Throughput::BytesDecimal(w.proto.len() as u64));
        for codec in &RustCodec::ALL {
            if let Some(mut op) = codec.op(&w, direction) {
                group.bench_function(codec.id().name(), |b| b.iter(&mut op));
            }
        }
        if direction == Direction::Encode {
            group.bench_function("wirelens", |b| {
                b.iter(|| black_box(wirelens_core::message::encode(black_box(&w.dynamic))))
            });
        }
        group.finish();
    }
}

fn small(group: &mut BenchmarkGroup<WallTime>) {
    group.sample_size(50).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
}

fn large(group: &mut BenchmarkGroup<WallTime>) {
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
}

criterion_group!(benches, encode, decode);
criterion_main!(benches);
