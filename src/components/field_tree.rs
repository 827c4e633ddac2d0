//! The records as a tree beside the hex: one line per field with its value; choosing a line
//! selects its bytes, and the record under the selected byte is marked. As in the hex view, only
//! the lines in view are in the DOM, so a tree of millions of records opens like one of ten.

use std::rc::Rc;

use wirelens_core::explain;
use wirelens_core::scroll::Scroller;
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

/// Must match `.tree-line` height in style.css.
const LINE_HEIGHT: f64 = 24.0;
/// Lines in view at once (the list's height) and lines rendered beyond it on each side.
const VISIBLE_LINES: usize = 20;
const OVERSCAN: usize = 8;

/// What the tree lists, worked out once per annotation (not on every render: pointing at a byte
/// re-renders the tree).
#[derive(PartialEq)]
struct Listing {
    /// Every record, in preorder.
    records: Vec<u32>,
    /// The schema's top-level fields that have no record: at their default, so not sent.
    absent: Vec<String>,
}

fn listing(a: &Annotation) -> Listing {
    let records = (0..a.len()).filter(|&id| a.is_field(id)).map(|id| id as u32).collect();
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
    Listing { records, absent }
}

#[component]
pub fn FieldTree(props: &Props) -> Html {
    let a = &props.annotation;
    let listing = use_memo(props.annotation.clone(), |a| listing(a));
    let scroll_top = use_state(|| 0.0_f64);
    let scroller = Scroller { count: listing.records.len(), line: LINE_HEIGHT, view: VISIBLE_LINES };
    let window = scroller.window(*scroll_top, OVERSCAN);
    let onscroll = {
        let scroll_top = scroll_top.clone();
        Callback::from(move |e: Event| {
            scroll_top.set(f64::from(e.target_unchecked_into::<web_sys::Element>().scroll_top()))
        })
    };
    let selected_record = props.selected.and_then(|o| a.leaf_at(o)).and_then(|leaf| a.field_of(leaf)).map(|(id, _)| id);
    let spacer = |height: f64| {
        (height > 0.0).then(|| html! { <li class="spacer" aria-hidden="true" style={format!("height: {height}px")} /> })
    };
    html! {
        <ol class="tree" aria-label="fields" {onscroll} style={format!("max-height: {}px", VISIBLE_LINES as f64 * LINE_HEIGHT)}>
            { spacer(window.before) }
            { for listing.records[window.first..window.last].iter().map(|&id| {
                let id = id as NodeId;
                let node = a.node(id);
                let depth = a.ancestors(id).filter(|&x| a.is_field(x)).count() - 1;
                let value = a.children(id).find(|&c| a.is_leaf(c) && !matches!(a.node(c).kind, NodeKind::Tag { .. } | NodeKind::Length(_)));
                let start = node.range.start;
                let onselect = props.onselect.clone();
                let current = selected_record.is_some_and(|r| a.ancestors(r).any(|x| x == id));
                let path = a.path(id);
                let summary = explain::summary(a, id);
                let value = value.map(|v| explain::summary(a, v));
                // A line is one line high (the list scrolls by line): what does not fit is cut,
                // and the whole of it is the line's title.
                let title = match &value {
                    Some(v) => format!("{path} {summary} = {v}"),
                    None => format!("{path} {summary}"),
                };
                html! {
                    <li class={classes!("tree-line", current.then_some("current"))} style={format!("padding-left: {}em", depth as f64 * 1.2)}>
                        <button class="linklike" {title} onclick={Callback::from(move |_| onselect.emit(start))}>
                            <code class="path">{ path }</code>
                            { " " }{ summary }
                            if let Some(v) = value {
                                <span class="value">{ " = " }{ v }</span>
                            }
                        </button>
                        { reading_picker(a, id, &props.onpin) }
                    </li>
                }
            }) }
            { spacer(window.after) }
            if !listing.absent.is_empty() {
                <li class="muted absent" title="a field at its default (0, empty, false, the first enum value, unset) is not written">
                    { "not on the wire: " }<code>{ listing.absent.join(", ") }</code>
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
