//! The page: owns the playground's state and runs its effects (the compile timer, reading
//! dropped files, the permalink and the saved work). Everything else is derived from the state by
//! the core and rendered by components. The gRPC, benchmark and Learn tabs are components of
//! their own (`grpc_tab`, `bench_tab`, `learn_tab`), mounted the first time they open and kept
//! (hidden) afterwards, so a call or a run survives a tab switch.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::file::callbacks::FileReader;
use gloo::timers::callback::Timeout;
use wirelens_core::learn;
use wirelens_core::mutate::Mutation;
use wirelens_core::prost_reflect::MessageDescriptor;
use wirelens_core::wire::{Annotation, Pins};
use wirelens_core::{draft, wire};
use yew::prelude::*;

use crate::components::bytes_pane::BytesPane;
use crate::components::compare_pane::ComparePane;
use crate::components::explain_panel::ExplainPanel;
use crate::components::export_panel::ExportPanel;
use crate::components::field_tree::FieldTree;
use crate::components::hex_view::{HexView, use_changed};
use crate::components::message_pane::MessagePane;
use crate::components::recent::Recent;
use crate::components::schema_pane::SchemaPane;
use crate::history::History;
use crate::later::{When, use_after_paint};
use crate::lazy::{self, Lazy};
use crate::learn_state::GrpcPreset;
use crate::share::{self, Shared};
use crate::state::{Action, Mode, State, human_size};
use crate::storage::{HISTORY_KEY, SAVED_KEY, store, stored};
use crate::{bench_tab, compiler, grpc_tab, learn_tab};

/// Typing in the schema recompiles after this pause.
const COMPILE_DELAY_MS: u32 = 250;

