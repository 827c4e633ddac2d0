//! Learn mode's state: the open lesson, its example as the learner edits it, the exercise's
//! answer and verdict, and the lessons done. Pure, no effects: the URL fragment and local storage
//! are `learn_tab.rs`'s; what a lesson says and how an answer is checked is `wirelens_core::learn`'s.

use std::rc::Rc;

use crate::share::Shared;
use wirelens_core::learn::check::{self, Verdict};
use wirelens_core::learn::{self, ExerciseKind, LESSONS, Lesson, Route};
use wirelens_core::message::{self, MessageError};
use wirelens_core::schema::Schema;
use wirelens_core::wire::{self, Annotation};
use wirelens_core::{grpcweb, input};
use yew::Reducible;

use crate::grpc_state::{DEMO_TOKEN, GrpcAction, Method};

#[derive(Debug, Clone, PartialEq)]
pub struct LearnState {
    pub lesson: &'static Lesson,
    /// The lesson's schema, compiled at build time.
    pub schema: Rc<Schema>,
    /// The example's JSON as the learner edits it.
    pub text: String,
    pub error: Option<MessageError>,
    /// The bytes of the last text that parsed.
    pub bytes: Rc<Vec<u8>>,
    /// The byte the learner points at in the live example.
    pub selected: Option<usize>,
    /// The exercise's message, encoded and annotated.
    pub exercise: Rc<Annotation>,
    /// The hex typed for a predict-the-bytes exercise.
    pub answer: String,
    pub verdict: Option<Verdict>,
    /// The byte clicked in a find-the-field exercise.
    pub picked: Option<usize>,
    /// Slugs of the lessons whose exercise was answered right, in lesson order.
    pub done: Vec<&'static str>,
    /// Something to tell the learner: a lesson link that named no lesson.
    pub notice: Option<String>,
}

pub enum LearnAction {
    Open(&'static str),
    /// A lesson link followed in the open page (the URL fragment changed).
    Follow(String),
    Edit(String),
    /// Back to the lesson's example as it opened.
    Reset,
    Select(Option<usize>),
    Answer(String),
    Check,
    /// A byte clicked in a find-the-field exercise.
    Pick(usize),
}

impl Default for LearnState {
    fn default() -> LearnState {
        LearnState::open(&LESSONS[0], Vec::new())
    }
}

impl LearnState {
    /// A lesson as it opens, with the progress so far.
    pub fn open(lesson: &'static Lesson, done: Vec<&'static str>) -> LearnState {
        let schema = Rc::new(lesson.schema());
        let exercise = Rc::new(lesson.exercise.annotation(&schema));
        let mut state = LearnState {
            lesson,
            schema,
            text: String::new(),
            error: None,
            bytes: Rc::default(),
            selected: None,
            exercise,
            answer: String::new(),
            verdict: None,
            picked: None,
            done,
            notice: None,
        };
        state.edit(pretty(&state, lesson.json));
        state
    }

    /// Where a visit without a lesson link starts: the first lesson not done yet.
    pub fn resume(progress: &str) -> LearnState {
        let done = parse_progress(progress);
        let lesson = LESSONS.iter().find(|l| !done.contains(&l.slug)).unwrap_or(&LESSONS[0]);
        LearnState::open(lesson, done)
    }

    /// The state a URL fragment asks for (`None` if it is not a learn link); `progress` is what
    /// local storage kept. A link that names no lesson opens the first, with a notice.
    pub fn from_fragment(fragment: &str, progress: &str) -> Option<LearnState> {
        let done = parse_progress(progress);
        match learn::route(fragment) {
            Route::NotLearn => None,
            Route::Lessons => Some(LearnState::open(&LESSONS[0], done)),
            Route::Lesson(slug) => Some(LearnState::open(Lesson::by_slug(slug).unwrap_or(&LESSONS[0]), done)),
            Route::Unknown(why) => Some(LearnState {
                notice: Some(format!("{why}: showing the first lesson instead")),
                ..LearnState::open(&LESSONS[0], done)
            }),
        }
    }

