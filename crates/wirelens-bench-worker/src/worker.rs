//! The worker's side of the browser: its global scope, its clock, the browser's JSON.

use std::hint::black_box;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};
use wirelens_bench::codec::{Codec, RustCodec};
use wirelens_bench::run::run;
use wirelens_bench::workload::Workload;
use wirelens_core::bench::{Clock, resolution};
use wirelens_core::bench_report::{CUSTOM, CodecId, Direction, Environment, Event, Progress, Request};
use wirelens_core::message;

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` on a string that is already a JavaScript string (no copy out of wasm per call).
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let event = match e.data().as_string().map(|s| serde_json::from_str::<Request>(&s)) {
            Some(Ok(request)) => handle(&scope, &request),
            Some(Err(e)) => Event::Failed(format!("the worker cannot read the request: {e}")),
            None => Event::Failed("the worker expects a JSON string".into()),
        };
        post(&scope, &event);
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&scope, &Event::Ready(environment(&scope)));
}

fn post(scope: &DedicatedWorkerGlobalScope, event: &Event) {
    let text = serde_json::to_string(event).unwrap_or_else(|e| format!(r#"{{"Failed":"cannot write an event: {e}"}}"#));
    let _ = scope.post_message(&JsValue::from_str(&text));
}

/// `performance.now()` in nanoseconds (the browser rounds it: 100 µs, or 5 µs when isolated).
struct Now(web_sys::Performance);

impl Clock for Now {
    fn now_ns(&mut self) -> f64 {
        self.0.now() * 1e6
    }
}

fn clock(scope: &DedicatedWorkerGlobalScope) -> Option<Now> {
    scope.performance().map(Now)
}

fn environment(scope: &DedicatedWorkerGlobalScope) -> Environment {
    let navigator = scope.navigator();
    let isolated = js_sys::Reflect::get(scope, &"crossOriginIsolated".into()).ok().and_then(|v| v.as_bool());
    Environment {
        machine: navigator.user_agent().unwrap_or_default(),
        threads: navigator.hardware_concurrency() as u32,
        resolution_ns: clock(scope).map_or(f64::NAN, |mut c| resolution(&mut c)),
        isolated,
        runtime: "wasm32 in a Web Worker".into(),
        plan: String::new(),
    }
}

fn handle(scope: &DedicatedWorkerGlobalScope, request: &Request) -> Event {
    let mut workloads = Vec::new();
    for id in &request.workloads {
        let built = match (id.as_str(), &request.custom) {
            (CUSTOM, Some(c)) => Workload::custom(c),
            (CUSTOM, None) => continue,
            (id, _) => Workload::builtin(id),
        };
        match built {
            Ok(w) => workloads.push(w),
            Err(e) => return Event::Failed(e.to_string()),
        }
    }
    for w in &workloads {
        if let Err(e) = w.check().and_then(|()| browser_round_trip(w)) {
            return Event::Failed(e);
        }
    }
    let rust: Vec<RustCodec> =
        request.codecs.iter().filter(|c| **c != CodecId::BrowserJson).map(|c| RustCodec(*c)).collect();
    let mut codecs: Vec<&dyn Codec> = rust.iter().map(|c| c as &dyn Codec).collect();
    if request.codecs.contains(&CodecId::BrowserJson) {
        codecs.push(&BrowserJson);
    }
    let Some(mut clock) = clock(scope) else { return Event::Failed("this worker has no performance.now()".into()) };
    let plan = request.length.plan();
    let mut progress = |p: &Progress| post(scope, &Event::Progress(p.clone()));
    match run(&workloads, &codecs, &plan, &mut clock, &mut progress, &mut || false) {
        Ok(report) => Event::Done(report),
        Err(e) => Event::Failed(e.to_string()),
    }
}

/// The browser's JSON writes back the message it read: it compares like with like. (Not always
/// the same text: `JSON.stringify` writes the double 25.0 as `25`.)
fn browser_round_trip(w: &Workload) -> Result<(), String> {
    let object = json_parse(&JsValue::from_str(&w.json)).map_err(|e| format!("{}: JSON.parse fails: {e:?}", w.id))?;
    let text: String =
        js_sys::JSON::stringify(&object).map_err(|e| format!("{}: JSON.stringify fails: {e:?}", w.id))?.into();
    match message::parse_json(&w.descriptor(), &text) {
        Ok(m) if m == w.dynamic => Ok(()),
        Ok(_) => Err(format!("{}: JSON.stringify writes a different message than it read", w.id)),
        Err(e) => Err(format!("{}: JSON.stringify writes JSON that does not parse back: {e}", w.id)),
    }
}

/// `JSON.stringify` of the object `JSON.parse` makes of the canonical JSON, and `JSON.parse` of
/// that text (held as a JavaScript string, so no copy out of wasm memory is timed).
struct BrowserJson;

impl Codec for BrowserJson {
    fn id(&self) -> CodecId {
        CodecId::BrowserJson
    }

    fn op<'a>(&'a self, w: &'a Workload, direction: Direction) -> Option<Box<dyn FnMut() + 'a>> {
        let text = JsValue::from_str(&w.json);
        match direction {
            Direction::Encode => {
                let object = json_parse(&text).ok()?;
                Some(Box::new(move || drop(black_box(js_sys::JSON::stringify(&object).ok()))))
            }
            Direction::Decode => Some(Box::new(move || drop(black_box(json_parse(&text).ok())))),
        }
    }
}
