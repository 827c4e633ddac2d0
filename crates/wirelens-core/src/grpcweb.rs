//! The grpc-web body: an incremental parser of its frames, and the spans that show them.
//!
//! A grpc-web response body (`application/grpc-web+proto`) is a run of frames, each a 5-byte
//! header (a flag byte, then the payload length as a big-endian `u32`) and a payload: a message
//! (flag `0x00`, or `0x01` when compressed) or, last, the trailers (flag `0x80`) as HTTP header
//! lines (`grpc-status: 0\r\ngrpc-message: …\r\n`). `application/grpc-web-text` is the same
//! bytes in base64, where each piece a server flushes may be padded on its own, so `=` can
//! appear inside the stream.
//!
//! [`Parser`] takes the body in chunks as they arrive and hands back each frame as soon as its
//! last byte is in; [`annotate_body`] lays a whole body out as [`Span`]s that tile it. Knows
//! the framing only: payloads are bytes for [`crate::wire::annotate`], and nothing here knows
//! about HTTP, fetch or clocks. Malformed input never panics: it stops the parser with a
//! [`FrameError`] that names the offset in the decoded stream (or the character in the text).

use std::fmt;
use std::ops::Range;
use std::time::Duration;

use crate::input::base64;
use crate::status::{self, Source, Status};

/// The size of a frame header: one flag byte and a 4-byte big-endian length.
pub const HEADER_LEN: usize = 5;
/// Flag bit: the payload is compressed (with the encoding the `grpc-encoding` header names).
pub const FLAG_COMPRESSED: u8 = 0x01;
/// Flag bit: the frame carries the trailers, not a message.
pub const FLAG_TRAILERS: u8 = 0x80;

/// How the body is written: raw frames, or frames in base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `application/grpc-web+proto` (and `application/grpc-web`).
    Binary,
    /// `application/grpc-web-text`.
    Text,
}

impl Encoding {
    /// The content type a request in this encoding is sent with.
    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Binary => "application/grpc-web+proto",
            Encoding::Text => "application/grpc-web-text",
        }
    }

    /// The encoding a response's `content-type` names, if it is grpc-web at all.
    pub fn from_content_type(content_type: &str) -> Option<Encoding> {
        let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if essence.starts_with("application/grpc-web-text") {
            Some(Encoding::Text)
        } else if essence.starts_with("application/grpc-web") {
            Some(Encoding::Binary)
        } else {
            None
        }
    }
}

/// One frame of the (decoded) body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Offset of the flag byte in the decoded stream.
    pub offset: usize,
    pub flags: u8,
    /// The payload: the message bytes, or the trailer block as sent.
    pub payload: Vec<u8>,
    /// For a trailer frame: its header lines, names in lower case, in order.
    pub trailers: Option<Trailers>,
}

impl Frame {
    pub fn is_trailers(&self) -> bool {
        self.flags & FLAG_TRAILERS != 0
    }

    pub fn is_compressed(&self) -> bool {
        self.flags & FLAG_COMPRESSED != 0
    }

    /// The bytes of the header in the decoded stream.
    pub fn header_range(&self) -> Range<usize> {
        self.offset..self.offset + HEADER_LEN
    }

    /// The bytes of the payload in the decoded stream.
    pub fn payload_range(&self) -> Range<usize> {
        let start = self.offset + HEADER_LEN;
        start..start + self.payload.len()
    }

    /// The whole frame as it was on the wire (decoded).
    pub fn to_bytes(&self) -> Vec<u8> {
        frame(self.flags, &self.payload)
    }
}

/// Header lines of a trailer frame (or of a response), names in lower case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trailers(pub Vec<(String, String)>);

impl Trailers {
    /// The first value of `name` (lower case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// `grpc-status` as a number, when present and numeric.
    pub fn status(&self) -> Option<u32> {
        self.get("grpc-status").and_then(|s| s.trim().parse().ok())
    }

    /// `grpc-message`, percent-decoded as the gRPC spec writes it.
    pub fn message(&self) -> Option<String> {
        self.get("grpc-message").map(percent_decode)
    }
}

/// Parses a trailer block: `name: value` lines separated by CRLF (a bare LF is accepted too).
/// The error is the offset, within `block`, of the line that is not a header line.
pub fn parse_trailers(block: &[u8]) -> Result<Trailers, usize> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in block.split(|&b| b == b'\n') {
        let at = start;
        start += line.len() + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let Ok(text) = std::str::from_utf8(line) else { return Err(at) };
        let Some((name, value)) = text.split_once(':') else { return Err(at) };
        let name_ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':');
        if !name_ok || value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(at);
        }
        out.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    Ok(Trailers(out))
}

