//! "Load from server": the schema by gRPC server reflection, over grpc-web. The conversation is
//! core's (`reflection::Fetch`); this is the request to make and how it went.

use wirelens_core::grpcweb::{self, Encoding};

use super::GrpcState;

/// A reflection to run: where, and with which headers (the form's token and metadata: a server
/// may want them for reflection too).
#[derive(Debug, Clone, PartialEq)]
pub struct ReflectSpec {
    pub id: u32,
    /// The server's base URL.
    pub base: String,
    pub encoding: Encoding,
    pub headers: Vec<(String, String)>,
}

/// How "load from server" stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Reflection {
    Running(ReflectSpec),
    /// The services the server lists (its schema is now the playground's).
    Loaded(Vec<String>),
    Failed(String),
}

impl GrpcState {
    pub(super) fn reflect_spec(&self, origin: &str) -> ReflectSpec {
        let encoding =
            if self.protocol == wirelens_core::call::Protocol::GrpcWebText { Encoding::Text } else { Encoding::Binary };
        let mut metadata = Vec::new();
        if !self.token.trim().is_empty() {
            metadata.push(("authorization".to_owned(), format!("Bearer {}", self.token.trim())));
        }
        ReflectSpec {
            id: self.next_id,
            base: self.base_url(origin),
            encoding,
            headers: grpcweb::request_headers(encoding, &metadata, None),
        }
    }
}
