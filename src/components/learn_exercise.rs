//! A lesson's exercise. "Predict the bytes": the learner types hex, Check compares it byte by
//! byte (core's checker) and the first wrong byte is marked and explained. "Find the field": the
//! exercise's bytes in the hex view; a click (or Enter) on a byte is checked against the field.

use wirelens_core::input::{self, InputFormat};
use wirelens_core::learn::ExerciseKind;
use wirelens_core::learn::check::Verdict;
use yew::prelude::*;

use crate::components::hex_view::HexView;
use crate::components::learn_panel::inline;
use crate::learn_state::{LearnAction, LearnState};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub state: LearnState,
    pub on: Callback<LearnAction>,
}

#[component]
pub fn LearnExercise(props: &Props) -> Html {
    let s = &props.state;
    let exercise = s.lesson.exercise;
    // Where the pointer is in a find-the-field exercise: highlighted, not yet an answer.
    let cursor = use_state(|| None::<usize>);
    {
        let cursor = cursor.clone();
        use_effect_with(s.lesson.slug, move |_| cursor.set(None));
    }
    let on = &props.on;
    let body = match exercise.kind {
        ExerciseKind::PredictBytes | ExerciseKind::PredictFrame => {
            let onsubmit = on.reform(|e: SubmitEvent| {
                e.prevent_default();
                LearnAction::Check
            });
            html! {
                <form class="predict" {onsubmit}>
                    <label for="learn-answer">{ "Your bytes, in hex" }</label>
                    <input id="learn-answer" class="answer" type="text" spellcheck="false" autocomplete="off"
                        placeholder="hex, as 0A 1B 2C" value={s.answer.clone()}
                        oninput={on.reform(|e: InputEvent| LearnAction::Answer(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                    <button type="submit" class="check-answer">{ "check" }</button>
                    { typed(&s.answer, s.verdict.as_ref()) }
                </form>
            }
        }
        ExerciseKind::FindField { .. } => {
            let onselect = {
                let cursor = cursor.clone();
                Callback::from(move |offset: usize| cursor.set(Some(offset)))
            };
            html! {
                <div class="find">
                    <HexView annotation={s.exercise.clone()} selected={s.picked.or(*cursor)} stale={false}
                        {onselect} onpick={on.reform(LearnAction::Pick)} />
                </div>
            }
        }
    };
    html! {
        <section class="exercise pane" aria-label="exercise">
            <h3>{ "Exercise" }{ if s.is_done(s.lesson.slug) { " ✓" } else { "" } }</h3>
            <p class="prompt">{ inline(&exercise.prompt()) }</p>
            <pre class="exercise-message" aria-label="the exercise's message">{ exercise.json }</pre>
            { body }
            { verdict(s.verdict.as_ref()) }
        </section>
    }
}

/// The typed bytes, the first wrong one marked.
fn typed(answer: &str, verdict: Option<&Verdict>) -> Html {
    let Some(Verdict::WrongByte { offset, got: Some(_), .. }) = verdict else { return html! {} };
    let Ok(bytes) = input::parse_bytes(answer, InputFormat::Hex) else { return html! {} };
    html! {
        <p class="typed" aria-hidden="true">
            { for bytes.iter().enumerate().map(|(i, b)| html! {
                <span class={classes!("tb", (i == *offset).then_some("wrong"))}>{ format!("{b:02X}") }</span>
            }) }
        </p>
    }
}

fn verdict(verdict: Option<&Verdict>) -> Html {
    match verdict {
        None => html! {},
        Some(v @ Verdict::Correct) => {
            html! { <p class="verdict correct" role="status">{ "✓ " }{ v.to_string() }{ ": lesson done" }</p> }
        }
        Some(v) => {
            let offset = match v {
                Verdict::WrongByte { offset, .. } | Verdict::Missed { offset, .. } => Some(offset.to_string()),
                Verdict::Unreadable(_) | Verdict::Correct => None,
            };
            html! { <p class="verdict wrong" role="status" data-offset={offset}>{ "✗ " }{ inline(&v.to_string()) }</p> }
        }
    }
}
