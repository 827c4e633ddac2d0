//! The annotator, case by case: every wire-format kind and edge, through one
//! `check` function with snapshots (bless with `UPDATE_EXPECT=1`).

use expect_test::{Expect, expect};
use wirelens_core::{examples, explain, input, schema::Schema, wire};

/// Annotates `hex` (schema-less, or as `message` of the reference or an example schema) and
/// compares the listing. Also checks the tiling invariant on every case.
fn check(hex: &str, message: Option<(&str, &str)>, expect: Expect) {
    let bytes = input::parse_bytes(hex, input::InputFormat::Hex).unwrap();
    let desc = message
        .map(|(example, name)| examples::Example::by_id(example).unwrap().schema().unwrap().message(name).unwrap());
    let a = wire::annotate(&bytes, desc.as_ref());
    assert_tiles(&a);
    expect.assert_eq(&explain::listing(&a));
}

fn assert_tiles(a: &wire::Annotation) {
    let mut next = 0;
    for leaf in a.leaves() {
        let range = &a.node(leaf).range;
        assert_eq!(range.start, next, "leaves must tile the input");
        next = range.end;
    }
    assert_eq!(next, a.bytes().len());
}

const USER: Option<(&str, &str)> = Some(("reference", "userservice.User"));
const SCALARS: Option<(&str, &str)> = Some(("scalars", "examples.scalars.Scalars"));

