//! The Learn tab: the lesson list with progress ticks, and the open lesson: its text (computed
//! by the core from the example's bytes), the live example shown with the playground's own
//! components, and the exercise.

use std::rc::Rc;

use wirelens_core::input;
use wirelens_core::learn::{Block, LESSONS};
use yew::prelude::*;

use crate::components::compare_pane::ComparePane;
use crate::components::explain_panel::ExplainPanel;
use crate::components::field_tree::FieldTree;
use crate::components::hex_view::{HexView, use_changed};
use crate::components::learn_exercise::LearnExercise;
use crate::learn_state::{GrpcPreset, LearnAction, LearnState};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: LearnState,
    pub on: Callback<LearnAction>,
    /// "Open in the playground": the example goes to the message → bytes tab.
    pub on_playground: Callback<()>,
    /// A call to make in the gRPC tab (the gRPC lesson).
    pub on_grpc: Callback<GrpcPreset>,
}

#[component]
pub fn LearnPanel(props: &Props) -> Html {
    let s = &props.state;
    let lesson = s.lesson;
    let annotation = use_memo((lesson.slug, s.bytes.clone()), |_| s.annotation());
    // The bytes an edit changed flash, as in the playground (lesson examples are small).
    let changed = use_changed(annotation.clone(), usize::MAX);
    let also = use_memo((lesson.slug, s.bytes.clone()), |_| s.also().map(Rc::new));
    let blocks = use_memo((lesson.slug, s.bytes.clone()), |_| s.text_blocks());
    let selected = s.selected.or((!s.bytes.is_empty()).then_some(0));
    let on = &props.on;
    let select = on.reform(|offset: usize| LearnAction::Select(Some(offset)));
    let number = lesson.index() + 1;
    let descriptor = s.schema.message(lesson.message).ok();
    let selected_path = selected.and_then(|o| annotation.leaf_at(o)).and_then(|leaf| annotation.json_path(leaf));
    let onselect_path = {
        let (annotation, on) = (annotation.clone(), on.clone());
        Callback::from(move |path: String| {
            if let Some(record) = annotation.record_at_json_path(&path) {
                on.emit(LearnAction::Select(Some(annotation.node(record).range.start)));
            }
        })
    };
    let neighbour = |index: Option<usize>, label: &str| match index.and_then(|i| LESSONS.get(i)) {
        Some(l) => lesson_link(l.slug, html! { <>{ label }{ l.title }</> }, on, None),
        None => html! {},
    };

    html! {
        <div class="learn">
            <nav class="lessons pane" aria-label="lessons">
                <h2>{ "Lessons" }</h2>
                <ol>
                    { for LESSONS.iter().map(|l| {
                        let done = s.is_done(l.slug);
                        let current = l.slug == lesson.slug;
                        html! {
                            <li class={classes!(current.then_some("current"), done.then_some("done"))}
                                data-slug={l.slug}>
                                <span class="tick" aria-label={if done { "done" } else { "not done yet" }}>
                                    { if done { "✓" } else { "○" } }
                                </span>
                                { lesson_link(l.slug, html! { { l.title } }, on, current.then_some("page")) }
                            </li>
                        }
                    }) }
                </ol>
                <p class="muted progress">{ format!("{} of {} done", s.done.len(), LESSONS.len()) }</p>
            </nav>
            <article class="lesson" aria-labelledby="lesson-title" data-slug={lesson.slug}>
                if let Some(notice) = &s.notice {
                    <p class="notice" role="status">{ notice }</p>
                }
                <h2 id="lesson-title">{ format!("{number}. {}", lesson.title) }</h2>
                <div class="lesson-text">{ for blocks.iter().map(block) }</div>
                <section class="live pane" aria-label="live example">
                    <div class="pane-head">
                        <h3>{ "Try it" }</h3>
                        <span class="muted">{ format!("{} as {}", human_bytes(s.bytes.len()), lesson.message) }</span>
                        if s.error.is_some() {
                            <span class="badge" role="status">{ "stale: showing the last message that encoded" }</span>
                        }
                    </div>
                    <div class="live-grid">
                        <div class="live-input">
                            <details class="lesson-schema">
                                <summary>{ "The schema" }</summary>
                                { for lesson.files.iter().filter(|(name, _)| lesson.shown.contains(name)).map(|(name, source)| html! {
                                    <>
                                        <p class="muted"><code>{ *name }</code></p>
                                        <pre>{ *source }</pre>
                                    </>
                                }) }
                            </details>
                            <label for="learn-message">{ "The message, as JSON: edit it" }</label>
                            <textarea id="learn-message" class="editor learn-editor" spellcheck="false"
                                value={s.text.clone()}
                                oninput={on.reform(|e: InputEvent| LearnAction::Edit(e.target_unchecked_into::<web_sys::HtmlTextAreaElement>().value()))} />
                            if let Some(e) = &s.error {
                                <p class="error" role="alert">{ e.to_string() }</p>
                            }
                            <div class="live-buttons">
                                <button onclick={on.reform(|_| LearnAction::Reset)}>{ "reset the example" }</button>
                                <button class="open-playground" onclick={props.on_playground.reform(|_| ())}>
                                    { "open in the playground" }
                                </button>
                            </div>
                        </div>
                        <div class="live-output">
                            <p class="hex-line live-hex" aria-label="the example's bytes as hex"><code>{ input::to_hex(&s.bytes) }</code></p>
                            <div class="wire-grid">
                                <HexView annotation={annotation.clone()} selected={selected} stale={s.error.is_some()}
                                    {changed} onselect={select.clone()} />
                                <FieldTree annotation={annotation.clone()} selected={selected} onselect={select.clone()}
                                    onpin={Callback::noop()} />
                            </div>
                            <ExplainPanel annotation={annotation.clone()} selected={selected} />
                            if let (Some(other), Some(name)) = ((*also).clone(), lesson.also_read_as) {
                                <div class="also" aria-label={format!("the same bytes read as {name}")}>
                                    <h4>{ "The same bytes read as " }<code>{ name }</code></h4>
                                    <div class="wire-grid">
                                        <HexView annotation={other.clone()} selected={selected} stale={s.error.is_some()}
                                            onselect={select.clone()} />
                                        <FieldTree annotation={other} selected={selected} onselect={select.clone()}
                                            onpin={Callback::noop()} />
                                    </div>
                                </div>
                            }
                        </div>
                    </div>
                    if lesson.slug == "json" {
                        <ComparePane descriptor={descriptor} bytes={s.bytes.clone()} {selected_path} {onselect_path} />
                    }
                    if lesson.slug == "grpc" {
                        <div class="grpc-presets" role="group" aria-label="calls to make in the gRPC tab">
                            { for GrpcPreset::ALL.into_iter().map(|p| html! {
                                <button onclick={props.on_grpc.reform(move |_| p)}>{ p.label() }</button>
                            }) }
                        </div>
                    }
                </section>
                <LearnExercise state={s.clone()} on={on.clone()} />
                <nav class="lesson-nav" aria-label="previous and next lesson">
                    <span>{ neighbour(number.checked_sub(2), "← ") }</span>
                    <span>{ neighbour(Some(number), "next: ") }</span>
                </nav>
            </article>
        </div>
    }
}

