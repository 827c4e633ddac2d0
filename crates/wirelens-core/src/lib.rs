//! wirelens-core: everything wirelens knows about protobuf, with no IO.
//!
//! Text and bytes come in as arguments and plain data goes out: `.proto`
//! sources become a [`schema::Schema`], JSON or text format becomes a message
//! and its bytes ([`message`]), bytes become an [`wire::Annotation`] whose
//! spans explain every byte ([`wire`], [`explain`]), and annotations become
//! rows to render ([`hexview`]). grpc-web bodies become frames ([`grpcweb`]),
//! and status numbers names ([`status`]). No web_sys, no files, no clock: the
//! app, the CLI and the server are thin layers over this crate.

pub mod bench;
pub mod bench_report;
pub mod call;
pub mod commands;
pub mod compare;
pub mod compression;
pub mod connect;
pub mod diff;
pub mod draft;
pub mod examples;
pub mod explain;
pub mod grpcweb;
pub mod har;
pub mod hexview;
pub mod input;
pub mod learn;
pub mod message;
pub mod mutate;
pub mod position;
pub mod protoscope;
pub mod reflection;
pub mod schema;
pub mod scroll;
pub mod stats;
pub mod status;
pub mod varint;
pub mod wire;

#[cfg(test)]
mod testing;

/// Re-exported so front ends name descriptor and message types without depending on it directly.
pub use prost_reflect;
