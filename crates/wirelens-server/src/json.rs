//! Canonical proto3 JSON of the generated messages, for the REST twin. The message is encoded
//! with prost, decoded against the schema's descriptors and printed by wirelens-core, the same
//! printer the app and the CLI use: int64 as strings, enums by name, lowerCamelCase names,
//! defaults left out. So REST and gRPC cannot disagree about what a message says.

use std::sync::OnceLock;

use prost_reflect::DescriptorPool;
use wirelens_core::message::{self, JsonStyle};

/// The userservice descriptors, decoded once.
pub fn pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(wirelens_api::FILE_DESCRIPTOR_SET).expect("wirelens-api's descriptor set is valid")
    })
}

/// `message` (of the protobuf type `full_name`, e.g. `userservice.User`) as canonical JSON.
pub fn to_json(message: &impl prost::Message, full_name: &str) -> serde_json::Value {
    let desc = pool().get_message_by_name(full_name).unwrap_or_else(|| panic!("no message {full_name} in userservice"));
    let dynamic = message::decode(&desc, &message.encode_to_vec()).expect("prost's own bytes decode");
    // Users and upload results hold no Any and no Timestamp: the JSON mapping has a form for all of them.
    let json = message::to_json(&dynamic, JsonStyle::CANONICAL).expect("userservice's REST messages have a JSON form");
    serde_json::from_str(&json).expect("core writes valid JSON")
}
