// Loads one of the page's tab modules (src/module.rs): the <script> running this file names it in
// data-module ("grpc/wirelens-grpc-ui": trunk's no-modules wasm-bindgen script .js and its
// _bg.wasm) and its root element in data-root. Every such script defines the same global,
// `wasm_bindgen`, so modules load one after another: each takes the global before the next
// script can replace it. A module that cannot load says so in its tab rather than leave it blank.
(function () {
  const { module, root } = document.currentScript.dataset;
  const fail = (why) => {
    console.error(`cannot load ${module}: ${why}`);
    const element = document.getElementById(root);
    if (element) element.textContent = `This tab could not be loaded (${module}: ${why}). Reload the page to try again.`;
  };
  const previous = window.wirelensModules || Promise.resolve();
  window.wirelensModules = previous.then(() => new Promise((resolve) => {
    const script = document.createElement('script');
    script.src = `${module}.js`;
    script.onload = () => {
      const init = wasm_bindgen;
      resolve();
      init({ module_or_path: `${module}_bg.wasm` }).catch((e) => fail(e && e.message ? e.message : String(e)));
    };
    script.onerror = () => {
      resolve();
      fail('the script did not load');
    };
    document.head.appendChild(script);
  }));
})();
