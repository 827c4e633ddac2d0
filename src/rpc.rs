//! The only module that talks to the network: calls of any method in grpc-web, grpc-web-text or
//! Connect, the reference service's also by its typed client, and server reflection.
//!
//! - **The capture**: the request by the browser's `fetch`, whose body is read as a stream (a
//!   `ReadableStream` reader) and fed chunk by chunk to a [`Reading`] (core's `call::Response`),
//!   reporting frames as they complete, so a server stream shows its messages as they arrive. A
//!   generated client never hands out these bytes (tonic-web-wasm-client parses the trailer
//!   frame away); a body that breaks the framing is laid out with the invalid span at its offset.
//! - **The typed client**, for the reference UserService over binary grpc-web: tonic's client
//!   generated from `proto/` (`wirelens_api`), over tonic-web-wasm-client. It gives what a Rust
//!   program in a browser would get: tonic's status with its error details, and the responses
//!   as generated types ([`ClientView`]).
//!
//! Both requests go out at once; [`Cancel`] stops both. Knows fetch, headers, abort signals and
//! tonic; what the bytes mean is core's.
//!
//! [`compare`] times the same request in its protocol and as its REST twin, N times each, with
//! fetch: the two sides are then measured by the same clock, through the same code. [`reflect`]
//! fetches a server's schema by reflection, one grpc-web call per request.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::{AbortHandle, Abortable};
use gloo::timers::callback::Timeout;
use prost::Message as _;
use tonic_web_wasm_client::options::FetchOptions;
use wasm_bindgen::{JsCast as _, JsValue};
use wasm_bindgen_futures::JsFuture;
use wirelens_api::{GetUserRequest, ListUsersRequest, UserServiceClient};
use wirelens_core::call::{self, Protocol};
use wirelens_core::grpcweb::{self, Encoding};
use wirelens_core::reflection::{self, Fetched};
use wirelens_core::status;

use crate::grpc_state::{CallEvent, CallSpec, ClientView, CompareSpec, Method, Reading, ReflectSpec, Sample};

/// How long the client waits past the deadline for the server's own DEADLINE_EXCEEDED.
const DEADLINE_GRACE_MS: u32 = 1000;

/// Stops a call's two requests: aborts the capture's fetch and drops the typed client's future
/// (whose own fetch tonic-web-wasm-client aborts when dropped).
pub struct Cancel {
    controller: Option<web_sys::AbortController>,
    typed: AbortHandle,
}

impl Cancel {
    pub fn cancel(&self) {
        if let Some(controller) = &self.controller {
            controller.abort();
        }
        self.typed.abort();
    }
}

/// Starts the call: the typed client and the capture, each reporting to `report` as it goes.
/// Never panics on what the network sends.
pub fn start(spec: CallSpec, report: impl Fn(CallEvent) + Clone + 'static) -> Cancel {
    let controller = web_sys::AbortController::new().ok();
    let (typed, registration) = AbortHandle::new_pair();
    let (typed_spec, typed_report) = (spec.clone(), report.clone());
    wasm_bindgen_futures::spawn_local(async move {
        // Aborted: the reducer has already said the call was cancelled.
        if let Ok(view) = Abortable::new(typed_call(&typed_spec), registration).await {
            typed_report(CallEvent::Client(view));
        }
    });
    wasm_bindgen_futures::spawn_local(capture(spec, controller.clone(), report));
    Cancel { controller, typed }
}

