//! The ways a length-delimited payload can be read when no schema says which.
//!
//! A LEN record may hold a message, a string, bytes or a packed repeated field;
//! the wire does not tell. This file knows which readings are valid for a byte
//! slice on its own terms (except "message", which the annotator decides by
//! trying) and the order in which a default is chosen. The annotator stores only the reading
//! shown and whether a message fits ([`Chosen`], a byte); the rest is worked out from the payload
//! when a view asks. [`Utf8Index`] answers "is this slice UTF-8?" for any slice of the input
//! after one pass over it, so that nested payloads are not scanned once per level.

use crate::varint;

/// One way to read a LEN payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reading {
    /// Fields of a nested message that consume every byte.
    Message,
    /// Valid UTF-8 text.
    String,
    /// Varints that end exactly at the end of the payload.
    PackedVarint,
    /// A whole number of 4-byte values.
    PackedFixed32,
    /// A whole number of 8-byte values.
    PackedFixed64,
    /// Always valid.
    Bytes,
}

impl Reading {
    /// Every reading, in the order a default is picked: message, then string, then bytes,
    /// as `protoc --decode_raw` does. Packed readings are offered, never chosen.
    pub const ALL: [Reading; 6] = [
        Reading::Message,
        Reading::String,
        Reading::Bytes,
        Reading::PackedVarint,
        Reading::PackedFixed32,
        Reading::PackedFixed64,
    ];

    pub fn type_name(self) -> &'static str {
        match self {
            Reading::Message => "message",
            Reading::String => "string",
            Reading::PackedVarint => "packed varints",
            Reading::PackedFixed32 => "packed fixed32",
            Reading::PackedFixed64 => "packed fixed64",
            Reading::Bytes => "bytes",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// Whether `payload` can be read this way; `Message` is the annotator's to decide.
    pub(crate) fn fits(self, payload: &[u8]) -> bool {
        match self {
            Reading::Message => false,
            Reading::String => utf8(payload).is_some(),
            Reading::PackedVarint => packed_varint_count(payload).is_some(),
            Reading::PackedFixed32 => !payload.is_empty() && payload.len().is_multiple_of(4),
            Reading::PackedFixed64 => !payload.is_empty() && payload.len().is_multiple_of(8),
            Reading::Bytes => true,
        }
    }
}

/// The set of valid readings of one payload, and the one shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Readings {
    valid: u8,
    chosen: Option<Reading>,
}

impl Readings {
    /// The readings of `payload`, given what the annotator stored about it.
    pub(crate) fn of(chosen: Chosen, payload: &[u8]) -> Readings {
        let Some(shown) = chosen.chosen() else { return Readings::default() };
        let valid =
            [Reading::String, Reading::PackedVarint, Reading::PackedFixed32, Reading::PackedFixed64, Reading::Bytes]
                .into_iter()
                .filter(|r| r.fits(payload))
                .chain(chosen.message_fits().then_some(Reading::Message));
        Readings::new(valid, shown)
    }

    pub(crate) fn new(valid: impl IntoIterator<Item = Reading>, chosen: Reading) -> Readings {
        let valid = valid.into_iter().fold(chosen.bit(), |acc, r| acc | r.bit());
        Readings { valid, chosen: Some(chosen) }
    }

    /// The reading the payload is shown as; `None` for records a schema read.
    pub fn chosen(&self) -> Option<Reading> {
        self.chosen
    }

    pub fn contains(&self, reading: Reading) -> bool {
        self.valid & reading.bit() != 0
    }

    /// Every valid reading in [`Reading::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = Reading> + '_ {
        Reading::ALL.into_iter().filter(|r| self.contains(*r))
    }

    /// More than one reading other than plain bytes: the schema-less view had to guess.
    pub fn is_ambiguous(&self) -> bool {
        self.iter().filter(|r| *r != Reading::Bytes).count() > 1
    }
}

/// What the annotator keeps of a record's readings: the one shown (none for records a schema
/// read), and whether the payload reads as a message (the one reading that takes a walk to know).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Chosen(u8);

impl Chosen {
    const MESSAGE_FITS: u8 = 0x80;

    pub(crate) fn new(shown: Reading, message_fits: bool) -> Chosen {
        Chosen((shown as u8 + 1) | if message_fits { Chosen::MESSAGE_FITS } else { 0 })
    }

    pub(crate) fn bits(self) -> u8 {
        self.0
    }

