//! The gRPC panel's state: the call form, the call in flight and what came back. Pure, no effects.
//!
//! The methods are the playground's schema's (`SetSchema`, sent by `grpc_tab.rs` whenever the
//! playground's schema changes: its `.proto` files, a descriptor set, or what reflection
//! brought), and the reference UserService's, which is always there (Learn mode calls it, and
//! the page's own server serves it). [`GrpcAction::Call`] reads the request text as the
//! method's input type and, when it parses, leaves a [`CallSpec`] (URL, headers, body, made by
//! core's `call::request` in the chosen protocol) for `grpc_tab.rs` to send through `rpc.rs`;
//! what the network reports comes back as [`CallEvent`]s tagged with the call's id, so an answer
//! to an older call is ignored. The status is core's reading of the answer; beside it, for the
//! reference service over grpc-web, what tonic's generated client made of the same call
//! ([`ClientView`]) and whether the two agree.
//!
//! By concern: `form.rs` (the form as a [`CallSpec`]), `call.rs` (what came back), `compare.rs`
//! (gRPC against REST), `reflect.rs` ("load from server"), `har.rs` (calls recorded in a HAR file).

mod call;
mod compare;
mod form;
mod har;
mod reflect;

use std::collections::BTreeMap;
use std::rc::Rc;

use wirelens_core::call::{Kind, Protocol};
use wirelens_core::commands::SchemaSource;
use wirelens_core::message::{self, Notation};
use wirelens_core::prost_reflect::{DynamicMessage, MethodDescriptor};
use wirelens_core::schema::Schema;
use wirelens_core::status::{self, Status};
use yew::Reducible;

pub use call::{
    Agreement, CallEvent, CallView, Cell, ClientView, MAX_GARBLED_CELLS, MAX_TEXT_KEPT, NEXT_PAGE_HEADER, Reading,
    Recorded, TimelineRow, garbled_rows,
};
pub use compare::{COMPARE_TIME_LIMIT_MS, CompareSpec, Comparison, MAX_COMPARE_CALLS, Sample, Stats};
pub use form::{CallSpec, DEMO_TOKEN, MAX_DEADLINE_MS, Method};
pub use har::{HarFile, HarRow};
pub use reflect::{ReflectSpec, Reflection};

#[derive(Debug, Clone, PartialEq)]
pub struct GrpcState {
    /// The playground's schema (`None` until it compiles, or when it has no service).
    schema: Option<Rc<Schema>>,
    /// Where the playground's schema came from, for the command lines.
    pub schema_source: SchemaSource,
    /// The reference schema, as wirelens-api's build compiled it: always callable.
    reference: Option<Rc<Schema>>,
    /// The method chosen, `package.Service/Method`.
    pub method: Option<String>,
    /// The request text of each method edited, kept when switching between them.
    pub requests: BTreeMap<String, String>,
    /// The notation the request is written in: JSON or protobuf text format.
    pub notation: Notation,
    /// The server's base URL; empty means the page's own origin.
    pub address: String,
    pub protocol: Protocol,
    /// Connect only: make the call a GET, the message in the URL (methods marked NO_SIDE_EFFECTS).
    pub get: bool,
    pub token: String,
    /// More request metadata, `name: value`, one a line.
    pub metadata: String,
    /// Text of the deadline in ms; empty for none.
    pub deadline_ms: String,
    /// Text of the demo delay in ms (the reference method's demo header); empty for none.
    pub demo_ms: String,
    /// Why the last Call could not be sent (bad JSON, a bad number).
    pub form_error: Option<String>,
    /// The call `grpc_tab.rs` is to send: set by `Call`; its effect sends each new one.
    pub pending: Option<CallSpec>,
    pub call: Option<CallView>,
    /// Text of how many calls of each kind the gRPC-vs-REST comparison makes.
    pub compare_n: String,
    /// The comparison `grpc_tab.rs` is to run (set by `Compare`), and what it has measured.
    pub compare: Option<Comparison>,
    /// "Load from server": the reflection `grpc_tab.rs` is to run, and how it went.
    pub reflection: Option<Reflection>,
    /// The HAR file opened, or why it could not be read.
    pub har: Option<Result<HarFile, String>>,
    next_id: u32,
}

/// A method the picker offers.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodEntry {
    /// `package.Service/Method`.
    pub name: String,
    pub kind: Kind,
    /// From the reference schema, not the playground's.
    pub built_in: bool,
}

pub enum GrpcAction {
    /// The playground's schema changed: calls are made with this one now.
    SetSchema(Option<Rc<Schema>>, SchemaSource),
    SetMethod(String),
    EditRequest(String),
    /// Write the request in this notation (the text converted when it reads).
    SetNotation(Notation),
    /// Replace the request with a template of the method's input type.
    Template,
    SetAddress(String),
    SetProtocol(Protocol),
    SetGet(bool),
    SetToken(String),
    SetMetadata(String),
    SetDeadline(String),
    SetDemoDelay(String),
    /// Send the request as the form says; `origin` is the page's, used when the address is empty.
    Call {
        origin: String,
    },
    Event(u32, CallEvent),
    /// Stop the call in flight (the effect aborts its requests).
    CancelCall,
    /// Set the ListUsers request's `page_token` to the one the last call returned, and call.
    NextPage {
        origin: String,
    },
    SetCompareN(String),
    /// Start the gRPC-vs-REST comparison of the form's call.
    Compare {
        origin: String,
    },
    CancelCompare,
    /// One timed call of the comparison `id`, or its end.
    Sample(u32, Sample),
    CompareDone(u32),
    /// Fetch the server's schema by reflection.
    LoadFromServer {
        origin: String,
    },
    /// How the reflection `id` ended: the services it found, or why it failed.
    Reflected(u32, Result<Vec<String>, String>),
    /// A HAR file opened: its name, and its text or why it could not be read.
    LoadHar(String, Result<String, String>),
    /// Show the HAR file's call `index` as the call's result.
    ShowRecorded(usize),
    /// Put the HAR file's call `index` in the form and send it.
    SendAgain {
        index: usize,
        origin: String,
    },
}

