//! Canonical JSON, line by line, linked to the bytes: the lines of the selected record are
//! marked, and choosing a line selects its record's bytes.

use std::rc::Rc;

use serde_json::Value;
use wirelens_core::scroll::Scroller;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Shared, not copied: a large message's JSON is tens of megabytes, and the pane re-renders
    /// whenever the pointer moves to another byte.
    pub json: Rc<str>,
    /// The JSON path of the selected record (`address.city`, `roles[1]`).
    pub selected: Option<String>,
    pub onselect: Callback<String>,
}

/// Longer JSON is shown as plain lines, only those in view in the DOM ([`LongJson`]): a line
/// element with a button each would slow the page down, and laying out megabytes of text at once
/// takes a browser seconds.
const MAX_LINKED_LEN: usize = 200_000;

struct Line {
    indent: usize,
    text: String,
    path: String,
}

#[component]
pub fn JsonView(props: &Props) -> Html {
    let lines = use_memo(props.json.clone(), |json| {
        let mut out = Vec::new();
        let value = (json.len() <= MAX_LINKED_LEN).then(|| serde_json::from_str::<Value>(json).ok()).flatten();
        if let Some(value) = value {
            push_lines(&value, "", None, 0, false, &mut out);
        }
        out
    });
    if lines.is_empty() {
        return html! { <LongJson json={props.json.clone()} /> };
    }
    let selected = props.selected.as_deref().filter(|s| !s.is_empty());
    html! {
        <div class="json-out json-lines" aria-label="canonical JSON" role="list">
            { for lines.iter().map(|line| {
                let marked = selected.is_some_and(|s| {
                    line.path == s || line.path.starts_with(&format!("{s}.")) || line.path.starts_with(&format!("{s}["))
                });
                let style = format!("padding-left: {}ch", line.indent * 2);
                if line.path.is_empty() {
                    html! { <div class="jl" role="listitem" {style}>{ &line.text }</div> }
                } else {
                    let (onselect, path) = (props.onselect.clone(), line.path.clone());
                    html! {
                        <div class={classes!("jl", marked.then_some("hl"))} role="listitem" {style}>
                            <button class="linklike" data-path={line.path.clone()} onclick={Callback::from(move |_| onselect.emit(path.clone()))}>
                                { &line.text }
                            </button>
                        </div>
                    }
                }
            }) }
        </div>
    }
}

/// Must match `.json-long .jl`'s height in style.css.
const LINE_HEIGHT: f64 = 18.0;
/// Lines in view at once (the box's height) and lines rendered beyond it on each side.
const VISIBLE_LINES: usize = 30;
const OVERSCAN: usize = 10;

#[derive(Properties, PartialEq)]
struct LongProps {
    json: Rc<str>,
}

/// JSON too long to link line by line: its lines in a scrolling box, windowed like the hex rows.
#[component]
fn LongJson(props: &LongProps) -> Html {
    let starts = use_memo(props.json.clone(), |json| line_starts(json));
    let scroll_top = use_state(|| 0.0_f64);
    let scroller = Scroller { count: starts.len(), line: LINE_HEIGHT, view: VISIBLE_LINES };
    let window = scroller.window(*scroll_top, OVERSCAN);
    let onscroll = {
        let scroll_top = scroll_top.clone();
        Callback::from(move |e: Event| {
            scroll_top.set(f64::from(e.target_unchecked_into::<web_sys::Element>().scroll_top()))
        })
    };
    html! {
        <div class="json-out json-long" aria-label="canonical JSON" role="list" {onscroll}
            style={format!("max-height: {}px", VISIBLE_LINES as f64 * LINE_HEIGHT)}>
            <div class="spacer" style={format!("height: {}px", window.before)} />
            { for (window.first..window.last).map(|i| html! { <div class="jl" role="listitem">{ line(&props.json, &starts, i) }</div> }) }
            <div class="spacer" style={format!("height: {}px", window.after)} />
        </div>
    }
}

/// Where each line of `text` starts (the first at 0).
fn line_starts(text: &str) -> Vec<u32> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at as u32 + 1)).collect()
}

/// Line `i` of `text`, whose lines start at `starts`, without its newline.
fn line<'a>(text: &'a str, starts: &[u32], i: usize) -> &'a str {
    let end = starts.get(i + 1).map_or(text.len(), |&next| next as usize - 1);
    &text[starts[i] as usize..end]
}

/// Pretty-prints `value` as `serde_json::to_string_pretty` does, one [`Line`] per line, each
/// with the JSON path of the value it opens or holds.
fn push_lines(value: &Value, path: &str, key: Option<&str>, indent: usize, comma: bool, out: &mut Vec<Line>) {
    let prefix = key.map(|k| format!("{}: ", Value::from(k))).unwrap_or_default();
    let comma = if comma { "," } else { "" };
    let child = |k: &str| if path.is_empty() { k.to_owned() } else { format!("{path}.{k}") };
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push(Line { indent, text: format!("{prefix}{{"), path: path.to_owned() });
            for (i, (k, v)) in map.iter().enumerate() {
                push_lines(v, &child(k), Some(k), indent + 1, i + 1 < map.len(), out);
            }
            out.push(Line { indent, text: format!("}}{comma}"), path: path.to_owned() });
        }
        Value::Array(items) if !items.is_empty() => {
            out.push(Line { indent, text: format!("{prefix}["), path: path.to_owned() });
            for (i, v) in items.iter().enumerate() {
                push_lines(v, &format!("{path}[{i}]"), None, indent + 1, i + 1 < items.len(), out);
            }
            out.push(Line { indent, text: format!("]{comma}"), path: path.to_owned() });
        }
        scalar => out.push(Line { indent, text: format!("{prefix}{scalar}{comma}"), path: path.to_owned() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_json_is_cut_at_every_newline() {
        let text = "{\n  \"a\": 1\n}";
        let starts = line_starts(text);
        assert_eq!(starts, [0, 2, 11]);
        let lines: Vec<&str> = (0..starts.len()).map(|i| line(text, &starts, i)).collect();
        assert_eq!(lines, text.split('\n').collect::<Vec<_>>());
        assert_eq!(line_starts(""), [0]);
    }

    #[test]
    fn lines_are_serde_jsons_pretty_print_with_paths() {
        let json = r#"{"id":"42","roles":["admin","user"],"address":{"city":"NY"},"empty":{}}"#;
        let value: Value = serde_json::from_str(json).unwrap();
        let mut lines = Vec::new();
        push_lines(&value, "", None, 0, false, &mut lines);
        let text: Vec<String> = lines.iter().map(|l| format!("{}{}", "  ".repeat(l.indent), l.text)).collect();
        assert_eq!(text.join("\n"), serde_json::to_string_pretty(&value).unwrap());
        let paths: Vec<&str> = lines.iter().map(|l| l.path.as_str()).collect();
        assert_eq!(
            paths,
            ["", "id", "roles", "roles[0]", "roles[1]", "roles", "address", "address.city", "address", "empty", ""]
        );
    }
}
