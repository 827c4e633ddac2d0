//! The message editor: type picker, JSON/text toggle, template, and the parse error with its
//! line and column.

use wirelens_core::message::{MessageError, Notation};
use wirelens_core::position;
use yew::prelude::*;

use crate::components::editor::{Editor, mark_at};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub types: Vec<String>,
    pub selected_type: Option<String>,
    pub notation: Notation,
    pub text: String,
    pub error: Option<MessageError>,
    /// JSON: skip members the schema does not know (shown with JSON only).
    pub ignore_unknown_fields: bool,
    pub on_ignore_unknown_fields: Callback<bool>,
    pub on_type: Callback<String>,
    pub on_notation: Callback<Notation>,
    pub on_template: Callback<()>,
    pub on_edit: Callback<String>,
}

#[component]
pub fn MessagePane(props: &Props) -> Html {
    let on_type = props.on_type.reform(|e: Event| e.target_unchecked_into::<web_sys::HtmlSelectElement>().value());
    let marks = props.error.iter().map(|e| mark_at(&props.text, e.line, e.column)).collect::<Vec<_>>();
    let notation_button = |notation: Notation, label: &'static str| {
        let cb = props.on_notation.clone();
        let pressed = props.notation == notation;
        html! {
            <button class={classes!("toggle", pressed.then_some("active"))} aria-pressed={pressed.to_string()}
                onclick={Callback::from(move |_| cb.emit(notation))}>{ label }</button>
        }
    };
    html! {
        <section class="pane message-pane" aria-label="message">
            <div class="pane-head">
                <h2>{ "Message" }</h2>
                <select onchange={on_type} aria-label="message type">
                    { for props.types.iter().map(|t| html! {
                        <option value={t.clone()} selected={props.selected_type.as_ref() == Some(t)}>{ t }</option>
                    }) }
                </select>
                <span class="group" role="group" aria-label="notation">
                    { notation_button(Notation::Json, "JSON") }
                    { notation_button(Notation::Text, "text format") }
                </span>
                <button onclick={props.on_template.reform(|_| ())} title="fill every field with an example value">
                    { "template" }
                </button>
                if props.notation == Notation::Json {
                    <label class="check" title="as protobuf's JSON parsers do with ignore_unknown_fields: for JSON written against a newer schema">
                        <input type="checkbox" checked={props.ignore_unknown_fields}
                            onchange={props.on_ignore_unknown_fields.reform(|e: Event| e.target_unchecked_into::<web_sys::HtmlInputElement>().checked())} />
                        { " ignore unknown fields" }
                    </label>
                }
            </div>
            <Editor class={classes!("editor", "message-editor")} value={props.text.clone()}
                on_input={props.on_edit.clone()} {marks} label="message text" />
            if let Some(error) = &props.error {
                <p class="error" role="alert">{ error.to_string() }</p>
                if let Some(excerpt) = position::excerpt(&props.text, error.line, error.column) {
                    <pre class="excerpt" aria-hidden="true">{ excerpt }</pre>
                }
            }
        </section>
    }
}
