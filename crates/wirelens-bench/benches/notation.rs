//! How fast the notation module reads text into bytes: hex, base64 (whole, and streamed through
//! grpc-web-text's parser) and protoscope (the text `protoscope::write` prints), on the batch, a
//! page of [`BATCH_USERS`] users (about 1 MiB of protobuf). Throughput is in characters of text
//! read, so the notations' figures compare as readers, whatever their text's size per byte.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use wirelens_bench::workload::{BATCH_USERS, Workload};
use wirelens_core::input::{self, InputFormat};
use wirelens_core::{grpcweb, protoscope, wire};

fn notations(c: &mut Criterion) {
    let batch = Workload::page(BATCH_USERS).expect("the batch builds");
    let bytes = batch.proto.as_slice();
    let texts = [
        (InputFormat::Hex, input::to_hex(bytes)),
        (InputFormat::Base64, input::to_base64(bytes)),
        (InputFormat::Protoscope, protoscope::write(&wire::annotate(bytes, Some(&batch.descriptor())))),
    ];
    let mut group = c.benchmark_group("notation/batch");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    for (format, text) in &texts {
        assert_eq!(input::parse_bytes(text, *format).as_deref(), Ok(bytes), "{format} reads back");
        println!("batch as {format}: {} characters for {} bytes", text.len(), bytes.len());
        group.throughput(Throughput::BytesDecimal(text.len() as u64));
        group.bench_function(format.to_string(), |b| b.iter(|| input::parse_bytes(black_box(text), *format)));
    }
    let body = input::to_base64(&grpcweb::frame(0, bytes));
    group.throughput(Throughput::BytesDecimal(body.len() as u64));
    group.bench_function("grpc-web-text", |b| {
        b.iter(|| {
            let mut parser = grpcweb::Parser::new(grpcweb::Encoding::Text);
            let mut frames = parser.push(black_box(body.as_bytes()));
            frames.extend(parser.finish());
            assert_eq!(frames.len(), 1);
            frames
        })
    });
    group.finish();
}

criterion_group!(benches, notations);
criterion_main!(benches);
