//! What changed between two annotations of the same message: the bytes of the new one whose
//! meaning moved, so an edit can be shown on the wire, including every enclosing length prefix
//! that grew or shrank.
//!
//! Leaves are matched by where they sit (the field numbers and occurrences of the records around
//! them, and their role in their record), not by offset: inserting a field shifts every later
//! byte, but only the bytes that mean something new are marked. Knows annotations; nothing else.

use std::collections::HashMap;
use std::ops::Range;

use crate::wire::{Annotation, NodeId, NodeKind};

/// The byte ranges of `new` that differ from `old`, in order, adjacent ranges merged.
pub fn changed(old: &Annotation, new: &Annotation) -> Vec<Range<usize>> {
    let before: HashMap<Vec<u64>, &[u8]> = old.leaves().map(|leaf| (key(old, leaf), old.slice(leaf))).collect();
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for leaf in new.leaves() {
        if before.get(&key(new, leaf)) == Some(&new.slice(leaf)) {
            continue;
        }
        let range = new.node(leaf).range.clone();
        match ranges.last_mut() {
            Some(last) if last.end == range.start => last.end = range.end,
            _ if range.is_empty() => {}
            _ => ranges.push(range),
        }
    }
    ranges
}

/// Where a leaf sits: for each enclosing record, its field number and occurrence; then the
/// leaf's place among its siblings.
fn key(a: &Annotation, leaf: NodeId) -> Vec<u64> {
    let mut key: Vec<u64> = Vec::new();
    for ancestor in a.ancestors(leaf) {
        if let NodeKind::Field(field) = &a.node(ancestor).kind {
            key.push((u64::from(field.number()) << 32) | u64::from(field.index()));
        }
    }
    key.reverse();
    // The leaf's position under its parent (tag, length, value, end tag, or a packed element).
    let position = match a.node(leaf).parent {
        Some(parent) => a.children(parent).position(|c| c == leaf).unwrap_or_default(),
        None => usize::MAX,
    };
    key.push(position as u64);
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{examples, input, wire};

    /// The changed ranges as `(start, end)` pairs.
    fn ranges(old: &str, new: &str) -> Vec<(usize, usize)> {
        let desc = examples::REFERENCE.schema().unwrap().message("userservice.User").unwrap();
        let bytes = |hex| input::parse_bytes(hex, input::InputFormat::Hex).unwrap();
        let changed = changed(&wire::annotate(&bytes(old), Some(&desc)), &wire::annotate(&bytes(new), Some(&desc)));
        changed.into_iter().map(|r| (r.start, r.end)).collect()
    }

    #[test]
    fn a_nested_edit_marks_the_value_and_every_enclosing_length() {
        // id 42, address { city "Paris" } -> address { city "Lyon" }
        let old = "08 2A 2A 07 12 05 50 61 72 69 73";
        let new = "08 2A 2A 06 12 04 4C 79 6F 6E";
        // Unchanged: 08 2A (id), 2A (address tag), 12 (city tag). Changed: both lengths, the text.
        assert_eq!(ranges(old, new), [(3, 4), (5, 10)]);
    }

    #[test]
    fn an_inserted_field_marks_only_itself() {
        // id 42, status ACTIVE -> id 42, name "Al", status ACTIVE
        assert_eq!(ranges("08 2A 30 01", "08 2A 12 02 41 6C 30 01"), [(2, 6)]);
    }

    #[test]
    fn identical_bytes_change_nothing_and_a_changed_value_only_itself() {
        assert_eq!(ranges("08 2A 30 01", "08 2A 30 01"), []);
        assert_eq!(ranges("08 2A 30 01", "08 2B 30 01"), [(1, 2)]);
        // A varint that grows a byte: the value's bytes, not the tags after it.
        assert_eq!(ranges("08 2A 30 01", "08 AC 02 30 01"), [(1, 3)]);
    }
}
