// Loads the benchmark tab's module (src/bin/wirelens-bench-ui.rs; trunk builds its wasm-bindgen
// script and wasm into bench/, index.html). The app adds this script the first time the tab
// opens; the module mounts into #bench-root.
(function () {
  const script = document.createElement('script');
  script.src = 'bench/wirelens-bench-ui.js';
  script.onload = () => wasm_bindgen({ module_or_path: 'bench/wirelens-bench-ui_bg.wasm' });
  document.head.appendChild(script);
})();
