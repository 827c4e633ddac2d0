//! A text editor that underlines what an error points at: a `<textarea>` over a backdrop that
//! mirrors its text with the marked ranges underlined, scrolled in step with it. The errors'
//! words stay in the pane (with their excerpt); this puts the squiggle where the typing is.

use std::ops::Range;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// Text longer than this is not laid out twice (no backdrop), and the bytes pane does not show
/// it at all: a browser takes a second to lay out megabytes of pasted hex, more than the
/// underline or the sight of the digits is worth. The error text still says where.
pub const LARGE_TEXT: usize = 256 * 1024;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub value: String,
    pub on_input: Callback<String>,
    /// The textarea's classes (its look and size); the backdrop copies them.
    pub class: Classes,
    pub label: AttrValue,
    /// Byte ranges of `value` to underline; an empty range marks a place where something is missing.
    #[prop_or_default]
    pub marks: Vec<Range<usize>>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    /// The owner shows text over [`LARGE_TEXT`] some other way: empty the textarea as soon as
    /// such text arrives, before the browser lays it out (which takes it a second).
    #[prop_or_default]
    pub large_text_elsewhere: bool,
}

#[component]
pub fn Editor(props: &Props) -> Html {
    let backdrop = use_node_ref();
    let textarea = use_node_ref();
    let sync = {
        let (backdrop, textarea) = (backdrop.clone(), textarea.clone());
        move || {
            if let (Some(back), Some(area)) = (backdrop.cast::<web_sys::Element>(), textarea.cast::<web_sys::Element>())
            {
                back.set_scroll_top(area.scroll_top());
                back.set_scroll_left(area.scroll_left());
            }
        }
    };
    {
        // After a render (new text, new marks) the backdrop starts at the textarea's scroll.
        let sync = sync.clone();
        use_effect(sync);
    }
    let on_input = {
        let large_elsewhere = props.large_text_elsewhere;
        props.on_input.reform(move |e: InputEvent| {
            let area = e.target_unchecked_into::<web_sys::HtmlTextAreaElement>();
            let value = text_of(&area);
            if large_elsewhere && value.len() > LARGE_TEXT {
                area.set_value("");
            }
            value
        })
    };
    let show_backdrop = !props.marks.is_empty() && props.value.len() <= LARGE_TEXT;
    html! {
        <div class="editor-wrap">
            if show_backdrop {
                <div ref={backdrop} class={classes!(props.class.clone(), "editor-backdrop")} aria-hidden="true">
                    { marked(&props.value, &props.marks) }
                </div>
            }
            <textarea ref={textarea} class={props.class.clone()} spellcheck="false" value={props.value.clone()}
                oninput={on_input} onscroll={Callback::from(move |_: Event| sync())} aria-label={props.label.clone()}
                placeholder={props.placeholder.clone()} aria-invalid={(!props.marks.is_empty()).to_string()} />
        </div>
    }
}

/// `text` as plain runs and `<mark>`s, the marks sorted, clipped to the text and to character
/// boundaries, overlaps merged; an empty mark becomes a one-space mark (it sits at a line's end).
fn marked(text: &str, marks: &[Range<usize>]) -> Html {
    let mut marks: Vec<Range<usize>> =
        marks.iter().map(|m| floor_char(text, m.start)..floor_char(text, m.end.max(m.start))).collect();
    marks.sort_by_key(|m| (m.start, m.end));
    marks.dedup();
    let mut parts = Vec::new();
    let mut at = 0;
    for mark in marks {
        let start = mark.start.max(at);
        let end = mark.end.max(start);
        parts.push(html! { { &text[at..start] } });
        parts.push(if start == end {
            html! { <mark class="missing">{ " " }</mark> }
        } else {
            html! { <mark>{ &text[start..end] }</mark> }
        });
        at = end;
    }
    // A trailing newline needs something after it, or the backdrop is a line shorter than the textarea.
    parts.push(html! { { format!("{} ", &text[at..]) } });
    parts.into_iter().collect()
}

fn floor_char(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The mark for an error at a 1-based line and character column of `text`: the word there.
pub fn mark_at(text: &str, line: usize, column: usize) -> Range<usize> {
    wirelens_core::position::word_at(text, wirelens_core::position::offset(text, line, column))
}

#[wasm_bindgen]
extern "C" {
    /// The browser's `TextEncoder`, given the JavaScript string itself (web-sys's binding takes
    /// a Rust `&str`, the other way round).
    type Utf8Encoder;
    #[wasm_bindgen(constructor, js_class = "TextEncoder")]
    fn new() -> Utf8Encoder;
    #[wasm_bindgen(method, js_class = "TextEncoder")]
    fn encode(this: &Utf8Encoder, text: &JsValue) -> js_sys::Uint8Array;
}

/// The textarea's text, encoded by the browser: wasm-bindgen's own string passing copies ASCII
/// a character at a time in JavaScript, a tenth of a second for a pasted megabyte of hex (three
/// million characters), where `TextEncoder` takes a few milliseconds. Lone surrogates become
/// U+FFFD either way.
fn text_of(area: &web_sys::HtmlTextAreaElement) -> String {
    let value = js_sys::Reflect::get(area, &JsValue::from_str("value")).unwrap_or_default();
    let bytes = Utf8Encoder::new().encode(&value).to_vec();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
