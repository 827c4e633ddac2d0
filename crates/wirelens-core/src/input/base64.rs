//! Base64 read with the position of every mistake, whole (pasted text) or as a stream fed in
//! chunks (a grpc-web-text body, which `grpcweb` reads through the same [`Decoder`]); written as
//! standard padded base64.
//!
//! This file decides which character may stand where and says where one may not; the base64
//! crate turns the characters it has checked into bytes. Knows nothing about what the bytes mean.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Standard base64 with padding: `CCoSBUFsaWNl`.
pub fn to_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// How the characters are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Pasted text: the standard (`+/`) and URL-safe (`-_`) alphabets, even mixed; whitespace
    /// anywhere; `=` padding optional, and only at the end.
    Text,
    /// A grpc-web-text body: the standard alphabet, no whitespace; each piece a server flushes
    /// is padded on its own, so `=` closes a group and the next group may follow it.
    Stream,
}

/// A character that cannot stand where it is, by its position (0-based, in characters pushed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mistake {
    pub position: usize,
    pub kind: MistakeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MistakeKind {
    /// Not in the layout's alphabet.
    Invalid(char),
    /// The last character of a group of one, which cannot encode a byte.
    Dangling(char),
    /// An `=` where no padding can be: after a whole group, or past the group's need.
    UnexpectedPadding,
    /// A character after the padding that ends the text (or, in a stream, that ends a group
    /// still waiting for its other `=`).
    AfterPadding(char),
}

/// Reads base64 pushed piece by piece; [`finish`](Decoder::finish) checks the end. Bytes come
/// out as soon as their group is whole.
#[derive(Debug, Clone)]
pub struct Decoder {
    layout: Layout,
    /// Checked characters, in the standard alphabet, not yet decoded.
    run: Vec<u8>,
    /// Data characters in the current group of four, and the `=`s after them.
    in_group: usize,
    padding: usize,
    /// The position of the next character pushed, and the last data character.
    position: usize,
    last: Option<(usize, char)>,
}

impl Decoder {
    pub fn new(layout: Layout) -> Decoder {
        Decoder { layout, run: Vec::new(), in_group: 0, padding: 0, position: 0, last: None }
    }

    /// Reads `chars`, appending the bytes of every group they complete to `out`, up to a
    /// mistake if there is one: the same bytes however the text was cut into pieces. After a
    /// mistake the decoder is spent: push nothing more.
    pub fn push(&mut self, chars: impl IntoIterator<Item = char>, out: &mut Vec<u8>) -> Result<(), Mistake> {
        let read = self.read(chars, out);
        // Whole groups now; a partial one waits for the next piece.
        let whole = self.run.len() / 4 * 4;
        if whole > 0 {
            let rest = self.run.split_off(whole);
            self.decode(out);
            self.run = rest;
        }
        read
    }

    fn read(&mut self, chars: impl IntoIterator<Item = char>, out: &mut Vec<u8>) -> Result<(), Mistake> {
        for c in chars {
            let position = self.position;
            self.position += 1;
            let fail = |kind| Err(Mistake { position, kind });
            if self.layout == Layout::Text && c.is_whitespace() {
                continue;
            }
            if c == '=' {
                if self.padding == 0 {
                    match (self.in_group, self.layout, self.last) {
                        (1, Layout::Text, Some((at, last))) => {
                            return Err(Mistake { position: at, kind: MistakeKind::Dangling(last) });
                        }
                        (0 | 1, _, _) => return fail(MistakeKind::UnexpectedPadding),
                        _ => self.decode(out),
                    }
                }
                self.padding += 1;
                if self.in_group + self.padding > 4 {
                    return fail(MistakeKind::UnexpectedPadding);
                }
                if self.in_group + self.padding == 4 && self.layout == Layout::Stream {
                    (self.in_group, self.padding) = (0, 0);
                }
                continue;
            }
            let Some(standard) = self.standard(c) else { return fail(MistakeKind::Invalid(c)) };
            if self.padding > 0 {
                return fail(MistakeKind::AfterPadding(c));
            }
            self.run.push(standard);
            self.in_group = (self.in_group + 1) % 4;
            self.last = Some((position, c));
        }
        Ok(())
    }

