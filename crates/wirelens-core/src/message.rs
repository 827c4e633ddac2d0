//! Messages of a run-time schema: read from JSON or text format, written back,
//! encoded deterministically and decoded.
//!
//! Knows prost-reflect's `DynamicMessage` and the protobuf JSON and text
//! mappings. Knows nothing about spans or rendering; decode errors borrow the
//! annotator's offsets.

use std::fmt;

use prost::encoding::{self as pe, WireType as PeWireType};
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MapKey, MessageDescriptor, SerializeOptions, Value};

use crate::position::line_col;
use crate::wire::{self, Severity};

/// The two text notations of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// Canonical proto3 JSON.
    Json,
    /// Protobuf text format (`id: 42 name: "Alice"`).
    Text,
}

impl std::str::FromStr for Notation {
    type Err = String;

    fn from_str(s: &str) -> Result<Notation, String> {
        match s {
            "json" => Ok(Notation::Json),
            "text" => Ok(Notation::Text),
            other => Err(format!("unknown notation '{other}': expected json or text")),
        }
    }
}

/// Reads a message of type `desc` from `input` written in `notation`.
pub fn parse(desc: &MessageDescriptor, input: &str, notation: Notation) -> Result<DynamicMessage, MessageError> {
    match notation {
        Notation::Json => parse_json(desc, input),
        Notation::Text => parse_text(desc, input),
    }
}

/// Reads canonical proto3 JSON (field names in lowerCamelCase or as declared; int64 as string or number).
pub fn parse_json(desc: &MessageDescriptor, input: &str) -> Result<DynamicMessage, MessageError> {
    let mut deserializer = serde_json::Deserializer::from_str(input);
    let located = |e: serde_json::Error| {
        // serde_json counts columns in bytes; report characters.
        let line_text = input.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
        let column = line_text.get(..e.column()).map_or(e.column(), |s| s.chars().count()).max(1);
        let message = e.to_string();
        let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_owned();
        MessageError { notation: Notation::Json, line: e.line().max(1), column, message }
    };
    let message = DynamicMessage::deserialize(desc.clone(), &mut deserializer).map_err(located)?;
    deserializer.end().map_err(located)?;
    Ok(message)
}

/// Reads protobuf text format.
pub fn parse_text(desc: &MessageDescriptor, input: &str) -> Result<DynamicMessage, MessageError> {
    DynamicMessage::parse_text_format(desc.clone(), input).map_err(|e| {
        use miette::Diagnostic;
        let offset = e.labels().and_then(|mut l| l.next()).map_or(input.len(), |l| l.offset());
        let (line, column) = line_col(input, offset);
        MessageError { notation: Notation::Text, line, column, message: e.to_string() }
    })
}

/// Options for writing JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonStyle {
    pub pretty: bool,
    /// Write fields that hold their default value (proto3 leaves them out).
    pub with_defaults: bool,
    /// Canonical JSON writes 64-bit integers as strings; hand-written JSON (like the
    /// reference material's) writes numbers.
    pub int64_as_string: bool,
}

impl JsonStyle {
    /// Canonical proto3 JSON, compact.
    pub const CANONICAL: JsonStyle = JsonStyle { pretty: false, with_defaults: false, int64_as_string: true };
    /// Canonical proto3 JSON, indented by two spaces.
    pub const PRETTY: JsonStyle = JsonStyle { pretty: true, ..JsonStyle::CANONICAL };
    /// Every field, defaults included.
    pub const WITH_DEFAULTS: JsonStyle = JsonStyle { with_defaults: true, ..JsonStyle::CANONICAL };
    /// As people write it by hand: compact, int64 as numbers, defaults left out.
    pub const HAND_WRITTEN: JsonStyle = JsonStyle { int64_as_string: false, ..JsonStyle::CANONICAL };
}

/// Writes `message` as JSON in `style`. Map keys come out sorted. Fails only where the JSON
/// mapping has no form for a value: an `Any` whose type is not in the schema, a `Timestamp` or
/// `Duration` out of range (bytes decoded from the wire can hold either).
pub fn to_json(message: &DynamicMessage, style: JsonStyle) -> Result<String, JsonError> {
    let options = SerializeOptions::new()
        .stringify_64_bit_integers(style.int64_as_string)
        .skip_default_fields(!style.with_defaults);
    let mut value = message
        .serialize_with_options(serde_json::value::Serializer, &options)
        .map_err(|e| JsonError { message: e.to_string() })?;
    // prost-reflect writes map entries in hash order; sort them so the same message gives the same text.
    sort_maps(&mut value, &prost_reflect::ReflectMessage::descriptor(message));
    let text = if style.pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) };
    Ok(text.expect("a serde_json::Value always serializes"))
}

