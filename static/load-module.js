// Loads one of the page's tab modules (src/module.rs): the <script> running this file names it in
// data-module ("grpc/wirelens-grpc-ui": trunk's no-modules wasm-bindgen script .js and its
// _bg.wasm) and its root element in data-root. Every such script declares `let wasm_bindgen` at
// its top level, one binding for the whole page: run as classic scripts, the second module's
// would throw. So each script's text runs in a function of its own, which hands its
// `wasm_bindgen` back. A module that cannot load says so in its tab rather than leave it blank.
(function () {
  const { module, root } = document.currentScript.dataset;
  const fail = (why) => {
    console.error(`cannot load ${module}: ${why}`);
    const element = document.getElementById(root);
    if (element) element.textContent = `This tab could not be loaded (${module}: ${why}). Reload the page to try again.`;
  };
  fetch(`${module}.js`)
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${module}.js`);
      return response.text();
    })
    .then((glue) => {
      const init = new Function(`${glue}\nreturn wasm_bindgen;`)();
      return init({ module_or_path: `${module}_bg.wasm` });
    })
    .catch((e) => fail(e && e.message ? e.message : String(e)));
})();
