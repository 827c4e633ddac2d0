use expect_test::{expect, expect_file};

use super::check::{self, Verdict};
use super::*;

/// A lesson's example as it opens: its schema and bytes.
fn opened(slug: &str) -> (&'static Lesson, Schema, Vec<u8>) {
    let lesson = Lesson::by_slug(slug).unwrap();
    let schema = lesson.schema();
    let desc = schema.message(lesson.message).unwrap();
    let bytes = message::encode(&message::parse_json(&desc, lesson.json).unwrap());
    (lesson, schema, bytes)
}

/// The lesson's text as plain lines.
fn text(slug: &str) -> String {
    let (lesson, schema, bytes) = opened(slug);
    render(&lesson.text(&schema, &bytes))
}

fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Para(text) => out += &format!("{text}\n"),
            Block::List(items) => items.iter().for_each(|i| out += &format!("  - {i}\n")),
            Block::Table { head, rows } => {
                out += &format!("  | {} |\n", head.join(" | "));
                rows.iter().for_each(|r| out += &format!("  | {} |\n", r.join(" | ")));
            }
        }
    }
    out
}

#[test]
fn every_lesson_compiles_and_its_messages_parse() {
    for lesson in LESSONS {
        let schema = lesson.schema();
        let desc = schema.message(lesson.message).unwrap();
        message::parse_json(&desc, lesson.json).unwrap_or_else(|e| panic!("{}: {e}", lesson.slug));
        assert!(!lesson.exercise.message_bytes(&schema).is_empty(), "{}: exercise", lesson.slug);
        for shown in lesson.shown {
            assert!(lesson.files.iter().any(|(name, _)| name == shown), "{}: {shown}", lesson.slug);
        }
        assert_eq!(Lesson::by_slug(lesson.slug), Some(lesson));
    }
    assert_eq!(LESSONS.len(), 10);
}

/// Every lesson's text as it opens, in one file to read (bless with `UPDATE_EXPECT=1`). A text
/// that quoted a number the encoding does not give would show here as a diff.
#[test]
fn lesson_texts() {
    let all: String = LESSONS
        .iter()
        .map(|l| format!("## {} ({})\n{}\nexercise: {}\n\n", l.title, l.slug, text(l.slug), l.exercise.prompt()))
        .collect();
    expect_file!["lessons.snapshot.txt"].assert_eq(&all);
}

