//! Learn mode's tab: owns the lessons' reducer (`learn_state`) and runs its effects: the lesson's
//! permalink (`#learn/<slug>`) in the URL while the tab is shown, lesson links followed in the
//! open page, the lessons done in local storage. "Open in the playground" and the gRPC lesson's
//! calls go out as callbacks; the page does them.

use crate::share::Shared;
use gloo::events::EventListener;
use wirelens_core::learn::{self, Lesson, Route};
use yew::prelude::*;

use crate::components::learn_panel::LearnPanel;
use crate::learn_state::{GrpcPreset, LearnAction, LearnState};
use crate::storage;

#[derive(Properties, PartialEq, Clone)]
pub struct Props {
    /// Whether the tab is on screen (the URL is the lesson's only then).
    pub shown: bool,
    /// Open the lesson's example in the playground.
    pub on_playground: Callback<Shared>,
    /// Make one of the gRPC lesson's calls in the gRPC tab.
    pub on_grpc: Callback<GrpcPreset>,
}

#[component]
pub fn LearnTab(props: &Props) -> Html {
    let learn = use_reducer(initial_learn);

    // The open lesson's permalink in the URL while the tab is shown (on the other tabs the page
    // writes its own), the lessons done in local storage.
    use_effect_with((props.shown, learn.lesson.slug), |&(shown, slug)| {
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

    let on = {
        let d = learn.dispatcher();
        Callback::from(move |a| d.dispatch(a))
    };
    let on_playground = {
        let (learn, open) = (learn.clone(), props.on_playground.clone());
        Callback::from(move |()| open.emit(learn.to_shared()))
    };
    html! { <LearnPanel state={(*learn).clone()} {on} {on_playground} on_grpc={props.on_grpc.clone()} /> }
}

/// Learn mode as it opens: the lesson a link names (a bad link: the first, with a notice), else
/// the first lesson not done yet.
fn initial_learn() -> LearnState {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let progress = storage::stored(storage::PROGRESS_KEY).unwrap_or_default();
    LearnState::from_fragment(&hash, &progress).unwrap_or_else(|| LearnState::resume(&progress))
}

// The tab's code is left out of the first download: fetched the first time the tab opens.
crate::lazy::part!(Props, LearnTab, learn, "Learn mode");
