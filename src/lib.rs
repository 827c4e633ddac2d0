//! The wirelens browser app: a thin Yew layer over wirelens-core.
//!
//! User events become actions on the pure state in [`state`]; [`app`] runs the effects;
//! everything about protobuf is computed by the core; [`components`] render the plain data it
//! returns. `main.rs` only mounts [`app::App`]; the benchmark and gRPC tabs are modules of their
//! own ([`module`]: [`bench_app`], [`grpc_app`], [`learn_app`]), loaded when first opened. The library form lets
//! `tests/components.rs` render components on their own in a browser.

pub mod app;
pub mod bench_app;
pub mod bench_state;
pub mod bench_worker;
pub mod components;
pub mod grpc_app;
pub mod grpc_state;
pub mod learn_app;
pub mod learn_state;
pub mod module;
pub mod panic_banner;
pub mod rpc;
pub mod state;
pub mod storage;
