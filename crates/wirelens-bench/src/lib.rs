//! The benchmark of issue #5: protobuf against JSON, the same workloads and codecs natively and
//! in the browser's worker.
//!
//! [`workload`] builds the messages (the reference user, pages of users, a numbers-heavy and a
//! strings-heavy message, or the user's own message) in every shape a codec needs; [`codec`]
//! names the codecs and gives each one's encode and decode as an operation that consumes its
//! results; [`run`] times them with `wirelens_core::bench` and the clock it is handed, into the
//! plain data of `wirelens_core::bench_report` (which the app shows without depending on this).
//! No IO and no clock of its own: the native table and the browser worker pass theirs in.

pub mod codec;
pub mod run;
pub mod workload;

/// The generated prost types of `proto/bench/bench.proto` (`User` is `wirelens_api`'s).
pub mod pb {
    include!(concat!(env!("OUT_DIR"), "/bench.rs"));
}
