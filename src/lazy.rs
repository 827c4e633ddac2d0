//! The one seam where the page's code arrives later: the gRPC, benchmark and Learn tabs (and the
//! export panel's protoscope writer) are left out of the first download and fetched the first
//! time they are shown.
//!
//! A tab's component is reached only through a function marked `#[wasm_split(name, fallible)]`
//! (wasm_split_helpers), which returns the tab's view: `part!` writes it, with the tab's
//! [`Part`] impl. After trunk's build, `cargo xtask split-app` (wasm_split_cli_support) moves
//! every function only such a function reaches into a module of its own that shares the page's
//! memory and function table: one app, one state, the tab's code just fetched later. [`Lazy`]
//! shows a line while the code comes, then the view; if the fetch fails it says so and offers
//! to try again (a failure is not remembered).
//!
//! On the host (`cargo test`), the split functions are plain calls.

use futures_util::future::LocalBoxFuture;
use wasm_split_helpers::SplitLoaderError;
use yew::prelude::*;

/// How a part draws itself once its code is here.
pub type View<P> = fn(&P) -> Html;

/// A part of the page whose code is fetched when it is first shown: implemented by its props.
pub trait Part: Properties + PartialEq + Clone + 'static {
    /// What it is, for the lines shown while it loads or if it cannot.
    const NAME: &'static str;
    /// Fetches the part's code (once: later calls are ready at once) and returns its view.
    fn load() -> LocalBoxFuture<'static, Result<View<Self>, SplitLoaderError>>;
}

/// Starts fetching `P`'s code without showing it: for a tab the pointer or focus is on, which
/// is likely to be opened next. What fails here is tried again when the tab opens.
pub fn prefetch<P: Part>() {
    wasm_bindgen_futures::spawn_local(async {
        let _ = P::load().await;
    });
}

#[derive(Properties, PartialEq)]
pub struct Props<P: Part> {
    /// The part's own props, handed to its view.
    pub props: P,
}

enum Loaded<P> {
    Waiting,
    Ready(View<P>),
    Failed(SplitLoaderError),
}

/// Fetches `P`'s code on first render, then renders it with `props`.
#[component]
pub fn Lazy<P: Part>(props: &Props<P>) -> Html {
    let loaded = use_state(|| Loaded::<P>::Waiting);
    // Bumped by "try again": each value starts one fetch.
    let attempt = use_state(|| 0u32);
    {
        let loaded = loaded.clone();
        use_effect_with(*attempt, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                loaded.set(match P::load().await {
                    Ok(view) => Loaded::Ready(view),
                    Err(e) => Loaded::Failed(e),
                });
            });
        });
    }
    match &*loaded {
        Loaded::Ready(view) => view(&props.props),
        Loaded::Waiting => html! { <p class="loading" role="status">{ format!("Loading {}…", P::NAME) }</p> },
        Loaded::Failed(e) => {
            let (loaded, attempt) = (loaded.clone(), attempt.clone());
            let retry = Callback::from(move |_| {
                loaded.set(Loaded::Waiting);
                attempt.set(*attempt + 1);
            });
            html! {
                <p class="notice lazy-failed" role="alert">
                    { format!("The code of {} could not be fetched ({e}): check the connection to the page's server. ", P::NAME) }
                    <button class="retry" onclick={retry}>{ "Try again" }</button>
                </p>
            }
        }
    }
}

/// Makes `$props` a [`Part`] drawn as `<$component ..props />`, whose code goes into the module
/// `$module` (a `#[wasm_split]` function is the only path from the page to the component).
macro_rules! part {
    ($props:ty, $component:ident, $module:ident, $name:literal) => {
        impl $crate::lazy::Part for $props {
            const NAME: &'static str = $name;
            fn load() -> ::futures_util::future::LocalBoxFuture<
                'static,
                Result<$crate::lazy::View<Self>, ::wasm_split_helpers::SplitLoaderError>,
            > {
                Box::pin(view())
            }
        }

        #[::wasm_split_helpers::wasm_split($module, fallible)]
        fn view() -> Result<$crate::lazy::View<$props>, ::wasm_split_helpers::SplitLoaderError> {
            Ok(|props| ::yew::html! { <$component ..props.clone() /> })
        }
    };
}
pub(crate) use part;