#[component]
pub fn App() -> Html {
    let state = use_reducer(initial_state);
    let reader = use_mut_ref(|| None::<FileReader>);

    // Recompile once typing in the schema pauses; a new keystroke cancels the pending compile.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.files.clone(), move |_| {
            let timeout = Timeout::new(COMPILE_DELAY_MS, move || dispatcher.dispatch(Action::Compile));
            move || drop(timeout)
        });
    }

    // The recent works: kept in a cell (recording one on every keystroke must not re-render the
    // page); the list shown changes only when another work comes or goes.
    let history = use_mut_ref(|| stored(HISTORY_KEY).map(|text| History::from_json(&text)).unwrap_or_default());
    let recent = use_state(|| history.borrow().entries().to_vec());
    // Keep the work in local storage (it survives a reload) as soon as the content changes,
    // and in the URL (a permalink to share) once the page rests: Chrome fetches the favicon again
    // on every URL change (8 ms of a keystroke), and throttles a page that rewrites its URL on
    // every mouse move, as following the selected byte would. Saving deflates the work, so it
    // waits for the next task: the bytes an edit changed (and the first screen) are drawn first.
    {
        let shared = state.to_shared();
        let (now, history, shown) = (shared.clone(), history.clone(), recent.clone());
        use_effect_with(Shared { selected: None, ..shared.clone() }, move |_| {
            let save = Timeout::new(0, move || {
                let link = share::encode(&now);
                store(SAVED_KEY, &link);
                // The recent works are the playground's two directions; the other tabs keep no
                // work of their own in the permalink.
                if matches!(now.mode.as_str(), "encode" | "decode") {
                    let mut history = history.borrow_mut();
                    history.record(&now, link, js_sys::Date::now());
                    store(HISTORY_KEY, &history.to_json());
                    // The work on screen is not listed: only the others matter to the page.
                    if history.entries().get(1..) != shown.get(1..) {
                        shown.set(history.entries().to_vec());
                    }
                }
            });
            // A newer change cancels the pending save and makes its own.
            move || drop(save)
        });
        use_effect_with(shared, move |shared| {
            let shared = shared.clone();
            let timeout = Timeout::new(URL_DELAY_MS, move || persist(&shared));
            move || drop(timeout)
        });
    }

    // Files that wait for the compiler's code (compiler.rs): fetch it, then compile them.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.waiting_for_compiler, move |&waiting| {
            if waiting {
                wasm_bindgen_futures::spawn_local(async move {
                    dispatcher.dispatch(match compiler::load().await {
                        Ok(_) => Action::Compile,
                        Err(e) => Action::CompilerUnavailable(e.to_string()),
                    });
                });
            }
        });
    }

    // A lesson link followed in the open page changes only the fragment: show Learn mode (its
    // tab follows the link).
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "hashchange", move |_| {
                    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
                    if learn::is_route(&hash) {
                        dispatcher.dispatch(Action::SetMode(Mode::Learn));
                    }
                })
            });
            move || drop(listener)
        });
    }

    let bytes = state.bytes();
    let reading = state.reading_type();
    let (annotation, reading_now) = use_annotation(bytes.clone(), reading.clone(), state.pins.clone());
    // Without a schema, a draft `.proto` of what was read (small inputs: it is shown in full).
    let draft = use_memo(annotation.clone(), |a| {
        (a.message().is_none() && a.bytes().len() <= DIFF_LIMIT && !a.bytes().is_empty()).then(|| draft::draft_proto(a))
    });
    // The bytes an edit changed, marked for a moment (small messages only: the diff of a megabyte
    // would cost more than it shows).
    let changed = use_changed(annotation.clone(), DIFF_LIMIT);
    // Until the user points somewhere, explain the first byte: the page teaches on first open.
    // Nothing is pointed at while the bytes are still being read: there is nothing to explain yet.
    let selected = state.selected.or((!bytes.is_empty()).then_some(0)).filter(|_| !reading_now);

    // The other tabs are mounted the first time they open (the first screen pays for none of
    // them) and stay mounted, hidden, afterwards.
    let opened = use_mut_ref(Vec::<Mode>::new);
    if !opened.borrow().contains(&state.mode) {
        opened.borrow_mut().push(state.mode);
    }
    let opened = |mode: Mode| opened.borrow().contains(&mode);
    // The gRPC lesson's calls, numbered so that the same button pressed again calls again.
    let preset = use_state(|| None::<(GrpcPreset, u32)>);
    let on_grpc_preset = {
        let (preset, d) = (preset.clone(), state.dispatcher());
        Callback::from(move |asked: GrpcPreset| {
            let count = preset.map_or(1, |(_, n)| n + 1);
            preset.set(Some((asked, count)));
            d.dispatch(Action::SetMode(Mode::Grpc));
        })
    };
    let dispatcher = state.dispatcher();
    let on_file = {
        let (d, reader) = (state.dispatcher(), reader.clone());
        Callback::from(move |file: web_sys::File| {
            read_file(file, d.clone(), &reader, |name, bytes| Action::LoadBinary { name, bytes })
        })
    };
    let selected_path =
        selected.and_then(|offset| annotation.leaf_at(offset)).and_then(|leaf| annotation.json_path(leaf));
    let onselect_path = {
        let (annotation, dispatcher) = (annotation.clone(), state.dispatcher());
        Callback::from(move |path: String| {
            if let Some(record) = annotation.record_at_json_path(&path) {
                dispatcher.dispatch(Action::Select(Some(annotation.node(record).range.start)));
            }
        })
    };
    let types = state.schema.as_ref().map(|s| s.messages()).unwrap_or_default();
    // Writing a message needs a schema: none yet (its files wait for the compiler's code, or have
    // never compiled) is said, not shown as an empty message.
    let uncompiled = state.mode == Mode::Encode && state.schema.is_none();
    let mode_tab = |mode: Mode, label: &'static str| {
        let d = state.dispatcher();
        let active = state.mode == mode;
        // A tab whose code comes later starts coming when the pointer or focus reaches it.
        let prefetch: fn() = match mode {
            Mode::Grpc => lazy::prefetch::<grpc_tab::Props>,
            Mode::Bench => lazy::prefetch::<bench_tab::Props>,
            Mode::Learn => lazy::prefetch::<learn_tab::Props>,
            Mode::Encode | Mode::Decode => || {},
        };
        html! {
            <button role="tab" aria-selected={active.to_string()} class={classes!("mode", active.then_some("active"))}
                onpointerenter={Callback::from(move |_| prefetch())} onfocus={Callback::from(move |_| prefetch())}
                onclick={Callback::from(move |_| d.dispatch(Action::SetMode(mode)))}>{ label }</button>
        }
    };

    html! {
        <main class="page">
            <header class="top">
                <h1>{ "wirelens" }</h1>
                <p class="tagline">{ "Every byte of a protobuf message, explained." }</p>
                <nav class="modes" role="tablist" aria-label="direction">
                    { mode_tab(Mode::Encode, "message → bytes") }
                    { mode_tab(Mode::Decode, "bytes → message") }
                    { mode_tab(Mode::Grpc, "gRPC") }
                    { mode_tab(Mode::Bench, "benchmark") }
                    { mode_tab(Mode::Learn, "Learn") }
                </nav>
                <Recent entries={(*recent).clone()} on_open={{
                    let d = state.dispatcher();
                    Callback::from(move |link: String| match share::decode(&link) {
                        Ok(shared) => d.dispatch(Action::Open(Box::new(shared))),
                        Err(e) => d.dispatch(Action::Notice(format!("cannot reopen that work: {e}"))),
                    })
                }} />
            </header>
            if let Some(notice) = &state.notice {
                <p class="notice top-notice" role="status">{ notice }</p>
            }
            <div id="bench-root" hidden={state.mode != Mode::Bench}>
                if opened(Mode::Bench) { <Lazy<bench_tab::Props> props={bench_tab::Props { yours: state.bench_custom() }} /> }
            </div>
            <div id="grpc-root" hidden={state.mode != Mode::Grpc}>
                if opened(Mode::Grpc) {
                    <Lazy<grpc_tab::Props> props={grpc_tab::Props {
                        preset: *preset,
                        schema: state.schema.clone(),
                        source: state.schema_source(),
                        on_schema: on(&dispatcher, |(name, bytes)| Action::LoadDescriptorSet(name, bytes, true)),
                    }} />
                }
            </div>
            <div id="learn-root" hidden={state.mode != Mode::Learn}>
                if opened(Mode::Learn) {
                    <Lazy<learn_tab::Props> props={learn_tab::Props {
                        shown: state.mode == Mode::Learn,
                        on_grpc: on_grpc_preset,
                        on_playground: on(&dispatcher, |shared| Action::Open(Box::new(shared))),
                    }} />
                }
            </div>
            if matches!(state.mode, Mode::Bench | Mode::Grpc | Mode::Learn) {
            } else {
            <div class="columns">
                <div class="column inputs">
                    <SchemaPane files={state.files.clone()} active={state.active_file} problems={state.schema_problems.clone()}
                        on_example={on(&dispatcher, Action::LoadExample)}
                        on_select={on(&dispatcher, Action::SelectFile)}
                        on_add={on(&dispatcher, |()| Action::AddFile)}
                        on_edit={on(&dispatcher, |(i, text)| Action::EditFile(i, text))}
                        loaded={state.descriptor_set.clone()}
                        on_descriptor_set={{
                            let (d, reader) = (state.dispatcher(), reader.clone());
                            Callback::from(move |file: web_sys::File| {
                                read_file(file, d.clone(), &reader, |name, bytes| Action::LoadDescriptorSet(name, bytes, false))
                            })
                        }}
                        on_use_files={on(&dispatcher, |()| Action::UseProtoFiles)}
                        waiting={state.waiting_for_compiler} on_focus={Callback::from(|()| compiler::prefetch())} />
                    if state.mode == Mode::Encode {
                        <MessagePane types={types} selected_type={state.message_type.clone()} notation={state.notation}
                            text={state.message_text.clone()} error={state.message_error.clone()}
                            ignore_unknown_fields={state.ignore_unknown_fields}
                            on_ignore_unknown_fields={on(&dispatcher, Action::SetIgnoreUnknownFields)}
                            on_type={on(&dispatcher, Action::SelectType)}
                            on_notation={on(&dispatcher, Action::SetNotation)}
                            on_template={on(&dispatcher, |()| Action::Template)}
                            on_edit={on(&dispatcher, Action::EditMessage)} />
                    } else {
                        <BytesPane text={state.bytes_text.clone()} format={state.bytes_format} error={state.bytes_error.clone()}
                            file={state.bytes_file.clone().map(|name| (name, state.decoded.len()))}
                            with_schema={state.decode_with_schema} type_name={state.message_type.clone()}
                            on_edit={on(&dispatcher, Action::EditBytes)}
                            on_format={on(&dispatcher, Action::SetBytesFormat)}
                            on_with_schema={on(&dispatcher, Action::SetDecodeWithSchema)}
                            {on_file} />
                    }
                </div>
                <div class="column outputs">
                    <section class="pane wire-pane" aria-label="wire format">
                        <div class="pane-head">
                            <h2>{ "Wire format" }</h2>
                            if uncompiled {
                                <span class="muted">{ "no schema compiled yet" }</span>
                            } else {
                                <span class="muted">{ human_size(bytes.len()) }
                                    { match &reading { Some(d) => format!(" read as {}", d.full_name()), None => " read without a schema".into() } }
                                </span>
                            }
                            if state.is_stale() {
                                <span class="badge" role="status">{ "stale: showing the last input that worked" }</span>
                            }
                            if reading_now {
                                <span class="badge" role="status">{ "reading the bytes…" }</span>
                            }
                        </div>
                        if annotation.diagnostics().iter().any(|d| d.severity == wire::Severity::Error) {
                            <ul class="diagnostics" role="alert">
                                { for annotation.diagnostics().iter().filter(|d| d.severity == wire::Severity::Error).take(5)
                                    .map(|d| html! { <li class="error">{ d.to_string() }</li> }) }
                            </ul>
                        }
                        if uncompiled {
                            <p class="muted" role="status">{ if state.waiting_for_compiler {
                                "The bytes appear once the schema compiles: fetching the .proto compiler…"
                            } else {
                                "The bytes appear once the schema compiles."
                            } }</p>
                        } else {
                            <div class="wire-grid">
                                <HexView annotation={annotation.clone()} selected={selected} stale={state.is_stale() || reading_now}
                                    changed={changed.clone()}
                                    onselect={on(&dispatcher, |offset| Action::Select(Some(offset)))} />
                                <FieldTree annotation={annotation.clone()} selected={selected}
                                    onselect={on(&dispatcher, |offset| Action::Select(Some(offset)))}
                                    onpin={on(&dispatcher, |(path, reading)| Action::Pin(path, reading))} />
                            </div>
                        }
                        <ExplainPanel annotation={annotation.clone()} selected={selected} />
                        <ExportPanel annotation={annotation.clone()} type_name={reading.as_ref().map(|d| d.full_name().to_owned())} />
                        if state.mode == Mode::Decode {
                            <div class="lab" role="group" aria-label="mutation lab">
                                <span class="muted">{ format!("Mutation lab, at byte {}: ", selected.unwrap_or(0)) }</span>
                                { for Mutation::ALL.into_iter().map(|m| html! {
                                    <button onclick={on(&dispatcher, move |_: MouseEvent| Action::Mutate(m))}>{ m.label() }</button>
                                }) }
                                if state.before_mutations.is_some() {
                                    <button class="undo" onclick={on(&dispatcher, |_: MouseEvent| Action::UndoMutations)}>{ "undo: back to the good bytes" }</button>
                                }
                            </div>
                        }
                        if let Some(draft) = (*draft).clone() {
                            <details class="draft">
                                <summary>{ "A .proto drafted from these bytes" }</summary>
                                <pre aria-label="drafted schema">{ draft.clone() }</pre>
                                <button onclick={on(&dispatcher, move |_: MouseEvent| Action::UseDraft(draft.clone()))}>
                                    { "use as the schema" }
                                </button>
                            </details>
                        }
                        <p class="hex-line" aria-label="bytes as hex"><code>{ hex_preview(&bytes) }</code></p>
                    </section>
                    <ComparePane descriptor={reading} bytes={bytes.clone()} selected_path={selected_path}
                        onselect_path={onselect_path} {uncompiled} after_reading={reading_now} />
                </div>
            </div>
            }
            <footer class="legend" aria-label="byte roles">
                { for wirelens_core::hexview::CLASSES.iter().map(|c| html! { <span class={classes!("b", *c)}>{ *c }</span> }) }
            </footer>
        </main>
    }
}

