//! `wirelens call`: one call of any unary or streaming method of any schema, in gRPC, grpc-web,
//! grpc-web-text or Connect (proto or JSON). The schema comes from `.proto` files, a
//! FileDescriptorSet, the server's reflection, or (by default) the reference UserService built
//! in. Requests are JSON (one message per line on stdin for a client stream), turned into
//! protobuf by core; every answer is printed as canonical JSON and, with `--annotate`, as its
//! annotated bytes, the trailers or end-of-stream message too. A call that ends with a status
//! other than OK fails with it (exit 3). The network is `transport.rs`'s; the protocol core's.

use std::io::{self, BufRead as _, IsTerminal as _, Read as _};
use std::path::PathBuf;
use std::time::Duration;

use prost_reflect::{DescriptorPool, DynamicMessage, MethodDescriptor};
use tokio::sync::mpsc;
use wirelens_api::contract::{DEMO_TOKEN, NEXT_PAGE_HEADER};
pub use wirelens_core::call::Protocol;
use wirelens_core::call::{self, Kind, Target};
use wirelens_core::commands::{self, CallLine, SchemaSource};
pub use wirelens_core::compression::Algorithm;
use wirelens_core::grpcweb::SpanKind;
use wirelens_core::message::{self, JsonStyle};
use wirelens_core::status::{self, Detail, Status};
use wirelens_core::wire::annotate;

use crate::error::Failure;
use crate::transport::{self, Connection, Ended, Event, Requests};
use crate::{load, output, reflect};

/// The most messages one call reads from stdin or prints.
pub const MAX_MESSAGES: usize = 1_000_000;

/// Where the schema comes from, as the command line says.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub protos: Vec<PathBuf>,
    pub include: Vec<PathBuf>,
    pub descriptor_set: Option<PathBuf>,
    pub reflect: bool,
}

impl Schema {
    fn source(&self) -> SchemaSource {
        let text = |p: &PathBuf| p.to_string_lossy().into_owned();
        if self.reflect {
            SchemaSource::Reflect
        } else if let Some(set) = &self.descriptor_set {
            SchemaSource::DescriptorSet(text(set))
        } else if !self.protos.is_empty() {
            SchemaSource::Protos {
                files: self.protos.iter().map(text).collect(),
                includes: self.include.iter().map(text).collect(),
            }
        } else {
            SchemaSource::Builtin
        }
    }
}

/// Everything `call` needs, from the command line.
#[derive(Debug, Clone)]
pub struct Call {
    pub addr: String,
    pub protocol: Protocol,
    pub schema: Schema,
    /// `None`: the demo token to the built-in service, nothing to others; `Some("")`: none.
    pub token: Option<String>,
    pub deadline: Option<Duration>,
    pub headers: Vec<(String, String)>,
    /// `--compress`: compress the requests so and ask for answers compressed so.
    pub compress: Option<Algorithm>,
    /// `--get`: a Connect GET (a unary NO_SIDE_EFFECTS method).
    pub get: bool,
    /// `None` lists the schema's methods instead of calling one.
    pub method: Option<String>,
    /// The request(s) as JSON; `None` reads stdin.
    pub json: Option<String>,
    pub annotate: bool,
    /// Headers, trailers and the status on stderr.
    pub verbose: bool,
    /// Print the call as `wirelens call`, grpcurl and buf curl lines instead of making it.
    pub commands: bool,
    pub color: bool,
    /// With `--repeat`: make the call this many times, this many at once (`repeat.rs`).
    pub repeat: u32,
    pub concurrency: u32,
}

/// A call ready to go: its schema, method, metadata and connection.
pub struct Prepared {
    pub pool: DescriptorPool,
    pub method: MethodDescriptor,
    pub metadata: Vec<(String, String)>,
    pub connection: Connection,
    pub builtin: bool,
}

impl Prepared {
    pub fn target<'a>(&'a self, call: &'a Call) -> Target<'a> {
        Target {
            protocol: call.protocol,
            base_url: &call.addr,
            metadata: &self.metadata,
            deadline_ms: call.deadline.map(|d| u32::try_from(d.as_millis()).unwrap_or(u32::MAX)),
            compression: call.compress,
            get: call.get,
        }
    }
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

/// Parses `--compress`: `gzip` or `deflate`.
pub fn parse_algorithm(text: &str) -> Result<Algorithm, String> {
    Algorithm::from_name(text)
        .ok_or_else(|| format!("'{text}' is not a compression wirelens writes: use gzip or deflate"))
}

/// A one-thread runtime: one call (or `--repeat`'s tasks) needs no more.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::invalid(format!("cannot start the async runtime: {e}")))
}