/// The call through tonic's generated client over tonic-web-wasm-client.
async fn typed_call(spec: &CallSpec) -> ClientView {
    let Some(reference) = spec.reference else {
        return ClientView::NotMade("only the reference UserService has a generated client".to_owned());
    };
    if spec.protocol != Protocol::GrpcWeb {
        return ClientView::NotMade(format!(
            "it sends binary grpc-web only (application/grpc-web+proto), so this {} call went by fetch alone",
            spec.protocol
        ));
    }
    let mut options = FetchOptions::new();
    if let Some(ms) = spec.deadline_ms {
        options = options.timeout(Duration::from_millis(u64::from(ms.saturating_add(DEADLINE_GRACE_MS))));
    }
    let mut client =
        UserServiceClient::new(BinaryOnly(tonic_web_wasm_client::Client::new_with_options(spec.base.clone(), options)));
    let mut responses = Vec::new();
    let result = match reference {
        Method::GetUser => match GetUserRequest::decode(spec.message.as_slice()) {
            Ok(message) => client
                .get_user(typed_request(message, spec))
                .await
                .map(|response| responses.push(format!("{:#?}", response.into_inner()))),
            Err(e) => return ClientView::NotMade(format!("the request does not decode as GetUserRequest: {e}")),
        },
        Method::ListUsers => match ListUsersRequest::decode(spec.message.as_slice()) {
            Ok(message) => match client.list_users(typed_request(message, spec)).await {
                Ok(response) => {
                    let mut stream = response.into_inner();
                    loop {
                        match stream.message().await {
                            Ok(Some(user)) => responses.push(format!("{user:#?}")),
                            Ok(None) => break Ok(()),
                            Err(status) => break Err(status),
                        }
                    }
                }
                Err(status) => Err(status),
            },
            Err(e) => return ClientView::NotMade(format!("the request does not decode as ListUsersRequest: {e}")),
        },
    };
    let (code, message, details) = match result {
        Ok(()) => (status::OK, String::new(), Vec::new()),
        Err(status) => {
            let details =
                tonic_types::StatusExt::get_error_details_vec(&status).iter().map(|d| format!("{d:#?}")).collect();
            (status.code() as u32, status.message().to_owned(), details)
        }
    };
    ClientView::Done { code, message, details, responses }
}

/// tonic-web-wasm-client with a check in front of its body reader. It asks for binary grpc-web
/// only, and 0.9.2 panics reading a grpc-web-text body (it splits its decoded buffer at the
/// length of the undecoded one), so a server that answers text anyway is refused, INTERNAL,
/// before the body is read. The capture still reads that body.
#[derive(Clone)]
struct BinaryOnly(tonic_web_wasm_client::Client);

impl tower_service::Service<http::Request<tonic::body::Body>> for BinaryOnly {
    type Response = http::Response<tonic_web_wasm_client::ResponseBody>;
    type Error = tonic_web_wasm_client::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        let response = self.0.call(request);
        Box::pin(async move {
            let response = response.await?;
            let content_type = response.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
            if content_type.and_then(Encoding::from_content_type) == Some(Encoding::Text) {
                return Err(tonic::Status::internal(
                    "the server answered grpc-web-text to a binary request; tonic-web-wasm-client 0.9 cannot read it",
                )
                .into());
            }
            Ok(response)
        })
    }
}

/// The typed request with the form's metadata; the deadline goes as tonic's timeout (which it
/// sends as `grpc-timeout`), the framing headers are the client's own.
fn typed_request<T>(message: T, spec: &CallSpec) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    for (name, value) in &spec.headers {
        if matches!(name.as_str(), "content-type" | "accept" | "x-grpc-web" | "grpc-timeout") {
            continue;
        }
        if let (Ok(name), Ok(value)) =
            (tonic::metadata::MetadataKey::from_bytes(name.as_bytes()), tonic::metadata::MetadataValue::try_from(value))
        {
            request.metadata_mut().insert(name, value);
        }
    }
    if let Some(ms) = spec.deadline_ms {
        request.set_timeout(Duration::from_millis(u64::from(ms)));
    }
    request
}