/// A message has no JSON form (see [`to_json`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this message has no JSON form: {message}")]
pub struct JsonError {
    pub message: String,
}

/// Sorts the keys of every JSON object that holds a protobuf map (and of `google.protobuf.Struct`s).
fn sort_maps(value: &mut serde_json::Value, desc: &MessageDescriptor) {
    use serde_json::Value as Json;
    let Json::Object(object) = value else { return };
    if desc.full_name().starts_with("google.protobuf.") {
        if matches!(desc.full_name(), "google.protobuf.Struct" | "google.protobuf.Value") {
            sort_all_objects(value);
        }
        return;
    }
    for (key, field_value) in object.iter_mut() {
        let Some(fd) = desc.get_field_by_json_name(key).or_else(|| desc.get_field_by_name(key)) else { continue };
        let nested = |kind: Kind| kind.as_message().cloned();
        if fd.is_map() {
            let entry = fd.kind().as_message().cloned().expect("map fields have an entry message");
            let value_kind = entry.map_entry_value_field().kind();
            if let Json::Object(map) = field_value {
                let mut entries: Vec<(String, Json)> = std::mem::take(map).into_iter().collect();
                entries.sort_by(|(a, _), (b, _)| map_key_order(a).cmp(&map_key_order(b)));
                for (k, mut v) in entries {
                    if let Some(m) = nested(value_kind.clone()) {
                        sort_maps(&mut v, &m);
                    }
                    map.insert(k, v);
                }
            }
        } else if let Some(m) = nested(fd.kind()) {
            match field_value {
                Json::Array(items) => items.iter_mut().for_each(|item| sort_maps(item, &m)),
                item => sort_maps(item, &m),
            }
        }
    }
}

/// Map keys in JSON are strings; integer keys sort by value, the rest as text.
fn map_key_order(key: &str) -> (Option<i128>, &str) {
    (key.parse().ok(), key)
}

fn sort_all_objects(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.sort_keys();
            map.values_mut().for_each(sort_all_objects);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(sort_all_objects),
        _ => {}
    }
}

/// Writes `message` in protobuf text format, one field per line when `pretty`.
pub fn to_text(message: &DynamicMessage, pretty: bool) -> String {
    let options = prost_reflect::text_format::FormatOptions::new().pretty(pretty);
    message.to_text_format_with_options(&options)
}

/// A message of type `desc` with every field filled with an example value: the starting point
/// the "template" button gives. Nested messages are filled to a depth of 3, repeated fields get
/// two elements, maps one entry, and a oneof its first member only.
pub fn template(desc: &MessageDescriptor) -> DynamicMessage {
    template_at(desc, 0)
}

fn template_at(desc: &MessageDescriptor, depth: usize) -> DynamicMessage {
    let mut m = DynamicMessage::new(desc.clone());
    let mut oneofs_filled: Vec<String> = Vec::new();
    for fd in desc.fields() {
        if let Some(oneof) = fd.containing_oneof().filter(|o| !o.is_synthetic()) {
            if oneofs_filled.iter().any(|name| name == oneof.name()) {
                continue;
            }
            oneofs_filled.push(oneof.name().to_owned());
        }
        let kind = fd.kind();
        if let Kind::Message(nested) = &kind {
            if depth >= 3 || (nested == desc && !fd.is_list()) {
                continue;
            }
            if let Some(json) = well_known_example(nested.full_name()) {
                // Well-known types have JSON forms of their own; fill them through those.
                if let Ok(value) = parse_json(nested, json) {
                    let value = Value::Message(value);
                    let value = if fd.is_list() { Value::List(vec![value]) } else { value };
                    m.set_field(&fd, value);
                }
                continue;
            }
        }
        let value = if fd.is_map() {
            let entry = kind.as_message().expect("map fields have an entry message");
            let Some(key) = map_key(example_value(&entry.map_entry_key_field().kind(), depth, 0)) else { continue };
            Value::Map([(key, example_value(&entry.map_entry_value_field().kind(), depth, 0))].into_iter().collect())
        } else if fd.is_list() {
            Value::List((0..2).map(|i| example_value(&kind, depth, i)).collect())
        } else {
            example_value(&kind, depth, 0)
        };
        m.set_field(&fd, value);
    }
    m
}

