//! Words for spans: a one-line summary of any node, the arithmetic behind a
//! leaf, and the annotated listing that the CLI prints and the tests snapshot.
//!
//! Every number is computed from the bytes at hand, never typed in. Knows the
//! annotation's nodes and descriptors; knows nothing about colours or HTML.

use std::fmt::Write as _;
use std::ops::Range;

use prost_reflect::Kind;

use crate::input::{push_hex, to_hex};
use crate::varint;
use crate::wire::{Annotation, Field, NodeId, NodeKind, Note, Scalar, WireType};

/// One line: what a node is and what it holds.
pub fn summary(a: &Annotation, id: NodeId) -> String {
    let node = a.node(id);
    let mut line = String::new();
    let record = || a.field_of(id).map(|(_, field)| field);
    write_summary(&mut line, a, id, &node.kind, node.range, record);
    line
}

/// [`summary`] of node `id`, of kind `kind` and spanning `range` (a leaf's bytes; only its start
/// matters for other nodes), appended to `line`. `record` finds the record the node belongs to,
/// asked only of messages and enum values.
fn write_summary<'a>(
    line: &mut String,
    a: &'a Annotation,
    id: NodeId,
    kind: &NodeKind<'a>,
    range: Range<usize>,
    record: impl FnOnce() -> Option<Field<'a>>,
) {
    match kind {
        NodeKind::Field(field) => {
            line.push_str("field ");
            line.push_str(itoa::Buffer::new().format(field.number()));
            if let Some(fd) = field.descriptor() {
                line.push(' ');
                line.push_str(fd.name());
            }
            line.push_str(": ");
            line.push_str(&field.type_name());
            // A message (or group) seen again is merged into the first; any other value replaces it.
            let merges = field.descriptor().is_some_and(|fd| fd.kind().as_message().is_some());
            for note in field.notes() {
                let _ = write!(line, "  [{}]", note_text(&note, merges));
            }
            let readings = field.readings();
            if readings.is_ambiguous() {
                line.push_str("  [could also be: ");
                for (k, other) in readings.iter().filter(|r| Some(*r) != readings.chosen()).enumerate() {
                    if k > 0 {
                        line.push_str(", ");
                    }
                    line.push_str(other.type_name());
                }
                line.push(']');
            }
        }
        NodeKind::Tag { field, wire_type } => {
            line.push_str(if *wire_type == WireType::EndGroup { "tag: end of group field " } else { "tag: field " });
            line.push_str(itoa::Buffer::new().format(*field));
            line.push_str(", wire type ");
            line.push(char::from(b'0' + *wire_type as u8));
            line.push(' ');
            line.push_str(wire_type.name());
        }
        NodeKind::Length(len) => {
            line.push_str("length ");
            line.push_str(itoa::Buffer::new().format(*len));
        }
        NodeKind::Scalar(scalar) => write_scalar(line, scalar, record),
        NodeKind::Str => {
            let _ = write!(line, "{:?}", String::from_utf8_lossy(&a.bytes()[range]));
        }
        NodeKind::Bytes => {
            line.push_str(&crate::wire::plural(range.len() as u64, "byte", "bytes"));
        }
        NodeKind::Message => match record().and_then(|f| f.descriptor().map(|fd| fd.kind())) {
            Some(Kind::Message(m)) => {
                line.push_str("message ");
                line.push_str(m.full_name());
            }
            _ => line.push_str("message (read without a schema)"),
        },
        NodeKind::Packed => {
            let n = a.children(id).filter(|&c| matches!(a.node(c).kind, NodeKind::Scalar(_))).count();
            let _ = write!(line, "packed: {n} element{}", if n == 1 { "" } else { "s" });
        }
        NodeKind::Invalid(reason) => {
            line.push_str("invalid: ");
            line.push_str(reason);
        }
    }
}

