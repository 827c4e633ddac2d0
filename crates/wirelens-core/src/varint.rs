//! Varint and zigzag decoding that reports overlong encodings.
//!
//! Knows nothing about fields, tags or schemas: it reads base-128 integers
//! out of a byte slice and says how many bytes they took and whether a
//! shorter encoding of the same value exists.

/// At most ten bytes hold a 64-bit varint: 9 × 7 = 63 bits, plus one.
pub const MAX_LEN: usize = 10;

/// A varint read from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Varint {
    pub value: u64,
    /// Bytes the encoding took, 1 to 10.
    pub len: usize,
}

impl Varint {
    /// True when the value has a shorter encoding (trailing `0x80`… `0x00` groups).
    pub fn is_overlong(&self) -> bool {
        self.len > 1 && self.len > encoded_len(self.value)
    }
}

/// Why a varint could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarintError {
    /// The input ended while the continuation bit of the last byte was set.
    Truncated,
    /// Ten bytes and still going, or a tenth byte carrying bits past 64.
    Overflow,
}

impl VarintError {
    pub fn describe(self) -> &'static str {
        match self {
            VarintError::Truncated => "varint is cut off: the input ends while the continuation bit is set",
            VarintError::Overflow => "varint does not fit in 64 bits",
        }
    }
}

/// Reads the varint at the start of `bytes`.
#[inline(always)]
pub fn decode(bytes: &[u8]) -> Result<Varint, VarintError> {
    // Most varints on the wire (tags, lengths, small numbers) are one byte: read in line, the
    // rest in a call.
    if let Some(&byte) = bytes.first()
        && byte < 0x80
    {
        return Ok(Varint { value: u64::from(byte), len: 1 });
    }
    decode_long(bytes)
}

/// [`decode`] of a varint that is not one byte (or of no bytes).
#[inline(never)]
fn decode_long(bytes: &[u8]) -> Result<Varint, VarintError> {
    let mut value: u64 = 0;
    for (i, &byte) in bytes.iter().take(MAX_LEN).enumerate() {
        if i == MAX_LEN - 1 && byte > 1 {
            return Err(VarintError::Overflow);
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(Varint { value, len: i + 1 });
        }
    }
    if bytes.len() >= MAX_LEN { Err(VarintError::Overflow) } else { Err(VarintError::Truncated) }
}

/// The number of bytes of the shortest encoding of `value`.
pub fn encoded_len(value: u64) -> usize {
    // One byte per started group of 7 bits, at least one.
    (64 - (value | 1).leading_zeros() as usize).div_ceil(7)
}

/// Appends the shortest encoding of `value`.
pub fn encode(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Zigzag-decodes a sint32 from the low 32 bits: 0 → 0, 1 → -1, 2 → 1, 3 → -2 …
pub fn zigzag32(raw: u64) -> i32 {
    let n = raw as u32;
    ((n >> 1) as i32) ^ -((n & 1) as i32)
}

/// Zigzag-decodes a sint64.
pub fn zigzag64(raw: u64) -> i64 {
    ((raw >> 1) as i64) ^ -((raw & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_reference_values() {
        assert_eq!(decode(&[0x2a]), Ok(Varint { value: 42, len: 1 }));
        assert_eq!(decode(&[0xac, 0x02]), Ok(Varint { value: 300, len: 2 }));
        assert_eq!(decode(&[0x96, 0x01, 0xff]), Ok(Varint { value: 150, len: 2 }));
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(decode(&max), Ok(Varint { value: u64::MAX, len: 10 }));
    }

    #[test]
    fn reports_truncation_overflow_and_overlong() {
        assert_eq!(decode(&[]), Err(VarintError::Truncated));
        assert_eq!(decode(&[0x80, 0x80]), Err(VarintError::Truncated));
        assert_eq!(decode(&[0xff; 10]), Err(VarintError::Overflow));
        assert_eq!(decode(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]), Err(VarintError::Overflow));
        assert!(decode(&[0x80, 0x00]).unwrap().is_overlong());
        assert!(!decode(&[0x00]).unwrap().is_overlong());
        assert!(decode(&[0xaa, 0x80, 0x00]).unwrap().is_overlong());
    }

    #[test]
    fn encoded_len_matches_encode() {
        for value in [0, 1, 127, 128, 300, 16_383, 16_384, u32::MAX as u64, 1 << 63, u64::MAX] {
            let mut out = Vec::new();
            encode(value, &mut out);
            assert_eq!(out.len(), encoded_len(value), "{value}");
            assert_eq!(decode(&out), Ok(Varint { value, len: out.len() }));
        }
    }

    #[test]
    fn zigzag_maps_small_magnitudes_to_small_codes() {
        assert_eq!([0, 1, 2, 3, 4].map(zigzag64), [0, -1, 1, -2, 2]);
        assert_eq!(zigzag32(0xffff_fffe), i32::MAX);
        assert_eq!(zigzag32(0xffff_ffff), i32::MIN);
        assert_eq!(zigzag64(u64::MAX), i64::MIN);
    }
}
