//! The gRPC panel's state: the call form, the call in flight and what came back. Pure, no effects.
//!
//! [`GrpcAction::Call`] checks the request JSON against the reference schema and, when it parses,
//! leaves a [`CallSpec`] (URL, headers, framed body) for `grpc_tab.rs` to send through `rpc.rs`;
//! what the network reports comes back as [`CallEvent`]s tagged with the call's id, so an answer
//! to an older call is ignored. The status shown is decided here, from the response headers, the
//! trailer frame or the transport's failure; beside it, what tonic's generated client made of the
//! same call ([`ClientView`]) and whether the two agree.
//!
//! By concern: [`form`] (the form as a [`CallSpec`]), [`call`] (what came back, and its status),
//! [`compare`] (gRPC against REST).

mod call;
mod compare;
mod form;

use call::outcome;

use std::rc::Rc;

use wirelens_core::grpcweb::{self, Encoding};
use wirelens_core::message;
use wirelens_core::prost_reflect::MessageDescriptor;
use wirelens_core::schema::Schema;
use wirelens_core::status::{self, Source};
use yew::Reducible;

pub use call::{
    Agreement, CallEvent, CallView, Cell, ClientView, MAX_GARBLED_CELLS, MAX_TEXT_KEPT, NEXT_PAGE_HEADER, Outcome,
    TimelineRow, garbled_rows,
};
pub use compare::{COMPARE_TIME_LIMIT_MS, CompareSpec, Comparison, MAX_COMPARE_CALLS, Sample, Stats};
pub use form::{CallSpec, DEMO_TOKEN, MAX_DEADLINE_MS, Method};

#[derive(Debug, Clone, PartialEq)]
pub struct GrpcState {
    pub method: Method,
    /// The request text of each method, kept when switching between them.
    pub requests: [String; 2],
    /// The server's origin; empty means the page's own.
    pub address: String,
    pub token: String,
    /// Text of the deadline in ms; empty for none.
    pub deadline_ms: String,
    /// Text of the demo delay in ms (the method's demo header); empty for none.
    pub demo_ms: String,
    pub encoding: Encoding,
    /// Why the last Call could not be sent (bad JSON, a bad number).
    pub form_error: Option<String>,
    /// The call `grpc_tab.rs` is to send: set by `Call`; its effect sends each new one.
    pub pending: Option<CallSpec>,
    pub call: Option<CallView>,
    /// Text of how many calls of each kind the gRPC-vs-REST comparison makes.
    pub compare_n: String,
    /// The comparison `grpc_tab.rs` is to run (set by `Compare`), and what it has measured.
    pub compare: Option<Comparison>,
    next_id: u32,
    schema: Option<Rc<Schema>>,
}

pub enum GrpcAction {
    SetMethod(Method),
    EditRequest(String),
    SetAddress(String),
    SetToken(String),
    SetDeadline(String),
    SetDemoDelay(String),
    SetEncoding(Encoding),
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
}

impl Default for GrpcState {
    fn default() -> GrpcState {
        GrpcState {
            method: Method::GetUser,
            requests: Method::ALL.map(|m| m.example_request().to_owned()),
            address: String::new(),
            token: DEMO_TOKEN.to_owned(),
            deadline_ms: "5000".to_owned(),
            demo_ms: String::new(),
            encoding: Encoding::Binary,
            form_error: None,
            pending: None,
            call: None,
            compare_n: "50".to_owned(),
            compare: None,
            next_id: 1,
            // The reference schema as wirelens-api's build compiled it: no .proto compiler in
            // this tab's module.
            schema: Schema::from_descriptor_set(
                wirelens_api::FILE_DESCRIPTOR_SET,
                &["userservice/user_service.proto", "userservice/user.proto"],
            )
            .ok()
            .map(Rc::new),
        }
    }
}

impl GrpcState {
    pub fn request_text(&self) -> &str {
        &self.requests[self.method.index()]
    }

    /// The response message type of the method of `call`.
    pub fn response_descriptor(&self, method: Method) -> Option<MessageDescriptor> {
        self.schema.as_ref()?.message(method.response_type()).ok()
    }

    /// The type of `method`'s request, from the reference schema.
    fn request_descriptor(&self, method: Method) -> Result<MessageDescriptor, String> {
        let schema = self.schema.as_ref().ok_or("the reference schema's descriptors did not load")?;
        schema.message(method.request_type()).map_err(|e| e.to_string())
    }