/// A map key from the value of a map entry's key field; `None` for kinds a key cannot have.
pub fn map_key(value: Value) -> Option<MapKey> {
    Some(match value {
        Value::Bool(v) => MapKey::Bool(v),
        Value::I32(v) => MapKey::I32(v),
        Value::I64(v) => MapKey::I64(v),
        Value::U32(v) => MapKey::U32(v),
        Value::U64(v) => MapKey::U64(v),
        Value::String(v) => MapKey::String(v),
        _ => return None,
    })
}

/// Example JSON of the well-known types whose JSON is not their fields'.
fn well_known_example(full_name: &str) -> Option<&'static str> {
    Some(match full_name {
        "google.protobuf.Timestamp" => r#""2024-05-01T12:00:00Z""#,
        "google.protobuf.Duration" => r#""1.500s""#,
        "google.protobuf.Any" => r#"{"@type":"type.googleapis.com/google.protobuf.Duration","value":"1s"}"#,
        "google.protobuf.Struct" => r#"{"example":"value","count":3}"#,
        "google.protobuf.Value" => r#""example""#,
        "google.protobuf.ListValue" => r#"["example",1]"#,
        "google.protobuf.FieldMask" => r#""example.path""#,
        "google.protobuf.Empty" => "{}",
        _ => return None,
    })
}

/// The `i`-th example value of a kind: small, readable, never the default (so it is on the wire).
fn example_value(kind: &Kind, depth: usize, i: u32) -> Value {
    match kind {
        Kind::Double => Value::F64(1.5 + f64::from(i)),
        Kind::Float => Value::F32(0.5 + i as f32),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Value::I32(if i == 0 { 42 } else { -1 }),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Value::I64(if i == 0 { 300 } else { -2 }),
        Kind::Uint32 | Kind::Fixed32 => Value::U32(150 + i),
        Kind::Uint64 | Kind::Fixed64 => Value::U64(1 + u64::from(i)),
        Kind::Bool => Value::Bool(true),
        Kind::String => Value::String(["example", "second"][i as usize % 2].to_owned()),
        Kind::Bytes => Value::Bytes(vec![0xde, 0xad, 0xbe, 0xef, i as u8].into()),
        Kind::Enum(e) => {
            let value = e.values().find(|v| v.number() != 0).or_else(|| e.values().next());
            Value::EnumNumber(value.map_or(0, |v| v.number()))
        }
        Kind::Message(m) => Value::Message(template_at(m, depth + 1)),
    }
}

/// Encodes `message` deterministically: fields by number, map entries sorted by key,
/// unknown fields last in the order they were read.
pub fn encode(message: &DynamicMessage) -> Vec<u8> {
    let mut buf = Vec::new();
    encode_message(message, &mut buf);
    buf
}

/// Decodes `bytes` as a message of type `desc`; a failure names the byte offset where reading stopped.
pub fn decode(desc: &MessageDescriptor, bytes: &[u8]) -> Result<DynamicMessage, DecodeError> {
    use prost::Message;
    let mut message = DynamicMessage::new(desc.clone());
    message.merge(bytes).map_err(|e| {
        // prost says what went wrong but not where; the annotator knows where.
        let annotation = wire::annotate(bytes, Some(desc));
        let first = |severity| annotation.diagnostics().iter().find(|d| d.severity == severity).cloned();
        match first(Severity::Error).or_else(|| first(Severity::Warning)) {
            Some(d) => DecodeError { offset: Some(d.offset), message: d.message },
            None => DecodeError { offset: None, message: e.to_string() },
        }
    })?;
    Ok(message)
}