/// Makes the call and prints what comes back.
pub fn run(call: Call) -> Result<(), Failure> {
    runtime()?.block_on(call.run())
}

impl Call {
    async fn run(self) -> Result<(), Failure> {
        let Some(prepared) = self.prepare().await? else { return Ok(()) };
        let kind = Kind::of(&prepared.method);
        if self.commands {
            return self.print_commands(&prepared);
        }
        let requests = if kind.client_streams() && self.protocol == Protocol::Grpc {
            let (requests, reader) = self.stream_requests(&prepared.method);
            // A client stream's one answer waits until every request line has been read: a bad
            // line fails the command, and the answer to the lines before it is not printed.
            let mut held = (kind == Kind::ClientStreaming).then(Vec::new);
            let ended = self.call(&prepared, requests, held.as_mut()).await;
            reader.await.map_err(|e| Failure::invalid(format!("reading the requests failed: {e}")))??;
            let printer = self.printer(&prepared);
            for m in held.iter().flatten() {
                printer.print(m)?;
            }
            return self.conclude(&prepared, ended?);
        } else if kind.client_streams() {
            return Err(Failure::usage(format!(
                "{} cannot carry {}: it is {} (use --protocol grpc)",
                self.protocol,
                call::full_name(&prepared.method),
                kind.words()
            )));
        } else {
            Requests::All(vec![self.parse(&prepared.method, &self.single_request()?)?])
        };
        let ended = self.call(&prepared, requests, None).await?;
        self.conclude(&prepared, ended)
    }

    /// The schema, the method and the connection; `None` when there was only a list to print.
    pub async fn prepare(&self) -> Result<Option<Prepared>, Failure> {
        let source = self.schema.source();
        let builtin = source == SchemaSource::Builtin;
        let token = match &self.token {
            Some(t) => Some(t.clone()).filter(|t| !t.is_empty()),
            None if builtin => Some(DEMO_TOKEN.to_owned()),
            None => None,
        };
        let mut metadata = Vec::new();
        if let Some(token) = token {
            metadata.push(("authorization".to_owned(), format!("Bearer {token}")));
        }
        metadata.extend(self.headers.iter().cloned());
        transport::metadata(&metadata)?;
        // Connect only when the server is needed: a bad method name or a listing needs none.
        let needs_server = self.schema.reflect || (self.method.is_some() && !self.commands);
        let local = if self.schema.reflect { None } else { Some(self.local_pool(&source)?) };
        if let (Some(pool), Some(name)) = (&local, &self.method) {
            call::find_method(pool, name).map_err(|e| Failure::usage(e.to_string()))?;
        }
        let connection =
            if needs_server { Connection::open(self.protocol, &self.addr).await? } else { Connection::unopened() };
        let pool = match local {
            Some(pool) => pool,
            None => {
                let target = Target {
                    protocol: self.protocol,
                    base_url: &self.addr,
                    metadata: &metadata,
                    deadline_ms: None,
                    compression: None,
                    get: false,
                };
                reflect::fetch(&connection, &target).await?
            }
        };
        let Some(name) = &self.method else {
            let mut out = String::new();
            for full in call::methods(&pool) {
                let method = call::find_method(&pool, &full).expect("a listed method is found");
                let note = if self.protocol.carries(Kind::of(&method)) { "" } else { " (native gRPC only)" };
                out.push_str(&format!(
                    "{full}  {} -> {}  {}{note}\n",
                    method.input().full_name(),
                    method.output().full_name(),
                    Kind::of(&method).words()
                ));
            }
            if out.is_empty() {
                out.push_str("(the schema has no services)\n");
            }
            output::write_stdout(out.as_bytes())?;
            return Ok(None);
        };
        let method = call::find_method(&pool, name).map_err(|e| Failure::usage(e.to_string()))?;
        Ok(Some(Prepared { pool, method, metadata, connection, builtin }))
    }

    fn printer(&self, prepared: &Prepared) -> Printer {
        Printer { desc: prepared.method.output(), annotate: self.annotate, color: self.color }
    }

    /// Makes the call, printing each answer as it comes, or into `held` to print later.
    /// The schema from the command line or built in (not reflection).
    fn local_pool(&self, source: &SchemaSource) -> Result<DescriptorPool, Failure> {
        Ok(match source {
            SchemaSource::Builtin => DescriptorPool::decode(wirelens_api::FILE_DESCRIPTOR_SET)
                .expect("wirelens-api's descriptor set is valid"),
            SchemaSource::Protos { .. } => {
                let include =
                    if self.schema.include.is_empty() { vec![PathBuf::from(".")] } else { self.schema.include.clone() };
                load::files(&self.schema.protos, &include)?.schema.pool().clone()
            }
            SchemaSource::DescriptorSet(_) => {
                descriptor_set(self.schema.descriptor_set.as_ref().expect("a descriptor set source has a path"))?
            }
            SchemaSource::Reflect => unreachable!("reflection is not a local schema"),
        })
    }

