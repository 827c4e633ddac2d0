//! The bytes in every notation wirelens reads back (hex, base64, C escapes, protoscope), as a binary file,
//! and as the `wirelens` command that decodes them: copy, paste elsewhere, import again.

use std::rc::Rc;

use wirelens_core::wire::Annotation;
use wirelens_core::{input, protoscope};
use yew::prelude::*;

use crate::lazy::{self, Lazy};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The bytes, as read (protoscope text is written from the reading).
    pub annotation: Rc<Annotation>,
    /// The message type the bytes are read as, for the command line.
    pub type_name: Option<String>,
}

/// Exports of more than this many bytes are offered as a download only.
const MAX_INLINE: usize = 16 << 10;

#[component]
pub fn ExportPanel(props: &Props) -> Html {
    // Nothing is computed while the panel is closed (it is, on every keystroke, most of the time).
    let open = use_state(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| open.set(e.target_unchecked_into::<web_sys::HtmlDetailsElement>().open()))
    };
    // A blob URL per bytes, while open; revoked when the bytes change or the panel closes.
    let download = use_state(|| None::<String>);
    {
        let download = download.clone();
        use_effect_with((props.annotation.clone(), *open), move |(annotation, open)| {
            let url = open.then(|| object_url(annotation.bytes())).flatten();
            download.set(url.clone());
            move || {
                if let Some(url) = url {
                    let _ = web_sys::Url::revoke_object_url(&url);
                }
            }
        });
    }
    let bytes = props.annotation.bytes();
    let inline = *open && bytes.len() <= MAX_INLINE;
    let hex = inline.then(|| input::to_hex(bytes));
    let command = hex.as_ref().map(|hex| match &props.type_name {
        Some(t) => format!("wirelens decode --proto FILE.proto --type {t} '{hex}'"),
        None => format!("wirelens annotate '{hex}'"),
    });
    // The protoscope writer's code comes when the panel is first opened: start fetching it when
    // the pointer or focus reaches the summary.
    let prefetch = Callback::from(|_| lazy::prefetch::<Protoscope>());
    html! {
        <details class="export" {ontoggle}>
            <summary onpointerenter={prefetch.reform(|_: PointerEvent| ())} onfocus={prefetch.reform(|_: FocusEvent| ())}>
                { "Export these bytes" }
            </summary>
            { field("hex", hex) }
            { field("base64", inline.then(|| input::to_base64(bytes))) }
            { field("C escapes", inline.then(|| input::to_escaped(bytes))) }
            if inline {
                <Lazy<Protoscope> props={Protoscope { annotation: props.annotation.clone() }} />
            }
            { field("command line", command) }
            if *open && !inline {
                <p class="muted">{ "Too large to show as text: download the binary." }</p>
            }
            if let Some(url) = (*download).clone() {
                <a class="file-button" href={url} download="message.bin">{ format!("download message.bin ({} bytes)", bytes.len()) }</a>
            }
        </details>
    }
}

/// A labelled text to copy, sized to its lines; nothing for `None`.
fn field(label: &'static str, value: Option<String>) -> Html {
    match value {
        Some(value) => {
            let rows = value.lines().count().clamp(2, 12).to_string();
            html! {
                <label class="export-field">{ label }
                    <textarea readonly=true {rows} value={value} aria-label={label} />
                </label>
            }
        }
        None => Html::default(),
    }
}

/// The bytes as protoscope text, written from their reading. Nothing else on the first screen
/// prints protoscope, so the writer is a part of its own (lazy.rs), fetched when the panel
/// first opens with bytes small enough to show.
#[derive(Properties, PartialEq, Clone)]
pub struct Protoscope {
    pub annotation: Rc<Annotation>,
}

#[component]
fn ProtoscopeField(props: &Protoscope) -> Html {
    field("protoscope", Some(protoscope::write(&props.annotation)))
}

lazy::part!(Protoscope, ProtoscopeField, protoscope, "the protoscope writer");

/// A `blob:` URL holding `bytes`, for the download link.
fn object_url(bytes: &[u8]) -> Option<String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
