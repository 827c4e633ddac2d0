//! What the unit tests' property tests share: damage done to bytes.

use proptest::prelude::*;

/// Where and how to damage bytes: a place, what to do there (0 change, 1 insert, 2 remove, else
/// cut off the end) and the byte to write.
pub(crate) type Damage = (prop::sample::Index, u8, u8);

/// Damage at a few places.
pub(crate) fn damage() -> impl Strategy<Value = Vec<Damage>> {
    prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 0..3)
}

/// Does `damage` to `bytes`: at each place a byte changed, inserted or removed, or the end cut.
pub(crate) fn apply(bytes: &mut Vec<u8>, damage: Vec<Damage>) {
    for (at, how, byte) in damage {
        if bytes.is_empty() {
            break;
        }
        let i = at.index(bytes.len());
        match how {
            0 => bytes[i] = byte,
            1 => bytes.insert(i, byte),
            2 => {
                bytes.remove(i);
            }
            _ => bytes.truncate(i),
        }
    }
}
