//! Compressed messages of gRPC, grpc-web and Connect: which algorithm a header names, and
//! deflating and inflating one message with a bound on what it may grow to.
//!
//! A frame (envelope) with the compressed flag holds its message compressed with the algorithm
//! the answer names: `grpc-encoding` for gRPC and grpc-web, `connect-content-encoding` for a
//! Connect stream; a unary Connect body is compressed whole, as HTTP's `content-encoding`.
//! `gzip` and `deflate` (zlib's format, as HTTP's content coding means it) are read and
//! written; any other name (`br`, `zstd`, `snappy`) is an [`Error`] that names it. Inflating
//! stops at [`MAX_INFLATED`] bytes, so a small message cannot take the memory (a deflate stream
//! inflates up to about 1000 times its size). Knows bytes and names only: nothing about frames,
//! HTTP or schemas.

use std::io::Read as _;

/// The most bytes one message may inflate to: 4 MiB, the default limit on a received message
/// of grpc-go, grpc-java and tonic, so a message those servers and clients accept is read, and
/// a zip bomb (a few KiB that inflate to gigabytes) stops there.
pub const MAX_INFLATED: usize = 4 * 1024 * 1024;

/// A compression algorithm wirelens reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Gzip,
    /// zlib's format (RFC 1950), as the `deflate` content coding is.
    Deflate,
}

impl Algorithm {
    pub const ALL: [Algorithm; 2] = [Algorithm::Gzip, Algorithm::Deflate];

    /// The name headers use: `gzip`, `deflate`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Gzip => "gzip",
            Algorithm::Deflate => "deflate",
        }
    }

    /// The algorithm `name` means (case and spaces ignored); `None` for one wirelens lacks.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        let name = name.trim();
        Algorithm::ALL.into_iter().find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The first bytes of its output: gzip's magic number; a zlib header (deflate at 32 KiB,
    /// whose check bits any zlib encoder writes). A body that does not begin so is not
    /// compressed with it.
    pub fn looks_compressed(self, bytes: &[u8]) -> bool {
        match self {
            Algorithm::Gzip => bytes.starts_with(&[0x1f, 0x8b]),
            Algorithm::Deflate => {
                bytes.len() >= 2
                    && bytes[0] & 0x0f == 8
                    && bytes[0] >> 4 <= 7
                    && u16::from_be_bytes([bytes[0], bytes[1]]).is_multiple_of(31)
            }
        }
    }
}

/// How a message came compressed: with what, and how many bytes it was on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compressed {
    pub algorithm: Algorithm,
    pub wire_len: usize,
}

/// What a header names as a message's compression: `Ok(None)` for none (no header, empty,
/// `identity`), `Err` with the name when wirelens does not read it.
pub fn named(header: Option<&str>) -> Result<Option<Algorithm>, String> {
    match header.map(str::trim) {
        None | Some("") => Ok(None),
        Some(name) if name.eq_ignore_ascii_case("identity") => Ok(None),
        Some(name) => Algorithm::from_name(name).map(Some).ok_or_else(|| name.to_owned()),
    }
}

/// `bytes` compressed with `algorithm` (the default level).
pub fn compress(algorithm: Algorithm, bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let level = flate2::Compression::default();
    // Writing to a Vec cannot fail.
    match algorithm {
        Algorithm::Gzip => {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
            encoder.write_all(bytes).expect("writing to a Vec");
            encoder.finish().expect("writing to a Vec")
        }
        Algorithm::Deflate => {
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), level);
            encoder.write_all(bytes).expect("writing to a Vec");
            encoder.finish().expect("writing to a Vec")
        }
    }
}

/// `bytes` inflated with the algorithm `name` names, at most `limit` bytes of it. `offset` is
/// where the compressed bytes lie (the frame's offset, or 0 for a whole body): errors name it.
pub fn decompress(name: Option<&str>, bytes: &[u8], offset: usize, limit: usize) -> Result<Vec<u8>, Error> {
    let fail = |kind| Error { kind, offset };
    let algorithm = match named(name) {
        Ok(Some(algorithm)) => algorithm,
        Ok(None) => return Err(fail(ErrorKind::Unnamed)),
        Err(name) => return Err(fail(ErrorKind::Unknown(name))),
    };
    let reader: Box<dyn std::io::Read + '_> = match algorithm {
        Algorithm::Gzip => Box::new(flate2::read::GzDecoder::new(bytes)),
        Algorithm::Deflate => Box::new(flate2::read::ZlibDecoder::new(bytes)),
    };
    let mut out = Vec::new();
    // One byte past the limit tells "exactly the limit" from "more".
    let read = reader.take(limit as u64 + 1).read_to_end(&mut out);
    match read {
        Err(e) => Err(fail(ErrorKind::Corrupt(algorithm, e.to_string()))),
        Ok(_) if out.len() > limit => Err(fail(ErrorKind::TooLarge(algorithm, limit))),
        Ok(_) => Ok(out),
    }
}

