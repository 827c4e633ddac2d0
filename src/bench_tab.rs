//! The benchmark tab: owns its reducer (`bench_state`) and runs its effects, the worker
//! (`bench_worker`, fetched only when a run starts) and the clipboard. The playground's message
//! comes in as a prop: the files, the type and the message text go to the worker, which compiles,
//! parses and encodes them itself.

use wirelens_core::bench_report::Custom;
use yew::prelude::*;

use crate::bench_state::{BenchAction, BenchState};
use crate::components::bench_panel::BenchPanel;

#[derive(Properties, PartialEq, Clone)]
pub struct Props {
    /// The playground's message, measured as "yours" (None while it has no type or no text).
    pub yours: Option<Custom>,
}

#[component]
pub fn BenchTab(props: &Props) -> Html {
    let bench = use_reducer(BenchState::default);

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
        let (dispatcher, yours) = (bench.dispatcher(), props.yours.clone());
        Callback::from(move |()| dispatcher.dispatch(BenchAction::Run(yours.clone())))
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
    let yours = props.yours.as_ref().map(|c| c.type_name.clone());
    html! { <BenchPanel state={(*bench).clone()} {yours} {on} {on_run} {on_copy} /> }
}

// The tab's code is left out of the first download: fetched the first time the tab opens.
crate::lazy::part!(Props, BenchTab, bench, "the benchmark tab");
