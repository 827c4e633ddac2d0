//! `call --reflect`: the schema from the server itself, by gRPC server reflection
//! (`grpc.reflection.v1`, else `v1alpha`), over native gRPC or, with `--protocol grpc-web`,
//! grpc-web (one request per HTTP call: a browser-style transport cannot stream both ways).
//! The reflection messages are dynamic messages of tonic-reflection's own descriptor sets, so
//! the calls go through the same transport and core code as any call. Lists the services, asks
//! for the file of each, then for every import not yet seen, and builds a descriptor pool.

use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, MethodDescriptor};
use wirelens_core::call::{Protocol, Target};
use wirelens_core::grpcweb::{self, Encoding};
use wirelens_core::message;
use wirelens_core::reflection::{self, ReflectionError};
use wirelens_core::status;

use crate::error::Failure;
use crate::transport::{self, Connection, Event, Requests};

/// The server's schema: every file the services it lists need (its own reflection service left
/// out), decoded into a pool.
pub async fn fetch(connection: &Connection, target: &Target<'_>) -> Result<DescriptorPool, Failure> {
    let mut last = None;
    for (set, package) in [
        (tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET, "grpc.reflection.v1"),
        (tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET, "grpc.reflection.v1alpha"),
    ] {
        let pool = DescriptorPool::decode(set).expect("tonic-reflection's descriptor sets are valid");
        let method = pool
            .get_service_by_name(&format!("{package}.ServerReflection"))
            .and_then(|s| s.methods().find(|m| m.name() == "ServerReflectionInfo"))
            .expect("the reflection service has ServerReflectionInfo");
        match (Session { connection, target, method }).fetch().await {
            Err(Unsupported(why)) => last = Some(why),
            Ok(result) => return result,
        }
    }
    let mut failure =
        Failure::call(format!("{} offers no server reflection: {}", target.base_url, last.unwrap_or_default()));
    failure.hints.push("give the schema instead: --proto FILE (with -I DIR) or --descriptor-set FILE".into());
    Err(failure)
}

/// The server does not speak this version of reflection (or none): why.
struct Unsupported(String);

struct Session<'a> {
    connection: &'a Connection,
    target: &'a Target<'a>,
    method: MethodDescriptor,
}

impl Session<'_> {
    /// Core's [`reflection::Fetch`] driven over this connection, one request per call.
    async fn fetch(&self) -> Result<Result<DescriptorPool, Failure>, Unsupported> {
        let mut fetch = reflection::Fetch::new();
        let mut first = true;
        while let Some(request) = fetch.next_request() {
            let answer = match self.ask(&request).await {
                Ok(answer) => answer,
                // Only the first request tells whether the server speaks this version.
                Err(Asked::Unsupported(why)) if first => return Err(Unsupported(why)),
                Err(asked) => return Ok(Err(asked.failure())),
            };
            first = false;
            if let Err(e) = fetch.answer(&answer) {
                return Ok(Err(reflection_failure(e)));
            }
        }
        Ok(fetch.finish().map(|fetched| fetched.pool).map_err(reflection_failure))
    }

    /// One reflection request (an encoded `ServerReflectionRequest`) and its one answer, encoded.
    async fn ask(&self, request: &[u8]) -> Result<Vec<u8>, Asked> {
        let request = DynamicMessage::decode(self.method.input(), request)
            .map_err(|e| Asked::Failed(Failure::invalid(format!("reflection: {e}"))))?;
        let mut answers = Vec::new();
        let mut on_event = |event: Event<'_>| {
            if let Event::Message(m) = event {
                answers.push(m.message.clone());
            }
            Ok(())
        };
        let ended = match self.target.protocol {
            Protocol::GrpcWeb | Protocol::GrpcWebText => {
                let Connection::Web(client) = self.connection else {
                    unreachable!("web protocols have a web connection")
                };
                let encoding =
                    if self.target.protocol == Protocol::GrpcWeb { Encoding::Binary } else { Encoding::Text };
                let body = grpcweb::body(encoding, grpcweb::frame(0, &message::encode(&request)));
                let http = wirelens_core::call::HttpRequest {
                    method: "POST",
                    url: format!(
                        "{}{}",
                        self.target.base_url.trim_end_matches('/'),
                        wirelens_core::call::path(&self.method)
                    ),
                    headers: grpcweb::request_headers(encoding, self.target.metadata, self.target.deadline_ms),
                    body,
                };
                transport::send(client, self.target, &self.method, http, &mut on_event).await
            }
            _ => {
                transport::call(self.connection, self.target, &self.method, Requests::All(vec![request]), &mut on_event)
                    .await
            }
        }
        .map_err(Asked::Failed)?;
        if ended.status.code == status::UNIMPLEMENTED {
            return Err(Asked::Unsupported(ended.status.describe()));
        }
        if !ended.status.is_ok() {
            return Err(Asked::Failed(Failure::call(format!("reflection: {}", ended.status.describe()))));
        }
        answers
            .into_iter()
            .next()
            .map(|answer| answer.encode_to_vec())
            .ok_or_else(|| Asked::Failed(Failure::call("reflection: the server answered nothing")))
    }
}

enum Asked {
    Unsupported(String),
    Failed(Failure),
}

impl Asked {
    fn failure(self) -> Failure {
        match self {
            Asked::Unsupported(why) => Failure::call(format!("reflection: {why}")),
            Asked::Failed(f) => f,
        }
    }
}

/// A reflection error as the CLI reports it: a schema that does not build is the server's
/// invalid data, anything else a failed call.
fn reflection_failure(error: ReflectionError) -> Failure {
    match error {
        ReflectionError::NotASchema(_) | ReflectionError::BadFile(_) => Failure::invalid(error.to_string()),
        _ => Failure::call(error.to_string()),
    }
}
