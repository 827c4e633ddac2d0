//! The benchmark tab's own small app, a module of its own (`module::BENCH`, mounted by
//! `src/bin/wirelens-bench-ui.rs`). The playground's message is read from the work the page
//! saves in local storage as it changes (`share`): the files, the type and the message text go to
//! the worker, which compiles, parses and encodes them itself.
//!
//! Owns the tab's reducer and runs its effects: the worker (`bench_worker`) and the clipboard.

use wirelens_core::bench_report::Custom;
use wirelens_core::share;
use yew::prelude::*;

use crate::bench_state::{BenchAction, BenchState};
use crate::components::bench_panel::BenchPanel;
use crate::{module, storage};

#[component]
pub fn BenchApp() -> Html {
    let bench = use_reducer(BenchState::default);
    // The playground changes without telling this module: read its message's type when the tab
    // is shown again (the app unhides the root), and the message itself when Run is pressed.
    let yours = use_state(|| playground().map(|c| c.type_name));
    {
        let yours = yours.clone();
        use_effect_with((), move |()| {
            let watch = module::BENCH.watch(move || yours.set(playground().map(|c| c.type_name)));
            move || drop(watch)
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

/// The playground's message, from the work app.rs saves in local storage as it changes (the URL
/// follows only once the page rests).
fn playground() -> Option<Custom> {
    let saved = storage::stored(storage::SAVED_KEY)?;
    let shared = share::decode(&saved).ok()?;
    let type_name = shared.message_type.filter(|_| !shared.message.trim().is_empty())?;
    Some(Custom { files: shared.files, type_name, message: shared.message, notation: shared.notation })
}