/// A message could not be read from JSON or text format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} at line {line}, column {column}: {message}", match notation { Notation::Json => "invalid JSON", Notation::Text => "invalid text format" })]
pub struct MessageError {
    pub notation: Notation,
    /// 1-based line and character column.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Bytes could not be decoded as the message type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DecodeError {
    pub offset: Option<usize>,
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(offset) => write!(f, "cannot decode at byte {offset}: {}", self.message),
            None => write!(f, "cannot decode: {}", self.message),
        }
    }
}

fn encode_message(message: &DynamicMessage, buf: &mut Vec<u8>) {
    for (fd, value) in message.fields() {
        encode_field(&fd, value, buf);
    }
    for (ext, value) in message.extensions() {
        // Extensions are rare in the examples; prost-reflect writes them faithfully.
        let mut only = DynamicMessage::new(prost_reflect::ReflectMessage::descriptor(message));
        only.set_extension(&ext, value.clone());
        prost::Message::encode_raw(&only, buf);
    }
    for unknown in message.unknown_fields() {
        unknown.encode(buf);
    }
}

fn encode_field(fd: &FieldDescriptor, value: &Value, buf: &mut Vec<u8>) {
    let number = fd.number();
    let kind = fd.kind();
    match value {
        Value::List(items) if fd.is_packed() => {
            if items.is_empty() {
                return;
            }
            let mut payload = Vec::new();
            for item in items {
                encode_packed_element(&kind, item, &mut payload);
            }
            pe::encode_key(number, PeWireType::LengthDelimited, buf);
            pe::encode_varint(payload.len() as u64, buf);
            buf.extend_from_slice(&payload);
        }
        Value::List(items) => {
            for item in items {
                encode_value(number, fd, &kind, item, buf);
            }
        }
        Value::Map(entries) => {
            let entry = kind.as_message().expect("map fields have an entry message");
            let key_fd = entry.map_entry_key_field();
            let value_fd = entry.map_entry_value_field();
            let mut sorted: Vec<(&MapKey, &Value)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(b.0));
            for (key, value) in sorted {
                let mut payload = Vec::new();
                encode_value(1, &key_fd, &key_fd.kind(), &Value::from(key.clone()), &mut payload);
                encode_value(2, &value_fd, &value_fd.kind(), value, &mut payload);
                pe::encode_key(number, PeWireType::LengthDelimited, buf);
                pe::encode_varint(payload.len() as u64, buf);
                buf.extend_from_slice(&payload);
            }
        }
        value => {
            // Fields without presence are not written when they hold the default.
            if !fd.supports_presence() && value.is_default(&kind) {
                return;
            }
            encode_value(number, fd, &kind, value, buf);
        }
    }
}

/// Writes one record: tag and value.
fn encode_value(number: u32, fd: &FieldDescriptor, kind: &Kind, value: &Value, buf: &mut Vec<u8>) {
    match (kind, value) {
        (Kind::Message(_), Value::Message(m)) if fd.is_group() => {
            pe::encode_key(number, PeWireType::StartGroup, buf);
            encode_message(m, buf);
            pe::encode_key(number, PeWireType::EndGroup, buf);
        }
        (Kind::Message(_), Value::Message(m)) => {
            let mut payload = Vec::new();
            encode_message(m, &mut payload);
            pe::encode_key(number, PeWireType::LengthDelimited, buf);
            pe::encode_varint(payload.len() as u64, buf);
            buf.extend_from_slice(&payload);
        }
        (Kind::String, Value::String(s)) => pe::string::encode(number, s, buf),
        (Kind::Bytes, Value::Bytes(b)) => pe::bytes::encode(number, b, buf),
        _ => {
            pe::encode_key(number, crate_wire_type(kind), buf);
            encode_packed_element(kind, value, buf);
        }
    }
}