#[test]
fn reference_field_1_is_08_2a() {
    check(
        "08 2A",
        USER,
        expect![[r#"
        0                               field 1 id: int64
        0      08                         tag: field 1, wire type 0 VARINT
        1      2A                         42
    "#]],
    );
}

#[test]
fn reference_alice() {
    check(
        "12 05 41 6C 69 63 65",
        USER,
        expect![[r#"
        0                               field 2 name: string
        0      12                         tag: field 2, wire type 2 LEN
        1      05                         length 5
        2      41 6C 69 63 65             "Alice"
    "#]],
    );
}

#[test]
fn reference_user_schema_less() {
    check(
        "08 2A 12 05 41 6C 69 63 65 1A 11 61 6C 69 63 65 40 65 78 61 6D 70 6C 65 2E 63 6F 6D 22 05 61 64 6D 69 6E 22 04 75 73 65 72 30 01",
        None,
        expect![[r#"
        0                               field 1: varint
        0      08                         tag: field 1, wire type 0 VARINT
        1      2A                         42
        2                               field 2: string  [could also be: bytes, packed varints]
        2      12                         tag: field 2, wire type 2 LEN
        3      05                         length 5
        4      41 6C 69 63 65             "Alice"
        9                               field 3: string  [could also be: bytes, packed varints]
        9      1A                         tag: field 3, wire type 2 LEN
        10     11                         length 17
        11     61 6C 69 63 65 40 65 …     "alice@example.com"
        28                              field 4: string  [could also be: bytes, packed varints]
        28     22                         tag: field 4, wire type 2 LEN
        29     05                         length 5
        30     61 64 6D 69 6E             "admin"
        35                              field 4: string  [could also be: bytes, packed varints, packed fixed32]
        35     22                         tag: field 4, wire type 2 LEN
        36     04                         length 4
        37     75 73 65 72                "user"
        41                              field 6: varint
        41     30                         tag: field 6, wire type 0 VARINT
        42     01                         1
    "#]],
    );
}

#[test]
fn nested_address() {
    check(
        "2A 07 12 05 50 61 72 69 73",
        USER,
        expect![[r#"
        0                               field 5 address: userservice.Address
        0      2A                         tag: field 5, wire type 2 LEN
        1      07                         length 7
        2                                 message userservice.Address
        2                                   field 2 city: string
        2      12                             tag: field 2, wire type 2 LEN
        3      05                             length 5
        4      50 61 72 69 73                 "Paris"
    "#]],
    );
}

#[test]
fn tags_of_one_to_five_bytes() {
    // fields 1, 15, 16, 2047, 2048, 536870911 (schema-less varints of 1)
    check(
        "08 01 78 01 80 01 01 F8 7F 01 80 80 01 01 F8 FF FF FF 0F 01",
        None,
        expect![[r#"
        0                               field 1: varint
        0      08                         tag: field 1, wire type 0 VARINT
        1      01                         1
        2                               field 15: varint
        2      78                         tag: field 15, wire type 0 VARINT
        3      01                         1
        4                               field 16: varint
        4      80 01                      tag: field 16, wire type 0 VARINT
        6      01                         1
        7                               field 2047: varint
        7      F8 7F                      tag: field 2047, wire type 0 VARINT
        9      01                         1
        10                              field 2048: varint
        10     80 80 01                   tag: field 2048, wire type 0 VARINT
        13     01                         1
        14                              field 536870911: varint
        14     F8 FF FF FF 0F             tag: field 536870911, wire type 0 VARINT
        19     01                         1
    "#]],
    );
}

#[test]
fn negative_int32_takes_ten_bytes_and_sint32_minus_one_is_01() {
    check(
        "08 FF FF FF FF FF FF FF FF FF 01 28 01",
        SCALARS,
        expect![[r#"
        0                               field 1 int32_value: int32
        0      08                         tag: field 1, wire type 0 VARINT
        1      FF FF FF FF FF FF FF …     -1
        11                              field 5 sint32_value: sint32
        11     28                         tag: field 5, wire type 0 VARINT
        12     01                         -1 (zigzag 1)
    "#]],
    );
}

#[test]
fn uint64_max_and_fixed_width_values() {
    check(
        "20 FF FF FF FF FF FF FF FF FF 01 3D 2A 00 00 00 41 01 00 00 00 00 00 00 00 4D FE FF FF FF",
        SCALARS,
        expect![[r#"
        0                               field 4 uint64_value: uint64
        0      20                         tag: field 4, wire type 0 VARINT
        1      FF FF FF FF FF FF FF …     18446744073709551615
        11                              field 7 fixed32_value: fixed32
        11     3D                         tag: field 7, wire type 5 I32
        12     2A 00 00 00                42
        16                              field 8 fixed64_value: fixed64
        16     41                         tag: field 8, wire type 1 I64
        17     01 00 00 00 00 00 00 00    1
        25                              field 9 sfixed32_value: sfixed32
        25     4D                         tag: field 9, wire type 5 I32
        26     FE FF FF FF                -2
    "#]],
    );
}

#[test]
fn float_nan_and_negative_zero() {
    check(
        "5D 00 00 C0 7F 61 00 00 00 00 00 00 00 80",
        SCALARS,
        expect![[r#"
        0                               field 11 float_value: float
        0      5D                         tag: field 11, wire type 5 I32
        1      00 00 C0 7F                NaN
        5                               field 12 double_value: double
        5      61                         tag: field 12, wire type 1 I64
        6      00 00 00 00 00 00 00 80    -0
    "#]],
    );
}

#[test]
fn empty_string_is_on_the_wire_absent_is_not() {
    check(
        "72 00",
        SCALARS,
        expect![[r#"
        0                               field 14 string_value: string
        0      72                         tag: field 14, wire type 2 LEN
        1      00                         length 0
        2                                 ""
    "#]],
    );
    check("", SCALARS, expect![[r#""#]]);
}

#[test]
fn packed_unpacked_and_split() {
    check(
        "0A 03 01 AC 02",
        Some(("packed", "examples.packed.Packed")),
        expect![[r#"
        0                               field 1 int32s: repeated int32
        0      0A                         tag: field 1, wire type 2 LEN
        1      03                         length 3
        2                                 packed: 2 elements
        2      01                           1
        3      AC 02                        300
    "#]],
    );
    check(
        "08 01 08 AC 02",
        Some(("packed", "examples.packed.Packed")),
        expect![[r#"
        0                               field 1 int32s: repeated int32  [declared packed, written unpacked]
        0      08                         tag: field 1, wire type 0 VARINT
        1      01                         1
        2                               field 1 int32s: repeated int32  [declared packed, written unpacked]
        2      08                         tag: field 1, wire type 0 VARINT
        3      AC 02                      300
    "#]],
    );
    check(
        "0A 01 01 0A 02 AC 02",
        Some(("packed", "examples.packed.Packed")),
        expect![[r#"
        0                               field 1 int32s: repeated int32
        0      0A                         tag: field 1, wire type 2 LEN
        1      01                         length 1
        2                                 packed: 1 element
        2      01                           1
        3                               field 1 int32s: repeated int32  [packed field continued in another record]
        3      0A                         tag: field 1, wire type 2 LEN
        4      02                         length 2
        5                                 packed: 1 element
        5      AC 02                        300
    "#]],
    );
    check(
        "1A 05 01 00 00 00 02",
        Some(("packed", "examples.packed.Packed")),
        expect![[r#"
        0                               field 3 fixed32s: repeated fixed32
        0      1A                         tag: field 3, wire type 2 LEN
        1      05                         length 5
        2                                 packed: 1 element
        2      01 00 00 00                  1
        6      02                           invalid: 1 byte left over: packed 32-bit elements take 4 bytes each
        error at byte 6: 1 byte left over: packed 32-bit elements take 4 bytes each
    "#]],
    );
}

#[test]
fn map_entries() {
    check(
        "0A 0A 0A 06 61 70 70 6C 65 73 10 03",
        Some(("maps", "examples.maps.Maps")),
        expect![[r#"
        0                               field 1 counts: map<string, int32>
        0      0A                         tag: field 1, wire type 2 LEN
        1      0A                         length 10
        2                                 message examples.maps.Maps.CountsEntry
        2                                   field 1 key: string
        2      0A                             tag: field 1, wire type 2 LEN
        3      06                             length 6
        4      61 70 70 6C 65 73              "apples"
        10                                  field 2 value: int32
        10     10                             tag: field 2, wire type 0 VARINT
        11     03                             3
    "#]],
    );
}

#[test]
fn groups_with_and_without_schema() {
    check(
        "08 01 3B 42 03 35 35 35 48 01 3C",
        Some(("proto2", "examples.proto2.Profile")),
        expect![[r#"
        0                               field 1 id: int64
        0      08                         tag: field 1, wire type 0 VARINT
        1      01                         1
        2                               field 7 phone: repeated examples.proto2.Profile.Phone
        2      3B                         tag: field 7, wire type 3 SGROUP
        3                                 message examples.proto2.Profile.Phone
        3                                   field 8 number: string
        3      42                             tag: field 8, wire type 2 LEN
        4      03                             length 3
        5      35 35 35                       "555"
        8                                   field 9 mobile: bool
        8      48                             tag: field 9, wire type 0 VARINT
        9      01                             true
        10     3C                         tag: end of group field 7, wire type 4 EGROUP
    "#]],
    );
    check(
        "3B 42 03 35 35 35 3C",
        None,
        expect![[r#"
        0                               field 7: group
        0      3B                         tag: field 7, wire type 3 SGROUP
        1                                 message (read without a schema)
        1                                   field 8: string  [could also be: bytes, packed varints]
        1      42                             tag: field 8, wire type 2 LEN
        2      03                             length 3
        3      35 35 35                       "555"
        6      3C                         tag: end of group field 7, wire type 4 EGROUP
    "#]],
    );
    check(
        "3B 42 03 35 35 35",
        None,
        expect![[r#"
        0                               field 7: group
        0      3B                         tag: field 7, wire type 3 SGROUP
        1                                 message (read without a schema)
        1                                   field 8: string  [could also be: bytes, packed varints]
        1      42                             tag: field 8, wire type 2 LEN
        2      03                             length 3
        3      35 35 35                       "555"
        error at byte 6: group 7 has no end-group tag before the end of its enclosing message
    "#]],
    );
    check(
        "3C",
        None,
        expect![[r#"
        0      3C                       invalid: end-group tag for field 7 without a matching start-group tag
        error at byte 0: end-group tag for field 7 without a matching start-group tag
    "#]],
    );
}

#[test]
fn unknown_fields_and_wire_type_mismatch() {
    check(
        "08 2A 38 07 4A 02 08 01",
        USER,
        expect![[r#"
        0                               field 1 id: int64
        0      08                         tag: field 1, wire type 0 VARINT
        1      2A                         42
        2                               field 7: varint  [unknown field]
        2      38                         tag: field 7, wire type 0 VARINT
        3      07                         7
        4                               field 9: message  [unknown field]  [could also be: string, bytes, packed varints]
        4      4A                         tag: field 9, wire type 2 LEN
        5      02                         length 2
        6                                 message (read without a schema)
        6                                   field 1: varint
        6      08                             tag: field 1, wire type 0 VARINT
        7      01                             1
        warning at byte 2: field 7 is not in userservice.User: kept as an unknown field
        warning at byte 4: field 9 is not in userservice.User: kept as an unknown field
    "#]],
    );
    check(
        "0A 02 34 32",
        USER,
        expect![[r#"
        0                               field 1: string  [schema expects VARINT: kept as unknown]  [could also be: bytes, packed varints]
        0      0A                         tag: field 1, wire type 2 LEN
        1      02                         length 2
        2      34 32                      "42"
        warning at byte 0: field 1 (id) is VARINT but written as wire type 2 (LEN): parsers keep it as an unknown field
    "#]],
    );
    // Said once per field however many records repeat it (each record keeps its note): a
    // warning and its text per record of a large message took 50 bytes per input byte.
    check(
        "38 07 0A 02 34 32 38 08 38 09 0A 00",
        USER,
        expect![[r#"
            0                               field 7: varint  [unknown field]
            0      38                         tag: field 7, wire type 0 VARINT
            1      07                         7
            2                               field 1: string  [schema expects VARINT: kept as unknown]  [could also be: bytes, packed varints]
            2      0A                         tag: field 1, wire type 2 LEN
            3      02                         length 2
            4      34 32                      "42"
            6                               field 7: varint  [unknown field]
            6      38                         tag: field 7, wire type 0 VARINT
            7      08                         8
            8                               field 7: varint  [unknown field]
            8      38                         tag: field 7, wire type 0 VARINT
            9      09                         9
            10                              field 1: string  [schema expects VARINT: kept as unknown]
            10     0A                         tag: field 1, wire type 2 LEN
            11     00                         length 0
            12                                ""
            warning at byte 0: field 7 is not in userservice.User: kept as an unknown field (and 2 more records after it)
            warning at byte 2: field 1 (id) is VARINT but written as wire type 2 (LEN): parsers keep it as an unknown field (and 1 more record after it)
        "#]],
    );
    let user = examples::REFERENCE.schema().unwrap().message("userservice.User").unwrap();
    let a = wire::annotate(&[0x38, 0x07].repeat(100_000), Some(&user));
    assert_eq!(a.diagnostics().len(), 1);
    assert!(a.diagnostics()[0].message.ends_with("(and 99999 more records after it)"), "{:?}", a.diagnostics());
    let records: Vec<_> = a.roots().filter_map(|id| a.field(id)).collect();
    assert_eq!(records.len(), 100_000);
    assert!(records.iter().all(|f| f.notes() == [wire::Note::Unknown]));
}

#[test]
fn overlong_varints_and_repeated_singular_fields() {
    check(
        "88 00 AA 80 00 08 01",
        USER,
        expect![[r#"
        0                               field 1 id: int64  [overlong varint at byte 0]  [overlong varint at byte 2]
        0      88 00                      tag: field 1, wire type 0 VARINT
        2      AA 80 00                   42
        5                               field 1 id: int64  [seen before at byte 0: last one wins]
        5      08                         tag: field 1, wire type 0 VARINT
        6      01                         1
        warning at byte 0: tag uses 2 bytes where 1 would do
        warning at byte 2: varint uses 3 bytes where 1 would do
    "#]],
    );
    // Every record keeps its notes (those about the field and its repeats in place, the
    // others aside, in the order the walk told them); each warning is said once for every
    // record that repeats it.
    check(
        "88 00 AA 80 00 08 01 88 00 81 00 12 01 FF 12 01 FE 1A 81 00 FF 1A 81 00 FF",
        USER,
        expect![[r#"
            0                               field 1 id: int64  [overlong varint at byte 0]  [overlong varint at byte 2]
            0      88 00                      tag: field 1, wire type 0 VARINT
            2      AA 80 00                   42
            5                               field 1 id: int64  [seen before at byte 0: last one wins]
            5      08                         tag: field 1, wire type 0 VARINT
            6      01                         1
            7                               field 1 id: int64  [seen before at byte 0: last one wins]  [overlong varint at byte 7]  [overlong varint at byte 9]
            7      88 00                      tag: field 1, wire type 0 VARINT
            9      81 00                      1
            11                              field 2 name: string  [not valid UTF-8]
            11     12                         tag: field 2, wire type 2 LEN
            12     01                         length 1
            13     FF                         1 byte
            14                              field 2 name: string  [seen before at byte 11: last one wins]  [not valid UTF-8]
            14     12                         tag: field 2, wire type 2 LEN
            15     01                         length 1
            16     FE                         1 byte
            17                              field 3 email: string  [overlong varint at byte 18]  [not valid UTF-8]
            17     1A                         tag: field 3, wire type 2 LEN
            18     81 00                      length 1
            20     FF                         1 byte
            21                              field 3 email: string  [seen before at byte 17: last one wins]  [overlong varint at byte 22]  [not valid UTF-8]
            21     1A                         tag: field 3, wire type 2 LEN
            22     81 00                      length 1
            24     FF                         1 byte
            warning at byte 0: tag uses 2 bytes where 1 would do (and 1 more record after it)
            warning at byte 2: varint uses 3 bytes where 1 would do
            warning at byte 9: varint uses 2 bytes where 1 would do (and 2 more records after it)
            warning at byte 13: string field name is not valid UTF-8: shown as bytes (and 1 more record after it)
            warning at byte 20: string field email is not valid UTF-8: shown as bytes (and 1 more record after it)
        "#]],
    );
}

#[test]
fn an_overlong_packed_element_is_said_once() {
    let schema = wirelens_core::schema::Schema::compile(&[(
        "p.proto",
        "syntax = \"proto3\"; message P { repeated int32 p = 1; }",
    )])
    .unwrap();
    let p = schema.message("P").unwrap();
    let a = wire::annotate(&[0x0A, 0x05, 0x81, 0x00, 0x01, 0x81, 0x00], Some(&p));
    assert_tiles(&a);
    let said: Vec<_> = a.diagnostics().iter().map(|d| (d.offset, d.message.as_str())).collect();
    assert_eq!(said, [(2, "packed element uses 2 bytes where 1 would do (and 1 more element after it)")]);
}

#[test]
fn a_singular_message_seen_again_is_merged_not_replaced() {
    // address { city: "A" } then address { zip_code: "B" }: parsers merge the two.
    check(
        "2A 03 12 01 41 2A 03 22 01 42",
        USER,
        expect![[r#"
            0                               field 5 address: userservice.Address
            0      2A                         tag: field 5, wire type 2 LEN
            1      03                         length 3
            2                                 message userservice.Address
            2                                   field 2 city: string
            2      12                             tag: field 2, wire type 2 LEN
            3      01                             length 1
            4      41                             "A"
            5                               field 5 address: userservice.Address  [seen before at byte 0: merged into it]
            5      2A                         tag: field 5, wire type 2 LEN
            6      03                         length 3
            7                                 message userservice.Address
            7                                   field 4 zip_code: string
            7      22                             tag: field 4, wire type 2 LEN
            8      01                             length 1
            9      42                             "B"
        "#]],
    );
}

#[test]
fn oneof_members_replace_each_other() {
    check(
        "12 02 68 69 18 05",
        Some(("oneof", "examples.oneof.Event")),
        expect![[r#"
        0                               field 2 text: string
        0      12                         tag: field 2, wire type 2 LEN
        1      02                         length 2
        2      68 69                      "hi"
        4                               field 3 count: int64  [replaces field 2 of oneof payload]
        4      18                         tag: field 3, wire type 0 VARINT
        5      05                         5
    "#]],
    );
}

#[test]
fn enum_value_not_in_the_enum() {
    check(
        "30 09",
        USER,
        expect![[r#"
        0                               field 6 status: userservice.User.Status
        0      30                         tag: field 6, wire type 0 VARINT
        1      09                         9 (not a value of the enum: kept as a number)
    "#]],
    );
}

#[test]
fn broken_input() {
    check(
        "08",
        None,
        expect![[r#"
        0                               field 1: varint
        0      08                         tag: field 1, wire type 0 VARINT
        error at byte 1: value: varint is cut off: the input ends while the continuation bit is set
    "#]],
    );
    check(
        "08 AC",
        None,
        expect![[r#"
        0                               field 1: varint
        0      08                         tag: field 1, wire type 0 VARINT
        1      AC                         invalid: value: varint is cut off: the input ends while the continuation bit is set
        error at byte 1: value: varint is cut off: the input ends while the continuation bit is set
    "#]],
    );
    check(
        "12 09 41",
        USER,
        expect![[r#"
        0                               field 2 name: string
        0      12                         tag: field 2, wire type 2 LEN
        1      09                         length 9
        2      41                         invalid: length 9 runs past the end: only 1 byte follows
        error at byte 1: length 9 runs past the end: only 1 byte follows
    "#]],
    );
    check(
        "12 05 41 6C",
        USER,
        expect![[r#"
        0                               field 2 name: string
        0      12                         tag: field 2, wire type 2 LEN
        1      05                         length 5
        2      41 6C                      invalid: length 5 runs past the end: only 2 bytes follow
        error at byte 1: length 5 runs past the end: only 2 bytes follow
    "#]],
    );
    check(
        "0F 01",
        None,
        expect![[r#"
        0      0F 01                    invalid: tag 0xF names wire type 7, which does not exist (0 to 5 do)
        error at byte 0: tag 0xF names wire type 7, which does not exist (0 to 5 do)
    "#]],
    );
    check(
        "00 01",
        None,
        expect![[r#"
        0      00 01                    invalid: field number 0 is not allowed
        error at byte 0: field number 0 is not allowed
    "#]],
    );
    check(
        "2A 03 08 FF 12 08 01",
        USER,
        expect![[r#"
        0                               field 5 address: userservice.Address
        0      2A                         tag: field 5, wire type 2 LEN
        1      03                         length 3
        2                                 message userservice.Address
        2                                   field 1: varint  [schema expects LEN: kept as unknown]
        2      08                             tag: field 1, wire type 0 VARINT
        3      FF 12                          2431
        5                               field 1 id: int64
        5      08                         tag: field 1, wire type 0 VARINT
        6      01                         1
        warning at byte 2: field 1 (street) is LEN but written as wire type 0 (VARINT): parsers keep it as an unknown field
    "#]],
    );
    check(
        "41 01 02",
        None,
        expect![[r#"
        0                               field 8: i64
        0      41                         tag: field 8, wire type 1 I64
        1      01 02                      invalid: a 64-bit value needs 8 bytes, only 2 bytes are left
        error at byte 1: a 64-bit value needs 8 bytes, only 2 bytes are left
    "#]],
    );
    check(
        "FF FF FF FF FF FF FF FF FF FF FF",
        None,
        expect![[r#"
        0      FF FF FF FF FF FF FF …   invalid: tag: varint does not fit in 64 bits
        error at byte 0: tag: varint does not fit in 64 bits
    "#]],
    );
}

#[test]
fn invalid_utf8_in_a_string_field() {
    check(
        "12 02 C3 28",
        USER,
        expect![[r#"
        0                               field 2 name: string  [not valid UTF-8]
        0      12                         tag: field 2, wire type 2 LEN
        1      02                         length 2
        2      C3 28                      2 bytes
        warning at byte 2: string field name is not valid UTF-8: shown as bytes
    "#]],
    );
}

#[test]
fn nesting_deeper_than_the_limit_is_reported_not_followed() {
    // 101 nested Address-less raw messages: 0A 00 at the bottom, each level wrapping it.
    let mut bytes = vec![0x08, 0x01];
    for _ in 0..120 {
        let mut outer = vec![0x0a, bytes.len() as u8];
        if bytes.len() >= 0x80 {
            outer = vec![0x0a];
            wirelens_core::varint::encode(bytes.len() as u64, &mut outer);
        }
        outer.extend_from_slice(&bytes);
        bytes = outer;
    }
    let a = wire::annotate(&bytes, None);
    assert_tiles(&a);
    let depth = a.nodes().enumerate().filter(|(_, n)| matches!(n.kind, wire::NodeKind::Message)).count();
    assert!(depth <= 100, "{depth}");
    // Schema-less, the too-deep payload is simply not read as a message: no error, a bytes reading.
    assert!(a.is_valid());

    // With a schema that nests itself, the limit is an error at the offset where reading stopped.
    let schema =
        Schema::compile(&[("n.proto", "syntax = \"proto3\"; message N { N child = 1; int32 leaf = 2; }")]).unwrap();
    let n = schema.message("N").unwrap();
    let mut bytes = vec![0x10, 0x01];
    for _ in 0..120 {
        let mut outer = vec![0x0a];
        wirelens_core::varint::encode(bytes.len() as u64, &mut outer);
        outer.extend_from_slice(&bytes);
        bytes = outer;
    }
    let a = wire::annotate(&bytes, Some(&n));
    assert_tiles(&a);
    let error = a.diagnostics().iter().find(|d| d.severity == wire::Severity::Error).unwrap();
    assert_eq!(error.message, "messages nested deeper than 100 levels are not read");
}

#[test]
fn a_length_past_the_end_allocates_nothing_and_says_so() {
    // A length of 2^63 on a 12-byte input.
    let a = wire::annotate(
        &input::parse_bytes("0A FF FF FF FF FF FF FF FF 7F 01 02", input::InputFormat::Hex).unwrap(),
        None,
    );
    assert_tiles(&a);
    assert_eq!(
        a.diagnostics()[0].to_string(),
        "error at byte 1: length 9223372036854775807 runs past the end: only 2 bytes follow"
    );
}

#[test]
fn truncating_the_reference_user_anywhere_is_reported_at_the_cut() {
    let user = examples::REFERENCE.schema().unwrap().message("userservice.User").unwrap();
    let bytes = input::parse_bytes(
        "08 2A 12 05 41 6C 69 63 65 1A 11 61 6C 69 63 65 40 65 78 61 6D 70 6C 65 2E 63 6F 6D 22 05 61 64 6D 69 6E 22 04 75 73 65 72 30 01",
        input::InputFormat::Hex,
    )
    .unwrap();
    let record_starts = [0, 2, 9, 28, 35, 41, 43];
    for cut in 0..=bytes.len() {
        let a = wire::annotate(&bytes[..cut], Some(&user));
        assert_tiles(&a);
        assert_eq!(a.is_valid(), record_starts.contains(&cut), "cut at {cut}");
        if let Some(error) = a.diagnostics().iter().find(|d| d.severity == wire::Severity::Error) {
            let start = record_starts.iter().rev().find(|&&s| s < cut).unwrap();
            assert!(error.offset >= *start && error.offset <= cut, "cut at {cut}: {error}");
        }
    }
}

#[test]
fn json_paths_name_where_a_record_sits_in_json() {
    let user = examples::REFERENCE.schema().unwrap().message("userservice.User").unwrap();
    let bytes = input::parse_bytes("08 2A 22 01 61 22 01 62 2A 04 12 02 4E 59", input::InputFormat::Hex).unwrap();
    let a = wire::annotate(&bytes, Some(&user));
    let paths: Vec<String> = a
        .nodes()
        .enumerate()
        .filter(|(_, n)| matches!(n.kind, wire::NodeKind::Field(_)))
        .map(|(id, _)| a.json_path(id).unwrap())
        .collect();
    assert_eq!(paths, ["id", "roles[0]", "roles[1]", "address", "address.city"]);
    assert_eq!(a.record_at_json_path("roles[1]").map(|id| a.node(id).range.start), Some(5));
    assert_eq!(a.record_at_json_path("roles").map(|id| a.node(id).range.start), Some(2));

    let packed =
        examples::Example::by_id("packed").unwrap().schema().unwrap().message("examples.packed.Packed").unwrap();
    let a = wire::annotate(&[0x0a, 0x02, 0x01, 0x02], Some(&packed));
    assert_eq!(a.json_path(0).as_deref(), Some("int32s"));
    assert_eq!(wire::annotate(&[0x08, 0x01], None).json_path(0), None);
}

#[test]
fn v1_bytes_read_with_v2_show_the_removed_field_as_reserved() {
    // v1: id 42, name "Alice", email "a@b" (field 3, removed and reserved in v2).
    check(
        "08 2A 12 05 41 6C 69 63 65 1A 03 61 40 62",
        Some(("evolution-v2", "examples.evolution.v2.User")),
        expect![[r#"
            0                               field 1 id: int64
            0      08                         tag: field 1, wire type 0 VARINT
            1      2A                         42
            2                               field 2 name: string
            2      12                         tag: field 2, wire type 2 LEN
            3      05                         length 5
            4      41 6C 69 63 65             "Alice"
            9                               field 3: string  [unknown field, reserved: removed from the schema]  [could also be: bytes, packed varints]
            9      1A                         tag: field 3, wire type 2 LEN
            10     03                         length 3
            11     61 40 62                   "a@b"
            warning at byte 9: field 3 is reserved in examples.evolution.v2.User: a removed field (reserved names: email), kept as an unknown field
        "#]],
    );
}

#[test]
fn unread_bytes_are_one_leaf_that_tiles_them() {
    let bytes = input::parse_bytes("08 2A 12 05 41 6C 69 63 65", input::InputFormat::Hex).unwrap();
    let a = wire::unread(&bytes);
    assert_tiles(&a);
    assert_eq!(a.bytes(), &bytes[..]);
    assert_eq!(a.leaf_at(4), Some(0));
    assert!(a.roots().all(|id| a.field(id).is_none()), "no records before the reading");
    assert!(a.diagnostics().is_empty() && a.message().is_none());
    // Views draw it as bytes of one span.
    let rows = wirelens_core::hexview::rows(&a, 16);
    assert!(rows[0].cells.iter().all(|c| c.class == "bytes" && c.leaf == 0));
    assert_eq!(rows[0].cells.iter().filter(|c| c.starts_leaf).count(), 1);

    let none = wire::unread(&[]);
    assert_tiles(&none);
    assert!(none.is_empty());
}