#[test]
fn renamed_fields_give_identical_bytes() {
    let t = text("field-numbers");
    assert!(t.contains("`08 2A 12 05 41 6C 69 63 65`"), "{t}");
    assert!(t.contains(r#"`{"personId":"42","displayName":"Alice"}`"#), "{t}");
    assert!(t.contains("the same bytes, every one of them"), "{t}");
}

#[test]
fn tags_of_one_two_and_three_bytes() {
    let t = text("tags");
    for row in ["| 15 | (15 << 3) | 0 = 120 | `78` | 1 byte |", "| 16 | (16 << 3) | 0 = 128 | `80 01` | 2 bytes |"] {
        assert!(t.contains(row), "{row} in {t}");
    }
    assert!(t.contains("| 2048 | (2048 << 3) | 0 = 16384 | `80 80 01` | 3 bytes |"), "{t}");
    assert!(t.contains("fields 1 to 15 fit a one-byte tag, 16 to 2047 take two bytes and 2048 upwards three"), "{t}");
}

#[test]
fn varints_of_the_reference_values() {
    let t = text("varints");
    for row in [
        "| 1 | `01` | 1 byte |",
        "| 127 | `7F` | 1 byte |",
        "| 128 | `80 01` | 2 bytes |",
        "| 300 | `AC 02` | 2 bytes |",
        "| 9223372036854775808 | `80 80 80 80 80 80 80 80 80 01` | 10 bytes |",
    ] {
        assert!(t.contains(row), "{row} in {t}");
    }
    assert!(t.contains("44 + 2 × 128 = 300"), "{t}");
}

#[test]
fn a_negative_int32_takes_ten_bytes() {
    let t = text("signed");
    assert!(t.contains("`plain` = -1 is `FF FF FF FF FF FF FF FF FF 01`, 10 bytes"), "{t}");
    assert!(t.contains("`zigzag` = -1 (zigzag 1) is `01`, 1 byte"), "{t}");
    assert!(t.contains("is `FF FF FF FF`, 4 bytes"), "{t}");
}

#[test]
fn the_reference_user_is_43_bytes_against_95() {
    let t = text("json");
    assert!(t.contains("is 95 bytes. Its protobuf encoding is 43 bytes"), "{t}");
}

#[test]
fn texts_follow_the_edited_example() {
    let lesson = Lesson::by_slug("varints").unwrap();
    let schema = lesson.schema();
    let desc = schema.message(lesson.message).unwrap();
    let bytes = message::encode(&message::parse_json(&desc, r#"{"value":"1"}"#).unwrap());
    let t = render(&lesson.text(&schema, &bytes));
    assert!(t.contains("In the example, `value` = 1 is `01`, 1 byte"), "{t}");
}

#[test]
fn routes() {
    assert_eq!(route("#learn/varints"), Route::Lesson("varints"));
    assert_eq!(route("learn/varints/"), Route::Lesson("varints"));
    assert_eq!(route("#learn"), Route::Lessons);
    assert_eq!(route("#learn/"), Route::Lessons);
    assert_eq!(route("#learn/nope"), Route::Unknown("there is no lesson 'nope'".into()));
    assert_eq!(route("#learned"), Route::NotLearn);
    assert_eq!(route("#v1.abc"), Route::NotLearn);
    assert_eq!(route(""), Route::NotLearn);
    assert_eq!(Lesson::by_slug("grpc").unwrap().fragment(), "learn/grpc");
    for fragment in
        ["#learn/varints", "learn/varints/", "#learn", "#learn/", "#learn/nope", "#learned", "#v1.abc", "", "#"]
    {
        assert_eq!(is_route(fragment), route(fragment) != Route::NotLearn, "{fragment:?}");
    }
}

/// Checks an answer to a lesson's exercise, as the app does.
fn answer(slug: &str, hex: &str) -> Verdict {
    let (lesson, schema, _) = opened(slug);
    let a = lesson.exercise.annotation(&schema);
    match lesson.exercise.kind {
        ExerciseKind::PredictFrame => {
            let frame = crate::grpcweb::frame(0, a.bytes());
            check::check_bytes(&frame, hex, |o| check::describe_frame_byte(&a, o))
        }
        _ => check::check_bytes(a.bytes(), hex, |o| check::describe_byte(&a, o)),
    }
}

#[test]
fn predict_the_bytes() {
    let verdicts: String = [
        ("varints", "08 96 01"),
        ("varints", "08 96 02"),
        ("varints", "08 96"),
        ("varints", "08 96 01 00"),
        ("varints", "08 9G"),
        ("field-numbers", "08 01 12 02 41 6c"),
        ("field-numbers", "08 01 12 03 41 6c"),
        ("tags", "80 01 01"),
        ("tags", "78 01"),
        ("signed", "10 03"),
        ("signed", "08 FE FF FF FF FF FF FF FF FF 01"),
        ("repeated", "0A 03 01 02 03"),
        ("repeated", "08 01 08 02 08 03"),
        ("presence", "10 00"),
        ("presence", ""),
        ("grpc", "00 00 00 00 02 08 2A"),
        ("grpc", "00 02 00 00 00 08 2A"),
        ("grpc", "00 00 00 00 02 08 2B"),
    ]
    .iter()
    .map(|(slug, hex)| format!("{slug} {hex:?}: {}\n", answer(slug, hex)))
    .collect();
    expect![[r#"
        varints "08 96 01": correct
        varints "08 96 02": byte 2 should be 01, not 02: it is part of `value` (field 1 value: uint64): 150
        varints "08 96": byte 2 is missing: it should be 01, part of `value` (field 1 value: uint64): 150
        varints "08 96 01 00": byte 3 (00) is one too many: the encoding ends before it, after part of `value` (field 1 value: uint64): 150
        varints "08 9G": not hex: invalid hex digit 'G' at line 1, column 5
        field-numbers "08 01 12 02 41 6c": correct
        field-numbers "08 01 12 03 41 6c": byte 3 should be 02, not 03: it is part of `name` (field 2 name: string): length 2
        tags "80 01 01": correct
        tags "78 01": byte 0 should be 80, not 78: it is part of `c` (field 16 c: int32): tag: field 16, wire type 0 VARINT
        signed "10 03": correct
        signed "08 FE FF FF FF FF FF FF FF FF 01": byte 0 should be 10, not 08: it is part of `zigzag` (field 2 zigzag: sint32): tag: field 2, wire type 0 VARINT
        repeated "0A 03 01 02 03": correct
        repeated "08 01 08 02 08 03": byte 0 should be 0A, not 08: it is part of `numbers[0]` (field 1 numbers: repeated int32): tag: field 1, wire type 2 LEN
        presence "10 00": correct
        presence "": byte 0 is missing: it should be 10, part of `limit` (field 2 limit: int32): tag: field 2, wire type 0 VARINT
        grpc "00 00 00 00 02 08 2A": correct
        grpc "00 02 00 00 00 08 2A": byte 1 should be 00, not 02: it is byte 1 of the message length, a 4-byte big-endian number: 00 00 00 02 = 2
        grpc "00 00 00 00 02 08 2B": byte 6 should be 2A, not 2B: it is message byte 1, part of `user_id` (field 1 user_id: int64): 42
    "#]]
    .assert_eq(&verdicts);
}

#[test]
fn find_the_field() {
    let (lesson, schema, _) = opened("length-delimited");
    let a = lesson.exercise.annotation(&schema);
    let ExerciseKind::FindField { path, .. } = lesson.exercise.kind else { panic!("a find-the-field exercise") };
    let city = (0..a.bytes().len()).filter(|&o| check::check_click(&a, path, o).is_correct()).collect::<Vec<_>>();
    let expected: Vec<usize> = {
        let r = (0..a.nodes().len()).find(|&id| a.path(id) == "address.city").unwrap();
        a.node(r).range.clone().collect()
    };
    assert_eq!(city, expected);
    expect![[
        r#"byte 0 is not in that field: it is part of `id` (field 1 id: int64): tag: field 1, wire type 0 VARINT"#
    ]]
    .assert_eq(&check::check_click(&a, path, 0).to_string());
    // A repeated field named without an index: any element counts.
    let (_, schema, bytes) = opened("json");
    let a = crate::wire::annotate(&bytes, schema.message("userservice.User").ok().as_ref());
    let roles = (0..bytes.len()).filter(|&o| check::check_click(&a, "roles", o).is_correct()).count();
    assert_eq!(roles, 13);
}

#[test]
fn the_evolution_lesson_quotes_what_the_compiler_says_of_a_reused_number() {
    let reuse = "syntax = \"proto3\";\nmessage User {\n  reserved 3;\n  string phone = 3;\n}\n";
    let problems = match crate::schema::Schema::compile(&[("reuse.proto", reuse)]) {
        Err(e) => e.problems().to_vec(),
        Ok(_) => panic!("a schema that reuses a reserved number compiles"),
    };
    assert_eq!(problems.first().map(|p| p.to_string()).as_deref(), Some(lessons::REUSE_REFUSED));
}