    async fn call(
        &self,
        prepared: &Prepared,
        requests: Requests,
        mut held: Option<&mut Vec<call::Message>>,
    ) -> Result<Ended, Failure> {
        let target = prepared.target(self);
        let printer = self.printer(prepared);
        let verbose = self.verbose;
        let mut on_event = |event: Event<'_>| match event {
            Event::Headers(headers) => {
                if verbose {
                    eprintln!("{}", lines("header", headers));
                }
                if let Some((_, token)) = headers.iter().find(|(n, _)| n == NEXT_PAGE_HEADER) {
                    eprintln!("next page token: {token}");
                }
                Ok(())
            }
            Event::Message(m) => match held.as_deref_mut() {
                Some(held) => {
                    held.push(m.clone());
                    Ok(())
                }
                None => printer.print(m),
            },
        };
        transport::call(&prepared.connection, &target, &prepared.method, requests, &mut on_event).await
    }

    /// After the last message: the trailers and the body's end (with `--annotate`), the status.
    fn conclude(&self, prepared: &Prepared, ended: Ended) -> Result<(), Failure> {
        if self.annotate
            && let Some(body) = &ended.body
        {
            let mut out = String::new();
            for span in &body.spans {
                if let SpanKind::Trailers { .. } = span.kind {
                    let what = match (self.protocol, ended.status.source) {
                        (Protocol::Connect | Protocol::ConnectJson, status::Source::EndOfStream) => {
                            "end-of-stream message"
                        }
                        (Protocol::Connect | Protocol::ConnectJson, _) => "error body",
                        _ => "trailer frame",
                    };
                    let text = String::from_utf8_lossy(&body.bytes[span.range.clone()]);
                    out.push_str(&format!(
                        "# {what}, bytes {}..{}:\n{}\n",
                        span.range.start,
                        span.range.end,
                        text.trim_end()
                    ));
                }
            }
            output::write_stdout(out.as_bytes())?;
        }
        if self.verbose {
            if !ended.trailers.is_empty() {
                eprintln!("{}", lines("trailer", &ended.trailers));
            }
            let code = status::by_number(ended.status.code).map_or("a code gRPC does not define", |c| c.meaning);
            eprintln!("status: {}; {code}; from the {}", ended.status.describe(), ended.status.source.words());
        }
        if ended.status.is_ok() {
            return Ok(());
        }
        Err(self.failed(prepared, &ended.status))
    }

    /// The failure for a call that ended with a non-OK status: name, number, message, details.
    pub fn failed(&self, prepared: &Prepared, s: &Status) -> Failure {
        let mut failure = Failure::call(s.describe());
        for detail in &s.details {
            failure.hints.push(describe_detail(detail, &prepared.pool));
        }
        if s.code == 16 && prepared.builtin {
            failure.hints.push(format!("the server's demo token is {DEMO_TOKEN}: pass --token"));
        }
        failure
    }

    fn print_commands(&self, prepared: &Prepared) -> Result<(), Failure> {
        let requests = match &self.json {
            Some(json) => json.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect(),
            None => return Err(Failure::usage("--commands needs the request in --json")),
        };
        let line = CallLine {
            protocol: self.protocol,
            base_url: self.addr.clone(),
            method: call::full_name(&prepared.method),
            schema: self.schema.source(),
            metadata: prepared.metadata.clone(),
            deadline_ms: prepared.target(self).deadline_ms,
            compress: self.compress,
            get: self.get,
            requests,
        };
        let out =
            format!("{}\n{}\n{}\n", commands::wirelens(&line), commands::grpcurl(&line), commands::buf_curl(&line));
        output::write_stdout(out.as_bytes())
    }

    /// `text` as a request of `method`.
    pub fn parse(&self, method: &MethodDescriptor, text: &str) -> Result<DynamicMessage, Failure> {
        message::parse_json(&method.input(), text)
            .map_err(|e| Failure::invalid_at(format!("the request: {e}"), text, e.line, e.column))
    }

    /// The one request of a unary or server-streaming call: `--json`, or all of stdin.
    pub fn single_request(&self) -> Result<String, Failure> {
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

    /// Every request of a client stream, read before the first call (`--repeat`).
    pub fn all_requests(&self, method: &MethodDescriptor) -> Result<Vec<DynamicMessage>, Failure> {
        let text = self.single_request()?;
        if !Kind::of(method).client_streams() {
            return Ok(vec![self.parse(method, &text)?]);
        }
        let mut requests = Vec::new();
        for (number, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
            requests.push(self.parse(method, line).map_err(|failure| at_line(failure, number))?);
        }
        Ok(requests)
    }

    /// The requests of a client stream, one JSON message per non-blank line of `--json` or
    /// stdin, read on a blocking thread and sent as they come (so a chat can go back and forth).
    fn stream_requests(&self, method: &MethodDescriptor) -> (Requests, tokio::task::JoinHandle<Result<(), Failure>>) {
        let (tx, rx) = mpsc::channel(16);
        let json = self.json.clone();
        let (this, method) = (self.clone(), method.clone());
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
                let request = this.parse(&method, &line).map_err(|failure| at_line(failure, number))?;
                if tx.blocking_send(message::encode(&request)).is_err() {
                    break; // the call ended; the server's answer says why
                }
            }
            Ok(())
        });
        (Requests::Stream(rx), reader)
    }
}

