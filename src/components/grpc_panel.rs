//! The gRPC panel: a form for one call of any unary or server-streaming method of the
//! playground's schema (or the built-in UserService), in grpc-web, grpc-web-text or Connect, to
//! any server; and what came back: the status, the headers and trailers, every frame (Connect:
//! envelope) of the body annotated, each message as JSON and as explained bytes, the call as
//! command lines to copy, and, for the reference service, what tonic's generated client made of
//! the same call. Props in, callbacks out: the call itself is grpc_tab.rs's effect.

use std::rc::Rc;

use wirelens_core::call::{Kind, Protocol};
use wirelens_core::commands;
use wirelens_core::grpcweb::{Frame, HEADER_LEN};
use wirelens_core::message::Notation;
use wirelens_core::prost_reflect::MessageDescriptor;
use wirelens_core::status::Source;
use wirelens_core::{compression, message, status, wire};
use yew::prelude::*;

use crate::components::explain_panel::ExplainPanel;
use crate::components::hex_view::HexView;
use crate::grpc_state::{
    Agreement, COMPARE_TIME_LIMIT_MS, CallView, ClientView, GrpcAction, GrpcState, MAX_COMPARE_CALLS,
    MAX_GARBLED_CELLS, Reflection, garbled_rows,
};
use crate::state::human_size;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: GrpcState,
    /// The page's origin: where calls go when the address is empty.
    pub origin: String,
    pub on: Callback<GrpcAction>,
    /// A HAR file the user opened or dropped, for grpc_tab.rs to read.
    pub on_har: Callback<web_sys::File>,
}

/// The protocols a browser can call in, as the form offers them.
const PROTOCOLS: [(Protocol, &str); 4] = [
    (Protocol::GrpcWeb, "grpc-web"),
    (Protocol::GrpcWebText, "grpc-web-text"),
    (Protocol::Connect, "Connect (proto)"),
    (Protocol::ConnectJson, "Connect (JSON)"),
];