/// The arithmetic behind a leaf, line by line: tag bits, varint groups, zigzag, byte order.
pub fn explain(a: &Annotation, id: NodeId) -> Vec<String> {
    let node = a.node(id);
    let bytes = a.slice(id);
    let mut lines = Vec::new();
    match &node.kind {
        NodeKind::Tag { field, wire_type } => {
            let value = (u64::from(*field) << 3) | *wire_type as u64;
            lines.push(format!(
                "tag {value} = (field {field} << 3) | wire type {} ({}) = {}",
                *wire_type as u8,
                wire_type.meaning(),
                binary(value)
            ));
            if bytes.len() > 1 {
                lines.extend(varint_lines(bytes));
            }
            match bytes.len() {
                1 => lines.push("field numbers 1 to 15 fit in a one-byte tag".into()),
                2 => lines.push("field numbers 16 to 2047 need a two-byte tag".into()),
                _ => {}
            }
        }
        NodeKind::Length(len) => {
            lines.push(format!("the next {} this field's payload", crate::wire::plural(*len, "byte is", "bytes are")));
            if bytes.len() > 1 {
                lines.extend(varint_lines(bytes));
            }
        }
        NodeKind::Scalar(scalar) => lines.extend(scalar_lines(bytes, scalar)),
        NodeKind::Str => {
            lines.push(format!("{} of UTF-8 text", crate::wire::plural(bytes.len() as u64, "byte", "bytes")))
        }
        NodeKind::Invalid(reason) => lines.push(reason.to_string()),
        _ => {}
    }
    lines
}

/// The annotated listing: one line per node, indented by nesting, then the diagnostics.
///
/// ```text
/// 0      08                       tag: field 1, wire type 0 VARINT
/// ```
pub fn listing(a: &Annotation) -> String {
    listing_with(a, false, &|_, text, out| out.push_str(text))
}

/// What a piece of the listing is, for renderers that colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// A leaf's hex, with its byte class (one of `hexview::CLASSES`).
    Class(&'static str),
    Error,
    Warning,
    /// A line of [`explain`]'s arithmetic.
    Explanation,
}

/// The listing, with every leaf's arithmetic under it when `explain` is set, and each piece
/// appended through `paint` (which must not change its width: colour codes only).
pub fn listing_with(a: &Annotation, explain: bool, paint: &dyn Fn(Paint, &str, &mut String)) -> String {
    let mut out = String::new();
    let _ = write_listing(a, explain, paint, &mut out);
    out
}

/// [`listing_with`], written into `out` a piece at a time as the nodes are read in order, so
/// that a printer holds no more than a piece of the listing at a time. A line costs a constant:
/// each node is read once, in order, and its text written in place.
pub fn write_listing(
    a: &Annotation,
    explain: bool,
    paint: &dyn Fn(Paint, &str, &mut String),
    out: &mut dyn std::fmt::Write,
) -> std::fmt::Result {
    const HEX_WIDTH: usize = 23;
    /// What is handed to `out` at once.
    const PIECE: usize = 1 << 16;
    let mut buf = String::with_capacity(PIECE + PIECE / 4);
    let mut hex = String::new();
    for node in a.in_order() {
        let offset = itoa::Buffer::new().format(node.start).to_owned();
        buf.push_str(&offset);
        push_spaces(&mut buf, 5usize.saturating_sub(offset.len()) + 2);
        let width = match &node.leaf {
            Some(range) => {
                hex.clear();
                let bytes = &a.bytes()[range.clone()];
                // As many characters as bytes: `08 2A`, or 7 pairs and `…`.
                let width = if bytes.len() > 8 {
                    push_hex(&mut hex, &bytes[..7]);
                    hex.push_str(" …");
                    3 * 7 + 1
                } else {
                    push_hex(&mut hex, bytes);
                    hex.len()
                };
                paint(Paint::Class(crate::hexview::class(&node.kind)), &hex, &mut buf);
                width
            }
            None => 0,
        };
        push_spaces(&mut buf, HEX_WIDTH.saturating_sub(width) + 2 + 2 * node.depth);
        let range = node.leaf.clone().unwrap_or(node.start..node.start);
        write_summary(&mut buf, a, node.id, &node.kind, range, || node.record);
        buf.push('\n');
        if explain && node.leaf.is_some() {
            for step in self::explain(a, node.id) {
                push_spaces(&mut buf, 9);
                paint(Paint::Explanation, &format!("= {step}"), &mut buf);
                buf.push('\n');
            }
        }
        if buf.len() >= PIECE {
            out.write_str(&buf)?;
            buf.clear();
        }
    }
    for d in a.diagnostics() {
        let kind = match d.severity {
            crate::wire::Severity::Error => Paint::Error,
            crate::wire::Severity::Warning => Paint::Warning,
        };
        paint(kind, &d.to_string(), &mut buf);
        buf.push('\n');
    }
    out.write_str(&buf)
}

