//! Words for spans: a one-line summary of any node, the arithmetic behind a
//! leaf, and the annotated listing that the CLI prints and the tests snapshot.
//!
//! Every number is computed from the bytes at hand, never typed in. Knows the
//! annotation's nodes and descriptors; knows nothing about colours or HTML.

use std::fmt::Write as _;

use prost_reflect::Kind;

use crate::input::to_hex;
use crate::varint;
use crate::wire::{Annotation, NodeId, NodeKind, Note, Reading, Scalar, WireType};

/// One line: what a node is and what it holds.
pub fn summary(a: &Annotation, id: NodeId) -> String {
    let node = a.node(id);
    match &node.kind {
        NodeKind::Field(field) => {
            let mut line = match field.descriptor() {
                Some(fd) => format!("field {} {}: {}", field.number(), fd.name(), field.type_name()),
                None => format!("field {}: {}", field.number(), field.type_name()),
            };
            // A message (or group) seen again is merged into the first; any other value replaces it.
            let merges = field.descriptor().is_some_and(|fd| fd.kind().as_message().is_some());
            for note in field.notes() {
                let _ = write!(line, "  [{}]", note_text(&note, merges));
            }
            let readings = field.readings();
            if readings.is_ambiguous() {
                let others: Vec<&str> =
                    readings.iter().filter(|r| Some(*r) != readings.chosen()).map(Reading::type_name).collect();
                let _ = write!(line, "  [could also be: {}]", others.join(", "));
            }
            line
        }
        NodeKind::Tag { field, wire_type } => {
            let end = if *wire_type == WireType::EndGroup { "end of group " } else { "" };
            format!("tag: {end}field {field}, wire type {} {}", *wire_type as u8, wire_type.name())
        }
        NodeKind::Length(len) => format!("length {len}"),
        NodeKind::Scalar(scalar) => scalar_text(a, id, scalar),
        NodeKind::Str => format!("{:?}", a.text(id)),
        NodeKind::Bytes => crate::wire::plural(node.range.len() as u64, "byte", "bytes"),
        NodeKind::Message => match a.field_of(id).and_then(|(_, f)| f.descriptor().map(|fd| fd.kind())) {
            Some(Kind::Message(m)) => format!("message {}", m.full_name()),
            _ => "message (read without a schema)".into(),
        },
        NodeKind::Packed => {
            let n = a.children(id).filter(|&c| matches!(a.node(c).kind, NodeKind::Scalar(_))).count();
            format!("packed: {n} element{}", if n == 1 { "" } else { "s" })
        }
        NodeKind::Invalid(reason) => format!("invalid: {reason}"),
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
    listing_with(a, false, &|_, text| text.to_owned())
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
/// passed through `paint` (which must not change its width: colour codes only).
pub fn listing_with(a: &Annotation, explain: bool, paint: &dyn Fn(Paint, &str) -> String) -> String {
    let mut out = String::new();
    let _ = write_listing(a, explain, paint, &mut out);
    out
}

/// [`listing_with`], written into `out` line by line as the nodes are visited, so that a
/// printer holds no more than a line of the listing at a time.
pub fn write_listing(
    a: &Annotation,
    explain: bool,
    paint: &dyn Fn(Paint, &str) -> String,
    out: &mut dyn std::fmt::Write,
) -> std::fmt::Result {
    const HEX_WIDTH: usize = 23;
    for (id, depth) in with_depths(a) {
        let line = listing_line(a, id, depth);
        let pad = " ".repeat(HEX_WIDTH.saturating_sub(line.hex.chars().count()));
        let hex = if a.is_leaf(line.node) {
            paint(Paint::Class(crate::hexview::class(&a.kind(line.node))), &line.hex)
        } else {
            line.hex
        };
        writeln!(out, "{:<5}  {hex}{pad}  {}{}", line.offset, "  ".repeat(line.depth), line.text)?;
        if explain && a.is_leaf(line.node) {
            for step in self::explain(a, line.node) {
                writeln!(out, "{:9}{}", "", paint(Paint::Explanation, &format!("= {step}")))?;
            }
        }
    }
    for d in a.diagnostics() {
        let kind = match d.severity {
            crate::wire::Severity::Error => Paint::Error,
            crate::wire::Severity::Warning => Paint::Warning,
        };
        writeln!(out, "{}", paint(kind, &d.to_string()))?;
    }
    Ok(())
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
    with_depths(a).map(|(id, depth)| listing_line(a, id, depth)).collect()
}

/// Every node in preorder with its depth (how many ancestors it has), from a stack of the open
/// ancestors rather than a walk up from each node (a line per node, 50 levels deep).
fn with_depths(a: &Annotation) -> impl Iterator<Item = (NodeId, usize)> + '_ {
    let mut open: Vec<NodeId> = Vec::new();
    (0..a.len()).map(move |id| {
        let parent = a.parent(id);
        while let Some(&top) = open.last() {
            if Some(top) == parent {
                break;
            }
            open.pop();
        }
        let depth = open.len();
        if !a.is_leaf(id) {
            open.push(id);
        }
        (id, depth)
    })
}

fn listing_line(a: &Annotation, id: NodeId, depth: usize) -> ListingLine {
    debug_assert_eq!(depth, a.ancestors(id).count() - 1);
    let hex = if a.is_leaf(id) {
        let bytes = a.slice(id);
        if bytes.len() > 8 { format!("{} …", to_hex(&bytes[..7])) } else { to_hex(bytes) }
    } else {
        String::new()
    };
    ListingLine { node: id, offset: a.range(id).start, depth, hex, text: summary(a, id) }
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

fn scalar_text(a: &Annotation, id: NodeId, scalar: &Scalar) -> String {
    match scalar {
        Scalar::Int(v) => v.to_string(),
        Scalar::UInt(v) => v.to_string(),
        Scalar::SInt { raw, value } => format!("{value} (zigzag {raw})"),
        Scalar::Bool { raw } => format!("{}", *raw != 0),
        Scalar::Enum(number) => {
            let kind = a.field_of(id).and_then(|(_, f)| f.descriptor().map(|fd| fd.kind()));
            match kind.as_ref().and_then(Kind::as_enum).and_then(|e| e.get_value(*number)) {
                Some(value) => format!("{} ({number})", value.name()),
                None => format!("{number} (not a value of the enum: kept as a number)"),
            }
        }
        Scalar::Fixed32(v) => v.to_string(),
        Scalar::Fixed64(v) => v.to_string(),
        Scalar::SFixed32(v) => v.to_string(),
        Scalar::SFixed64(v) => v.to_string(),
        Scalar::Float(v) => float_text(f64::from(*v), v.is_sign_negative()),
        Scalar::Double(v) => float_text(*v, v.is_sign_negative()),
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