    /// What local storage keeps: the slugs of the lessons done.
    pub fn progress(&self) -> String {
        self.done.join(",")
    }

    pub fn is_done(&self, slug: &str) -> bool {
        self.done.contains(&slug)
    }

    /// The lesson's text for the example's current bytes.
    pub fn text_blocks(&self) -> Vec<learn::Block> {
        self.lesson.text(&self.schema, &self.bytes)
    }

    /// The live example read as the lesson's type.
    pub fn annotation(&self) -> Annotation {
        let desc = self.schema.message(self.lesson.message).ok();
        wire::annotate(&self.bytes, desc.as_ref())
    }

    /// The live example's bytes read as the lesson's other type, if it has one.
    pub fn also(&self) -> Option<Annotation> {
        let desc = self.schema.message(self.lesson.also_read_as?).ok()?;
        Some(wire::annotate(&self.bytes, Some(&desc)))
    }

    /// The bytes the exercise wants: the message, or its grpc-web frame.
    pub fn expected(&self) -> Vec<u8> {
        match self.lesson.exercise.kind {
            ExerciseKind::PredictFrame => grpcweb::frame(0, self.exercise.bytes()),
            _ => self.exercise.bytes().to_vec(),
        }
    }

    /// The example as the playground's state: "open in the playground".
    pub fn to_shared(&self) -> Shared {
        Shared {
            files: self.lesson.files.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect(),
            message_type: Some(self.lesson.message.to_owned()),
            notation: "json".into(),
            message: self.text.clone(),
            mode: "encode".into(),
            bytes: input::to_hex(&self.bytes),
            ..Shared::default()
        }
    }

