//! The page: owns the state (the message text, the last good encoding, the
//! selected byte) and derives everything else from the core.

use std::rc::Rc;

use prost_reflect::MessageDescriptor;
use wirelens_core::message::{self, JsonStyle};
use wirelens_core::wire::{self, NodeId};
use wirelens_core::{examples, input};
use yew::prelude::*;

use crate::components::explain_panel::ExplainPanel;
use crate::components::hex_view::HexView;

/// What the user typed and what it encoded to.
#[derive(Clone, PartialEq)]
struct Model {
    json: String,
    /// The bytes of the last text that parsed: kept while the text has an error.
    bytes: Rc<Vec<u8>>,
    /// JSON as the reference material writes it by hand (int64 as numbers), of the same message.
    hand_written_json: Rc<String>,
    error: Option<String>,
}

impl Model {
    fn new(desc: &MessageDescriptor, json: String) -> Model {
        let empty = Model { json: String::new(), bytes: Rc::default(), hand_written_json: Rc::default(), error: None };
        empty.edit(desc, json)
    }

    /// The model after the user typed `json`: re-encoded if it parses, else marked stale.
    fn edit(&self, desc: &MessageDescriptor, json: String) -> Model {
        match message::parse_json(desc, &json) {
            Ok(m) => Model {
                bytes: Rc::new(message::encode(&m)),
                hand_written_json: Rc::new(message::to_json(&m, JsonStyle::HAND_WRITTEN)),
                error: None,
                json,
            },
            Err(e) => Model { error: Some(e.to_string()), json, ..self.clone() },
        }
    }
}

#[component]
pub fn App() -> Html {
    let desc = use_memo((), |_| {
        let schema = examples::REFERENCE.schema().expect("the embedded reference schema compiles");
        schema.message(examples::REFERENCE.message).expect("the reference schema declares User")
    });
    let model = {
        let desc = desc.clone();
        use_state(move || {
            let user = message::parse_json(&desc, examples::REFERENCE.json).expect("the reference user parses");
            Model::new(&desc, message::to_json(&user, JsonStyle::PRETTY))
        })
    };
    let selected = use_state(|| None::<NodeId>);
    let annotation = {
        let desc = desc.clone();
        use_memo(model.bytes.clone(), move |bytes| wire::annotate(bytes, Some(&desc)))
    };

    let oninput = {
        let (model, desc, selected) = (model.clone(), desc.clone(), selected.clone());
        Callback::from(move |e: InputEvent| {
            let text = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value();
            model.set(model.edit(&desc, text));
            selected.set(None);
        })
    };
    let onselect = {
        let selected = selected.clone();
        Callback::from(move |leaf: NodeId| selected.set(Some(leaf)))
    };

    // Until the user points somewhere, explain the first byte: the page teaches on first open.
    let shown = selected.or_else(|| annotation.leaves().next());
    let hex = input::to_hex(&model.bytes);
    let stale = model.error.is_some();
    html! {
        <main class="page">
            <header>
                <h1>{ "wirelens" }</h1>
                <p class="tagline">{ "Every byte of a protobuf message, explained." }</p>
            </header>
            <section class="panes">
                <div class="pane message-pane">
                    <h2>{ "Message " }<code>{ desc.full_name() }</code><span class="muted">{ " as JSON" }</span></h2>
                    <textarea class="editor" spellcheck="false" value={model.json.clone()} {oninput} aria-label="message as JSON" />
                    if let Some(error) = &model.error {
                        <p class="error" role="alert">{ error }</p>
                    }
                    <p class="sizes">
                        <strong>{ format!("{} bytes", model.bytes.len()) }</strong>{ " of protobuf against " }
                        <strong>{ format!("{} bytes", model.hand_written_json.len()) }</strong>{ " of JSON " }
                        <span class="muted">{ "(compact, int64 as numbers, as the reference material writes it)" }</span>
                    </p>
                    <pre class="json-out">{ model.hand_written_json.to_string() }</pre>
                </div>
                <div class={classes!("pane", "wire-pane", stale.then_some("stale"))}>
                    <h2>{ "Wire format" }
                        if stale { <span class="badge">{ "stale: fix the message to update" }</span> }
                    </h2>
                    <p class="hex-line"><code>{ hex }</code></p>
                    <HexView annotation={annotation.clone()} selected={shown} onselect={onselect} />
                    <ExplainPanel annotation={annotation.clone()} selected={shown} />
                </div>
            </section>
            <footer class="legend">
                { for wirelens_core::hexview::CLASSES.iter().map(|c| html! { <span class={classes!("b", *c)}>{ *c }</span> }) }
            </footer>
        </main>
    }
}
