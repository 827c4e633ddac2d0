//! Canonical JSON, line by line, linked to the bytes: the lines of the selected record are
//! marked, and choosing a line selects its record's bytes.

use serde_json::Value;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub json: String,
    /// The JSON path of the selected record (`address.city`, `roles[1]`).
    pub selected: Option<String>,
    pub onselect: Callback<String>,
}

/// Longer JSON is shown as plain text: a line element each would slow the page down.
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
        return html! { <pre class="json-out" aria-label="canonical JSON">{ &props.json }</pre> };
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
