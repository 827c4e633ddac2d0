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

/// The number of varints `bytes` holds, when it is nothing but varints that are whole, shortest
/// and of at most nine bytes (a packed payload as encoders write it), read a word at a time;
/// `None` for anything else, which [`decode`] then reads one by one.
pub fn count_shortest(bytes: &[u8]) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // Continuation bytes since the last varint ended, and whether the byte before the word is one.
    let (mut count, mut run, mut continues) = (0, 0, 0);
    // Without a branch per word: anything wrong is gathered and looked at once, and the ends are
    // counted in a byte per lane (no `count_ones`, which x86-64's baseline spells in a dozen
    // instructions), summed every 255 words.
    let mut wrong = false;
    for block in bytes.chunks(8 * 255) {
        let mut lanes = 0;
        let mut words = block.chunks_exact(8);
        for word in &mut words {
            let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            // The high bit of each byte that ends a varint, of each zero byte, of each byte
            // after a continuation byte. A zero byte after a continuation byte ends an overlong varint.
            let ends = !word & HIGH;
            let zero = !(((word & LOW7) + LOW7) | word | LOW7);
            let after_continue = ((word & HIGH) << 8) | continues << 7;
            // The varint the first end closes is `run` bytes and those before the end in this
            // word (all eight when none ends here); after the last end, the run starts again.
            let first = run + ends.trailing_zeros() as usize / 8;
            wrong |= zero & after_continue != 0 || first >= MAX_LEN - 1;
            run = if ends == 0 { first } else { ends.leading_zeros() as usize / 8 };
            lanes += ends >> 7;
            continues = word >> 63;
        }
        // Eight lanes of at most 255: summed in pairs, then the four sums by a multiply.
        let pairs = (lanes & 0x00FF_00FF_00FF_00FF) + ((lanes >> 8) & 0x00FF_00FF_00FF_00FF);
        count += (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize;
        if wrong {
            return None;
        }
        // Only the last block has bytes left over.
        for &byte in words.remainder() {
            if byte < 0x80 {
                if byte == 0 && continues == 1 {
                    return None;
                }
                count += 1;
                run = 0;
            } else {
                run += 1;
                if run >= MAX_LEN - 1 {
                    return None;
                }
            }
            continues = u64::from(byte >> 7);
        }
    }
    (continues == 0).then_some(count)
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
    use proptest::prelude::*;

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

    /// [`count_shortest`] by [`decode`], one varint at a time.
    fn count_one_by_one(mut bytes: &[u8]) -> Option<usize> {
        let mut count = 0;
        while !bytes.is_empty() {
            let v = decode(bytes).ok().filter(|v| !v.is_overlong() && v.len < MAX_LEN)?;
            bytes = &bytes[v.len..];
            count += 1;
        }
        Some(count)
    }

    proptest! {
        /// Whole shortest varints of every length, and the same bytes cut, made overlong or too
        /// long at any place (bytes a word at a time must agree with bytes one at a time).
        #[test]
        fn count_shortest_agrees_with_decode(
            values in prop::collection::vec(any::<u64>().prop_map(|v| v >> (v % 64)), 0..40),
            damage in prop::collection::vec((any::<usize>(), prop::sample::select(vec![0x00u8, 0x01, 0x7f, 0x80, 0xff])), 0..3),
            skip in 0..8usize,
        ) {
            let mut bytes = vec![0x80; skip % 2];
            for v in values {
                encode(v, &mut bytes);
            }
            for (at, byte) in damage {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = byte;
                }
            }
            let bytes = &bytes[skip.min(bytes.len())..];
            prop_assert_eq!(count_shortest(bytes), count_one_by_one(bytes), "{:02x?}", bytes);
        }
    }

    #[test]
    fn count_shortest_refuses_what_is_not_whole_and_shortest() {
        assert_eq!(count_shortest(&[]), Some(0));
        assert_eq!(count_shortest(&[0x2a, 0xac, 0x02, 0x00]), Some(3));
        assert_eq!(count_shortest(&[0x2a, 0xac]), None, "cut");
        assert_eq!(count_shortest(&[0x2a, 0x80, 0x00]), None, "overlong");
        assert_eq!(count_shortest(&[1, 2, 3, 4, 5, 6, 7, 0x80, 0x00]), None, "overlong across a word");
        let nine = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
        assert_eq!(count_shortest(&nine), Some(1));
        assert_eq!(count_shortest(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), None, "ten bytes");
        let many: Vec<u8> = (0..1000u64)
            .flat_map(|v| {
                let mut out = Vec::new();
                encode(v * 977, &mut out);
                out
            })
            .collect();
        assert_eq!(count_shortest(&many), Some(1000));
        // Words are read in blocks of 255: an overlong or a ten-byte varint across the first
        // block's end, and one in the next block's words.
        for (at, damage) in [(2039, &[0x80, 0x00][..]), (2036, &[0xFF; 9]), (2100, &[0x80, 0x00])] {
            let mut odd = many.clone();
            odd.splice(at..at, damage.iter().copied());
            assert_eq!(count_shortest(&odd), count_one_by_one(&odd), "{damage:02x?} at {at}");
            assert_eq!(count_shortest(&odd), None);
        }
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
