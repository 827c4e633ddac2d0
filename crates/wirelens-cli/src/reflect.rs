//! `call --reflect`: the schema from the server itself, by gRPC server reflection
//! (`grpc.reflection.v1`, else `v1alpha`), over native gRPC or, with `--protocol grpc-web`,
//! grpc-web (one request per HTTP call: a browser-style transport cannot stream both ways).
//! The reflection messages are dynamic messages of tonic-reflection's own descriptor sets, so
//! the calls go through the same transport and core code as any call. Lists the services, asks
//! for the file of each, then for every import not yet seen, and builds a descriptor pool.

use std::collections::{BTreeMap, BTreeSet};

use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, MethodDescriptor, Value};
use wirelens_core::call::{Protocol, Target};
use wirelens_core::grpcweb::{self, Encoding};
use wirelens_core::input;
use wirelens_core::message;
use wirelens_core::status;

use crate::error::Failure;
use crate::transport::{self, Connection, Event, Requests};

/// The most files one reflection fetches (a schema and all its imports).
const MAX_FILES: usize = 1000;

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
    async fn fetch(&self) -> Result<Result<DescriptorPool, Failure>, Unsupported> {
        let list = match self.ask("listServices", "").await {
            Ok(answer) => answer,
            Err(Asked::Unsupported(why)) => return Err(Unsupported(why)),
            Err(Asked::Failed(failure)) => return Ok(Err(failure)),
        };
        Ok(self.files(list).await)
    }

    async fn files(&self, list: DynamicMessage) -> Result<DescriptorPool, Failure> {
        let services: Vec<String> = field(&list, "list_services_response")
            .map(|l| messages(&l, "service").iter().filter_map(|s| text(s, "name")).collect())
            .unwrap_or_default();
        let services: Vec<String> = services.into_iter().filter(|s| !s.starts_with("grpc.reflection.")).collect();
        let mut files: BTreeMap<String, prost_types::FileDescriptorProto> = BTreeMap::new();
        let mut wanted: BTreeSet<String> = BTreeSet::new();
        for service in &services {
            let answer = self.ask("fileContainingSymbol", service).await.map_err(Asked::failure)?;
            self.take(&answer, &mut files, &mut wanted)?;
        }
        while let Some(name) = wanted.iter().find(|n| !files.contains_key(*n)).cloned() {
            if files.len() >= MAX_FILES {
                return Err(Failure::call(format!("reflection: more than {MAX_FILES} files")));
            }
            wanted.remove(&name);
            let answer = self.ask("fileByFilename", &name).await.map_err(Asked::failure)?;
            self.take(&answer, &mut files, &mut wanted)?;
        }
        let set = prost_types::FileDescriptorSet { file: in_dependency_order(files) };
        DescriptorPool::decode(set.encode_to_vec().as_slice())
            .map_err(|e| Failure::invalid(format!("the files the server reflected do not make a schema: {e}")))
    }

    /// Adds the files of a `file_descriptor_response` and notes their imports.
    fn take(
        &self,
        answer: &DynamicMessage,
        files: &mut BTreeMap<String, prost_types::FileDescriptorProto>,
        wanted: &mut BTreeSet<String>,
    ) -> Result<(), Failure> {
        if let Some(error) = field(answer, "error_response") {
            let code = field_u32(&error, "error_code");
            return Err(Failure::call(format!(
                "reflection: {} ({code}): {}",
                status::name(code),
                text(&error, "error_message").unwrap_or_default()
            )));
        }
        let Some(response) = field(answer, "file_descriptor_response") else {
            return Err(Failure::call("reflection: the answer holds no files"));
        };
        let Some(Value::List(list)) = response.get_field_by_name("file_descriptor_proto").map(|v| v.into_owned())
        else {
            return Ok(());
        };
        for item in list {
            let Value::Bytes(bytes) = item else { continue };
            let file = prost_types::FileDescriptorProto::decode(bytes)
                .map_err(|e| Failure::invalid(format!("reflection: a file that is not a FileDescriptorProto: {e}")))?;
            wanted.extend(file.dependency.iter().cloned());
            files.insert(file.name().to_owned(), file);
        }
        Ok(())
    }

    /// One reflection request (`{"<kind>": "<value>"}`) and its one answer.
    async fn ask(&self, kind: &str, value: &str) -> Result<DynamicMessage, Asked> {
        let input = self.method.input();
        let json = serde_json::json!({ kind: value }).to_string();
        let request = message::parse_json(&input, &json).expect("a reflection request from its own descriptors");
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
                let frame = grpcweb::frame(0, &message::encode(&request));
                let body = match encoding {
                    Encoding::Binary => frame,
                    Encoding::Text => input::to_base64(&frame).into_bytes(),
                };
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

/// Files ordered so that each comes after the files it imports (a pool is built in order).
fn in_dependency_order(
    mut files: BTreeMap<String, prost_types::FileDescriptorProto>,
) -> Vec<prost_types::FileDescriptorProto> {
    let mut out = Vec::with_capacity(files.len());
    let mut placed: BTreeSet<String> = BTreeSet::new();
    while !files.is_empty() {
        let ready: Vec<String> = files
            .iter()
            .filter(|(_, f)| f.dependency.iter().all(|d| placed.contains(d) || !files.contains_key(d)))
            .map(|(n, _)| n.clone())
            .collect();
        // A cycle (not valid protobuf): take the rest as they are, and let the pool say what is wrong.
        let ready = if ready.is_empty() { files.keys().cloned().collect() } else { ready };
        for name in ready {
            if let Some(file) = files.remove(&name) {
                placed.insert(name);
                out.push(file);
            }
        }
    }
    out
}

fn field(message: &DynamicMessage, name: &str) -> Option<DynamicMessage> {
    if !message.has_field_by_name(name) {
        return None;
    }
    match message.get_field_by_name(name)?.into_owned() {
        Value::Message(m) => Some(m),
        _ => None,
    }
}

fn messages(message: &DynamicMessage, name: &str) -> Vec<DynamicMessage> {
    match message.get_field_by_name(name).map(|v| v.into_owned()) {
        Some(Value::List(list)) => list
            .into_iter()
            .filter_map(|v| match v {
                Value::Message(m) => Some(m),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn text(message: &DynamicMessage, name: &str) -> Option<String> {
    message.get_field_by_name(name).and_then(|v| v.as_str().map(str::to_owned))
}

fn field_u32(message: &DynamicMessage, name: &str) -> u32 {
    message.get_field_by_name(name).and_then(|v| v.as_i32()).map_or(2, |c| c as u32)
}
