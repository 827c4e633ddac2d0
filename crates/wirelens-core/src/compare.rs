//! Protobuf against JSON, byte for byte: the sizes of one message in each
//! encoding, and what each field costs in each.
//!
//! Knows the encoders of [`crate::message`] and the record boundaries of
//! [`crate::wire`]; knows nothing about compression or timing.

use prost_reflect::{DynamicMessage, ReflectMessage};

use crate::message::{self, JsonError, JsonStyle};
use crate::wire::{self, NodeKind};

/// One message's size in each encoding, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub protobuf: usize,
    /// Canonical proto3 JSON, compact: int64 as strings, defaults left out.
    pub json: usize,
    pub json_pretty: usize,
    /// Canonical JSON with every field, defaults included.
    pub json_with_defaults: usize,
    /// JSON as people write it by hand (the reference material's style): int64 as numbers.
    pub json_hand_written: usize,
}

/// What one field costs: its records on the wire, its `"key":value` in compact canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCost {
    pub number: u32,
    /// The JSON key (lowerCamelCase).
    pub name: String,
    /// Tags, lengths and values of every record of the field.
    pub protobuf: usize,
    /// Of which tag and length-prefix bytes.
    pub protobuf_framing: usize,
    /// `"key":value` in compact canonical JSON.
    pub json: usize,
    /// Of which the quoted key and its colon.
    pub json_key: usize,
}

/// The whole comparison of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub sizes: Sizes,
    /// Fields that are set, in field-number order.
    pub fields: Vec<FieldCost>,
    /// JSON bytes that belong to no field: braces and the commas between fields.
    pub json_punctuation: usize,
}

/// The size of `bytes` gzip-compressed at level 9: the deflate stream plus gzip's 10-byte header
/// and 8-byte trailer, as `gzip -9` writes it (without a file name).
pub fn gzip_len(bytes: &[u8]) -> usize {
    miniz_oxide::deflate::compress_to_vec(bytes, 9).len() + 18
}

pub fn sizes(m: &DynamicMessage) -> Result<Sizes, JsonError> {
    Ok(Sizes {
        protobuf: message::encode(m).len(),
        json: message::to_json(m, JsonStyle::CANONICAL)?.len(),
        json_pretty: message::to_json(m, JsonStyle::PRETTY)?.len(),
        json_with_defaults: message::to_json(m, JsonStyle::WITH_DEFAULTS)?.len(),
        json_hand_written: message::to_json(m, JsonStyle::HAND_WRITTEN)?.len(),
    })
}

pub fn compare(m: &DynamicMessage) -> Result<Comparison, JsonError> {
    let sizes = sizes(m)?;
    let bytes = message::encode(m);
    let annotation = wire::annotate(&bytes, Some(&m.descriptor()));
    let mut fields = Vec::new();
    for (fd, value) in m.fields() {
        let mut only = DynamicMessage::new(m.descriptor());
        only.set_field(&fd, value.clone());
        let json = message::to_json(&only, JsonStyle::CANONICAL)?;
        // `{"key":value}` without its braces; an empty `{}` means JSON leaves the field out.
        let json = json.len().saturating_sub(2);
        let (mut protobuf, mut framing) = (0, 0);
        for record in annotation.roots() {
            let NodeKind::Field(field) = &annotation.node(record).kind else { continue };
            if field.number() != fd.number() {
                continue;
            }
            protobuf += annotation.node(record).range.len();
            framing += annotation
                .children(record)
                .filter(|&c| matches!(annotation.node(c).kind, NodeKind::Tag { .. } | NodeKind::Length(_)))
                .map(|c| annotation.node(c).range.len())
                .sum::<usize>();
        }
        let json_key = if json == 0 { 0 } else { fd.json_name().len() + 3 };
        fields.push(FieldCost {
            number: fd.number(),
            name: fd.json_name().to_owned(),
            protobuf,
            protobuf_framing: framing,
            json,
            json_key,
        });
    }
    let json_in_fields: usize = fields.iter().map(|f| f.json).sum();
    Ok(Comparison { sizes, json_punctuation: sizes.json - json_in_fields, fields })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples;
    use expect_test::expect;

    #[test]
    fn gzip_len_is_what_gzip_writes() {
        // `printf '' | gzip -9n | wc -c` is 20; a repetitive text shrinks.
        assert_eq!(gzip_len(b""), 20);
        assert!(gzip_len(&[b'a'; 1000]) < 40);
    }

    #[test]
    fn the_reference_user_is_43_bytes_against_95() {
        let schema = examples::REFERENCE.schema().unwrap();
        let user = message::parse_json(&schema.message("userservice.User").unwrap(), examples::REFERENCE.json).unwrap();
        let c = compare(&user).unwrap();
        assert_eq!(c.sizes.protobuf, 43);
        assert_eq!(c.sizes.json_hand_written, 95);
        let table: String = c
            .fields
            .iter()
            .map(|f| {
                format!(
                    "field {:<2} {:<7} protobuf {:>2} ({} framing)  json {:>2} ({} key)\n",
                    f.number, f.name, f.protobuf, f.protobuf_framing, f.json, f.json_key
                )
            })
            .collect();
        expect![[r#"
            field 1  id      protobuf  2 (1 framing)  json  9 (5 key)
            field 2  name    protobuf  7 (2 framing)  json 14 (7 key)
            field 3  email   protobuf 19 (2 framing)  json 27 (8 key)
            field 4  roles   protobuf 13 (4 framing)  json 24 (8 key)
            field 6  status  protobuf  2 (1 framing)  json 17 (9 key)
        "#]]
        .assert_eq(&table);
        assert_eq!(c.json_punctuation, 2 + 4, "two braces and four commas");
        assert_eq!(c.fields.iter().map(|f| f.protobuf).sum::<usize>(), 43);
        // With defaults adds nothing here: every scalar field is set, and an unset message stays absent.
        assert_eq!(
            format!("{:?}", c.sizes),
            "Sizes { protobuf: 43, json: 97, json_pretty: 131, json_with_defaults: 97, json_hand_written: 95 }"
        );
    }
}
