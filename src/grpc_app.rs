//! The gRPC tab's own small app, a module of its own (`module::GRPC`, mounted by
//! `src/bin/wirelens-grpc-ui.rs`): owns the panel's reducer (`grpc_state`) and runs its effects,
//! the calls and the gRPC-vs-REST comparison (`rpc`).
//!
//! Learn mode's buttons reach it through its root element: the page writes
//! `data-preset="<preset slug> <count>"` there (the count makes the same button, pressed again, a
//! new request) and this app runs each new value once, whether it was written before the module
//! loaded or while it runs.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use yew::prelude::*;

use crate::components::grpc_panel::GrpcPanel;
use crate::grpc_state::{GrpcAction, GrpcState};
use crate::learn_state::GrpcPreset;
use crate::module;
use crate::rpc;

/// The root attribute through which the page asks for a preset call.
pub const PRESET_ATTRIBUTE: &str = "data-preset";

#[component]
pub fn GrpcApp() -> Html {
    let grpc = use_reducer(GrpcState::default);
    let origin = use_memo((), |()| web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default());
    // The call in flight, to stop when Cancel is pressed or another call starts.
    let in_flight = use_mut_ref(|| None::<rpc::Cancel>);

    // Send the call the reducer prepared; what the network reports goes back to the reducer,
    // tagged with the call's id.
    {
        let (spec, dispatcher, in_flight) = (grpc.pending.clone(), grpc.dispatcher(), in_flight.clone());
        use_effect_with(spec.as_ref().map(|s| s.id), move |_| {
            if let Some(spec) = spec {
                let id = spec.id;
                let cancel = rpc::start(spec, move |event| dispatcher.dispatch(GrpcAction::Event(id, event)));
                if let Some(previous) = in_flight.borrow_mut().replace(cancel) {
                    previous.cancel();
                }
            }
        });
    }

    // Run the comparison the reducer prepared; Cancel (or a new comparison) stops the old one,
    // through the flag this effect's cleanup sets.
    {
        let compare = grpc.compare.as_ref().filter(|c| !c.done).map(|c| c.spec.clone());
        let dispatcher = grpc.dispatcher();
        use_effect_with(compare.as_ref().map(|c| c.id), move |_| {
            let cancel = Rc::new(Cell::new(false));
            if let Some(spec) = compare {
                let (id, cancel) = (spec.id, cancel.clone());
                yew::platform::spawn_local(async move {
                    let d = dispatcher.clone();
                    rpc::compare(spec, cancel, move |sample| d.dispatch(GrpcAction::Sample(id, sample))).await;
                    dispatcher.dispatch(GrpcAction::CompareDone(id));
                });
            }
            move || cancel.set(true)
        });
    }

    // Learn mode's preset calls, written on the root by the page.
    {
        let (dispatcher, origin) = (grpc.dispatcher(), origin.clone());
        use_effect_with((), move |()| {
            let done = Rc::new(RefCell::new(None::<String>));
            let run = move || {
                let asked = module::GRPC.root().and_then(|root| root.get_attribute(PRESET_ATTRIBUTE));
                let Some(asked) = asked.filter(|a| done.borrow().as_ref() != Some(a)) else { return };
                if let Some(preset) = asked.split(' ').next().and_then(GrpcPreset::from_slug) {
                    for action in preset.actions(&origin) {
                        dispatcher.dispatch(action);
                    }
                }
                *done.borrow_mut() = Some(asked);
            };
            run();
            let watch = module::GRPC.watch(run);
            move || drop(watch)
        });
    }

    let on = {
        let (d, in_flight) = (grpc.dispatcher(), in_flight.clone());
        Callback::from(move |action: GrpcAction| {
            if matches!(action, GrpcAction::CancelCall)
                && let Some(cancel) = in_flight.borrow_mut().take()
            {
                cancel.cancel();
            }
            d.dispatch(action)
        })
    };
    html! { <GrpcPanel state={(*grpc).clone()} origin={(*origin).clone()} {on} /> }
}
