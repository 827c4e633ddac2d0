//! The ten lessons. Their sentences are ours; every number in them comes from an encoding
//! computed here, at render time, from the live example or from a fixed message of the lesson's
//! schema.

use super::{Block, Ctx, Exercise, ExerciseKind, Lesson};
use crate::compare;
use crate::explain;
use crate::grpcweb;
use crate::input::to_hex;
use crate::message::{self, JsonStyle};
use crate::status;
use crate::varint;
use crate::wire::{Annotation, NodeId, NodeKind, WireType};

macro_rules! proto {
    ($path:literal) => {
        ($path, include_str!(concat!("../../../../proto/", $path)))
    };
}

const USER: (&str, &str) = proto!("userservice/user.proto");
const USER_SERVICE: (&str, &str) = proto!("userservice/user_service.proto");

pub const LESSONS: &[Lesson] = &[
    Lesson {
        slug: "field-numbers",
        title: "Field numbers, not names",
        files: &[proto!("learn/names.proto")],
        shown: &["learn/names.proto"],
        message: "learn.names.User",
        json: r#"{"id":"42","name":"Alice"}"#,
        also_read_as: Some("learn.names.Person"),
        exercise: Exercise {
            kind: ExerciseKind::PredictBytes,
            message: "learn.names.User",
            json: r#"{"id":"1","name":"Al"}"#,
        },
        text: field_numbers,
    },
    Lesson {
        slug: "tags",
        title: "The tag byte",
        files: &[proto!("learn/tags.proto")],
        shown: &["learn/tags.proto"],
        message: "learn.tags.Tags",
        json: r#"{"a":1,"b":1,"c":1,"d":1,"e":1}"#,
        also_read_as: None,
        exercise: Exercise { kind: ExerciseKind::PredictBytes, message: "learn.tags.Tags", json: r#"{"c":1}"# },
        text: tags,
    },
    Lesson {
        slug: "varints",
        title: "Varints",
        files: &[proto!("learn/varints.proto")],
        shown: &["learn/varints.proto"],
        message: "learn.varints.Varint",
        json: r#"{"value":"300"}"#,
        also_read_as: None,
        exercise: Exercise {
            kind: ExerciseKind::PredictBytes,
            message: "learn.varints.Varint",
            json: r#"{"value":"150"}"#,
        },
        text: varints,
    },
    Lesson {
        slug: "signed",
        title: "Signed numbers",
        files: &[proto!("learn/signed.proto")],
        shown: &["learn/signed.proto"],
        message: "learn.signed.Signed",
        json: r#"{"plain":-1,"zigzag":-1,"fixed":-1}"#,
        also_read_as: None,
        exercise: Exercise {
            kind: ExerciseKind::PredictBytes,
            message: "learn.signed.Signed",
            json: r#"{"zigzag":-2}"#,
        },
        text: signed,
    },
    Lesson {
        slug: "length-delimited",
        title: "Length-delimited: strings, bytes, nested messages",
        files: &[USER],
        shown: &["userservice/user.proto"],
        message: "userservice.User",
        json: r#"{"id":"7","name":"Bob","address":{"street":"1 Main St","city":"Springfield","country":"US","zipCode":"12345"}}"#,
        also_read_as: None,
        exercise: Exercise {
            kind: ExerciseKind::FindField { path: "address.city", hint: "It sits inside another field's payload." },
            message: "userservice.User",
            json: r#"{"id":"7","name":"Bob","address":{"street":"1 Main St","city":"Springfield","country":"US","zipCode":"12345"}}"#,
        },
        text: length_delimited,
    },
    Lesson {
        slug: "repeated",
        title: "Repeated, packed, maps and oneof",
        files: &[proto!("learn/collections.proto")],
        shown: &["learn/collections.proto"],
        message: "learn.collections.Collections",
        json: r#"{"numbers":[1,2,300],"tags":["a","b"],"counts":{"x":1,"y":2},"email":"a@b.c"}"#,
        also_read_as: None,
        exercise: Exercise {
            kind: ExerciseKind::PredictBytes,
            message: "learn.collections.Collections",
            json: r#"{"numbers":[1,2,3]}"#,
        },
        text: repeated,
    },
    Lesson {
        slug: "presence",
        title: "Defaults and presence",
        files: &[proto!("learn/presence.proto")],
        shown: &["learn/presence.proto"],
        message: "learn.presence.Presence",
        json: r#"{"count":0,"limit":0,"name":"","active":false}"#,
        also_read_as: None,
        exercise: Exercise {
            kind: ExerciseKind::PredictBytes,
            message: "learn.presence.Presence",
            json: r#"{"count":0,"limit":0}"#,
        },
        text: presence,
    },
    Lesson {
        slug: "json",
        title: "Protobuf against JSON",
        files: &[USER],
        shown: &["userservice/user.proto"],
        message: "userservice.User",
        json: crate::examples::REFERENCE_USER_JSON,
        also_read_as: None,
        exercise: Exercise {
            kind: ExerciseKind::FindField {
                path: "status",
                hint: "In JSON it is the longest value; here it is one byte.",
            },
            message: "userservice.User",
            json: crate::examples::REFERENCE_USER_JSON,
        },
        text: json,
    },
    Lesson {
        slug: "evolution",
        title: "Schema evolution",
        files: &[proto!("examples/evolution/v1.proto"), proto!("examples/evolution/v2.proto")],
        shown: &["examples/evolution/v1.proto", "examples/evolution/v2.proto"],
        message: "examples.evolution.v1.User",
        json: r#"{"id":"42","name":"Alice","email":"alice@example.com"}"#,
        also_read_as: Some("examples.evolution.v2.User"),
        exercise: Exercise {
            kind: ExerciseKind::FindField {
                path: "email",
                hint: "These are v1 bytes: click one that a reader built from v2 no longer knows.",
            },
            message: "examples.evolution.v1.User",
            json: r#"{"id":"42","name":"Alice","email":"alice@example.com"}"#,
        },
        text: evolution,
    },
    Lesson {
        slug: "grpc",
        title: "gRPC",
        files: &[USER, USER_SERVICE],
        shown: &["userservice/user_service.proto"],
        message: "userservice.GetUserRequest",
        json: r#"{"userId":"42"}"#,
        also_read_as: None,
        exercise: Exercise {
            kind: ExerciseKind::PredictFrame,
            message: "userservice.GetUserRequest",
            json: r#"{"userId":"42"}"#,
        },
        text: grpc,
    },
];

// ---- helpers -------------------------------------------------------------------------------

fn p(text: impl Into<String>) -> Block {
    Block::Para(text.into())
}

/// `1 byte`, `43 bytes`.
fn count(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// The first record whose path is `path`.
fn record(a: &Annotation, path: &str) -> Option<NodeId> {
    (0..a.nodes().len()).find(|&id| matches!(a.node(id).kind, NodeKind::Field(_)) && a.path(id) == path)
}

/// Every record of a field at the top level, by number.
fn records_of(a: &Annotation, number: u32) -> Vec<NodeId> {
    a.roots().filter(|&id| matches!(&a.node(id).kind, NodeKind::Field(f) if f.number() == number)).collect()
}

/// The bytes of the record at `path`, as hex (empty when it is not on the wire).
fn record_hex(a: &Annotation, path: &str) -> String {
    record(a, path).map(|id| to_hex(a.slice(id))).unwrap_or_default()
}

/// A record's child of a kind: its tag, its length prefix, or its value.
fn part(a: &Annotation, record: NodeId, want: fn(&NodeKind) -> bool) -> Option<NodeId> {
    a.children(record).find(|&c| want(&a.node(c).kind))
}

fn is_tag(k: &NodeKind) -> bool {
    matches!(k, NodeKind::Tag { .. })
}

fn is_length(k: &NodeKind) -> bool {
    matches!(k, NodeKind::Length(_))
}

fn is_value(k: &NodeKind) -> bool {
    !matches!(k, NodeKind::Tag { .. } | NodeKind::Length(_))
}

/// The hex of a record's part, or empty.
fn part_hex(a: &Annotation, record: Option<NodeId>, want: fn(&NodeKind) -> bool) -> String {
    record.and_then(|r| part(a, r, want)).map(|id| to_hex(a.slice(id))).unwrap_or_default()
}

fn part_len(a: &Annotation, record: Option<NodeId>, want: fn(&NodeKind) -> bool) -> usize {
    record.and_then(|r| part(a, r, want)).map_or(0, |id| a.node(id).range.len())
}

/// The message as canonical JSON, compact.
fn json_of(a: &Annotation) -> String {
    a.message()
        .and_then(|d| message::decode(d, a.bytes()).ok())
        .and_then(|m| message::to_json(&m, JsonStyle::CANONICAL).ok())
        .unwrap_or_default()
}

/// The varint a tag for `field` of wire type `wire_type` is.
fn tag_bytes(field: u32, wire_type: WireType) -> Vec<u8> {
    let mut out = Vec::new();
    varint::encode((u64::from(field) << 3) | wire_type as u64, &mut out);
    out
}

/// The largest field number whose tag takes `n` bytes.
fn largest_field_with_tag_len(n: usize) -> u32 {
    let fits = |field: u32| tag_bytes(field, WireType::Varint).len() <= n;
    // Tags grow with the number: find the last that fits by doubling, then bisecting.
    let (mut lo, mut hi) = (1u32, 2u32);
    while fits(hi) {
        lo = hi;
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) { lo = mid } else { hi = mid }
    }
    lo
}

// ---- 1 -------------------------------------------------------------------------------------

fn field_numbers(c: &Ctx) -> Vec<Block> {
    let a = c.annotation;
    let as_person = c.annotate("learn.names.Person", c.bytes);
    let person_json = json_of(&as_person);
    let again = c.encode("learn.names.Person", &person_json);
    let same = if again == c.bytes {
        "the same bytes, every one of them".to_owned()
    } else {
        format!("`{}`, which differs", to_hex(&again))
    };
    let keys: usize =
        c.message.and_then(|m| compare::compare(m).ok()).map_or(0, |cmp| cmp.fields.iter().map(|f| f.json_key).sum());
    let tags: usize = a.nodes().filter(|n| is_tag(&n.kind)).map(|n| n.range.len()).sum();
    vec![
        p("A protobuf message on the wire carries values and numbers, never names. Each field travels under the \
           number written after `=` in the schema; the name exists only in the code generated from it."),
        p(format!("The example below is {}: `{}`.", count(c.bytes.len(), "byte"), to_hex(c.bytes))),
        p(format!(
            "Read those bytes as `Person`, whose fields are called `person_id` and `display_name` but keep the \
             numbers 1 and 2, and you get `{person_json}`. Encode that and you get {same}."
        )),
        p(format!(
            "In JSON the keys alone of this message take {}. Here the fields are identified by {} of tags, \
             which also say how to read each value.",
            count(keys, "byte"),
            count(tags, "byte")
        )),
        p("So renaming a field never changes the bytes, and old and new code keep understanding each other. \
           Changing a field's number does: to every reader it is then a different field. Edit the example and \
           watch which bytes depend on what."),
    ]
}

// ---- 2 -------------------------------------------------------------------------------------

fn tags(c: &Ctx) -> Vec<Block> {
    let a = c.annotation;
    let wire_types: Vec<String> = (0..8u8)
        .filter_map(WireType::from_bits)
        .map(|w| format!("{} `{}`: {}", w as u8, w.name(), w.meaning()))
        .collect();
    let rows: Vec<Vec<String>> = a
        .roots()
        .filter_map(|id| {
            let tag = part(a, id, is_tag)?;
            let NodeKind::Tag { field, wire_type } = a.node(tag).kind else { return None };
            let value = (u64::from(field) << 3) | wire_type as u64;
            Some(vec![
                field.to_string(),
                format!("({field} << 3) | {} = {value}", wire_type as u8),
                format!("`{}`", to_hex(a.slice(tag))),
                count(a.node(tag).range.len(), "byte"),
            ])
        })
        .collect();
    let one = largest_field_with_tag_len(1);
    let two = largest_field_with_tag_len(2);
    let bits = (one + 1).trailing_zeros();
    vec![
        p("Every record starts with a tag: one varint holding `(field_number << 3) | wire_type`. Its low three \
           bits are the wire type, which tells a reader how many bytes follow even for a field it does not know; \
           the bits above them are the field number."),
        Block::List(wire_types),
        p("The example sets five fields of the same type, so every tag here ends in wire type 0:"),
        Block::Table { head: vec!["field".into(), "tag value".into(), "tag bytes".into(), "size".into()], rows },
        p(format!(
            "A varint byte carries 7 bits of number. Three of them go to the wire type, which leaves {bits} for the \
             field number: fields 1 to {one} fit a one-byte tag, {} to {two} take two bytes and {} upwards three. \
             Give the fields you send most often the numbers 1 to {one}.",
            one + 1,
            two + 1
        )),
    ]
}

// ---- 3 -------------------------------------------------------------------------------------

fn varints(c: &Ctx) -> Vec<Block> {
    let rows: Vec<Vec<String>> = ["1", "127", "128", "300", &(1u64 << 63).to_string()]
        .iter()
        .map(|v| {
            let bytes = c.encode("learn.varints.Varint", &format!(r#"{{"value":"{v}"}}"#));
            let a = c.annotate("learn.varints.Varint", &bytes);
            let value = record(&a, "value").and_then(|r| part(&a, r, is_value));
            let hex = value.map(|id| to_hex(a.slice(id))).unwrap_or_default();
            let n = value.map_or(0, |id| a.node(id).range.len());
            let groups: Vec<String> = value
                .map(|id| a.slice(id).iter().map(|b| format!("{}|{:07b}", b >> 7, b & 0x7f)).collect())
                .unwrap_or_default();
            vec![v.to_string(), format!("`{hex}`"), count(n, "byte"), groups.join(" ")]
        })
        .collect();
    let a = c.annotation;
    let live = record(a, "value").and_then(|r| part(a, r, is_value));
    let live_text = match live {
        Some(id) => format!(
            "In the example, `value` = {} is `{}`, {}: {}.",
            explain::summary(a, id),
            to_hex(a.slice(id)),
            count(a.node(id).range.len(), "byte"),
            explain::explain(a, id).join("; ")
        ),
        None => "In the example `value` is 0, and 0 is not written at all (lesson 7 says why).".into(),
    };
    vec![
        p("A varint writes a number in groups of 7 bits, the lowest group first. Each byte carries one group in \
           its low 7 bits; its top bit, the continuation bit, is 1 when another byte follows and 0 on the last. \
           Small numbers take few bytes, whatever the field's declared width."),
        Block::Table { head: vec!["value".into(), "varint".into(), "size".into(), "continuation|group".into()], rows },
        p(live_text),
        p(format!(
            "The largest number a varint field holds, 2^64 - 1, takes {}: 64 bits in 7-bit groups.",
            count(varint::encoded_len(u64::MAX), "byte")
        )),
    ]
}

// ---- 4 -------------------------------------------------------------------------------------

fn signed(c: &Ctx) -> Vec<Block> {
    let a = c.annotation;
    let describe = |path: &str| {
        let r = record(a, path);
        match r.and_then(|r| part(a, r, is_value)) {
            Some(v) => format!("`{}`, {}", to_hex(a.slice(v)), count(a.node(v).range.len(), "byte")),
            None => "not on the wire (it is 0)".into(),
        }
    };
    let value = |path: &str| {
        record(a, path).and_then(|r| part(a, r, is_value)).map(|v| explain::summary(a, v)).unwrap_or_else(|| "0".into())
    };
    let zigzag = |n: i32| ((n << 1) ^ (n >> 31)) as u32;
    let mapping: Vec<String> = [0, -1, 1, -2, 2].iter().map(|&n| format!("{n} → {}", zigzag(n))).collect();
    let rows: Vec<Vec<String>> = [-1i64, -64, 63, 1000, -1000]
        .iter()
        .map(|v| {
            let len = |field: &str| {
                let bytes = c.encode("learn.signed.Signed", &format!(r#"{{"{field}":{v}}}"#));
                let a = c.annotate("learn.signed.Signed", &bytes);
                part_len(&a, record(&a, field), is_value)
            };
            vec![v.to_string(), count(len("plain"), "byte"), count(len("zigzag"), "byte"), count(len("fixed"), "byte")]
        })
        .collect();
    vec![
        p(format!(
            "`int32` and `int64` write a negative number as the varint of its 64-bit two's complement. Its top \
             bit is set, so every group is needed: `plain` = {} is {}.",
            value("plain"),
            describe("plain")
        )),
        p(format!(
            "`sint32` and `sint64` first fold signed onto unsigned by zigzag, `(n << 1) ^ (n >> 31)`: {}. Small \
             negative numbers stay small: `zigzag` = {} is {}.",
            mapping.join(", "),
            value("zigzag"),
            describe("zigzag")
        )),
        p(format!(
            "`sfixed32` skips varints: always four bytes of two's complement, least significant first. `fixed` = \
             {} is {}.",
            value("fixed"),
            describe("fixed")
        )),
        p("The value bytes of each encoding, tag not counted:"),
        Block::Table { head: vec!["value".into(), "int32".into(), "sint32".into(), "sfixed32".into()], rows },
        p("Use `sint32` for fields that are often negative, `sfixed32` for values that are usually large."),
    ]
}

// ---- 5 -------------------------------------------------------------------------------------

fn length_delimited(c: &Ctx) -> Vec<Block> {
    let a = c.annotation;
    let name = record(a, "name");
    let address = record(a, "address");
    let mut out = vec![p(format!(
        "Wire type {} ({}) is a tag, then a varint length, then that many bytes. The bytes are UTF-8 for a \
         `string`, anything for `bytes`, and for a nested message its own complete encoding, tags and all.",
        WireType::Len as u8,
        WireType::Len.name()
    ))];
    if let Some(name) = name {
        out.push(p(format!(
            "`name` is `{}`: tag `{}`, length `{}`, then {} of text.",
            to_hex(a.slice(name)),
            part_hex(a, Some(name), is_tag),
            part_hex(a, Some(name), is_length),
            count(part_len(a, Some(name), is_value), "byte")
        )));
    }
    if let Some(address) = address {
        let inner = part(a, address, is_value);
        let fields = inner.map_or(0, |m| a.children(m).count());
        out.push(p(format!(
            "`address` is an `Address` message inside the `User`: tag `{}`, length `{}`, then {} holding {} of \
             its own, numbered from 1 again: a nested message has its own field numbers.",
            part_hex(a, Some(address), is_tag),
            part_hex(a, Some(address), is_length),
            count(part_len(a, Some(address), is_value), "byte"),
            count(fields, "field")
        )));
        // The shortest street that makes the address's length prefix two bytes long.
        let prefix_len = |street: usize| {
            let mut m = c.message.cloned()?;
            let mut addr = m.get_field_by_name("address")?.as_message()?.clone();
            addr.set_field_by_name("street", prost_reflect::Value::String("x".repeat(street)));
            m.set_field_by_name("address", prost_reflect::Value::Message(addr));
            let bytes = message::encode(&m);
            let a = c.annotate("userservice.User", &bytes);
            let r = record(&a, "address");
            Some((part_len(&a, r, is_length), part_len(&a, r, is_value), bytes.len()))
        };
        let found = (1..400).find_map(|n| prefix_len(n).filter(|(len, _, _)| *len > 1).map(|x| (n, x)));
        if let Some((n, (_, payload, total))) = found {
            let one = prefix_len(n - 1).map_or(0, |(len, _, _)| len);
            out.push(p(format!(
                "A length is a varint, so it grows too. With a `street` of {} characters the address's payload is \
                 {} and its length prefix takes 2 bytes instead of {one}: the whole message is then {}. Every \
                 enclosing length grows with what it holds; type a longer street in the example and watch the \
                 prefixes change.",
                n,
                count(payload, "byte"),
                count(total, "byte")
            )));
        }
    } else {
        out.push(p("Add an `address` to the example to see a message nested inside another."));
    }
    out
}

// ---- 6 -------------------------------------------------------------------------------------

fn repeated(c: &Ctx) -> Vec<Block> {
    let a = c.annotation;
    let mut out = Vec::new();
    let tags = records_of(a, 2);
    out.push(p(format!(
        "A repeated field of strings or messages is its record written again for each element, in order: \
         `tags` is {}{}.",
        count(tags.len(), "record"),
        if tags.is_empty() {
            String::new()
        } else {
            format!(": {}", tags.iter().map(|&t| format!("`{}`", to_hex(a.slice(t)))).collect::<Vec<_>>().join(", "))
        }
    )));
    let numbers = records_of(a, 1).first().copied();
    let packed_values = numbers.and_then(|r| part(a, r, |k| matches!(k, NodeKind::Packed)));
    if let (Some(r), Some(values)) = (numbers, packed_values) {
        let n = a.children(values).count();
        // The same list in the twin message that declares it `[packed = false]`.
        let unpacked = c
            .descriptor("learn.collections.Unpacked")
            .zip(c.message)
            .map(|(d, m)| {
                let mut u = prost_reflect::DynamicMessage::new(d);
                if let Some(v) = m.get_field_by_name("numbers") {
                    u.set_field_by_name("numbers", v.into_owned());
                }
                message::encode(&u)
            })
            .unwrap_or_default();
        out.push(p(format!(
            "Repeated numbers are packed (the proto3 default): one tag, one length, then the {} values back to back. \
             `numbers` is `{}`, {}. Unpacked, with a tag before every value, the same list is `{}`, {}.",
            n,
            to_hex(a.slice(r)),
            count(a.node(r).range.len(), "byte"),
            to_hex(&unpacked),
            count(unpacked.len(), "byte")
        )));
    }
    let entries = records_of(a, 3);
    if let Some(&first) = entries.first() {
        let entry = part(a, first, is_value);
        let inner: Vec<String> = entry
            .map(|m| a.children(m).map(|f| format!("`{}` ({})", to_hex(a.slice(f)), explain::summary(a, f))).collect())
            .unwrap_or_default();
        out.push(p(format!(
            "A map is a repeated message of entries, the key as field 1 and the value as field 2: `counts` is {}. \
             The first is `{}`, an entry message holding {}. On the wire it is exactly a `repeated CountsEntry \
             counts = 3`.",
            count(entries.len(), "entry record"),
            to_hex(a.slice(first)),
            inner.join(" and ")
        )));
    }
    // Both members of the oneof, one after the other: a reader keeps the last.
    let both = [
        c.encode("learn.collections.Collections", r#"{"email":"a@b.c"}"#),
        c.encode("learn.collections.Collections", r#"{"phone":"555"}"#),
    ]
    .concat();
    let read = json_of(&c.annotate("learn.collections.Collections", &both));
    let set = ["email", "phone"].into_iter().find(|f| record(a, f).is_some());
    out.push(p(format!(
        "A oneof has no wire format of its own: only the member that is set is written{}. Bytes that hold \
         two members, like `{}`, are read as the last one: `{read}`.",
        set.map(|f| format!(" (here `{f}`: `{}`)", record_hex(a, f))).unwrap_or_default(),
        to_hex(&both)
    )));
    out
}

// ---- 7 -------------------------------------------------------------------------------------

fn presence(c: &Ctx) -> Vec<Block> {
    let a = c.annotation;
    let present: Vec<String> = a
        .roots()
        .filter_map(|id| a.field_of(id).and_then(|(_, f)| f.descriptor()).map(|fd| format!("`{}`", fd.name())))
        .collect();
    let absent: Vec<String> = a
        .message()
        .map(|d| d.fields().filter(|fd| record(a, fd.name()).is_none()).map(|fd| format!("`{}`", fd.name())).collect())
        .unwrap_or_default();
    let count_one = c.encode("learn.presence.Presence", r#"{"count":1}"#);
    let mut out = vec![
        p("In proto3 a field that holds its default (0, an empty string, false, the first enum value, an empty \
           list) is not written. A reader that finds no record fills in the default, so writing it would be \
           bytes spent on nothing."),
        p(format!(
            "The example is {}: `{}`. On the wire: {}. Left out, because they hold their defaults: {}.",
            count(c.bytes.len(), "byte"),
            to_hex(c.bytes),
            if present.is_empty() { "nothing".into() } else { present.join(", ") },
            if absent.is_empty() { "nothing".into() } else { absent.join(", ") },
        )),
        p(format!(
            "The price: a reader cannot tell a 0 that was sent from a field never set. Set `count` to 1 and it \
             appears (`{}`); set it back to 0 and it is gone again.",
            to_hex(&count_one)
        )),
    ];
    let limit = record(a, "limit");
    out.push(p(match limit {
        Some(r) => format!(
            "`optional` gives a field presence: it is written whenever it is set, even to its default. That is \
             why `limit` = {} is on the wire: `{}`. Remove `limit` from the JSON and its bytes go.",
            part(a, r, is_value).map(|v| explain::summary(a, v)).unwrap_or_default(),
            to_hex(a.slice(r))
        ),
        None => "`optional` gives a field presence: it is written whenever it is set, even to its default. Set \
                 `limit` to 0 in the example and it appears on the wire."
            .into(),
    }));
    out
}

// ---- 8 -------------------------------------------------------------------------------------

fn json(c: &Ctx) -> Vec<Block> {
    let Some(m) = c.message else { return vec![p("The example does not encode.")] };
    let Ok(cmp) = compare::compare(m) else { return vec![p("The example has no JSON form.")] };
    let s = cmp.sizes;
    let hand = message::to_json(m, JsonStyle::HAND_WRITTEN).unwrap_or_default();
    let rows: Vec<Vec<String>> = cmp
        .fields
        .iter()
        .map(|f| {
            vec![
                format!("`{}`", f.name),
                format!("{} ({} framing)", f.protobuf, f.protobuf_framing),
                format!("{} ({} key)", f.json, f.json_key),
            ]
        })
        .collect();
    let keys: usize = cmp.fields.iter().map(|f| f.json_key).sum();
    let framing: usize = cmp.fields.iter().map(|f| f.protobuf_framing).sum();
    let ratio = s.json_hand_written as f64 / s.protobuf.max(1) as f64;
    let enum_note = record(c.annotation, "status").and_then(|r| {
        let v = part(c.annotation, r, is_value)?;
        let f = cmp.fields.iter().find(|f| f.name == "status")?;
        Some(format!(
            " An enum is a varint of its number: `status` takes {} of value in protobuf and {} in JSON, its name \
             in quotes.",
            count(c.annotation.node(v).range.len(), "byte"),
            count(f.json - f.json_key, "byte")
        ))
    });
    vec![
        p(format!(
            "The reference user written as JSON the way the reference does, `{hand}`, is {}. Its protobuf \
             encoding is {}: {ratio:.1} times smaller.",
            count(s.json_hand_written, "byte"),
            count(s.protobuf, "byte")
        )),
        p("Field by field, protobuf's bytes (of which tags and lengths) against canonical JSON's `\"key\":value` \
           (of which the quoted key and its colon):"),
        Block::Table { head: vec!["field".into(), "protobuf".into(), "JSON".into()], rows },
        p(format!(
            "The keys are spelled out in every message: {} here, against {} of tags and lengths. JSON also \
             spends {} on braces and commas, and canonical JSON quotes 64-bit integers (`\"42\"`), which makes \
             it {} in all.{}",
            count(keys, "byte"),
            count(framing, "byte"),
            count(cmp.json_punctuation, "byte"),
            count(s.json, "byte"),
            enum_note.unwrap_or_default()
        )),
        p(format!(
            "Compression narrows the gap on large messages, but a message this small only gains gzip's header and \
             trailer: gzip'd, the JSON is {} and the protobuf {}.",
            count(
                compare::gzip_len(message::to_json(m, JsonStyle::HAND_WRITTEN).unwrap_or_default().as_bytes()),
                "byte"
            ),
            count(compare::gzip_len(c.bytes), "byte")
        )),
        p("Size is half of it; the other half is the time to encode and decode. The reference claims protobuf \
           is typically 3-10x smaller and 20-100x faster. The benchmark tab checks that in your browser, on this \
           user, pages of 1 to 10,000 users, numbers, strings and your own message: prost, prost-reflect, \
           serde_json and the browser's own JSON.parse/JSON.stringify, each both ways, timed in batches with \
           the median and spread shown (`cargo xtask bench codec` runs the same natively). Read it with its \
           caveats: the JSON side decodes into structs that know their shape in advance, the fairest case for \
           JSON; a busy machine moves single figures by tens of percent; and another language or your own \
           messages will give other numbers. On the workloads in BENCHMARKS.md the claim's large factors show up \
           only when decoding numbers. Measure your own before deciding."),
    ]
}

// ---- 9 -------------------------------------------------------------------------------------

/// What the compiler says of a schema that gives reserved number 3 to a new field, quoted by the
/// evolution lesson: a test compiles one and compares, so Learn mode carries no compiler.
pub(super) const REUSE_REFUSED: &str = "reuse.proto:3:12: field number '3' conflicts with reserved range '3 to 3'";

fn evolution(c: &Ctx) -> Vec<Block> {
    let as_v2 = c.annotate("examples.evolution.v2.User", c.bytes);
    let v2_json = json_of(&as_v2);
    let unknown = |a: &Annotation| -> Vec<String> {
        a.roots()
            .filter_map(|id| match &a.node(id).kind {
                NodeKind::Field(f) if f.is_unknown() => {
                    Some(format!("field {} (`{}`)", f.number(), to_hex(a.slice(id))))
                }
                _ => None,
            })
            .collect()
    };
    let reserved =
        as_v2.diagnostics().iter().map(|d| d.message.clone()).filter(|m| m.contains("reserved")).collect::<Vec<_>>();
    let v2_bytes = c.encode("examples.evolution.v2.User", r#"{"id":"42","name":"Alice","phone":"+1 555 0100"}"#);
    let as_v1 = c.annotate("examples.evolution.v1.User", &v2_bytes);
    let u2 = unknown(&as_v2);
    let u1 = unknown(&as_v1);
    vec![
        p("Code built from different versions of a schema keeps working together as long as every field number \
           keeps its meaning. Add fields with new numbers; never reuse a number for something else."),
        p(format!(
            "Old bytes, new reader. The example is v1 `User` bytes. A v2 reader, which no longer has `email`, reads \
             them as `{v2_json}` and keeps {} as an unknown field, which it writes back out if it re-encodes the \
             message.{}",
            if u2.is_empty() { "nothing".to_owned() } else { u2.join(", ") },
            if reserved.is_empty() { String::new() } else { format!(" Its note: {}.", reserved.join("; ")) }
        )),
        p(format!(
            "New bytes, old reader. v2 bytes with a `phone`, `{}`, read with v1 give `{}`: v1 skips {} it does not \
             know, using the wire type to find its end, and a new field read by old code simply stays at its default.",
            to_hex(&v2_bytes),
            json_of(&as_v1),
            if u1.is_empty() { "nothing".to_owned() } else { u1.join(", ") }
        )),
        p(format!(
            "v2 marks the removed field `reserved 3;` and `reserved \"email\";`. The number must never come back: \
             old writers still send an email as field 3, and a new field 3 would read it as its own value. The \
             compiler enforces it; a schema that reuses 3 is refused: `{REUSE_REFUSED}`. The name is reserved too, \
             because JSON and text format identify fields by name."
        )),
    ]
}

// ---- 10 ------------------------------------------------------------------------------------

fn grpc(c: &Ctx) -> Vec<Block> {
    let service = c.schema.pool().services().find(|s| s.name() == "UserService");
    let kinds: Vec<Vec<String>> = service
        .map(|s| {
            s.methods()
                .map(|m| {
                    let (kind, web) = match (m.is_client_streaming(), m.is_server_streaming()) {
                        (false, false) => ("unary: one request, one response", "yes"),
                        (false, true) => ("server streaming: one request, a stream of responses", "yes"),
                        (true, false) => ("client streaming: a stream of requests, one response", "no"),
                        (true, true) => ("bidirectional: two independent streams", "no"),
                    };
                    vec![format!("`{}`", m.name()), kind.into(), web.into()]
                })
                .collect()
        })
        .unwrap_or_default();
    let frame = grpcweb::frame(0, c.bytes);
    let codes: Vec<Vec<String>> = status::CODES
        .iter()
        .map(|code| {
            vec![
                code.number.to_string(),
                format!("`{}`", code.name),
                code.meaning.into(),
                code.http.map(|h| h.to_string()).unwrap_or_else(|| "none".into()),
            ]
        })
        .collect();
    let unauthenticated = status::by_name("UNAUTHENTICATED").map(|s| s.number).unwrap_or_default();
    let deadline = status::by_name("DEADLINE_EXCEEDED").map(|s| s.number).unwrap_or_default();
    vec![
        p("gRPC is remote procedure calls over HTTP/2 with protobuf messages. The service in the schema names four \
           methods, one of each kind of call:"),
        Block::Table { head: vec!["method".into(), "kind".into(), "from a browser".into()], rows: kinds },
        p("A browser page cannot speak gRPC itself: it has no access to HTTP/2 frames or trailers, and `fetch` \
           sends its whole request body before the response begins. grpc-web works around it by putting the \
           frames in an ordinary HTTP body and the trailers in a last frame of that body, which carries unary and \
           server-streaming calls. Client and bidirectional streaming need a native client, such as \
           `wirelens call`."),
        p(format!(
            "Every message travels in a frame: a flag byte, a 4-byte big-endian length, then the message. The \
             request below is {}, so its frame is {}: `{}`. The answer ends with a frame flagged `{:02X}` that \
             holds the status as text (`grpc-status`, `grpc-message`).",
            count(c.bytes.len(), "byte"),
            count(frame.len(), "byte"),
            to_hex(&frame),
            grpcweb::FLAG_TRAILERS
        )),
        p("Every call ends with a status code. They are not HTTP's, though many have an HTTP counterpart:"),
        Block::Table { head: vec!["code".into(), "name".into(), "meaning".into(), "HTTP".into()], rows: codes },
        p(format!(
            "Deadlines: the client says how long it will wait, in the `grpc-timeout` header (`{}` is 500 ms). The \
             server stops work when it passes and answers `DEADLINE_EXCEEDED` ({deadline}); a server calling \
             another service hands on the time that is left, so a whole chain of calls gives up together instead \
             of piling up.",
            grpcweb::grpc_timeout(500)
        )),
        p(format!(
            "Interceptors run before every method, as middleware does for REST. The server here checks the \
             `authorization` header in one: a call without the token ends `UNAUTHENTICATED` ({unauthenticated}) \
             before `GetUser` runs."
        )),
        p("HTTP/2 multiplexing: every call is a stream of its own on one connection, and the frames of many \
           streams interleave, so ten concurrent calls need one TCP connection, not ten. HPACK compresses the \
           headers: both ends keep a table of header fields already sent, and a repeated `authorization` or \
           `content-type` costs an index of a byte or two instead of its text. The browser hides these frames \
           from a page; what it can show, the grpc-web body frame by frame, is in the gRPC tab, and \
           `wirelens call --repeat 1000 --concurrency 16` multiplexes calls on one connection."),
        p("Use the buttons to make the calls in the gRPC tab: a unary `GetUser`, a streaming `ListUsers` whose \
           messages arrive one by one, a call without a token, and gRPC against its REST twin, measured."),
    ]
}