/// Edits of messages up to this size are shown as changed bytes.
const DIFF_LIMIT: usize = 64 << 10;

/// How long the page must rest before the URL follows it.
const URL_DELAY_MS: u32 = 300;

/// The annotation of the bytes on screen, and whether their reading is still to come: a large
/// input is first drawn as unread bytes (`wire::unread`) and read after that frame is painted
/// (`later::use_after_paint`).
#[hook]
fn use_annotation(bytes: Rc<Vec<u8>>, reading: Option<MessageDescriptor>, pins: Pins) -> (Rc<Annotation>, bool) {
    let when = When::for_size(bytes.len());
    // (The bytes compare by pointer first: an `Rc` of an `Eq` type does.)
    let read = use_after_paint((bytes.clone(), reading, pins), when, |(bytes, reading, pins)| {
        wire::annotate_pinned(bytes, reading.as_ref(), pins, wire::Limits::default())
    });
    // The unread bytes' copy is kept only while the reading is pending.
    let unread =
        use_memo((bytes, read.is_none()), |(bytes, pending)| Rc::new(wire::unread(if *pending { bytes } else { &[] })));
    match read {
        Some(annotation) => (annotation, false),
        None => ((*unread).clone(), true),
    }
}

/// Writes the state into the URL fragment (but in Learn mode, where the URL is the lesson's
/// permalink) and local storage.
fn persist(shared: &Shared) {
    let link = share::encode(shared);
    if let (Some(history), false) = (web_sys::window().and_then(|w| w.history().ok()), shared.mode == "learn") {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("#{link}")));
    }
    store(SAVED_KEY, &link);
}

