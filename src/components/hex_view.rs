//! The annotated hex: rows of byte cells coloured by role. Only the rows in view are in the
//! DOM (core's `scroll`), so a message of megabytes scrolls like one of bytes. The pointer or the arrow keys
//! select a byte; its span and record light up.

use std::fmt::Write as _;
use std::rc::Rc;

use wirelens_core::hexview;
use wirelens_core::scroll::Scroller;
use wirelens_core::wire::Annotation;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub annotation: Rc<Annotation>,
    /// The selected byte offset.
    pub selected: Option<usize>,
    pub onselect: Callback<usize>,
    pub stale: bool,
    /// Byte ranges the last edit changed, in order: marked for a moment.
    #[prop_or_default]
    pub changed: Rc<Vec<std::ops::Range<usize>>>,
    /// A byte chosen by a click, or Enter on the selected byte (Learn mode's find-the-field).
    #[prop_or_default]
    pub onpick: Option<Callback<usize>>,
}

const WIDTH: usize = 16;
/// A row and the gap after it: must match `.hex .row`'s height and `.hex`'s gap in style.css.
const ROW_HEIGHT: f64 = 26.0;
/// Rows in view at once (the container's height) and rows rendered beyond it on each side.
const VISIBLE_ROWS: usize = 20;
const OVERSCAN: usize = 6;

