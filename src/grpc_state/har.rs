//! HAR import: the grpc-web, grpc-web-text and Connect calls of a `.har` file (core's `har`),
//! listed; each shown as a call made from the page would be (its answer fed through the same
//! [`Reading`]), with the playground's schema when it has the method and without one when not;
//! and each sent again through the form (its metadata and deadline as recorded).

use std::rc::Rc;

use wirelens_core::call::Protocol;
use wirelens_core::commands::CallLine;
use wirelens_core::har::{self, Framing, HarCall};
use wirelens_core::input::{self, InputFormat};
use wirelens_core::message::{self, JsonStyle};
use wirelens_core::status::{self, Status};

use super::call::{CallEvent, CallView, Reading, Recorded};
use super::{GrpcAction, GrpcState};

/// A HAR file read: its calls, and how many other entries it had.
#[derive(Debug, Clone, PartialEq)]
pub struct HarFile {
    pub name: String,
    pub calls: Vec<HarRow>,
    pub other_entries: usize,
    /// The recorder: `Playwright 1.49.0`, `WebInspector 537.36`.
    pub creator: Option<String>,
}

/// One recorded call, as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct HarRow {
    pub call: Rc<HarCall>,
    /// The call's status as its answer says, read without a schema; `None` when the file holds
    /// no answer.
    pub status: Option<Status>,
}

impl GrpcState {
    pub(super) fn load_har(&mut self, name: String, text: &str) {
        self.har = Some(match har::read(text) {
            Ok(capture) => Ok(HarFile {
                name,
                calls: capture
                    .calls
                    .into_iter()
                    .map(|call| {
                        let status = call.response(None).ok().map(|a| a.finished.status);
                        HarRow { status: status.filter(|_| call.http_status != 0), call: Rc::new(call) }
                    })
                    .collect(),
                other_entries: capture.other_entries,
                creator: capture.creator,
            }),
            Err(e) => Err(format!("{name}: {e}")),
        });
    }

    fn recorded(&self, index: usize) -> Option<(String, Rc<HarCall>)> {
        let file = self.har.as_ref()?.as_ref().ok()?;
        Some((file.name.clone(), file.calls.get(index)?.call.clone()))
    }

    /// The recorded call `index` as a call made from the page: its request and its answer, read
    /// with the method's schema when the playground has it.
    pub(super) fn show_recorded(&mut self, index: usize) {
        let Some((file, call)) = self.recorded(index) else { return };
        let descriptor = self.lookup(&call.method);
        let streaming = descriptor.as_ref().map_or(call.framing == Framing::ConnectStream, |m| m.is_server_streaming());
        let request = match (call.framing, call.protocol) {
            (Framing::ConnectGet, _) => {
                call.request_payloads().ok().and_then(|p| p.into_iter().next()).map(|p| p.bytes)
            }
            (_, Protocol::GrpcWebText) => call
                .request_body
                .bytes()
                .and_then(|b| input::parse_bytes(std::str::from_utf8(b).ok()?, InputFormat::Base64).ok()),
            _ => call.request_body.bytes().map(<[u8]>::to_vec),
        }
        .unwrap_or_default();
        let requests = descriptor
            .as_ref()
            .and_then(|m| call.request_messages(m).ok())
            .map(|ms| ms.iter().filter_map(|m| message::to_json(m, JsonStyle::CANONICAL).ok()).collect())
            .unwrap_or_default();
        let mut problems: Vec<String> = Vec::new();
        for (side, body) in [("request", &call.request_body), ("response", &call.response_body)] {
            if let Some(why) = body.problem() {
                problems.push(format!("the {side} body: {why}"));
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        let line = CallLine {
            protocol: call.protocol,
            base_url: call.base_url.clone(),
            method: call.method.clone(),
            schema: self.schema_source.clone(),
            metadata: call.metadata(),
            deadline_ms: call.deadline_ms(),
            requests,
            // Sent again, the call goes uncompressed: the browser's fetch asks for compression itself.
            compress: None,
            get: call.framing == Framing::ConnectGet,
        };
        let mut view =
            CallView::new(id, call.method.clone(), descriptor.clone(), streaming, call.protocol, request, line);
        view.recorded = Some(Recorded { file, entry: call.entry, started: call.started.clone(), problems });
        self.call = Some(view);
        let at = call.time_ms.max(0.0);
        let events = match (call.http_status, call.response_body.bytes()) {
            (0, _) => vec![CallEvent::Failed {
                code: status::UNAVAILABLE,
                reason: "the file records no answer: the request failed or was blocked (by CORS, say)".into(),
                at_ms: at,
            }],
            (http, body) => {
                let (mut reading, headers) =
                    Reading::new(call.protocol, descriptor.as_ref(), streaming, http, call.response_headers.clone());
                let mut events = vec![headers];
                events.extend(reading.chunk(body.unwrap_or_default(), at));
                events.extend(reading.end(at));
                events
            }
        };
        for event in events {
            self.on_event(id, event);
        }
    }

    /// Puts the recorded call `index` in the form (method, protocol, server, request, token
    /// and metadata) and sends it. A method the schema lacks, or a request the file did not
    /// keep whole, is the form's error.
    pub(super) fn send_again(mut self, index: usize, origin: String) -> Rc<GrpcState> {
        let Some((_, call)) = self.recorded(index) else { return Rc::new(self) };
        let Some(method) = self.lookup(&call.method) else {
            self.form_error = Some(format!(
                "the schema has no method {}: open its descriptor set or .proto first, or load it from the server",
                call.method
            ));
            return Rc::new(self);
        };
        let request = call
            .request_messages(&method)
            .map_err(|e| e.to_string())
            .and_then(|ms| ms.into_iter().next().ok_or_else(|| "the recorded request has no message".to_owned()))
            .and_then(|m| match self.notation {
                message::Notation::Json => message::to_json(&m, JsonStyle::HAND_WRITTEN).map_err(|e| e.to_string()),
                notation => Ok(message::write(&m, notation)),
            });
        let request = match request {
            Ok(json) => json,
            Err(e) => {
                self.form_error = Some(format!("cannot send {} again: {e}", call.method));
                return Rc::new(self);
            }
        };
        self.method = Some(call.method.clone());
        self.requests.insert(call.method.clone(), request);
        self.protocol = call.protocol;
        self.get = call.framing == Framing::ConnectGet;
        self.address = call.base_url.clone();
        let mut rest = Vec::new();
        self.token = String::new();
        for (name, value) in call.metadata() {
            match value.strip_prefix("Bearer ") {
                Some(token) if name == "authorization" && self.token.is_empty() => self.token = token.to_owned(),
                _ => rest.push(format!("{name}: {value}")),
            }
        }
        self.metadata = rest.join("\n");
        self.deadline_ms = call.deadline_ms().map(|ms| ms.to_string()).unwrap_or_default();
        Rc::new(self).reduce_call(origin)
    }
}

impl GrpcState {
    fn reduce_call(self: Rc<Self>, origin: String) -> Rc<GrpcState> {
        yew::Reducible::reduce(self, GrpcAction::Call { origin })
    }
}