/// `n` spaces.
fn push_spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

/// One line of the listing, for renderers that add colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingLine {
    pub node: NodeId,
    pub offset: usize,
    pub depth: usize,
    /// Up to 8 bytes of hex; longer spans end in `…`. Empty for nodes whose bytes their children show.
    pub hex: String,
    pub text: String,
}

pub fn listing_lines(a: &Annotation) -> Vec<ListingLine> {
    a.in_order()
        .map(|node| {
            let hex = match &node.leaf {
                Some(range) => {
                    let bytes = &a.bytes()[range.clone()];
                    if bytes.len() > 8 { format!("{} …", to_hex(&bytes[..7])) } else { to_hex(bytes) }
                }
                None => String::new(),
            };
            let mut text = String::new();
            let range = node.leaf.clone().unwrap_or(node.start..node.start);
            write_summary(&mut text, a, node.id, &node.kind, range, || node.record);
            ListingLine { node: node.id, offset: node.start, depth: node.depth, hex, text }
        })
        .collect()
}

fn note_text(note: &Note, merges: bool) -> String {
    match note {
        Note::Unknown => "unknown field".into(),
        Note::Reserved => "unknown field, reserved: removed from the schema".into(),
        Note::WireTypeMismatch { expected } => format!("schema expects {}: kept as unknown", expected.name()),
        Note::Repeated { first_at } if merges => format!("seen before at byte {first_at}: merged into it"),
        Note::Repeated { first_at } => format!("seen before at byte {first_at}: last one wins"),
        Note::OneofReplaces { oneof, previous } => format!("replaces field {previous} of oneof {oneof}"),
        Note::Unpacked => "declared packed, written unpacked".into(),
        Note::PackedContinues => "packed field continued in another record".into(),
        Note::Overlong { at } => format!("overlong varint at byte {at}"),
        Note::InvalidUtf8 => "not valid UTF-8".into(),
    }
}

fn write_scalar<'a>(line: &mut String, scalar: &Scalar, record: impl FnOnce() -> Option<Field<'a>>) {
    let mut number = itoa::Buffer::new();
    match scalar {
        Scalar::Int(v) => line.push_str(number.format(*v)),
        Scalar::UInt(v) => line.push_str(number.format(*v)),
        Scalar::SInt { raw, value } => {
            line.push_str(number.format(*value));
            line.push_str(" (zigzag ");
            line.push_str(number.format(*raw));
            line.push(')');
        }
        Scalar::Bool { raw } => line.push_str(if *raw != 0 { "true" } else { "false" }),
        Scalar::Enum(number) => {
            let kind = record().and_then(|f| f.descriptor().map(|fd| fd.kind()));
            let _ = match kind.as_ref().and_then(Kind::as_enum).and_then(|e| e.get_value(*number)) {
                Some(value) => write!(line, "{} ({number})", value.name()),
                None => write!(line, "{number} (not a value of the enum: kept as a number)"),
            };
        }
        Scalar::Fixed32(v) => line.push_str(number.format(*v)),
        Scalar::Fixed64(v) => line.push_str(number.format(*v)),
        Scalar::SFixed32(v) => line.push_str(number.format(*v)),
        Scalar::SFixed64(v) => line.push_str(number.format(*v)),
        Scalar::Float(v) => line.push_str(&float_text(f64::from(*v), v.is_sign_negative())),
        Scalar::Double(v) => line.push_str(&float_text(*v, v.is_sign_negative())),
    }
}

fn float_text(v: f64, negative: bool) -> String {
    if v == 0.0 && negative { "-0".into() } else { format!("{v}") }
}