/// Frames as a request body in `encoding`: as they are, or in base64 for grpc-web-text.
pub fn body(encoding: Encoding, frames: Vec<u8>) -> Vec<u8> {
    match encoding {
        Encoding::Binary => frames,
        Encoding::Text => crate::input::to_base64(&frames).into_bytes(),
    }
}

/// Builds one frame: the header, then the payload. Requests are sent as one such frame.
pub fn frame(flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.push(flags);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// The `grpc-timeout` header value for a deadline in milliseconds (`250m`); past the 8 digits
/// the header allows, in whole seconds, rounded up (`4294968S`).
pub fn grpc_timeout(ms: u32) -> String {
    if ms <= 99_999_999 { format!("{ms}m") } else { format!("{}S", ms.div_ceil(1000)) }
}

/// Parses a `grpc-timeout` value: at most 8 ASCII digits, then `H`, `M`, `S`, `m`, `u` or `n`
/// (the server's deadlines, a recorded call's). The inverse of [`grpc_timeout`].
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at_checked(value.len().checked_sub(1)?)?;
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// The headers of a grpc-web request, in order: content type, `accept`, `x-grpc-web`, the
/// deadline as `grpc-timeout`, then the caller's `metadata` (an `authorization` among them) as
/// given. Names of the caller's metadata are taken in lower case.
pub fn request_headers(
    encoding: Encoding,
    metadata: &[(String, String)],
    deadline_ms: Option<u32>,
) -> Vec<(String, String)> {
    let mut headers = vec![
        ("content-type".to_owned(), encoding.content_type().to_owned()),
        ("accept".to_owned(), encoding.content_type().to_owned()),
        ("x-grpc-web".to_owned(), "1".to_owned()),
    ];
    if let Some(ms) = deadline_ms {
        headers.push(("grpc-timeout".to_owned(), grpc_timeout(ms)));
    }
    headers.extend(metadata.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())));
    headers
}

/// The status of a finished grpc-web (or native gRPC) answer: the trailer frame's (HTTP/2
/// trailers for native gRPC), else the response headers' (a trailers-only answer), else what a
/// non-200 HTTP status stands for, else INTERNAL: an answer that ended without a status.
/// `http_status` is `None` when the answer never started. The details come from
/// `grpc-status-details-bin` beside the status that was taken.
pub fn status(trailers: Option<&Trailers>, headers: &[(String, String)], http_status: Option<u16>) -> Status {
    let from = |t: &Trailers, source| {
        t.status().map(|code| Status {
            code,
            message: t.message().unwrap_or_default(),
            details: t.get("grpc-status-details-bin").and_then(status::details_from_bin).unwrap_or_default(),
            source,
        })
    };
    if let Some(s) = trailers.and_then(|t| from(t, Source::Trailers)) {
        return s;
    }
    let headers = Trailers(headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())).collect());
    if let Some(s) = from(&headers, Source::Headers) {
        return s;
    }
    match http_status {
        Some(http) if http != 200 => Status {
            code: status::from_http(http).number,
            message: format!("HTTP {http} without a grpc-status"),
            details: Vec::new(),
            source: Source::HttpStatus,
        },
        _ => Status::client(status::INTERNAL, "the response ended without a grpc-status"),
    }
}

/// What went wrong, and where: `frame at byte 5 has unknown flag bits 0x40`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FrameError {
    kind: ErrorKind,
    offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ErrorKind {
    /// The stream ended inside a frame header: so many of its 5 bytes were there.
    TruncatedHeader(usize),
    /// The stream ended inside a payload: the length said, and the bytes that came.
    TruncatedPayload { length: u32, got: usize },
    /// The flags, and the bits of them this framing does not know.
    UnknownFlags { flags: u8, unknown: u8 },
    /// A character that is not base64, at a character position of the text.
    BadBase64(char),
    /// The text ended in the middle of a base64 group.
    TruncatedBase64,
    /// A line of a trailer frame that is not `name: value`.
    BadTrailerLine,
    /// Bytes after the trailer frame, which must be the last.
    AfterTrailers,
}

