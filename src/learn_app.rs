//! Learn mode's own small app, a module of its own (`module::LEARN`, mounted by
//! `src/bin/wirelens-learn-ui.rs`): owns the lessons' reducer (`learn_state`) and runs its
//! effects: the lesson's permalink (`#learn/<slug>`) in the URL while the tab is shown, lesson
//! links followed in the open page, the lessons done in local storage. What it asks of the rest
//! of the page goes as [`module::Ask`]s ("open in the playground", show the gRPC tab) and, for the
//! gRPC lesson's calls, as a preset on the gRPC tab's root (`grpc_app.rs`).

use gloo::events::EventListener;
use wirelens_core::learn::{self, Lesson, Route};
use wirelens_core::share;
use yew::prelude::*;

use crate::components::learn_panel::LearnPanel;
use crate::learn_state::{GrpcPreset, LearnAction, LearnState};
use crate::module::{self, Ask};
use crate::storage;

#[component]
pub fn LearnApp() -> Html {
    let learn = use_reducer(initial_learn);
    let shown = use_state(|| module::LEARN.shown());
    {
        let shown = shown.clone();
        use_effect_with((), move |()| {
            let watch = module::LEARN.watch(move || shown.set(module::LEARN.shown()));
            move || drop(watch)
        });
    }

    // The open lesson's permalink in the URL while the tab is shown (on the other tabs the page
    // writes its own), the lessons done in local storage.
    use_effect_with((*shown, learn.lesson.slug), |&(shown, slug)| {
        let history = web_sys::window().and_then(|w| w.history().ok());
        if let (true, Some(history), Some(lesson)) = (shown, history, Lesson::by_slug(slug)) {
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("#{}", lesson.fragment())),
            );
        }
    });
    use_effect_with(learn.progress(), |progress| storage::store(storage::PROGRESS_KEY, progress));

    // A lesson link followed in the open page changes only the fragment: open its lesson (the
    // page shows the tab).
    {
        let dispatcher = learn.dispatcher();
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
                    if learn::route(&hash) != Route::NotLearn {
                        dispatcher.dispatch(LearnAction::Follow(hash));
                    }
                })
            });
            move || drop(listener)
        });
    }

    // How many preset calls this tab has asked the gRPC tab for: the count makes the same
    // button, pressed again, a new request.
    let presets_asked = use_mut_ref(|| 0_u32);
    let on = {
        let d = learn.dispatcher();
        Callback::from(move |a| d.dispatch(a))
    };
    let on_playground = {
        let learn = learn.clone();
        Callback::from(move |()| Ask::Open(share::encode(&learn.to_shared())).send())
    };
    let on_grpc = Callback::from(move |preset: GrpcPreset| {
        *presets_asked.borrow_mut() += 1;
        if let Some(root) = module::GRPC.root() {
            let request = format!("{} {}", preset.slug(), presets_asked.borrow());
            let _ = root.set_attribute(crate::grpc_app::PRESET_ATTRIBUTE, &request);
        }
        Ask::ShowGrpc.send();
    });
    html! { <LearnPanel state={(*learn).clone()} {on} {on_playground} {on_grpc} /> }
}

/// Learn mode as it opens: the lesson a link names (a bad link: the first, with a notice), else
/// the first lesson not done yet.
fn initial_learn() -> LearnState {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let progress = storage::stored(storage::PROGRESS_KEY).unwrap_or_default();
    LearnState::from_fragment(&hash, &progress).unwrap_or_else(|| LearnState::resume(&progress))
}