/// A link to a lesson: a real permalink (it can be copied), opened in place.
fn lesson_link(slug: &'static str, label: Html, on: &Callback<LearnAction>, current: Option<&'static str>) -> Html {
    let onclick = on.reform(move |e: MouseEvent| {
        e.prevent_default();
        LearnAction::Open(slug)
    });
    html! {
        <a href={format!("#learn/{slug}")} aria-current={current} {onclick}>{ label }</a>
    }
}

fn block(b: &Block) -> Html {
    match b {
        Block::Para(text) => html! { <p>{ inline(text) }</p> },
        Block::List(items) => html! { <ul>{ for items.iter().map(|i| html! { <li>{ inline(i) }</li> }) }</ul> },
        Block::Table { head, rows } => html! {
            <table class="lesson-table">
                <thead><tr>{ for head.iter().map(|h| html! { <th>{ h }</th> }) }</tr></thead>
                <tbody>{ for rows.iter().map(|r| html! {
                    <tr>{ for r.iter().map(|c| html! { <td>{ inline(c) }</td> }) }</tr>
                }) }</tbody>
            </table>
        },
    }
}

/// Lesson text: what lies between backticks is code.
pub fn inline(text: &str) -> Html {
    html! {
        { for text.split('`').enumerate().map(|(i, part)| {
            if i % 2 == 1 { html! { <code>{ part.to_owned() }</code> } } else { html! { { part.to_owned() } } }
        }) }
    }
}

fn human_bytes(n: usize) -> String {
    crate::state::human_size(n)
}
