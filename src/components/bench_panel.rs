//! The benchmark tab: what to run, the run's progress and Cancel, the clock the worker found,
//! and the results: the claim beside the measured ratios in words, the charts, the table, and
//! the table as Markdown to copy. Props in, callbacks out: the run itself is bench_tab.rs's effect.

use wirelens_core::bench_report::{
    BUILTIN, CLAIM, CUSTOM, CodecId, Direction, Environment, Length, Report, duration, thousands,
};
use yew::prelude::*;

use crate::bench_state::{BenchAction, BenchState, RunStatus};
use crate::components::bench_chart::{BarChart, GrowthChart, series_class};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: BenchState,
    /// The playground's message type, when there is an encoded message to measure.
    pub yours: Option<String>,
    pub on: Callback<BenchAction>,
    /// Run: bench_tab.rs adds the playground's message to the request.
    pub on_run: Callback<()>,
    /// Copy this Markdown to the clipboard.
    pub on_copy: Callback<String>,
}

#[component]
pub fn BenchPanel(props: &Props) -> Html {
    let s = &props.state;
    let on = |action: fn(String) -> BenchAction, value: String| {
        let on = props.on.clone();
        Callback::from(move |_: Event| on.emit(action(value.clone())))
    };
    let running = s.running();
    let workload_box = |id: &str, title: String, disabled: bool| {
        html! {
            <label class="check">
                <input type="checkbox" checked={s.workloads.iter().any(|w| w == id)} disabled={disabled}
                    data-workload={id.to_owned()} onchange={on(BenchAction::ToggleWorkload, id.to_owned())} />
                { format!(" {title}") }
            </label>
        }
    };
    let codec_box = |c: CodecId| {
        let on = props.on.clone();
        html! {
            <label class={classes!("check", series_class(c))}>
                <input type="checkbox" checked={s.codecs.contains(&c)} data-codec={c.name()}
                    onchange={Callback::from(move |_: Event| on.emit(BenchAction::ToggleCodec(c)))} />
                <span class="swatch" aria-hidden="true"></span>{ format!(" {}", c.name()) }
            </label>
        }
    };
    let length_button = |length: Length, label: &'static str| {
        let on = props.on.clone();
        let active = s.length == length;
        html! {
            <button class={classes!("toggle", active.then_some("active"))} aria-pressed={active.to_string()}
                onclick={Callback::from(move |_| on.emit(BenchAction::SetLength(length)))}>{ label }</button>
        }
    };
    let report = s.report().cloned();
    let env = s.environment();
    html! {
        <section class="pane bench-pane" aria-label="benchmark">
            <div class="pane-head">
                <h2>{ "Protobuf against JSON, measured in this browser" }</h2>
            </div>
            <p class="claim">{ "The reference material says " }<q>{ CLAIM }</q>{ ". Measure it here, on the built-in messages or on yours." }</p>
            <div class="bench-form">
                <fieldset>
                    <legend>{ "Workloads" }</legend>
                    { for BUILTIN.iter().map(|b| workload_box(b.id, b.title.to_owned(), false)) }
                    { workload_box(CUSTOM, match &props.yours {
                        Some(t) => format!("your message ({t})"),
                        None => "your message (encode one first)".into(),
                    }, props.yours.is_none()) }
                </fieldset>
                <fieldset>
                    <legend>{ "Codecs" }</legend>
                    { for CodecId::ALL.into_iter().map(codec_box) }
                    <p class="muted small">{ "prost and prost-reflect write protobuf; serde_json (derived structs) and the browser's JSON write canonical proto3 JSON (int64 as strings): the same message in every codec." }</p>
                </fieldset>
                <fieldset>
                    <legend>{ "Samples" }</legend>
                    <div class="group">
                        { length_button(Length::Full, "full: 100 ms warm-up, 20 samples of ≥ 10 ms") }
                        { length_button(Length::Quick, "quick: 5 samples of ≥ 2 ms") }
                    </div>
                </fieldset>
            </div>
            <div class="bench-actions">
                <button class="run" disabled={running.is_some()} onclick={props.on_run.reform(|_| ())}>{ "Run" }</button>
                <button class="cancel" disabled={running.is_none()} onclick={props.on.reform(|_| BenchAction::Cancel)}>{ "Cancel" }</button>
                if let Some(e) = &s.form_error {
                    <span class="error" role="alert">{ e }</span>
                }
                { environment_line(s.env.as_ref()) }
            </div>
            { match s.run.as_ref().map(|r| (&r.status, &r.progress)) {
                Some((RunStatus::Running, progress)) => {
                    let (done, total, label) = match progress {
                        Some(p) => (p.done, p.total.max(1), format!("{} of {}: {}", p.done, p.total, p.label)),
                        None => (0, 1, "starting the worker and measuring its timer…".to_owned()),
                    };
                    html! {
                        <div class="bench-progress" role="status" aria-live="polite">
                            <progress max={total.to_string()} value={done.to_string()}></progress>
                            <span class="bench-now">{ label }</span>
                        </div>
                    }
                }
                Some((RunStatus::Cancelled, progress)) => html! {
                    <p class="notice bench-cancelled" role="status">{ format!("Cancelled{}.",
                        progress.as_ref().map(|p| format!(" after {} of {} measurements", p.done, p.total)).unwrap_or_default()) }</p>
                },
                Some((RunStatus::Failed(message), _)) => html! { <p class="error" role="alert">{ message }</p> },
                _ => html! {},
            } }
            if let Some(report) = report {
                { results(&report, s.focused().unwrap_or_default(), &env, &props.on, &props.on_copy) }
            }
        </section>
    }
}

