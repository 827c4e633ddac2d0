//! The recent works, to reopen one: a list in the header, newest first, the work on screen left out.

use crate::history::Entry;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Newest first; the first is the work on screen.
    pub entries: Vec<Entry>,
    /// The permalink of the work to open.
    pub on_open: Callback<String>,
}

#[component]
pub fn Recent(props: &Props) -> Html {
    let others = props.entries.get(1..).unwrap_or_default();
    if others.is_empty() {
        return Html::default();
    }
    let links: Vec<String> = others.iter().map(|e| e.link.clone()).collect();
    let onchange = {
        let cb = props.on_open.clone();
        Callback::from(move |e: Event| {
            let select = e.target_unchecked_into::<web_sys::HtmlSelectElement>();
            let chosen = usize::try_from(select.selected_index() - 1).ok().and_then(|i| links.get(i));
            if let Some(link) = chosen {
                cb.emit(link.clone());
            }
            select.set_selected_index(0);
        })
    };
    html! {
        <select class="recent" aria-label="reopen a recent work" {onchange}>
            <option selected=true disabled=true>{ "recent…" }</option>
            { for others.iter().map(|e| html! { <option>{ format!("{} · {}", e.title, clock(e.saved_at)) }</option> }) }
        </select>
    }
}

/// `14:05`, in the browser's time zone.
fn clock(ms: f64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
