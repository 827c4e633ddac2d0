//! The tabs that load as wasm modules of their own (the benchmark and gRPC tabs), so their code
//! stays out of the page's first download: each is a small Yew app in `src/bin/`, built by trunk
//! into a folder of `dist/` (index.html), loaded the first time its tab opens (`static/
//! load-module.js`) and mounted into an element the page keeps for it (hidden on the other tabs,
//! so a run and its results survive a tab switch). The page and a module share nothing in memory:
//! what one tells the other goes through local storage, the root element's attributes, or an
//! [`Ask`] event from a module to the page.

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
pub const LEARN: Module = Module { root_id: "learn-root", path: "learn/wirelens-learn-ui" };

/// What a module asks of the page: sent as a DOM event ([`ASK_EVENT`]) on the window, which the
/// page listens for (app.rs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// Open this permalink's work (`share`) in the playground.
    Open(String),
    /// Show the gRPC tab.
    ShowGrpc,
}

/// The name of the window event that carries an [`Ask`] (its `detail`, a string).
pub const ASK_EVENT: &str = "wirelens-ask";

impl Ask {
    pub fn to_detail(&self) -> String {
        match self {
            Ask::Open(link) => format!("open {link}"),
            Ask::ShowGrpc => "show grpc".to_owned(),
        }
    }

    pub fn from_detail(detail: &str) -> Option<Ask> {
        match detail.split_once(' ')? {
            ("open", link) => Some(Ask::Open(link.to_owned())),
            ("show", "grpc") => Some(Ask::ShowGrpc),
            _ => None,
        }
    }

    /// Sends the ask to the page.
    pub fn send(&self) {
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&self.to_detail().into());
        let event = web_sys::CustomEvent::new_with_event_init_dict(ASK_EVENT, &init);
        if let (Some(window), Ok(event)) = (web_sys::window(), event) {
            let _ = window.dispatch_event(&event);
        }
    }
}

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

    /// Whether the page shows the module's tab (its root is not hidden).
    pub fn shown(self) -> bool {
        self.root().is_some_and(|root| !root.has_attribute("hidden"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ask_reads_back_from_its_detail_and_nothing_else_does() {
        for ask in [Ask::Open("v1.eJxLTEoGAAJNASc".into()), Ask::ShowGrpc] {
            assert_eq!(Ask::from_detail(&ask.to_detail()), Some(ask));
        }
        for detail in ["", "open", "show bench", "close v1.x"] {
            assert_eq!(Ask::from_detail(detail), None, "{detail:?}");
        }
    }
}
