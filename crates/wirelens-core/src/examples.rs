//! The example schemas of `proto/`, embedded, each with a sample message.
//!
//! One place for what the app offers in its picker, what the CLI tests use and
//! what the property tests generate messages for. Knows file contents and
//! sample JSON; compiling them is [`crate::schema`]'s job.

use crate::schema::{Schema, SchemaError};

/// A schema of `proto/` with a message type and a sample value to start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    /// Short id, used in URLs and on the command line: `reference`, `scalars` …
    pub id: &'static str,
    pub title: &'static str,
    /// `(import name, source)` of every file the example needs (well-known types come with protox).
    pub files: &'static [(&'static str, &'static str)],
    /// Full name of the message type shown first.
    pub message: &'static str,
    /// A value of that type, in canonical proto3 JSON.
    pub json: &'static str,
}

impl Example {
    pub fn schema(&self) -> Result<Schema, SchemaError> {
        self.precompiled().map_or_else(|| Schema::compile(self.files), Ok)
    }

    /// The schema compiled at build time, read without compiling (and without the compiler's
    /// code, which the app fetches later): every example has one (a test checks it).
    pub fn precompiled(&self) -> Option<Schema> {
        crate::schema::precompiled(self.files)
    }

    pub fn by_id(id: &str) -> Option<&'static Example> {
        EXAMPLES.iter().find(|e| e.id == id)
    }

    /// The example whose files are exactly these (names, sources and order): its schema is the
    /// same, and may be had without compiling.
    pub fn with_files<N: AsRef<str>, S: AsRef<str>>(files: &[(N, S)]) -> Option<&'static Example> {
        EXAMPLES.iter().find(|e| {
            e.files.len() == files.len()
                && e.files
                    .iter()
                    .zip(files)
                    .all(|((n, s), (name, source))| *n == name.as_ref() && *s == source.as_ref())
        })
    }
}

macro_rules! proto {
    ($path:literal) => {
        ($path, include_str!(concat!("../../../proto/", $path)))
    };
}

const USER: (&str, &str) = proto!("userservice/user.proto");
const USER_SERVICE: (&str, &str) = proto!("userservice/user_service.proto");

/// The reference material's user: id 42, Alice, alice@example.com, roles admin and user, ACTIVE.
pub const REFERENCE_USER_JSON: &str =
    r#"{"id":"42","name":"Alice","email":"alice@example.com","roles":["admin","user"],"status":"ACTIVE"}"#;

/// The reference schema and its user: what the app shows on first open.
pub const REFERENCE: Example = Example {
    id: "reference",
    title: "userservice: the reference User",
    files: &[USER, USER_SERVICE],
    message: "userservice.User",
    json: REFERENCE_USER_JSON,
};