impl FrameError {
    /// Offset in the decoded stream; for base64 errors, the character position in the text.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// True when the error is about the base64 text rather than the decoded frames.
    pub fn is_base64(&self) -> bool {
        matches!(self.kind, ErrorKind::BadBase64(_) | ErrorKind::TruncatedBase64)
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.offset;
        match &self.kind {
            ErrorKind::TruncatedHeader(got) => {
                write!(f, "the body ends inside a frame header at byte {at}: {got} of {HEADER_LEN} bytes")
            }
            ErrorKind::TruncatedPayload { length, got } => {
                write!(f, "frame at byte {at} says its payload is {length} bytes, but the body ends after {got}")
            }
            ErrorKind::UnknownFlags { flags, unknown } => {
                write!(f, "frame at byte {at} has unknown flag bits 0x{unknown:02x} (flags 0x{flags:02x})")
            }
            ErrorKind::BadBase64(c) => write!(f, "invalid base64 character {c:?} at character {at}"),
            ErrorKind::TruncatedBase64 => {
                write!(f, "the base64 text ends inside a 4-character group at character {at}")
            }
            ErrorKind::BadTrailerLine => write!(f, "trailer line at byte {at} is not 'name: value'"),
            ErrorKind::AfterTrailers => write!(f, "bytes after the trailer frame at byte {at}"),
        }
    }
}

/// The incremental parser: [`push`](Parser::push) chunks as they come, then
/// [`finish`](Parser::finish) at the end of the body.
#[derive(Debug, Clone)]
pub struct Parser {
    encoding: Encoding,
    /// Decoded bytes not yet part of a complete frame.
    pending: Vec<u8>,
    /// Offset in the decoded stream of `pending[0]`.
    offset: usize,
    /// The base64 layer (text only): the notation module's streaming decoder.
    base64: Option<base64::Decoder>,
    /// True once a trailer frame has been read: it must be the last.
    trailers_seen: bool,
    /// The flag bit that marks the last frame: grpc-web's trailers (`0x80`), or Connect's
    /// end-of-stream message (`0x02`, whose JSON payload is `connect`'s to read).
    end_flag: u8,
    error: Option<FrameError>,
}

impl Parser {
    pub fn new(encoding: Encoding) -> Parser {
        Parser::with_end_flag(encoding, FLAG_TRAILERS)
    }

    /// A parser of the same 5-byte envelopes whose last frame is marked by `end_flag`; only
    /// grpc-web's trailer frame is read as header lines.
    pub(crate) fn with_end_flag(encoding: Encoding, end_flag: u8) -> Parser {
        Parser {
            end_flag,
            encoding,
            pending: Vec::new(),
            offset: 0,
            base64: (encoding == Encoding::Text).then(|| base64::Decoder::new(base64::Layout::Stream)),
            trailers_seen: false,
            error: None,
        }
    }

