//! The playground's state as a short, URL-safe text, and back: what a permalink carries in its
//! fragment.
//!
//! The state is JSON, deflated and written as base64url behind a version tag (`v1.`). Reading
//! checks every layer and says which one failed, with a position where there is one; the inflated
//! size is bounded so a crafted link cannot exhaust memory. Knows nothing about URLs or storage.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use wirelens_core::wire::Reading;

/// What a permalink restores.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shared {
    /// `(import name, source)` of every `.proto` file.
    pub files: Vec<(String, String)>,
    /// Full name of the message type.
    pub message_type: Option<String>,
    /// `json` or `text`.
    pub notation: String,
    pub message: String,
    /// `encode` or `decode`.
    pub mode: String,
    /// The decode input, as the user typed it.
    pub bytes: String,
    /// The decode input's notation (`auto`, `hex`, …); links made before it existed read `auto`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bytes_format: String,
    /// Decode without the schema. (Fields added after v1's first links default, so those links
    /// still open, as they were.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub schema_less: bool,
    /// The readings pinned for ambiguous fields of a schema-less decode: field-number path and reading.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pins: Vec<(Vec<u32>, Reading)>,
    /// JSON input: skip members the schema does not know.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignore_unknown_fields: bool,
    /// The selected byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected: Option<usize>,
}

const TAG: &str = "v1.";
/// Inflated state larger than this is refused (the largest example is a few KB).
const MAX_INFLATED: usize = 1 << 20;

/// The state as `v1.<base64url of deflated JSON>`.
pub fn encode(shared: &Shared) -> String {
    let json = serde_json::to_vec(shared).expect("plain strings always serialize");
    let deflated = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("{TAG}{}", URL_SAFE_NO_PAD.encode(deflated))
}

/// Reads what [`encode`] wrote.
pub fn decode(text: &str) -> Result<Shared, ShareError> {
    let text = text.trim().trim_start_matches('#');
    let Some(body) = text.strip_prefix(TAG) else {
        let found: String = text.chars().take(8).collect();
        return Err(ShareError::Version { found });
    };
    let deflated = URL_SAFE_NO_PAD.decode(body).map_err(|e| match e {
        base64::DecodeError::InvalidByte(at, byte) => {
            ShareError::Character { character: char::from(byte), position: at + TAG.len() }
        }
        // A last symbol with stray bits, or a length no encoder writes: the link lost its end.
        _ => ShareError::CutShort,
    })?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_INFLATED)
        .map_err(|e| ShareError::Compressed { reason: format!("{:?}", e.status) })?;
    // Through a str: serde_json's slice reader is not otherwise in the app, and is 1.8 KB of it.
    let json = std::str::from_utf8(&json).map_err(|e| ShareError::Json { reason: e.to_string() })?;
    serde_json::from_str(json).map_err(|e| ShareError::Json { reason: e.to_string() })
}

/// Why a permalink could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("this link was not made by this version of wirelens: it starts with '{found}', not 'v1.'")]
    Version { found: String },
    #[error("this link is damaged: '{character}' at character {position} of its fragment does not belong in a link")]
    Character { character: char, position: usize },
    #[error("this link is cut short")]
    CutShort,
    #[error("this link is damaged or cut short: its compressed state does not unpack ({reason})")]
    Compressed { reason: String },
    #[error("this link's state is not valid: {reason}")]
    Json { reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use wirelens_core::examples::{EXAMPLES, Example};

    fn example(e: &Example) -> Shared {
        Shared {
            files: e.files.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect(),
            message_type: Some(e.message.to_owned()),
            notation: "json".into(),
            message: e.json.to_owned(),
            mode: "encode".into(),
            bytes: "08 2A".into(),
            ..Shared::default()
        }
    }

    #[test]
    fn carries_the_view_and_reads_links_made_before_it_did() {
        let shared = Shared {
            mode: "decode".into(),
            bytes: "0a 05 41 6c 69 63 65".into(),
            bytes_format: "hex".into(),
            schema_less: true,
            pins: vec![(vec![1], Reading::Bytes), (vec![2, 3], Reading::PackedFixed32)],
            selected: Some(4),
            ..example(&EXAMPLES[0])
        };
        assert_eq!(decode(&encode(&shared)).unwrap(), shared);
        // A link from before these fields: the JSON has none of them.
        let old = r#"{"files":[],"message_type":null,"notation":"json","message":"","mode":"decode","bytes":"08"}"#;
        let link = format!("v1.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(old.as_bytes(), 9)));
        let read = decode(&link).unwrap();
        assert_eq!(
            (read.bytes_format.as_str(), read.schema_less, read.pins.len(), read.selected),
            ("", false, 0, None)
        );
    }

    #[test]
    fn round_trips_and_stays_short() {
        for e in EXAMPLES {
            let shared = example(e);
            let link = encode(&shared);
            assert_eq!(decode(&link).unwrap(), shared);
            assert_eq!(decode(&format!("#{link}")).unwrap(), shared, "a fragment's # is allowed");
            assert!(link.len() < 8 * 1024, "{}: {} characters", e.id, link.len());
            assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "URL-safe");
        }
    }

    #[test]
    fn damaged_links_say_what_is_wrong() {
        let link = encode(&example(&EXAMPLES[0]));
        assert_eq!(
            decode("v2.abc").unwrap_err().to_string(),
            "this link was not made by this version of wirelens: it starts with 'v2.abc', not 'v1.'"
        );
        let bad_char = format!("{}*{}", &link[..10], &link[11..]);
        assert_eq!(
            decode(&bad_char).unwrap_err().to_string(),
            "this link is damaged: '*' at character 10 of its fragment does not belong in a link"
        );
        let cut = &link[..link.len() / 2];
        assert!(matches!(decode(cut), Err(ShareError::Compressed { .. } | ShareError::CutShort)), "{:?}", decode(cut));
        let not_state = format!("v1.{}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(b"[1,2]", 9)));
        assert!(matches!(decode(&not_state), Err(ShareError::Json { .. })));
    }

    #[test]
    fn a_deflate_bomb_is_refused() {
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 4 << 20], 9);
        let link = format!("v1.{}", URL_SAFE_NO_PAD.encode(bomb));
        assert!(matches!(decode(&link), Err(ShareError::Compressed { .. })));
    }
}