#[component]
pub fn GrpcPanel(props: &Props) -> Html {
    let s = &props.state;
    let on = &props.on;
    let text = |action: fn(String) -> GrpcAction| {
        let on = on.clone();
        Callback::from(move |e: InputEvent| {
            on.emit(action(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
        })
    };
    let area = |action: fn(String) -> GrpcAction| {
        let on = on.clone();
        Callback::from(move |e: InputEvent| {
            on.emit(action(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))
        })
    };
    let on_method = {
        let on = on.clone();
        Callback::from(move |e: Event| {
            on.emit(GrpcAction::SetMethod(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))
        })
    };
    let protocol_radio = |protocol: Protocol, label: &'static str| {
        let on = on.clone();
        html! {
            <label class="radio">
                <input type="radio" name="grpc-protocol" value={protocol.name()} checked={s.protocol == protocol}
                    onchange={Callback::from(move |_| on.emit(GrpcAction::SetProtocol(protocol)))} />
                { label }
            </label>
        }
    };
    let on_call = {
        let (on, origin) = (on.clone(), props.origin.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on.emit(GrpcAction::Call { origin: origin.clone() })
        })
    };
    let on_reflect = {
        let (on, origin) = (on.clone(), props.origin.clone());
        Callback::from(move |_| on.emit(GrpcAction::LoadFromServer { origin: origin.clone() }))
    };
    let running = s.call.as_ref().is_some_and(|c| c.outcome.is_none());
    let methods = s.methods();
    let descriptor = s.method_descriptor();
    let kind = descriptor.as_ref().map(Kind::of);
    let option = |m: &crate::grpc_state::MethodEntry| {
        let callable = Protocol::GrpcWeb.carries(m.kind);
        html! {
            <option value={m.name.clone()} selected={s.method.as_deref() == Some(m.name.as_str())} disabled={!callable}>
                { format!("{} ({}{})", m.name, m.kind.words(), if callable { "" } else { ": CLI only" }) }
            </option>
        }
    };
    let input_type = descriptor.as_ref().map(|d| d.input().full_name().to_owned()).unwrap_or_default();
    let reference = s.reference();

    html! {
        <div class="columns grpc">
            <div class="column inputs">
                <section class="pane grpc-form" aria-label="gRPC call">
                    <div class="pane-head"><h2>{ "Call a method" }</h2>
                        <span class="muted">{ "of the playground's schema, on any server" }</span></div>
                    <form onsubmit={on_call}>
                        <label class="block">{ "Method " }
                            <select aria-label="method" onchange={on_method}>
                                if methods.iter().any(|m| !m.built_in) {
                                    <optgroup label="the playground's schema">
                                        { for methods.iter().filter(|m| !m.built_in).map(option) }
                                    </optgroup>
                                }
                                if methods.iter().any(|m| m.built_in) {
                                    <optgroup label="built in: wirelens-server's UserService">
                                        { for methods.iter().filter(|m| m.built_in).map(option) }
                                    </optgroup>
                                }
                            </select>
                        </label>
                        <p class="schema-line muted">{ schema_words(&s.schema_source) }</p>
                        <div class="server-row">
                            <label>{ "Server " }
                                <input aria-label="server address" placeholder={props.origin.clone()} size="32"
                                    value={s.address.clone()} oninput={text(GrpcAction::SetAddress)} />
                            </label>
                            { " " }
                            <button type="button" class="load-from-server" onclick={on_reflect}
                                disabled={matches!(s.reflection, Some(Reflection::Running(_)))}
                                title="fetch the server's schema by gRPC server reflection (grpc.reflection.v1, else v1alpha), over grpc-web">
                                { "Load schema from server" }
                            </button>
                        </div>
                        { reflection_line(s) }
                        <span class="protocols" role="radiogroup" aria-label="protocol">
                            { for PROTOCOLS.iter().map(|(p, label)| protocol_radio(*p, label)) }
                        </span>
                        if matches!(s.protocol, Protocol::Connect | Protocol::ConnectJson)
                            && descriptor.as_ref().is_some_and(wirelens_core::call::no_side_effects) {
                            <label class="connect-get" title="Connect's GET: the message in the URL's query, cacheable; for methods marked idempotency_level = NO_SIDE_EFFECTS">
                                <input type="checkbox" checked={s.get} onchange={{
                                    let on = on.clone();
                                    Callback::from(move |e: Event| on.emit(GrpcAction::SetGet(
                                        e.target_unchecked_into::<web_sys::HtmlInputElement>().checked())))
                                }} />
                                { " as a GET (the method has no side effects)" }
                            </label>
                        }
                        <div class="request-head">
                            <span>{ format!("Request ({input_type})") }</span>
                            <span class="group" role="group" aria-label="request notation">
                                { for [(Notation::Json, "JSON"), (Notation::Text, "text format")].into_iter().map(|(n, label)| {
                                    let on = on.clone();
                                    html! {
                                        <button type="button" class={classes!("toggle", (s.notation == n).then_some("active"))}
                                            aria-pressed={(s.notation == n).to_string()}
                                            onclick={Callback::from(move |_| on.emit(GrpcAction::SetNotation(n)))}>{ label }</button>
                                    }
                                }) }
                            </span>
                            <button type="button" class="template" onclick={on.reform(|_| GrpcAction::Template)}
                                title="every field of the request type, with a value of its type">{ "template" }</button>
                        </div>
                        <textarea aria-label="request" rows="5" spellcheck="false"
                            value={s.request_text()} oninput={area(GrpcAction::EditRequest)} />
                        if let Some(e) = &s.form_error {
                            <p class="error" role="alert">{ e }</p>
                        }
                        <div class="grpc-fields">
                            <label>{ "Token " }
                                <input aria-label="token" value={s.token.clone()} oninput={text(GrpcAction::SetToken)}
                                    title="sent as authorization: Bearer TOKEN; empty for none" />
                            </label>
                            <label>{ "Deadline (ms) " }
                                <input aria-label="deadline in ms" inputmode="numeric" size="6"
                                    value={s.deadline_ms.clone()} oninput={text(GrpcAction::SetDeadline)} />
                            </label>
                            if let Some(m) = reference {
                                <label>{ format!("{} ", m.demo_header()) }
                                    <input aria-label="demo delay in ms" inputmode="numeric" size="6"
                                        placeholder="none" value={s.demo_ms.clone()} oninput={text(GrpcAction::SetDemoDelay)} />
                                </label>
                            }
                        </div>
                        <label class="block">{ "Metadata (name: value, one a line)" }
                            <textarea aria-label="metadata" rows="2" spellcheck="false" placeholder="x-request-id: 7"
                                value={s.metadata.clone()} oninput={area(GrpcAction::SetMetadata)} />
                        </label>
                        <button type="submit" class="call" disabled={kind.is_some_and(|k| !Protocol::GrpcWeb.carries(k))}>
                            { if running { "Call again" } else { "Call" } }
                        </button>
                        if running {
                            { " " }
                            <button type="button" class="cancel-call" onclick={{
                                let on = on.clone();
                                Callback::from(move |_| on.emit(GrpcAction::CancelCall))
                            }}>{ "Cancel" }</button>
                        }
                        if reference.is_some() && s.protocol == Protocol::GrpcWeb {
                            <p class="muted">{ "A call of the reference service goes twice at once: through tonic's client \
                                generated from proto/, over tonic-web-wasm-client (what a Rust program in the browser gets), \
                                and by fetch, whose body is read frame by frame (the bytes a generated client never shows)." }</p>
                        }
                    </form>
                    <aside class="note" aria-label="streaming calls">
                        <p>{ "Client-streaming and bidirectional methods cannot run from a browser: fetch cannot stream a \
                               request body to the server as the call goes. The CLI makes them over native gRPC, one JSON \
                               message per line:" }</p>
                        <pre><code>{ "printf '{\"userId\":\"42\",\"filename\":\"a.txt\",\"chunk\":\"aGVsbG8=\"}\\n' \
                            | wirelens call UploadUserPhotos -\nwirelens call Chat -   # one JSON ChatMessage per line" }</code></pre>
                    </aside>
                </section>
                { har_pane(s, on, &props.on_har, &props.origin) }
                // Only the reference service has a REST twin to compare with.
                if s.reference().is_some() {
                    { compare_pane(s, on, &props.origin) }
                }
            </div>
            <div class="column outputs">
                if let Some(call) = &s.call {
                    <CallResult call={Rc::new(call.clone())} descriptor={call.descriptor.as_ref().map(|m| m.output())}
                        on_next_page={{
                            let (on, origin) = (on.clone(), props.origin.clone());
                            Callback::from(move |_| on.emit(GrpcAction::NextPage { origin: origin.clone() }))
                        }} />
                } else {
                    <section class="pane muted" aria-label="gRPC response">
                        <p>{ "Press Call: the response's status, headers and every frame of its body appear here." }</p>
                    </section>
                }
            </div>
        </div>
    }
}

