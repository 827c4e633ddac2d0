//! The `wirelens` binary, run as a user runs it: from the repository root, against `proto/`.
//!
//! Every case goes through `check`, which snapshots the exit status, stdout and stderr
//! (bless with `UPDATE_EXPECT=1 cargo test -p wirelens-cli`). The examples in `--help` are
//! run too, so they cannot drift from what the command prints.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use expect_test::{Expect, expect};

// Not a test binary of its own: `call` tests share this file's runner.
#[path = "cli/call.rs"]
mod call;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const USER: &str = "--proto proto/userservice/user.proto --type userservice.User";
const REFERENCE_USER: &str =
    r#"{"id":"42","name":"Alice","email":"alice@example.com","roles":["admin","user"],"status":"ACTIVE"}"#;
const REFERENCE_USER_HEX: &str = "08 2A 12 05 41 6C 69 63 65 1A 11 61 6C 69 63 65 40 65 78 61 6D 70 6C 65 2E 63 6F 6D 22 05 61 64 6D 69 6E 22 04 75 73 65 72 30 01";

/// Runs `wirelens` with `args` (split at spaces; '…' quotes a word with spaces) and
/// snapshots what it did.
fn check(args: &str, expect: Expect) {
    check_stdin(args, b"", expect);
}

fn check_stdin(args: &str, stdin: &[u8], expect: Expect) {
    expect.assert_eq(&outcome(args, stdin));
}

/// What [`check_stdin`] snapshots.
fn outcome(args: &str, stdin: &[u8]) -> String {
    render(&run(&words(args), stdin))
}

