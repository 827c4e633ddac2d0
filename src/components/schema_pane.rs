//! The schema editor: example picker, one tab per `.proto` file, and the compile problems
//! of the text as it is now (the last good schema stays in use meanwhile).

use wirelens_core::examples::EXAMPLES;
use wirelens_core::position;
use wirelens_core::schema::SchemaProblem;
use yew::prelude::*;

use crate::components::editor::{Editor, mark_at};
use crate::state::LoadedSet;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub files: Vec<(String, String)>,
    pub active: usize,
    pub problems: Vec<SchemaProblem>,
    pub on_example: Callback<&'static str>,
    pub on_select: Callback<usize>,
    pub on_add: Callback<()>,
    pub on_edit: Callback<(usize, String)>,
    /// The descriptor set in use instead of the files, if any.
    pub loaded: Option<LoadedSet>,
    /// A FileDescriptorSet file the user opened.
    pub on_descriptor_set: Callback<web_sys::File>,
    pub on_use_files: Callback<()>,
    /// The files wait for the compiler's code, fetched the first time they need it.
    #[prop_or_default]
    pub waiting: bool,
    /// Something in the pane has the focus: the files may soon need the compiler.
    #[prop_or_default]
    pub on_focus: Callback<()>,
}

#[component]
pub fn SchemaPane(props: &Props) -> Html {
    let active = props.active.min(props.files.len().saturating_sub(1));
    let on_example = {
        let cb = props.on_example.clone();
        Callback::from(move |e: Event| {
            let id = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Some(example) = EXAMPLES.iter().find(|x| x.id == id) {
                cb.emit(example.id);
            }
        })
    };
    let on_input = props.on_edit.reform(move |text| (active, text));
    let text = props.files.get(active).map(|f| f.1.clone()).unwrap_or_default();
    let name = props.files.get(active).map(|f| f.0.clone()).unwrap_or_default();
    let marks = props
        .problems
        .iter()
        .filter(|p| p.file.as_deref() == Some(name.as_str()))
        .map(|p| match &p.span {
            Some(span) if !span.is_empty() => span.clone(),
            _ => mark_at(&text, p.line, p.column),
        })
        .collect::<Vec<_>>();
    let on_open = super::on_file_chosen(&props.on_descriptor_set);
    html! {
        <section class="pane schema-pane" aria-label="schema" onfocusin={props.on_focus.reform(|_| ())}>
            <div class="pane-head">
                <h2>{ "Schema" }</h2>
                <label class="picker file-picker" title="a FileDescriptorSet: protoc --include_imports --descriptor_set_out, or buf build -o">
                    { "Descriptor set… " }
                    <input type="file" aria-label="open a descriptor set" accept=".binpb,.pb,.protoset,.desc,.bin" onchange={on_open} />
                </label>
                <label class="picker">{ "Example " }
                    <select onchange={on_example} aria-label="example schema">
                        <option value="" selected=true disabled=true>{ "choose…" }</option>
                        { for EXAMPLES.iter().map(|x| html! { <option value={x.id}>{ x.title }</option> }) }
                    </select>
                </label>
            </div>
            if let Some(set) = &props.loaded {
                <div class="descriptor-set" role="status" aria-label="descriptor set in use">
                    <p>
                        <strong>{ if set.from_server { "From the server: " } else { "Descriptor set: " } }</strong>
                        <code>{ set.name.clone() }</code>
                        { format!(", {} file{}, {} service{}. The .proto files below are not in use until you edit one.",
                            set.files.len(), if set.files.len() == 1 { "" } else { "s" },
                            set.services.len(), if set.services.len() == 1 { "" } else { "s" }) }
                        { " " }
                        <button type="button" class="use-files" onclick={props.on_use_files.reform(|_| ())}>{ "use the .proto files" }</button>
                    </p>
                    <details>
                        <summary>{ "Its files and services" }</summary>
                        <ul class="set-files">
                            { for set.files.iter().map(|f| html! { <li><code>{ f.clone() }</code></li> }) }
                            { for set.services.iter().map(|s| html! { <li class="service">{ "service " }<code>{ s.clone() }</code></li> }) }
                        </ul>
                    </details>
                </div>
            }
            <div class="tabs" role="tablist">
                { for props.files.iter().enumerate().map(|(i, (file, _))| {
                    let cb = props.on_select.clone();
                    let has_problem = props.problems.iter().any(|p| p.file.as_deref() == Some(file.as_str()));
                    html! {
                        <button role="tab" aria-selected={(i == active).to_string()}
                            class={classes!("tab", (i == active).then_some("active"), has_problem.then_some("has-problem"))}
                            onclick={Callback::from(move |_| cb.emit(i))}>{ file }</button>
                    }
                }) }
                <button class="tab add" title="add a file" aria-label="add a .proto file"
                    onclick={props.on_add.reform(|_| ())}>{ "+" }</button>
            </div>
            <Editor class={classes!("editor", "schema-editor")} value={text} on_input={on_input} {marks}
                label={format!("{name} source")} />
            if props.waiting {
                <p class="loading" role="status">{ "Fetching the .proto compiler (the first time your own files are compiled)…" }</p>
            }
            if !props.problems.is_empty() {
                <ul class="problems" role="alert" aria-label="schema problems">
                    { for props.problems.iter().map(|p| {
                        let source = p.file.as_ref().and_then(|f| props.files.iter().find(|(n, _)| n == f)).map(|(_, s)| s.as_str());
                        let excerpt = source.and_then(|s| position::excerpt(s, p.line, p.column));
                        html! {
                            <li>{ p.to_string() }
                                if let Some(excerpt) = excerpt { <pre class="excerpt" aria-hidden="true">{ excerpt }</pre> }
                            </li>
                        }
                    }) }
                    <li class="muted">{ "The last schema that compiled is still in use." }</li>
                </ul>
            }
        </section>
    }
}
