//! The benchmark tab as a module of its own (see `bench_app.rs`): the app loads it the first time
//! the tab opens and it mounts into the app's `#bench-root`, so its panel, charts and report code
//! stay out of the app's first download.

fn main() {
    wirelens::panic_banner::install();
    let root =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(wirelens::bench_app::ROOT_ID));
    match root {
        Some(root) => wirelens::bench_app::mount(root),
        None => web_sys::console::error_1(&"the benchmark tab has no #bench-root to mount into".into()),
    }
}
