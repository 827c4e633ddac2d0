//! Rust types and gRPC stubs generated from `proto/userservice/`, plus the schema as descriptors.
//!
//! Knows the reference schema (`userservice.User`, `UserService`) at compile time; knows nothing
//! about wire-format annotation or schemas typed in at run time (that is `wirelens-core`).
//! Client stubs are behind the `client` feature and build for wasm32 (bring a grpc-web channel);
//! server traits are behind `server`. Neither pulls in a transport. [`contract`] holds what the
//! `.proto` does not say: the demo token, the demo and paging headers, the REST twin's paths.

pub mod contract;

/// The `userservice` protobuf package: messages, and `user_service_client` / `user_service_server`
/// when the `client` / `server` features are on.
pub mod userservice {
    include!(concat!(env!("OUT_DIR"), "/userservice.rs"));
}

/// The type of `ChatMessage::sent_at`, re-exported so callers need no `prost-types` of their own.
pub use prost_types::Timestamp;
pub use userservice::{
    Address, ChatMessage, GetUserRequest, GetUserResponse, ListUsersRequest, PhotoUpload, UploadResult, User,
};

#[cfg(feature = "client")]
pub use userservice::user_service_client::UserServiceClient;
#[cfg(feature = "server")]
pub use userservice::user_service_server::{UserService, UserServiceServer};

/// The encoded `google.protobuf.FileDescriptorSet` of `userservice/user_service.proto` and
/// everything it imports (`userservice/user.proto`, `google/protobuf/timestamp.proto`), with
/// source info. Load it with `prost_reflect::DescriptorPool::decode` to reflect over the types
/// above, or to serve gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/file_descriptor_set.bin"));
