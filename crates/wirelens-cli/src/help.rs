//! The examples that `--help` shows, copied from real runs against the repository's `proto/`.
//!
//! `tests/cli.rs` runs every `$ wirelens …` command of every command's help from the
//! repository root and checks that it still prints what is written under it (stdout and
//! stderr together). Lines stay under 100 columns, where clap would wrap them. Knows no logic.

pub const MAIN: &str = r#"Examples:
  $ wirelens encode --proto proto/userservice/user.proto --type userservice.User \
        --json '{"id":"42"}' --output hex
  08 2A

  $ wirelens decode --example reference --output text 08 2A 12 05 41 6C 69 63 65
  id: 42
  name: "Alice"

  More in each command's --help. Exit status: 0 success; 1 invalid input (schema, message,
  bytes, an unreadable file); 2 usage error; 3 a call that failed (`call`)."#;

pub const ENCODE: &str = r#"Examples:
  $ wirelens encode --proto proto/userservice/user.proto --type userservice.User \
        --json '{"id":"42"}' --output hex
  08 2A

  $ wirelens encode --proto proto/userservice/user.proto --type userservice.User \
        --text 'id: 42 name: "Alice"'
  0                               field 1 id: int64
  0      08                         tag: field 1, wire type 0 VARINT
  1      2A                         42
  2                               field 2 name: string
  2      12                         tag: field 2, wire type 2 LEN
  3      05                         length 5
  4      41 6C 69 63 65             "Alice"

  A file that imports another needs the directory its imports are relative to (-I):
  $ echo '{"userId":"7"}' | wirelens encode -I proto \
        --proto proto/userservice/user_service.proto --type GetUserRequest --output base64
  CAc="#;

pub const DECODE: &str = r#"Examples:
  $ wirelens decode --proto proto/userservice/user.proto --type userservice.User \
        08 2A 12 05 41 6C 69 63 65
  {
    "id": "42",
    "name": "Alice"
  }

  $ wirelens encode --example reference --json '{"id":"42"}' --output raw \
        | wirelens decode --example reference --input raw --output text
  id: 42

  Bytes that do not decode exit with status 1; what could be read goes to stderr:
  $ wirelens decode --proto proto/userservice/user.proto --type userservice.User 08 2A 12 09 41
  0                               field 1 id: int64
  0      08                         tag: field 1, wire type 0 VARINT
  1      2A                         42
  2                               field 2 name: string
  2      12                         tag: field 2, wire type 2 LEN
  3      09                         length 9
  4      41                         invalid: length 9 runs past the end: only 1 byte follows
  error at byte 3: length 9 runs past the end: only 1 byte follows
  wirelens: error: cannot decode at byte 3: length 9 runs past the end: only 1 byte follows"#;

pub const ANNOTATE: &str = r#"Examples:
  Without a schema, fields have numbers, and length-delimited payloads a guessed type:
  $ wirelens annotate 082a120541 6c696365
  0                               field 1: varint
  0      08                         tag: field 1, wire type 0 VARINT
  1      2A                         42
  2                               field 2: string  [could also be: bytes, packed varints]
  2      12                         tag: field 2, wire type 2 LEN
  3      05                         length 5
  4      41 6C 69 63 65             "Alice"

  $ wirelens annotate --proto proto/userservice/user.proto --type userservice.User CCoSBUFsaWNl
  0                               field 1 id: int64
  0      08                         tag: field 1, wire type 0 VARINT
  1      2A                         42
  2                               field 2 name: string
  2      12                         tag: field 2, wire type 2 LEN
  3      05                         length 5
  4      41 6C 69 63 65             "Alice"

  $ wirelens annotate --explain 08 AC 02
  0                               field 1: varint
  0      08                         tag: field 1, wire type 0 VARINT
           = tag 8 = (field 1 << 3) | wire type 0 (varint) = 0x08 = 0000 1000
           = field numbers 1 to 15 fit in a one-byte tag
  1      AC 02                      300
           = AC = continuation 1 (more follows), group 0101100 = 44
           = 02 = continuation 0 (last), group 0000010 = 2
           = groups are little-endian: 44 + 2 × 128 = 300
           = without a schema: as sint64 (zigzag) it would be 150, as int64 300

  Protoscope text, one record per line, to edit and read back (--input protoscope, or auto):
  $ wirelens annotate --output protoscope 08 2A 1A 03 08 96 01
  1: 42
  3: {
    1: 150
  }

  $ wirelens annotate --example reference --output protoscope '1: 42 2: {"Alice"}'
  1: 42  # id
  2: {"Alice"}  # name

  And assembled into bytes: hex, base64, escaped, or raw for a file (as `protoscope -s`):
  $ wirelens annotate --input protoscope --output hex '1: 42 3: !{ 1: 1.5i32 }'
  08 2A 1B 0D 00 00 C0 3F 1C"#;

