//! The grpc-web frame parser: bodies as a server sends them, whole and in chunks, binary and
//! text, and the malformed ones with the offset each error names. Every case goes through
//! `check`, which prints the frames and the error; the property at the end checks that any
//! chunking of a valid body gives the same frames (fixed seed).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use expect_test::{Expect, expect};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use wirelens_core::grpcweb::{self, Encoding, Frame, Parser, SpanKind, frame};

const ALICE: &[u8] = b"\x0a\x07\x08\x2a\x12\x05Alice";
const OK_TRAILERS: &[u8] = b"grpc-status: 0\r\ngrpc-message: \r\n";

fn body(frames: &[(u8, &[u8])]) -> Vec<u8> {
    frames.iter().flat_map(|(flags, payload)| frame(*flags, payload)).collect()
}

/// Each frame's base64 on its own, padded, concatenated: what a server that flushes per frame sends.
fn text_per_frame(frames: &[(u8, &[u8])]) -> Vec<u8> {
    frames.iter().flat_map(|(flags, payload)| STANDARD.encode(frame(*flags, payload)).into_bytes()).collect()
}

/// Feeds `chunks` one by one, then finishes; prints one line per frame (with the chunk that
/// completed it) and the error.
fn run(encoding: Encoding, chunks: &[&[u8]]) -> (Vec<Frame>, String) {
    let mut parser = Parser::new(encoding);
    let mut frames = Vec::new();
    let mut out = String::new();
    for (i, chunk) in chunks.iter().enumerate() {
        for f in parser.push(chunk) {
            out.push_str(&format!("chunk {i}: {}\n", describe(&f)));
            frames.push(f);
        }
    }
    for f in parser.finish() {
        out.push_str(&format!("finish: {}\n", describe(&f)));
        frames.push(f);
    }
    if let Some(e) = parser.error() {
        out.push_str(&format!("error: {e}\n"));
    }
    (frames, out)
}

fn describe(f: &Frame) -> String {
    match &f.trailers {
        Some(t) => format!("@{} trailers {:?}", f.offset, t.0),
        None => format!("@{} message flags {:#04x} {}", f.offset, f.flags, wirelens_core::input::to_hex(&f.payload)),
    }
}

fn check(encoding: Encoding, chunks: &[&[u8]], expect: Expect) {
    expect.assert_eq(&run(encoding, chunks).1);
}