/// Reads a FileDescriptorSet (`protoc --descriptor_set_out --include_imports`, `buf build -o`).
pub(crate) fn descriptor_set(path: &PathBuf) -> Result<DescriptorPool, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::invalid(format!("cannot read {}: {e}", path.display())))?;
    wirelens_core::schema::read_descriptor_set(&bytes).map_err(|e| {
        let mut failure = Failure::invalid(format!("{}: {e}", path.display()));
        if let wirelens_core::schema::DescriptorSetError::NotASet(_) = e {
            failure.hints.push(
                "write one with `protoc --include_imports --descriptor_set_out=FILE ...` or `buf build -o FILE`".into(),
            );
        }
        failure
    })
}

/// `header: name: value` lines.
fn lines(what: &str, pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(n, v)| format!("{what}: {n}: {v}")).collect::<Vec<_>>().join("\n")
}

/// An error detail in words: ErrorInfo and BadRequest as the reference server sends them,
/// any type the schema (or google.rpc's) knows as JSON, anything else as hex.
fn describe_detail(detail: &Detail, pool: &DescriptorPool) -> String {
    use prost::Message as _;
    match detail.type_name.as_str() {
        "google.rpc.ErrorInfo" => {
            if let Ok(info) = tonic_types::pb::ErrorInfo::decode(detail.value.as_slice()) {
                let mut facts: Vec<String> = info.metadata.iter().map(|(k, v)| format!("{k}={v}")).collect();
                facts.sort();
                let facts = if facts.is_empty() { String::new() } else { format!(" {}", facts.join(" ")) };
                return format!("ErrorInfo: reason {} ({}){facts}", info.reason, info.domain);
            }
        }
        "google.rpc.BadRequest" => {
            if let Ok(bad) = tonic_types::pb::BadRequest::decode(detail.value.as_slice()) {
                let violations: Vec<String> = bad
                    .field_violations
                    .iter()
                    .map(|v| format!("BadRequest: {}: {}", v.field, v.description))
                    .collect();
                return violations.join("\n");
            }
        }
        _ => {}
    }
    let rpc = DescriptorPool::decode(tonic_types::pb::FILE_DESCRIPTOR_SET).ok();
    let desc = pool.get_message_by_name(&detail.type_name).or_else(|| rpc?.get_message_by_name(&detail.type_name));
    if let Some(desc) = desc
        && let Ok(m) = message::decode(&desc, &detail.value)
        && let Ok(json) = message::to_json(&m, JsonStyle::CANONICAL)
    {
        return format!("{}: {json}", detail.type_name);
    }
    format!("{}: {}", detail.type_name, wirelens_core::input::to_hex(&detail.value))
}

/// Prints each response: one line of canonical JSON, then its annotated bytes when asked.
struct Printer {
    desc: prost_reflect::MessageDescriptor,
    annotate: bool,
    color: bool,
}

impl Printer {
    fn print(&self, m: &call::Message) -> Result<(), Failure> {
        // A server may send what JSON cannot show (a Timestamp out of range): say so, do not panic.
        let mut out =
            message::to_json(&m.message, JsonStyle::CANONICAL).map_err(|e| Failure::invalid(e.to_string()))?;
        out.push('\n');
        if self.annotate {
            // The bytes shown are the message's; a compressed one says what it was on the wire.
            let wire = match m.compressed {
                Some(c) => format!(" (compressed with {}: {} bytes on the wire)", c.algorithm.name(), c.wire_len),
                None => String::new(),
            };
            out.push_str(&format!("# {}, {} bytes{wire}\n", self.desc.full_name(), m.bytes.len()));
            out.push_str(&output::listing(&annotate(&m.bytes, Some(&self.desc)), false, self.color));
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
}
