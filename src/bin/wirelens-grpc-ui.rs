//! The gRPC tab as a module of its own (`grpc_app.rs`, `module.rs`): loaded the first time the
//! tab opens, so its panel, tonic's client and tonic-web-wasm-client stay out of the page's first
//! download.

fn main() {
    wirelens::module::GRPC.mount::<wirelens::grpc_app::GrpcApp>();
}