/// The call by fetch, its body captured frame by frame.
async fn capture(spec: CallSpec, controller: Option<web_sys::AbortController>, report: impl Fn(CallEvent)) {
    let clock = Clock::new();
    let timed_out = Rc::new(Cell::new(false));
    // Dropping the timeout at the end of the call cancels it.
    let _timer = match (&controller, spec.deadline_ms) {
        (Some(controller), Some(ms)) => {
            let (controller, timed_out) = (controller.clone(), timed_out.clone());
            Some(Timeout::new(ms.saturating_add(DEADLINE_GRACE_MS), move || {
                timed_out.set(true);
                controller.abort();
            }))
        }
        _ => None,
    };
    let result = run(&spec, controller.as_ref(), &clock, &report).await;
    if let Err(reason) = result {
        let event = if timed_out.get() {
            CallEvent::Failed {
                code: status::DEADLINE_EXCEEDED,
                reason: format!(
                    "no answer within the deadline of {} ms (the client gave up {DEADLINE_GRACE_MS} ms later)",
                    spec.deadline_ms.unwrap_or_default()
                ),
                at_ms: clock.now(),
            }
        } else {
            let Failure { code, reason } = reason;
            CallEvent::Failed { code, reason, at_ms: clock.now() }
        };
        report(event);
    }
}

struct Failure {
    code: u32,
    reason: String,
}

fn unavailable(what: &str, err: &JsValue) -> Failure {
    Failure { code: status::UNAVAILABLE, reason: format!("{what}: {}", describe(err)) }
}

async fn run(
    spec: &CallSpec,
    controller: Option<&web_sys::AbortController>,
    clock: &Clock,
    report: &impl Fn(CallEvent),
) -> Result<(), Failure> {
    let window = web_sys::window().ok_or_else(|| Failure { code: status::INTERNAL, reason: "no window".into() })?;
    let headers = web_sys::Headers::new().map_err(|e| unavailable("cannot build headers", &e))?;
    for (name, value) in &spec.headers {
        headers.append(name, value).map_err(|e| unavailable(&format!("header {name}"), &e))?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(spec.http_method);
    init.set_headers(&headers);
    if spec.http_method != "GET" {
        init.set_body(&js_sys::Uint8Array::from(spec.body.as_slice()));
    }
    if let Some(controller) = controller {
        init.set_signal(Some(&controller.signal()));
    }
    let response = JsFuture::from(window.fetch_with_str_and_init(&spec.url, &init)).await.map_err(|e| {
        let origin = window.location().origin().unwrap_or_default();
        Failure {
            code: status::UNAVAILABLE,
            reason: format!("{}: {}", describe(&e), call::cors_advice(&origin, &spec.url, &spec.headers)),
        }
    })?;
    let response: web_sys::Response =
        response.dyn_into().map_err(|e| unavailable("fetch did not return a response", &e))?;
    let (mut reading, headers) = Reading::new(
        spec.protocol,
        Some(&spec.descriptor),
        spec.descriptor.is_server_streaming(),
        response.status(),
        header_list(&response.headers()),
    );
    report(headers);
    let Some(stream) = response.body() else {
        reading.end(clock.now()).into_iter().for_each(report);
        return Ok(());
    };
    let reader = web_sys::ReadableStreamDefaultReader::new(&stream)
        .map_err(|e| unavailable("cannot read the response body", &e))?;
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|e| unavailable("the response broke off", &e))?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).ok().and_then(|v| v.as_bool()).unwrap_or(true);
        if !done {
            let value = js_sys::Reflect::get(&chunk, &"value".into()).unwrap_or(JsValue::UNDEFINED);
            let bytes = value.dyn_into::<js_sys::Uint8Array>().map(|a| a.to_vec()).unwrap_or_default();
            reading.chunk(&bytes, clock.now()).into_iter().for_each(report);
        }
        if done || reading.malformed() {
            if !done {
                // Nothing after a break in the framing can be read: stop the download.
                let _ = reader.cancel();
            }
            reading.end(clock.now()).into_iter().for_each(report);
            return Ok(());
        }
    }
}

