//! `wirelens call`: one call of the reference UserService over native gRPC (HTTP/2), any of the
//! four kinds. Requests are JSON (one message per line on stdin for a streaming request),
//! turned into protobuf by wirelens-core against the schema's descriptors; every response is
//! printed as canonical JSON and, with `--annotate`, as its annotated wire bytes. Knows tonic's
//! client and the generated types; the protobuf knowledge is core's.

use std::io::{self, BufRead as _, IsTerminal as _, Read as _};
use std::str::FromStr;
use std::time::Duration;

use prost_reflect::DescriptorPool;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tonic::transport::{Channel, Endpoint};
use wirelens_api::{ChatMessage, GetUserRequest, ListUsersRequest, PhotoUpload, UserServiceClient};
use wirelens_core::message::{self, JsonStyle};
use wirelens_core::wire::annotate;

use crate::error::Failure;
use crate::output;

pub use wirelens_api::contract::DEMO_TOKEN;
/// The most messages one call reads from stdin or prints.
pub const MAX_MESSAGES: usize = 1_000_000;

/// The four methods of `userservice.UserService`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    GetUser,
    ListUsers,
    UploadUserPhotos,
    Chat,
}

impl Method {
    /// The request and response message types.
    fn types(self) -> (&'static str, &'static str) {
        match self {
            Method::GetUser => ("userservice.GetUserRequest", "userservice.GetUserResponse"),
            Method::ListUsers => ("userservice.ListUsersRequest", "userservice.User"),
            Method::UploadUserPhotos => ("userservice.PhotoUpload", "userservice.UploadResult"),
            Method::Chat => ("userservice.ChatMessage", "userservice.ChatMessage"),
        }
    }
}

impl FromStr for Method {
    type Err = String;

    /// `GetUser`, `getuser`, `UserService/GetUser` or `userservice.UserService/GetUser`.
    fn from_str(text: &str) -> Result<Method, String> {
        let name = text.rsplit('/').next().unwrap_or(text);
        match name.to_ascii_lowercase().as_str() {
            "getuser" => Ok(Method::GetUser),
            "listusers" => Ok(Method::ListUsers),
            "uploaduserphotos" => Ok(Method::UploadUserPhotos),
            "chat" => Ok(Method::Chat),
            _ => Err(format!("unknown method '{text}': UserService has GetUser, ListUsers, UploadUserPhotos and Chat")),
        }
    }
}

/// Everything `call` needs, from the command line.
#[derive(Clone)]
pub struct Call {
    pub addr: String,
    pub token: Option<String>,
    pub deadline: Option<Duration>,
    pub headers: Vec<(String, String)>,
    pub method: Method,
    /// The request(s) as JSON; `None` reads stdin.
    pub json: Option<String>,
    pub annotate: bool,
    pub color: bool,
    /// Make the call this many times (with the same requests) and print a summary instead.
    pub repeat: u32,
    /// How many of the repeated calls are in flight at once, over one HTTP/2 connection.
    pub concurrency: u32,
}

/// Parses `500ms`, `2s`, `1m` or a bare number of milliseconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().map_err(|_| format!("'{text}' is not a duration such as 500ms, 2s or 1m"))?;
    match unit {
        "" | "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n.saturating_mul(60))),
        _ => Err(format!("unknown unit '{unit}' in '{text}': use ms, s or m")),
    }
}

/// Makes the call and prints what comes back.
pub fn run(call: Call) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::invalid(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(call.run())
}

/// The descriptors of wirelens-api's schema.
fn pool() -> DescriptorPool {
    DescriptorPool::decode(wirelens_api::FILE_DESCRIPTOR_SET).expect("wirelens-api's descriptor set is valid")
}

