//! The codecs and their operations: each gives, for a workload and a direction, one encode or
//! one decode as a closure that consumes its result (`black_box`), or `None` when it cannot
//! (prost has no generated type for the user's message).
//!
//! The browser's own `JSON.stringify` / `JSON.parse` is a codec too, implemented by the worker
//! (it needs js-sys); this module knows only its id.

use std::hint::black_box;

use prost::Message as _;
use wirelens_core::message::{self, JsonStyle};
use wirelens_core::prost_reflect::DynamicMessage;

pub use wirelens_core::bench_report::{CodecId, Direction};

use crate::workload::Workload;

/// A codec: its operations on a workload.
pub trait Codec {
    fn id(&self) -> CodecId;
    /// One encode or decode of `w`, its result consumed; `None` if this codec cannot run on it.
    fn op<'a>(&'a self, w: &'a Workload, direction: Direction) -> Option<Box<dyn FnMut() + 'a>>;
}

/// The codecs written in Rust (prost, prost-reflect, serde_json), which run natively and in wasm.
pub struct RustCodec(pub CodecId);

impl RustCodec {
    pub const ALL: [RustCodec; 3] =
        [RustCodec(CodecId::Prost), RustCodec(CodecId::ProstReflect), RustCodec(CodecId::SerdeJson)];
}

impl Codec for RustCodec {
    fn id(&self) -> CodecId {
        self.0
    }

    fn op<'a>(&'a self, w: &'a Workload, direction: Direction) -> Option<Box<dyn FnMut() + 'a>> {
        let desc = w.descriptor();
        Some(match (self.0, direction, &w.typed) {
            (CodecId::Prost, Direction::Encode, Some(t)) => Box::new(move || drop(black_box(t.encode_prost()))),
            (CodecId::Prost, Direction::Decode, Some(t)) => Box::new(move || t.decode_prost(&w.proto)),
            (CodecId::ProstReflect, Direction::Encode, _) => {
                Box::new(move || drop(black_box(black_box(&w.dynamic).encode_to_vec())))
            }
            (CodecId::ProstReflect, Direction::Decode, _) => Box::new(move || {
                black_box(DynamicMessage::decode(desc.clone(), black_box(w.proto.as_slice())).ok());
            }),
            (CodecId::SerdeJson, Direction::Encode, Some(t)) => Box::new(move || drop(black_box(t.encode_json()))),
            (CodecId::SerdeJson, Direction::Decode, Some(t)) => Box::new(move || t.decode_json(&w.json)),
            (CodecId::SerdeJson, Direction::Encode, None) => {
                Box::new(move || drop(black_box(message::to_json(black_box(&w.dynamic), JsonStyle::CANONICAL).ok())))
            }
            (CodecId::SerdeJson, Direction::Decode, None) => {
                Box::new(move || drop(black_box(message::parse_json(&desc, black_box(&w.json)).ok())))
            }
            _ => return None,
        })
    }
}
