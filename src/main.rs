//! The wirelens browser app: a thin Yew layer over wirelens-core.
//!
//! User events become state changes in `app.rs`; everything about protobuf
//! is computed by the core; components render the plain data it returns.

mod app;
mod components;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