impl Call {
    async fn run(self) -> Result<(), Failure> {
        let pool = pool();
        let (request_type, response_type) = self.method.types();
        let request_desc = pool.get_message_by_name(request_type).expect("the request type is in the schema");
        let printer = Printer {
            desc: pool.get_message_by_name(response_type).expect("the response type is in the schema"),
            annotate: self.annotate,
            color: self.color,
        };
        let parse = move |text: &str| -> Result<Vec<u8>, Failure> {
            let message = message::parse_json(&request_desc, text)
                .map_err(|e| Failure::invalid_at(format!("the request: {e}"), text, e.line, e.column))?;
            Ok(message::encode(&message))
        };

        let metadata = self.metadata()?;
        if self.repeat > 1 {
            let requests = self.all_requests(parse)?;
            let client = UserServiceClient::new(self.connect().await?);
            return crate::repeat::run(self, client, metadata, requests).await;
        }
        let mut client = UserServiceClient::new(self.connect().await?);
        match self.method {
            Method::GetUser => {
                let request: GetUserRequest = decode(&parse(&self.single_request()?)?);
                let response = client.get_user(self.request(&metadata, request)).await.map_err(|s| self.failed(&s))?;
                printer.print(&response.into_inner())
            }
            Method::ListUsers => {
                let request: ListUsersRequest = decode(&parse(&self.single_request()?)?);
                let response =
                    client.list_users(self.request(&metadata, request)).await.map_err(|s| self.failed(&s))?;
                if let Some(token) = response.metadata().get(wirelens_api::contract::NEXT_PAGE_HEADER) {
                    eprintln!("next page token: {}", token.to_str().unwrap_or("(not text)"));
                }
                let mut stream = response.into_inner();
                for _ in 0..MAX_MESSAGES {
                    match stream.message().await.map_err(|s| self.failed(&s))? {
                        Some(user) => printer.print(&user)?,
                        None => break,
                    }
                }
                Ok(())
            }
            Method::UploadUserPhotos => {
                let (requests, reader) = self.stream_requests(parse);
                let response = client.upload_user_photos(self.request(&metadata, requests)).await;
                reader.await.map_err(|e| Failure::invalid(format!("reading the requests failed: {e}")))??;
                printer.print(&response.map_err(|s| self.failed(&s))?.into_inner())
            }
            Method::Chat => {
                let (requests, reader) = self.stream_requests(parse);
                let response = client.chat(self.request(&metadata, requests)).await.map_err(|s| self.failed(&s))?;
                let mut stream = response.into_inner();
                for _ in 0..MAX_MESSAGES {
                    match stream.message().await.map_err(|s| self.failed(&s))? {
                        Some(reply) => printer.print(&reply)?,
                        None => break,
                    }
                }
                reader.await.map_err(|e| Failure::invalid(format!("reading the requests failed: {e}")))?
            }
        }
    }

    async fn connect(&self) -> Result<Channel, Failure> {
        let endpoint = Endpoint::from_shared(self.addr.clone()).map_err(|e| {
            Failure::usage(format!("--addr '{}' is not a URL such as http://127.0.0.1:8080: {e}", self.addr))
        })?;
        endpoint.connect().await.map_err(|e| {
            let mut failure = Failure::call(format!("cannot connect to {}: {}", self.addr, source_chain(&e)));
            failure.hints.push("is wirelens-server running? start it with `cargo run -p wirelens-server`".into());
            failure
        })
    }

    /// The one request of a unary or server-streaming call: `--json`, or all of stdin.
    fn single_request(&self) -> Result<String, Failure> {
        match &self.json {
            Some(json) => Ok(json.clone()),
            None => {
                let mut stdin = io::stdin();
                if stdin.is_terminal() {
                    eprintln!("wirelens: reading the request as JSON from stdin (end with Ctrl-D)");
                }
                let mut text = String::new();
                stdin.read_to_string(&mut text).map_err(|e| Failure::invalid(format!("cannot read stdin: {e}")))?;
                Ok(text)
            }
        }
    }

