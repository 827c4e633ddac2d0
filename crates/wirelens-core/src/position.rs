//! Positions in text: a byte offset as a line and a column, and the line itself with a caret
//! under the column, the way every wirelens error points at what the user typed.
//! Knows characters and lines; knows nothing about what the text means.

use std::fmt::Write as _;

/// 1-based line and character column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// `line` of `source` (1-based) under a gutter with its number, and a caret under the 1-based
/// character `column`; `None` when the text has no such line. A column just past the end of the
/// line (where a missing token was expected) gets its caret there.
///
/// ```text
///   1 | {"id": }
///     |        ^
/// ```
pub fn excerpt(source: &str, line: usize, column: usize) -> Option<String> {
    let text = source.split('\n').nth(line.checked_sub(1)?)?;
    let text = text.strip_suffix('\r').unwrap_or(text);
    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    // Keep tabs as tabs under the caret, so that it lines up however wide a tab is shown.
    let pad: String = text.chars().take(column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    let mut out = String::new();
    let _ = writeln!(out, "  {number} | {text}");
    let _ = write!(out, "  {gutter} | {pad}^");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("", 0), (1, 1));
    }

    #[test]
    fn excerpt_puts_the_caret_under_the_column() {
        assert_eq!(excerpt("{\n  \"id\": ,\n}", 2, 9).unwrap(), "  2 |   \"id\": ,\n    |         ^");
        assert_eq!(excerpt("é\tx", 1, 3).unwrap(), "  1 | é\tx\n    |  \t^");
        assert_eq!(excerpt("ab", 1, 3).unwrap(), "  1 | ab\n    |   ^");
        assert_eq!(excerpt("ab", 2, 1), None);
    }
}
