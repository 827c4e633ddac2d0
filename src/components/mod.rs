//! One component per file: props in, callbacks out.

pub mod bench_chart;
pub mod bench_panel;
pub mod bytes_pane;
pub mod compare_pane;
pub mod editor;
pub mod explain_panel;
pub mod export_panel;
pub mod field_tree;
pub mod grpc_panel;
pub mod hex_view;
pub mod json_view;
pub mod learn_exercise;
pub mod learn_panel;
pub mod message_pane;
pub mod recent;
pub mod schema_pane;

/// A file input's `change` handler: the chosen file goes to `on_file`, and the input is emptied,
/// so that choosing the same file again (after editing what it gave) is a new choice.
pub fn on_file_chosen(on_file: &yew::Callback<web_sys::File>) -> yew::Callback<yew::Event> {
    use yew::TargetCast;
    let on_file = on_file.clone();
    yew::Callback::from(move |e: yew::Event| {
        let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
        if let Some(file) = input.files().and_then(|files| files.get(0)) {
            on_file.emit(file);
        }
        input.set_value("");
    })
}