    /// Feeds the next chunk of the body; returns the frames it completed. After an error, the
    /// rest of the input is ignored and [`error`](Parser::error) says why.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Frame> {
        if self.error.is_some() {
            return Vec::new();
        }
        match &mut self.base64 {
            None => self.pending.extend_from_slice(chunk),
            // Not ASCII: a byte is named as a character of Latin-1, which is what it shows as.
            Some(decoder) => {
                let decoded = decoder.push(chunk.iter().map(|&b| char::from(b)), &mut self.pending);
                // The bytes before a base64 mistake are read first: a frame error among them
                // comes earlier in the body, and is the error however the body was chunked.
                let frames = self.take_frames();
                if let Err(mistake) = decoded {
                    self.base64_failed(mistake);
                }
                return frames;
            }
        }
        self.take_frames()
    }

    /// Ends the body: returns the frames an unpadded last base64 group completes; anything
    /// left over after them is a truncated frame (or base64 group), in [`error`](Parser::error).
    pub fn finish(&mut self) -> Vec<Frame> {
        let mut frames = Vec::new();
        // Unpadded text is accepted at the very end; a single character cannot encode a byte.
        if let Some(decoder) = &mut self.base64
            && self.error.is_none()
        {
            match decoder.finish(&mut self.pending) {
                Ok(()) => frames = self.take_frames(),
                Err(mistake) => self.base64_failed(mistake),
            }
        }
        if self.error.is_none() && !self.pending.is_empty() {
            let got = self.pending.len();
            if got < HEADER_LEN {
                self.fail(self.offset, ErrorKind::TruncatedHeader(got));
            } else {
                let length = u32::from_be_bytes([self.pending[1], self.pending[2], self.pending[3], self.pending[4]]);
                self.fail(self.offset, ErrorKind::TruncatedPayload { length, got: got - HEADER_LEN });
            }
        }
        frames
    }

    /// The encoding the body is read in.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The error that stopped the parser, if any.
    pub fn error(&self) -> Option<&FrameError> {
        self.error.as_ref()
    }

    /// How many decoded bytes the parser has taken in (whole frames and the pending rest).
    pub fn decoded_len(&self) -> usize {
        self.offset + self.pending.len()
    }

    fn base64_failed(&mut self, mistake: base64::Mistake) {
        let kind = match mistake.kind {
            base64::MistakeKind::Dangling(_) => ErrorKind::TruncatedBase64,
            base64::MistakeKind::Invalid(c) | base64::MistakeKind::AfterPadding(c) => ErrorKind::BadBase64(c),
            base64::MistakeKind::UnexpectedPadding => ErrorKind::BadBase64('='),
        };
        self.fail(mistake.position, kind);
    }

    fn fail(&mut self, offset: usize, kind: ErrorKind) {
        if self.error.is_none() {
            self.error = Some(FrameError { kind, offset });
        }
    }

    fn take_frames(&mut self) -> Vec<Frame> {
        let mut frames = Vec::new();
        let mut at = 0;
        while self.pending.len() - at >= HEADER_LEN {
            let offset = self.offset + at;
            if self.trailers_seen {
                self.fail(offset, ErrorKind::AfterTrailers);
                break;
            }
            let flags = self.pending[at];
            let unknown = flags & !(self.end_flag | FLAG_COMPRESSED);
            if unknown != 0 {
                self.fail(offset, ErrorKind::UnknownFlags { flags, unknown });
                break;
            }
            let header = &self.pending[at + 1..at + HEADER_LEN];
            let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
            // Compare with what is there before taking anything: a huge length allocates nothing.
            if self.pending.len() - at - HEADER_LEN < length {
                break;
            }
            let payload = self.pending[at + HEADER_LEN..at + HEADER_LEN + length].to_vec();
            let trailers = if flags & self.end_flag != 0 {
                self.trailers_seen = true;
                if self.end_flag != FLAG_TRAILERS {
                    frames.push(Frame { offset, flags, payload, trailers: None });
                    at += HEADER_LEN + length;
                    continue;
                }
                match parse_trailers(&payload) {
                    Ok(t) => Some(t),
                    Err(line) => {
                        self.fail(offset + HEADER_LEN + line, ErrorKind::BadTrailerLine);
                        break;
                    }
                }
            } else {
                None
            };
            frames.push(Frame { offset, flags, payload, trailers });
            at += HEADER_LEN + length;
        }
        if self.trailers_seen && self.error.is_none() && self.pending.len() > at {
            self.fail(self.offset + at, ErrorKind::AfterTrailers);
        }
        self.pending.drain(..at);
        self.offset += at;
        frames
    }
}

/// What one span of a body is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanKind {
    /// The flag byte of frame `frame`.
    Flags { frame: usize, flags: u8 },
    /// The 4-byte length of frame `frame`.
    Length { frame: usize, length: u32 },
    /// The payload of a message frame: the `message`th message of the body.
    Message { frame: usize, message: usize },
    /// The payload of the trailer frame: header lines as text.
    Trailers { frame: usize },
    /// Bytes that do not make a frame, and why.
    Invalid(String),
}

/// A run of bytes of the decoded body and what it is. Spans tile the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub range: Range<usize>,
    pub kind: SpanKind,
}

impl SpanKind {
    /// A class name for the bytes, as `hexview`'s classes: `tag` for flags, `len` for lengths,
    /// `bytes` for messages, `string` for trailers, `invalid`.
    pub fn class(&self) -> &'static str {
        match self {
            SpanKind::Flags { .. } => "tag",
            SpanKind::Length { .. } => "len",
            SpanKind::Message { .. } => "bytes",
            SpanKind::Trailers { .. } => "string",
            SpanKind::Invalid(_) => "invalid",
        }
    }
}

