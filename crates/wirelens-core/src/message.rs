//! Messages of a run-time schema: read from JSON or text format, written back,
//! encoded deterministically and decoded.
//!
//! Knows prost-reflect's `DynamicMessage` and the protobuf JSON and text
//! mappings. Knows nothing about spans or rendering; decode errors borrow the
//! annotator's offsets.

use std::fmt;

use prost::encoding::{self as pe, WireType as PeWireType};
use prost_reflect::{
    DeserializeOptions, DynamicMessage, FieldDescriptor, Kind, MapKey, MessageDescriptor, ReflectMessage,
    SerializeOptions, Value,
};

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

impl Notation {
    pub const ALL: [Notation; 2] = [Notation::Json, Notation::Text];

    /// Its name in permalinks, benchmark requests and command lines: what `from_str` reads.
    pub fn name(self) -> &'static str {
        match self {
            Notation::Json => "json",
            Notation::Text => "text",
        }
    }
}

impl std::str::FromStr for Notation {
    type Err = String;

    fn from_str(s: &str) -> Result<Notation, String> {
        Notation::ALL
            .into_iter()
            .find(|n| n.name() == s)
            .ok_or_else(|| format!("unknown notation '{s}': expected json or text"))
    }
}

/// Reads a message of type `desc` from `input` written in `notation`.
pub fn parse(desc: &MessageDescriptor, input: &str, notation: Notation) -> Result<DynamicMessage, MessageError> {
    parse_with(desc, input, notation, ParseOptions::default())
}

/// Choices for reading a message; the default is the strict reading of the specs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// JSON only: skip members the schema has no field for, and enum names it does not know,
    /// as protobuf's parsers do with `ignore_unknown_fields` (for input written against a newer
    /// schema). Text format always rejects an unknown name: it has no such choice.
    pub ignore_unknown_fields: bool,
}

/// [`parse`] with [`ParseOptions`].
pub fn parse_with(
    desc: &MessageDescriptor,
    input: &str,
    notation: Notation,
    options: ParseOptions,
) -> Result<DynamicMessage, MessageError> {
    match notation {
        Notation::Json => parse_json_with(desc, input, options),
        Notation::Text => parse_text(desc, input),
    }
}

/// Reads canonical proto3 JSON (field names in lowerCamelCase or as declared; int64 as string or
/// number). Numbers read exactly: a double is the nearest one to the decimal written.
pub fn parse_json(desc: &MessageDescriptor, input: &str) -> Result<DynamicMessage, MessageError> {
    parse_json_with(desc, input, ParseOptions::default())
}

/// [`parse_json`] with [`ParseOptions`].
pub fn parse_json_with(
    desc: &MessageDescriptor,
    input: &str,
    options: ParseOptions,
) -> Result<DynamicMessage, MessageError> {
    let mut deserializer = serde_json::Deserializer::from_str(input);
    let located = |e: serde_json::Error| json_error(input, &e);
    let serde_options = DeserializeOptions::new().deny_unknown_fields(!options.ignore_unknown_fields);
    let message =
        DynamicMessage::deserialize_with_options(desc.clone(), &mut deserializer, &serde_options).map_err(located)?;
    deserializer.end().map_err(located)?;
    Ok(message)
}

