//! The gRPC tab: owns the panel's reducer (`grpc_state`) and runs its effects, the calls, the
//! gRPC-vs-REST comparison and "load from server" (`rpc`). Its methods are the playground's
//! schema's (the `schema` prop); a schema loaded from the server goes back to the playground
//! (`on_schema`), which then hands it down like any other.
//!
//! Learn mode's buttons reach it as the `preset` prop, a preset and the number of the request
//! (pressing the same button again is a new request): each new request runs once.

use std::cell::Cell;
use std::rc::Rc;

use yew::prelude::*;

use wirelens_core::commands::SchemaSource;
use wirelens_core::schema::Schema;

use crate::components::grpc_panel::GrpcPanel;
use crate::grpc_state::{GrpcAction, GrpcState, Reflection};
use crate::learn_state::GrpcPreset;
use crate::rpc;

/// The largest HAR file read: a page's traffic with its bodies, not a day's.
const MAX_HAR_BYTES: u64 = 64 << 20;

#[derive(Properties, PartialEq, Clone)]
pub struct Props {
    /// The last call Learn mode asked for, numbered: `(preset, request number)`.
    #[prop_or_default]
    pub preset: Option<(GrpcPreset, u32)>,
    /// The playground's schema, and where it came from.
    pub schema: Option<Rc<Schema>>,
    pub source: SchemaSource,
    /// A schema the server gave by reflection: `(where from, FileDescriptorSet bytes)`.
    pub on_schema: Callback<(String, Vec<u8>)>,
}

#[component]
pub fn GrpcTab(props: &Props) -> Html {
    let grpc = use_reducer(GrpcState::default);
    let origin = use_memo((), |()| web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default());
    // The call in flight, to stop when Cancel is pressed or another call starts.
    let in_flight = use_mut_ref(|| None::<rpc::Cancel>);

    // The playground's schema, whenever it changes.
    {
        let dispatcher = grpc.dispatcher();
        use_effect_with((props.schema.clone(), props.source.clone()), move |(schema, source)| {
            dispatcher.dispatch(GrpcAction::SetSchema(schema.clone(), source.clone()));
        });
    }

    // "Load from server": the reflection the reducer prepared; its schema goes to the playground.
    {
        let running = match &grpc.reflection {
            Some(Reflection::Running(spec)) => Some(spec.clone()),
            _ => None,
        };
        let (dispatcher, on_schema) = (grpc.dispatcher(), props.on_schema.clone());
        use_effect_with(running.as_ref().map(|s| s.id), move |_| {
            if let Some(spec) = running {
                yew::platform::spawn_local(async move {
                    let result = rpc::reflect(&spec).await.map(|fetched| {
                        on_schema.emit((format!("reflection of {}", spec.base), fetched.descriptor_set));
                        fetched.services
                    });
                    dispatcher.dispatch(GrpcAction::Reflected(spec.id, result));
                });
            }
        });
    }

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

    // Learn mode's preset calls: each request once.
    {
        let (dispatcher, origin) = (grpc.dispatcher(), origin.clone());
        use_effect_with(props.preset, move |preset| {
            if let Some((preset, _)) = *preset {
                for action in preset.actions(&origin) {
                    dispatcher.dispatch(action);
                }
            }
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
    // A HAR file opened: read as text, then listed by the reducer. The reader lives until it ends.
    let reader = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let on_har = {
        let dispatcher = grpc.dispatcher();
        Callback::from(move |file: web_sys::File| {
            let file = gloo::file::File::from(file);
            let name = file.name();
            if file.size() > MAX_HAR_BYTES {
                let why = format!(
                    "{} MiB is more than the {} MiB a HAR file may have here",
                    file.size() >> 20,
                    MAX_HAR_BYTES >> 20
                );
                dispatcher.dispatch(GrpcAction::LoadHar(name, Err(why)));
                return;
            }
            let dispatcher = dispatcher.clone();
            let task = gloo::file::callbacks::read_as_text(&file, move |result| {
                dispatcher.dispatch(GrpcAction::LoadHar(name, result.map_err(|e| format!("cannot read it: {e}"))))
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    html! { <GrpcPanel state={(*grpc).clone()} origin={(*origin).clone()} {on} {on_har} /> }
}

// The tab's code is left out of the first download: fetched the first time the tab opens.
crate::lazy::part!(Props, GrpcTab, grpc, "the gRPC tab");