/// Recorded calls: a HAR file's grpc-web and Connect calls, each to show or send again.
fn har_pane(s: &GrpcState, on: &Callback<GrpcAction>, on_har: &Callback<web_sys::File>, origin: &str) -> Html {
    let on_open = super::on_file_chosen(on_har);
    let on_drop = {
        let on_har = on_har.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|files| files.get(0)) {
                on_har.emit(file);
            }
        })
    };
    let shown = s.call.as_ref().and_then(|c| c.recorded.as_ref()).map(|r| r.entry);
    html! {
        <section class="pane grpc-har" aria-label="recorded calls" ondrop={on_drop}
            ondragover={Callback::from(|e: DragEvent| e.prevent_default())}>
            <div class="pane-head">
                <h2>{ "Recorded calls (HAR)" }</h2>
                <label class="picker file-picker">{ "Open a .har… " }
                    <input type="file" aria-label="open a HAR file" accept=".har,application/json" onchange={on_open} />
                </label>
            </div>
            <p class="muted">{ "Export a page's traffic from the browser's DevTools (Network, Export HAR) and open or drop \
                it here: its grpc-web, grpc-web-text and Connect calls are listed, each decoded with the playground's \
                schema (or without one) and annotated as a live call, and each can be sent again." }</p>
            { match &s.har {
                None => html! {},
                Some(Err(e)) => html! { <p class="error" role="alert">{ e.clone() }</p> },
                Some(Ok(file)) => html! {
                    <>
                    <p class="har-summary">
                        <code>{ file.name.clone() }</code>
                        { format!(": {} call{}, {} other entr{}", file.calls.len(), if file.calls.len() == 1 { "" } else { "s" },
                            file.other_entries, if file.other_entries == 1 { "y" } else { "ies" }) }
                        { file.creator.as_ref().map(|c| format!(", recorded by {c}")).unwrap_or_default() }
                    </p>
                    if !file.calls.is_empty() {
                        <div class="har-scroll">
                        <table class="har-calls" aria-label="HAR calls">
                            <thead><tr>
                                <th>{ "method, protocol" }</th><th>{ "status" }</th>
                                <th>{ "bytes sent → received" }</th><th>{ "time" }</th><th></th>
                            </tr></thead>
                            <tbody>
                            { for file.calls.iter().enumerate().map(|(i, row)| {
                                let c = &row.call;
                                let size = |n: Option<usize>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
                                let status = match (&row.status, c.http_status) {
                                    (_, 0) => "no answer".to_owned(),
                                    (Some(st), _) => status::name(st.code).to_owned(),
                                    (None, http) => format!("HTTP {http}"),
                                };
                                let (on_show, on_send) = (on.clone(), on.clone());
                                let origin = origin.to_owned();
                                html! {
                                    <tr data-entry={c.entry.to_string()} class={classes!((shown == Some(c.entry)).then_some("shown"))}>
                                        <td title={c.method.clone()}><code>{ short_method(&c.method) }</code><br />
                                            <span class="muted">{ c.protocol.name() }</span></td>
                                        <td class="har-status">{ status }</td>
                                        <td>{ format!("{} → {}", size(c.request_size()), size(c.response_size())) }</td>
                                        <td>{ if c.time_ms >= 0.0 { format!("{:.0} ms", c.time_ms) } else { "?".into() } }</td>
                                        <td class="har-actions">
                                            <button type="button" class="show-recorded"
                                                onclick={Callback::from(move |_| on_show.emit(GrpcAction::ShowRecorded(i)))}>{ "show" }</button>
                                            <button type="button" class="send-again"
                                                onclick={Callback::from(move |_| on_send.emit(GrpcAction::SendAgain { index: i, origin: origin.clone() }))}>
                                                { "send again" }</button>
                                        </td>
                                    </tr>
                                }
                            }) }
                            </tbody>
                        </table>
                        </div>
                    }
                    </>
                },
            } }
        </section>
    }
}

/// `Service/Method` of `package.Service/Method`: the list's column is narrow.
fn short_method(full: &str) -> &str {
    let service_start = full.split('/').next().and_then(|service| service.rfind('.')).map_or(0, |dot| dot + 1);
    &full[service_start..]
}