    /// The form's request, read as its method's request type.
    fn request(&self) -> Result<wirelens_core::prost_reflect::DynamicMessage, String> {
        let desc = self.request_descriptor(self.method)?;
        message::parse_json(&desc, self.request_text()).map_err(|e| format!("request: {e}"))
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
            CallEvent::Finished { at_ms } => {
                call.elapsed_ms = Some(at_ms);
                call.outcome = Some(outcome(call));
            }
            CallEvent::Failed { code, reason, at_ms } => {
                call.elapsed_ms = Some(at_ms);
                call.outcome = Some(Outcome { code, message: reason, source: Source::Client });
            }
            CallEvent::Malformed { body, encoding, at_ms } => {
                let body = grpcweb::annotate_body(&body, encoding);
                let reason = body.error.as_ref().map_or_else(|| "not a frame".to_owned(), ToString::to_string);
                call.elapsed_ms = Some(at_ms);
                call.outcome = Some(Outcome {
                    code: status::INTERNAL,
                    message: format!("malformed response: {reason}"),
                    source: Source::Client,
                });
                call.garbled = Some(Rc::new(body));
            }
        }
    }

    /// The ListUsers request with `page_token` set to `token`, as hand-written JSON.
    fn with_page_token(&self, token: &str) -> Result<String, String> {
        let desc = self.request_descriptor(Method::ListUsers)?;
        let text = &self.requests[Method::ListUsers.index()];
        let mut request = message::parse_json(&desc, text).map_err(|e| format!("request: {e}"))?;
        let field = desc.get_field_by_name("page_token").ok_or("ListUsersRequest has no page_token")?;
        request.set_field(&field, wirelens_core::prost_reflect::Value::String(token.to_owned()));
        message::to_json(&request, message::JsonStyle::HAND_WRITTEN).map_err(|e| e.to_string())
    }
}

impl Reducible for GrpcState {
    type Action = GrpcAction;