fn environment_line(env: Option<&Environment>) -> Html {
    let Some(env) = env else {
        return html! { <span class="muted bench-env">{ "The worker measures the browser's timer when a run starts." }</span> };
    };
    let isolation = match env.isolated {
        Some(true) => "cross-origin isolated",
        _ => "not cross-origin isolated (the timer is coarser)",
    };
    html! {
        <span class="muted bench-env" title={env.machine.clone()}>
            { format!("Timer resolution {} · {isolation} · {} logical processors", duration(env.resolution_ns), env.threads) }
        </span>
    }
}

fn results(
    report: &std::rc::Rc<Report>,
    focus: String,
    env: &Environment,
    on: &Callback<BenchAction>,
    on_copy: &Callback<String>,
) -> Html {
    let markdown = report.markdown(env);
    let words = report.words(&focus);
    let on_focus = {
        let on = on.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            on.emit(BenchAction::Focus(select.value()));
        })
    };
    let copy = {
        let (on_copy, markdown) = (on_copy.clone(), markdown.clone());
        Callback::from(move |_| on_copy.emit(markdown.clone()))
    };
    let num = |value: f64, text: String| html! { <td class="num" data-value={value.to_string()}>{ text }</td> };
    html! {
        <div class="bench-results">
            <div class="bench-focus">
                <label>{ "About " }
                    <select onchange={on_focus} aria-label="workload in focus">
                        { for report.workloads().into_iter().map(|w| html! { <option value={w.to_owned()} selected={w == focus}>{ w }</option> }) }
                    </select>
                </label>
                <ul class="measured">{ for words.into_iter().map(|w| html! { <li>{ w }</li> }) }</ul>
            </div>
            <div class="charts">
                <BarChart report={report.clone()} workload={focus.clone()} />
                <GrowthChart report={report.clone()} />
            </div>
            <table class="bench-table sizes-table">
                <thead>
                    <tr><th rowspan="2">{ "workload" }</th><th rowspan="2">{ "codec" }</th><th rowspan="2">{ "bytes" }</th>
                        <th colspan="4">{ "encode" }</th><th colspan="4">{ "decode" }</th></tr>
                    <tr>{ for (0..2).map(|_| html! { <>
                        <th>{ "median" }</th><th>{ "p5–p95" }</th><th>{ "MB/s" }</th><th>{ "× prost" }</th>
                    </> }) }</tr>
                </thead>
                <tbody>
                    { for report.workloads().into_iter().flat_map(|w| report.codecs().into_iter().map(move |c| (w, c))).filter_map(|(w, c)| {
                        let cells: Vec<Html> = Direction::BOTH.into_iter().map(|d| match report.row(w, c, d) {
                            Some(r) => html! { <>
                                { num(r.stat.median_ns, duration(r.stat.median_ns)) }
                                <td class="num spread">{ format!("{}–{}", duration(r.stat.p5_ns), duration(r.stat.p95_ns)) }</td>
                                { num(r.stat.mb_s, format!("{:.1}", r.stat.mb_s)) }
                                { match r.vs_prost { Some(x) => num(x, format!("{x:.2}")), None => html! { <td class="num">{ "–" }</td> } } }
                            </> },
                            None => html! { <><td>{ "–" }</td><td>{ "–" }</td><td>{ "–" }</td><td>{ "–" }</td></> },
                        }).collect();
                        let bytes = report.rows.iter().find(|r| r.workload == w && r.codec == c)?.bytes;
                        Some(html! {
                            <tr data-workload={w.to_owned()} data-codec={c.name()}>
                                <td>{ w }</td><td class={series_class(c)}><span class="swatch" aria-hidden="true"></span>{ format!(" {}", c.name()) }</td>
                                { num(bytes as f64, thousands(bytes)) }
                                { for cells }
                            </tr>
                        })
                    }) }
                </tbody>
            </table>
            <table class="bench-sizes sizes-table">
                <thead><tr><th>{ "workload" }</th><th>{ "protobuf" }</th><th>{ "gzip" }</th><th>{ "JSON" }</th><th>{ "gzip" }</th><th>{ "JSON pretty" }</th><th>{ "gzip" }</th></tr></thead>
                <tbody>
                    { for report.sizes.iter().map(|s| html! {
                        <tr data-workload={s.workload.clone()}>
                            <td>{ s.workload.clone() }</td>
                            { for [s.protobuf, s.protobuf_gzip, s.json, s.json_gzip, s.json_pretty, s.json_pretty_gzip].map(|b| num(b as f64, thousands(b))) }
                        </tr>
                    }) }
                </tbody>
            </table>
            <p class="muted small">{ "Times are medians over the samples, each sample a batch of messages lasting at least the plan's minimum; p5–p95 is the spread of the samples. MB/s counts bytes of the codec's own format (protobuf or JSON). On your message serde_json works through prost-reflect's serde support (there is no derived struct), and prost has no generated type." }</p>
            <div class="bench-copy">
                <button class="copy" onclick={copy}>{ "Copy as Markdown" }</button>
                <details>
                    <summary>{ "Markdown" }</summary>
                    <pre class="bench-markdown">{ markdown }</pre>
                </details>
            </div>
        </div>
    }
}
