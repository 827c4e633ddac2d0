//! The tabs that load as wasm modules of their own (the benchmark and gRPC tabs), so their code
//! stays out of the page's first download: each is a small Yew app in `src/bin/`, built by trunk
//! into a folder of `dist/` (index.html), loaded the first time its tab opens (`static/
//! load-module.js`) and mounted into an element the page keeps for it (hidden on the other tabs,
//! so a run and its results survive a tab switch). The page and a module share nothing in memory:
//! what one tells the other goes through local storage or the root element's attributes.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// One such module: the id of the element it mounts into and where trunk puts its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Module {
    pub root_id: &'static str,
    /// The path of its wasm-bindgen script without `.js` (its wasm adds `_bg.wasm`).
    pub path: &'static str,
}

pub const BENCH: Module = Module { root_id: "bench-root", path: "bench/wirelens-bench-ui" };
pub const GRPC: Module = Module { root_id: "grpc-root", path: "grpc/wirelens-grpc-ui" };

/// The loader the page adds once per module (copied by trunk to the root of `dist/`).
const LOADER: &str = "load-module.js";

impl Module {
    /// The element the page keeps for the module.
    pub fn root(self) -> Option<web_sys::Element> {
        web_sys::window()?.document()?.get_element_by_id(self.root_id)
    }

    /// Has the page load the module: a `<script>` running the loader for it. False if there is
    /// no document to add it to.
    pub fn load(self) -> bool {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return false };
        let (Ok(script), Some(head)) = (document.create_element("script"), document.head()) else { return false };
        script.set_attribute("src", LOADER).is_ok()
            && script.set_attribute("data-module", self.path).is_ok()
            && script.set_attribute("data-root", self.root_id).is_ok()
            && head.append_child(&script).is_ok()
    }

    /// Mounts the module's app `C` into its root, from the module's `main`. Both Yew apps (the
    /// module's and the page's) handle events by delegation and tell their elements apart by a
    /// subtree id stored on them, counted from 1 in each module: with the same id, the page would
    /// run its own handlers for clicks in the module's tab (the ids of handlers collide too). A
    /// throwaway app on a detached element takes id 1 here first.
    pub fn mount<C: BaseComponent<Properties = ()>>(self) {
        crate::panic_banner::install();
        let Some(root) = self.root() else {
            web_sys::console::error_1(&format!("no #{} to mount {} into", self.root_id, self.path).into());
            return;
        };
        if let Some(detached) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.create_element("div").ok())
        {
            std::mem::forget(yew::Renderer::<Nothing>::with_root(detached).render());
        }
        yew::Renderer::<C>::with_root(root).render();
    }

    /// Calls `changed` whenever the page changes the root's attributes (shows or hides the tab,
    /// or passes a request in a `data-` attribute), until the returned watch is dropped.
    pub fn watch(self, changed: impl Fn() + 'static) -> Option<Watch> {
        let callback = Closure::<dyn FnMut()>::new(changed);
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        let options = web_sys::MutationObserverInit::new();
        options.set_attributes(true);
        observer.observe_with_options(&self.root()?.into(), &options).ok()?;
        Some(Watch { observer, _callback: callback })
    }
}

/// An attribute observer and the callback it calls, which must live as long as it does.
pub struct Watch {
    observer: web_sys::MutationObserver,
    _callback: Closure<dyn FnMut()>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

#[component]
fn Nothing() -> Html {
    html! {}
}
