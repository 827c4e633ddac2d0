//! The benchmark tab as a module of its own (`bench_app.rs`, `module.rs`): loaded the first time
//! the tab opens, so its panel, charts and report code stay out of the page's first download.

fn main() {
    wirelens::module::BENCH.mount::<wirelens::bench_app::BenchApp>();
}