/// The state to open with: a permalink's, else the work saved by the last visit, else the
/// reference example. A damaged link is explained, never a blank page.
fn initial_state() -> State {
    let Some(window) = web_sys::window() else { return State::default() };
    let hash = window.location().hash().unwrap_or_default();
    // A lesson link opens Learn mode over the saved work, which stays as it was.
    if learn::is_route(&hash) {
        let mut work = stored(SAVED_KEY)
            .and_then(|link| share::decode(&link).ok())
            .map_or_else(State::default, State::from_shared);
        work.mode = Mode::Learn;
        return work;
    }
    if hash.len() > 1 {
        return match share::decode(&hash) {
            Ok(shared) => State::from_shared(shared),
            Err(e) => State::default().with_notice(format!("{e}. Showing the reference example instead.")),
        };
    }
    stored(SAVED_KEY).and_then(|link| share::decode(&link).ok()).map_or_else(State::default, State::from_shared)
}

/// A callback that turns what a component reports into an action.
fn on<T: 'static>(dispatcher: &UseReducerDispatcher<State>, action: impl Fn(T) -> Action + 'static) -> Callback<T> {
    let dispatcher = dispatcher.clone();
    Callback::from(move |x| dispatcher.dispatch(action(x)))
}

/// The bytes as one line of hex, shortened for large inputs.
fn hex_preview(bytes: &[u8]) -> String {
    const MAX: usize = 256;
    let hex = wirelens_core::input::to_hex(&bytes[..bytes.len().min(MAX)]);
    if bytes.len() > MAX { format!("{hex} … ({} more)", human_size(bytes.len() - MAX)) } else { hex }
}

/// Reads a dropped or opened file and hands its name and bytes to the reducer as `action`. The
/// reader is kept alive in `slot` until it finishes (dropping it cancels the read).
fn read_file(
    file: web_sys::File,
    dispatcher: UseReducerDispatcher<State>,
    slot: &Rc<RefCell<Option<FileReader>>>,
    action: fn(String, Vec<u8>) -> Action,
) {
    let file = gloo::file::File::from(file);
    let name = file.name();
    let size = file.size() as usize;
    // Refuse before reading 50 MiB into memory.
    if let Some(refusal) = crate::state::too_large(&name, size) {
        dispatcher.dispatch(Action::Notice(refusal));
        return;
    }
    let task = gloo::file::callbacks::read_as_bytes(&file, move |result| match result {
        Ok(bytes) => dispatcher.dispatch(action(name, bytes)),
        Err(e) => dispatcher.dispatch(Action::Notice(format!("cannot read {name}: {e}"))),
    });
    *slot.borrow_mut() = Some(task);
}