/// A whole body, parsed: its decoded bytes, frames, spans and the error that stopped it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The decoded bytes (for text, after base64).
    pub bytes: Vec<u8>,
    pub frames: Vec<Frame>,
    /// Spans that tile `bytes`: each frame's flags, length and payload, then any invalid rest.
    pub spans: Vec<Span>,
    pub error: Option<FrameError>,
}

/// Parses a whole body in one go and lays it out in spans. The message payloads are plain
/// protobuf: annotate each with [`crate::wire::annotate`] and its type.
pub fn annotate_body(body: &[u8], encoding: Encoding) -> Body {
    let mut parser = Parser::new(encoding);
    let mut frames = parser.push(body);
    frames.extend(parser.finish());
    let error = parser.error().cloned();
    let bytes = match encoding {
        Encoding::Binary => body.to_vec(),
        Encoding::Text => decode_text_lossy(body),
    };
    let spans = spans(&frames, bytes.len(), error.as_ref());
    Body { bytes, frames, spans, error }
}

/// The spans of `frames` in a decoded body of `len` bytes; bytes after the last frame are one
/// invalid span, with the error's words when there is one.
pub fn spans(frames: &[Frame], len: usize, error: Option<&FrameError>) -> Vec<Span> {
    spans_by(frames, len, error, FLAG_TRAILERS)
}

/// [`spans`] of envelopes whose last frame is marked by `end_flag`.
pub(crate) fn spans_by(frames: &[Frame], len: usize, error: Option<&FrameError>, end_flag: u8) -> Vec<Span> {
    let mut out = Vec::with_capacity(frames.len() * 3 + 1);
    let mut messages = 0;
    let mut end = 0;
    for (i, f) in frames.iter().enumerate() {
        let o = f.offset;
        out.push(Span { range: o..o + 1, kind: SpanKind::Flags { frame: i, flags: f.flags } });
        out.push(Span {
            range: o + 1..o + HEADER_LEN,
            kind: SpanKind::Length { frame: i, length: f.payload.len() as u32 },
        });
        let payload = f.payload_range();
        if !payload.is_empty() {
            let kind = if f.flags & end_flag != 0 {
                SpanKind::Trailers { frame: i }
            } else {
                SpanKind::Message { frame: i, message: messages }
            };
            out.push(Span { range: payload.clone(), kind });
        }
        if f.flags & end_flag == 0 {
            messages += 1;
        }
        end = payload.end;
    }
    if end < len {
        let reason = error.map_or_else(|| "not a frame".to_string(), ToString::to_string);
        out.push(Span { range: end..len, kind: SpanKind::Invalid(reason) });
    }
    out
}

/// The bytes a base64 body decodes to, up to its first bad character.
fn decode_text_lossy(text: &[u8]) -> Vec<u8> {
    let mut parser = Parser::new(Encoding::Text);
    // Frames are taken out of `pending` as they complete; collect them back.
    let mut bytes = Vec::new();
    let mut frames = parser.push(text);
    frames.extend(parser.finish());
    for f in frames {
        bytes.extend(f.to_bytes());
    }
    bytes.extend_from_slice(&parser.pending);
    bytes
}

/// One piece of a grpc-web-text body: its characters, and the decoded bytes they stand for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base64Piece {
    pub chars: Range<usize>,
    pub bytes: Range<usize>,
}

/// The base64 layer of a grpc-web-text body, piece by piece: a server that flushes each frame
/// encodes it on its own, so `=` padding closes a piece and the next starts right after it. Each
/// group of four characters stands for three bytes, less one per `=`. Reads no validity into the
/// characters (the [`Parser`] reports a bad one, with its offset); the last piece may be unpadded.
pub fn base64_pieces(text: &[u8]) -> Vec<Base64Piece> {
    let mut pieces = Vec::new();
    let (mut start, mut data, mut decoded) = (0, 0, 0);
    for (i, &c) in text.iter().enumerate() {
        if c != b'=' {
            data += 1;
        }
        let closes = c == b'=' && text.get(i + 1) != Some(&b'=');
        if closes || i + 1 == text.len() {
            let bytes = data * 6 / 8;
            pieces.push(Base64Piece { chars: start..i + 1, bytes: decoded..decoded + bytes });
            (start, data, decoded) = (i + 1, 0, decoded + bytes);
        }
    }
    pieces
}

