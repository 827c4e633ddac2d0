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

/// Byte offset of the 1-based `line` and character `column` in `text`: the inverse of
/// [`line_col`]. A position past the end of its line is the line's end; past the last line, the
/// text's end.
pub fn offset(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text[start..end].char_indices().nth(column.saturating_sub(1)).map_or(end, |(i, _)| start + i)
}

/// The byte range to underline for an error that points at `offset`: the word (letters, digits,
/// `_`, `.`) that starts there; the whole string when it is a string's closing quote (serde_json
/// points just past a bad key); else the one character there; empty at the end of a line or of
/// the text, where something was missing.
pub fn word_at(text: &str, offset: usize) -> std::ops::Range<usize> {
    let offset = offset.min(text.len());
    let mut chars = text[offset..].char_indices();
    let Some((_, first)) = chars.next() else { return offset..offset };
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    if first == '\n' || first == '\r' {
        return offset..offset;
    }
    if first == '"' {
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let quotes: Vec<usize> = unescaped_quotes(&text[line_start..offset]).map(|i| line_start + i).collect();
        if quotes.len() % 2 == 1 {
            return quotes[quotes.len() - 1]..offset + 1;
        }
    }
    if !is_word(first) {
        return offset..offset + first.len_utf8();
    }
    let len = chars.find(|&(_, c)| !is_word(c)).map_or(text.len() - offset, |(i, _)| i);
    offset..offset + len
}

/// Byte offsets of the `"`s of `line` that a backslash does not escape.
fn unescaped_quotes(line: &str) -> impl Iterator<Item = usize> + '_ {
    let mut escaped = false;
    line.char_indices().filter_map(move |(i, c)| {
        let quote = c == '"' && !escaped;
        escaped = c == '\\' && !escaped;
        quote.then_some(i)
    })
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
    // A long line (a megabyte of hex on one line) is shown around the column, not whole.
    let chars = text.chars().count();
    let (from, to) = if chars > EXCERPT_WIDTH {
        let from = column.saturating_sub(1 + EXCERPT_WIDTH / 2).min(chars - EXCERPT_WIDTH);
        (from, from + EXCERPT_WIDTH)
    } else {
        (0, chars)
    };
    let shown: String = text.chars().skip(from).take(to - from).collect();
    let (before, after) = (if from > 0 { "…" } else { "" }, if to < chars { "…" } else { "" });
    // Keep tabs as tabs under the caret, so that it lines up however wide a tab is shown.
    let pad: String = before
        .chars()
        .map(|_| ' ')
        .chain(shown.chars().take(column.saturating_sub(1 + from)).map(|c| if c == '\t' { '\t' } else { ' ' }))
        .collect();
    let mut out = String::new();
    let _ = writeln!(out, "  {number} | {before}{shown}{after}");
    let _ = write!(out, "  {gutter} | {pad}^");
    Some(out)
}

/// The most characters of a line an [`excerpt`] shows.
const EXCERPT_WIDTH: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("", 0), (1, 1));
    }

    #[test]
    fn offset_inverts_line_col() {
        let text = "ab\ncé d\n";
        for at in [0, 1, 2, 3, 4, 6, 7, 8, 9] {
            let (line, column) = line_col(text, at);
            assert_eq!(offset(text, line, column), at, "offset {at} is {line}:{column}");
        }
        assert_eq!(offset(text, 1, 40), 2, "past the end of a line is its end");
        assert_eq!(offset(text, 9, 1), text.len(), "past the last line is the end");
    }

    #[test]
    fn word_at_takes_the_word_or_one_character() {
        let text = "message Usr {\n  Adress a = 1;é\n";
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(&text[word_at(text, at("Adress"))], "Adress");
        assert_eq!(&text[word_at(text, at("{"))], "{");
        assert_eq!(&text[word_at(text, at("é"))], "é");
        assert_eq!(word_at(text, at("\n")), at("\n")..at("\n"));
        assert_eq!(word_at(text, text.len() + 3), text.len()..text.len());
        let json = "{\n  \"n\\\"me\": 1,\n  \"x\": 2\n}";
        let close = json.find(": 1").unwrap() - 1;
        assert_eq!(&json[word_at(json, close)], "\"n\\\"me\"", "a closing quote takes its string");
        assert_eq!(&json[word_at(json, json.find("\"x").unwrap())], "\"", "an opening quote is one character");
    }

    #[test]
    fn excerpt_puts_the_caret_under_the_column() {
        assert_eq!(excerpt("{\n  \"id\": ,\n}", 2, 9).unwrap(), "  2 |   \"id\": ,\n    |         ^");
        assert_eq!(excerpt("é\tx", 1, 3).unwrap(), "  1 | é\tx\n    |  \t^");
        assert_eq!(excerpt("ab", 1, 3).unwrap(), "  1 | ab\n    |   ^");
        assert_eq!(excerpt("ab", 2, 1), None);
        let long = format!("{}g{}", "0".repeat(5000), "1".repeat(5000));
        let shown = excerpt(&long, 1, 5001).unwrap();
        let (line, caret) = shown.split_once('\n').unwrap();
        assert!(line.len() < 120 * 3 && line.contains("…0") && line.contains("1…"), "{line}");
        assert_eq!(caret.chars().count(), line[..line.find('g').unwrap()].chars().count() + 1, "{shown}");
        assert!(excerpt(&long, 1, 2).unwrap().starts_with("  1 | 00"), "the start of a line has no ellipsis");
    }
}
