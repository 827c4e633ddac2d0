//! The network under `call`: native gRPC through tonic (HTTP/2, every kind of method, with a
//! codec that passes bytes through), and grpc-web and Connect through hyper (HTTP/1.1, unary and
//! server-streaming). Requests are built and answers read by core (`call::request`,
//! `call::Response`); this file only moves bytes and reports each message as it arrives.
//! Knows sockets, tonic and hyper; nothing about schemas beyond handing descriptors to core.

use std::time::Duration;

use bytes::{Buf as _, BufMut as _, Bytes};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use prost_reflect::{DynamicMessage, MethodDescriptor};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tonic::transport::{Channel, Endpoint};
use wirelens_core::call::{self, Kind, Message, Protocol, Target};
use wirelens_core::grpcweb;
use wirelens_core::message;
use wirelens_core::status::{self, Source, Status};

use crate::error::Failure;

/// What the caller hears while an answer comes in.
pub enum Event<'a> {
    /// The response headers (names in lower case).
    Headers(&'a [(String, String)]),
    Message(&'a Message),
}

/// How a call ended.
pub struct Ended {
    pub status: Status,
    pub trailers: Vec<(String, String)>,
    /// grpc-web and Connect: the body as core laid it out (frames or envelopes, error JSON).
    pub body: Option<grpcweb::Body>,
}

/// The request messages: all known now, or encoded ones arriving from stdin (client streams).
pub enum Requests {
    All(Vec<DynamicMessage>),
    Stream(mpsc::Receiver<Vec<u8>>),
}

/// A place to send calls: a tonic channel for native gRPC, a hyper client otherwise.
#[derive(Clone)]
pub enum Connection {
    Grpc(Channel),
    Web(Box<Client<HttpConnector, Full<Bytes>>>),
}

impl Connection {
    /// A connection for a command that makes no call (HTTP/1.1 connects per request anyway).
    pub fn unopened() -> Connection {
        Connection::Web(Box::new(Client::builder(TokioExecutor::new()).build(HttpConnector::new())))
    }

    /// Connects (native gRPC opens its HTTP/2 connection now; HTTP/1.1 connects per request).
    pub async fn open(protocol: Protocol, addr: &str) -> Result<Connection, Failure> {
        if protocol != Protocol::Grpc {
            return Ok(Connection::unopened());
        }
        let endpoint = Endpoint::from_shared(addr.to_owned())
            .map_err(|e| Failure::usage(format!("--addr '{addr}' is not a URL such as http://127.0.0.1:8080: {e}")))?;
        let channel = endpoint.connect().await.map_err(|e| unreachable(addr, &e))?;
        Ok(Connection::Grpc(channel))
    }
}

/// The failure for a server that cannot be reached.
pub fn unreachable(addr: &str, error: &dyn std::error::Error) -> Failure {
    let mut failure = Failure::call(format!("cannot connect to {addr}: {}", source_chain(error)));
    failure.hints.push(format!("is a server listening at {addr}? (wirelens-server: `cargo run -p wirelens-server`)"));
    failure
}

/// One call of `method`. `on_event` hears the headers and each message as it arrives.
pub async fn call(
    connection: &Connection,
    target: &Target<'_>,
    method: &MethodDescriptor,
    requests: Requests,
    on_event: &mut (dyn FnMut(Event<'_>) -> Result<(), Failure> + Send),
) -> Result<Ended, Failure> {
    match connection {
        // tonic makes native gRPC's requests, not core: refuse a GET as core would.
        Connection::Grpc(_) if target.get => {
            Err(Failure::usage(call::CallError::GetNeedsConnect(target.protocol).to_string()))
        }
        Connection::Grpc(channel) => grpc(channel.clone(), target, method, requests, on_event).await,
        Connection::Web(client) => {
            let messages = match requests {
                Requests::All(messages) => messages,
                Requests::Stream(_) => {
                    return Err(Failure::usage(format!(
                        "{} cannot carry {}: it is {} (use --protocol grpc)",
                        target.protocol,
                        call::full_name(method),
                        Kind::of(method).words()
                    )));
                }
            };
            let one = web(client, target, method, &messages, on_event);
            // The server's own deadline answer normally comes first; this one ends a silent server.
            match target.deadline_ms {
                None => one.await,
                Some(ms) => {
                    let limit = Duration::from_millis(u64::from(ms)) + Duration::from_secs(1);
                    match tokio::time::timeout(limit, one).await {
                        Ok(ended) => ended,
                        Err(_) => Ok(Ended {
                            status: Status::client(
                                status::DEADLINE_EXCEEDED,
                                format!("the deadline of {ms}ms passed (seen by the client)"),
                            ),
                            trailers: Vec::new(),
                            body: None,
                        }),
                    }
                }
            }
        }
    }
}

async fn web(
    client: &Client<HttpConnector, Full<Bytes>>,
    target: &Target<'_>,
    method: &MethodDescriptor,
    messages: &[DynamicMessage],
    on_event: &mut (dyn FnMut(Event<'_>) -> Result<(), Failure> + Send),
) -> Result<Ended, Failure> {
    let request = call::request(target, method, messages).map_err(|e| Failure::usage(e.to_string()))?;
    send(client, target, method, request, on_event).await
}

/// Sends a request core built and reads the answer through core.
pub async fn send(
    client: &Client<HttpConnector, Full<Bytes>>,
    target: &Target<'_>,
    method: &MethodDescriptor,
    request: call::HttpRequest,
    on_event: &mut (dyn FnMut(Event<'_>) -> Result<(), Failure> + Send),
) -> Result<Ended, Failure> {
    let mut builder = http::Request::builder().method(request.method).uri(&request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let http_request = builder
        .body(Full::new(Bytes::from(request.body)))
        .map_err(|e| Failure::usage(format!("cannot make the request: {e}")))?;
    let response = client.request(http_request).await.map_err(|e| unreachable(target.base_url, &e))?;
    let http_status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    on_event(Event::Headers(&headers))?;
    let mut answer = call::Response::new(target.protocol, method, http_status, headers);
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| Failure::call(format!("the answer broke off: {}", source_chain(&e))))?;
        if let Ok(data) = frame.into_data() {
            for m in answer.push(&data) {
                on_event(Event::Message(&m))?;
            }
        }
    }
    let (last, finished) = answer.finish();
    for m in &last {
        on_event(Event::Message(m))?;
    }
    Ok(Ended { status: finished.status, trailers: finished.trailers, body: Some(finished.body) })
}

async fn grpc(
    channel: Channel,
    target: &Target<'_>,
    method: &MethodDescriptor,
    requests: Requests,
    on_event: &mut (dyn FnMut(Event<'_>) -> Result<(), Failure> + Send),
) -> Result<Ended, Failure> {
    let metadata = metadata(target.metadata)?;
    let path: http::uri::PathAndQuery =
        call::path(method).parse().map_err(|e| Failure::usage(format!("{}: not a path ({e})", call::path(method))))?;
    let mut client = tonic::client::Grpc::new(channel);
    // tonic compresses and inflates native gRPC's frames itself (so its messages carry no
    // `compressed` note); grpc-web and Connect frames are core's.
    if let Some(algorithm) = target.compression {
        let encoding = match algorithm {
            call::Algorithm::Gzip => tonic::codec::CompressionEncoding::Gzip,
            call::Algorithm::Deflate => tonic::codec::CompressionEncoding::Deflate,
        };
        client = client.send_compressed(encoding).accept_compressed(encoding);
    }
    client.ready().await.map_err(|e| unreachable(target.base_url, &e))?;
    let output = method.output();
    let mut index = 0;
    let mut deliver = |bytes: Vec<u8>, on_event: &mut (dyn FnMut(Event<'_>) -> Result<(), Failure> + Send)| {
        let message = message::decode(&output, &bytes)
            .map_err(|e| Failure::call(format!("message {} is not a {}: {e}", index + 1, output.full_name())))?;
        let m = Message { index, range: 0..bytes.len(), bytes, message, compressed: None };
        index += 1;
        on_event(Event::Message(&m))
    };
    let kind = Kind::of(method);
    let stream: Box<dyn futures_core::Stream<Item = Vec<u8>> + Send + Unpin> = match requests {
        Requests::All(messages) => {
            Box::new(tokio_stream::iter(messages.iter().map(message::encode).collect::<Vec<_>>()))
        }
        Requests::Stream(rx) => Box::new(ReceiverStream::new(rx)),
    };
    let timeout = target.deadline_ms;
    let status_of = |s: tonic::Status| grpc_status(s, timeout);
    match kind {
        Kind::Unary | Kind::ClientStreaming => {
            let result = if kind == Kind::Unary {
                let mut stream = stream;
                let first = tokio_stream::StreamExt::next(&mut stream).await.unwrap_or_default();
                client.unary(request(&metadata, target.deadline_ms, first), path, Raw).await
            } else {
                client.client_streaming(request(&metadata, target.deadline_ms, stream), path, Raw).await
            };
            match result {
                Ok(response) => {
                    let (meta, bytes, _) = response.into_parts();
                    on_event(Event::Headers(&pairs(meta)))?;
                    deliver(bytes, on_event)?;
                    Ok(Ended { status: ok(), trailers: Vec::new(), body: None })
                }
                Err(s) => Ok(Ended { status: status_of(s), trailers: Vec::new(), body: None }),
            }
        }
        Kind::ServerStreaming | Kind::Bidi => {
            let result = if kind == Kind::ServerStreaming {
                let mut stream = stream;
                let first = tokio_stream::StreamExt::next(&mut stream).await.unwrap_or_default();
                client.server_streaming(request(&metadata, target.deadline_ms, first), path, Raw).await
            } else {
                client.streaming(request(&metadata, target.deadline_ms, stream), path, Raw).await
            };
            let mut answers = match result {
                Ok(response) => {
                    let (meta, answers, _) = response.into_parts();
                    on_event(Event::Headers(&pairs(meta)))?;
                    answers
                }
                Err(s) => return Ok(Ended { status: status_of(s), trailers: Vec::new(), body: None }),
            };
            loop {
                match answers.message().await {
                    Ok(Some(bytes)) => deliver(bytes, on_event)?,
                    Ok(None) => break,
                    Err(s) => return Ok(Ended { status: status_of(s), trailers: Vec::new(), body: None }),
                }
            }
            let trailers = answers.trailers().await.ok().flatten().map(pairs).unwrap_or_default();
            Ok(Ended { status: ok(), trailers, body: None })
        }
    }
}

/// `body` with the call's metadata and deadline (tonic sends it as grpc-timeout and enforces it).
fn request<T>(metadata: &MetadataMap, deadline_ms: Option<u32>, body: T) -> tonic::Request<T> {
    let mut request = tonic::Request::from_parts(metadata.clone(), tonic::Extensions::default(), body);
    if let Some(ms) = deadline_ms {
        request.set_timeout(Duration::from_millis(u64::from(ms)));
    }
    request
}

fn ok() -> Status {
    Status { code: status::OK, message: String::new(), details: Vec::new(), source: Source::Trailers }
}

/// tonic's status as core's; tonic's own timer (CANCELLED, "Timeout expired") as the deadline.
fn grpc_status(s: tonic::Status, deadline_ms: Option<u32>) -> Status {
    if s.code() == tonic::Code::Cancelled
        && s.message().contains("Timeout expired")
        && let Some(ms) = deadline_ms
    {
        return Status::client(
            status::DEADLINE_EXCEEDED,
            format!("the deadline of {ms}ms passed (seen by the client)"),
        );
    }
    let details = status::details_from_bytes(s.details()).unwrap_or_default();
    let source = if s.metadata().is_empty() { Source::Client } else { Source::Trailers };
    Status { code: s.code() as u32, message: s.message().to_owned(), details, source }
}

/// The call's metadata as tonic's, checked once.
pub fn metadata(pairs: &[(String, String)]) -> Result<MetadataMap, Failure> {
    let mut metadata = MetadataMap::new();
    for (name, value) in pairs {
        let key = MetadataKey::from_bytes(name.as_bytes())
            .map_err(|_| Failure::usage(format!("--header '{name}' is not a valid header name")))?;
        let value = MetadataValue::try_from(value.as_str())
            .map_err(|_| Failure::usage(format!("--header {name}: the value must be printable ASCII")))?;
        metadata.append(key, value);
    }
    Ok(metadata)
}

fn pairs(metadata: MetadataMap) -> Vec<(String, String)> {
    metadata
        .into_headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect()
}

pub fn source_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    for _ in 0..8 {
        let Some(cause) = source else { break };
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(&format!(": {cause_text}"));
        }
        source = cause.source();
    }
    text
}

/// tonic's codec for messages that are already bytes: core encodes and decodes them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Raw;

impl Codec for Raw {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = Raw;
    type Decoder = Raw;

    fn encoder(&mut self) -> Raw {
        Raw
    }

    fn decoder(&mut self) -> Raw {
        Raw
    }
}

impl Encoder for Raw {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, buf: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        buf.put_slice(&item);
        Ok(())
    }
}

impl Decoder for Raw {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
        Ok(Some(buf.copy_to_bytes(buf.remaining()).to_vec()))
    }
}