#[component]
pub fn HexView(props: &Props) -> Html {
    let a = &props.annotation;
    let scroll_top = use_state(|| 0.0_f64);
    let container = use_node_ref();
    let len = a.bytes().len();
    let scroller = Scroller { count: hexview::row_count(len, WIDTH), line: ROW_HEIGHT, view: VISIBLE_ROWS };
    let window = scroller.window(*scroll_top, OVERSCAN);
    let rows = hexview::window(a, WIDTH, window.first..window.last);
    // Offsets in as many hex digits as the last one needs (at least 4), so the columns line up.
    let digits = (usize::BITS - len.saturating_sub(1).leading_zeros()).div_ceil(4).max(4) as usize;

    let leaf = props.selected.and_then(|offset| a.leaf_at(offset));
    let record = leaf.and_then(|leaf| a.field_of(leaf)).map(|(id, _)| a.node(id).range.clone());

    let onscroll = {
        let scroll_top = scroll_top.clone();
        Callback::from(move |e: Event| {
            scroll_top.set(f64::from(e.target_unchecked_into::<web_sys::Element>().scroll_top()))
        })
    };
    // One listener for all cells: the cell under the pointer names its offset.
    let onmouseover = {
        let onselect = props.onselect.clone();
        Callback::from(move |e: MouseEvent| {
            if let Some(offset) = offset_under(&e) {
                onselect.emit(offset);
            }
        })
    };
    let onclick = props.onpick.clone().map(|onpick| {
        Callback::from(move |e: MouseEvent| {
            if let Some(offset) = offset_under(&e) {
                onpick.emit(offset);
            }
        })
    });
    let onkeydown = {
        let (onselect, selected, container) = (props.onselect.clone(), props.selected, container.clone());
        let onpick = props.onpick.clone();
        Callback::from(move |e: KeyboardEvent| {
            if len == 0 {
                return;
            }
            if let (Some(onpick), "Enter" | " ") = (&onpick, e.key().as_str()) {
                e.prevent_default();
                onpick.emit(selected.unwrap_or(0));
                return;
            }
            let at = selected.unwrap_or(0) as i64;
            let next = match e.key().as_str() {
                "ArrowRight" => at + 1,
                "ArrowLeft" => at - 1,
                "ArrowDown" => at + WIDTH as i64,
                "ArrowUp" => at - WIDTH as i64,
                "Home" => 0,
                "End" => len as i64 - 1,
                _ => return,
            };
            e.prevent_default();
            let next = next.clamp(0, len as i64 - 1) as usize;
            onselect.emit(next);
            // Keep the selected row in view.
            if let Some(el) = container.cast::<web_sys::Element>() {
                let row = next / WIDTH;
                let top = scroller.line_at(f64::from(el.scroll_top()));
                let shown = ((f64::from(el.client_height()) / ROW_HEIGHT) as usize).max(1);
                if row < top {
                    el.set_scroll_top(scroller.scroll_to(row) as i32);
                } else if row >= top + shown {
                    el.set_scroll_top(scroller.scroll_to(row + 1 - shown) as i32);
                }
            }
        })
    };

    html! {
        <div class={classes!("hex", props.stale.then_some("stale"))} ref={container} tabindex="0" role="grid"
            aria-label="annotated bytes: arrow keys move between bytes" {onscroll} {onkeydown} {onmouseover} {onclick}
            style={format!("max-height: {}px", VISIBLE_ROWS as f64 * ROW_HEIGHT)}>
            if len == 0 {
                <p class="muted empty">{ "No bytes: every field holds its default, and defaults are not sent." }</p>
            }
            <div class="spacer" style={format!("height: {}px", window.before)} />
            // Each row is one piece of markup the browser parses, not a node and four attributes per
            // cell set one call at a time: a megabyte pasted shows its first rows that much sooner,
            // and every scroll step redraws a window of rows.
            { for rows.iter().map(|row| {
                let mut markup = String::with_capacity(96 + row.cells.len() * 96);
                let _ = write!(markup, r#"<div class="row" role="row"><span class="offset" aria-hidden="true">{:0digits$X}</span>"#, row.offset);
                for cell in &row.cells {
                    let offset = cell.offset;
                    let in_record = record.as_ref().is_some_and(|r| r.contains(&offset));
                    let _ = write!(markup, r#"<span class="b {} d{}"#, cell.class, cell.depth.min(4));
                    for (on, name) in [
                        (cell.starts_leaf, " start"),
                        (leaf == Some(cell.leaf), " sel"),
                        (props.selected == Some(offset), " cursor"),
                        (in_record, " rec"),
                        (is_changed(&props.changed, offset), " changed"),
                    ] {
                        if on {
                            markup.push_str(name);
                        }
                    }
                    // The class and role names are core's fixed words (`hexview::CLASSES`): nothing to escape.
                    let _ = write!(markup, r#"" role="gridcell" data-offset="{offset}" data-role="{}">{:02X}</span>"#, cell.class, cell.byte);
                }
                markup.push_str("</div>");
                Html::from_html_unchecked(markup.into())
            }) }
            <div class="spacer" style={format!("height: {}px", window.after)} />
        </div>
    }
}

/// The byte ranges that changed since the annotation this hook last saw (core's `diff::changed`),
/// for [`Props::changed`]. Inputs over `limit` bytes are not compared: the diff of a megabyte would
/// cost more than it shows.
#[hook]
pub fn use_changed(annotation: Rc<Annotation>, limit: usize) -> Rc<Vec<std::ops::Range<usize>>> {
    let previous = use_mut_ref(|| None::<(Rc<Annotation>, Rc<Vec<std::ops::Range<usize>>>)>);
    let mut previous = previous.borrow_mut();
    let small = |a: &Annotation| a.bytes().len() <= limit;
    match previous.as_ref() {
        // The same bytes (a re-render, or the schema recompiled): the marks stay as they were.
        // (The same annotation first: comparing a megabyte with itself on every render costs.)
        Some((before, ranges)) if Rc::ptr_eq(before, &annotation) || before.bytes() == annotation.bytes() => {
            ranges.clone()
        }
        before => {
            let ranges = match before {
                Some((before, _)) if small(before) && small(&annotation) => {
                    wirelens_core::diff::changed(before, &annotation)
                }
                _ => Vec::new(),
            };
            let ranges = Rc::new(ranges);
            *previous = Some((annotation, ranges.clone()));
            ranges
        }
    }
}

/// Whether `offset` lies in one of the sorted, disjoint `ranges`.
fn is_changed(ranges: &[std::ops::Range<usize>], offset: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= offset);
    ranges.get(i).is_some_and(|r| r.contains(&offset))
}

/// The byte offset of the cell under the pointer (each cell names its own in `data-offset`).
fn offset_under(e: &MouseEvent) -> Option<usize> {
    e.target_dyn_into::<web_sys::Element>()?.get_attribute("data-offset")?.parse().ok()
}