/// The gRPC-vs-REST comparison: `spec.n` calls of each, alternating, one at a time, each timed
/// from the fetch to the end of its body. Stops early when `cancel` is set or the time limit
/// passes; reports each sample as it is taken.
pub async fn compare(spec: CompareSpec, cancel: Rc<Cell<bool>>, report: impl Fn(Sample)) {
    let clock = Clock::new();
    for _ in 0..spec.n {
        for rest in [false, true] {
            if cancel.get() || clock.now() > spec.time_limit_ms {
                return;
            }
            let start = clock.now();
            let ok = if rest {
                timed_fetch("GET", &spec.rest_url, &spec.rest_headers, None)
                    .await
                    .is_some_and(|(http, _, _)| http == 200)
            } else {
                let grpc = &spec.grpc;
                let body = (grpc.http_method != "GET").then_some(grpc.body.as_slice());
                timed_fetch(grpc.http_method, &grpc.url, &grpc.headers, body).await.is_some_and(
                    |(http, headers, body)| {
                        let mut answer = call::Response::new(grpc.protocol, &grpc.descriptor, http, headers);
                        answer.push(&body);
                        answer.finish().1.status.is_ok()
                    },
                )
            };
            report(Sample { rest, ms: clock.now() - start, ok });
        }
    }
}

/// The server's schema by reflection (v1, else v1alpha), one grpc-web call per request.
pub async fn reflect(spec: &ReflectSpec) -> Result<Fetched, String> {
    let mut last = String::new();
    for version in reflection::Version::ALL {
        let url = format!("{}{}", spec.base, version.path());
        let mut fetch = reflection::Fetch::new();
        let mut first = true;
        let result: Result<(), String> = async {
            while let Some(request) = fetch.next_request() {
                let body = grpcweb::body(spec.encoding, grpcweb::frame(0, &request));
                let Some((http, headers, answer)) = timed_fetch("POST", &url, &spec.headers, Some(&body)).await else {
                    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
                    return Err(format!("no answer: {}", call::cors_advice(&origin, &url, &spec.headers)));
                };
                let encoding = headers
                    .iter()
                    .find(|(n, _)| n == "content-type")
                    .and_then(|(_, v)| Encoding::from_content_type(v))
                    .unwrap_or(spec.encoding);
                match reflection::read_grpc_web_answer(encoding, http, &headers, &answer) {
                    Ok(message) => fetch.answer(&message).map_err(|e| e.to_string())?,
                    Err(status) if first && status.code == status::UNIMPLEMENTED => {
                        return Err(format!("{}: {}", version.package(), status.describe()));
                    }
                    Err(status) => return Err(format!("reflection: {}", status.describe())),
                }
                first = false;
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => return fetch.finish().map_err(|e| e.to_string()),
            // This version is not served: try the next.
            Err(why) if first && why.starts_with(version.package()) => last = why,
            Err(why) => return Err(why),
        }
    }
    Err(format!("{} offers no server reflection ({last})", spec.base))
}

/// One whole request and response: HTTP status, headers and body; `None` when fetch fails.
async fn timed_fetch(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&[u8]>,
) -> Option<(u16, Vec<(String, String)>, Vec<u8>)> {
    let window = web_sys::window()?;
    let request_headers = web_sys::Headers::new().ok()?;
    for (name, value) in headers {
        request_headers.append(name, value).ok()?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_headers(&request_headers);
    if let Some(body) = body {
        init.set_body(&js_sys::Uint8Array::from(body));
    }
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.ok()?.dyn_into().ok()?;
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some((response.status(), header_list(&response.headers()), js_sys::Uint8Array::new(&buffer).to_vec()))
}

/// The response headers, names in lower case (fetch gives them so), in order.
fn header_list(headers: &web_sys::Headers) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(Some(iter)) = js_sys::try_iter(headers) {
        for pair in iter.flatten() {
            let pair = js_sys::Array::from(&pair);
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                out.push((name, value));
            }
        }
    }
    out
}

/// A JS error in words: its message when it has one.
fn describe(err: &JsValue) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| format!("{err:?}"))
}

/// Milliseconds since the call started, from `performance.now()`.
struct Clock {
    performance: Option<web_sys::Performance>,
    start: f64,
}

impl Clock {
    fn new() -> Clock {
        let performance = web_sys::window().and_then(|w| w.performance());
        let start = performance.as_ref().map_or(0.0, |p| p.now());
        Clock { performance, start }
    }

    fn now(&self) -> f64 {
        self.performance.as_ref().map_or(0.0, |p| p.now() - self.start)
    }
}