    /// Ends the text: an unpadded last group of two or three characters is read; one of a
    /// single character is a mistake.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), Mistake> {
        if self.in_group == 1
            && self.padding == 0
            && let Some((position, c)) = self.last
        {
            return Err(Mistake { position, kind: MistakeKind::Dangling(c) });
        }
        self.decode(out);
        Ok(())
    }

    /// The character as the standard alphabet spells it, if the layout allows it.
    fn standard(&self, c: char) -> Option<u8> {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '+' | '/' => Some(c as u8),
            '-' if self.layout == Layout::Text => Some(b'+'),
            '_' if self.layout == Layout::Text => Some(b'/'),
            _ => None,
        }
    }

    /// Decodes every checked character (their count is never 4n+1 here).
    fn decode(&mut self, out: &mut Vec<u8>) {
        // The characters were checked one by one, so the crate cannot refuse them.
        let decoded = ENGINE.decode_vec(&self.run, out);
        debug_assert!(decoded.is_ok(), "{decoded:?}");
        self.run.clear();
    }
}

/// The crate's decoder for checked characters: no padding (it was read above), and the unused
/// low bits of a last character ignored rather than refused, as most decoders do.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// All of `chars` as pasted base64 ([`Layout::Text`]).
pub(super) fn read(chars: &[char]) -> Result<Vec<u8>, Mistake> {
    let mut out = Vec::with_capacity(chars.len() * 3 / 4);
    let mut decoder = Decoder::new(Layout::Text);
    decoder.push(chars.iter().copied(), &mut out)?;
    decoder.finish(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream cut into every pair of pieces gives the same bytes and the same mistake.
    #[test]
    fn a_stream_reads_the_same_however_it_is_cut() {
        for text in
            ["CAEI", "CAE=CAE=", "CA==CAEI", "CAEIAA", "CA=", "AA=A", "CAE==", "AAAAAAA", "A=", "CAEICAEI!", "CAEICA=!"]
        {
            let whole = {
                let mut d = Decoder::new(Layout::Stream);
                let mut out = Vec::new();
                let result = d.push(text.chars(), &mut out).and_then(|()| d.finish(&mut out));
                (out, result)
            };
            for cut in 0..=text.len() {
                let mut d = Decoder::new(Layout::Stream);
                let mut out = Vec::new();
                let result = d
                    .push(text[..cut].chars(), &mut out)
                    .and_then(|()| d.push(text[cut..].chars(), &mut out))
                    .and_then(|()| d.finish(&mut out));
                assert_eq!((&out, &result), (&whole.0, &whole.1), "{text} cut at {cut}");
            }
        }
    }

    #[test]
    fn a_stream_names_each_mistake() {
        let read = |text: &str| {
            let mut d = Decoder::new(Layout::Stream);
            let mut out = Vec::new();
            d.push(text.chars(), &mut out).and_then(|()| d.finish(&mut out)).map(|()| out)
        };
        assert_eq!(read("CA==CAE="), Ok(vec![0x08, 0x08, 0x01]));
        assert_eq!(read("CAE"), Ok(vec![0x08, 0x01]));
        let mistake = |position, kind| Err(Mistake { position, kind });
        assert_eq!(read("AA=A"), mistake(3, MistakeKind::AfterPadding('A')));
        assert_eq!(read("A="), mistake(1, MistakeKind::UnexpectedPadding));
        assert_eq!(read("AAAA="), mistake(4, MistakeKind::UnexpectedPadding));
        assert_eq!(read("AAAAA"), mistake(4, MistakeKind::Dangling('A')));
        assert_eq!(read("AA AA"), mistake(2, MistakeKind::Invalid(' ')));
        assert_eq!(read("AA-_"), mistake(2, MistakeKind::Invalid('-')));
    }
}