/// Not run by the tests (they need a server): written as the session prints it, without `$`.
pub const CALL: &str = r#"Examples (with `cargo run -p wirelens-server -- --memory` running):
  wirelens call GetUser --json '{"userId":"42"}'
  {"user":{"id":"42","name":"Alice","email":"alice@example.com","roles":["admin","user"],"status":"ACTIVE"}}

  wirelens call ListUsers --json '{"pageSize":2}' --annotate -H 'x-wirelens-delay-ms: 500'
  printf '{"userId":"42","filename":"a.txt","chunk":"aGVsbG8="}\n' | wirelens call UploadUserPhotos
  wirelens call Chat -        (then type {"from":"me","text":"hi"} lines; Ctrl-D ends)
  wirelens call GetUser --json '{"userId":"42"}' --deadline 100ms -H 'x-wirelens-work-ms: 1000'

  Any service: the schema from files, a descriptor set or the server's reflection, any protocol:
  wirelens call --reflect                                  (lists the methods)
  wirelens call --protocol grpc-web-text -v ListUsers --json '{"pageSize":2}'
  wirelens call --proto echo.proto -I proto --protocol connect --addr http://127.0.0.1:9000 \
      demo.v1.EchoService/Say --json '{"text":"hi"}'
  wirelens call --protocol grpc-web --commands GetUser --json '{"userId":"42"}'   (grpcurl, buf curl)
  wirelens call --protocol grpc-web --compress gzip --annotate GetUser --json '{"userId":"42"}'
      (a gzip request; the server answers in gzip, shown inflated with its size on the wire)
  wirelens call --descriptor-set look.binpb --protocol connect --get --addr URL Find --json '{}'
      (a Connect GET: only for methods marked idempotency_level = NO_SIDE_EFFECTS)

  Each response is one line of canonical proto3 JSON. Exit status 3: the server could not be
  reached, or the call ended with a status other than OK (printed by name and number, with its
  details)."#;

pub const HAR: &str = r#"Examples:
  $ wirelens har crates/wirelens-core/tests/data/chromium.har --entry 8 \
        --proto interop/proto/wirelens/interop/v1/echo.proto -I interop/proto
  #8 connect wirelens.interop.v1.EchoService/Count: OK (0)
    http://127.0.0.1:34973, HTTP 200, 95 ms, 15 bytes sent, 69 received
    > {"text":"stream","times":2}
    < {"text":"stream 1","index":1}
    < {"text":"stream 2","index":2}
    trailer: x-count: 2

  Without --entry, every call; without a schema, each message's bytes (--annotate reads them):
  $ wirelens har crates/wirelens-core/tests/data/chromium.har --entry 1
  #1 grpc-web wirelens.interop.v1.EchoService/Say: OK (0)
    http://127.0.0.1:34973, HTTP 200, 380 ms, 9 bytes sent, 66 received
    > 0A 02 68 69  (bytes 5..9)
    < 0A 02 48 49 1A 04 65 63 68 6F 1A 02 68 69 22 06 08 A5 FA CD AC 06  (bytes 5..27)
    trailer: grpc-status: 0
    trailer: x-echo-length: 2

  A body the file lost (a binary request written as text by the recorder) or lacks (playwright's
  content "omit" or "attach") is said so in place of its messages. Exit status 1: the file is not
  a HAR (not JSON, or no log.entries); a call that failed is listed with its status."#;