    pub(crate) fn from_bits(bits: u8) -> Chosen {
        Chosen(bits)
    }

    pub(crate) fn is_none(self) -> bool {
        self.0 == 0
    }

    pub(crate) fn chosen(self) -> Option<Reading> {
        let code = self.0 & !Chosen::MESSAGE_FITS;
        Reading::ALL.into_iter().find(|r| *r as u8 + 1 == code)
    }

    pub(crate) fn message_fits(self) -> bool {
        self.0 & Chosen::MESSAGE_FITS != 0
    }
}

/// The text of slices of the input, a run of valid UTF-8 at a time: asked about a slice outside
/// the run it holds, it decodes the input from the slice's start to the next invalid byte (in
/// one pass that yields the text: std's `Utf8Chunks`, where `from_utf8` would take two), so
/// that the slices asked later inside that run (a message's other strings, or the payloads
/// nested in it) cost no second check, and nested payloads are not scanned once per level.
/// A slice is valid exactly when it lies inside one run and starts and ends on its character
/// boundaries (`str::get`). Decoding may start anywhere: UTF-8 resynchronises, a byte that is
/// not a continuation byte always starts a sequence, so every run agrees with the decoding of
/// the whole input. A long slice that is valid is held as a run of its own, checked alone by
/// simdutf8 (16 or 32 bytes at a time natively, as fast on non-ASCII text as on ASCII).
#[derive(Debug, Clone)]
pub(crate) struct Utf8Runs<'a> {
    bytes: &'a [u8],
    /// The run held: where it starts in `bytes`, its text.
    start: usize,
    text: &'a str,
}

/// `bytes` as text, if it is valid UTF-8: by simdutf8 natively (a vector at a time; it stops at
/// the first invalid block), by std on wasm32.
#[inline]
pub(crate) fn utf8(bytes: &[u8]) -> Option<&str> {
    #[cfg(not(target_arch = "wasm32"))]
    return simdutf8::compat::from_utf8(bytes).ok();
    #[cfg(target_arch = "wasm32")]
    std::str::from_utf8(bytes).ok()
}

/// Slices at least this long are checked alone before a run is decoded.
const LONG: usize = 32;

impl<'a> Utf8Runs<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Utf8Runs<'a> {
        Utf8Runs { bytes, start: 0, text: "" }
    }

    /// `bytes[range]` as text, if it is valid UTF-8.
    #[inline]
    pub(crate) fn text(&mut self, range: std::ops::Range<usize>) -> Option<&'a str> {
        if range.is_empty() {
            return Some("");
        }
        if !(self.start..self.start + self.text.len()).contains(&range.start) {
            self.decode(range.clone());
        }
        // `None` when the run is empty (the slice starts with a byte that starts no valid
        // character), or the slice runs past its end or splits a character.
        self.text.get(range.start - self.start..range.end - self.start)
    }

    /// Holds the run that starts at `range.start`, up to the first invalid sequence after it
    /// (empty if that is at its start), or `range`'s text alone if it is long and valid:
    /// simdutf8 reads whole vectors, where `Utf8Chunks` takes a byte at a time (a 1 KB payload
    /// of control bytes cost 7,000 instructions) and std's `from_utf8` does past the first
    /// non-ASCII character.
    #[inline(never)]
    fn decode(&mut self, range: std::ops::Range<usize>) {
        self.start = range.start;
        if range.len() >= LONG
            && let Some(text) = utf8(&self.bytes[range.clone()])
        {
            self.text = text;
            return;
        }
        self.text = self.bytes[range.start..].utf8_chunks().next().map_or("", |chunk| chunk.valid());
    }
}

/// Readings the user chose for schema-less LEN fields, by field-number path from the root
/// (`[5, 2]`: field 2 inside field 5). Every occurrence of a path reads the same way, as a
/// schema would read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pins(std::collections::BTreeMap<Vec<u32>, Reading>);

impl Pins {
    pub fn pin(&mut self, path: Vec<u32>, reading: Reading) {
        self.0.insert(path, reading);
    }

    pub fn unpin(&mut self, path: &[u32]) {
        self.0.remove(path);
    }

    pub fn get(&self, path: &[u32]) -> Option<Reading> {
        self.0.get(path).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u32], Reading)> {
        self.0.iter().map(|(path, reading)| (path.as_slice(), *reading))
    }
}

