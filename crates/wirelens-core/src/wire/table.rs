//! The schema as the annotator needs it, built once per annotation: each message type met gets a
//! lookup from field number to field, and each field what reading a record takes (its kind as a
//! `ScalarCode` or payload class, wire type, packed, list, oneof, nested message) without asking
//! prost-reflect again, which clones an `Arc` per question. Message types are added as the walk
//! enters them, so a schema with thousands of types costs only the ones the bytes use.

use std::collections::HashMap;

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};

use super::WireType;
use super::tree::ScalarCode;

/// Field numbers up to this are looked up in a dense vector; larger ones by binary search.
const DENSE_LIMIT: u32 = 256;

/// What a field's payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payload {
    Scalar(ScalarCode),
    String,
    Bytes,
    /// A message or a group, of the message type at this index, once resolved.
    Message,
}

#[derive(Debug)]
pub(crate) struct FieldInfo {
    pub(crate) fd: FieldDescriptor,
    pub(crate) facts: Facts,
    /// For message fields: the nested type's index in the table, once entered.
    pub(crate) message: Option<u32>,
}

/// What the walk asks about a field for each record of it, copied out once per record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts {
    pub(crate) payload: Payload,
    /// The wire type a record of this field has when not packed (`StartGroup` for groups).
    pub(crate) expected: WireType,
    pub(crate) list: bool,
    pub(crate) map: bool,
    pub(crate) packed: bool,
    /// The field's position in its message, for counting occurrences.
    pub(crate) slot: u32,
    /// The position of its (non-synthetic) oneof among the message's oneofs.
    pub(crate) oneof: Option<u32>,
}

#[derive(Debug)]
pub(crate) struct MessageInfo {
    pub(crate) desc: MessageDescriptor,
    /// Field number → index into [`Table::fields`], [`NO_FIELD`] when absent.
    dense: Vec<u32>,
    /// Numbers past [`DENSE_LIMIT`], sorted.
    sparse: Vec<(u32, u32)>,
    pub(crate) slots: u32,
    pub(crate) oneofs: Vec<String>,
}

const NO_FIELD: u32 = u32::MAX;

/// Message types and fields met so far.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub(crate) messages: Vec<MessageInfo>,
    pub(crate) fields: Vec<FieldInfo>,
    /// By full name (unique in a pool; descriptors are not `Hash`).
    ids: HashMap<String, u32>,
}

impl Table {
    /// The index of `desc`, adding it and its fields on first use.
    pub(crate) fn message(&mut self, desc: &MessageDescriptor) -> u32 {
        if let Some(&id) = self.ids.get(desc.full_name()) {
            return id;
        }
        let id = self.messages.len() as u32;
        let oneofs: Vec<String> = desc.oneofs().filter(|o| !o.is_synthetic()).map(|o| o.name().to_owned()).collect();
        let mut dense = Vec::new();
        let mut sparse = Vec::new();
        let mut slots = 0;
        for fd in desc.fields() {
            let index = self.fields.len() as u32;
            let number = fd.number();
            if number < DENSE_LIMIT {
                let at = number as usize;
                if dense.len() <= at {
                    dense.resize(at + 1, NO_FIELD);
                }
                dense[at] = index;
            } else {
                sparse.push((number, index));
            }
            let oneof = fd
                .containing_oneof()
                .filter(|o| !o.is_synthetic())
                .and_then(|o| oneofs.iter().position(|n| n == o.name()))
                .map(|p| p as u32);
            let kind = fd.kind();
            let expected = if fd.is_group() { WireType::StartGroup } else { WireType::for_kind(&kind) };
            let facts = Facts {
                payload: payload(&kind),
                expected,
                list: fd.is_list(),
                map: fd.is_map(),
                packed: fd.is_packed(),
                slot: slots,
                oneof,
            };
            self.fields.push(FieldInfo { fd, facts, message: None });
            slots += 1;
        }
        sparse.sort_unstable();
        self.messages.push(MessageInfo { desc: desc.clone(), dense, sparse, slots, oneofs });
        self.ids.insert(desc.full_name().to_owned(), id);
        id
    }

    /// The field of message `message` numbered `number`.
    pub(crate) fn field(&self, message: u32, number: u32) -> Option<u32> {
        let m = &self.messages[message as usize];
        let found = if number < DENSE_LIMIT {
            m.dense.get(number as usize).copied().unwrap_or(NO_FIELD)
        } else {
            m.sparse.binary_search_by_key(&number, |&(n, _)| n).map_or(NO_FIELD, |at| m.sparse[at].1)
        };
        (found != NO_FIELD).then_some(found)
    }

    /// The message type of a message or group field, entering it on first use.
    pub(crate) fn nested(&mut self, field: u32) -> Option<u32> {
        let info = &self.fields[field as usize];
        if let Some(id) = info.message {
            return Some(id);
        }
        let Kind::Message(m) = info.fd.kind() else { return None };
        let id = self.message(&m);
        self.fields[field as usize].message = Some(id);
        Some(id)
    }
}

fn payload(kind: &Kind) -> Payload {
    Payload::Scalar(match kind {
        Kind::Double => ScalarCode::Double,
        Kind::Float => ScalarCode::Float,
        Kind::Int32 => ScalarCode::Int32,
        Kind::Int64 => ScalarCode::Int64,
        Kind::Uint32 => ScalarCode::Uint32,
        Kind::Uint64 => ScalarCode::Uint64,
        Kind::Sint32 => ScalarCode::Sint32,
        Kind::Sint64 => ScalarCode::Sint64,
        Kind::Fixed32 => ScalarCode::Fixed32,
        Kind::Fixed64 => ScalarCode::Fixed64,
        Kind::Sfixed32 => ScalarCode::Sfixed32,
        Kind::Sfixed64 => ScalarCode::Sfixed64,
        Kind::Bool => ScalarCode::Bool,
        Kind::Enum(_) => ScalarCode::Enum,
        Kind::String => return Payload::String,
        Kind::Bytes => return Payload::Bytes,
        Kind::Message(_) => return Payload::Message,
    })
}