/// Where the methods come from, in words.
fn schema_words(source: &commands::SchemaSource) -> String {
    match source {
        commands::SchemaSource::Builtin => {
            "Methods of the playground's schema: the reference userservice files.".to_owned()
        }
        commands::SchemaSource::Protos { files, .. } => {
            format!("Methods of the playground's schema: {}.", files.join(", "))
        }
        commands::SchemaSource::DescriptorSet(name) => {
            format!("Methods of the playground's schema: the descriptor set {name}.")
        }
        commands::SchemaSource::Reflect => "Methods of the playground's schema: as the server reflected it.".to_owned(),
    }
}

/// How "load from server" stands.
fn reflection_line(s: &GrpcState) -> Html {
    match &s.reflection {
        None => html! {},
        Some(Reflection::Running(spec)) => {
            html! { <p class="reflection muted" role="status">{ format!("asking {} for its schema…", spec.base) }</p> }
        }
        Some(Reflection::Loaded(services)) => html! {
            <p class="reflection ok" role="status">
                { format!("The server's schema is the playground's now: {} service{}: ", services.len(),
                    if services.len() == 1 { "" } else { "s" }) }
                <code>{ services.join(", ") }</code>
            </p>
        },
        Some(Reflection::Failed(why)) => html! { <p class="reflection error" role="alert">{ why.clone() }</p> },
    }
}

