//! gRPC server reflection as a conversation without IO: which request to send next, what an
//! answer means, and, at the end, the server's schema as a descriptor set and a pool. The CLI
//! (`call --reflect`) and the app ("load from server") drive the same [`Fetch`]; each sends the
//! requests its own way (native gRPC, or one grpc-web call per request, since a browser cannot
//! stream both ways).
//!
//! `grpc.reflection.v1` and `v1alpha` have the same messages under another package, so one set of
//! message types serves both; only the path differs ([`Version`]).

use std::collections::{BTreeMap, BTreeSet};

use prost::Message as _;
use prost_reflect::DescriptorPool;
use prost_types::{FileDescriptorProto, FileDescriptorSet};

use crate::grpcweb::{self, Encoding};
use crate::status::{self, Status};

/// The most files one fetch takes (a schema and all its imports).
pub const MAX_FILES: usize = 1000;

/// The versions of the reflection service, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V1Alpha,
}

impl Version {
    pub const ALL: [Version; 2] = [Version::V1, Version::V1Alpha];

    /// `grpc.reflection.v1`.
    pub fn package(self) -> &'static str {
        match self {
            Version::V1 => "grpc.reflection.v1",
            Version::V1Alpha => "grpc.reflection.v1alpha",
        }
    }

    /// The HTTP path of `ServerReflectionInfo`.
    pub fn path(self) -> String {
        format!("/{}.ServerReflection/ServerReflectionInfo", self.package())
    }
}

/// Why the server's schema could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReflectionError {
    #[error("reflection: the answer is not a ServerReflectionResponse: {0}")]
    NotAnAnswer(String),
    #[error("reflection: {} ({code}): {message}", status::name(*code))]
    Refused { code: u32, message: String },
    #[error("reflection: the answer to {asked} holds no files")]
    NoFiles { asked: String },
    #[error("reflection: a file that is not a FileDescriptorProto: {0}")]
    BadFile(String),
    #[error("reflection: more than {MAX_FILES} files")]
    TooManyFiles,
    #[error("reflection: the server lists no services but its own reflection")]
    NoServices,
    #[error("the files the server reflected do not make a schema: {0}")]
    NotASchema(String),
}

/// One fetch of a server's schema: list the services, ask for the file of each, then for every
/// import not yet had. Call [`next_request`](Fetch::next_request) for the request to send (protobuf bytes of a
/// `ServerReflectionRequest`), hand its one answer to [`answer`](Fetch::answer), until `next_request`
/// gives `None`; then [`finish`](Fetch::finish).
#[derive(Debug, Clone, Default)]
pub struct Fetch {
    /// Services still to ask about; `None` until the list came.
    services: Option<Vec<String>>,
    listed: Vec<String>,
    files: BTreeMap<String, FileDescriptorProto>,
    wanted: BTreeSet<String>,
    /// What the request in flight asked, for errors.
    asked: String,
}

/// The server's schema, as reflection gave it.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The services it lists (its reflection service left out), sorted.
    pub services: Vec<String>,
    /// The files, each after the files it imports: a `FileDescriptorSet`'s bytes.
    pub descriptor_set: Vec<u8>,
    pub pool: DescriptorPool,
}

impl Fetch {
    pub fn new() -> Fetch {
        Fetch::default()
    }

    /// The next request to send, or `None` when every file is in.
    pub fn next_request(&mut self) -> Option<Vec<u8>> {
        let request = match &mut self.services {
            None => Request::ListServices(String::new()),
            Some(services) => match services.pop() {
                Some(service) => Request::FileContainingSymbol(service),
                None => {
                    let name = self.wanted.iter().find(|n| !self.files.contains_key(*n))?.clone();
                    self.wanted.remove(&name);
                    Request::FileByFilename(name)
                }
            },
        };
        self.asked = match &request {
            Request::ListServices(_) => "listServices".to_owned(),
            Request::FileContainingSymbol(s) => format!("fileContainingSymbol {s}"),
            Request::FileByFilename(f) => format!("fileByFilename {f}"),
        };
        Some(ServerReflectionRequest { host: String::new(), message_request: Some(request) }.encode_to_vec())
    }