    fn edit(&mut self, text: String) {
        self.text = text;
        let Ok(desc) = self.schema.message(self.lesson.message) else { return };
        match message::parse_json(&desc, &self.text) {
            Ok(m) => {
                self.bytes = Rc::new(message::encode(&m));
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn mark_done(&mut self) {
        if !self.is_done(self.lesson.slug) {
            self.done.push(self.lesson.slug);
            self.done = parse_progress(&self.progress());
        }
    }
}

impl Reducible for LearnState {
    type Action = LearnAction;

    fn reduce(self: Rc<Self>, action: LearnAction) -> Rc<Self> {
        let mut s = (*self).clone();
        s.notice = None;
        match action {
            LearnAction::Open(slug) => {
                if let Some(lesson) = Lesson::by_slug(slug) {
                    s = LearnState::open(lesson, s.done);
                }
            }
            LearnAction::Follow(fragment) => {
                let done = s.progress();
                if let Some(followed) = LearnState::from_fragment(&fragment, &done) {
                    s = followed;
                }
            }
            LearnAction::Edit(text) => s.edit(text),
            LearnAction::Reset => {
                let text = pretty(&s, s.lesson.json);
                s.edit(text);
            }
            LearnAction::Select(offset) => s.selected = offset,
            LearnAction::Answer(text) => {
                s.answer = text;
                s.verdict = None;
            }
            LearnAction::Check => {
                let a = s.exercise.clone();
                let verdict = match s.lesson.exercise.kind {
                    ExerciseKind::PredictFrame => {
                        check::check_bytes(&s.expected(), &s.answer, |o| check::describe_frame_byte(&a, o))
                    }
                    _ => check::check_bytes(&s.expected(), &s.answer, |o| check::describe_byte(&a, o)),
                };
                if verdict.is_correct() {
                    s.mark_done();
                }
                s.verdict = Some(verdict);
            }
            LearnAction::Pick(offset) => {
                if let ExerciseKind::FindField { path, .. } = s.lesson.exercise.kind {
                    let verdict = check::check_click(&s.exercise, path, offset);
                    if verdict.is_correct() {
                        s.mark_done();
                    }
                    s.picked = Some(offset);
                    s.verdict = Some(verdict);
                }
            }
        }
        Rc::new(s)
    }
}

/// A call the gRPC lesson makes in the gRPC tab, which shows it frame by frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrpcPreset {
    GetUser,
    /// ListUsers, its messages spaced out so they visibly arrive one by one.
    ListUsers,
    /// GetUser without the token: the server's interceptor answers UNAUTHENTICATED.
    NoToken,
    /// GetUser over grpc-web and over REST, measured.
    Compare,
}

impl GrpcPreset {
    pub const ALL: [GrpcPreset; 4] =
        [GrpcPreset::GetUser, GrpcPreset::ListUsers, GrpcPreset::NoToken, GrpcPreset::Compare];

    pub fn label(self) -> &'static str {
        match self {
            GrpcPreset::GetUser => "call GetUser (unary)",
            GrpcPreset::ListUsers => "stream ListUsers",
            GrpcPreset::NoToken => "call without a token",
            GrpcPreset::Compare => "gRPC against REST",
        }
    }

    /// What the gRPC tab's reducer is sent to make the call; `origin` is the page's.
    pub fn actions(self, origin: &str) -> Vec<GrpcAction> {
        let method = if self == GrpcPreset::ListUsers { Method::ListUsers } else { Method::GetUser };
        let token = if self == GrpcPreset::NoToken { "" } else { DEMO_TOKEN };
        let delay = if self == GrpcPreset::ListUsers { LIST_DELAY_MS } else { "" };
        let origin = origin.to_owned();
        vec![
            GrpcAction::SetMethod(method.full_name().to_owned()),
            GrpcAction::SetProtocol(wirelens_core::call::Protocol::GrpcWeb),
            GrpcAction::EditRequest(method.example_request().to_owned()),
            GrpcAction::SetToken(token.to_owned()),
            GrpcAction::SetDemoDelay(delay.to_owned()),
            match self {
                GrpcPreset::Compare => GrpcAction::Compare { origin },
                _ => GrpcAction::Call { origin },
            },
        ]
    }
}

/// The gap the ListUsers preset asks the server to leave between messages.
const LIST_DELAY_MS: &str = "300";

/// The slugs of a saved progress string that name lessons, in lesson order (unknown ones dropped).
pub fn parse_progress(saved: &str) -> Vec<&'static str> {
    let saved: Vec<&str> = saved.split(',').map(str::trim).collect();
    LESSONS.iter().map(|l| l.slug).filter(|slug| saved.contains(slug)).collect()
}

/// A lesson's JSON, indented for the editor.
fn pretty(s: &LearnState, json: &str) -> String {
    s.schema
        .message(s.lesson.message)
        .ok()
        .and_then(|d| message::parse_json(&d, json).ok())
        .and_then(|m| message::to_json(&m, message::JsonStyle::PRETTY).ok())
        .unwrap_or_else(|| json.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(state: LearnState, action: LearnAction) -> LearnState {
        (*Rc::new(state).reduce(action)).clone()
    }

    #[test]
    fn a_permalink_opens_its_lesson_and_a_bad_one_the_first_with_a_notice() {
        let s = LearnState::from_fragment("#learn/varints", "").unwrap();
        assert_eq!(s.lesson.slug, "varints");
        assert_eq!(input::to_hex(&s.bytes), "08 AC 02");
        let s = LearnState::from_fragment("#learn/no-such-lesson", "").unwrap();
        assert_eq!(s.lesson.slug, LESSONS[0].slug);
        assert_eq!(s.notice.as_deref(), Some("there is no lesson 'no-such-lesson': showing the first lesson instead"));
        assert!(LearnState::from_fragment("#v1.abc", "").is_none());
        assert!(LearnState::from_fragment("", "").is_none());
    }

    #[test]
    fn a_followed_link_keeps_the_progress() {
        let s = LearnState::from_fragment("#learn", "varints").unwrap();
        let s = act(s, LearnAction::Follow("#learn/grpc".into()));
        assert_eq!((s.lesson.slug, s.progress().as_str()), ("grpc", "varints"));
        let s = act(s, LearnAction::Follow("#learn/x".into()));
        assert_eq!((s.lesson.slug, s.notice.is_some()), (LESSONS[0].slug, true));
        let s = act(s, LearnAction::Follow("#v1.abc".into()));
        assert_eq!(s.lesson.slug, LESSONS[0].slug);
    }

    #[test]
    fn edits_re_encode_and_bad_json_keeps_the_last_bytes() {
        let s = LearnState::from_fragment("#learn/varints", "").unwrap();
        let s = act(s, LearnAction::Edit(r#"{"value": "1"}"#.into()));
        assert_eq!(input::to_hex(&s.bytes), "08 01");
        let s = act(s, LearnAction::Edit(r#"{"value": "#.into()));
        assert!(s.error.is_some());
        assert_eq!(input::to_hex(&s.bytes), "08 01");
        let s = act(s, LearnAction::Reset);
        assert_eq!(input::to_hex(&s.bytes), "08 AC 02");
    }

    #[test]
    fn a_right_answer_marks_the_lesson_done_and_progress_round_trips() {
        let s = LearnState::from_fragment("#learn/varints", "tags,bogus").unwrap();
        assert_eq!(s.done, ["tags"]);
        let s = act(s, LearnAction::Answer("08 96 02".into()));
        let s = act(s, LearnAction::Check);
        assert!(matches!(s.verdict, Some(Verdict::WrongByte { offset: 2, .. })), "{:?}", s.verdict);
        assert!(!s.is_done("varints"));
        let s = act(s, LearnAction::Answer("08 96 01".into()));
        let s = act(s, LearnAction::Check);
        assert_eq!(s.verdict, Some(Verdict::Correct));
        assert_eq!(s.progress(), "tags,varints");
        let s = act(s, LearnAction::Open("field-numbers"));
        assert_eq!(s.done, ["tags", "varints"]);
        assert_eq!(s.verdict, None);
    }

    #[test]
    fn find_the_field_by_clicking() {
        let s = LearnState::from_fragment("#learn/json", "").unwrap();
        let status_at = s.exercise.bytes().len() - 1;
        let s = act(s, LearnAction::Pick(0));
        assert!(matches!(s.verdict, Some(Verdict::Missed { offset: 0, .. })));
        let s = act(s, LearnAction::Pick(status_at));
        assert_eq!(s.verdict, Some(Verdict::Correct));
        assert!(s.is_done("json"));
    }

    #[test]
    fn the_evolution_lesson_reads_the_bytes_with_v2_too() {
        let s = LearnState::from_fragment("#learn/evolution", "").unwrap();
        let v2 = s.also().unwrap();
        assert_eq!(v2.bytes(), &s.bytes[..]);
        assert_eq!(v2.message().unwrap().full_name(), "examples.evolution.v2.User");
        assert!(LearnState::from_fragment("#learn/varints", "").unwrap().also().is_none());
    }

    #[test]
    fn the_grpc_lesson_wants_the_frame() {
        let s = LearnState::from_fragment("#learn/grpc", "").unwrap();
        assert_eq!(input::to_hex(&s.expected()), "00 00 00 00 02 08 2A");
    }

    #[test]
    fn the_no_token_preset_calls_without_a_token() {
        let grpc = GrpcPreset::NoToken
            .actions("http://x")
            .into_iter()
            .fold(Rc::new(crate::grpc_state::GrpcState::default()), |g, a| g.reduce(a));
        let spec = grpc.pending.as_ref().expect("a call");
        assert!(!spec.headers.iter().any(|(name, _)| name == "authorization"), "{:?}", spec.headers);
        let grpc = GrpcPreset::ListUsers
            .actions("http://x")
            .into_iter()
            .fold(Rc::new(crate::grpc_state::GrpcState::default()), |g, a| g.reduce(a));
        assert_eq!(grpc.reference(), Some(Method::ListUsers));
        assert!(grpc.pending.as_ref().unwrap().headers.iter().any(|(_, v)| v == LIST_DELAY_MS));
    }

    #[test]
    fn open_in_the_playground() {
        let s = LearnState::from_fragment("#learn/signed", "").unwrap();
        let playground = crate::state::State::from_shared(s.to_shared());
        assert_eq!(playground.encoded, s.bytes);
        assert_eq!(playground.message_type.as_deref(), Some("learn.signed.Signed"));
    }
}
