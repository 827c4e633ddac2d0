//! Learn mode's lessons: the reference material as short lessons whose examples are live.
//!
//! A lesson is data: a schema, a message the learner edits, text built by a function of the
//! example's current bytes (every number it quotes is computed from an encoding at render time,
//! never typed by hand), and an exercise whose checker lives in [`check`]. Knows the encoders and
//! the annotator; knows nothing about HTML, storage or the URL beyond the fragment's text.

pub mod check;
mod lessons;

use prost_reflect::{DynamicMessage, MessageDescriptor};

use crate::message;
use crate::schema::Schema;
use crate::wire::{self, Annotation};

pub use lessons::LESSONS;

/// One lesson.
#[derive(Clone, Copy)]
pub struct Lesson {
    /// Used in permalinks (`#learn/varints`) and as the progress key.
    pub slug: &'static str,
    pub title: &'static str,
    /// `(import name, source)` of every file the example needs.
    pub files: &'static [(&'static str, &'static str)],
    /// The files shown beside the text (the others are there for imports).
    pub shown: &'static [&'static str],
    /// Full name of the example's message type.
    pub message: &'static str,
    /// The example as it opens, in canonical proto3 JSON.
    pub json: &'static str,
    /// Another type of the schema the example's bytes are also shown as (the same bytes read
    /// with renamed fields, or with the next version of the schema).
    pub also_read_as: Option<&'static str>,
    pub exercise: Exercise,
    text: fn(&Ctx) -> Vec<Block>,
}

impl std::fmt::Debug for Lesson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lesson").field("slug", &self.slug).finish_non_exhaustive()
    }
}

impl PartialEq for Lesson {
    fn eq(&self, other: &Lesson) -> bool {
        self.slug == other.slug
    }
}

impl Lesson {
    pub fn by_slug(slug: &str) -> Option<&'static Lesson> {
        LESSONS.iter().find(|l| l.slug == slug)
    }

    /// The lesson's position, from 0.
    pub fn index(&self) -> usize {
        LESSONS.iter().position(|l| l.slug == self.slug).unwrap_or(0)
    }

    /// The lesson's schema, compiled at build time (a test checks every lesson's): Learn mode
    /// needs no compiler.
    pub fn schema(&self) -> Schema {
        crate::schema::precompiled(self.files).expect("build.rs compiles every lesson's files")
    }

    /// The text for the example's current bytes (the last that encoded, when the learner's
    /// JSON does not parse).
    pub fn text(&self, schema: &Schema, bytes: &[u8]) -> Vec<Block> {
        match schema.message(self.message) {
            Ok(descriptor) => {
                let annotation = wire::annotate(bytes, Some(&descriptor));
                let message = message::decode(&descriptor, bytes).ok();
                (self.text)(&Ctx { schema, bytes, annotation: &annotation, message: message.as_ref() })
            }
            Err(e) => vec![Block::Para(e.to_string())],
        }
    }

    /// The permalink fragment, without the `#`.
    pub fn fragment(&self) -> String {
        format!("{PREFIX}/{}", self.slug)
    }
}

/// A piece of lesson text. Text between backticks is code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Para(String),
    List(Vec<String>),
    Table { head: Vec<String>, rows: Vec<Vec<String>> },
}

/// What a lesson's text is computed from.
pub struct Ctx<'a> {
    pub schema: &'a Schema,
    /// The live example's bytes.
    pub bytes: &'a [u8],
    /// Those bytes read as the lesson's type.
    pub annotation: &'a Annotation,
    /// The message those bytes hold.
    pub message: Option<&'a DynamicMessage>,
}

impl Ctx<'_> {
    fn descriptor(&self, type_name: &str) -> Option<MessageDescriptor> {
        self.schema.message(type_name).ok()
    }

    /// The bytes of a message of the lesson's schema (empty if the JSON does not fit: the tests
    /// make sure every lesson's does).
    pub fn encode(&self, type_name: &str, json: &str) -> Vec<u8> {
        self.descriptor(type_name)
            .and_then(|d| message::parse_json(&d, json).ok())
            .map(|m| message::encode(&m))
            .unwrap_or_default()
    }

    /// Bytes read as a type of the lesson's schema.
    pub fn annotate(&self, type_name: &str, bytes: &[u8]) -> Annotation {
        wire::annotate(bytes, self.descriptor(type_name).as_ref())
    }
}

/// What the learner is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exercise {
    pub kind: ExerciseKind,
    /// The message the exercise is about: its type and canonical JSON.
    pub message: &'static str,
    pub json: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExerciseKind {
    /// Type the message's bytes as hex.
    PredictBytes,
    /// Type the grpc-web frame that carries the message: header and message.
    PredictFrame,
    /// Click a byte of the record at this path (`address.city`, `roles[1]`).
    FindField { path: &'static str, hint: &'static str },
}

impl Exercise {
    /// The task in words.
    pub fn prompt(&self) -> String {
        match self.kind {
            ExerciseKind::PredictBytes => "Predict the bytes: type this message's encoding as hex.".into(),
            ExerciseKind::PredictFrame => {
                "Predict the bytes: type the whole grpc-web frame (header, then message) that carries this request."
                    .into()
            }
            ExerciseKind::FindField { path, hint } => format!("Find the field: click a byte of `{path}`. {hint}"),
        }
    }

    /// The exercise's message, encoded (empty if its JSON does not fit the schema).
    pub fn message_bytes(&self, schema: &Schema) -> Vec<u8> {
        schema
            .message(self.message)
            .ok()
            .and_then(|d| message::parse_json(&d, self.json).ok())
            .map(|m| message::encode(&m))
            .unwrap_or_default()
    }

    /// The exercise's message read as its type.
    pub fn annotation(&self, schema: &Schema) -> Annotation {
        wire::annotate(&self.message_bytes(schema), schema.message(self.message).ok().as_ref())
    }
}

/// The fragment prefix of a lesson permalink: `#learn/varints`.
pub const PREFIX: &str = "learn";

/// What a URL fragment asks of Learn mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Not a learn link (the playground's `v1.` permalink, or nothing).
    NotLearn,
    /// `#learn`: the lessons, starting at the first.
    Lessons,
    Lesson(&'static str),
    /// `#learn/…` naming no lesson: the message says so.
    Unknown(String),
}

/// Reads a URL fragment, with or without its `#`.
pub fn route(fragment: &str) -> Route {
    let slug = match learn_path(fragment) {
        None => return Route::NotLearn,
        Some("" | "/") => return Route::Lessons,
        Some(path) => path[1..].trim_end_matches('/'),
    };
    match Lesson::by_slug(slug) {
        Some(lesson) => Route::Lesson(lesson.slug),
        None => {
            let shown: String = slug.chars().take(40).collect();
            Route::Unknown(format!("there is no lesson '{shown}'"))
        }
    }
}

/// Whether a URL fragment is Learn mode's (`route` is not `NotLearn`), told without reading the
/// lessons: the app's first screen asks, and the lessons' code comes with Learn mode's.
pub fn is_route(fragment: &str) -> bool {
    learn_path(fragment).is_some()
}

/// What follows Learn mode's prefix in a fragment: nothing, or a path from `/`.
fn learn_path(fragment: &str) -> Option<&str> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    fragment.strip_prefix(PREFIX).filter(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests;
