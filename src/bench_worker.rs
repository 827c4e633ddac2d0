//! The only module that talks to the benchmark worker (`crates/wirelens-bench-worker`, built by
//! trunk into `bench/`). It starts the worker, sends the run's request once the worker says it
//! is ready, and turns each message back into a `bench_state` event tagged with the run's id.
//! Dropping the [`Running`] handle terminates the worker: that is how a run is cancelled.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};
use wirelens_core::bench_report::{Event, Request};

/// The worker's start script (`static/bench-worker.js`, which trunk copies next to the worker's
/// own script and wasm: index.html).
pub const WORKER_URL: &str = "bench/bench-worker.js";

/// A worker running one request; dropped, it is terminated.
pub struct Running(Option<Handlers>);

/// The worker and the handlers it calls, which must live as long as it does.
type Handlers = (Worker, Closure<dyn FnMut(MessageEvent)>, Closure<dyn FnMut(ErrorEvent)>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some((worker, _, _)) = &self.0 {
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
        }
    }
}

/// Starts a worker for `request`; every event it reports goes to `report`.
pub fn start(request: Request, report: impl Fn(Event) + 'static) -> Running {
    let report = std::rc::Rc::new(report);
    let worker = match Worker::new(WORKER_URL) {
        Ok(worker) => worker,
        Err(e) => {
            report(Event::Failed(format!("the benchmark worker cannot start: {}", js_text(&e))));
            return Running(None);
        }
    };
    let request = serde_json::to_string(&request).unwrap_or_default();
    let onmessage = {
        let (worker, report) = (worker.clone(), report.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let event = match e.data().as_string().map(|s| serde_json::from_str::<Event>(&s)) {
                Some(Ok(event)) => event,
                Some(Err(e)) => Event::Failed(format!("the benchmark worker sent something unreadable: {e}")),
                None => Event::Failed("the benchmark worker sent something that is not text".into()),
            };
            if matches!(event, Event::Ready(_)) {
                let _ = worker.post_message(&JsValue::from_str(&request));
            }
            report(event);
        })
    };
    let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
        e.prevent_default();
        let message = e.message();
        let what = if message.is_empty() { "its script or wasm did not load".to_owned() } else { message };
        report(Event::Failed(format!("the benchmark worker failed: {what}")));
    });
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    Running(Some((worker, onmessage, onerror)))
}

fn js_text(value: &JsValue) -> String {
    value
        .as_string()
        .or_else(|| js_sys::JSON::stringify(value).ok().map(String::from))
        .unwrap_or_else(|| format!("{value:?}"))
}