    /// The requests of a streaming call, one JSON message per non-blank line of `--json` or stdin,
    /// read on a blocking thread and sent as they come (so a chat can go back and forth).
    fn stream_requests<M: prost::Message + Default + 'static>(
        &self,
        parse: impl Fn(&str) -> Result<Vec<u8>, Failure> + Send + 'static,
    ) -> (ReceiverStream<M>, tokio::task::JoinHandle<Result<(), Failure>>) {
        let (tx, rx) = mpsc::channel(16);
        let json = self.json.clone();
        let reader = tokio::task::spawn_blocking(move || {
            let lines: Box<dyn Iterator<Item = io::Result<String>>> = match json {
                Some(json) => Box::new(json.lines().map(str::to_owned).map(Ok).collect::<Vec<_>>().into_iter()),
                None => {
                    if io::stdin().is_terminal() {
                        eprintln!("wirelens: one JSON request per line; end with Ctrl-D");
                    }
                    Box::new(io::stdin().lock().lines())
                }
            };
            for (number, line) in lines.take(MAX_MESSAGES).enumerate() {
                let line = line.map_err(|e| Failure::invalid(format!("cannot read stdin: {e}")))?;
                if line.trim().is_empty() {
                    continue;
                }
                let bytes = parse(&line).map_err(|failure| at_line(failure, number))?;
                if tx.blocking_send(decode::<M>(&bytes)).is_err() {
                    break; // the call ended; the server's answer says why
                }
            }
            Ok(())
        });
        (ReceiverStream::new(rx), reader)
    }

    /// The token and the extra headers as metadata, checked once for every call.
    fn metadata(&self) -> Result<MetadataMap, Failure> {
        let mut metadata = MetadataMap::new();
        if let Some(token) = &self.token {
            let value = MetadataValue::try_from(format!("Bearer {token}"))
                .map_err(|_| Failure::usage("--token must be printable ASCII"))?;
            metadata.insert("authorization", value);
        }
        for (name, value) in &self.headers {
            let key = MetadataKey::from_bytes(name.as_bytes())
                .map_err(|_| Failure::usage(format!("--header '{name}' is not a valid header name")))?;
            let value = MetadataValue::try_from(value.as_str())
                .map_err(|_| Failure::usage(format!("--header {name}: the value must be printable ASCII")))?;
            metadata.insert(key, value);
        }
        Ok(metadata)
    }

    /// `message` with `metadata` and the deadline.
    fn request<T>(&self, metadata: &MetadataMap, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::from_parts(metadata.clone(), tonic::Extensions::default(), message);
        if let Some(deadline) = self.deadline {
            request.set_timeout(deadline);
        }
        request
    }

    /// One call with already encoded `requests` and nothing printed: what `--repeat` makes.
    /// Returns how many messages came back.
    pub async fn invoke(
        &self,
        client: &mut UserServiceClient<Channel>,
        metadata: &MetadataMap,
        requests: &[Vec<u8>],
    ) -> Result<u64, tonic::Status> {
        match self.method {
            Method::GetUser => {
                let request: GetUserRequest = decode_first(requests);
                client.get_user(self.request(metadata, request)).await.map(|_| 1)
            }
            Method::ListUsers => {
                let request: ListUsersRequest = decode_first(requests);
                let mut stream = client.list_users(self.request(metadata, request)).await?.into_inner();
                let mut count = 0;
                while count < MAX_MESSAGES as u64 && stream.message().await?.is_some() {
                    count += 1;
                }
                Ok(count)
            }
            Method::UploadUserPhotos => {
                let chunks: Vec<PhotoUpload> = requests.iter().map(|bytes| decode(bytes)).collect();
                client.upload_user_photos(self.request(metadata, tokio_stream::iter(chunks))).await.map(|_| 1)
            }
            Method::Chat => {
                let messages: Vec<ChatMessage> = requests.iter().map(|bytes| decode(bytes)).collect();
                let mut stream = client.chat(self.request(metadata, tokio_stream::iter(messages))).await?.into_inner();
                let mut count = 0;
                while count < MAX_MESSAGES as u64 && stream.message().await?.is_some() {
                    count += 1;
                }
                Ok(count)
            }
        }
    }

    /// Every request for `--repeat`, read before the first call: `--json` or stdin, one message
    /// per line for streaming requests, the whole text otherwise.
    fn all_requests(&self, parse: impl Fn(&str) -> Result<Vec<u8>, Failure>) -> Result<Vec<Vec<u8>>, Failure> {
        let text = self.single_request()?;
        if !matches!(self.method, Method::UploadUserPhotos | Method::Chat) {
            return Ok(vec![parse(&text)?]);
        }
        let mut requests = Vec::new();
        for (number, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
            requests.push(parse(line).map_err(|failure| at_line(failure, number))?);
        }
        Ok(requests)
    }

    /// The failure for a call that ended with a non-OK status.
    pub fn failed(&self, status: &tonic::Status) -> Failure {
        // tonic's client enforces the deadline itself and reports its own timer as CANCELLED.
        if status.code() == tonic::Code::Cancelled
            && status.message().contains("Timeout expired")
            && let Some(deadline) = self.deadline
        {
            return Failure::call(format!(
                "DEADLINE_EXCEEDED: the deadline of {deadline:?} passed (seen by the client)"
            ));
        }
        let mut failure = Failure::call(format!("{}: {}", code_name(status.code()), status.message()));
        if let Some(info) = tonic_types::StatusExt::get_error_details(status).error_info() {
            let mut facts: Vec<String> = info.metadata.iter().map(|(k, v)| format!("{k}={v}")).collect();
            facts.sort();
            let facts = if facts.is_empty() { String::new() } else { format!(" {}", facts.join(" ")) };
            failure.hints.push(format!("ErrorInfo: reason {} ({}){facts}", info.reason, info.domain));
        }
        if let Some(bad) = tonic_types::StatusExt::get_error_details(status).bad_request() {
            for violation in &bad.field_violations {
                failure.hints.push(format!("BadRequest: {}: {}", violation.field, violation.description));
            }
        }
        if status.code() == tonic::Code::Unauthenticated {
            failure.hints.push(format!("the server's demo token is {DEMO_TOKEN}: pass --token"));
        }
        failure
    }
}