/// Why a compressed message cannot be read, and where it lies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct Error {
    kind: ErrorKind,
    offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ErrorKind {
    /// The message is flagged compressed, but no header names an algorithm.
    Unnamed,
    /// An algorithm wirelens does not read, by name.
    Unknown(String),
    /// The bytes are not valid in the algorithm.
    Corrupt(Algorithm, String),
    /// It inflates past the limit.
    TooLarge(Algorithm, usize),
}

impl Error {
    /// Where the compressed bytes begin (a frame's first byte, or 0 for a whole body).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The algorithm's name when it is one wirelens does not read.
    pub fn unknown_algorithm(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::Unknown(name) => Some(name),
            _ => None,
        }
    }

    fn describe(&self) -> String {
        let at = self.offset;
        match &self.kind {
            ErrorKind::Unnamed => {
                format!("the message at byte {at} is flagged compressed, but no header names its compression")
            }
            ErrorKind::Unknown(name) => format!(
                "the message at byte {at} is compressed with '{name}', which wirelens does not read (it reads gzip and deflate)"
            ),
            ErrorKind::Corrupt(a, why) => format!("the message at byte {at} is not valid {}: {why}", a.name()),
            ErrorKind::TooLarge(a, limit) => format!(
                "the message at byte {at} inflates ({}) past {} bytes, the most wirelens reads of one message",
                a.name(),
                limit
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_every_algorithm() {
        let message: Vec<u8> = (0..2000u32).flat_map(|i| (i % 7).to_le_bytes()).collect();
        for algorithm in Algorithm::ALL {
            let packed = compress(algorithm, &message);
            assert!(packed.len() < message.len() / 4, "{} does not compress a repetitive message", algorithm.name());
            assert!(algorithm.looks_compressed(&packed), "{}", algorithm.name());
            assert!(!algorithm.looks_compressed(&message));
            let back = decompress(Some(algorithm.name()), &packed, 0, MAX_INFLATED).unwrap();
            assert_eq!(back, message, "{}", algorithm.name());
        }
    }

    #[test]
    fn names_of_a_table() {
        type Named<'a> = Result<Option<Algorithm>, &'a str>;
        let cases: &[(Option<&str>, Named<'_>)] = &[
            (None, Ok(None)),
            (Some(""), Ok(None)),
            (Some("identity"), Ok(None)),
            (Some("gzip"), Ok(Some(Algorithm::Gzip))),
            (Some(" GZIP "), Ok(Some(Algorithm::Gzip))),
            (Some("deflate"), Ok(Some(Algorithm::Deflate))),
            (Some("br"), Err("br")),
            (Some("zstd"), Err("zstd")),
            (Some("snappy"), Err("snappy")),
        ];
        for (header, want) in cases {
            assert_eq!(named(*header).as_ref().map_err(String::as_str), want.as_ref().map_err(|e| *e), "{header:?}");
        }
    }

    #[test]
    fn errors_name_the_algorithm_and_the_offset() {
        let gz = compress(Algorithm::Gzip, b"hello");
        let err = |name: Option<&str>, bytes: &[u8]| decompress(name, bytes, 17, MAX_INFLATED).unwrap_err();
        let unknown = err(Some("br"), &gz);
        assert_eq!(unknown.offset(), 17);
        assert_eq!(unknown.unknown_algorithm(), Some("br"));
        assert_eq!(
            unknown.to_string(),
            "the message at byte 17 is compressed with 'br', which wirelens does not read (it reads gzip and deflate)"
        );
        assert_eq!(
            err(None, &gz).to_string(),
            "the message at byte 17 is flagged compressed, but no header names its compression"
        );
        let garbage = err(Some("gzip"), b"not gzip at all");
        assert!(garbage.to_string().starts_with("the message at byte 17 is not valid gzip: "), "{garbage}");
        // Cut short: the deflate stream and the CRC are missing.
        let cut = err(Some("gzip"), &gz[..gz.len() - 6]);
        assert!(cut.to_string().starts_with("the message at byte 17 is not valid gzip: "), "{cut}");
        let mut flipped = compress(Algorithm::Deflate, b"hello hello hello");
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff; // the Adler-32 check no longer matches
        assert!(err(Some("deflate"), &flipped).to_string().contains("not valid deflate"));
    }

    #[test]
    fn a_zip_bomb_stops_at_the_limit() {
        // 16 MiB of zeros compress to about 16 KiB: four times the limit once inflated.
        let zeros = vec![0u8; 16 * 1024 * 1024];
        for algorithm in Algorithm::ALL {
            let bomb = compress(algorithm, &zeros);
            assert!(bomb.len() < 32 * 1024, "{} bytes", bomb.len());
            let e = decompress(Some(algorithm.name()), &bomb, 5, MAX_INFLATED).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(
                    "the message at byte 5 inflates ({}) past 4194304 bytes, the most wirelens reads of one message",
                    algorithm.name()
                )
            );
        }
        // Exactly the limit is read; one byte more is not.
        let at_limit = compress(Algorithm::Gzip, &zeros[..1000]);
        assert_eq!(decompress(Some("gzip"), &at_limit, 0, 1000).unwrap().len(), 1000);
        assert!(decompress(Some("gzip"), &at_limit, 0, 999).is_err());
    }
}