/// The gRPC-vs-REST comparison: the form's request N times each way, median and p95.
fn compare_pane(s: &GrpcState, on: &Callback<GrpcAction>, origin: &str) -> Html {
    let running = s.compare.as_ref().is_some_and(|c| !c.done);
    let on_n = {
        let on = on.clone();
        Callback::from(move |e: InputEvent| {
            on.emit(GrpcAction::SetCompareN(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
        })
    };
    let on_start = {
        let (on, origin) = (on.clone(), origin.to_owned());
        Callback::from(move |_| on.emit(GrpcAction::Compare { origin: origin.clone() }))
    };
    let on_cancel = {
        let on = on.clone();
        Callback::from(move |_| on.emit(GrpcAction::CancelCompare))
    };
    html! {
        <section class="pane grpc-compare" aria-label="gRPC against REST">
            <div class="pane-head"><h2>{ "gRPC against REST" }</h2></div>
            <p class="muted">{ format!(
                "The form's {} call as grpc-web and as its REST twin, one at a time, alternating: N of each                  (at most {MAX_COMPARE_CALLS}, and {} s in all).",
                s.method.as_deref().unwrap_or("method"), COMPARE_TIME_LIMIT_MS / 1000.0) }</p>
            <label>{ "N " }
                <input aria-label="calls of each kind" inputmode="numeric" size="5" value={s.compare_n.clone()} oninput={on_n} />
            </label>
            { " " }
            if running {
                <button class="cancel" onclick={on_cancel}>{ "Cancel" }</button>
            } else {
                <button class="compare" onclick={on_start}>{ "Compare" }</button>
            }
            if let Some(c) = &s.compare {
                <table class="compare-table" aria-label="latencies">
                    <thead><tr><th>{ "" }</th><th>{ "calls" }</th><th>{ "failed" }</th><th>{ "median (ms)" }</th><th>{ "p95 (ms)" }</th></tr></thead>
                    <tbody>
                    { for [(false, "grpc-web"), (true, "REST")].into_iter().map(|(rest, name)| {
                        let stats = c.stats(rest);
                        let count = c.samples.iter().filter(|x| x.rest == rest).count();
                        let failed = c.samples.iter().filter(|x| x.rest == rest && !x.ok).count();
                        html! {
                            <tr data-kind={name}>
                                <th>{ name }</th><td>{ format!("{count} / {}", c.spec.n) }</td><td>{ failed }</td>
                                <td>{ stats.map(|x| format!("{:.1}", x.median_ms)).unwrap_or_else(|| "–".into()) }</td>
                                <td>{ stats.map(|x| format!("{:.1}", x.p95_ms)).unwrap_or_else(|| "–".into()) }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
                <p class="muted compare-state" role="status">{
                    if !c.done { "running…" } else if c.cancelled { "cancelled" } else { "done" }
                }{ format!(" · REST: GET {}", c.spec.rest_url) }</p>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ResultProps {
    call: Rc<CallView>,
    /// The answer's message type; `None` reads the messages without a schema.
    descriptor: Option<MessageDescriptor>,
    /// ListUsers again with the page token this call returned.
    on_next_page: Callback<MouseEvent>,
}

#[component]
fn CallResult(props: &ResultProps) -> Html {
    let call = &props.call;
    let messages = call.messages().count();
    let header = if call.enveloped() { HEADER_LEN } else { 0 };
    let received: usize = call.frames.iter().map(|(f, _)| header + f.payload.len()).sum();
    let what = match call.protocol {
        Protocol::Connect | Protocol::ConnectJson if !call.enveloped() => "body",
        Protocol::Connect | Protocol::ConnectJson => "envelopes",
        _ => "frames",
    };
    html! {
        <section class="pane grpc-result" aria-label="gRPC response">
            <div class="pane-head">
                <h2>{ format!("{} response", call.method) }</h2>
                <span class="muted">
                    { format!("{messages} message{}, {} of {what} over {}", if messages == 1 { "" } else { "s" },
                        human_size(received), call.protocol) }
                    { call.elapsed_ms.map(|ms| format!(" in {ms:.0} ms")).unwrap_or_default() }
                </span>
            </div>
            if let Some(r) = &call.recorded {
                <p class="recorded-note muted">
                    { format!("Recorded in {}, entry {}, at {}: read from the file, not called. ", r.file, r.entry, r.started) }
                    if call.descriptor.is_none() {
                        { "The playground's schema has no such method: the messages are read without a schema." }
                    }
                </p>
                { for r.problems.iter().map(|p| html! { <p class="recorded-problem error">{ p.clone() }</p> }) }
            }
            { status_line(call) }
            if call.reference.is_some() && call.recorded.is_none() {
                { client_view(call) }
            }
            { commands_view(call) }
            if let Some(token) = call.next_page_token() {
                <p class="next-page">
                    <button type="button" class="next-page" onclick={props.on_next_page.clone()}>{ "Next page" }</button>
                    { " ListUsers again with " }<code>{ format!("\"pageToken\": \"{token}\"") }</code>
                    { format!(", from the {} response header", crate::grpc_state::NEXT_PAGE_HEADER) }
                </p>
            }
            if let Some(body) = &call.garbled {
                { garbled_view(body) }
            }
            <p class="request-frame muted" aria-label="request frame">
                { format!("Request sent: {} bytes, ", call.request.len()) }
                <code>{ wirelens_core::input::to_hex(&call.request[..call.request.len().min(256)]) }</code>
                { match call.protocol {
                    Protocol::Connect if call.enveloped() => " (the 5-byte envelope header, then the request message)",
                    Protocol::ConnectJson if call.enveloped() => " (the 5-byte envelope header, then the request as JSON)",
                    Protocol::Connect => " (the request message itself: a unary Connect body has no frame)",
                    Protocol::ConnectJson => " (the request as JSON: a unary Connect body has no frame)",
                    _ => " (the 5-byte frame header, then the request message)",
                } }
            </p>
            if !call.headers.is_empty() {
                <details class="headers">
                    <summary>{ format!("Response headers (HTTP {})", call.http_status.unwrap_or_default()) }</summary>
                    <table>{ for call.headers.iter().map(|(n, v)| html! { <tr><th>{ n }</th><td>{ v }</td></tr> }) }</table>
                </details>
            }
            if !call.trailers.is_empty() {
                <div class="trailers" aria-label="trailers">
                    <h3>{ "Trailers" }</h3>
                    <table>{ for call.trailers.iter().map(|(n, v)| html! { <tr><th>{ n }</th><td>{ v }</td></tr> }) }</table>
                </div>
            }
            if let Some(body) = &call.error_body {
                <div class="error-body" aria-label="error body">
                    <h3>{ "The error body (Connect's JSON error)" }</h3>
                    <pre>{ body.clone() }</pre>
                </div>
            }
            if call.frames.len() > 1 {
                <details class="timeline" open={call.streaming}>
                    <summary>{ "Timeline of the stream" }</summary>
                    <table aria-label="stream timeline">
                        <thead><tr>
                            <th>{ "frame" }</th><th>{ "at (ms)" }</th><th>{ "gap (ms)" }</th>
                            <th>{ "size (bytes)" }</th><th>{ "received (bytes)" }</th>
                        </tr></thead>
                        <tbody>
                        { for call.timeline().iter().enumerate().map(|(i, row)| html! {
                            <tr class={classes!(row.trailers.then_some("trailers"))}>
                                <td>{ if row.trailers { "trailers".to_owned() } else { format!("message {}", i + 1) } }</td>
                                <td>{ format!("{:.0}", row.at_ms) }</td>
                                <td>{ format!("{:.0}", row.gap_ms) }</td>
                                <td>{ row.size }</td>
                                <td>{ row.cumulative }</td>
                            </tr>
                        }) }
                        </tbody>
                    </table>
                </details>
            }
            <h3>{ match call.protocol {
                Protocol::GrpcWebText => "Frames of the body (decoded from base64)",
                Protocol::Connect | Protocol::ConnectJson if !call.enveloped() => "The body",
                Protocol::Connect | Protocol::ConnectJson => "Envelopes of the body",
                _ => "Frames of the body (binary)",
            } }</h3>
            if !call.text.is_empty() {
                { base64_layer(&call.text) }
            }
            if call.frames.is_empty() && call.http_status.is_some() {
                if let Some(o) = call.outcome.as_ref().filter(|_| call.error_body.is_none()) {
                    <p class="muted">
                        { "No frames in the body." }
                        if o.source == Source::Headers { { " A trailers-only response: its status came in the headers." } }
                    </p>
                }
            }
            <ol class="frames">
                { for call.frames.iter().enumerate().map(|(i, (frame, at))| {
                    let index = call.frames[..i].iter().filter(|(f, _)| !call.is_end(f)).count();
                    let part = if call.is_end(frame) {
                        if call.protocol == Protocol::Connect || call.protocol == Protocol::ConnectJson { Part::EndStream } else { Part::Trailers }
                    } else if call.enveloped() {
                        Part::Message
                    } else {
                        Part::WholeBody
                    };
                    html! { <FrameView frame={Rc::new(frame.clone())} {index} at_ms={*at} {part} encoding={call.encoding()}
                        json={call.protocol == Protocol::ConnectJson} descriptor={props.descriptor.clone()} /> }
                }) }
            </ol>
        </section>
    }
}

/// A grpc-web-text body as it came: its base64 pieces (a server that flushes each frame encodes
/// it on its own, padding and all), each with the decoded bytes it became.
fn base64_layer(text: &[u8]) -> Html {
    let pieces = wirelens_core::grpcweb::base64_pieces(text);
    let decoded = pieces.last().map_or(0, |p| p.bytes.end);
    html! {
        <details class="base64-layer" open=true>
            <summary>{ format!(
                "The base64 layer: {} characters{} became {decoded} bytes, in {} piece{}",
                text.len(),
                if text.len() >= crate::grpc_state::MAX_TEXT_KEPT { " (the first ones kept)" } else { "" },
                pieces.len(),
                if pieces.len() == 1 { "" } else { "s" },
            ) }</summary>
            <p class="muted">{ "Every 4 characters carry 3 bytes; '=' pads the last group of a piece. \
                The server encodes each frame on its own, so padding can come mid-body." }</p>
            <table aria-label="base64 pieces">
                <thead><tr><th>{ "characters" }</th><th>{ "base64" }</th><th>{ "bytes of the body" }</th></tr></thead>
                <tbody>
                { for pieces.iter().map(|p| html! {
                    <tr>
                        <td>{ format!("{}–{}", p.chars.start, p.chars.end - 1) }</td>
                        <td><code class="base64-text">{ String::from_utf8_lossy(&text[p.chars.clone()]).into_owned() }</code></td>
                        <td>{ if p.bytes.is_empty() { "none".to_owned() } else { format!("{}–{}", p.bytes.start, p.bytes.end - 1) } }</td>
                    </tr>
                }) }
                </tbody>
            </table>
        </details>
    }
}

/// A body that broke the framing, byte by byte: the frames that parsed, then the invalid rest
/// marked at its offset, with the reason.
fn garbled_view(body: &wirelens_core::grpcweb::Body) -> Html {
    let invalid = body.spans.iter().find(|s| s.kind.class() == "invalid");
    html! {
        <div class="garbled" aria-label="malformed body">
            <h3>{ format!("The body as received ({} bytes{}), annotated", body.bytes.len(),
                if body.bytes.len() > MAX_GARBLED_CELLS { format!(", the first {MAX_GARBLED_CELLS} drawn") } else { String::new() }) }</h3>
            if let Some(span) = invalid {
                <p class="error" data-offset={span.range.start.to_string()}>
                    { format!("Invalid from byte {} to {}: ", span.range.start, span.range.end) }
                    { if let wirelens_core::grpcweb::SpanKind::Invalid(reason) = &span.kind { reason.clone() } else { String::new() } }
                </p>
            }
            <div class="hex garbled-bytes">
                { for garbled_rows(body, 16).into_iter().map(|row| html! {
                    <div class="row">
                        <span class="offset">{ format!("{:06x}", row.first().map_or(0, |c| c.offset)) }</span>
                        { for row.into_iter().map(|cell| html! {
                            <span class={classes!("b", cell.class, cell.start.then_some("start"))}
                                data-offset={cell.offset.to_string()} data-role={cell.class}
                                title={format!("byte {}", cell.offset)}>
                                { format!("{:02X}", cell.byte) }
                            </span>
                        }) }
                    </div>
                }) }
            </div>
        </div>
    }
}

/// What tonic's generated client, over tonic-web-wasm-client, made of the same call, and whether
/// it agrees with the frames.
fn client_view(call: &CallView) -> Html {
    let Some(view) = &call.client else {
        return html! { <p class="typed-client muted" role="status">{ "tonic-web-wasm-client: calling…" }</p> };
    };
    match view {
        ClientView::NotMade(why) => {
            html! { <p class="typed-client muted">{ format!("tonic-web-wasm-client: {why}") }</p> }
        }
        ClientView::Cancelled => html! {
            <p class="typed-client muted" data-cancelled="true">
                { "tonic-web-wasm-client: cancelled with the call (its future dropped, which aborts its fetch)" }
            </p>
        },
        ClientView::Done { code, message, details, responses } => {
            let name = status::name(*code);
            let agreement = match call.agreement() {
                Some(Agreement::Agrees) => html! { <span class="agrees">{ " · agrees with the frames" }</span> },
                Some(Agreement::Differs(what)) => {
                    html! { <span class="differs">{ format!(" · differs: {what}") }</span> }
                }
                // A failure before any server status: tonic names it its own way (a failed fetch is UNKNOWN).
                None if call.outcome.as_ref().is_some_and(|o| o.source == Source::Client) => {
                    html! { <span class="muted">{ " · no server status to compare with" }</span> }
                }
                None => html! {},
            };
            let count = responses.len();
            html! {
                <details class="typed-client" data-code={code.to_string()}>
                    <summary>
                        { "tonic-web-wasm-client: " }<strong>{ name }</strong>{ format!(" ({code})") }
                        if !message.is_empty() { { format!(" \"{message}\"") } }
                        { format!(", {count} response{}", if count == 1 { "" } else { "s" }) }
                        if !details.is_empty() { { format!(", {} error detail{}", details.len(), if details.len() == 1 { "" } else { "s" }) } }
                        { agreement }
                    </summary>
                    if !details.is_empty() {
                        <p class="muted">{ "The status's error details (grpc-status-details-bin, a google.rpc.Status), \
                            as tonic-types decodes them:" }</p>
                        { for details.iter().map(|d| html! { <pre class="typed-response error-detail">{ d.clone() }</pre> }) }
                    }
                    if !responses.is_empty() {
                        <p class="muted">{ "The generated Rust types as tonic's client returned them ({:#?}):" }</p>
                        { for responses.iter().map(|r| html! { <pre class="typed-response">{ r.clone() }</pre> }) }
                    }
                </details>
            }
        }
    }
}

fn status_line(call: &CallView) -> Html {
    let Some(outcome) = &call.outcome else {
        return html! { <p class="grpc-status running" role="status">{ "calling…" }</p> };
    };
    let code = status::by_number(outcome.code);
    let name = status::name(outcome.code);
    let class = if outcome.code == status::OK { "ok" } else { "failed" };
    let pool = call.descriptor.as_ref().map(|m| m.parent_pool().clone());
    html! {
        <div class={classes!("grpc-status", class)} role="status" data-code={outcome.code.to_string()}>
            <p><strong class="code-name">{ name }</strong>{ format!(" ({})", outcome.code) }
                if let Some(c) = code {
                    { format!(": {}", c.meaning) }
                    { c.http.map(|h| format!(" · HTTP equivalent {h}")).unwrap_or_else(|| " · no HTTP equivalent".into()) }
                }
            </p>
            if !outcome.message.is_empty() {
                <p class="grpc-message">{ "grpc-message: " }<code>{ outcome.message.clone() }</code></p>
            }
            if !outcome.details.is_empty() {
                <ul class="status-details" aria-label="error details">
                    { for outcome.details.iter().map(|d| html! { <li><code>{ describe_detail(d, pool.as_ref()) }</code></li> }) }
                </ul>
            }
            <p class="muted">{ format!("status from the {}", outcome.source.words()) }</p>
        </div>
    }
}

/// An error detail in words: as JSON when the schema (or the well-known google.rpc types it
/// imports) knows its type, else its type and bytes in hex.
fn describe_detail(detail: &status::Detail, pool: Option<&wirelens_core::prost_reflect::DescriptorPool>) -> String {
    pool.and_then(|pool| pool.get_message_by_name(&detail.type_name))
        .and_then(|desc| message::decode(&desc, &detail.value).ok())
        .and_then(|m| message::to_json(&m, message::JsonStyle::CANONICAL).ok())
        .map_or_else(
            || format!("{}: {}", detail.type_name, wirelens_core::input::to_hex(&detail.value)),
            |json| format!("{}: {json}", detail.type_name),
        )
}

/// The call as command lines: `wirelens call`, grpcurl and `buf curl`, each with a copy button.
fn commands_view(call: &CallView) -> Html {
    let lines = [
        ("wirelens call", commands::wirelens(&call.line)),
        ("grpcurl (native gRPC)", commands::grpcurl(&call.line)),
        ("buf curl", commands::buf_curl(&call.line)),
    ];
    html! {
        <details class="commands" aria-label="the call as commands">
            <summary>{ "Copy as a command: wirelens call, grpcurl, buf curl" }</summary>
            { for lines.into_iter().map(|(tool, line)| {
                let copy = line.clone();
                html! {
                    <div class="command" data-tool={tool}>
                        <p class="muted">{ tool }{ " " }
                            <button type="button" class="copy" onclick={Callback::from(move |_| {
                                if let Some(window) = web_sys::window() {
                                    let _ = window.navigator().clipboard().write_text(&copy);
                                }
                            })}>{ "copy" }</button>
                        </p>
                        <pre><code>{ line }</code></pre>
                    </div>
                }
            }) }
        </details>
    }
}

/// What a frame of the answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Message,
    /// grpc-web's trailer frame.
    Trailers,
    /// Connect's end-of-stream envelope (JSON).
    EndStream,
    /// A unary Connect answer's body: the message, with no envelope.
    WholeBody,
}

#[derive(Properties, PartialEq)]
struct FrameProps {
    frame: Rc<Frame>,
    /// Which message of the body this is (end frames: the count before them).
    index: usize,
    at_ms: f64,
    part: Part,
    /// The message is JSON (Connect JSON), not protobuf.
    json: bool,
    /// The message's type; `None` reads it without a schema.
    descriptor: Option<MessageDescriptor>,
    /// The compression the answer names, for a compressed frame.
    encoding: Option<String>,
}

#[component]
fn FrameView(props: &FrameProps) -> Html {
    let selected = use_state(|| None::<usize>);
    let f = &props.frame;
    // The protobuf bytes of the message: the payload, or, for Connect JSON, the JSON read and encoded.
    let read = use_memo(
        (f.clone(), props.descriptor.clone(), props.json, props.part, props.encoding.clone()),
        |(f, d, json, part, encoding)| {
            if matches!(part, Part::Trailers | Part::EndStream) {
                return (Vec::new(), None);
            }
            // A compressed message is shown inflated, as the answer's encoding names it.
            let inflated;
            let f: &Frame = if f.is_compressed() {
                match compression::decompress(encoding.as_deref(), &f.payload, f.offset, compression::MAX_INFLATED) {
                    Ok(bytes) => {
                        inflated = Frame { payload: bytes, ..(**f).clone() };
                        &inflated
                    }
                    Err(e) => return (Vec::new(), Some(e.to_string())),
                }
            } else {
                f
            };
            let Some(d) = d else {
                // Without a schema: the payload's bytes as they are (JSON stays text).
                return (if *json { Vec::new() } else { f.payload.clone() }, None);
            };
            let decoded = if *json {
                std::str::from_utf8(&f.payload)
                    .map_err(|e| e.to_string())
                    .and_then(|text| message::parse_json(d, text).map_err(|e| e.to_string()))
            } else {
                message::decode(d, &f.payload).map_err(|e| e.to_string())
            };
            match decoded {
                Ok(m) => {
                    let bytes = if *json { message::encode(&m) } else { f.payload.clone() };
                    let json = message::to_json(&m, message::JsonStyle::PRETTY).unwrap_or_else(|e| e.to_string());
                    (bytes, Some(json))
                }
                Err(e) => (if *json { Vec::new() } else { f.payload.clone() }, Some(e)),
            }
        },
    );
    let (bytes, json) = (*read).clone();
    let annotation = use_memo((bytes.clone(), props.descriptor.clone()), |(b, d)| wire::annotate(b, d.as_ref()));
    let header = f.to_bytes();
    let kind = match props.part {
        Part::Trailers | Part::EndStream => "trailers",
        Part::Message | Part::WholeBody => "message",
    };
    let title = match props.part {
        Part::Trailers => format!("trailer frame (flags 0x{:02X}), {} bytes", f.flags, f.payload.len()),
        Part::EndStream => {
            format!("end-of-stream envelope (flags 0x{:02X}), {} bytes of JSON", f.flags, f.payload.len())
        }
        Part::WholeBody => format!(
            "message 1: the whole body, {} bytes{} (a unary Connect answer has no envelope)",
            f.payload.len(),
            if props.json { " of JSON" } else { "" }
        ),
        Part::Message => format!(
            "message {} (flags 0x{:02X}{}), {} bytes{}{}",
            props.index + 1,
            f.flags,
            if f.is_compressed() { ", compressed" } else { "" },
            f.payload.len(),
            if props.json { " of JSON" } else { "" },
            // A compressed message: its size on the wire, then inflated (what is annotated below).
            if f.is_compressed() && !props.json && !bytes.is_empty() {
                format!(" on the wire, {} inflated with {}", bytes.len(), props.encoding.as_deref().unwrap_or("?"))
            } else {
                String::new()
            }
        ),
    };
    let onselect = {
        let selected = selected.clone();
        Callback::from(move |offset| selected.set(Some(offset)))
    };
    html! {
        <li class={classes!("frame", kind)} data-offset={f.offset.to_string()}>
            <p class="frame-head">
                if props.part != Part::WholeBody {
                    <span class="frame-header-bytes" aria-label="frame header">
                        <span class="b tag start" title="flags" data-role="flags">{ format!("{:02X}", header[0]) }</span>
                        { for header[1..HEADER_LEN].iter().enumerate().map(|(i, b)| html! {
                            <span class={classes!("b", "len", (i == 0).then_some("start"))} title="length, big-endian" data-role="frame-length">
                                { format!("{b:02X}") }
                            </span>
                        }) }
                    </span>
                }
                { format!(" {title} · at byte {} · {:.0} ms", f.offset, props.at_ms) }
            </p>
            if matches!(props.part, Part::Trailers | Part::EndStream) {
                <pre class="trailer-text" aria-label="trailer frame text">
                    { String::from_utf8_lossy(&f.payload).into_owned() }
                </pre>
                if f.payload.is_empty() { <p class="muted">{ "(empty)" }</p> }
            } else {
                if props.json {
                    <p class="muted">{ "As it came, JSON on the wire:" }</p>
                    <pre class="message-wire-json" aria-label="message as sent">{ String::from_utf8_lossy(&f.payload).into_owned() }</pre>
                }
                if let Some(json) = json {
                    <pre class="message-json" aria-label="message as JSON">{ json }</pre>
                }
                if props.json && !bytes.is_empty() {
                    <p class="muted">{ "The same message in protobuf's binary encoding, as the schema writes it:" }</p>
                }
                <HexView annotation={annotation.clone()} selected={*selected} stale={false} {onselect} />
                <ExplainPanel annotation={annotation.clone()} selected={selected.or((!bytes.is_empty()).then_some(0))} />
            }
        </li>
    }
}
