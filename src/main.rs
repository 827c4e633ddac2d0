//! Mounts the wirelens app (see `lib.rs`) after installing a panic banner.

fn main() {
    wirelens::panic_banner::install();
    yew::Renderer::<wirelens::app::App>::new().render();
}
