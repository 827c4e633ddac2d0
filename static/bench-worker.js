// Starts the benchmark worker (crates/wirelens-bench-worker). trunk builds its wasm-bindgen script
// and wasm next to this file (index.html: data-target-path="bench"); the app starts it with
// new Worker("bench/bench-worker.js"). Paths are relative to this script, as a worker resolves them.
importScripts('./wirelens-bench-worker.js');
wasm_bindgen({ module_or_path: './wirelens-bench-worker_bg.wasm' });
