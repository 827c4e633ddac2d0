//! The properties the cargo-fuzz target `server` (`fuzz/fuzz_targets/server.rs`) holds the
//! server's request parsing to, as plain functions that panic when one fails: the target calls
//! them on the inputs libFuzzer makes up, `cargo test` on the corpus it keeps
//! (`fuzz/corpus/server/`, replayed by `tests/server/fuzz_corpus.rs`). No IO and no async: the
//! grpc-web body checks of the layers, and the REST parameters, each before any handler.

use tonic::Code;
use wirelens_core::grpcweb::{Encoding, Parser};

use crate::layers::cardinality::{OneMessage, Violation};
use crate::layers::grpc_web_body::Checker;
use crate::layers::max_message::{Oversized, Scanner};
use crate::{rest, users};

/// The message size limit the scanner is held to here: small, so that fuzzed frames cross it.
const LIMIT: usize = 16;

/// Any bytes as a grpc-web request body. `data[0]` picks the encoding (bit 0: text), whether
/// the request names a `grpc-encoding` (bit 1) and the chunk size (the other bits, 1 to 64);
/// the rest is the body. [`Checker`] (core's parser and the compressed-flag rule) must give the
/// same verdict in chunks as in one piece, with an offset inside the body; and on the frames it
/// reads, the server's other frame reader ([`Scanner`], behind [`OneMessage`] and the size
/// limit) must agree with core's about how many frames there are and which one is too large.
pub fn grpc_web_request(data: &[u8]) {
    let Some((&options, body)) = data.split_first() else { return };
    let encoding = if options & 1 == 1 { Encoding::Text } else { Encoding::Binary };
    let named = (options & 2 == 2).then(|| http::HeaderValue::from_static("gzip"));
    let chunk = usize::from(options >> 2) + 1;

    let whole = check(Checker::new(encoding, named.as_ref()), &[body]);
    let chunks: Vec<&[u8]> = body.chunks(chunk).collect();
    let chunked = check(Checker::new(encoding, named.as_ref()), &chunks);
    assert_eq!(whole, chunked, "the verdict depends on the chunking ({chunk} bytes)");
    if let Err(malformed) = &whole {
        assert!(malformed.offset() <= body.len(), "{malformed} is past the body's {} bytes", body.len());
    }

    // The frames core's parser reads, rebuilt as the binary stream tonic-web hands on.
    let mut parser = Parser::new(encoding);
    let mut frames = parser.push(body);
    frames.extend(parser.finish());
    let stream: Vec<u8> = frames.iter().flat_map(|frame| frame.to_bytes()).collect();

    let mut one = OneMessage::default();
    let counted = stream.chunks(chunk).try_for_each(|piece| one.feed(piece)).and_then(|()| one.end());
    let expected = match frames.len() {
        0 => Err(Violation::None),
        1 => Ok(()),
        _ => Err(Violation::More),
    };
    assert_eq!(counted, expected, "{} frames", frames.len());

    let mut scanner = Scanner::default();
    let scanned = stream.chunks(chunk).try_for_each(|piece| scanner.feed(piece, LIMIT));
    let oversized = frames
        .iter()
        .find(|frame| frame.payload.len() > LIMIT)
        .map(|frame| Oversized { len: frame.payload.len() as u64, at: frame.offset as u64 });
    assert_eq!(scanned.err(), oversized);
    if oversized.is_none() {
        assert_eq!(scanner.frames_started(), frames.len() as u64);
        assert!(scanner.at_boundary());
    }
}

fn check(mut checker: Checker, chunks: &[&[u8]]) -> Result<(), crate::layers::grpc_web_body::Malformed> {
    chunks.iter().try_for_each(|chunk| checker.feed(chunk))?;
    checker.end()
}

/// Any bytes (read as UTF-8, lossily) as the REST parameters: a user id from the path, and the
/// query of `GET /v1/users?…` and of `POST …/photos?…`. Each reads or ends INVALID_ARGUMENT; a
/// page request that reads is one `users::list_users` serves or refuses INVALID_ARGUMENT.
pub fn rest_parameters(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match rest::user_id(&text) {
        Ok(id) => assert_eq!(rest::user_id(&id.to_string()), Ok(id)),
        Err(error) => assert_eq!(error.message(), format!("invalid user_id: '{text}' is not an integer")),
    }
    let Ok(uri) = format!("/v1/users?{text}").parse::<http::Uri>() else { return };
    match rest::list_params(&uri) {
        Ok(params) => match users::page_request(params.page_size, &params.page_token) {
            Ok(page) => {
                assert!((1..=users::MAX_PAGE_SIZE).contains(&page.size), "{page:?}");
                assert!(page.after >= 0, "{page:?}");
            }
            Err(error) => assert_eq!(error.code(), Code::InvalidArgument, "{error}"),
        },
        Err(error) => assert_eq!(error.code(), Code::InvalidArgument, "{error}"),
    }
    if let Err(error) = rest::photo_filename(&uri) {
        assert_eq!(error.code(), Code::InvalidArgument, "{error}");
    }
}