/// A serde_json error on `input` as a [`MessageError`], its column counted in characters (serde_json
/// counts bytes). Any JSON reader of core reports its errors through this.
pub(crate) fn json_error(input: &str, e: &serde_json::Error) -> MessageError {
    let line_text = input.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
    let column = line_text.get(..e.column()).map_or(e.column(), |s| s.chars().count()).max(1);
    let message = e.to_string();
    let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_owned();
    MessageError { notation: Notation::Json, line: e.line().max(1), column, message }
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

/// Writes `message` as JSON in `style`. Map keys come out sorted; a float or double set to -0
/// is written even where defaults are left out (it is not the default). Fails only where the JSON
/// mapping has no form for a value: an `Any` whose type is not in the schema, a `Timestamp` or
/// `Duration` out of range (bytes decoded from the wire can hold either).
pub fn to_json(message: &DynamicMessage, style: JsonStyle) -> Result<String, JsonError> {
    let options = SerializeOptions::new()
        .stringify_64_bit_integers(style.int64_as_string)
        .skip_default_fields(!style.with_defaults);
    let mut value = message
        .serialize_with_options(serde_json::value::Serializer, &options)
        .map_err(|e| JsonError { message: e.to_string() })?;
    if !style.with_defaults {
        restore_negative_zeros(&mut value, message);
    }
    // prost-reflect writes map entries in hash order; sort them so the same message gives the same text.
    sort_maps(&mut value, &message.descriptor());
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

/// Puts back the fields [`negative_zeros`] finds, which prost-reflect leaves out with the defaults,
/// in the message's field order. Well-known types (whose JSON is not their fields') are left as
/// they are, and so is what an `Any` holds.
fn restore_negative_zeros(json: &mut serde_json::Value, message: &DynamicMessage) {
    use serde_json::Value as Json;
    let desc = message.descriptor();
    let Json::Object(object) = json else { return };
    if desc.full_name().starts_with("google.protobuf.") {
        return;
    }
    let zeros = negative_zeros(message);
    if !zeros.is_empty() {
        for (fd, value) in &zeros {
            let number = match value {
                Value::F32(v) => serde_json::Number::from_f64(f64::from(*v)),
                Value::F64(v) => serde_json::Number::from_f64(*v),
                _ => None,
            };
            object.insert(fd.json_name().to_owned(), number.map_or(Json::Null, Json::Number));
        }
        let position = |key: &str| desc.fields().position(|fd| fd.json_name() == key);
        let mut entries: Vec<(String, Json)> = std::mem::take(object).into_iter().collect();
        entries.sort_by_key(|(key, _)| position(key));
        object.extend(entries);
    }
    for (fd, value) in message.fields() {
        let Some(field_json) = object.get_mut(fd.json_name()) else { continue };
        match (value, field_json) {
            (Value::Message(m), json) => restore_negative_zeros(json, m),
            (Value::List(items), Json::Array(array)) => {
                for (item, json) in items.iter().zip(array) {
                    if let Value::Message(m) = item {
                        restore_negative_zeros(json, m);
                    }
                }
            }
            (Value::Map(entries), Json::Object(map)) => {
                for (key, item) in entries {
                    if let (Value::Message(m), Some(json)) = (item, map.get_mut(&json_map_key(key))) {
                        restore_negative_zeros(json, m);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A map key as the JSON mapping writes it: the object member's name.
fn json_map_key(key: &MapKey) -> String {
    match key {
        MapKey::Bool(v) => v.to_string(),
        MapKey::I32(v) => v.to_string(),
        MapKey::I64(v) => v.to_string(),
        MapKey::U32(v) => v.to_string(),
        MapKey::U64(v) => v.to_string(),
        MapKey::String(v) => v.clone(),
    }
}

/// The float and double fields without presence that hold -0.0. prost-reflect counts them as
/// unset, since -0.0 == 0.0; protobuf's language guide says a float or double set to -0 is
/// distinct from the default and is serialized, and protoc's and Python's encoders write it.
fn negative_zeros(message: &DynamicMessage) -> Vec<(FieldDescriptor, Value)> {
    message
        .descriptor()
        .fields()
        .filter(|fd| {
            !fd.supports_presence() && !fd.is_list() && !fd.is_map() && matches!(fd.kind(), Kind::Float | Kind::Double)
        })
        .filter_map(|fd| {
            let value = message.get_field(&fd);
            is_negative_zero(&value).then(|| (fd, value.into_owned()))
        })
        .collect()
}

fn is_negative_zero(value: &Value) -> bool {
    match value {
        Value::F32(v) => *v == 0.0 && v.is_sign_negative(),
        Value::F64(v) => *v == 0.0 && v.is_sign_negative(),
        _ => false,
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

/// `message` in `notation`, laid out for an editor: indented JSON (text format should JSON refuse
/// it, for a value JSON cannot hold), or text format one field per line.
pub fn write(message: &DynamicMessage, notation: Notation) -> String {
    match notation {
        Notation::Json => to_json(message, JsonStyle::PRETTY).unwrap_or_else(|_| to_text(message, true)),
        Notation::Text => to_text(message, true),
    }
}

/// Writes `message` in protobuf text format, one field per line when `pretty`. Unknown fields
/// are left out, so that the text reads back: [`to_text_with`] can print them.
pub fn to_text(message: &DynamicMessage, pretty: bool) -> String {
    to_text_with(message, TextStyle { pretty, unknown_fields: false })
}

/// Options for writing text format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextStyle {
    /// One field per line, nested messages indented.
    pub pretty: bool,
    /// Also print the fields the schema does not know, by number (`5: 150`, `6: "abc"`,
    /// `7 { 1: 2 }`), as protoc does. Text with them does not read back through [`parse_text`].
    pub unknown_fields: bool,
}

/// Writes `message` in protobuf text format in `style`. A message that holds a float or double
/// set to -0 is written with its default values too: prost-reflect's printer counts -0 as unset
/// (-0.0 == 0.0), and only with the defaults does it print it.
pub fn to_text_with(message: &DynamicMessage, style: TextStyle) -> String {
    let options = prost_reflect::text_format::FormatOptions::new()
        .pretty(style.pretty)
        .skip_unknown_fields(!style.unknown_fields)
        .skip_default_fields(!holds_negative_zero(message));
    message.to_text_format_with_options(&options)
}

/// Whether [`negative_zeros`] finds anything in `message` or a message inside it.
fn holds_negative_zero(message: &DynamicMessage) -> bool {
    let inside = |value: &Value| matches!(value, Value::Message(m) if holds_negative_zero(m));
    !negative_zeros(message).is_empty()
        || message.fields().any(|(_, value)| match value {
            Value::List(items) => items.iter().any(inside),
            Value::Map(entries) => entries.values().any(inside),
            value => inside(value),
        })
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
    let zeros = negative_zeros(message);
    if zeros.is_empty() {
        for (fd, value) in message.fields() {
            encode_field(&fd, value, buf);
        }
    } else {
        let mut fields: Vec<(FieldDescriptor, &Value)> = message.fields().collect();
        fields.extend(zeros.iter().map(|(fd, value)| (fd.clone(), value)));
        fields.sort_by_key(|(fd, _)| fd.number());
        for (fd, value) in fields {
            encode_field(&fd, value, buf);
        }
    }
    for (ext, value) in message.extensions() {
        // Extensions are rare in the examples; prost-reflect writes them faithfully.
        let mut only = DynamicMessage::new(message.descriptor());
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
            // Fields without presence are not written when they hold the default (-0.0 is not it).
            if !fd.supports_presence() && value.is_default(&kind) && !is_negative_zero(value) {
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
    fn a_notation_reads_back_from_its_name_and_nothing_else_does() {
        for notation in Notation::ALL {
            assert_eq!(notation.name().parse(), Ok(notation));
        }
        assert_eq!("JSON".parse::<Notation>(), Err("unknown notation 'JSON': expected json or text".to_owned()));
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

    /// Floats in every place a message can hold one, for the -0 and exact-reading tests.
    fn floats() -> MessageDescriptor {
        let source = r#"syntax = "proto3";
            message F { double d = 1; float f = 2; repeated double r = 3; F child = 4; map<string, F> m = 5;
                        optional double o = 6; int32 unknown_later = 7; }"#;
        crate::schema::Schema::compile(&[("f.proto", source)]).unwrap().message("F").unwrap()
    }

    #[test]
    fn json_numbers_read_as_the_nearest_double() {
        // serde_json's default parser reads these as 2.2250700000000003e-308: one ulp off.
        for text in ["2.22507e-308", "-2.22507e-308", "1.7976931348623157e308", "5e-324", "0.1"] {
            let m = parse_json(&floats(), &format!(r#"{{"d": {text}}}"#)).unwrap();
            let exact: f64 = text.parse().unwrap();
            assert_eq!(m.get_field_by_name("d").unwrap().as_f64().unwrap().to_bits(), exact.to_bits(), "{text}");
        }
    }

    #[test]
    fn negative_zero_is_written_where_zero_is_not() {
        // protoc and Python's protobuf write a proto3 double set to -0.0; it is not the default.
        let desc = floats();
        let m = parse_json(&desc, r#"{"d": -0.0}"#).unwrap();
        assert_eq!(encode(&m), [0x09, 0, 0, 0, 0, 0, 0, 0, 0x80]);
        assert_eq!(to_json(&m, JsonStyle::CANONICAL).unwrap(), r#"{"d":-0.0}"#);
        // 0.0 is the default and stays out of both.
        let zero = parse_json(&desc, r#"{"d": 0.0, "f": 0}"#).unwrap();
        assert_eq!((encode(&zero).len(), to_json(&zero, JsonStyle::CANONICAL).unwrap().as_str()), (0, "{}"));

        // In a float, among other fields, and in messages nested in a field, a list and a map:
        // fields in number order on the wire, in declaration order in JSON.
        let json = r#"{"d":1.5,"f":-0.0,"r":[-0.0],"child":{"d":-0.0},"m":{"k":{"f":-0.0,"o":-0.0}}}"#;
        let m = parse_json(&desc, json).unwrap();
        assert_eq!(to_json(&m, JsonStyle::CANONICAL).unwrap(), json);
        let bytes = encode(&m);
        assert_eq!(
            crate::input::to_hex(&bytes),
            "09 00 00 00 00 00 00 F8 3F 15 00 00 00 80 1A 08 00 00 00 00 00 00 00 80 22 09 09 00 00 00 00 00 00 00 80 \
             2A 13 0A 01 6B 12 0E 15 00 00 00 80 31 00 00 00 00 00 00 00 80"
        );
        // Decoded from the wire, -0 stays -0 all the way round.
        let back = decode(&desc, &bytes).unwrap();
        assert_eq!((encode(&back), to_json(&back, JsonStyle::CANONICAL).unwrap()), (bytes.clone(), json.to_owned()));

        // Text format has it too, among the defaults, and reads back to the same bytes.
        let text = to_text(&m, false);
        assert_eq!(
            text,
            "d:1.5,f:-0.0,r:[-0.0],child{d:-0.0,f:0.0,r:[],m:[],unknown_later:0},\
             m:[{key:\"k\",value{d:0.0,f:-0.0,r:[],m:[],o:-0.0,unknown_later:0}}],unknown_later:0"
        );
        assert_eq!(encode(&parse_text(&desc, &text).unwrap()), bytes);
        assert_eq!(
            to_text(&parse_json(&desc, r#"{"child": {"f": -0.0}}"#).unwrap(), false),
            "d:0.0,f:0.0,r:[],child{d:0.0,f:-0.0,r:[],m:[],unknown_later:0},m:[],unknown_later:0"
        );
        assert_eq!(to_text(&zero, false), "");
    }

    #[test]
    fn unknown_fields_are_printed_in_text_format_only_when_asked() {
        // Field 9 is not in F; field 4 holds a message with unknown field 10.
        let bytes = [0x08 | 0x40, 0x96, 0x01, 0x22, 0x02, 0x50, 0x07];
        let m = decode(&floats(), &bytes).unwrap();
        assert_eq!(to_text(&m, false), "child{}");
        assert_eq!(to_text_with(&m, TextStyle { pretty: false, unknown_fields: true }), "child{10:7},9:150");
        assert_eq!(encode(&m), bytes[3..].iter().chain(&bytes[..3]).copied().collect::<Vec<u8>>());
    }

    #[test]
    fn unknown_json_members_are_refused_unless_ignored() {
        let desc = floats();
        let json = r#"{"d": 1, "addedLater": {"x": [1, 2]}, "child": {"alsoNew": "x", "f": 2}}"#;
        let error = parse_json(&desc, json).unwrap_err();
        assert_eq!(error.to_string(), "invalid JSON at line 1, column 21: unrecognized field name 'addedLater'");
        let ignoring = ParseOptions { ignore_unknown_fields: true };
        let m = parse_json_with(&desc, json, ignoring).unwrap();
        assert_eq!(to_json(&m, JsonStyle::CANONICAL).unwrap(), r#"{"d":1.0,"child":{"f":2.0}}"#);
        assert_eq!(parse_with(&desc, json, Notation::Json, ignoring).unwrap(), m);
    }

    #[test]
    fn decode_errors_name_the_offset() {
        let error = decode(&user(), &[0x08, 0x2a, 0x12, 0x09, 0x41]).unwrap_err();
        assert_eq!(error.to_string(), "cannot decode at byte 3: length 9 runs past the end: only 1 byte follows");
    }
}
