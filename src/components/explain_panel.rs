//! The "explain" panel: what the selected bytes are, in words and arithmetic.

use std::rc::Rc;

use wirelens_core::explain;
use wirelens_core::wire::Annotation;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub annotation: Rc<Annotation>,
    /// The selected byte offset.
    pub selected: Option<usize>,
}

#[component]
pub fn ExplainPanel(props: &Props) -> Html {
    let a = &props.annotation;
    let Some(leaf) = props.selected.and_then(|offset| a.leaf_at(offset)) else {
        return html! { <aside class="explain muted">{ "Point at a byte, or focus the bytes and use the arrow keys." }</aside> };
    };
    let node = a.node(leaf);
    let record = a.field_of(leaf).map(|(id, _)| id);
    html! {
        <aside class="explain" aria-live="polite" aria-label="explanation">
            <p class="where">
                { match node.range.len() {
                    1 => format!("byte {}", node.range.start),
                    _ => format!("bytes {}–{}", node.range.start, node.range.end.saturating_sub(1)),
                } }
                if let Some(record) = record {
                    { " · " }<code>{ a.path(record) }</code>{ " · " }{ explain::summary(a, record) }
                }
            </p>
            <p class="what">{ explain::summary(a, leaf) }</p>
            <ul>{ for explain::explain(a, leaf).into_iter().map(|line| html! { <li>{ line }</li> }) }</ul>
        </aside>
    }
}