#[test]
fn one_message_and_the_trailers_in_one_chunk() {
    let b = body(&[(0, ALICE), (0x80, OK_TRAILERS)]);
    check(
        Encoding::Binary,
        &[&b],
        expect![[r#"
            chunk 0: @0 message flags 0x00 0A 07 08 2A 12 05 41 6C 69 63 65
            chunk 0: @16 trailers [("grpc-status", "0"), ("grpc-message", "")]
        "#]],
    );
}

#[test]
fn a_frame_split_across_chunks_comes_out_when_its_last_byte_is_in() {
    let b = body(&[(0, ALICE), (0x80, OK_TRAILERS)]);
    check(
        Encoding::Binary,
        &[&b[..3], &b[3..10], &b[10..16], &b[16..]],
        expect![[r#"
            chunk 2: @0 message flags 0x00 0A 07 08 2A 12 05 41 6C 69 63 65
            chunk 3: @16 trailers [("grpc-status", "0"), ("grpc-message", "")]
        "#]],
    );
}

#[test]
fn empty_messages_and_a_stream_of_several() {
    let b = body(&[(0, b""), (0, b"\x08\x01"), (0, b"\x08\x02"), (0x80, b"grpc-status:0")]);
    check(
        Encoding::Binary,
        &[&b],
        expect![[r#"
            chunk 0: @0 message flags 0x00 
            chunk 0: @5 message flags 0x00 08 01
            chunk 0: @12 message flags 0x00 08 02
            chunk 0: @19 trailers [("grpc-status", "0")]
        "#]],
    );
}

#[test]
fn text_in_one_piece_and_chunked_per_frame_with_padding_inside() {
    let frames: [(u8, &[u8]); 2] = [(0, ALICE), (0x80, OK_TRAILERS)];
    let whole = STANDARD.encode(body(&frames));
    let per_frame = text_per_frame(&frames);
    assert!(per_frame[..per_frame.len() - 1].contains(&b'='), "padding inside the stream");
    assert_eq!(run(Encoding::Text, &[whole.as_bytes()]).1, run(Encoding::Binary, &[&body(&frames)]).1);
    check(
        Encoding::Text,
        &[&per_frame],
        expect![[r#"
            chunk 0: @0 message flags 0x00 0A 07 08 2A 12 05 41 6C 69 63 65
            chunk 0: @16 trailers [("grpc-status", "0"), ("grpc-message", "")]
        "#]],
    );
    // Split inside a base64 group.
    check(
        Encoding::Text,
        &[&per_frame[..7], &per_frame[7..21], &per_frame[21..]],
        expect![[r#"
            chunk 2: @0 message flags 0x00 0A 07 08 2A 12 05 41 6C 69 63 65
            chunk 2: @16 trailers [("grpc-status", "0"), ("grpc-message", "")]
        "#]],
    );
}

#[test]
fn unpadded_text_at_the_end_is_read() {
    let b = body(&[(0x80, b"grpc-status: 5")]);
    let text = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&b);
    check(
        Encoding::Text,
        &[text.as_bytes()],
        expect![[r#"
            finish: @0 trailers [("grpc-status", "5")]
        "#]],
    );
}

#[test]
fn malformed_bodies_name_the_offset() {
    let good = frame(0, ALICE);
    let mut cases = String::new();
    let mut case = |name: &str, encoding: Encoding, input: Vec<u8>| {
        cases.push_str(&format!("-- {name}\n{}", run(encoding, &[&input]).1));
    };
    case("truncated header", Encoding::Binary, [&good[..], &[0, 0, 0]].concat());
    case("length past the end", Encoding::Binary, [&good[..], &[0, 0, 0, 0, 9, 1, 2]].concat());
    case("huge length", Encoding::Binary, vec![0, 0xff, 0xff, 0xff, 0xff]);
    case("unknown flag bits", Encoding::Binary, [&good[..], &frame(0x40, b"x")].concat());
    case("trailer line without a colon", Encoding::Binary, frame(0x80, b"grpc-status: 0\r\nbroken\r\n"));
    case("bytes after the trailers", Encoding::Binary, [frame(0x80, b"grpc-status: 0"), frame(0, b"")].concat());
    case("bad base64 character", Encoding::Text, b"AAAAAAJ*CAE=".to_vec());
    case("character after padding", Encoding::Text, b"AA=A".to_vec());
    case("one character left over", Encoding::Text, b"AAAAAAA".to_vec());
    // Found by the server's fuzz target: a frame with unknown flags, then a bad character. The
    // frame comes first in the body, so its error is the one, in one chunk as in seven-byte ones.
    case("unknown flags before bad base64", Encoding::Text, b"IAAAAAAIKg==AAAAAA%IIAw==".to_vec());
    expect![[r#"
        -- truncated header
        chunk 0: @0 message flags 0x00 0A 07 08 2A 12 05 41 6C 69 63 65
        error: the body ends inside a frame header at byte 16: 3 of 5 bytes
        -- length past the end
        chunk 0: @0 message flags 0x00 0A 07 08 2A 12 05 41 6C 69 63 65
        error: frame at byte 16 says its payload is 9 bytes, but the body ends after 2
        -- huge length
        error: frame at byte 0 says its payload is 4294967295 bytes, but the body ends after 0
        -- unknown flag bits
        chunk 0: @0 message flags 0x00 0A 07 08 2A 12 05 41 6C 69 63 65
        error: frame at byte 16 has unknown flag bits 0x40 (flags 0x40)
        -- trailer line without a colon
        error: trailer line at byte 21 is not 'name: value'
        -- bytes after the trailers
        chunk 0: @0 trailers [("grpc-status", "0")]
        error: bytes after the trailer frame at byte 19
        -- bad base64 character
        error: invalid base64 character '*' at character 7
        -- character after padding
        error: invalid base64 character 'A' at character 3
        -- one character left over
        finish: @0 message flags 0x00 
        -- unknown flags before bad base64
        error: frame at byte 0 has unknown flag bits 0x20 (flags 0x20)
    "#]]
    .assert_eq(&cases);
}

#[test]
fn spans_tile_the_body_and_mark_what_is_left() {
    let b = [frame(0, ALICE), frame(0x80, OK_TRAILERS), vec![0x00, 0x00]].concat();
    let parsed = grpcweb::annotate_body(&b, Encoding::Binary);
    let mut next = 0;
    for span in &parsed.spans {
        assert_eq!(span.range.start, next);
        next = span.range.end;
    }
    assert_eq!(next, b.len());
    let kinds: Vec<String> = parsed.spans.iter().map(|s| format!("{:?} {}", s.range, s.kind.class())).collect();
    expect![[r#"
        [
            "0..1 tag",
            "1..5 len",
            "5..16 bytes",
            "16..17 tag",
            "17..21 len",
            "21..53 string",
            "53..55 invalid",
        ]
    "#]]
    .assert_debug_eq(&kinds);
    assert!(
        matches!(&parsed.spans[6].kind, SpanKind::Invalid(r) if r.contains("bytes after the trailer frame at byte 53"))
    );
    let text = grpcweb::annotate_body(STANDARD.encode(&b[..53]).as_bytes(), Encoding::Text);
    assert_eq!(text.bytes, &b[..53]);
    assert_eq!(text.frames, parsed.frames);
    assert_eq!(text.frames[1].trailers.as_ref().unwrap().status(), Some(0));
}

#[test]
fn grpc_message_is_percent_decoded() {
    let t = grpcweb::parse_trailers(b"grpc-status: 5\r\nGrpc-Message: user 7 not found%3A %E2%9C%93 100%\r\n").unwrap();
    assert_eq!(t.status(), Some(5));
    assert_eq!(t.message().as_deref(), Some("user 7 not found: \u{2713} 100%"));
}

#[test]
fn content_types() {
    assert_eq!(Encoding::from_content_type("application/grpc-web+proto"), Some(Encoding::Binary));
    assert_eq!(Encoding::from_content_type("application/grpc-web-text+proto; x=1"), Some(Encoding::Text));
    assert_eq!(Encoding::from_content_type("text/html"), None);
}

fn config(cases: u32) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(0x5eed_1e25), failure_persistence: None, ..Config::default() }
}

fn frames_strategy() -> impl Strategy<Value = Vec<(u8, Vec<u8>)>> {
    let message = (prop_oneof![Just(0u8), Just(1u8)], proptest::collection::vec(any::<u8>(), 0..40));
    let trailers =
        ("[a-z-]{1,12}", "[ -~]{0,20}").prop_map(|(name, value)| format!("grpc-status: 3\r\n{name}: {value}\r\n"));
    (proptest::collection::vec(message, 0..5), proptest::option::of(trailers)).prop_map(|(mut frames, trailers)| {
        frames.extend(trailers.map(|t| (0x80, t.into_bytes())));
        frames
    })
}

fn chunked(input: &[u8], cuts: &[prop::sample::Index]) -> Vec<Vec<u8>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c.index(input.len() + 1)).collect();
    points.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for p in points.into_iter().chain([input.len()]) {
        out.push(input[start..p].to_vec());
        start = p;
    }
    out
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_chunking_of_a_valid_body_gives_the_same_frames(
        frames in frames_strategy(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
        per_frame in any::<bool>(),
    ) {
        let pairs: Vec<(u8, &[u8])> = frames.iter().map(|(f, p)| (*f, p.as_slice())).collect();
        let binary = body(&pairs);
        let text = if per_frame { text_per_frame(&pairs) } else { STANDARD.encode(&binary).into_bytes() };
        for (encoding, input) in [(Encoding::Binary, &binary), (Encoding::Text, &text)] {
            let whole = run(encoding, &[input]).0;
            let pieces = chunked(input, &cuts);
            let slices: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
            let (parts, log) = run(encoding, &slices);
            prop_assert!(!log.contains("error"), "{log}");
            prop_assert_eq!(&parts, &whole);
            prop_assert_eq!(parts.len(), frames.len());
            for (got, (flags, payload)) in parts.iter().zip(&frames) {
                prop_assert_eq!(got.flags, *flags);
                prop_assert_eq!(&got.payload, payload);
            }
        }
    }

    #[test]
    fn any_chunking_of_any_body_gives_the_same_error(
        bytes in proptest::collection::vec(any::<u8>(), 0..60),
        frames in frames_strategy(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..8),
        text in any::<bool>(),
    ) {
        // Valid frames followed by junk, as binary or base64: the error (and the frames before
        // it) must not depend on where the network cut the body.
        let pairs: Vec<(u8, &[u8])> = frames.iter().map(|(f, p)| (*f, p.as_slice())).collect();
        let mut input = if text { text_per_frame(&pairs) } else { body(&pairs) };
        input.extend(&bytes);
        let encoding = if text { Encoding::Text } else { Encoding::Binary };
        let (whole, log) = run(encoding, &[&input]);
        let error = |log: &str| log.lines().find(|l| l.starts_with("error")).map(str::to_owned);
        let pieces = chunked(&input, &cuts);
        let slices: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
        let (parts, chunked_log) = run(encoding, &slices);
        prop_assert_eq!(error(&chunked_log), error(&log));
        prop_assert_eq!(parts, whole);
    }

    #[test]
    fn any_bytes_parse_without_panicking_and_spans_tile(bytes in proptest::collection::vec(any::<u8>(), 0..200), text in any::<bool>()) {
        let encoding = if text { Encoding::Text } else { Encoding::Binary };
        let parsed = grpcweb::annotate_body(&bytes, encoding);
        let mut next = 0;
        for span in &parsed.spans {
            prop_assert_eq!(span.range.start, next);
            next = span.range.end;
        }
        prop_assert_eq!(next, parsed.bytes.len());
    }
}

#[test]
fn the_base64_layer_is_read_piece_by_piece_where_padding_closes_one() {
    let (message, trailers) = (frame(0, &[0x08, 0x01]), frame(0x80, b"grpc-status: 0"));
    let (first, second) = (STANDARD.encode(&message), STANDARD.encode(&trailers));
    assert!(first.ends_with('=') && second.ends_with('='), "both pieces are padded");
    let text = format!("{first}{second}");
    assert_eq!(
        grpcweb::base64_pieces(text.as_bytes()),
        [
            grpcweb::Base64Piece { chars: 0..first.len(), bytes: 0..7 },
            grpcweb::Base64Piece { chars: first.len()..text.len(), bytes: 7..7 + trailers.len() },
        ]
    );
    // One unpadded piece (three bytes to four characters), and no text at all.
    assert_eq!(grpcweb::base64_pieces(b"CAEI"), [grpcweb::Base64Piece { chars: 0..4, bytes: 0..3 }]);
    assert_eq!(grpcweb::base64_pieces(b""), []);
}