    fn reduce(self: Rc<Self>, action: GrpcAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            GrpcAction::SetMethod(m) => s.method = m,
            GrpcAction::EditRequest(text) => s.requests[s.method.index()] = text,
            GrpcAction::SetAddress(text) => s.address = text,
            GrpcAction::SetToken(text) => s.token = text,
            GrpcAction::SetDeadline(text) => s.deadline_ms = text,
            GrpcAction::SetDemoDelay(text) => s.demo_ms = text,
            GrpcAction::SetEncoding(e) => s.encoding = e,
            GrpcAction::NextPage { origin } => {
                let token = s.call.as_ref().and_then(CallView::next_page_token).map(str::to_owned);
                let Some(token) = token else { return self };
                match s.with_page_token(&token) {
                    Ok(text) => {
                        s.method = Method::ListUsers;
                        s.requests[Method::ListUsers.index()] = text;
                        return Rc::new(s).reduce(GrpcAction::Call { origin });
                    }
                    Err(e) => s.form_error = Some(e),
                }
            }
            GrpcAction::Call { origin } => match s.spec(&origin) {
                Ok(spec) => {
                    s.form_error = None;
                    let request = match spec.encoding {
                        Encoding::Binary => spec.body.clone(),
                        Encoding::Text => wirelens_core::input::parse_bytes(
                            std::str::from_utf8(&spec.body).unwrap_or_default(),
                            wirelens_core::input::InputFormat::Base64,
                        )
                        .unwrap_or_default(),
                    };
                    s.call = Some(CallView {
                        id: spec.id,
                        method: s.method,
                        encoding: spec.encoding,
                        request,
                        http_status: None,
                        headers: Vec::new(),
                        frames: Vec::new(),
                        outcome: None,
                        elapsed_ms: None,
                        garbled: None,
                        client: None,
                        text: Vec::new(),
                    });
                    s.next_id += 1;
                    s.pending = Some(spec);
                }
                Err(e) => s.form_error = Some(e),
            },
            GrpcAction::Event(id, event) => s.on_event(id, event),
            GrpcAction::CancelCall => {
                if let Some(call) = s.call.as_mut().filter(|c| c.outcome.is_none()) {
                    let message = "cancelled by the user".to_owned();
                    call.outcome = Some(Outcome { code: status::CANCELLED, message, source: Source::Client });
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
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(state: GrpcState, action: GrpcAction) -> GrpcState {
        (*Rc::new(state).reduce(action)).clone()
    }

    fn call(state: GrpcState) -> GrpcState {
        act(state, GrpcAction::Call { origin: "http://127.0.0.1:8080".into() })
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
        let frames = grpcweb::annotate_body(
            &grpcweb::frame(0x80, b"grpc-status: 5\r\ngrpc-message: no%20user\r\n"),
            Encoding::Binary,
        )
        .frames;
        let s = act(s, GrpcAction::Event(id + 1, CallEvent::Finished { at_ms: 1.0 }));
        assert!(s.call.as_ref().unwrap().outcome.is_none());
        let s = act(s, GrpcAction::Event(id, CallEvent::Frames { frames, at_ms: 1.0 }));
        let s = act(s, GrpcAction::Event(id, CallEvent::Finished { at_ms: 2.0 }));
        let outcome = s.call.unwrap().outcome.unwrap();
        assert_eq!((outcome.code, outcome.message.as_str()), (5, "no user"));
    }

    #[test]
    fn the_spec_gives_the_typed_client_the_origin_and_the_bare_message() {
        let s = call(GrpcState::default());
        let spec = s.pending.unwrap();
        assert_eq!((spec.method, spec.base.as_str()), (Method::GetUser, "http://127.0.0.1:8080"));
        assert_eq!(spec.message, [0x08, 0x2a]);
        assert_eq!(spec.body[grpcweb::HEADER_LEN..], spec.message[..]);
    }

    /// A finished GetUser call whose body held `messages` messages and the trailer `status`.
    fn finished(messages: usize, status: u32) -> GrpcState {
        let s = call(GrpcState::default());
        let mut body: Vec<u8> = (0..messages).flat_map(|_| grpcweb::frame(0, b"\x0a\x02\x08\x2a")).collect();
        body.extend(grpcweb::frame(0x80, format!("grpc-status: {status}").as_bytes()));
        let frames = grpcweb::annotate_body(&body, Encoding::Binary).frames;
        let s = act(s, GrpcAction::Event(1, CallEvent::Frames { frames, at_ms: 1.0 }));
        act(s, GrpcAction::Event(1, CallEvent::Finished { at_ms: 2.0 }))
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
        let s = act(s, GrpcAction::Event(1, CallEvent::Finished { at_ms: 5.0 }));
        let s = act(s, GrpcAction::Event(1, client(status::OK, 1)));
        let c = s.call.unwrap();
        let outcome = c.outcome.as_ref().unwrap();
        assert_eq!((outcome.code, outcome.message.as_str()), (status::CANCELLED, "cancelled by the user"));
        assert_eq!(c.client, Some(ClientView::Cancelled));
        assert_eq!(c.agreement(), None);
        // A call that has ended is not cancelled after the fact.
        let s = act(finished(1, status::OK), GrpcAction::CancelCall);
        assert_eq!(s.call.unwrap().outcome.unwrap().code, status::OK);
    }

    #[test]
    fn the_timeline_has_gaps_and_running_totals() {
        let s = call(act(GrpcState::default(), GrpcAction::SetMethod(Method::ListUsers)));
        let body =
            [grpcweb::frame(0, b"\x08\x01"), grpcweb::frame(0, b"\x08\x02"), grpcweb::frame(0x80, b"grpc-status: 0")];
        let mut s = s;
        for (i, f) in body.iter().enumerate() {
            let frames = grpcweb::annotate_body(f, Encoding::Binary).frames;
            s = act(s, GrpcAction::Event(1, CallEvent::Frames { frames, at_ms: 10.0 * (i as f64 + 1.0) }));
        }
        let rows = s.call.unwrap().timeline();
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
    }

    #[test]
    fn a_trailers_only_response_and_a_silent_body() {
        let s = call(GrpcState::default());
        let headers = vec![("grpc-status".to_owned(), "16".to_owned())];
        let s = act(s, GrpcAction::Event(1, CallEvent::Headers { http_status: 200, headers }));
        let s = act(s, GrpcAction::Event(1, CallEvent::Finished { at_ms: 1.0 }));
        assert_eq!(s.call.unwrap().outcome.unwrap().code, 16);
        let s = call(GrpcState::default());
        let s = act(s, GrpcAction::Event(1, CallEvent::Finished { at_ms: 1.0 }));
        assert_eq!(s.call.unwrap().outcome.unwrap().code, status::INTERNAL);
    }

    #[test]
    fn a_garbled_body_is_kept_as_annotated_bytes_with_the_invalid_rest_at_its_offset() {
        let s = call(GrpcState::default());
        let mut body = grpcweb::frame(0, &[0x08, 0x01]);
        body.extend([0x42, 0, 0, 0, 1, 9]);
        let event = CallEvent::Malformed { body, encoding: Encoding::Binary, at_ms: 3.0 };
        let view = act(s, GrpcAction::Event(1, event)).call.unwrap();
        let outcome = view.outcome.unwrap();
        assert_eq!(outcome.code, status::INTERNAL);
        assert_eq!(outcome.message, "malformed response: frame at byte 7 has unknown flag bits 0x42 (flags 0x42)");
        let garbled = view.garbled.unwrap();
        let rows = garbled_rows(&garbled, 8);
        assert_eq!(rows.len(), 2);
        let roles: Vec<(usize, &str, bool)> = rows.concat().iter().map(|c| (c.offset, c.class, c.start)).collect();
        assert_eq!(&roles[..3], [(0, "tag", true), (1, "len", true), (2, "len", false)]);
        assert_eq!(&roles[5..8], [(5, "bytes", true), (6, "bytes", false), (7, "invalid", true)]);
        assert!(roles[7..].iter().all(|(_, class, _)| *class == "invalid"), "{roles:?}");
        assert_eq!(rows.concat().len(), 13, "every byte drawn");

        // Text: the bad character ends the decoded bytes; the reason names its position.
        let s = call(GrpcState::default());
        let mut text = wirelens_core::input::to_base64(&grpcweb::frame(0, &[0x08, 0x01])).into_bytes();
        text.extend(b"!!");
        let event = CallEvent::Malformed { body: text, encoding: Encoding::Text, at_ms: 1.0 };
        let view = act(s, GrpcAction::Event(1, event)).call.unwrap();
        assert_eq!(view.outcome.unwrap().message, "malformed response: invalid base64 character '!' at character 12");
        assert_eq!(view.garbled.unwrap().bytes, grpcweb::frame(0, &[0x08, 0x01]));
    }

    #[test]
    fn next_page_calls_list_users_again_with_the_token_the_server_returned() {
        let s = call(act(GrpcState::default(), GrpcAction::SetMethod(Method::ListUsers)));
        let headers = vec![(NEXT_PAGE_HEADER.to_owned(), "5".to_owned())];
        let s = act(s, GrpcAction::Event(1, CallEvent::Headers { http_status: 200, headers }));
        let trailers = grpcweb::annotate_body(&grpcweb::frame(0x80, b"grpc-status: 0"), Encoding::Binary).frames;
        let s = act(s, GrpcAction::Event(1, CallEvent::Frames { frames: trailers, at_ms: 1.0 }));
        assert_eq!(s.call.as_ref().unwrap().next_page_token(), None, "not before the call ends");
        let s = act(s, GrpcAction::Event(1, CallEvent::Finished { at_ms: 2.0 }));
        assert_eq!(s.call.as_ref().unwrap().next_page_token(), Some("5"));
        let s = act(s, GrpcAction::NextPage { origin: "http://h".into() });
        assert_eq!(s.request_text(), r#"{"pageSize":5,"pageToken":"5"}"#);
        let spec = s.pending.clone().unwrap();
        assert_eq!(spec.id, 2);
        // ListUsersRequest { page_size: 5, page_token: "5" }: 08 05 12 01 35, framed.
        assert_eq!(spec.body, [0, 0, 0, 0, 5, 0x08, 0x05, 0x12, 0x01, b'5']);
        // The last page names no token: no next page.
        let headers = vec![(NEXT_PAGE_HEADER.to_owned(), String::new())];
        let s = act(s, GrpcAction::Event(2, CallEvent::Headers { http_status: 200, headers }));
        let trailers = grpcweb::annotate_body(&grpcweb::frame(0x80, b"grpc-status: 0"), Encoding::Binary).frames;
        let s = act(s, GrpcAction::Event(2, CallEvent::Frames { frames: trailers, at_ms: 1.0 }));
        let s = act(s, GrpcAction::Event(2, CallEvent::Finished { at_ms: 2.0 }));
        assert_eq!(s.call.as_ref().unwrap().next_page_token(), None);
        let unchanged = act(s.clone(), GrpcAction::NextPage { origin: "http://h".into() });
        assert_eq!(unchanged, s);
    }
}