/// Prints each response: one line of canonical JSON, then its annotated bytes when asked.
struct Printer {
    desc: prost_reflect::MessageDescriptor,
    annotate: bool,
    color: bool,
}

impl Printer {
    fn print(&self, message: &impl prost::Message) -> Result<(), Failure> {
        let bytes = message.encode_to_vec();
        let dynamic = message::decode(&self.desc, &bytes).expect("prost's own bytes decode");
        // A server may send what JSON cannot show (a Timestamp out of range): say so, do not panic.
        let mut out = message::to_json(&dynamic, JsonStyle::CANONICAL).map_err(|e| Failure::invalid(e.to_string()))?;
        out.push('\n');
        if self.annotate {
            out.push_str(&format!("# {}, {} bytes\n", self.desc.full_name(), bytes.len()));
            out.push_str(&output::listing(&annotate(&bytes, Some(&self.desc)), false, self.color));
            out.push('\n');
        }
        output::write_stdout(out.as_bytes())
    }
}

/// `failure` about line `index` (0-based) of the requests.
fn at_line(mut failure: Failure, index: usize) -> Failure {
    for problem in &mut failure.errors {
        problem.message = format!("line {}: {}", index + 1, problem.message);
    }
    failure
}

/// The first request (an empty message when there is none).
pub(crate) fn decode_first<M: prost::Message + Default>(requests: &[Vec<u8>]) -> M {
    requests.first().map(|bytes| decode(bytes)).unwrap_or_default()
}

/// The generated type from bytes core encoded for the same descriptor.
fn decode<M: prost::Message + Default>(bytes: &[u8]) -> M {
    M::decode(bytes).expect("core encodes what the schema describes")
}

fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    for _ in 0..8 {
        let Some(cause) = source else { break };
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// The code's name in the gRPC specification (`NOT_FOUND`), from core's table.
fn code_name(code: tonic::Code) -> &'static str {
    wirelens_core::status::name(code as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("250"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("1h").is_err());
        assert!(parse_duration("ms").is_err());
    }

    #[test]
    fn method_names() {
        assert_eq!("GetUser".parse(), Ok(Method::GetUser));
        assert_eq!("userservice.UserService/ListUsers".parse(), Ok(Method::ListUsers));
        assert_eq!("chat".parse(), Ok(Method::Chat));
        assert!("DeleteUser".parse::<Method>().is_err());
    }
}