/// How many varints `payload` holds, if it is nothing but complete varints (at least one).
pub(crate) fn packed_varint_count(payload: &[u8]) -> Option<usize> {
    // Whole shortest varints (what encoders write) a word at a time; overlong or ten-byte ones
    // one by one.
    if let Some(count) = varint::count_shortest(payload) {
        return (count > 0).then_some(count);
    }
    let mut rest = payload;
    let mut count = 0;
    while !rest.is_empty() {
        let v = varint::decode(rest).ok()?;
        rest = &rest[v.len..];
        count += 1;
    }
    (count > 0).then_some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_varints_are_counted_whole_shortest_or_not() {
        let ten = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        let cases: [(&[u8], Option<usize>); 6] = [
            (&[], None),
            (&[0x01, 0xAC, 0x02, 0x7F], Some(3)),
            (&[0x01, 0x80, 0x00, 0x05], Some(3)), // overlong, still whole
            (&ten, Some(1)),
            (&[0x01, 0xAC], None), // cut
            (&[0xFF; 10], None),   // past 64 bits
        ];
        for (payload, count) in cases {
            assert_eq!(packed_varint_count(payload), count, "{payload:02x?}");
        }
        let many: Vec<u8> = [0x01, 0x80, 0x00].repeat(3000);
        assert_eq!(packed_varint_count(&many), Some(6000));
    }

    #[test]
    fn readings_of_small_payloads() {
        let valid = |p: &[u8]| -> Vec<Reading> { Reading::ALL.into_iter().filter(|r| r.fits(p)).collect() };
        assert_eq!(valid(b"Alice"), [Reading::String, Reading::Bytes, Reading::PackedVarint]);
        assert_eq!(valid(&[0xac, 0x02, 0x01, 0x00]), [Reading::Bytes, Reading::PackedVarint, Reading::PackedFixed32]);
        assert_eq!(valid(&[0xff]), [Reading::Bytes]);
        assert_eq!(valid(b""), [Reading::String, Reading::Bytes]);
    }

    #[test]
    fn utf8_runs_agree_with_from_utf8_on_every_slice_in_any_order() {
        // Longer than `LONG`, with invalid bytes and characters of every width among the text.
        let long: Vec<u8> =
            ["héllo, wörld €𝄞 and \u{5}\u{85} more text".as_bytes(), &[0xFF, 0xC3], b"0123456789abcdef"]
                .concat()
                .repeat(2);
        let inputs: [&[u8]; 6] = [
            &long,
            "héllo, wörld €𝄞".as_bytes(),
            &[0x41, 0xE2, 0x82, 0x41, 0xFF, 0x80, 0xC3, 0xA9, 0xF0, 0x9D, 0x84, 0x9E, 0xED, 0xA0, 0x80],
            &[0x80, 0x80, 0xC3],
            &[0xF4, 0x90, 0x80, 0x80, 0xC0, 0xAF, 0xE0, 0x80, 0x80, 0x61],
            b"",
        ];
        for bytes in inputs {
            let slices: Vec<(usize, usize)> =
                (0..=bytes.len()).flat_map(|start| (start..=bytes.len()).map(move |end| (start, end))).collect();
            // One asked in order, one asked backwards, one per slice.
            let (mut forwards, mut backwards) = (Utf8Runs::new(bytes), Utf8Runs::new(bytes));
            let answers = |runs: &mut Utf8Runs, (start, end): (usize, usize)| {
                let expected = std::str::from_utf8(&bytes[start..end]).ok();
                assert_eq!(runs.text(start..end), expected, "{bytes:02x?}[{start}..{end}]");
            };
            for &slice in &slices {
                answers(&mut forwards, slice);
                answers(&mut Utf8Runs::new(bytes), slice);
            }
            for &slice in slices.iter().rev() {
                answers(&mut backwards, slice);
            }
        }
    }

    #[test]
    fn chosen_keeps_the_reading_and_the_message_bit() {
        for r in Reading::ALL {
            for fits in [false, true] {
                let c = Chosen::new(r, fits);
                assert_eq!((c.chosen(), c.message_fits(), c.is_none()), (Some(r), fits, false));
            }
        }
        assert_eq!(Chosen::from_bits(0).chosen(), None);
    }

    #[test]
    fn ambiguity_ignores_bytes() {
        assert!(!Readings::new([Reading::Bytes], Reading::String).is_ambiguous());
        assert!(Readings::new([Reading::Bytes, Reading::Message], Reading::String).is_ambiguous());
    }
}
