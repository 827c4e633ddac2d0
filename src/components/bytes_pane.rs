//! The decode input: hex, base64 or escaped bytes typed or pasted, or a binary file dropped or
//! opened; read as the chosen type or without a schema.

use wirelens_core::input::{self, InputError, InputFormat};
use wirelens_core::position;
use yew::prelude::*;

use crate::components::editor::{Editor, LARGE_TEXT, mark_at};
use crate::state::{MAX_FILE_AS_TEXT, human_size};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub text: String,
    /// A binary file too large to be text (`State::bytes_file`): its name and size. Its bytes are
    /// read below; the editor shows what it is instead of 48 MB of hex.
    #[prop_or_default]
    pub file: Option<(String, usize)>,
    pub format: InputFormat,
    pub error: Option<InputError>,
    pub with_schema: bool,
    pub type_name: Option<String>,
    pub on_edit: Callback<String>,
    pub on_format: Callback<InputFormat>,
    pub on_with_schema: Callback<bool>,
    /// A file's name and bytes, read by app.rs.
    pub on_file: Callback<web_sys::File>,
}

#[component]
pub fn BytesPane(props: &Props) -> Html {
    // Only text the editor shows gets marks (finding a mark walks the text up to it).
    let marks = props
        .error
        .iter()
        .filter(|_| props.text.len() <= LARGE_TEXT)
        .map(|e| {
            let (line, column) = e.line_col();
            mark_at(&props.text, line, column)
        })
        .collect::<Vec<_>>();
    let on_format = props.on_format.reform(|e: Event| {
        let value = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
        value.parse().unwrap_or(InputFormat::Auto)
    });
    let on_with_schema =
        props.on_with_schema.reform(|e: Event| e.target_unchecked_into::<web_sys::HtmlInputElement>().checked());
    let on_open = super::on_file_chosen(&props.on_file);
    let on_drop = {
        let cb = props.on_file.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|files| files.get(0)) {
                cb.emit(file);
            }
        })
    };
    let formats = [
        (InputFormat::Auto, "auto"),
        (InputFormat::Hex, "hex"),
        (InputFormat::Base64, "base64"),
        (InputFormat::Escaped, "escaped"),
        (InputFormat::Protoscope, "protoscope"),
    ];
    html! {
        <section class="pane bytes-pane" aria-label="bytes to decode" ondragover={Callback::from(|e: DragEvent| e.prevent_default())} ondrop={on_drop}>
            <div class="pane-head">
                <h2>{ "Bytes" }</h2>
                <select onchange={on_format} aria-label="input format">
                    { for formats.iter().map(|(f, label)| html! { <option value={*label} selected={props.format == *f}>{ *label }</option> }) }
                </select>
                <label class="file-button">{ "open file…" }<input type="file" onchange={on_open} /></label>
                <label class="check">
                    <input type="checkbox" checked={props.with_schema} onchange={on_with_schema} />
                    { match &props.type_name { Some(t) => format!(" read as {t}"), None => " read with the schema".into() } }
                </label>
            </div>
            if let Some((name, size)) = &props.file {
                <div class="editor bytes-editor large-input" role="group" aria-label="bytes as hex, base64 or escapes">
                    <p>{ format!("{name}: a binary file of {}, read as it is: its bytes are below. \
                        (Files up to {} become hex text here, to edit.)", human_size(*size), human_size(MAX_FILE_AS_TEXT)) }</p>
                    <button onclick={props.on_edit.reform(|_| String::new())}>{ "clear, to type or paste again" }</button>
                </div>
            } else if props.text.len() > LARGE_TEXT {
                // Kept in the state and read, but not put back into the page (see LARGE_TEXT).
                <div class="editor bytes-editor large-input" role="group" aria-label="bytes as hex, base64 or escapes">
                    <p>{ format!("{} of text pasted or read from a file: too long to show and edit here. \
                        Its bytes are read below.", human_size(props.text.len())) }</p>
                    <button onclick={props.on_edit.reform(|_| String::new())}>{ "clear, to type or paste again" }</button>
                </div>
            } else {
                <Editor class={classes!("editor", "bytes-editor")} value={props.text.clone()} on_input={props.on_edit.clone()}
                    {marks} label="bytes as hex, base64 or escapes" large_text_elsewhere=true
                    placeholder="08 2A 12 05 41 6C 69 63 65, CCoSBUFsaWNl, \\x08*\\x12\\x05Alice, 1: 42 2: {\"Alice\"}, or drop a binary file here" />
            }
            if let Some(error) = &props.error {
                <p class="error" role="alert">{ error.to_string() }</p>
                if let Some(excerpt) = { let (line, column) = error.line_col(); position::excerpt(&props.text, line, column) } {
                    <pre class="excerpt" aria-hidden="true">{ excerpt }</pre>
                }
            } else if props.format == InputFormat::Auto && !props.text.trim().is_empty() && props.text.len() <= LARGE_TEXT {
                <p class="muted detected">{ format!("read as {}", input::detect_format(&props.text)) }</p>
            }
        </section>
    }
}
