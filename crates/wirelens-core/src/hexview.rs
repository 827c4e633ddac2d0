//! Rows of hex cells: the one view-model that the app and the CLI render.
//!
//! Knows how to lay an [`Annotation`]'s leaves out in rows of a chosen width
//! and which class names the byte roles carry. Knows nothing about HTML,
//! terminals or colours: a class is a name, the renderer picks the look.

use crate::wire::{Annotation, NodeId, NodeKind, Scalar};

/// One row of the hex view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Offset of the first cell.
    pub offset: usize,
    pub cells: Vec<Cell>,
}

/// One byte, with the leaf span it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub offset: usize,
    pub byte: u8,
    /// The leaf node holding this byte.
    pub leaf: NodeId,
    /// The role of the byte: one of [`CLASSES`].
    pub class: &'static str,
    /// How many records enclose the byte (1 for a top-level field's bytes).
    pub depth: usize,
    /// True for the first byte of its leaf, where a renderer may draw a boundary.
    pub starts_leaf: bool,
}

/// Every class a cell can carry, one per byte role.
pub const CLASSES: [&str; 8] = ["tag", "len", "varint", "fixed32", "fixed64", "string", "bytes", "invalid"];

/// Lays the annotated bytes out `width` to a row (a width of 0 counts as 16).
pub fn rows(annotation: &Annotation, width: usize) -> Vec<Row> {
    window(annotation, width, 0..row_count(annotation.bytes().len(), width))
}

/// How many rows `len` bytes take at `width`.
pub fn row_count(len: usize, width: usize) -> usize {
    len.div_ceil(if width == 0 { 16 } else { width })
}

/// Only the rows in `rows`: what a scrolled view shows, in time proportional to what it shows.
pub fn window(annotation: &Annotation, width: usize, rows: std::ops::Range<usize>) -> Vec<Row> {
    let width = if width == 0 { 16 } else { width };
    let bytes = annotation.bytes();
    let start = (rows.start * width).min(bytes.len());
    let end = (rows.end * width).min(bytes.len());
    let mut cells = Vec::with_capacity(end - start);
    let Some(first) = annotation.leaf_at(start) else { return Vec::new() };
    let leaves = (first..annotation.nodes().len()).filter(|&id| annotation.is_leaf(id));
    for leaf in leaves {
        let node = annotation.node(leaf);
        if node.range.start >= end {
            break;
        }
        let class = class(&node.kind);
        let depth =
            annotation.ancestors(leaf).filter(|&a| matches!(annotation.node(a).kind, NodeKind::Field(_))).count();
        let from = node.range.start.max(start);
        for (offset, &byte) in (from..).zip(&bytes[from..node.range.end.min(end)]) {
            cells.push(Cell { offset, byte, leaf, class, depth, starts_leaf: offset == node.range.start });
        }
    }
    cells.chunks(width).map(|chunk| Row { offset: chunk[0].offset, cells: chunk.to_vec() }).collect()
}

/// The class of a leaf's bytes.
pub fn class(kind: &NodeKind) -> &'static str {
    match kind {
        NodeKind::Tag { .. } => "tag",
        NodeKind::Length(_) => "len",
        NodeKind::Scalar(s) => match s {
            Scalar::Fixed32(_) | Scalar::SFixed32(_) | Scalar::Float(_) => "fixed32",
            Scalar::Fixed64(_) | Scalar::SFixed64(_) | Scalar::Double(_) => "fixed64",
            _ => "varint",
        },
        NodeKind::Str => "string",
        NodeKind::Bytes | NodeKind::Field(_) | NodeKind::Message | NodeKind::Packed => "bytes",
        NodeKind::Invalid(_) => "invalid",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::annotate;

    #[test]
    fn rows_cover_every_byte_in_order_with_its_role() {
        let bytes = [0x08, 0x2a, 0x12, 0x05, b'A', b'l', b'i', b'c', b'e', 0xff];
        let rows = rows(&annotate(&bytes, None), 4);
        let offsets: Vec<usize> = rows.iter().map(|r| r.offset).collect();
        assert_eq!(offsets, [0, 4, 8]);
        let classes: Vec<&str> = rows.iter().flat_map(|r| r.cells.iter().map(|c| c.class)).collect();
        assert_eq!(
            classes,
            ["tag", "varint", "tag", "len", "string", "string", "string", "string", "string", "invalid"]
        );
        let starts: Vec<bool> = rows[1].cells.iter().map(|c| c.starts_leaf).collect();
        assert_eq!(starts, [true, false, false, false]);
    }

    #[test]
    fn a_window_is_the_same_rows_as_the_whole() {
        let bytes: Vec<u8> = (0..40u8).flat_map(|i| [0x08, i]).chain([0x12, 0x03, b'a', b'b', b'c']).collect();
        let a = annotate(&bytes, None);
        let all = rows(&a, 8);
        assert_eq!(all.len(), row_count(bytes.len(), 8));
        for start in 0..all.len() {
            for end in start..=all.len() + 1 {
                assert_eq!(window(&a, 8, start..end), all[start..end.min(all.len())], "{start}..{end}");
            }
        }
    }
}
