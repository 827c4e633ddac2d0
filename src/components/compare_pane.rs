//! The same message as JSON, beside the bytes: sizes of each encoding (and gzip'd), and what
//! each field costs in each.

use std::rc::Rc;

use wirelens_core::compare::{self, Comparison};
use wirelens_core::message::{self, JsonStyle};
use wirelens_core::prost_reflect::MessageDescriptor;
use yew::prelude::*;

use crate::components::json_view::JsonView;
use crate::later::{When, use_after_paint};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub descriptor: Option<MessageDescriptor>,
    pub bytes: Rc<Vec<u8>>,
    /// The JSON path of the selected record, and where choosing a JSON line goes.
    pub selected_path: Option<String>,
    pub onselect_path: Callback<String>,
    /// The message direction has no schema yet (its files wait for the compiler, or have never
    /// compiled), rather than bytes read without one.
    #[prop_or_default]
    pub uncompiled: bool,
    /// The bytes are still being read (a large input, `later.rs`): their JSON waits for that, so
    /// the annotated bytes come first.
    #[prop_or_default]
    pub after_reading: bool,
}

/// What the pane shows, computed once per input.
#[derive(PartialEq)]
enum View {
    NoSchema,
    Error(String),
    Ready { json: Rc<str>, comparison: Comparison, gzip: [usize; 3] },
}

#[component]
pub fn ComparePane(props: &Props) -> Html {
    // A large message's JSON, sizes and gzips are worked out after its bytes are drawn.
    let when = if props.after_reading { When::Held } else { When::for_size(props.bytes.len()) };
    let view = use_after_paint((props.descriptor.clone(), props.bytes.clone()), when, |(desc, bytes)| {
        let Some(desc) = desc else { return View::NoSchema };
        let m = match message::decode(desc, bytes) {
            Ok(m) => m,
            Err(e) => return View::Error(e.to_string()),
        };
        let json = message::to_json(&m, JsonStyle::PRETTY);
        let compact = message::to_json(&m, JsonStyle::CANONICAL);
        match (json, compact, compare::compare(&m)) {
            (Ok(json), Ok(compact), Ok(comparison)) => {
                let gzip = [
                    compare::gzip_len(bytes),
                    compare::gzip_len(compact.as_bytes()),
                    compare::gzip_len(json.as_bytes()),
                ];
                View::Ready { json: json.into(), comparison, gzip }
            }
            (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => View::Error(e.to_string()),
        }
    });
    let body = match view.as_deref() {
        None => html! { <p class="muted" role="status">{ "Reading the bytes as JSON…" }</p> },
        Some(View::NoSchema) if props.uncompiled => {
            html! { <p class="muted">{ "JSON needs a schema: it appears once the schema compiles." }</p> }
        }
        Some(View::NoSchema) => {
            html! { <p class="muted">{ "JSON needs a schema: tick \"read as\" to read the bytes as a type." }</p> }
        }
        Some(View::Error(e)) => html! { <p class="error" role="alert">{ e }</p> },
        Some(View::Ready { json, comparison, gzip }) => {
            let s = &comparison.sizes;
            let ratio = |json: usize| {
                if s.protobuf == 0 { "–".to_owned() } else { format!("{:.1}×", json as f64 / s.protobuf as f64) }
            };
            let max = comparison.fields.iter().map(|f| f.json.max(f.protobuf)).max().unwrap_or(1).max(1);
            html! {
                <>
                <table class="sizes-table" aria-label="sizes">
                    <thead><tr><th>{ "encoding" }</th><th>{ "bytes" }</th><th>{ "gzip -9" }</th><th>{ "× protobuf" }</th></tr></thead>
                    <tbody>
                        <tr class="pb"><td>{ "protobuf" }</td><td>{ s.protobuf }</td><td>{ gzip[0] }</td><td>{ "1×" }</td></tr>
                        <tr><td>{ "JSON, canonical compact" }</td><td>{ s.json }</td><td>{ gzip[1] }</td><td>{ ratio(s.json) }</td></tr>
                        <tr><td>{ "JSON, pretty" }</td><td>{ s.json_pretty }</td><td>{ gzip[2] }</td><td>{ ratio(s.json_pretty) }</td></tr>
                        <tr><td>{ "JSON, with defaults" }</td><td>{ s.json_with_defaults }</td><td></td><td>{ ratio(s.json_with_defaults) }</td></tr>
                        <tr><td>{ "JSON, hand-written (int64 as numbers)" }</td><td>{ s.json_hand_written }</td><td></td><td>{ ratio(s.json_hand_written) }</td></tr>
                    </tbody>
                </table>
                <h3>{ "Bytes per field" }</h3>
                <ul class="bars" aria-label="bytes per field">
                    { for comparison.fields.iter().map(|f| html! {
                        <li>
                            <span class="bar-label"><code>{ &f.name }</code></span>
                            <span class="bar-pair">
                                <span class="bar pb" style={format!("width: {}%", f.protobuf * 100 / max)}>{ format!("{} B", f.protobuf) }</span>
                                <span class="bar json" style={format!("width: {}%", f.json * 100 / max)}>{ format!("{} B", f.json) }</span>
                            </span>
                            <span class="muted bar-note">{ format!("protobuf: {} of framing · JSON: {} of key", f.protobuf_framing, f.json_key) }</span>
                        </li>
                    }) }
                    <li class="muted">{ format!("JSON also spends {} bytes on braces and commas; fields at their default cost nothing in either.", comparison.json_punctuation) }</li>
                </ul>
                <h3>{ "Canonical JSON" }</h3>
                <JsonView json={json.clone()} selected={props.selected_path.clone()} onselect={props.onselect_path.clone()} />
                </>
            }
        }
    };
    html! { <section class="pane compare-pane" aria-label="protobuf against JSON"><h2>{ "Protobuf against JSON" }</h2>{ body }</section> }
}
