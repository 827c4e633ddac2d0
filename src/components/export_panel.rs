//! The bytes in every notation wirelens reads back (hex, base64, C escapes, protoscope), as a binary file,
//! and as the `wirelens` command that decodes them: copy, paste elsewhere, import again.

use std::rc::Rc;

use wirelens_core::wire::Annotation;
use wirelens_core::{input, protoscope};
use yew::prelude::*;

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
    let field = |label: &'static str, value: Option<String>| match value {
        Some(value) => {
            let rows = value.lines().count().clamp(2, 12).to_string();
            html! {
                <label class="export-field">{ label }
                    <textarea readonly=true {rows} value={value} aria-label={label} />
                </label>
            }
        }
        None => Html::default(),
    };
    html! {
        <details class="export" {ontoggle}>
            <summary>{ "Export these bytes" }</summary>
            { field("hex", hex) }
            { field("base64", inline.then(|| input::to_base64(bytes))) }
            { field("C escapes", inline.then(|| input::to_escaped(bytes))) }
            { field("protoscope", inline.then(|| protoscope::write(&props.annotation))) }
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

/// A `blob:` URL holding `bytes`, for the download link.
fn object_url(bytes: &[u8]) -> Option<String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
