//! The recent works a user can reopen: one entry per work (a mode, a message type, a set of
//! `.proto` files), holding that work's latest permalink. Editing a message or its schema updates
//! its entry; opening another example, type or mode adds one. Newest first, a few at most.
//!
//! Pure data and JSON: where it is stored (local storage) and when the clock is read are the
//! app's. A damaged or foreign stored text reads as an empty history, never an error.

use serde::{Deserialize, Serialize};

use crate::share::Shared;

/// How many works are kept.
pub const MAX_ENTRIES: usize = 8;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Which work this is: equal keys are the same work at different moments.
    key: String,
    /// What the list shows: the type and the direction.
    pub title: String,
    /// The permalink fragment (`v1.…`) of the work's latest state.
    pub link: String,
    /// When it was saved, in milliseconds since the Unix epoch (the app's clock).
    pub saved_at: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    entries: Vec<Entry>,
}

impl History {
    /// Reads what [`History::to_json`] wrote; anything else is an empty history.
    pub fn from_json(text: &str) -> History {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("strings and numbers always serialize")
    }

    /// Newest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Records `shared` (whose permalink is `link`) as its work's latest state, first in the list.
    pub fn record(&mut self, shared: &Shared, link: String, now: f64) {
        let key = key(shared);
        self.entries.retain(|e| e.key != key);
        self.entries.insert(0, Entry { key, title: title(shared), link, saved_at: now });
        self.entries.truncate(MAX_ENTRIES);
    }
}

/// The work a state belongs to: its direction, its type and the names of its files.
fn key(shared: &Shared) -> String {
    let names: Vec<&str> = shared.files.iter().map(|(name, _)| name.as_str()).collect();
    format!("{}|{}|{}", shared.mode, shared.message_type.as_deref().unwrap_or(""), names.join(","))
}

/// `userservice.User · message → bytes`; a schema-less decode says so instead of a type.
pub fn title(shared: &Shared) -> String {
    let direction = match shared.mode.as_str() {
        "decode" => "bytes → message",
        _ => "message → bytes",
    };
    let what = match (&shared.message_type, shared.mode.as_str()) {
        (_, "decode") if shared.schema_less => "without a schema".to_owned(),
        (Some(name), _) => name.rsplit('.').next().unwrap_or(name).to_owned(),
        (None, _) => "no type".to_owned(),
    };
    format!("{what} · {direction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(mode: &str, message_type: &str, file: &str, message: &str) -> Shared {
        Shared {
            files: vec![(file.to_owned(), "syntax = \"proto3\";".to_owned())],
            message_type: Some(message_type.to_owned()),
            mode: mode.to_owned(),
            message: message.to_owned(),
            ..Shared::default()
        }
    }

    #[test]
    fn one_entry_per_work_newest_first() {
        let mut h = History::default();
        h.record(&shared("encode", "userservice.User", "user.proto", "{}"), "v1.a".into(), 1.0);
        h.record(&shared("encode", "userservice.User", "user.proto", "{\"id\":\"1\"}"), "v1.b".into(), 2.0);
        assert_eq!(h.entries().len(), 1, "an edit updates its work's entry");
        assert_eq!(h.entries()[0].link, "v1.b");
        h.record(&shared("encode", "examples.Scalars", "scalars.proto", "{}"), "v1.c".into(), 3.0);
        h.record(&shared("decode", "userservice.User", "user.proto", "{}"), "v1.d".into(), 4.0);
        let titles: Vec<&str> = h.entries().iter().map(|e| e.title.as_str()).collect();
        assert_eq!(titles, ["User · bytes → message", "Scalars · message → bytes", "User · message → bytes"]);
        // Back to the first work: it moves to the front, with its new state.
        h.record(&shared("encode", "userservice.User", "user.proto", "{}"), "v1.e".into(), 5.0);
        assert_eq!(h.entries()[0].link, "v1.e");
        assert_eq!(h.entries().len(), 3);
    }

    #[test]
    fn keeps_a_few_and_survives_storage() {
        let mut h = History::default();
        for i in 0..20 {
            h.record(&shared("encode", &format!("p.T{i}"), "a.proto", "{}"), format!("v1.{i}"), f64::from(i));
        }
        assert_eq!(h.entries().len(), MAX_ENTRIES);
        assert_eq!(h.entries()[0].link, "v1.19");
        assert_eq!(History::from_json(&h.to_json()), h);
        assert_eq!(History::from_json("{not json"), History::default());
        assert_eq!(History::from_json("[1,2]"), History::default());
    }
}
