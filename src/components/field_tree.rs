//! The records as a tree beside the hex: one line per field with its value; choosing a line
//! selects its bytes, and the record under the selected byte is marked.

use std::rc::Rc;

use wirelens_core::explain;
use wirelens_core::wire::{Annotation, NodeId, NodeKind, Reading};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub annotation: Rc<Annotation>,
    pub selected: Option<usize>,
    pub onselect: Callback<usize>,
    /// A reading chosen for an ambiguous field: its field-number path and the reading.
    pub onpin: Callback<(Vec<u32>, Reading)>,
}

/// Lines beyond this are summarised: a tree of thousands of records helps nobody.
const MAX_LINES: usize = 400;

/// What the tree lists, worked out once per annotation (not on every render: pointing at a byte
/// re-renders the tree, and counting a 16 MiB input's records takes a while).
#[derive(PartialEq)]
struct Listing {
    /// The first `MAX_LINES` records (and one more, if there are more).
    records: Vec<NodeId>,
    total: usize,
    /// The schema's top-level fields that have no record: at their default, so not sent.
    absent: Vec<String>,
}

fn listing(a: &Annotation) -> Listing {
    let records: Vec<NodeId> = (0..a.len()).filter(|&id| a.is_field(id)).take(MAX_LINES + 1).collect();
    let total =
        if records.len() > MAX_LINES { (0..a.len()).filter(|&id| a.is_field(id)).count() } else { records.len() };
    let absent = a
        .message()
        .map(|m| {
            let mut present: Vec<u32> = a.roots().filter_map(|id| a.field(id)).map(|f| f.number()).collect();
            present.sort_unstable();
            present.dedup();
            m.fields()
                .filter(|fd| present.binary_search(&fd.number()).is_err())
                .map(|fd| fd.name().to_owned())
                .collect()
        })
        .unwrap_or_default();
    Listing { records, total, absent }
}

#[component]
pub fn FieldTree(props: &Props) -> Html {
    let a = &props.annotation;
    let listing = use_memo(props.annotation.clone(), |a| listing(a));
    let Listing { records, total, absent } = &*listing;
    let total = *total;
    let selected_record = props.selected.and_then(|o| a.leaf_at(o)).and_then(|leaf| a.field_of(leaf)).map(|(id, _)| id);
    html! {
        <ol class="tree" aria-label="fields">
            { for records.iter().take(MAX_LINES).map(|&id| {
                let node = a.node(id);
                let depth = a.ancestors(id).filter(|&x| matches!(a.node(x).kind, NodeKind::Field(_))).count() - 1;
                let value = a.children(id).find(|&c| a.is_leaf(c) && !matches!(a.node(c).kind, NodeKind::Tag { .. } | NodeKind::Length(_)));
                let start = node.range.start;
                let onselect = props.onselect.clone();
                let current = selected_record.is_some_and(|r| a.ancestors(r).any(|x| x == id));
                html! {
                    <li class={classes!("tree-line", current.then_some("current"))} style={format!("padding-left: {}em", depth as f64 * 1.2)}>
                        <button class="linklike" onclick={Callback::from(move |_| onselect.emit(start))}>
                            <code class="path">{ a.path(id) }</code>
                            { " " }{ explain::summary(a, id) }
                            if let Some(v) = value {
                                <span class="value">{ " = " }{ explain::summary(a, v) }</span>
                            }
                        </button>
                        { reading_picker(a, id, &props.onpin) }
                    </li>
                }
            }) }
            if total > MAX_LINES {
                <li class="muted">{ format!("… and {} more records", total - MAX_LINES) }</li>
            }
            if !absent.is_empty() {
                <li class="muted absent" title="a field at its default (0, empty, false, the first enum value, unset) is not written">
                    { "not on the wire: " }<code>{ absent.join(", ") }</code>
                    { " — at their default, so nothing is sent; a reader fills in the default" }
                </li>
            }
        </ol>
    }
}

/// For a field the schema-less reading had to guess: a picker of every valid reading.
fn reading_picker(a: &Annotation, record: NodeId, onpin: &Callback<(Vec<u32>, Reading)>) -> Html {
    let NodeKind::Field(field) = &a.node(record).kind else { return Html::default() };
    if !field.readings().is_ambiguous() {
        return Html::default();
    }
    let path = a.number_path(record);
    let onchange = {
        let (onpin, path) = (onpin.clone(), path.clone());
        Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Some(reading) = Reading::ALL.into_iter().find(|r| r.type_name() == name) {
                onpin.emit((path.clone(), reading));
            }
        })
    };
    let label = format!("read field {} as", path.iter().map(u32::to_string).collect::<Vec<_>>().join("."));
    html! {
        <select class="pin" aria-label={label} {onchange}>
            { for field.readings().iter().map(|r| html! {
                <option value={r.type_name()} selected={field.readings().chosen() == Some(r)}>{ r.type_name() }</option>
            }) }
        </select>
    }
}