/// Decodes the `%XX` escapes of a `grpc-message`; anything malformed stays as it is.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn grpc_timeouts_both_ways() {
        for ms in [0, 1, 250, 99_999_999, 100_000_000] {
            assert_eq!(parse_grpc_timeout(&grpc_timeout(ms)), Some(Duration::from_millis(ms.into())), "{ms}");
        }
        assert_eq!((grpc_timeout(100_000_001), grpc_timeout(u32::MAX)), ("100001S".into(), "4294968S".into()));
        assert_eq!(parse_grpc_timeout("500m"), Some(Duration::from_millis(500)));
        assert_eq!(parse_grpc_timeout("2S"), Some(Duration::from_secs(2)));
        assert_eq!(parse_grpc_timeout("3M"), Some(Duration::from_secs(180)));
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("1500u"), Some(Duration::from_micros(1500)));
        assert_eq!(parse_grpc_timeout("99999999n"), Some(Duration::from_nanos(99_999_999)));
        for bad in ["", "m", "100", "123456789m", "-1S", "1.5S", "10s", "1 S", " 10m", "1é"] {
            assert_eq!(parse_grpc_timeout(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn request_headers_of_a_table() {
        let token = pairs(&[("Authorization", "Bearer t"), ("x-a", "1")]);
        type Case<'a> = (Encoding, &'a [(String, String)], Option<u32>, &'a [(&'a str, &'a str)]);
        let cases: &[Case] = &[
            (
                Encoding::Binary,
                &[],
                None,
                &[
                    ("content-type", "application/grpc-web+proto"),
                    ("accept", "application/grpc-web+proto"),
                    ("x-grpc-web", "1"),
                ],
            ),
            (
                Encoding::Text,
                &token,
                Some(250),
                &[
                    ("content-type", "application/grpc-web-text"),
                    ("accept", "application/grpc-web-text"),
                    ("x-grpc-web", "1"),
                    ("grpc-timeout", "250m"),
                    ("authorization", "Bearer t"),
                    ("x-a", "1"),
                ],
            ),
        ];
        for (encoding, metadata, deadline, want) in cases {
            assert_eq!(request_headers(*encoding, metadata, *deadline), pairs(want), "{encoding:?}");
        }
    }

    #[test]
    fn the_status_decision_of_a_table() {
        let trailer = |text: &str| parse_trailers(text.as_bytes()).unwrap();
        let details = status::details_to_bin(5, "", &[status::Detail { type_name: "a.B".into(), value: vec![1] }]);
        let with_details = trailer(&format!("grpc-status: 5\r\ngrpc-status-details-bin: {details}"));
        // (trailer frame, headers, HTTP status) → (code, message, source, details)
        type Want = (u32, &'static str, Source, usize);
        type Headers = Vec<(String, String)>;
        let cases: Vec<(Option<Trailers>, Headers, Option<u16>, Want)> = vec![
            (Some(trailer("grpc-status: 0")), vec![], Some(200), (0, "", Source::Trailers, 0)),
            (
                Some(trailer("grpc-status: 5\r\ngrpc-message: no%20user")),
                pairs(&[("grpc-status", "0")]),
                Some(200),
                (5, "no user", Source::Trailers, 0),
            ),
            (Some(with_details), vec![], Some(200), (5, "", Source::Trailers, 1)),
            (
                None,
                pairs(&[("Grpc-Status", "16"), ("grpc-message", "no token")]),
                Some(200),
                (16, "no token", Source::Headers, 0),
            ),
            (Some(trailer("x: y")), pairs(&[("grpc-status", "7")]), Some(200), (7, "", Source::Headers, 0)),
            (None, vec![], Some(503), (14, "HTTP 503 without a grpc-status", Source::HttpStatus, 0)),
            (None, vec![], Some(404), (12, "HTTP 404 without a grpc-status", Source::HttpStatus, 0)),
            (None, vec![], Some(200), (13, "the response ended without a grpc-status", Source::Client, 0)),
            (None, vec![], None, (13, "the response ended without a grpc-status", Source::Client, 0)),
            (
                None,
                pairs(&[("grpc-status", "x")]),
                Some(500),
                (2, "HTTP 500 without a grpc-status", Source::HttpStatus, 0),
            ),
        ];
        for (trailers, headers, http, (code, message, source, details)) in cases {
            let got = status(trailers.as_ref(), &headers, http);
            assert_eq!(
                (got.code, got.message.as_str(), got.source, got.details.len()),
                (code, message, source, details),
                "{trailers:?} {headers:?} {http:?}"
            );
        }
    }
}
