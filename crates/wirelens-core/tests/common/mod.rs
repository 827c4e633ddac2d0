//! Shared by the property and differential tests: the example schemas' message
//! types, and a generator that turns proptest's entropy into messages of them.

// Each test binary uses its own part of this module.
#![allow(dead_code)]

use prost_reflect::{DynamicMessage, Kind, MessageDescriptor, Value};
use wirelens_core::examples::EXAMPLES;
use wirelens_core::message;

/// Messages of every example type, `per_type` of each, made from a fixed seed sequence
/// (`stream` picks one of several independent sequences).
pub fn generated(per_type: u64, stream: u64) -> Vec<(MessageDescriptor, DynamicMessage)> {
    let mut all = Vec::new();
    for desc in descriptors() {
        for seed in 0..per_type {
            let entropy: Vec<u64> =
                (0..256).map(|i| splitmix(stream.wrapping_mul(1 << 32) + seed * 1000 + i)).collect();
            let m = Generator::new(&entropy).message(&desc, 0);
            all.push((desc.clone(), m));
        }
    }
    all
}

/// A fixed, well-mixed sequence: the same messages on every run.
fn splitmix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Every example's message types (not the well-known types they import).
pub fn descriptors() -> Vec<MessageDescriptor> {
    let mut all = Vec::new();
    for example in EXAMPLES {
        let schema = example.schema().unwrap();
        for name in schema.messages() {
            all.push(schema.message(&name).unwrap());
        }
    }
    all
}

/// Turns proptest's entropy into a message: edge values often, every field kind, bounded depth.
pub struct Generator<'a> {
    entropy: &'a [u64],
    next: usize,
}

impl<'a> Generator<'a> {
    pub fn new(entropy: &'a [u64]) -> Generator<'a> {
        Generator { entropy, next: 0 }
    }

    fn draw(&mut self) -> u64 {
        let v = self.entropy[self.next % self.entropy.len()].rotate_left((self.next / self.entropy.len()) as u32);
        self.next += 1;
        v
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.draw() % 100 < percent
    }

    pub fn message(&mut self, desc: &MessageDescriptor, depth: usize) -> DynamicMessage {
        let mut m = DynamicMessage::new(desc.clone());
        for fd in desc.fields() {
            let required = fd.cardinality() == prost_reflect::Cardinality::Required;
            if !required && !self.chance(60) {
                continue;
            }
            let kind = fd.kind();
            if let Kind::Message(nested) = &kind {
                // Well-known types have JSON forms with their own rules (Any needs a resolvable type).
                if nested.full_name().starts_with("google.protobuf.") && !nested.is_map_entry() || depth >= 3 {
                    continue;
                }
            }
            let value = if fd.is_map() {
                let entry = kind.as_message().unwrap();
                let (kf, vf) = (entry.map_entry_key_field(), entry.map_entry_value_field());
                let mut map = std::collections::HashMap::new();
                for _ in 0..self.draw() % 4 {
                    let key = message::map_key(self.value(&kf.kind(), depth))
                        .expect("map keys are integers, bools or strings");
                    map.insert(key, self.value(&vf.kind(), depth + 1));
                }
                Value::Map(map)
            } else if fd.is_list() {
                Value::List((0..self.draw() % 4).map(|_| self.value(&kind, depth + 1)).collect())
            } else {
                self.value(&kind, depth + 1)
            };
            m.set_field(&fd, value);
        }
        m
    }

    fn value(&mut self, kind: &Kind, depth: usize) -> Value {
        let raw = self.draw();
        let edge = |choices: &[u64]| choices[(raw >> 8) as usize % choices.len()];
        let pick = raw % 4; // 0: zero-ish edges, 1: small, 2: extreme edges, 3: anything
        let n = match pick {
            0 => edge(&[0, 1, 127, 128, 300]),
            1 => raw >> 58,
            2 => edge(&[u64::MAX, i64::MIN as u64, i32::MIN as u64, u32::MAX as u64, i32::MAX as u64]),
            _ => self.draw(),
        };
        match kind {
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Value::I32(n as i32),
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Value::I64(n as i64),
            Kind::Uint32 | Kind::Fixed32 => Value::U32(n as u32),
            Kind::Uint64 | Kind::Fixed64 => Value::U64(n),
            Kind::Bool => Value::Bool(n & 1 == 1),
            // Finite floats: NaN and infinities are covered by the snapshot tests.
            Kind::Float => Value::F32([0.0, -0.0, 1.5, -2.25, 3.0e38, 1.0e-40][n as usize % 6]),
            Kind::Double => Value::F64([0.0, -0.0, 0.1, -1e300, 5e-324, 52.52][n as usize % 6]),
            Kind::String => {
                Value::String(["", "Alice", "héllo wörld", "日本", "a\"b\\c\n", "🦀"][n as usize % 6].into())
            }
            Kind::Bytes => Value::Bytes((0..n % 5).map(|i| (raw >> (i * 8)) as u8).collect::<Vec<u8>>().into()),
            Kind::Enum(e) => {
                let values: Vec<i32> = e.values().map(|v| v.number()).collect();
                Value::EnumNumber(values[n as usize % values.len()])
            }
            Kind::Message(m) => Value::Message(self.message(m, depth)),
        }
    }
}