fn run<S: AsRef<std::ffi::OsStr>>(args: &[S], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirelens"))
        .args(args)
        .current_dir(ROOT)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("wirelens runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// `status: N`, then stdout and stderr when they are not empty; ESC shown as `\e`.
fn render(output: &Output) -> String {
    let mut out = format!("status: {}\n", output.status.code().expect("exited"));
    for (name, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        if !bytes.is_empty() {
            out.push_str(&format!("--- {name}\n{}", String::from_utf8_lossy(bytes).replace('\x1b', "\\e")));
        }
    }
    out
}

fn words(args: &str) -> Vec<String> {
    let mut words = Vec::new();
    for (i, part) in args.split('\'').enumerate() {
        if i % 2 == 1 {
            words.push(part.to_owned());
        } else {
            words.extend(part.split_whitespace().map(str::to_owned));
        }
    }
    words
}

/// A fresh directory for files a test writes; removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("wirelens-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, text: &str) -> &Path {
        std::fs::write(self.0.join(name), text).unwrap();
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn encodes_the_reference_examples_byte_exact() {
    check(
        &format!(r#"encode {USER} --json '{{"id":"42"}}' --output hex"#),
        expect![[r#"
            status: 0
            --- stdout
            08 2A
        "#]],
    );
    check(
        &format!(r#"encode {USER} --json '{{"name":"Alice"}}' --output hex"#),
        expect![[r#"
            status: 0
            --- stdout
            12 05 41 6C 69 63 65
        "#]],
    );
    let output = run(&words(&format!("encode {USER} --output hex --json '{REFERENCE_USER}'")), b"");
    let hex = String::from_utf8(output.stdout).unwrap();
    assert_eq!((output.status.code(), hex.trim_end()), (Some(0), REFERENCE_USER_HEX));
    assert_eq!(hex.split_whitespace().count(), 43);
}

#[test]
fn encodes_text_format_and_stdin_to_the_same_bytes() {
    let text = r#"id: 42 name: "Alice" email: "alice@example.com" roles: ["admin", "user"] status: ACTIVE"#;
    let output = run(&words(&format!("encode {USER} --output hex --text '{text}'")), b"");
    assert_eq!(String::from_utf8(output.stdout).unwrap().trim_end(), REFERENCE_USER_HEX);
    let output = run(&words(&format!("encode {USER} --output hex --notation text")), text.as_bytes());
    assert_eq!(String::from_utf8(output.stdout).unwrap().trim_end(), REFERENCE_USER_HEX);
    let output = run(&words(&format!("encode {USER} --output hex -")), REFERENCE_USER.as_bytes());
    assert_eq!(String::from_utf8(output.stdout).unwrap().trim_end(), REFERENCE_USER_HEX);
}

#[test]
fn encodes_to_every_output() {
    check(
        &format!("encode --example reference --json '{REFERENCE_USER}'"),
        expect![[r#"
            status: 0
            --- stdout
            0                               field 1 id: int64
            0      08                         tag: field 1, wire type 0 VARINT
            1      2A                         42
            2                               field 2 name: string
            2      12                         tag: field 2, wire type 2 LEN
            3      05                         length 5
            4      41 6C 69 63 65             "Alice"
            9                               field 3 email: string
            9      1A                         tag: field 3, wire type 2 LEN
            10     11                         length 17
            11     61 6C 69 63 65 40 65 …     "alice@example.com"
            28                              field 4 roles: repeated string
            28     22                         tag: field 4, wire type 2 LEN
            29     05                         length 5
            30     61 64 6D 69 6E             "admin"
            35                              field 4 roles: repeated string
            35     22                         tag: field 4, wire type 2 LEN
            36     04                         length 4
            37     75 73 65 72                "user"
            41                              field 6 status: userservice.User.Status
            41     30                         tag: field 6, wire type 0 VARINT
            42     01                         ACTIVE (1)
        "#]],
    );
    check(
        &format!("encode --example reference -o base64 --json '{REFERENCE_USER}'"),
        expect![[r#"
            status: 0
            --- stdout
            CCoSBUFsaWNlGhFhbGljZUBleGFtcGxlLmNvbSIFYWRtaW4iBHVzZXIwAQ==
        "#]],
    );
    check(
        r#"encode --example reference -o escaped --json '{"id":"42","name":"Alice"}'"#,
        expect![[r#"
            status: 0
            --- stdout
            \010*\022\005Alice
        "#]],
    );
    check(
        r#"encode --example reference -o text --json '{"name":"Alice","id":42}'"#,
        expect![[r#"
            status: 0
            --- stdout
            id: 42
            name: "Alice"
        "#]],
    );
    check(
        r#"encode --example reference -o json --text 'roles: "a" id: 42'"#,
        expect![[r#"
            status: 0
            --- stdout
            {
              "id": "42",
              "roles": [
                "a"
              ]
            }
        "#]],
    );
    check(
        "encode --example reference -o annotated --json '{}'",
        expect![[r#"
            status: 0
            --- stdout
            (no bytes)
        "#]],
    );
    let output = run(&words(r#"encode --example reference -o raw --json '{"id":"42"}'"#), b"");
    assert_eq!(output.stdout, [0x08, 0x2a]);
}

#[test]
fn decodes_hex_and_base64_back_to_json() {
    let from_hex = outcome(&format!("decode {USER} {REFERENCE_USER_HEX}"), b"");
    let base64 = "CCoSBUFsaWNlGhFhbGljZUBleGFtcGxlLmNvbSIFYWRtaW4iBHVzZXIwAQ==";
    assert_eq!(outcome(&format!("decode {USER} --input base64 {base64}"), b""), from_hex);
    assert_eq!(outcome(&format!("decode {USER}"), format!("{REFERENCE_USER_HEX}\n").as_bytes()), from_hex);
    expect![[r#"
        status: 0
        --- stdout
        {
          "id": "42",
          "name": "Alice",
          "email": "alice@example.com",
          "roles": [
            "admin",
            "user"
          ],
          "status": "ACTIVE"
        }
    "#]]
    .assert_eq(&from_hex);
    check(
        r"decode --example reference --output text --input escaped '\010*\022\005Alice'",
        expect![[r#"
            status: 0
            --- stdout
            id: 42
            name: "Alice"
        "#]],
    );
    check(
        "decode --example reference --output annotated CCo=",
        expect![[r#"
            status: 0
            --- stdout
            0                               field 1 id: int64
            0      08                         tag: field 1, wire type 0 VARINT
            1      2A                         42
        "#]],
    );
}

#[test]
fn pipes_raw_bytes_from_encode_into_decode() {
    let encoded = run(&words(&format!("encode {USER} --output raw --json '{REFERENCE_USER}'")), b"");
    assert_eq!(encoded.stdout.len(), 43);
    check_stdin(
        &format!("decode {USER} --input raw --output text"),
        &encoded.stdout,
        expect![[r#"
            status: 0
            --- stdout
            id: 42
            name: "Alice"
            email: "alice@example.com"
            roles: ["admin", "user"]
            status: ACTIVE
        "#]],
    );
}

#[test]
fn annotates_with_and_without_a_schema() {
    check(
        "annotate 082a120541 6c696365",
        expect![[r#"
            status: 0
            --- stdout
            0                               field 1: varint
            0      08                         tag: field 1, wire type 0 VARINT
            1      2A                         42
            2                               field 2: string  [could also be: bytes, packed varints]
            2      12                         tag: field 2, wire type 2 LEN
            3      05                         length 5
            4      41 6C 69 63 65             "Alice"
        "#]],
    );
    check(
        &format!("annotate {USER} 082a120541 6c696365"),
        expect![[r#"
            status: 0
            --- stdout
            0                               field 1 id: int64
            0      08                         tag: field 1, wire type 0 VARINT
            1      2A                         42
            2                               field 2 name: string
            2      12                         tag: field 2, wire type 2 LEN
            3      05                         length 5
            4      41 6C 69 63 65             "Alice"
        "#]],
    );
    check(
        "annotate --example scalars --explain 28 01",
        expect![[r#"
            status: 0
            --- stdout
            0                               field 5 sint32_value: sint32
            0      28                         tag: field 5, wire type 0 VARINT
                     = tag 40 = (field 5 << 3) | wire type 0 (varint) = 0x28 = 0010 1000
                     = field numbers 1 to 15 fit in a one-byte tag
            1      01                         -1 (zigzag 1)
                     = 01 = continuation 0 (last), group 0000001 = 1
                     = zigzag: (1 >> 1) ^ -(1 & 1) = -1
        "#]],
    );
    // Annotating never fails on bytes: what cannot be read is shown, with its offset.
    check(
        "annotate 08 2A FF",
        expect![[r#"
            status: 0
            --- stdout
            0                               field 1: varint
            0      08                         tag: field 1, wire type 0 VARINT
            1      2A                         42
            2      FF                       invalid: tag: varint is cut off: the input ends while the continuation bit is set
            error at byte 2: tag: varint is cut off: the input ends while the continuation bit is set
        "#]],
    );
}

#[test]
fn protoscope_text_goes_out_and_comes_back() {
    check(
        r#"encode --example reference -o protoscope --json {"id":"42","name":"Alice","status":"ACTIVE"}"#,
        expect![[r#"
            status: 0
            --- stdout
            1: 42  # id
            2: {"Alice"}  # name
            6: 1  # status = ACTIVE
        "#]],
    );
    check(
        "annotate -o protoscope 08 2A 12 05 41 6C 69 63 65 1A 03 08 96 01 FF",
        expect![[r#"
        status: 0
        --- stdout
        1: 42
        2: {"Alice"}
        3: {
          1: 150
        }
        `ff`  # not readable: tag: varint is cut off: the input ends while the continuation bit is set
    "#]],
    );
    check_stdin(
        "annotate --input protoscope -",
        b"1: 42\n2: {\"Alice\"}  # name\n3: { 1: 150 }\n",
        expect![[r#"
        status: 0
        --- stdout
        0                               field 1: varint
        0      08                         tag: field 1, wire type 0 VARINT
        1      2A                         42
        2                               field 2: string  [could also be: bytes, packed varints]
        2      12                         tag: field 2, wire type 2 LEN
        3      05                         length 5
        4      41 6C 69 63 65             "Alice"
        9                               field 3: message  [could also be: bytes, packed varints]
        9      1A                         tag: field 3, wire type 2 LEN
        10     03                         length 3
        11                                message (read without a schema)
        11                                  field 1: varint
        11     08                             tag: field 1, wire type 0 VARINT
        12     96 01                          150
    "#]],
    );
    check(
        "decode --example reference --input protoscope 1: 42 2: {",
        expect![[r#"
        status: 1
        --- stderr
        wirelens: error: protoscope at line 1, column 10: this '{' is never closed
          1 | 1: 42 2: {
            |          ^
    "#]],
    );
}

/// `annotate --input protoscope --output raw` assembles protoscope text as `protoscope -s` does:
/// a group with long-form on its end tag, a hex float, an infinity, a string over two lines.
#[test]
fn annotate_assembles_protoscope_into_raw_bytes() {
    let text = "1: 42\n3: !{ 1: -0x1.8p1 long-form:1 }\n4: inf32 5: {\"a\nb\"}\n";
    let output = run(&words("annotate --input protoscope --output raw -"), text.as_bytes());
    assert_eq!(render(&output).lines().next(), Some("status: 0"));
    let mut want = vec![0x08, 0x2a, 0x1b, 0x09];
    want.extend((-3.0f64).to_le_bytes());
    want.extend([0x9c, 0x00, 0x25]);
    want.extend(f32::INFINITY.to_le_bytes());
    want.extend([0x2a, 0x03, b'a', b'\n', b'b']);
    assert_eq!(output.stdout, want);
}

#[test]
fn annotate_and_decode_print_the_bytes_in_every_form() {
    check(
        "annotate --input protoscope -o hex '1: 42 2: {\"Alice\"}'",
        expect![[r#"
            status: 0
            --- stdout
            08 2A 12 05 41 6C 69 63 65
        "#]],
    );
    check(
        "annotate -o base64 08 2A 12 05 41 6C 69 63 65",
        expect![[r#"
        status: 0
        --- stdout
        CCoSBUFsaWNl
    "#]],
    );
    check(
        "annotate -o escaped CCoSBUFsaWNl",
        expect![[r#"
        status: 0
        --- stdout
        \010*\022\005Alice
    "#]],
    );
    check(
        "decode --example reference -o hex CCoSBUFsaWNl",
        expect![[r#"
        status: 0
        --- stdout
        08 2A 12 05 41 6C 69 63 65
    "#]],
    );
    check(
        "decode --example reference -o base64 '1: 42'",
        expect![[r#"
        status: 0
        --- stdout
        CCo=
    "#]],
    );
    // Bytes that do not decode print no bytes: what could be read goes to stderr, with the error.
    check(
        "decode --example reference -o hex 08",
        expect![[r#"
        status: 1
        --- stderr
        0                               field 1 id: int64
        0      08                         tag: field 1, wire type 0 VARINT
        error at byte 1: value: varint is cut off: the input ends while the continuation bit is set
        wirelens: error: cannot decode at byte 1: value: varint is cut off: the input ends while the continuation bit is set
    "#]],
    );
    check(
        "annotate -o json 08 2A",
        expect![[r#"
        status: 2
        --- stderr
        error: invalid value 'json' for '--output <FORMAT>'
          [possible values: annotated, protoscope, hex, base64, escaped, raw]

        For more information, try '--help'.
    "#]],
    );
}

#[test]
fn annotates_a_delimited_stream_message_by_message() {
    // Two users behind their lengths (the second with an overlong prefix), then a cut one.
    let stream = [&[0x02, 0x08, 0x2A][..], &[0x87, 0x00, 0x12, 0x05], b"Alice", &[0x05, 0x08]].concat();
    check_stdin(
        "annotate --example reference --input raw --delimited -o protoscope",
        &stream,
        expect![[r#"
            status: 1
            --- stdout
            # message 0: bytes 1..3
            {
              1: 42  # id
            }
            # message 1: bytes 5..12
            long-form:1 {
              2: {"Alice"}  # name
            }
            --- stderr
            wirelens: error: message 2 at byte 12: its length is 5, but the stream ends after 1 byte of it
        "#]],
    );
    // What it prints reads back as the same stream: printed again, it is the same text.
    let whole = &stream[..stream.len() - 2];
    let printed = run(&words("annotate --example reference --input raw --delimited -o protoscope"), whole);
    let again =
        run(&words("annotate --example reference --input protoscope --delimited -o protoscope -"), &printed.stdout);
    assert!(printed.status.success() && again.status.success(), "{}", render(&again));
    assert_eq!(String::from_utf8_lossy(&again.stdout), String::from_utf8_lossy(&printed.stdout));
    check(
        "annotate --delimited 02 08 2A",
        expect![[r#"
            status: 0
            --- stdout
            # message 0: 2 bytes at byte 1 (offsets below are within the message)
            0                               field 1: varint
            0      08                         tag: field 1, wire type 0 VARINT
            1      2A                         42
        "#]],
    );
}

#[test]
fn colours_only_when_asked_or_on_a_terminal() {
    check(
        "annotate --color always 08 2A FF",
        expect![[r#"
            status: 0
            --- stdout
            0                               field 1: varint
            0      \e[34m08\e[0m                         tag: field 1, wire type 0 VARINT
            1      \e[32m2A\e[0m                         42
            2      \e[1;31mFF\e[0m                       invalid: tag: varint is cut off: the input ends while the continuation bit is set
            \e[1;31merror at byte 2: tag: varint is cut off: the input ends while the continuation bit is set\e[0m
        "#]],
    );
    check(
        "decode --color always --example reference 08",
        expect![[r#"
            status: 1
            --- stderr
            0                               field 1 id: int64
            0      \e[34m08\e[0m                         tag: field 1, wire type 0 VARINT
            \e[1;31merror at byte 1: value: varint is cut off: the input ends while the continuation bit is set\e[0m
            wirelens: \e[1;31merror:\e[0m cannot decode at byte 1: value: varint is cut off: the input ends while the continuation bit is set
        "#]],
    );
}

#[test]
fn reports_bad_bytes_where_they_are() {
    check(
        &format!("decode {USER} --input hex '08 2A\n12 0g'"),
        expect![[r#"
            status: 1
            --- stderr
            wirelens: error: invalid hex digit 'g' at line 2, column 5
              2 | 12 0g
                |     ^
        "#]],
    );
    check(
        &format!("decode {USER} 08"),
        expect![[r#"
            status: 1
            --- stderr
            0                               field 1 id: int64
            0      08                         tag: field 1, wire type 0 VARINT
            error at byte 1: value: varint is cut off: the input ends while the continuation bit is set
            wirelens: error: cannot decode at byte 1: value: varint is cut off: the input ends while the continuation bit is set
        "#]],
    );
    check(
        &format!("decode {USER} 12 09 41"),
        expect![[r#"
            status: 1
            --- stderr
            0                               field 2 name: string
            0      12                         tag: field 2, wire type 2 LEN
            1      09                         length 9
            2      41                         invalid: length 9 runs past the end: only 1 byte follows
            error at byte 1: length 9 runs past the end: only 1 byte follows
            wirelens: error: cannot decode at byte 1: length 9 runs past the end: only 1 byte follows
        "#]],
    );
    check_stdin(
        &format!("decode {USER}"),
        b"\x08\xff",
        expect![[r#"
            status: 1
            --- stderr
            wirelens: error: stdin is not UTF-8 text (byte 1 is not): for binary input use --input raw
        "#]],
    );
}

#[test]
fn ignores_unknown_json_members_only_when_asked() {
    let json = r#"'{"id":"42","nickname":"Al","status":"ON_LEAVE"}'"#;
    check(
        &format!("encode {USER} --output hex --json {json}"),
        expect![[r#"
            status: 1
            --- stderr
            wirelens: error: invalid JSON at line 1, column 21: unrecognized field name 'nickname'
              1 | {"id":"42","nickname":"Al","status":"ON_LEAVE"}
                |                     ^
        "#]],
    );
    check(
        &format!("encode {USER} --output hex --ignore-unknown-fields --json {json}"),
        expect![[r#"
            status: 0
            --- stdout
            08 2A
        "#]],
    );
}

#[test]
fn nesting_attacks_stop_at_level_100_with_the_offset() {
    let dir = TempDir::new("nesting");
    let dir =
        dir.write("n.proto", "syntax = \"proto2\";\nmessage N { optional N child = 1; optional group G = 3 {} }\n");
    let proto = dir.join("n.proto");
    let schema = [
        "-I".as_ref(),
        dir.as_os_str(),
        "--proto".as_ref(),
        proto.as_os_str(),
        "--type".as_ref(),
        "N".as_ref(),
        "--input".as_ref(),
        "raw".as_ref(),
    ];
    // 100,000 start-group tags (0x1B: field 3, wire type 3): the 101st opens level 101.
    let flood = vec![0x1B; 100_000];
    let last_lines = |output: &Output, stream: &[u8], n: usize| {
        let text = String::from_utf8_lossy(stream).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        format!("status: {}\n{}\n", output.status.code().unwrap(), lines[lines.len().saturating_sub(n)..].join("\n"))
    };
    let decode = run(&[&["decode".as_ref()][..], &schema].concat(), &flood);
    expect![[r#"
        status: 1
        error at byte 101: messages nested deeper than 100 levels are not read
        wirelens: error: cannot decode at byte 101: messages nested deeper than 100 levels are not read
    "#]]
    .assert_eq(&last_lines(&decode, &decode.stderr, 2));
    let annotate = run(&["annotate", "--input", "raw"], &flood);
    expect![[r#"
        status: 0
        error at byte 101: messages nested deeper than 100 levels are not read
    "#]]
    .assert_eq(&last_lines(&annotate, &annotate.stdout, 1));
}

#[test]
fn reports_bad_messages_with_a_caret() {
    check(
        &format!("encode {USER} --json '{{\n  \"id\": 42,\n  \"nme\": \"Alice\"\n}}'"),
        expect![[r#"
            status: 1
            --- stderr
            wirelens: error: invalid JSON at line 3, column 7: unrecognized field name 'nme'
              3 |   "nme": "Alice"
                |       ^
        "#]],
    );
    check(
        &format!("encode {USER} --json '{{\"id\": }}'"),
        expect![[r#"
            status: 1
            --- stderr
            wirelens: error: invalid JSON at line 1, column 8: expected value
              1 | {"id": }
                |        ^
        "#]],
    );
    check(
        &format!("encode {USER} --text 'id: 42 name: Alice'"),
        expect![[r#"
            status: 1
            --- stderr
            wirelens: error: invalid text format at line 1, column 14: expected a string, but found 'Alice'
              1 | id: 42 name: Alice
                |              ^
        "#]],
    );
}

#[test]
fn reports_schema_problems_by_file_line_and_column() {
    let dir = TempDir::new("broken");
    let dir = dir.write("broken.proto", "syntax = \"proto3\";\nmessage X {\n  int32 a = ;\n}\n");
    let path = dir.join("broken.proto");
    let output = run(
        &[
            "encode".as_ref(),
            "-I".as_ref(),
            dir.as_os_str(),
            "--proto".as_ref(),
            path.as_os_str(),
            "--json".as_ref(),
            "{}".as_ref(),
        ],
        b"",
    );
    expect![[r#"
        status: 1
        --- stderr
        wirelens: error: broken.proto:3:13: expected an integer, but found ';'
          3 |   int32 a = ;
            |             ^
    "#]]
    .assert_eq(&render(&output));

    check(
        "encode --proto proto/userservice/user.proto --type Usr --json '{}'",
        expect![[r#"
            status: 1
            --- stderr
            wirelens: error: unknown message type 'Usr': the schema has userservice.User, userservice.Address
        "#]],
    );
    check(
        "encode --proto proto/userservice/nope.proto --type User --json '{}'",
        expect![[r#"
            status: 1
            --- stderr
            wirelens: error: cannot read proto/userservice/nope.proto: No such file or directory (os error 2)
        "#]],
    );
}

#[test]
fn reads_imports_from_the_include_dirs() {
    check(
        r#"encode -I proto --proto proto/userservice/user_service.proto --type GetUserResponse --json '{"user":{"id":"1"}}' -o hex"#,
        expect![[r#"
            status: 0
            --- stdout
            0A 02 08 01
        "#]],
    );
    check(
        "encode --proto proto/userservice/user_service.proto --type GetUserRequest --json '{}'",
        expect![[r#"
            status: 1
            --- stderr
            wirelens: error: proto/userservice/user_service.proto:14:1: import 'userservice/user.proto' not found
              14 | import "userservice/user.proto";
                 | ^
            wirelens: hint: add -I proto: 'proto/userservice/user.proto' is imported as "userservice/user.proto"
        "#]],
    );
    // A file outside every include directory is named by its file name; its directory serves imports.
    let dir = TempDir::new("imports");
    dir.write("a.proto", "syntax = \"proto3\";\nimport \"b.proto\";\nmessage A { B b = 1; }\n");
    let dir = dir.write("b.proto", "syntax = \"proto3\";\nmessage B { int32 n = 1; }\n");
    let output = run(
        &[
            "encode".as_ref(),
            "--proto".as_ref(),
            dir.join("a.proto").as_os_str(),
            "--json".as_ref(),
            r#"{"b":{"n":1}}"#.as_ref(),
            "-o".as_ref(),
            "hex".as_ref(),
        ],
        b"",
    );
    expect![[r#"
        status: 0
        --- stdout
        0A 02 08 01
    "#]]
    .assert_eq(&render(&output));
}

#[test]
fn usage_errors_exit_with_2() {
    check(
        "decode --example reference --input raw 082a",
        expect![[r#"
            status: 2
            --- stderr
            wirelens: error: --input raw reads the bytes from stdin: leave DATA out, or write -
        "#]],
    );
    check(
        "encode --proto proto/userservice/user.proto --json '{}'",
        expect![[r#"
            status: 2
            --- stderr
            wirelens: error: --type is needed: the schema has userservice.User, userservice.Address
        "#]],
    );
    check(
        "decode 082a",
        expect![[r#"
            status: 2
            --- stderr
            wirelens: error: a schema is needed: give --proto FILE --type PKG.Message, or --example ID
        "#]],
    );
    check(
        "annotate --type User 082a",
        expect![[r#"
            status: 2
            --- stderr
            wirelens: error: --type needs a schema: give --proto FILE or --example ID
        "#]],
    );
    check(
        "encode --example reference --json '{}' --text ''",
        expect![[r#"
            status: 2
            --- stderr
            error: the argument '--json <TEXT>' cannot be used with '--text <TEXT>'

            Usage: wirelens encode --example <ID> --json <TEXT> [MESSAGE]...

            For more information, try '--help'.
        "#]],
    );
    check(
        "decode --example nope 08",
        expect![[r#"
            status: 2
            --- stderr
            error: invalid value 'nope' for '--example <ID>'
              [possible values: reference, address, scalars, maps, oneof, packed, unpacked, proto2, wellknown, evolution-v1, evolution-v2]

              tip: a similar value exists: 'unpacked'

            For more information, try '--help'.
        "#]],
    );
}

#[test]
fn help_lists_the_commands() {
    check(
        "--help",
        expect![[r#"
            status: 0
            --- stdout
            Makes the Protocol Buffers wire format visible: encode JSON or text format to bytes, decode bytes to
            JSON, and annotate every byte with what it means

            Usage: wirelens [OPTIONS] <COMMAND>

            Commands:
              encode    Encode a message written in JSON or text format, and show its bytes
              decode    Decode bytes (hex, base64, escaped or raw) as a message, to JSON or text format
              annotate  Show what every byte means, with or without a schema
              call      Call any method of any service over gRPC, grpc-web or Connect, and show the answers
              har       List the grpc-web and Connect calls of a HAR file (DevTools, playwright) with their
                        messages
              help      Print this message or the help of the given subcommand(s)

            Options:
                  --color <WHEN>  When to colour the listing and errors: auto means on a terminal, unless
                                  NO_COLOR is set [default: auto] [possible values: auto, always, never]
              -h, --help          Print help
              -V, --version       Print version

            Examples:
              $ wirelens encode --proto proto/userservice/user.proto --type userservice.User \
                    --json '{"id":"42"}' --output hex
              08 2A

              $ wirelens decode --example reference --output text 08 2A 12 05 41 6C 69 63 65
              id: 42
              name: "Alice"

              More in each command's --help. Exit status: 0 success; 1 invalid input (schema, message,
              bytes, an unreadable file); 2 usage error; 3 a call that failed (`call`).
        "#]],
    );
}

/// Every `$ wirelens …` example in the help texts prints what the help says it prints.
#[test]
fn help_examples_hold() {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_wirelens")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut count = 0;
    for command in ["", "encode", "decode", "annotate", "har"] {
        let help = run(&words(&format!("{command} --help")), b"");
        let help = String::from_utf8(help.stdout).unwrap();
        let examples = help.split_once("\nExamples:\n").expect("the help has examples").1;
        for (script, expected) in examples_in(examples) {
            let output = Command::new("sh")
                .arg("-c")
                .arg(format!("{{ {script}; }} 2>&1"))
                .current_dir(ROOT)
                .env("PATH", &path)
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "wirelens {command} --help: $ {script}");
            count += 1;
        }
    }
    assert_eq!(count, 16);
}

/// `(command, output)` pairs: a `$ ` line and its `\` continuations, then the lines up to
/// a blank one, all unindented by two spaces.
fn examples_in(text: &str) -> Vec<(String, String)> {
    let mut examples = Vec::new();
    let mut lines = text.lines().map(|l| l.strip_prefix("  ").unwrap_or(l));
    while let Some(line) = lines.next() {
        let Some(mut script) = line.strip_prefix("$ ").map(str::to_owned) else { continue };
        while let Some(head) = script.strip_suffix('\\') {
            script = format!("{head}{}", lines.next().unwrap().trim_start());
        }
        let output: String = lines.by_ref().take_while(|l| !l.is_empty()).map(|l| format!("{l}\n")).collect();
        examples.push((script, output));
    }
    examples
}

/// Bytes that decode but have no JSON form (an `Any` whose type URL names nothing) fail as
/// invalid input with the reason, instead of printing half a document.
#[test]
fn a_message_without_a_json_form_is_invalid_input() {
    check(
        "decode --example wellknown 1A 05 0A 03 61 62 63",
        expect![[r#"
        status: 1
        --- stderr
        wirelens: error: this message has no JSON form: unsupported type url 'abc': missing at least one '/'
    "#]],
    );
    check(
        "decode --example wellknown --output text 1A 05 0A 03 61 62 63",
        expect![[r#"
        status: 0
        --- stdout
        details {
          type_url: "abc"
        }
    "#]],
    );
}

/// `wirelens har` on the HAR Chromium recorded under playwright (core's test data): every call
/// with its status and messages both ways, the request the recorder lost said so; then files
/// that are not HARs, and an entry that is not a call.
#[test]
fn lists_the_calls_of_a_har_file() {
    const HAR: &str = "crates/wirelens-core/tests/data/chromium.har";
    check(
        &format!("har {HAR} --proto interop/proto/wirelens/interop/v1/echo.proto -I interop/proto"),
        expect![[r#"
            status: 0
            --- stdout
            9 calls, 1 other entry (recorded by Playwright 1.64.1)

            #1 grpc-web wirelens.interop.v1.EchoService/Say: OK (0)
              http://127.0.0.1:34973, HTTP 200, 380 ms, 9 bytes sent, 66 received
              > {"text":"hi"}
              < {"text":"HI","tags":["echo","hi"],"at":"2024-01-02T03:04:05Z"}
              trailer: grpc-status: 0
              trailer: x-echo-length: 2

            #2 grpc-web wirelens.interop.v1.EchoService/Count: OK (0)
              http://127.0.0.1:34973, HTTP 200, 164 ms, 160 bytes sent, 519 received
              > (request body lost bytes in the file: the recorder wrote the binary body as text, and 2 runs of bytes that were not UTF-8 became U+FFFD (the first at byte 4 of the text): their bytes are lost)
              < {"text":"✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓ 1","index":1}
              < {"text":"✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓ 2","index":2}
              < {"text":"✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓ 3","index":3}
              trailer: grpc-status: 0
              trailer: x-count: 3

            #3 grpc-web-text wirelens.interop.v1.EchoService/Count: UNKNOWN (2): HTTP 415 without a grpc-status
              http://127.0.0.1:34973, HTTP 415, 16 ms, 20 bytes sent, 0 received
              > {"text":"text","times":2}

            #4 grpc-web wirelens.interop.v1.EchoService/Fail: FAILED_PRECONDITION (9): echo refuses 'no'
              http://127.0.0.1:34973, HTTP 200, 47 ms, 9 bytes sent, 233 received
              > {"text":"no"}
              trailer: grpc-message: echo%20refuses%20'no'
              trailer: grpc-status: 9
              trailer: grpc-status-details-bin: CAkSEWVjaG8gcmVmdXNlcyAnbm8nGlgKKHR5cGUuZ29vZ2xlYXBpcy5jb20vZ29vZ2xlLnJwYy5FcnJvckluZm8SLAoMRUNIT19SRUZVU0VEEhB3aXJlbGVucy5pbnRlcm9wGgoKBHRleHQSAm5v

            #5 connect wirelens.interop.v1.EchoService/Say: OK (0)
              http://127.0.0.1:34973, HTTP 200, 107 ms, 9 bytes sent, 28 received
              > {"text":"proto","times":3}
              < {"text":"PROTO","tags":["echo","proto"],"at":"2024-01-02T03:04:05Z"}
              trailer: x-echo-length: 5

            #6 connect-json wirelens.interop.v1.EchoService/Say: OK (0)
              http://127.0.0.1:34973, HTTP 200, 38 ms, 15 bytes sent, 66 received
              > {"text":"json"}
              < {"text":"JSON","tags":["echo","json"],"at":"2024-01-02T03:04:05Z"}
              trailer: x-echo-length: 4

            #7 connect-json wirelens.interop.v1.EchoService/Fail: FAILED_PRECONDITION (9): echo refuses 'nope'
              http://127.0.0.1:34973, HTTP 400, 59 ms, 15 bytes sent, 179 received
              > {"text":"nope"}

            #8 connect wirelens.interop.v1.EchoService/Count: OK (0)
              http://127.0.0.1:34973, HTTP 200, 95 ms, 15 bytes sent, 69 received
              > {"text":"stream","times":2}
              < {"text":"stream 1","index":1}
              < {"text":"stream 2","index":2}
              trailer: x-count: 2

            #9 connect-json wirelens.interop.v1.EchoService/CountThenFail: FAILED_PRECONDITION (9): echo refuses 'j'
              http://127.0.0.1:34973, HTTP 200, 88 ms, 27 bytes sent, 216 received
              > {"text":"j","times":1}
              < {"text":"j 1","index":1}
        "#]],
    );
    check(
        &format!(
            "har {HAR} --entry 7 --commands --proto interop/proto/wirelens/interop/v1/echo.proto -I interop/proto"
        ),
        expect![[r#"
            status: 0
            --- stdout
            #7 connect-json wirelens.interop.v1.EchoService/Fail: FAILED_PRECONDITION (9): echo refuses 'nope'
              http://127.0.0.1:34973, HTTP 400, 59 ms, 15 bytes sent, 179 received
              > {"text":"nope"}
              $ wirelens call -I interop/proto --proto interop/proto/wirelens/interop/v1/echo.proto --protocol connect-json --addr http://127.0.0.1:34973 wirelens.interop.v1.EchoService/Fail --json '{"text":"nope"}'
              $ grpcurl -plaintext -import-path interop/proto -proto interop/proto/wirelens/interop/v1/echo.proto -d '{"text":"nope"}' 127.0.0.1:34973 wirelens.interop.v1.EchoService/Fail
              $ buf curl --protocol connect --schema interop/proto/wirelens/interop/v1/echo.proto -d '{"text":"nope"}' http://127.0.0.1:34973/wirelens.interop.v1.EchoService/Fail
        "#]],
    );
    check(
        &format!("har {HAR} --entry 9"),
        expect![[r#"
        status: 0
        --- stdout
        #9 connect-json wirelens.interop.v1.EchoService/CountThenFail: FAILED_PRECONDITION (9): echo refuses 'j'
          http://127.0.0.1:34973, HTTP 200, 88 ms, 27 bytes sent, 216 received
          > {"text":"j","times":1}  (bytes 5..27)
          < {"text":"j 1","index":1}  (bytes 5..29)
    "#]],
    );
    check(
        "har Cargo.toml",
        expect![[r#"
        status: 1
        --- stderr
        wirelens: error: Cargo.toml: not a HAR file: not JSON at line 1, column 2: expected value
          1 | [package]
            |  ^
    "#]],
    );
    // JSON, but not a HAR; a HAR of no calls (written where the test runs).
    let dir = TempDir::new("har");
    dir.write("log.json", r#"{"log": {"version": "1.2"}}"#);
    let dir = dir.write("empty.har", r#"{"log": {"entries": [{"request": {"method": "GET", "url": "https://e/"}}]}}"#);
    let out = |name: &str| {
        render(&run(&["har".as_ref(), dir.join(name).as_os_str()], b"")).replace(&*dir.to_string_lossy(), "DIR")
    };
    expect![[r#"
        status: 1
        --- stderr
        wirelens: error: DIR/log.json: not a HAR file: its 'log' has no 'entries' list
        status: 0
        --- stdout
        0 calls, 1 other entry
    "#]]
    .assert_eq(&(out("log.json") + &out("empty.har")));
    check(
        &format!("har {HAR} --entry 0"),
        expect![[r#"
        status: 2
        --- stderr
        wirelens: error: entry 0 is not a grpc-web or Connect call; the calls are entries 1, 2, 3, 4, 5, 6, 7, 8, 9
    "#]],
    );
    check(
        "har no-such.har",
        expect![[r#"
        status: 1
        --- stderr
        wirelens: error: cannot read no-such.har: No such file or directory (os error 2)
    "#]],
    );
}