pub const EXAMPLES: &[Example] = &[
    REFERENCE,
    Example {
        id: "address",
        title: "userservice: a User with a nested Address",
        files: &[USER, USER_SERVICE],
        message: "userservice.User",
        json: r#"{"id":"7","name":"Bob","address":{"street":"1 Main St","city":"Springfield","country":"US","zipCode":"12345"},"status":"INACTIVE"}"#,
    },
    Example {
        id: "scalars",
        title: "every scalar type, and tags of 1, 2 and 3 bytes",
        files: &[proto!("examples/scalars.proto")],
        message: "examples.scalars.Scalars",
        json: r#"{"int32Value":-1,"int64Value":"300","uint32Value":150,"uint64Value":"18446744073709551615","sint32Value":-1,"sint64Value":"-300","fixed32Value":42,"fixed64Value":"1","sfixed32Value":-2,"sfixed64Value":"-2","floatValue":1.5,"doubleValue":-0.1,"boolValue":true,"stringValue":"héllo","bytesValue":"3q2+7w==","twoByteTag":1,"threeByteTag":1}"#,
    },
    Example {
        id: "maps",
        title: "maps: repeated key/value entries",
        files: &[proto!("examples/maps.proto")],
        message: "examples.maps.Maps",
        json: r#"{"counts":{"apples":3,"pears":0},"namesById":{"1":"one","300":"three hundred"},"nestedByName":{"a":{"label":"first","weight":1}}}"#,
    },
    Example {
        id: "oneof",
        title: "oneof and proto3 optional",
        files: &[proto!("examples/oneof.proto")],
        message: "examples.oneof.Event",
        json: r#"{"id":"7","location":{"latitude":52.52,"longitude":13.405},"priority":0}"#,
    },
    Example {
        id: "packed",
        title: "packed repeated fields",
        files: &[proto!("examples/packed.proto")],
        message: "examples.packed.Packed",
        json: r#"{"int32s":[1,-1,300],"sint64s":["-1","1","-300"],"fixed32s":[1,2],"doubles":[0.5,-2.25],"bools":[true,false],"colors":["COLOR_RED","COLOR_BLUE"]}"#,
    },
    Example {
        id: "unpacked",
        title: "the same fields with [packed = false]",
        files: &[proto!("examples/packed.proto")],
        message: "examples.packed.Unpacked",
        json: r#"{"int32s":[1,-1,300],"sint64s":["-1","1","-300"],"fixed32s":[1,2],"doubles":[0.5,-2.25],"bools":[true,false],"colors":["COLOR_RED","COLOR_BLUE"]}"#,
    },
    Example {
        id: "proto2",
        title: "proto2: required, defaults and groups",
        files: &[proto!("examples/proto2.proto")],
        message: "examples.proto2.Profile",
        json: r#"{"id":"1","name":"Ada","kind":"KIND_PERSON","phone":[{"number":"555-0100","mobile":true},{"number":"555-0199"}],"settings":{"theme":"dark"}}"#,
    },
    Example {
        id: "wellknown",
        title: "well-known types: Timestamp, Duration, Any, Struct",
        files: &[proto!("examples/wellknown.proto")],
        message: "examples.wellknown.WellKnown",
        json: r#"{"createdAt":"2024-05-01T12:00:00Z","timeout":"1.500s","details":{"@type":"type.googleapis.com/google.protobuf.StringValue","value":"hi"},"metadata":{"plan":"pro","seats":3,"tags":["a",true,null]},"extra":2.5,"nickname":"ally","followerCount":"1200","verified":true,"rating":4.5,"avatar":"AAEC","updateMask":"name,email"}"#,
    },
    Example {
        id: "evolution-v1",
        title: "schema evolution: v1 with email",
        files: &[proto!("examples/evolution/v1.proto")],
        message: "examples.evolution.v1.User",
        json: r#"{"id":"42","name":"Alice","email":"alice@example.com"}"#,
    },
    Example {
        id: "evolution-v2",
        title: "schema evolution: v2, email removed and reserved",
        files: &[proto!("examples/evolution/v2.proto")],
        message: "examples.evolution.v2.User",
        json: r#"{"id":"42","name":"Alice","phone":"+1 555 0100","tags":["new"]}"#,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message;

    #[test]
    fn every_example_compiles_and_its_sample_parses() {
        for example in EXAMPLES {
            let schema = example.schema().unwrap_or_else(|e| panic!("{}: {e}", example.id));
            let desc = schema.message(example.message).unwrap();
            let parsed = message::parse_json(&desc, example.json).unwrap_or_else(|e| panic!("{}: {e}", example.id));
            assert!(!message::encode(&parsed).is_empty(), "{}", example.id);
        }
    }

    #[test]
    fn an_example_is_found_by_its_files_as_they_came() {
        let files: Vec<(String, String)> =
            REFERENCE.files.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
        assert_eq!(Example::with_files(&files).map(|e| e.id), Some("reference"));
        let mut edited = files.clone();
        edited[1].1.push_str("\n// edited\n");
        assert_eq!(Example::with_files(&edited), None);
        assert_eq!(Example::with_files(&files[..1]), None);
        let wellknown = Example::by_id("wellknown").unwrap();
        assert_eq!(Example::with_files(wellknown.files).map(|e| e.id), Some("wellknown"));
    }

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<&str> = EXAMPLES.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), EXAMPLES.len());
    }
}