/// Writes a scalar's value without a tag, as it appears inside a packed field.
fn encode_packed_element(kind: &Kind, value: &Value, buf: &mut Vec<u8>) {
    match (kind, value) {
        (Kind::Int32, Value::I32(v)) | (Kind::Enum(_), Value::EnumNumber(v)) => {
            pe::encode_varint(*v as i64 as u64, buf)
        }
        (Kind::Int64, Value::I64(v)) => pe::encode_varint(*v as u64, buf),
        (Kind::Uint32, Value::U32(v)) => pe::encode_varint(u64::from(*v), buf),
        (Kind::Uint64, Value::U64(v)) => pe::encode_varint(*v, buf),
        (Kind::Sint32, Value::I32(v)) => pe::encode_varint(u64::from(((v << 1) ^ (v >> 31)) as u32), buf),
        (Kind::Sint64, Value::I64(v)) => pe::encode_varint(((v << 1) ^ (v >> 63)) as u64, buf),
        (Kind::Bool, Value::Bool(v)) => pe::encode_varint(u64::from(*v), buf),
        (Kind::Fixed32, Value::U32(v)) => buf.extend_from_slice(&v.to_le_bytes()),
        (Kind::Sfixed32, Value::I32(v)) => buf.extend_from_slice(&v.to_le_bytes()),
        (Kind::Float, Value::F32(v)) => buf.extend_from_slice(&v.to_le_bytes()),
        (Kind::Fixed64, Value::U64(v)) => buf.extend_from_slice(&v.to_le_bytes()),
        (Kind::Sfixed64, Value::I64(v)) => buf.extend_from_slice(&v.to_le_bytes()),
        (Kind::Double, Value::F64(v)) => buf.extend_from_slice(&v.to_le_bytes()),
        (kind, value) => unreachable!("prost-reflect checks values against kinds: {value:?} is not a {kind:?}"),
    }
}

fn crate_wire_type(kind: &Kind) -> PeWireType {
    match wire::WireType::for_kind(kind) {
        wire::WireType::Varint => PeWireType::Varint,
        wire::WireType::I64 => PeWireType::SixtyFourBit,
        wire::WireType::I32 => PeWireType::ThirtyTwoBit,
        _ => PeWireType::LengthDelimited,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> MessageDescriptor {
        crate::examples::REFERENCE.schema().unwrap().message("userservice.User").unwrap()
    }

    #[test]
    fn reference_user_round_trips_through_json_and_text() {
        let json =
            r#"{"id":"42","name":"Alice","email":"alice@example.com","roles":["admin","user"],"status":"ACTIVE"}"#;
        let desc = user();
        let message = parse_json(&desc, json).unwrap();
        assert_eq!(to_json(&message, JsonStyle::CANONICAL).unwrap(), json);
        assert_eq!(to_json(&message, JsonStyle::HAND_WRITTEN).unwrap().len(), 95);
        let text = to_text(&message, false);
        assert_eq!(parse_text(&desc, &text).unwrap(), message);
        assert_eq!(encode(&message).len(), 43);
    }

    #[test]
    fn templates_fill_every_field_and_encode() {
        for example in crate::examples::EXAMPLES {
            let schema = example.schema().unwrap();
            for name in schema.messages() {
                let desc = schema.message(&name).unwrap();
                let m = template(&desc);
                let json = to_json(&m, JsonStyle::CANONICAL).unwrap();
                let back = parse_json(&desc, &json).unwrap_or_else(|e| panic!("{name}: {e}\n{json}"));
                assert_eq!(encode(&back), encode(&m), "{name}");
            }
        }
        let m = template(&user());
        assert_eq!(
            to_json(&m, JsonStyle::CANONICAL).unwrap(),
            r#"{"id":"300","name":"example","email":"example","roles":["example","second"],"address":{"street":"example","city":"example","country":"example","zipCode":"example"},"status":"ACTIVE"}"#
        );
    }

    #[test]
    fn json_errors_name_line_and_column() {
        let error = parse_json(&user(), "{\n  \"id\": 42,\n  \"nme\": \"Alice\"\n}").unwrap_err();
        assert_eq!((error.line, error.column), (3, 7), "{error}");
        assert_eq!(error.to_string(), "invalid JSON at line 3, column 7: unrecognized field name 'nme'");
        let error = parse_json(&user(), "{\"id\": 42,}").unwrap_err();
        assert_eq!((error.line, error.column), (1, 11), "{error}");
    }

    #[test]
    fn text_errors_name_line_and_column() {
        let error = parse_text(&user(), "id: 42\nname: Alice").unwrap_err();
        assert_eq!((error.line, error.column), (2, 7), "{error}");
    }

    #[test]
    fn decode_errors_name_the_offset() {
        let error = decode(&user(), &[0x08, 0x2a, 0x12, 0x09, 0x41]).unwrap_err();
        assert_eq!(error.to_string(), "cannot decode at byte 3: length 9 runs past the end: only 1 byte follows");
    }
}
