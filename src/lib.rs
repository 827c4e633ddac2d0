//! The wirelens browser app: a thin Yew layer over wirelens-core.
//!
//! User events become actions on the pure state in [`state`]; [`app`] runs the effects;
//! everything about protobuf is computed by the core; [`components`] render the plain data it
//! returns. `main.rs` only mounts [`app::App`], whose tabs are components: the playground's panes,
//! [`grpc_tab`], [`bench_tab`] and [`learn_tab`]. The library form lets `tests/components.rs`
//! render components on their own in a browser.

pub mod app;
pub mod bench_state;
pub mod bench_tab;
pub mod bench_worker;
pub mod compiler;
pub mod components;
pub mod grpc_state;
pub mod grpc_tab;
pub mod history;
pub mod later;
pub mod lazy;
pub mod learn_state;
pub mod learn_tab;
pub mod panic_banner;
pub mod rpc;
pub mod share;
pub mod state;
pub mod storage;