impl Default for GrpcState {
    fn default() -> GrpcState {
        GrpcState {
            schema: None,
            schema_source: SchemaSource::Builtin,
            reference: Schema::from_descriptor_set(
                wirelens_api::FILE_DESCRIPTOR_SET,
                &["userservice/user_service.proto", "userservice/user.proto"],
            )
            .ok()
            .map(Rc::new),
            method: Some(Method::GetUser.full_name().to_owned()),
            requests: BTreeMap::new(),
            notation: Notation::Json,
            address: String::new(),
            protocol: Protocol::GrpcWeb,
            get: false,
            token: DEMO_TOKEN.to_owned(),
            metadata: String::new(),
            deadline_ms: "5000".to_owned(),
            demo_ms: String::new(),
            form_error: None,
            pending: None,
            call: None,
            compare_n: "50".to_owned(),
            compare: None,
            reflection: None,
            har: None,
            next_id: 1,
        }
    }
}

impl GrpcState {
    /// Every method of the playground's schema, then the reference service's that it lacks.
    pub fn methods(&self) -> Vec<MethodEntry> {
        let mut out: Vec<MethodEntry> = Vec::new();
        for (schema, built_in) in [(&self.schema, false), (&self.reference, true)] {
            let Some(schema) = schema else { continue };
            for name in wirelens_core::call::methods(schema.pool()) {
                if out.iter().any(|m| m.name == name) {
                    continue;
                }
                if let Ok(method) = wirelens_core::call::find_method(schema.pool(), &name) {
                    out.push(MethodEntry { kind: Kind::of(&method), name, built_in });
                }
            }
        }
        out
    }

    /// The chosen method's descriptor: the playground's schema's, else the reference's.
    pub fn method_descriptor(&self) -> Option<MethodDescriptor> {
        self.lookup(self.method.as_deref()?)
    }

    /// The method `package.Service/Method` in the playground's schema, else the reference's.
    fn lookup(&self, name: &str) -> Option<MethodDescriptor> {
        [&self.schema, &self.reference].into_iter().flatten().find_map(|schema| {
            let (service, method) = name.split_once('/')?;
            schema.pool().get_service_by_name(service)?.methods().find(|m| m.name() == method)
        })
    }

    /// The chosen method as the reference service's, when it is one of those the tab knows.
    pub fn reference(&self) -> Option<Method> {
        self.method.as_deref().and_then(Method::of)
    }

    /// The request text of the chosen method: as edited, else the reference's example, else a
    /// template of its input type.
    pub fn request_text(&self) -> String {
        let Some(name) = &self.method else { return String::new() };
        if let Some(text) = self.requests.get(name) {
            return text.clone();
        }
        let Some(method) = self.method_descriptor() else { return String::new() };
        match (self.reference(), self.notation) {
            (Some(m), Notation::Json) => m.example_request().to_owned(),
            (Some(m), notation) => message::parse_json(&method.input(), m.example_request())
                .map(|request| message::write(&request, notation))
                .unwrap_or_default(),
            (None, notation) => message::write(&message::template(&method.input()), notation),
        }
    }

    /// The form's request, read as its method's request type.
    fn request(&self) -> Result<DynamicMessage, String> {
        let method = self.method_descriptor().ok_or("no method chosen")?;
        message::parse_with(&method.input(), &self.request_text(), self.notation, Default::default())
            .map_err(|e| format!("request: {e}"))
    }

    /// A new schema: keep the method when the schema has it, else take its first method a
    /// browser can call; a schema without one keeps a built-in method (the reference's GetUser).
    fn set_schema(&mut self, schema: Option<Rc<Schema>>, source: SchemaSource) {
        self.schema = schema;
        self.schema_source = source;
        let methods = self.methods();
        let has = |name: &str| methods.iter().any(|m| m.name == name && !m.built_in);
        if self.method.as_deref().is_some_and(has) {
            return;
        }
        let first = methods.iter().find(|m| !m.built_in && Protocol::GrpcWeb.carries(m.kind));
        if let Some(first) = first {
            self.method = Some(first.name.clone());
        } else if self.method_descriptor().is_none() {
            self.method = Some(Method::GetUser.full_name().to_owned());
        }
    }

    fn on_event(&mut self, id: u32, event: CallEvent) {
        if let (CallEvent::Client(view), Some(call)) = (&event, self.call.as_mut().filter(|c| c.id == id)) {
            // The typed call ends on its own time, before or after the frames; a cancelled call
            // keeps the view Cancel gave it.
            call.client.get_or_insert_with(|| view.clone());
            return;
        }
        let Some(call) = self.call.as_mut().filter(|c| c.id == id && c.outcome.is_none()) else { return };
        match event {
            CallEvent::Client(_) => {}
            CallEvent::Text(chunk) => {
                let room = MAX_TEXT_KEPT.saturating_sub(call.text.len());
                call.text.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            CallEvent::Headers { http_status, headers } => {
                call.http_status = Some(http_status);
                call.headers = headers;
            }
            CallEvent::Frames { frames, at_ms } => call.frames.extend(frames.into_iter().map(|f| (f, at_ms))),
            CallEvent::Ended { status, trailers, body, malformed, at_ms } => {
                call.elapsed_ms = Some(at_ms);
                call.trailers = trailers;
                if malformed {
                    call.garbled = Some(body);
                } else if !call.enveloped() && !body.bytes.is_empty() {
                    // A unary Connect answer: the body is the message, or the error's JSON.
                    if status.is_ok() && call.http_status == Some(200) {
                        let frame = wirelens_core::grpcweb::Frame {
                            offset: 0,
                            flags: 0,
                            payload: body.bytes.clone(),
                            trailers: None,
                        };
                        call.frames.push((frame, at_ms));
                    } else {
                        call.error_body = Some(String::from_utf8_lossy(&body.bytes).into_owned());
                    }
                }
                call.outcome = Some(status);
            }
            CallEvent::Failed { code, reason, at_ms } => {
                call.elapsed_ms = Some(at_ms);
                call.outcome = Some(Status::client(code, reason));
            }
        }
    }

    /// The ListUsers request with `page_token` set to `token`, as hand-written JSON.
    fn with_page_token(&self, token: &str) -> Result<String, String> {
        let mut request = self.request()?;
        let desc = wirelens_core::prost_reflect::ReflectMessage::descriptor(&request);
        let field = desc.get_field_by_name("page_token").ok_or("ListUsersRequest has no page_token")?;
        request.set_field(&field, wirelens_core::prost_reflect::Value::String(token.to_owned()));
        Ok(match self.notation {
            Notation::Json => {
                message::to_json(&request, message::JsonStyle::HAND_WRITTEN).map_err(|e| e.to_string())?
            }
            notation => message::write(&request, notation),
        })
    }
}

impl Reducible for GrpcState {
    type Action = GrpcAction;

