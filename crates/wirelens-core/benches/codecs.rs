//! Encoding and decoding the reference user and the 1 MiB batch four ways: prost's generated
//! types, prost-reflect's `DynamicMessage`, wirelens' deterministic `message::encode`, and
//! serde_json on serde-derived structs of the same shape.
//!
//! Throughput is in protobuf bytes of the message for every entry, JSON included, so figures in
//! a group compare as times do (the JSON text is larger: its size is printed once).

mod data;

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use prost::Message;
use prost_reflect::{DynamicMessage, ReflectMessage};
use wirelens_api::userservice::User;

use data::{JsonBatch, JsonUser, UserBatch};

/// One message in every shape the benchmarks read or write.
struct Shapes<T, J> {
    typed: T,
    dynamic: DynamicMessage,
    json: J,
    bytes: Vec<u8>,
    json_text: Vec<u8>,
}

fn user() -> Shapes<User, JsonUser> {
    let desc = data::descriptors();
    let typed = data::reference_user();
    let dynamic = data::reference_dynamic(&desc.user);
    let json = JsonUser::from(&typed);
    shapes("user", typed, dynamic, json)
}

fn batch() -> Shapes<UserBatch, JsonBatch> {
    let desc = data::descriptors();
    let typed = data::batch();
    let bytes = typed.encode_to_vec();
    let dynamic = DynamicMessage::decode(desc.batch, bytes.as_slice()).expect("the batch decodes");
    let json = JsonBatch::from(&typed);
    shapes("batch", typed, dynamic, json)
}

fn shapes<T: Message, J: serde::Serialize>(
    name: &'static str,
    typed: T,
    dynamic: DynamicMessage,
    json: J,
) -> Shapes<T, J> {
    let bytes = typed.encode_to_vec();
    assert_eq!(wirelens_core::message::encode(&dynamic), bytes, "{name}: wirelens and prost write the same bytes");
    let json_text = serde_json::to_vec(&json).expect("serde_json writes the structs");
    println!("{name}: {} bytes of protobuf, {} bytes of JSON", bytes.len(), json_text.len());
    Shapes { typed, dynamic, json, bytes, json_text }
}

fn encode(c: &mut Criterion) {
    let user = user();
    let mut group = c.benchmark_group("encode/user");
    small(&mut group);
    encode_all(&mut group, &user);
    group.finish();

    let batch = batch();
    let mut group = c.benchmark_group("encode/batch");
    large(&mut group);
    encode_all(&mut group, &batch);
    group.finish();
}

fn decode(c: &mut Criterion) {
    let user = user();
    let mut group = c.benchmark_group("decode/user");
    small(&mut group);
    decode_all::<User, JsonUser>(&mut group, &user);
    group.finish();

    let batch = batch();
    let mut group = c.benchmark_group("decode/batch");
    large(&mut group);
    decode_all::<UserBatch, JsonBatch>(&mut group, &batch);
    group.finish();
}

fn encode_all<T: Message, J: serde::Serialize>(group: &mut BenchmarkGroup<WallTime>, m: &Shapes<T, J>) {
    group.throughput(Throughput::BytesDecimal(m.bytes.len() as u64));
    group.bench_function("prost", |b| b.iter(|| black_box(black_box(&m.typed).encode_to_vec())));
    group.bench_function("prost-reflect", |b| b.iter(|| black_box(black_box(&m.dynamic).encode_to_vec())));
    group.bench_function("wirelens", |b| b.iter(|| black_box(wirelens_core::message::encode(black_box(&m.dynamic)))));
    group.bench_function("serde_json", |b| b.iter(|| black_box(serde_json::to_vec(black_box(&m.json)).unwrap())));
}

fn decode_all<T, J>(group: &mut BenchmarkGroup<WallTime>, m: &Shapes<T, J>)
where
    T: Message + Default,
    J: serde::de::DeserializeOwned,
{
    let desc = m.dynamic.descriptor();
    group.throughput(Throughput::BytesDecimal(m.bytes.len() as u64));
    group.bench_function("prost", |b| b.iter(|| black_box(T::decode(black_box(m.bytes.as_slice())).unwrap())));
    group.bench_function("prost-reflect", |b| {
        b.iter(|| black_box(DynamicMessage::decode(desc.clone(), black_box(m.bytes.as_slice())).unwrap()))
    });
    group.bench_function("serde_json", |b| {
        b.iter(|| black_box(serde_json::from_slice::<J>(black_box(&m.json_text)).unwrap()))
    });
}

/// The reference user takes nanoseconds: many samples, short runs.
fn small(group: &mut BenchmarkGroup<WallTime>) {
    group.sample_size(50).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
}

/// The batch takes milliseconds: ten equal samples.
fn large(group: &mut BenchmarkGroup<WallTime>) {
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
}

criterion_group!(benches, encode, decode);
criterion_main!(benches);