    /// Takes the answer to the request `next_request` gave last.
    pub fn answer(&mut self, bytes: &[u8]) -> Result<(), ReflectionError> {
        let answer =
            ServerReflectionResponse::decode(bytes).map_err(|e| ReflectionError::NotAnAnswer(e.to_string()))?;
        match answer.message_response {
            Some(Response::Error(e)) => {
                Err(ReflectionError::Refused { code: e.error_code.max(0) as u32, message: e.error_message })
            }
            Some(Response::ListServices(list)) if self.services.is_none() => {
                let mut services: Vec<String> =
                    list.service.into_iter().map(|s| s.name).filter(|n| !n.starts_with("grpc.reflection.")).collect();
                services.sort();
                services.dedup();
                if services.is_empty() {
                    return Err(ReflectionError::NoServices);
                }
                self.listed = services.clone();
                services.reverse();
                self.services = Some(services);
                Ok(())
            }
            Some(Response::Files(files)) if self.services.is_some() => {
                for bytes in files.file_descriptor_proto {
                    if self.files.len() >= MAX_FILES {
                        return Err(ReflectionError::TooManyFiles);
                    }
                    let file = FileDescriptorProto::decode(bytes.as_slice())
                        .map_err(|e| ReflectionError::BadFile(e.to_string()))?;
                    self.wanted.extend(file.dependency.iter().cloned());
                    self.files.insert(file.name().to_owned(), file);
                }
                Ok(())
            }
            _ => Err(ReflectionError::NoFiles { asked: self.asked.clone() }),
        }
    }

    /// The schema, once `next_request` has nothing more to ask.
    pub fn finish(self) -> Result<Fetched, ReflectionError> {
        let set = FileDescriptorSet { file: in_dependency_order(self.files) };
        let descriptor_set = set.encode_to_vec();
        let pool = crate::schema::read_descriptor_set(&descriptor_set)
            .map_err(|e| ReflectionError::NotASchema(e.to_string()))?;
        Ok(Fetched { services: self.listed, descriptor_set, pool })
    }
}