    fn reduce(self: Rc<Self>, action: GrpcAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            GrpcAction::SetSchema(schema, source) => s.set_schema(schema, source),
            GrpcAction::SetMethod(m) => {
                s.method = Some(m);
                s.form_error = None;
            }
            GrpcAction::EditRequest(text) => {
                if let Some(m) = s.method.clone() {
                    s.requests.insert(m, text);
                }
            }
            GrpcAction::Template => {
                if let (Some(m), Some(desc)) = (s.method.clone(), s.method_descriptor()) {
                    s.requests.insert(m, message::write(&message::template(&desc.input()), s.notation));
                }
            }
            GrpcAction::SetNotation(notation) if notation != s.notation => match s.request() {
                Ok(request) => {
                    s.notation = notation;
                    s.form_error = None;
                    if let Some(m) = s.method.clone() {
                        s.requests.insert(m, message::write(&request, notation));
                    }
                }
                Err(e) => s.form_error = Some(format!("fix the request before converting it: {e}")),
            },
            GrpcAction::SetNotation(_) => {}
            GrpcAction::SetAddress(text) => s.address = text,
            GrpcAction::SetProtocol(p) => s.protocol = p,
            GrpcAction::SetGet(get) => s.get = get,
            GrpcAction::SetToken(text) => s.token = text,
            GrpcAction::SetMetadata(text) => s.metadata = text,
            GrpcAction::SetDeadline(text) => s.deadline_ms = text,
            GrpcAction::SetDemoDelay(text) => s.demo_ms = text,
            GrpcAction::NextPage { origin } => {
                let token = s.call.as_ref().and_then(CallView::next_page_token).map(str::to_owned);
                let Some(token) = token else { return self };
                s.method = Some(Method::ListUsers.full_name().to_owned());
                match s.with_page_token(&token) {
                    Ok(text) => {
                        s.requests.insert(Method::ListUsers.full_name().to_owned(), text);
                        return Rc::new(s).reduce(GrpcAction::Call { origin });
                    }
                    Err(e) => s.form_error = Some(e),
                }
            }
            GrpcAction::Call { origin } => match s.spec(&origin) {
                Ok(spec) => {
                    s.form_error = None;
                    let request = match spec.protocol {
                        Protocol::GrpcWebText => wirelens_core::input::parse_bytes(
                            std::str::from_utf8(&spec.body).unwrap_or_default(),
                            wirelens_core::input::InputFormat::Base64,
                        )
                        .unwrap_or_default(),
                        _ => spec.body.clone(),
                    };
                    s.call = Some(CallView::new(
                        spec.id,
                        spec.method.clone(),
                        Some(spec.descriptor.clone()),
                        spec.descriptor.is_server_streaming(),
                        spec.protocol,
                        request,
                        spec.line.clone(),
                    ));
                    s.next_id += 1;
                    s.pending = Some(spec);
                }
                Err(e) => s.form_error = Some(e),
            },
            GrpcAction::Event(id, event) => s.on_event(id, event),
            GrpcAction::CancelCall => {
                if let Some(call) = s.call.as_mut().filter(|c| c.outcome.is_none()) {
                    call.outcome = Some(Status::client(status::CANCELLED, "cancelled by the user"));
                    call.client.get_or_insert(ClientView::Cancelled);
                }
            }
            GrpcAction::SetCompareN(text) => s.compare_n = text,
            GrpcAction::Compare { origin } => match s.compare_spec(&origin) {
                Ok(spec) => {
                    s.form_error = None;
                    s.next_id += 1;
                    s.compare = Some(Comparison { spec, samples: Vec::new(), done: false, cancelled: false });
                }
                Err(e) => s.form_error = Some(e),
            },
            GrpcAction::CancelCompare => {
                if let Some(c) = s.compare.as_mut().filter(|c| !c.done) {
                    c.cancelled = true;
                    c.done = true;
                }
            }
            GrpcAction::Sample(id, sample) => {
                if let Some(c) = s.compare.as_mut().filter(|c| c.spec.id == id && !c.done) {
                    c.samples.push(sample);
                }
            }
            GrpcAction::CompareDone(id) => {
                if let Some(c) = s.compare.as_mut().filter(|c| c.spec.id == id) {
                    c.done = true;
                }
            }
            GrpcAction::LoadFromServer { origin } => {
                let spec = s.reflect_spec(&origin);
                s.next_id += 1;
                s.reflection = Some(Reflection::Running(spec));
            }
            GrpcAction::LoadHar(name, Ok(text)) => s.load_har(name, &text),
            GrpcAction::LoadHar(name, Err(why)) => s.har = Some(Err(format!("{name}: {why}"))),
            GrpcAction::ShowRecorded(index) => s.show_recorded(index),
            GrpcAction::SendAgain { index, origin } => return s.send_again(index, origin),
            GrpcAction::Reflected(id, result) => {
                if matches!(&s.reflection, Some(Reflection::Running(spec)) if spec.id == id) {
                    s.reflection = Some(match result {
                        Ok(services) => Reflection::Loaded(services),
                        Err(why) => Reflection::Failed(why),
                    });
                }
            }
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wirelens_core::grpcweb;

    fn act(state: GrpcState, action: GrpcAction) -> GrpcState {
        (*Rc::new(state).reduce(action)).clone()
    }

    fn call(state: GrpcState) -> GrpcState {
        act(state, GrpcAction::Call { origin: "http://127.0.0.1:8080".into() })
    }

    /// The answer to the pending call, as rpc.rs reads it: headers, then `chunks`, then the end.
    fn answer(state: GrpcState, http: u16, headers: &[(&str, &str)], chunks: &[&[u8]]) -> GrpcState {
        let spec = state.pending.clone().expect("a call");
        let headers = headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        let (mut reading, event) =
            Reading::new(spec.protocol, Some(&spec.descriptor), spec.descriptor.is_server_streaming(), http, headers);
        let mut events = vec![event];
        for (i, chunk) in chunks.iter().enumerate() {
            events.extend(reading.chunk(chunk, 10.0 * (i as f64 + 1.0)));
        }
        events.extend(reading.end(10.0 * (chunks.len() as f64 + 1.0)));
        events.into_iter().fold(state, |s, e| act(s, GrpcAction::Event(spec.id, e)))
    }

    const GRPC_WEB: &[(&str, &str)] = &[("content-type", "application/grpc-web+proto")];

    /// A schema of the test's own, as the playground would hand it over.
    fn echo() -> GrpcState {
        let schema = Schema::compile(&[(
            "echo.proto",
            "syntax = \"proto3\"; package demo.v1; message Req { string text = 1; } \
             message Rep { string text = 1; int32 n = 2; } \
             service Echo { rpc Say(Req) returns (Rep); rpc Count(Req) returns (stream Rep); \
             rpc Gather(stream Req) returns (Rep); \
             rpc Peek(Req) returns (Rep) { option idempotency_level = NO_SIDE_EFFECTS; } }",
        )])
        .unwrap();
        let source = SchemaSource::Protos { files: vec!["echo.proto".into()], includes: vec![".".into()] };
        act(GrpcState::default(), GrpcAction::SetSchema(Some(Rc::new(schema)), source))
    }

    #[test]
    fn a_call_frames_the_request_and_sets_the_headers() {
        let s = call(GrpcState::default());
        let spec = s.pending.clone().unwrap();
        assert_eq!(spec.url, "http://127.0.0.1:8080/userservice.UserService/GetUser");
        assert_eq!(spec.body, [0, 0, 0, 0, 2, 0x08, 0x2a]);
        let header = |n: &str| spec.headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(header("authorization"), Some("Bearer wirelens-demo-token"));
        assert_eq!(header("grpc-timeout"), Some("5000m"));
        assert_eq!(header("content-type"), Some("application/grpc-web+proto"));
        assert_eq!((spec.reference, spec.base.as_str()), (Some(Method::GetUser), "http://127.0.0.1:8080"));
        assert_eq!(spec.message, [0x08, 0x2a]);
    }

    #[test]
    fn the_methods_are_the_playground_schema_s_then_the_built_in_ones() {
        let s = echo();
        let names: Vec<(String, Kind, bool)> = s.methods().into_iter().map(|m| (m.name, m.kind, m.built_in)).collect();
        assert_eq!(
            names[..4],
            [
                ("demo.v1.Echo/Count".into(), Kind::ServerStreaming, false),
                ("demo.v1.Echo/Gather".into(), Kind::ClientStreaming, false),
                ("demo.v1.Echo/Peek".into(), Kind::Unary, false),
                ("demo.v1.Echo/Say".into(), Kind::Unary, false),
            ]
        );
        assert!(names.iter().any(|(n, _, b)| n == "userservice.UserService/GetUser" && *b));
        // The method in use was the reference's GetUser, which this schema lacks: its first method
        // a browser can call is chosen.
        assert_eq!(s.method.as_deref(), Some("demo.v1.Echo/Count"));
        let s = act(s, GrpcAction::SetMethod("demo.v1.Echo/Say".into()));
        assert_eq!(s.request_text(), "{\n  \"text\": \"example\"\n}", "a template of the input type");
        assert_eq!(s.reference(), None);
    }

    #[test]
    fn every_browser_protocol_makes_its_request_and_reads_its_answer() {
        let s = act(echo(), GrpcAction::SetMethod("demo.v1.Echo/Say".into()));
        let s = act(s, GrpcAction::EditRequest(r#"{"text":"hi"}"#.into()));
        let s = act(s, GrpcAction::SetToken(String::new()));
        let s = act(s, GrpcAction::SetMetadata("x-trace: 7\n\n".into()));
        let s = act(s, GrpcAction::SetAddress("http://echo.test/".into()));

        // Connect, binary: the message itself is the body.
        let c = call(act(s.clone(), GrpcAction::SetProtocol(Protocol::Connect)));
        let spec = c.pending.clone().unwrap();
        assert_eq!(spec.url, "http://echo.test/demo.v1.Echo/Say");
        assert_eq!(spec.body, b"\x0a\x02hi");
        assert!(spec.headers.contains(&("x-trace".into(), "7".into())), "{:?}", spec.headers);
        assert!(spec.headers.contains(&("content-type".into(), "application/proto".into())));
        let c = answer(c, 200, &[("content-type", "application/proto"), ("trailer-x-n", "1")], &[b"\x0a\x02HI"]);
        let view = c.call.unwrap();
        assert_eq!(view.outcome.as_ref().unwrap().code, status::OK);
        assert_eq!(view.frames.len(), 1, "the body is the one message");
        assert_eq!(view.frames[0].0.payload, b"\x0a\x02HI");
        assert!(!view.enveloped());
        assert_eq!(view.trailers, [("x-n".to_owned(), "1".to_owned())]);

        // Connect, JSON: an error body.
        let c = call(act(s.clone(), GrpcAction::SetProtocol(Protocol::ConnectJson)));
        assert_eq!(c.pending.as_ref().unwrap().body, br#"{"text":"hi"}"#);
        let error = br#"{"code":"failed_precondition","message":"no"}"#;
        let view = answer(c, 400, &[("content-type", "application/json")], &[error]).call.unwrap();
        let outcome = view.outcome.unwrap();
        assert_eq!((outcome.code, outcome.message.as_str()), (9, "no"));
        assert!(view.frames.is_empty());
        assert_eq!(view.error_body.as_deref(), Some(std::str::from_utf8(error).unwrap()));

        // grpc-web-text: the body in base64, in two chunks that split a base64 group.
        let c = call(act(s.clone(), GrpcAction::SetProtocol(Protocol::GrpcWebText)));
        assert_eq!(c.call.as_ref().unwrap().request, grpcweb::frame(0, b"\x0a\x02hi"), "base64 undone");
        let mut body = grpcweb::frame(0, b"\x0a\x02HI");
        body.extend(grpcweb::frame(0x80, b"grpc-status: 0\r\n"));
        let text = wirelens_core::input::to_base64(&body).into_bytes();
        let (a, b) = text.split_at(7);
        let view = answer(c, 200, &[("content-type", "application/grpc-web-text+proto")], &[a, b]).call.unwrap();
        assert_eq!(view.outcome.as_ref().unwrap().code, status::OK);
        assert_eq!(view.messages().count(), 1);
        assert_eq!(view.text, text, "the base64 kept as it came");
    }

    #[test]
    fn a_server_stream_over_connect_ends_with_its_end_of_stream_message() {
        let s = act(echo(), GrpcAction::SetMethod("demo.v1.Echo/Count".into()));
        let s = call(act(s, GrpcAction::SetProtocol(Protocol::Connect)));
        let spec = s.pending.clone().unwrap();
        assert_eq!(spec.body[..5], [0, 0, 0, 0, 9], "a streaming request is enveloped: 0A 07 example");
        let end = br#"{"error":{"code":"not_found","message":"gone"},"metadata":{"x-n":["2"]}}"#;
        let chunks = [
            wirelens_core::connect::envelope(0, b"\x10\x01"),
            wirelens_core::connect::envelope(0, b"\x10\x02"),
            wirelens_core::connect::envelope(wirelens_core::connect::FLAG_END_STREAM, end),
        ];
        let chunks: Vec<&[u8]> = chunks.iter().map(Vec::as_slice).collect();
        let view = answer(s, 200, &[("content-type", "application/connect+proto")], &chunks).call.unwrap();
        assert_eq!(view.messages().count(), 2);
        assert!(view.is_end(&view.frames[2].0));
        let outcome = view.outcome.clone().unwrap();
        assert_eq!((outcome.code, outcome.source), (5, wirelens_core::status::Source::EndOfStream));
        assert_eq!(view.trailers, [("x-n".to_owned(), "2".to_owned())]);
        let timeline: Vec<(bool, f64, usize)> = view.timeline().iter().map(|r| (r.trailers, r.at_ms, r.size)).collect();
        assert_eq!(timeline, [(false, 10.0, 7), (false, 20.0, 7), (true, 30.0, 5 + end.len())]);
    }

    #[test]
    fn a_method_without_side_effects_goes_as_a_connect_get_when_asked() {
        let s = act(echo(), GrpcAction::SetMethod("demo.v1.Echo/Peek".into()));
        let s = act(act(s, GrpcAction::SetProtocol(Protocol::Connect)), GrpcAction::SetGet(true));
        let spec = call(s.clone()).pending.unwrap();
        assert_eq!(spec.http_method, "GET");
        assert!(spec.url.starts_with("http://127.0.0.1:8080/demo.v1.Echo/Peek?"), "{}", spec.url);
        assert!(spec.url.contains("connect=v1"), "{}", spec.url);
        // The same form in grpc-web posts as ever: GET is Connect's.
        let spec = call(act(s, GrpcAction::SetProtocol(Protocol::GrpcWeb))).pending.unwrap();
        assert_eq!(spec.http_method, "POST");
    }

    #[test]
    fn a_compressed_answer_is_read_inflated() {
        let s = call(act(echo(), GrpcAction::SetMethod("demo.v1.Echo/Say".into())));
        let message = wirelens_core::compression::compress(wirelens_core::compression::Algorithm::Gzip, b"\x0a\x02HI");
        let mut body = grpcweb::frame(1, &message);
        body.extend(grpcweb::frame(0x80, b"grpc-status: 0\r\n"));
        let headers = [("content-type", "application/grpc-web+proto"), ("grpc-encoding", "gzip")];
        let view = answer(s, 200, &headers, &[&body]).call.unwrap();
        assert_eq!(view.outcome.as_ref().unwrap().code, status::OK);
        assert!(view.frames[0].0.is_compressed());
        assert_eq!(view.encoding().as_deref(), Some("gzip"));
    }

    #[test]
    fn a_client_stream_is_refused_in_the_browser_and_bad_metadata_is_named() {
        let s = call(act(echo(), GrpcAction::SetMethod("demo.v1.Echo/Gather".into())));
        assert!(s.pending.is_none());
        assert_eq!(
            s.form_error.as_deref(),
            Some("grpc-web cannot carry demo.v1.Echo/Gather: it is client streaming (use --protocol grpc)")
        );
        let s = call(act(GrpcState::default(), GrpcAction::SetMetadata("x-ok: 1\nno colon here".into())));
        assert_eq!(s.form_error.as_deref(), Some("metadata line 2: 'no colon here' is not 'name: value'"));
    }

    #[test]
    fn the_command_lines_name_the_schema_the_call_used() {
        let s = act(echo(), GrpcAction::SetMethod("demo.v1.Echo/Say".into()));
        let s = call(act(s, GrpcAction::SetToken(String::new())));
        let line = wirelens_core::commands::wirelens(&s.pending.unwrap().line);
        assert_eq!(
            line,
            "wirelens call -I . --proto echo.proto --protocol grpc-web --addr http://127.0.0.1:8080 --deadline 5000ms \
             demo.v1.Echo/Say --json '{\"text\":\"example\"}'"
        );
    }

    /// A HAR that Chromium wrote under playwright while a page called the interop EchoService.
    const CHROMIUM_HAR: &str = include_str!("../../crates/wirelens-core/tests/data/chromium.har");

    fn interop() -> GrpcState {
        let echo = include_str!("../../interop/proto/wirelens/interop/v1/echo.proto");
        let schema = Schema::compile(&[("wirelens/interop/v1/echo.proto", echo)]).unwrap();
        act(GrpcState::default(), GrpcAction::SetSchema(Some(Rc::new(schema)), SchemaSource::Builtin))
    }

    #[test]
    fn a_har_file_lists_its_calls_and_shows_each_as_a_call_made() {
        let s = act(interop(), GrpcAction::LoadHar("calls.har".into(), Ok(CHROMIUM_HAR.into())));
        let file = s.har.clone().unwrap().unwrap();
        assert_eq!((file.calls.len(), file.other_entries), (9, 1));
        let rows: Vec<(&str, Protocol, Option<u32>)> = file
            .calls
            .iter()
            .map(|r| (r.call.method.rsplit('/').next().unwrap(), r.call.protocol, r.status.as_ref().map(|s| s.code)))
            .collect();
        assert_eq!(rows[0], ("Say", Protocol::GrpcWeb, Some(status::OK)));
        assert_eq!(rows[3], ("Fail", Protocol::GrpcWeb, Some(9)));
        assert_eq!(rows[5], ("Say", Protocol::ConnectJson, Some(status::OK)));
        assert_eq!(rows[8], ("CountThenFail", Protocol::ConnectJson, Some(9)));

        // Shown: the same view a live call gets, messages decoded with the schema.
        let s = act(s, GrpcAction::ShowRecorded(1));
        let view = s.call.clone().unwrap();
        assert_eq!(view.method, "wirelens.interop.v1.EchoService/Count");
        let recorded = view.recorded.clone().unwrap();
        assert_eq!(recorded.entry, 2);
        // playwright writes a binary request body as text: what was not UTF-8 is lost, and said.
        assert!(recorded.problems[0].starts_with("the request body: the recorder wrote the binary body as text"));
        assert_eq!(view.outcome.as_ref().unwrap().code, status::OK);
        assert!(view.messages().count() > 1);
        assert!(view.descriptor.is_some());

        // Without the schema the same call is read as bytes alone.
        let bare = act(GrpcState::default(), GrpcAction::LoadHar("calls.har".into(), Ok(CHROMIUM_HAR.into())));
        let bare = act(bare, GrpcAction::ShowRecorded(1)).call.unwrap();
        assert_eq!(bare.descriptor, None);
        assert_eq!(bare.messages().count(), view.messages().count());
        assert_eq!(bare.outcome.unwrap().code, status::OK);

        // Sent again: the form takes the recorded call, and the request is the one recorded.
        let again = act(s.clone(), GrpcAction::SendAgain { index: 4, origin: "http://page".into() });
        let spec = again.pending.clone().expect("sent");
        let recorded = &file.calls[4].call;
        assert_eq!(spec.protocol, Protocol::Connect);
        assert_eq!(spec.url, recorded.url);
        assert_eq!(Some(spec.body.as_slice()), recorded.request_body.bytes());
        // Without the schema it cannot be: the form says why.
        let bare = act(GrpcState::default(), GrpcAction::LoadHar("calls.har".into(), Ok(CHROMIUM_HAR.into())));
        let refused = act(bare, GrpcAction::SendAgain { index: 0, origin: "http://page".into() });
        assert!(refused.pending.is_none());
        assert!(
            refused.form_error.unwrap().starts_with("the schema has no method wirelens.interop.v1.EchoService/Say")
        );
    }

    #[test]
    fn a_file_that_is_not_a_har_says_where() {
        let s = act(GrpcState::default(), GrpcAction::LoadHar("x.har".into(), Ok("{\"log\": [1,\n 2".into())));
        let error = s.har.unwrap().unwrap_err();
        assert!(error.starts_with("x.har: "), "{error}");
        assert!(error.contains("line 2"), "{error}");
    }

    #[test]
    fn the_request_in_text_format_converts_both_ways_and_sends_the_same_bytes() {
        let s = act(GrpcState::default(), GrpcAction::SetNotation(Notation::Text));
        assert_eq!(s.request_text(), "user_id: 42", "the example, in text format");
        let text = call(s.clone()).pending.unwrap();
        let json = call(GrpcState::default()).pending.unwrap();
        assert_eq!(text.body, json.body);
        let s = act(s, GrpcAction::EditRequest("user_id: 7".into()));
        let s = act(s, GrpcAction::SetNotation(Notation::Json));
        assert_eq!(s.request_text(), "{\n  \"userId\": \"7\"\n}");
        // A request that does not read is not converted: the text stays, and the form says why.
        let s = act(act(s, GrpcAction::EditRequest("{".into())), GrpcAction::SetNotation(Notation::Text));
        assert_eq!((s.notation, s.request_text().as_str()), (Notation::Json, "{"));
        assert!(s.form_error.unwrap().starts_with("fix the request before converting it: request:"));
    }

    #[test]
    fn a_deadline_past_a_day_is_refused_before_sending() {
        let s = call(act(GrpcState::default(), GrpcAction::SetDeadline("3000000000".into())));
        assert!(s.pending.is_none());
        assert_eq!(
            s.form_error.as_deref(),
            Some("a deadline of 3000000000 ms is over the 86400000 ms (a day) a call may wait")
        );
        let s = call(act(GrpcState::default(), GrpcAction::SetDeadline(MAX_DEADLINE_MS.to_string())));
        assert_eq!(s.pending.unwrap().deadline_ms, Some(MAX_DEADLINE_MS));
    }

    #[test]
    fn bad_json_keeps_the_text_and_sends_nothing() {
        let s = act(GrpcState::default(), GrpcAction::EditRequest("{\"userId\":".into()));
        let s = call(s);
        assert!(s.pending.is_none());
        assert!(s.form_error.as_deref().unwrap().starts_with("request:"));
        assert_eq!(s.request_text(), "{\"userId\":");
    }

    #[test]
    fn the_status_comes_from_the_trailer_frame_and_old_calls_are_ignored() {
        let s = call(GrpcState::default());
        let id = s.pending.as_ref().unwrap().id;
        let stale = CallEvent::Failed { code: status::UNAVAILABLE, reason: "old".into(), at_ms: 1.0 };
        let s = act(s, GrpcAction::Event(id + 1, stale));
        assert!(s.call.as_ref().unwrap().outcome.is_none());
        let s = answer(s, 200, GRPC_WEB, &[&grpcweb::frame(0x80, b"grpc-status: 5\r\ngrpc-message: no%20user\r\n")]);
        let outcome = s.call.unwrap().outcome.unwrap();
        assert_eq!((outcome.code, outcome.message.as_str()), (5, "no user"));
    }

    /// A finished GetUser call whose body held `messages` messages and the trailer `status`.
    fn finished(messages: usize, status: u32) -> GrpcState {
        let s = call(GrpcState::default());
        let mut body: Vec<u8> = (0..messages).flat_map(|_| grpcweb::frame(0, b"\x0a\x02\x08\x2a")).collect();
        body.extend(grpcweb::frame(0x80, format!("grpc-status: {status}").as_bytes()));
        answer(s, 200, GRPC_WEB, &[&body])
    }

    fn client(code: u32, responses: usize) -> CallEvent {
        CallEvent::Client(ClientView::Done {
            code,
            message: String::new(),
            details: Vec::new(),
            responses: vec!["User {}".into(); responses],
        })
    }

    #[test]
    fn the_typed_client_is_checked_against_the_frames_whenever_it_ends() {
        // The client's answer may come after the frames' outcome: it is still taken.
        let s = act(finished(1, status::OK), GrpcAction::Event(1, client(status::OK, 1)));
        assert_eq!(s.call.unwrap().agreement(), Some(Agreement::Agrees));
        let s = act(finished(1, status::OK), GrpcAction::Event(1, client(status::INTERNAL, 0)));
        assert_eq!(
            s.call.unwrap().agreement(),
            Some(Agreement::Differs("the client says INTERNAL, the frames OK".into()))
        );
        let s = act(finished(2, status::OK), GrpcAction::Event(1, client(status::OK, 1)));
        assert_eq!(
            s.call.unwrap().agreement(),
            Some(Agreement::Differs("the client has 1 response, the body 2 messages".into()))
        );
        // Before the frames end, or when the typed call was not made, there is nothing to compare.
        let s = act(call(GrpcState::default()), GrpcAction::Event(1, client(status::OK, 1)));
        assert_eq!(s.call.unwrap().agreement(), None);
        let s =
            act(finished(1, status::OK), GrpcAction::Event(1, CallEvent::Client(ClientView::NotMade("text".into()))));
        assert_eq!(s.call.unwrap().agreement(), None);
        // An answer to another call is not this call's.
        let s = act(finished(1, status::OK), GrpcAction::Event(2, client(status::OK, 1)));
        assert_eq!(s.call.unwrap().client, None);
    }

    #[test]
    fn cancel_ends_the_call_in_flight_as_cancelled_and_later_news_is_dropped() {
        let s = act(call(GrpcState::default()), GrpcAction::CancelCall);
        let s = answer(s, 200, GRPC_WEB, &[&grpcweb::frame(0x80, b"grpc-status: 0")]);
        let s = act(s, GrpcAction::Event(1, client(status::OK, 1)));
        let c = s.call.unwrap();
        let outcome = c.outcome.as_ref().unwrap();
        assert_eq!((outcome.code, outcome.message.as_str()), (status::CANCELLED, "cancelled by the user"));
        assert!(c.frames.is_empty());
        assert_eq!(c.client, Some(ClientView::Cancelled));
        assert_eq!(c.agreement(), None);
        // A call that has ended is not cancelled after the fact.
        let s = act(finished(1, status::OK), GrpcAction::CancelCall);
        assert_eq!(s.call.unwrap().outcome.unwrap().code, status::OK);
    }

    #[test]
    fn the_timeline_has_gaps_and_running_totals() {
        let s = call(act(GrpcState::default(), GrpcAction::SetMethod(Method::ListUsers.full_name().into())));
        let body =
            [grpcweb::frame(0, b"\x08\x01"), grpcweb::frame(0, b"\x08\x02"), grpcweb::frame(0x80, b"grpc-status: 0")];
        let chunks: Vec<&[u8]> = body.iter().map(Vec::as_slice).collect();
        let rows = answer(s, 200, GRPC_WEB, &chunks).call.unwrap().timeline();
        let summary: Vec<(bool, f64, f64, usize, usize)> =
            rows.iter().map(|r| (r.trailers, r.at_ms, r.gap_ms, r.size, r.cumulative)).collect();
        assert_eq!(summary, [(false, 10.0, 10.0, 7, 7), (false, 20.0, 10.0, 7, 14), (true, 30.0, 10.0, 19, 33)]);
    }

    #[test]
    fn the_comparison_targets_the_rest_twin_and_sums_up_latencies() {
        let s = act(GrpcState::default(), GrpcAction::Compare { origin: "http://h".into() });
        let c = s.compare.clone().unwrap();
        assert_eq!(c.spec.rest_url, "http://h/v1/users/42");
        assert_eq!(c.spec.n, 50);
        let id = c.spec.id;
        let mut s = s;
        for ms in 1..=20 {
            s = act(s, GrpcAction::Sample(id, Sample { rest: false, ms: f64::from(ms), ok: true }));
        }
        s = act(s, GrpcAction::Sample(id, Sample { rest: true, ms: 7.0, ok: false }));
        s = act(s, GrpcAction::CancelCompare);
        s = act(s, GrpcAction::Sample(id, Sample { rest: false, ms: 99.0, ok: true }));
        let c = s.compare.unwrap();
        assert!(c.cancelled && c.done);
        assert_eq!(c.stats(false), Some(Stats { count: 20, failed: 0, median_ms: 10.0, p95_ms: 19.0 }));
        assert_eq!(c.stats(true), None);
        let bad = act(
            GrpcState { compare_n: "0".into(), ..GrpcState::default() },
            GrpcAction::Compare { origin: "h".into() },
        );
        assert!(bad.compare.is_none() && bad.form_error.is_some());
        // A method of another service has no REST twin.
        let other = act(
            act(echo(), GrpcAction::SetMethod("demo.v1.Echo/Say".into())),
            GrpcAction::Compare { origin: "http://h".into() },
        );
        assert!(other.compare.is_none());
        assert!(other.form_error.unwrap().contains("REST twin"));
    }

    #[test]
    fn a_trailers_only_response_and_a_silent_body() {
        let s = answer(call(GrpcState::default()), 200, &[("grpc-status", "16")], &[]);
        assert_eq!(s.call.unwrap().outcome.unwrap().code, 16);
        let s = answer(call(GrpcState::default()), 200, GRPC_WEB, &[]);
        assert_eq!(s.call.unwrap().outcome.unwrap().code, status::INTERNAL);
    }

    #[test]
    fn a_garbled_body_is_kept_as_annotated_bytes_with_the_invalid_rest_at_its_offset() {
        let mut body = grpcweb::frame(0, &[0x08, 0x01]);
        body.extend([0x42, 0, 0, 0, 1, 9]);
        let view = answer(call(GrpcState::default()), 200, GRPC_WEB, &[&body]).call.unwrap();
        let outcome = view.outcome.unwrap();
        assert_eq!(outcome.code, status::INTERNAL);
        assert_eq!(outcome.message, "the body is malformed: frame at byte 7 has unknown flag bits 0x42 (flags 0x42)");
        let garbled = view.garbled.unwrap();
        let rows = garbled_rows(&garbled, 8);
        assert_eq!(rows.len(), 2);
        let roles: Vec<(usize, &str, bool)> = rows.concat().iter().map(|c| (c.offset, c.class, c.start)).collect();
        assert_eq!(&roles[..3], [(0, "tag", true), (1, "len", true), (2, "len", false)]);
        assert_eq!(&roles[5..8], [(5, "bytes", true), (6, "bytes", false), (7, "invalid", true)]);
        assert!(roles[7..].iter().all(|(_, class, _)| *class == "invalid"), "{roles:?}");
        assert_eq!(rows.concat().len(), 13, "every byte drawn");

        // Text: the bad character ends the decoded bytes; the reason names its position.
        let s = act(call(GrpcState::default()), GrpcAction::SetProtocol(Protocol::GrpcWebText));
        let s = call(s);
        let mut text = wirelens_core::input::to_base64(&grpcweb::frame(0, &[0x08, 0x01])).into_bytes();
        text.extend(b"!!");
        let view = answer(s, 200, &[("content-type", "application/grpc-web-text")], &[&text]).call.unwrap();
        assert_eq!(
            view.outcome.unwrap().message,
            "the body is malformed: invalid base64 character '!' at character 12"
        );
        assert_eq!(view.garbled.unwrap().bytes, grpcweb::frame(0, &[0x08, 0x01]));
    }

    #[test]
    fn next_page_calls_list_users_again_with_the_token_the_server_returned() {
        let s = call(act(GrpcState::default(), GrpcAction::SetMethod(Method::ListUsers.full_name().into())));
        let trailers = grpcweb::frame(0x80, b"grpc-status: 0");
        let mut headers = GRPC_WEB.to_vec();
        headers.push((NEXT_PAGE_HEADER, "5"));
        let s = answer(s, 200, &headers, &[&trailers]);
        assert_eq!(s.call.as_ref().unwrap().next_page_token(), Some("5"));
        let s = act(s, GrpcAction::NextPage { origin: "http://h".into() });
        assert_eq!(s.request_text(), r#"{"pageSize":5,"pageToken":"5"}"#);
        let spec = s.pending.clone().unwrap();
        assert_eq!(spec.id, 2);
        // ListUsersRequest { page_size: 5, page_token: "5" }: 08 05 12 01 35, framed.
        assert_eq!(spec.body, [0, 0, 0, 0, 5, 0x08, 0x05, 0x12, 0x01, b'5']);
        // The last page names no token: no next page.
        headers.pop();
        headers.push((NEXT_PAGE_HEADER, ""));
        let s = answer(s, 200, &headers, &[&trailers]);
        assert_eq!(s.call.as_ref().unwrap().next_page_token(), None);
        let unchanged = act(s.clone(), GrpcAction::NextPage { origin: "http://h".into() });
        assert_eq!(unchanged, s);
    }
}
