//! The benchmark worker: runs `wirelens_bench` off the page's thread, so the page stays
//! responsive. It receives a `protocol::Request` as a JSON string, posts `protocol::Event`s back
//! as JSON strings (ready with its clock, progress before each job, the report), and is
//! terminated by the app to cancel. The clock is `performance.now()` of the worker's scope; the
//! browser's own `JSON.stringify` / `JSON.parse` is the fourth codec.
//!
//! trunk builds it (`data-type="worker"` in index.html) into `dist/bench/`; on the host it only
//! type-checks.

#[cfg(target_arch = "wasm32")]
mod worker;

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("wirelens-bench-worker runs in a browser's Web Worker: trunk builds it for wasm32 (see index.html)");
}