/// The one message of a grpc-web answer to a reflection request, or the status it ended with
/// (UNIMPLEMENTED: the server has no such version of reflection).
pub fn read_grpc_web_answer(
    encoding: Encoding,
    http_status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Vec<u8>, Status> {
    let read = grpcweb::annotate_body(body, encoding);
    let trailers = read.frames.iter().find_map(|f| f.trailers.clone());
    let status = grpcweb::status(trailers.as_ref(), headers, Some(http_status));
    match read.error {
        // A page that is not grpc-web (a 404 from a server without reflection): its HTTP status.
        Some(_) if http_status != 200 => return Err(status),
        Some(error) => return Err(Status::client(status::INTERNAL, format!("the body is malformed: {error}"))),
        None if !status.is_ok() => return Err(status),
        None => {}
    }
    read.frames
        .into_iter()
        .find(|f| !f.is_trailers())
        .map(|f| f.payload)
        .ok_or_else(|| Status::client(status::INTERNAL, "the server answered no message"))
}

/// Files ordered so that each comes after the files it imports (a pool is built in order).
fn in_dependency_order(mut files: BTreeMap<String, FileDescriptorProto>) -> Vec<FileDescriptorProto> {
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

// The reflection messages (`reflection.proto`, the same in v1 and v1alpha), the fields used.

#[derive(Clone, PartialEq, prost::Message)]
struct ServerReflectionRequest {
    #[prost(string, tag = "1")]
    host: String,
    #[prost(oneof = "Request", tags = "3, 4, 7")]
    message_request: Option<Request>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
enum Request {
    #[prost(string, tag = "3")]
    FileByFilename(String),
    #[prost(string, tag = "4")]
    FileContainingSymbol(String),
    #[prost(string, tag = "7")]
    ListServices(String),
}

#[derive(Clone, PartialEq, prost::Message)]
struct ServerReflectionResponse {
    #[prost(oneof = "Response", tags = "4, 6, 7")]
    message_response: Option<Response>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
enum Response {
    #[prost(message, tag = "4")]
    Files(FileDescriptorResponse),
    #[prost(message, tag = "6")]
    ListServices(ListServiceResponse),
    #[prost(message, tag = "7")]
    Error(ErrorResponse),
}

#[derive(Clone, PartialEq, prost::Message)]
struct FileDescriptorResponse {
    #[prost(bytes = "vec", repeated, tag = "1")]
    file_descriptor_proto: Vec<Vec<u8>>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ListServiceResponse {
    #[prost(message, repeated, tag = "1")]
    service: Vec<ServiceResponse>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ServiceResponse {
    #[prost(string, tag = "1")]
    name: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ErrorResponse {
    #[prost(int32, tag = "1")]
    error_code: i32,
    #[prost(string, tag = "2")]
    error_message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    const A: &str = "syntax = \"proto3\"; package a; message M { string s = 1; }";
    const B: &str = "syntax = \"proto3\"; package b; import \"a.proto\"; \
                     service S { rpc Get(a.M) returns (a.M); }";

    fn file(schema: &Schema, name: &str) -> Vec<u8> {
        schema.pool().get_file_by_name(name).unwrap().file_descriptor_proto().encode_to_vec()
    }

    fn files(list: Vec<Vec<u8>>) -> Vec<u8> {
        let files = FileDescriptorResponse { file_descriptor_proto: list };
        ServerReflectionResponse { message_response: Some(Response::Files(files)) }.encode_to_vec()
    }

    fn asked(bytes: &[u8]) -> Request {
        ServerReflectionRequest::decode(bytes).unwrap().message_request.unwrap()
    }

    #[test]
    fn lists_asks_for_each_service_then_for_the_imports_and_builds_the_schema() {
        let schema = Schema::compile(&[("a.proto", A), ("b.proto", B)]).unwrap();
        let mut fetch = Fetch::new();
        assert_eq!(asked(&fetch.next_request().unwrap()), Request::ListServices(String::new()));
        let names = ["grpc.reflection.v1.ServerReflection", "b.S"];
        let list =
            ListServiceResponse { service: names.iter().map(|n| ServiceResponse { name: (*n).to_owned() }).collect() };
        fetch
            .answer(&ServerReflectionResponse { message_response: Some(Response::ListServices(list)) }.encode_to_vec())
            .unwrap();
        assert_eq!(asked(&fetch.next_request().unwrap()), Request::FileContainingSymbol("b.S".into()));
        fetch.answer(&files(vec![file(&schema, "b.proto")])).unwrap();
        assert_eq!(asked(&fetch.next_request().unwrap()), Request::FileByFilename("a.proto".into()));
        fetch.answer(&files(vec![file(&schema, "a.proto")])).unwrap();
        assert_eq!(fetch.next_request(), None);
        let fetched = fetch.finish().unwrap();
        assert_eq!(fetched.services, ["b.S"]);
        assert!(fetched.pool.get_service_by_name("b.S").is_some());
        // The set lists a.proto before b.proto, which imports it.
        let set = FileDescriptorSet::decode(fetched.descriptor_set.as_slice()).unwrap();
        let order: Vec<&str> = set.file.iter().map(|f| f.name()).collect();
        assert_eq!(order, ["a.proto", "b.proto"]);
    }

    #[test]
    fn a_refusal_an_empty_list_and_garbage_are_errors_that_say_so() {
        let mut fetch = Fetch::new();
        fetch.next_request();
        let error = ErrorResponse { error_code: 5, error_message: "no such symbol".into() };
        let refused = ServerReflectionResponse { message_response: Some(Response::Error(error)) }.encode_to_vec();
        assert_eq!(fetch.answer(&refused).unwrap_err().to_string(), "reflection: NOT_FOUND (5): no such symbol");
        let empty = ServerReflectionResponse { message_response: Some(Response::ListServices(Default::default())) };
        assert_eq!(fetch.answer(&empty.encode_to_vec()), Err(ReflectionError::NoServices));
        assert!(matches!(fetch.answer(&[0xff]), Err(ReflectionError::NotAnAnswer(_))));
        // Files before the list are not an answer to listServices.
        assert_eq!(
            fetch.answer(&files(Vec::new())).unwrap_err().to_string(),
            "reflection: the answer to listServices holds no files"
        );
    }

    #[test]
    fn a_grpc_web_answer_gives_its_message_or_its_status() {
        let mut body = grpcweb::frame(0, b"\x0a\x01x");
        body.extend(grpcweb::frame(0x80, b"grpc-status: 0\r\n"));
        assert_eq!(read_grpc_web_answer(Encoding::Binary, 200, &[], &body).unwrap(), b"\x0a\x01x");
        let unimplemented = grpcweb::frame(0x80, b"grpc-status: 12\r\ngrpc-message: no\r\n");
        let status = read_grpc_web_answer(Encoding::Binary, 200, &[], &unimplemented).unwrap_err();
        assert_eq!(status.code, status::UNIMPLEMENTED);
        let status = read_grpc_web_answer(Encoding::Binary, 404, &[], b"not found").unwrap_err();
        assert_eq!(status.code, status::UNIMPLEMENTED, "HTTP 404 maps to UNIMPLEMENTED");
    }
}
