//! The benchmark tab's own small app, a separate wasm module (`src/bin/wirelens-bench-ui.rs`,
//! built by trunk into `bench/`): the app loads it the first time the tab opens (`static/
//! bench-ui.js`), and it mounts into the `#bench-root` element the app keeps (hidden on the other
//! tabs, so a run and its results survive a tab switch). The playground's message is read from
//! the page's permalink (the URL fragment the app keeps up to date, `share`): the files, the type
//! and the message text go to the worker, which compiles, parses and encodes them itself.
//!
//! Owns the tab's reducer and runs its effects: the worker (`bench_worker`) and the clipboard.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wirelens_core::bench_report::Custom;
use wirelens_core::share;
use yew::prelude::*;

use crate::bench_state::{BenchAction, BenchState};
use crate::components::bench_panel::BenchPanel;

/// The id of the element the app keeps for this module.
pub const ROOT_ID: &str = "bench-root";

#[component]
pub fn BenchApp() -> Html {
    let bench = use_reducer(BenchState::default);
    // The playground changes without telling this module: read its message's type when the tab
    // is shown again (the app unhides the root), and the message itself when Run is pressed.
    let yours = use_state(|| playground().map(|c| c.type_name));
    {
        let yours = yours.clone();
        use_effect_with((), move |()| {
            let watch = watch_root(move || yours.set(playground().map(|c| c.type_name)));
            move || {
                if let Some((observer, _)) = &watch {
                    observer.disconnect();
                }
            }
        });
    }

    // Run the benchmark the reducer prepared in its worker; what the worker reports goes back to
    // the reducer, tagged with the run's id. The run ending (done, failed, Cancel) drops the
    // handle, which terminates the worker.
    {
        let run = bench.running().map(|r| (r.id, r.request.clone()));
        let dispatcher = bench.dispatcher();
        use_effect_with(run.as_ref().map(|(id, _)| *id), move |_| {
            let worker = run.map(|(id, request)| {
                crate::bench_worker::start(request, move |event| dispatcher.dispatch(BenchAction::Event(id, event)))
            });
            move || drop(worker)
        });
    }

    let on_run = {
        let dispatcher = bench.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(BenchAction::Run(playground())))
    };
    let on_copy = Callback::from(|markdown: String| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&markdown);
        }
    });
    let on = {
        let d = bench.dispatcher();
        Callback::from(move |a| d.dispatch(a))
    };
    html! { <BenchPanel state={(*bench).clone()} yours={(*yours).clone()} {on} {on_run} {on_copy} /> }
}

/// Mounts the tab into `root`. Both Yew apps (this module's and the page's) handle events by
/// delegation and tell their elements apart by a subtree id stored on them, counted from 1 in each
/// module: with the same id, the page would run its own handlers for clicks in this tab (the ids
/// of handlers collide too). A throwaway app on a detached element takes id 1 here first.
pub fn mount(root: web_sys::Element) {
    if let Some(detached) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.create_element("div").ok()) {
        std::mem::forget(yew::Renderer::<Nothing>::with_root(detached).render());
    }
    yew::Renderer::<BenchApp>::with_root(root).render();
}

#[component]
fn Nothing() -> Html {
    html! {}
}

fn root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(ROOT_ID)
}

/// The playground's message, from the work app.rs saves in local storage as it changes (the URL
/// follows only once the page rests).
fn playground() -> Option<Custom> {
    let saved = web_sys::window()?.local_storage().ok()??.get_item(crate::app::SAVED_KEY).ok()??;
    let shared = share::decode(&saved).ok()?;
    let type_name = shared.message_type.filter(|_| !shared.message.trim().is_empty())?;
    Some(Custom { files: shared.files, type_name, message: shared.message, notation: shared.notation })
}

/// An observer and the callback it calls, which must live as long as it does.
type Watch = (web_sys::MutationObserver, Closure<dyn FnMut()>);

/// Calls `changed` when the app changes the root's attributes (a MutationObserver).
fn watch_root(changed: impl Fn() + 'static) -> Option<Watch> {
    let callback = Closure::<dyn FnMut()>::new(changed);
    let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    let options = web_sys::MutationObserverInit::new();
    options.set_attributes(true);
    observer.observe_with_options(&root()?.into(), &options).ok()?;
    Some((observer, callback))
}
