//! The reader against the cases of protoscope's own scanner tests (what it accepts, with the
//! bytes, and what it refuses), the examples of its `language.txt`, and the rules the issue
//! names: groups, infinities, hex floats, field numbers, inference, strings over lines, escapes.

use expect_test::expect;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::{MAY_ESCAPE, may_escape, may_escape_any};
use crate::input::{InputFormat, detect_format, parse_bytes, to_hex};

/// The bytes as hex, or the error.
fn read(text: &str) -> Result<String, String> {
    parse_bytes(text, InputFormat::Protoscope).map(|b| to_hex(&b)).map_err(|e| e.to_string())
}

fn f64_hex(values: &[f64]) -> String {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    to_hex(&bytes)
}

fn f32_hex(values: &[f32]) -> String {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    to_hex(&bytes)
}

/// Hex written loosely (any case, any spacing) in the canonical form of [`to_hex`].
fn hex(loose: &str) -> String {
    to_hex(&parse_bytes(loose, InputFormat::Hex).unwrap())
}

#[test]
fn accepts_what_protoscope_accepts() {
    let text_bytes = |s: &str| to_hex(s.as_bytes());
    let cases: Vec<(&str, String)> = vec![
        ("", hex("")),
        ("#hello", hex("")),
        ("#hello\n`abcd`", hex("ab cd")),
        ("``", hex("")),
        ("`0123456789abcdefABCDEFAbCdEf`", hex("01 23 45 67 89 ab cd ef ab cd ef ab cd ef")),
        (r#""""#, hex("")),
        (r#""hello!""#, text_bytes("hello!")),
        (r#""hello," " world!""#, text_bytes("hello, world!")),
        ("\"施氏食獅史🐈\u{200d}⬛🖤\"", text_bytes("施氏食獅史🐈\u{200d}⬛🖤")),
        (r#""\\\"\ntext\x00\xff""#, hex("5c 22 0a 74 65 78 74 00 ff")),
        ("\"  \n\t\t       \"", text_bytes("  \n\t\t       ")),
        ("0", hex("00")),
        ("-0", hex("00")),
        ("long-form:0 0", hex("00")),
        ("long-form:5 0", hex("80 80 80 80 80 00")),
        ("42", hex("2a")),
        ("100000", hex("a0 8d 06")),
        ("-1", hex("ff ff ff ff ff ff ff ff ff 01")),
        ("0x5a", hex("5a")),
        ("0xa5", hex("a5 01")),
        ("-1z", hex("01")),
        ("42z", hex("54")),
        ("long-form:5 -42z", hex("d3 80 80 80 80 00")),
        ("-9223372036854775808", hex("80 80 80 80 80 80 80 80 80 01")),
        ("0xaaai32", hex("aa 0a 00 00")),
        ("-0xaaai32", hex("56 f5 ff ff")),
        ("0xaaai64", hex("aa 0a 00 00 00 00 00 00")),
        ("-0xaaai64", hex("56 f5 ff ff ff ff ff ff")),
        (
            "18446744073709551615i64 -9223372036854775808i64\n4294967295i32 -2147483648i32",
            hex("ffffffffffffffff 0000000000000080 ffffffff 00000080"),
        ),
        ("true false", hex("01 00")),
        ("0.0 -0.0", f64_hex(&[0.0, -0.0])),
        ("0.0i32 -0.0i32", f32_hex(&[0.0, -0.0])),
        ("inf64 -inf64", f64_hex(&[f64::INFINITY, f64::NEG_INFINITY])),
        ("inf32 -inf32", f32_hex(&[f32::INFINITY, f32::NEG_INFINITY])),
        ("6.62607015e-34", f64_hex(&[6.62607015e-34])),
        ("-3.0e9i32", f32_hex(&[-3.0e9])),
        ("1.0 9.423e-2 1.5i32", f64_hex(&[1.0, 9.423e-2]) + " " + &f32_hex(&[1.5])),
        // Hex floats: -0xf.0, 0xabcd.ef × 2^-10, 0x1.8 × 2^5, -0x1.ff × 2^52, 0xf.f.
        ("-0xf.0", f64_hex(&[-15.0])),
        ("0xabcd.efp-10", f64_hex(&[f64::from(0xab_cdef) / 256.0 / 1024.0])),
        ("0x1.8p5i32", f32_hex(&[48.0])),
        ("-0x1.ffp52", f64_hex(&[-(f64::from(0x1ff) * 2f64.powi(44))])),
        ("0xf.fi64", f64_hex(&[15.9375])),
        (r#""\0""#, hex("00")),
        (r#""\08""#, hex("00 38")),
        (r#""\13""#, hex("0b")),
        (r#""\13X""#, hex("0b 58")),
        (r#""Y\13""#, hex("59 0b")),
        (r#""\007""#, hex("07")),
        (r#""\127o\127""#, hex("57 6f 57")),
        (r#""\127\x40\127""#, hex("57 40 57")),
        (r#""\377""#, hex("ff")),
        ("1:VARINT 2:I64 3:LEN 4:SGROUP 5:EGROUP 6:I32", hex("08 11 1a 23 2c 35")),
        ("0x10:0 8:6 9:7", hex("80 01 46 4f")),
        // Negative (two's complement of -5 << 3 | 6), zigzag (of 9 << 3 | 7) and hex field numbers.
        ("-5:6 9z:7 0x22:1 0:0", hex("de ff ff ff ff ff ff ff ff 01 9e 01 91 02 00")),
        ("0x1fffffffffffffff:0", hex("f8 ff ff ff ff ff ff ff ff 01")),
        // An inferred wire type joins a zigzag tag as a written one does: zigzag(9 << 3 | 2).
        ("9z: {} 9z:LEN {}", hex("94 01 00 94 01 00")),
        // The smallest field number, -2^61: shifted by three it wraps to 0, as in protoscope.
        ("-0x2000000000000000:0", hex("00")),
        ("long-form:1 1:VARINT", hex("88 00")),
        (
            "1: 42z\n22: {}\n333: 42i32\n4444: -42i64\n55555: 42.0i32\n666666: 0x42.0\n7777777: inf64",
            hex("08 54  b2 01 00  ed 14 2a 00 00 00  e1 95 02 d6 ff ff ff ff ff ff ff")
                + " "
                + &hex("9d 90 1b")
                + " "
                + &f32_hex(&[42.0])
                + " "
                + &hex("d1 c2 c5 02")
                + " "
                + &f64_hex(&[66.0])
                + " "
                + &hex("89 df d5 1d")
                + " "
                + &f64_hex(&[f64::INFINITY]),
        ),
        ("1: long-form:2 5\n2: long-form:3 {}", hex("08 85 80 00 12 80 80 80 00")),
        // Inference everywhere: at the end, before '}', before a string, another tag, `true`.
        ("1:", hex("08")),
        ("2: { 1: }", hex("12 01 08")),
        (r#"1: "x""#, hex("08 78")),
        ("1: 2: 3", hex("08 10 03")),
        ("1: true 2: -inf32", hex("08 01 15 00 00 80 ff")),
        ("1:\n# a comment between\n{}", hex("0a 00")),
        (r#"23: {"my cool string"}"#, hex("ba 01 0e") + " " + &text_bytes("my cool string")),
        (
            "24: {\n  1: 5\n  2: {\"nested string\"}\n}",
            hex("c2 01 11 08 05 12 0d") + " " + &text_bytes("nested string"),
        ),
        ("25: { 1 2 3 4 5 6 7 }", hex("ca 01 07 01 02 03 04 05 06 07")),
        (
            r#"23: long-form:2 {"non-minimally-prefixed"}"#,
            hex("ba 01 96 80 00") + " " + &text_bytes("non-minimally-prefixed"),
        ),
        ("1: !{}", hex("0b 0c")),
        (r#"5: !{1: 5 "foo"}"#, hex("2b 08 05 66 6f 6f 2c")),
        (r#"1:!{2:!{3:!{"lmao"}}}"#, hex("0b 13 1b 6c 6d 61 6f 1c 14 0c")),
        (r#"1:!{2:{3:!{{"lmao"}}}}"#, hex("0b 12 07 1b 04 6c 6d 61 6f 1c 0c")),
        // long-form as the last token of a group goes to its end-group tag.
        ("27: !{long-form:3}", hex("db 01 dc 81 80 80 00")),
        ("long-form:1 1: !{ 2: 1.5 }", hex("8b 00 11") + " " + &f64_hex(&[1.5]) + " " + &hex("0c")),
        ("8: !{42}", hex("43 2a 44")),
        // Explicit wire types write whatever follows, right or wrong.
        (
            "2:LEN 4 \"abcd\" 2:LEN 5 \"abcd\" 5:I64 \"stuff\"",
            hex("12 04 61 62 63 64 12 05 61 62 63 64 29 73 74 75 66 66"),
        ),
        // Only space, tab, CR and LF separate; a word ends at a brace, quote, backtick, '#' or '!'.
        ("1:\t2\r\n3:{}4#c\n`05`", hex("08 02 1a 00 04 05")),
    ];
    for (text, want) in cases {
        assert_eq!(read(text), Ok(want), "{text:?}");
    }
}

#[test]
fn refuses_what_protoscope_refuses() {
    let cases = [
        "garbage",
        "`abcd",
        "`a`",
        "`abc`",
        "`bear`",
        "` ab`",
        r#""hello!"#,
        r#""hello!\""#,
        r#""\a""#,
        r#""\t""#,
        r#""\'""#,
        r#""\x4""#,
        r#""\x4g""#,
        r#""\400""#,
        "\"\\",
        "long-form:5",
        "long-form:3 long-form:4 5",
        "long-form:-3 5",
        "long-form:0x3 5",
        "long-form:1 true",
        "long-form:1 \"x\"",
        "long-form:1 1i32",
        "long-form:1 1.0",
        "long-form:1 inf64",
        "1: long-form:1 !{}",
        "long-form:10 5",
        "long-form:99999999999 5",
        "18446744073709551616",
        "-9223372036854775809",
        "+5",
        "0X5",
        "0x",
        "4294967296i32",
        "-2147483649i32",
        "1.",
        ".5",
        "1e1",
        "1.0e+1",
        "0x1p3",
        "1.5z",
        "1.7976931348623157e309",
        "3.40282347e39i32",
        "0x1.0p1024",
        "0x1.fffffffffffff8p1023",
        "0x1.ffffffp127i32",
        "inf",
        "nan",
        "-inf",
        "1:LMAO",
        "1:varint",
        "1:8",
        "1:-",
        "1i32:",
        "0x2000000000000000:0",
        "-0x2000000000000001:0",
        "{",
        "1: !{",
        "1: { 2: !{ }",
        "}",
        "{long-form:2}",
        "!{}",
        "1:SGROUP !{}",
        "1: 2 !{}",
        "1: !",
        "[1]",
        "1:\u{a0}5",
    ];
    let mut report = String::new();
    for text in cases {
        let error = parse_bytes(text, InputFormat::Protoscope).expect_err(text);
        let (line, column) = error.line_col();
        assert!(line >= 1 && column >= 1 && error.position() < text.chars().count().max(1), "{text:?}: {error}");
        report += &format!("{text:?}: {error}\n");
    }
    expect![[r#"
        "garbage": protoscope at line 1, column 1: 'garbage' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "`abcd": protoscope at line 1, column 1: this '`' has no closing '`'
        "`a`": unpaired hex digit 'a' at line 1, column 2: each byte needs two adjacent digits
        "`abc`": unpaired hex digit 'c' at line 1, column 4: each byte needs two adjacent digits
        "`bear`": invalid hex digit 'r' at line 1, column 5
        "` ab`": invalid hex digit ' ' at line 1, column 2
        "\"hello!": protoscope at line 1, column 1: this '"' has no closing '"'
        "\"hello!\\\"": protoscope at line 1, column 1: this '"' has no closing '"'
        "\"\\a\"": protoscope at line 1, column 2: '\a' is no escape: a string has \\, \", \n, \x and two hex digits, and \ and one to three octal digits
        "\"\\t\"": protoscope at line 1, column 2: '\t' is no escape: a string has \\, \", \n, \x and two hex digits, and \ and one to three octal digits
        "\"\\'\"": protoscope at line 1, column 2: '\'' is no escape: a string has \\, \", \n, \x and two hex digits, and \ and one to three octal digits
        "\"\\x4\"": protoscope at line 1, column 2: '\x' needs two hex digits after it
        "\"\\x4g\"": protoscope at line 1, column 2: '\x' needs two hex digits after it
        "\"\\400\"": octal escape '\400' at line 1, column 2 is out of range: the largest byte is \377
        "\"\\": unterminated escape '\' at line 1, column 2
        "long-form:5": protoscope at line 1, column 1: 'long-form:5' must stand before a varint: a number, a tag, '{' or a group's closing '}'
        "long-form:3 long-form:4 5": protoscope at line 1, column 1: 'long-form:3' must stand before a varint: a number, a tag, '{' or a group's closing '}'
        "long-form:-3 5": protoscope at line 1, column 1: 'long-form:-3' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "long-form:0x3 5": protoscope at line 1, column 1: 'long-form:0x3' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "long-form:1 true": protoscope at line 1, column 1: 'long-form:1' must stand before a varint: a number, a tag, '{' or a group's closing '}'
        "long-form:1 \"x\"": protoscope at line 1, column 1: 'long-form:1' must stand before a varint: a number, a tag, '{' or a group's closing '}'
        "long-form:1 1i32": protoscope at line 1, column 1: 'long-form:1' must stand before a varint: a number, a tag, '{' or a group's closing '}'
        "long-form:1 1.0": protoscope at line 1, column 1: 'long-form:1' must stand before a varint: a number, a tag, '{' or a group's closing '}'
        "long-form:1 inf64": protoscope at line 1, column 1: 'long-form:1' must stand before a varint: a number, a tag, '{' or a group's closing '}'
        "1: long-form:1 !{}": protoscope at line 1, column 4: 'long-form:1' must stand before a varint: a number, a tag, '{' or a group's closing '}'
        "long-form:10 5": protoscope at line 1, column 14: long-form:10 makes 5 a varint of 11 bytes; a varint has at most 10
        "long-form:99999999999 5": protoscope at line 1, column 1: 'long-form:99999999999' asks for too many extra bytes
        "18446744073709551616": protoscope at line 1, column 1: '18446744073709551616' does not fit in 64 bits
        "-9223372036854775809": protoscope at line 1, column 1: '-9223372036854775809' does not fit in 64 bits
        "+5": protoscope at line 1, column 1: '+5' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "0X5": protoscope at line 1, column 1: '0X5' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "0x": protoscope at line 1, column 1: '0x' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "4294967296i32": protoscope at line 1, column 1: '4294967296i32' does not fit in 32 bits
        "-2147483649i32": protoscope at line 1, column 1: '-2147483649i32' does not fit in 32 bits
        "1.": protoscope at line 1, column 1: '1.' is not a number: a float needs digits on both sides of its point, and its exponent is written e5 or e-5
        ".5": protoscope at line 1, column 1: '.5' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "1e1": protoscope at line 1, column 1: '1e1' is not a number: a float needs digits on both sides of its point, and its exponent is written e5 or e-5
        "1.0e+1": protoscope at line 1, column 1: '1.0e+1' is not a number: a float needs digits on both sides of its point, and its exponent is written e5 or e-5
        "0x1p3": protoscope at line 1, column 1: '0x1p3' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "1.5z": protoscope at line 1, column 1: '1.5z' is not a number: a float needs digits on both sides of its point, and its exponent is written e5 or e-5
        "1.7976931348623157e309": protoscope at line 1, column 1: '1.7976931348623157e309' is too large for a 64-bit float
        "3.40282347e39i32": protoscope at line 1, column 1: '3.40282347e39i32' is too large for a 32-bit float
        "0x1.0p1024": protoscope at line 1, column 1: '0x1.0p1024' is too large for a 64-bit float
        "0x1.fffffffffffff8p1023": protoscope at line 1, column 1: '0x1.fffffffffffff8p1023' is too large for a 64-bit float
        "0x1.ffffffp127i32": protoscope at line 1, column 1: '0x1.ffffffp127i32' is too large for a 32-bit float
        "inf": protoscope at line 1, column 1: 'inf' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "nan": protoscope at line 1, column 1: 'nan' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "-inf": protoscope at line 1, column 1: '-inf' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "1:LMAO": protoscope at line 1, column 1: 'LMAO' is not a wire type: VARINT, I64, LEN, SGROUP, EGROUP, I32 or a number from 0 to 7
        "1:varint": protoscope at line 1, column 1: 'varint' is not a wire type: VARINT, I64, LEN, SGROUP, EGROUP, I32 or a number from 0 to 7
        "1:8": protoscope at line 1, column 1: '8' is not a wire type: VARINT, I64, LEN, SGROUP, EGROUP, I32 or a number from 0 to 7
        "1:-": protoscope at line 1, column 1: '1:-' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "1i32:": protoscope at line 1, column 1: '1i32:': a tag is a varint, it cannot be i32 or i64
        "0x2000000000000000:0": protoscope at line 1, column 1: field number '0x2000000000000000' is too large: with the wire type, a tag has 64 bits
        "-0x2000000000000001:0": protoscope at line 1, column 1: field number '-0x2000000000000001' is too large: with the wire type, a tag has 64 bits
        "{": protoscope at line 1, column 1: this '{' is never closed
        "1: !{": protoscope at line 1, column 4: this '!{' is never closed
        "1: { 2: !{ }": protoscope at line 1, column 4: this '{' is never closed
        "}": protoscope at line 1, column 1: this '}' closes nothing
        "{long-form:2}": protoscope at line 1, column 2: 'long-form:2' must stand before a varint: a number, a tag, '{' or a group's closing '}'
        "!{}": protoscope at line 1, column 1: '!{' must follow a tag without a wire type, such as '3:'
        "1:SGROUP !{}": protoscope at line 1, column 10: '!{' must follow a tag without a wire type, such as '3:'
        "1: 2 !{}": protoscope at line 1, column 6: '!{' must follow a tag without a wire type, such as '3:'
        "1: !": protoscope at line 1, column 4: '!' opens a group only as '!{'
        "[1]": protoscope at line 1, column 1: '[1' is not protoscope: expected a tag such as '1:', a number, a "string", `hex`, '{' or '}'
        "1:\u{a0}5": protoscope at line 1, column 3: '\u{a0}' is not a separator: tokens are separated by spaces, tabs and line breaks
    "#]].assert_eq(&report);
}

#[test]
fn strings_run_over_lines_and_mistakes_name_their_line() {
    assert_eq!(read("1: {\"two\nlines\"}"), Ok(hex("0a 09 74 77 6f 0a 6c 69 6e 65 73")));
    expect!["protoscope at line 2, column 4: this '{' is never closed"]
        .assert_eq(&read("1: 42\n2: { \"Alice\"").unwrap_err());
    expect![[r#"protoscope at line 3, column 1: this '"' has no closing '"'"#]]
        .assert_eq(&read("1: {}\n\n\"a\nb").unwrap_err());
    expect!["invalid hex digit 'g' at line 2, column 3"].assert_eq(&read("1: {\n`0g`}").unwrap_err());
}

/// Correctly rounded hex floats: ties to even, the bits past the fifteenth digit, subnormals,
/// and the carry from the largest subnormal into the smallest normal.
#[test]
fn hex_floats_round_to_nearest_even() {
    let bits64 = |text: &str| {
        let bytes = parse_bytes(text, InputFormat::Protoscope).unwrap();
        u64::from_le_bytes(bytes.try_into().unwrap())
    };
    let one = 1f64.to_bits();
    assert_eq!(bits64("0x1.00000000000008p0"), one, "a tie goes to the even 1.0");
    assert_eq!(bits64("0x1.00000000000018p0"), one + 2, "a tie goes to the even neighbour above");
    assert_eq!(bits64("0x1.000000000000080000001p0"), one + 1, "past the tie, by a far digit");
    assert_eq!(bits64("0x1.0p-1074"), 1);
    assert_eq!(bits64("0x1.0p-1075"), 0, "half the smallest subnormal is a tie, to zero");
    assert_eq!(bits64("0x1.8p-1075"), 1);
    assert_eq!(bits64("0x0.fffffffffffff8p-1022"), f64::MIN_POSITIVE.to_bits());
    assert_eq!(bits64("0x1.fffffffffffffp1023"), f64::MAX.to_bits());
    assert_eq!(bits64("0x1.0p-99999999999999999999"), 0);
    assert_eq!(bits64("-0x0.0"), (-0f64).to_bits());
    let bits32 = |text: &str| {
        let bytes = parse_bytes(text, InputFormat::Protoscope).unwrap();
        u32::from_le_bytes(bytes.try_into().unwrap())
    };
    assert_eq!(bits32("0x1.fffffep127i32"), f32::MAX.to_bits());
    assert_eq!(bits32("0x1.0p-149i32"), 1);
    assert_eq!(bits32("0x1.000001p0i32"), 1f32.to_bits(), "a tie goes to the even 1.0");
}

#[test]
fn detects_protoscope_by_its_first_token() {
    for text in ["1: 42", "  # a comment\n1: 42", "-5:6", "9z: 1", "0x10:0", "long-form:1 1: 5", "1:FOO 5"] {
        assert_eq!(detect_format(text), InputFormat::Protoscope, "{text:?}");
    }
    for text in ["08 2A", "CCoSBUFsaWNl", "\"1: 42\"", "\\x08"] {
        assert_ne!(detect_format(text), InputFormat::Protoscope, "{text:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        rng_seed: RngSeed::Fixed(0x5769_7265_4c65_6e73),
        ..ProptestConfig::default()
    })]

    /// Any finite double or float is written in decimal with a point, and reads back to its bits.
    #[test]
    fn decimal_literals_read_back_to_their_bits(bits in any::<u64>(), small in any::<u32>()) {
        let value = f64::from_bits(bits);
        let mut text = String::new();
        prop_assert_eq!(super::push_double_literal(&mut text, value), value.is_finite());
        if value.is_finite() {
            prop_assert!(text.contains('.'), "{}", text);
            let read = parse_bytes(&text, InputFormat::Protoscope).unwrap();
            prop_assert_eq!(read, value.to_le_bytes().to_vec(), "{}", text);
        }
        let value = f32::from_bits(small);
        let mut text = String::new();
        prop_assert_eq!(super::push_float_literal(&mut text, value), value.is_finite());
        if value.is_finite() {
            prop_assert!(text.contains('.') && text.ends_with("i32"), "{}", text);
            let read = parse_bytes(&text, InputFormat::Protoscope).unwrap();
            prop_assert_eq!(read, value.to_le_bytes().to_vec(), "{}", text);
        }
    }

    /// A hex float reads as the integer of its digits converted by Rust (correctly rounded),
    /// scaled by the power of two its point and exponent make (exact).
    #[test]
    fn hex_floats_agree_with_rusts_conversion(value in any::<u128>(), point in 1..32usize, exp in -40..40i32) {
        let digits = format!("{value:032x}");
        let (int, frac) = digits.split_at(32 - point);
        let scale = 2f64.powi(exp - 4 * (32 - int.len()) as i32);
        let text = format!("0x{int}.{frac}p{exp}");
        let double = parse_bytes(&text, InputFormat::Protoscope).unwrap();
        prop_assert_eq!(double, ((value as f64) * scale).to_le_bytes().to_vec(), "{}", text);
        // Compared where the f32 is normal: scaling a subnormal would round twice.
        let float = f64::from(value as f32) * scale;
        if (f64::from(f32::MIN_POSITIVE)..=f64::from(f32::MAX)).contains(&float) {
            let read = parse_bytes(&format!("{text}i32"), InputFormat::Protoscope).unwrap();
            prop_assert_eq!(read, (float as f32).to_le_bytes().to_vec(), "{}", text);
        }
    }

    /// Any text is read or refused with a position inside it, never a panic.
    #[test]
    fn any_text_is_read_or_refused(words in prop::collection::vec(prop_oneof![
        Just("1:".to_owned()), Just("2:LEN".to_owned()), Just("3:".to_owned()), Just("{".to_owned()),
        Just("}".to_owned()), Just("!{".to_owned()), Just("long-form:2".to_owned()), Just("-1z".to_owned()),
        Just("1.5i32".to_owned()), Just("\"a\\x\"".to_owned()), Just("`0a`".to_owned()), Just("#c\n".to_owned()),
        Just("-0x1.8p3".to_owned()), Just("inf32".to_owned()), Just("9z:".to_owned()), Just("\"\n\"".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()), "\\PC{0,3}",
    ], 0..12)) {
        let text = words.join(" ");
        if let Err(e) = parse_bytes(&text, InputFormat::Protoscope) {
            prop_assert!(e.position() < text.chars().count().max(1), "{e} in {text:?}");
        }
    }
}

#[test]
fn the_word_at_a_time_escape_check_misses_no_byte() {
    for b in 0..=255u8 {
        for at in 0..8 {
            let mut word = [b'a'; 8];
            word[at] = b;
            assert_eq!(may_escape_any(u64::from_le_bytes(word)), MAY_ESCAPE[usize::from(b)], "{b:#04x} at {at}");
            // Bytes that need no escape around it do not hide it either.
            let mut word = [0xE9; 8];
            word[at] = b;
            assert_eq!(may_escape_any(u64::from_le_bytes(word)), MAY_ESCAPE[usize::from(b)], "{b:#04x} among 0xE9");
        }
    }
}

#[test]
fn the_escape_check_of_a_string_misses_no_byte_at_any_place() {
    // Around the 32-byte blocks, their remainder's words and its last bytes.
    for len in [1, 7, 8, 9, 31, 32, 33, 40, 63, 64, 65, 71] {
        for at in 0..len {
            for b in 0..=255u8 {
                let mut bytes = vec![b'a'; len];
                bytes[at] = b;
                assert_eq!(may_escape(&bytes), MAY_ESCAPE[usize::from(b)], "{b:#04x} at {at} of {len}");
            }
        }
    }
}

/// `text` as a string literal, character by character: `"`, `\` and line feeds by name, the
/// other control characters (U+0000 to U+001F, U+007F to U+009F) as `\x` escapes of their UTF-8
/// bytes.
fn reference_literal(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                for b in c.to_string().bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out + "\""
}

#[test]
fn a_string_literal_escapes_a_character_at_any_place_in_a_string_of_any_length() {
    for len in 1..20 {
        for at in 0..len {
            for special in ['"', '\\', '\n', '\u{1}', '\u{7f}', '\u{85}', '\u{a0}', 'é', 'a'] {
                let text: String = (0..len).map(|i| if i == at { special } else { 'b' }).collect();
                assert_eq!(super::string_literal(&text), reference_literal(&text), "{text:?}");
            }
        }
    }
}

#[test]
fn long_runs_of_escapes_are_spelled_as_one_at_a_time() {
    // Runs of every length around the escapes pushed one at a time (`SHORT_RUN`) and around
    // the escapes' buffer (256 four-byte escapes), of one escape and of mixed ones (two-byte
    // characters and two-character escapes among them), between plain text or at either end.
    let mixed = ['\u{5}', '"', '\u{85}', '\n', '\u{0}', '\\', '\u{7f}', '\u{9f}'];
    for len in (0..70).chain(120..140).chain(250..262).chain([1000, 4099]) {
        for (before, after) in [("", ""), ("ab", ""), ("", "é"), ("xyz", "abc")] {
            let same: String = std::iter::repeat_n('\u{5}', len).collect();
            let various: String = (0..len).map(|i| mixed[i % mixed.len()]).collect();
            for run in [same, various] {
                let text = format!("{before}{run}{after}");
                assert_eq!(super::string_literal(&text), reference_literal(&text), "{len} around {before:?}");
            }
        }
    }
}

#[test]
fn a_hex_literal_of_any_length_is_two_lowercase_digits_a_byte() {
    for len in [0, 1, 2, 127, 128, 129, 255, 256, 257, 1000] {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(super::hex_literal(&bytes), format!("`{expected}`"), "{len} bytes");
    }
}
