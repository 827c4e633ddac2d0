//! The ways a length-delimited payload can be read when no schema says which.
//!
//! A LEN record may hold a message, a string, bytes or a packed repeated field;
//! the wire does not tell. This file knows which readings are valid for a byte
//! slice on its own terms (except "message", which the annotator decides by
//! trying) and the order in which a default is chosen.

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
            Reading::String => std::str::from_utf8(payload).is_ok(),
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
    fn readings_of_small_payloads() {
        let valid = |p: &[u8]| -> Vec<Reading> { Reading::ALL.into_iter().filter(|r| r.fits(p)).collect() };
        assert_eq!(valid(b"Alice"), [Reading::String, Reading::Bytes, Reading::PackedVarint]);
        assert_eq!(valid(&[0xac, 0x02, 0x01, 0x00]), [Reading::Bytes, Reading::PackedVarint, Reading::PackedFixed32]);
        assert_eq!(valid(&[0xff]), [Reading::Bytes]);
        assert_eq!(valid(b""), [Reading::String, Reading::Bytes]);
    }

    #[test]
    fn ambiguity_ignores_bytes() {
        assert!(!Readings::new([Reading::Bytes], Reading::String).is_ambiguous());
        assert!(Readings::new([Reading::Bytes, Reading::Message], Reading::String).is_ambiguous());
    }
}