fn scalar_lines(bytes: &[u8], scalar: &Scalar) -> Vec<String> {
    let mut lines = Vec::new();
    match scalar {
        Scalar::Int(_) | Scalar::UInt(_) | Scalar::SInt { .. } | Scalar::Bool { .. } | Scalar::Enum(_) => {
            lines.extend(varint_lines(bytes));
            let raw = varint::decode(bytes).map(|v| v.value).unwrap_or_default();
            match scalar {
                Scalar::Int(v) if *v < 0 => lines.push(format!(
                    "{raw} as a signed 64-bit two's complement number is {v}: negative int32 and int64 values always take 10 bytes (sint32/sint64 would zigzag them)"
                )),
                Scalar::SInt { raw, value } => lines.push(format!("zigzag: ({raw} >> 1) ^ -({raw} & 1) = {value}")),
                Scalar::UInt(v) if bytes.len() > 1 => {
                    lines.push(format!("without a schema: as sint64 (zigzag) it would be {}, as int64 {}", varint::zigzag64(*v), *v as i64))
                }
                _ => {}
            }
        }
        Scalar::Fixed32(_)
        | Scalar::SFixed32(_)
        | Scalar::Float(_)
        | Scalar::Fixed64(_)
        | Scalar::SFixed64(_)
        | Scalar::Double(_) => {
            let mut be: Vec<u8> = bytes.to_vec();
            be.reverse();
            let hex: String = be.iter().map(|b| format!("{b:02X}")).collect();
            lines.push(format!("little-endian: the bytes {} read right to left are 0x{hex}", to_hex(bytes)));
            match scalar {
                Scalar::SFixed32(v) if *v < 0 => lines.push(format!("as 32-bit two's complement: {v}")),
                Scalar::SFixed64(v) if *v < 0 => lines.push(format!("as 64-bit two's complement: {v}")),
                Scalar::Float(v) => {
                    lines.push(format!("as an IEEE 754 single: {}", float_text(f64::from(*v), v.is_sign_negative())))
                }
                Scalar::Double(v) => {
                    lines.push(format!("as an IEEE 754 double: {}", float_text(*v, v.is_sign_negative())))
                }
                _ => {}
            }
        }
    }
    lines
}

/// `AC 02` → groups `010 1100` (44) and `000 0010` (2): 44 + 2 × 128 = 300.
fn varint_lines(bytes: &[u8]) -> Vec<String> {
    let groups: Vec<String> = bytes
        .iter()
        .map(|b| {
            let more = if b & 0x80 != 0 { "1 (more follows)" } else { "0 (last)" };
            format!("{b:02X} = continuation {more}, group {:07b} = {}", b & 0x7f, b & 0x7f)
        })
        .collect();
    let terms: Vec<String> = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| match i {
            0 => format!("{}", b & 0x7f),
            1 => format!("{} × 128", b & 0x7f),
            _ => format!("{} × 128^{i}", b & 0x7f),
        })
        .collect();
    let mut lines = groups;
    if let Ok(v) = varint::decode(bytes) {
        if bytes.len() > 1 {
            lines.push(format!("groups are little-endian: {} = {}", terms.join(" + "), v.value));
        }
        if v.is_overlong() {
            lines.push(format!("overlong: {} would do, but parsers accept this", to_hex(&minimal(v.value))));
        }
    }
    lines
}

fn minimal(value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    varint::encode(value, &mut out);
    out
}

/// `0001 0010`: a byte-sized value in nibbles; wider values in groups of 7 bits.
fn binary(value: u64) -> String {
    if value < 0x80 {
        let bits = format!("{:08b}", value);
        format!("0x{value:02X} = {} {}", &bits[..4], &bits[4..])
    } else {
        format!("{value:#b}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::annotate;

    #[test]
    fn explains_the_reference_tag_and_varint_300() {
        let a = annotate(&[0x12, 0x00, 0x08, 0xac, 0x02], None);
        let tag = a.leaves().next().unwrap();
        assert_eq!(
            explain(&a, tag),
            [
                "tag 18 = (field 2 << 3) | wire type 2 (length-delimited) = 0x12 = 0001 0010",
                "field numbers 1 to 15 fit in a one-byte tag"
            ]
        );
        let value = a.leaves().last().unwrap();
        assert_eq!(
            explain(&a, value),
            [
                "AC = continuation 1 (more follows), group 0101100 = 44",
                "02 = continuation 0 (last), group 0000010 = 2",
                "groups are little-endian: 44 + 2 × 128 = 300",
                "without a schema: as sint64 (zigzag) it would be 150, as int64 300",
            ]
        );
    }
}
