//! The messages the benchmark encodes and decodes, each held in every shape a codec needs: the
//! prost type, a `DynamicMessage`, a serde mirror shaped like its proto3 JSON, and the encoded
//! protobuf and JSON texts.
//!
//! The built-in workloads come from fixed seeds, so every run (native or browser) reads the same
//! bytes. Knows the shapes; times nothing.

use std::hint::black_box;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wirelens_api::userservice::{Address, User, user::Status};
use wirelens_core::bench_report::Custom;
use wirelens_core::compare::gzip_len;
use wirelens_core::examples::REFERENCE;
use wirelens_core::message::{self, JsonStyle, Notation};
use wirelens_core::prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor};
use wirelens_core::schema::Schema;

use crate::pb::{Article, Series, UserPage};
use wirelens_core::bench_report::Sizes;
pub use wirelens_core::bench_report::{BUILTIN, Builtin, CUSTOM};

/// `proto/bench/bench.proto`, embedded: the worker compiles it for prost-reflect.
pub const BENCH_PROTO: (&str, &str) = ("bench/bench.proto", include_str!("../../../proto/bench/bench.proto"));

/// The users in the criterion benches' batch (`Workload::page`): 1,052,261 bytes of protobuf
/// (just over 1 MiB), 1,959,097 of JSON.
pub const BATCH_USERS: u32 = 14_000;

/// One message, ready for every codec.
pub struct Workload {
    pub id: String,
    pub title: String,
    pub users: Option<u32>,
    /// The protobuf encoding.
    pub proto: Vec<u8>,
    /// Canonical proto3 JSON, compact (what the JSON codecs write and read).
    pub json: String,
    pub json_pretty: String,
    pub dynamic: DynamicMessage,
    /// The generated type and its serde mirror; `None` for a schema known only at run time.
    pub(crate) typed: Option<Box<dyn Typed>>,
}

/// Something went wrong building a workload (the user's message, mostly).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkloadError {
    #[error("unknown workload '{0}'")]
    Unknown(String),
    #[error("the schema does not load: {0}")]
    Schema(String),
    #[error("unknown message type '{0}'")]
    Type(String),
    #[error("the message does not decode as {0}: {1}")]
    Decode(String, String),
    #[error("your {0} message does not parse: {1}")]
    Message(String, String),
    #[error("the message has no JSON form: {0}")]
    Json(String),
}

impl Workload {
    /// A built-in workload by its id.
    pub fn builtin(id: &str) -> Result<Workload, WorkloadError> {
        let b = BUILTIN.iter().find(|b| b.id == id).ok_or_else(|| WorkloadError::Unknown(id.into()))?;
        let typed: Box<dyn Typed> = match (b.id, b.users) {
            ("user", _) => Box::new(Pair::<User, JUser>::new(reference_user())),
            (_, Some(n)) => Box::new(Pair::<UserPage, JUserPage>::new(page(n as usize))),
            ("numbers", _) => Box::new(Pair::<Series, JSeries>::new(series(1000))),
            ("strings", _) => Box::new(Pair::<Article, JArticle>::new(article(100))),
            _ => return Err(WorkloadError::Unknown(id.into())),
        };
        Workload::typed(b.id.into(), b.title.into(), b.users, typed)
    }

    /// A page of `n` users, built as the built-in pages are but of any size: the criterion
    /// benches read [`BATCH_USERS`] of them, about 1 MiB.
    pub fn page(n: u32) -> Result<Workload, WorkloadError> {
        let typed = Box::new(Pair::<UserPage, JUserPage>::new(page(n as usize)));
        Workload::typed(format!("page-{n}"), format!("a page of {n} users"), Some(n), typed)
    }

    /// The numbers-heavy message with `n` values and timestamps (packed doubles and varints), of
    /// any size: 70,000 make about 1 MiB.
    pub fn numbers(n: usize) -> Result<Workload, WorkloadError> {
        let typed = Box::new(Pair::<Series, JSeries>::new(series(n)));
        Workload::typed(format!("numbers-{n}"), format!("a series of {n} values"), None, typed)
    }

    /// The strings-heavy message with `n` paragraphs, of any size: 3,000 make about 1 MiB.
    pub fn strings(n: usize) -> Result<Workload, WorkloadError> {
        let typed = Box::new(Pair::<Article, JArticle>::new(article(n)));
        Workload::typed(format!("strings-{n}"), format!("an article of {n} paragraphs"), None, typed)
    }

    /// A generated message in every other shape: its descriptor from [`descriptors`], its bytes
    /// decoded by prost-reflect, its JSON written by serde.
    fn typed(id: String, title: String, users: Option<u32>, typed: Box<dyn Typed>) -> Result<Workload, WorkloadError> {
        let desc = descriptors()
            .get_message_by_name(typed.type_name())
            .ok_or_else(|| WorkloadError::Type(typed.type_name().into()))?;
        let proto = typed.encode_prost();
        let dynamic = DynamicMessage::decode(desc, proto.as_slice())
            .map_err(|e| WorkloadError::Decode(typed.type_name().into(), e.to_string()))?;
        let json = typed.encode_json();
        let json_pretty =
            message::to_json(&dynamic, JsonStyle::PRETTY).map_err(|e| WorkloadError::Json(e.to_string()))?;
        Ok(Workload { id, title, users, proto, json, json_pretty, dynamic, typed: Some(typed) })
    }

    /// The playground's message as the user wrote it: `.proto` files, type, text in a notation.
    pub fn custom(c: &Custom) -> Result<Workload, WorkloadError> {
        let type_name = c.type_name.as_str();
        let schema = Schema::compile(&c.files).map_err(|e| WorkloadError::Schema(e.to_string()))?;
        let desc = schema.message(type_name).map_err(|_| WorkloadError::Type(type_name.into()))?;
        let notation = c.notation.parse().unwrap_or(Notation::Json);
        let dynamic = message::parse(&desc, &c.message, notation)
            .map_err(|e| WorkloadError::Message(type_name.into(), e.to_string()))?;
        let json = message::to_json(&dynamic, JsonStyle::CANONICAL).map_err(|e| WorkloadError::Json(e.to_string()))?;
        let json_pretty =
            message::to_json(&dynamic, JsonStyle::PRETTY).map_err(|e| WorkloadError::Json(e.to_string()))?;
        Ok(Workload {
            id: CUSTOM.into(),
            title: format!("your message ({type_name})"),
            users: None,
            proto: message::encode(&dynamic),
            json,
            json_pretty,
            dynamic,
            typed: None,
        })
    }

    pub fn descriptor(&self) -> MessageDescriptor {
        use wirelens_core::prost_reflect::ReflectMessage;
        self.dynamic.descriptor()
    }

    /// Whether the generated prost type and its serde mirror exist (not for the user's message).
    pub fn is_typed(&self) -> bool {
        self.typed.is_some()
    }

    /// Protobuf, compact and pretty JSON, each also gzipped.
    pub fn sizes(&self) -> Sizes {
        Sizes {
            workload: self.id.clone(),
            users: self.users,
            protobuf: self.proto.len(),
            protobuf_gzip: gzip_len(&self.proto),
            json: self.json.len(),
            json_gzip: gzip_len(self.json.as_bytes()),
            json_pretty: self.json_pretty.len(),
            json_pretty_gzip: gzip_len(self.json_pretty.as_bytes()),
        }
    }

    /// Every codec reads back what every other wrote: the same message, so they compare like
    /// with like. Says what differs.
    pub fn check(&self) -> Result<(), String> {
        let canonical = message::to_json(&self.dynamic, JsonStyle::CANONICAL).map_err(|e| e.to_string())?;
        if canonical != self.json {
            return Err(format!(
                "{}: the JSON codecs' text differs from canonical JSON:\n{}\n{canonical}",
                self.id, self.json
            ));
        }
        if message::encode(&self.dynamic) != self.proto {
            return Err(format!("{}: prost-reflect and prost write different bytes", self.id));
        }
        let from_json = message::parse_json(&self.descriptor(), &self.json).map_err(|e| e.to_string())?;
        if from_json != self.dynamic {
            return Err(format!("{}: the JSON reads back as a different message", self.id));
        }
        if let Some(typed) = &self.typed {
            typed.check(&self.proto, &self.json).map_err(|e| format!("{}: {e}", self.id))?;
        }
        Ok(())
    }
}

/// The reference schema with `bench.proto`, compiled once per call (cheap next to any run).
pub fn descriptors() -> DescriptorPool {
    let mut files: Vec<(&str, &str)> = REFERENCE.files.to_vec();
    files.push(BENCH_PROTO);
    Schema::compile(&files).expect("the reference files and bench.proto compile").pool().clone()
}

/// A generated prost type with its serde mirror: the codecs that know the schema at compile time.
pub(crate) trait Typed {
    fn type_name(&self) -> &'static str;
    fn encode_prost(&self) -> Vec<u8>;
    fn decode_prost(&self, bytes: &[u8]);
    fn encode_json(&self) -> String;
    fn decode_json(&self, text: &str);
    /// prost and serde each read back the value written by both.
    fn check(&self, proto: &[u8], json: &str) -> Result<(), String>;
}

struct Pair<P, J> {
    prost: P,
    json: J,
}

/// The generated message type and the full protobuf name it has.
trait Named {
    const NAME: &'static str;
}

impl Named for User {
    const NAME: &'static str = "userservice.User";
}
impl Named for UserPage {
    const NAME: &'static str = "bench.UserPage";
}
impl Named for Series {
    const NAME: &'static str = "bench.Series";
}
impl Named for Article {
    const NAME: &'static str = "bench.Article";
}

impl<P, J> Pair<P, J>
where
    J: for<'a> From<&'a P>,
{
    fn new(prost: P) -> Pair<P, J> {
        let json = J::from(&prost);
        Pair { prost, json }
    }
}

impl<P, J> Typed for Pair<P, J>
where
    P: prost::Message + Default + PartialEq + Named + for<'a> From<&'a J>,
    J: Serialize + DeserializeOwned,
{
    fn type_name(&self) -> &'static str {
        P::NAME
    }

    fn encode_prost(&self) -> Vec<u8> {
        black_box(&self.prost).encode_to_vec()
    }

    fn decode_prost(&self, bytes: &[u8]) {
        black_box(P::decode(black_box(bytes)).ok());
    }

    fn encode_json(&self) -> String {
        serde_json::to_string(black_box(&self.json)).expect("the serde mirrors always serialize")
    }

    fn decode_json(&self, text: &str) {
        black_box(serde_json::from_str::<J>(black_box(text)).ok());
    }

    fn check(&self, proto: &[u8], json: &str) -> Result<(), String> {
        let from_proto = P::decode(proto).map_err(|e| format!("prost does not read its bytes back: {e}"))?;
        if from_proto != self.prost {
            return Err("prost reads its bytes back as a different message".into());
        }
        let from_json: J = serde_json::from_str(json).map_err(|e| format!("serde does not read its JSON back: {e}"))?;
        if P::from(&from_json) != self.prost {
            return Err("serde's JSON reads back as a different message".into());
        }
        Ok(())
    }
}

// --- The built-in messages, from fixed seeds -------------------------------------------------

/// The reference user: id 42, Alice, alice@example.com, roles admin and user, ACTIVE.
pub fn reference_user() -> User {
    User {
        id: 42,
        name: "Alice".into(),
        email: "alice@example.com".into(),
        roles: vec!["admin".into(), "user".into()],
        address: None,
        status: Status::Active as i32,
    }
}

/// `n` users like the server's: ids of 1 to 6 varint bytes, names and emails of varied length
/// (some non-ASCII), 0 to 3 roles, an address for one in three, every status.
pub fn page(n: usize) -> UserPage {
    const FIRST: &[&str] = &["Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy"];
    const LAST: &[&str] = &["Smith", "Nguyen", "Okafor", "Garcia", "Müller", "Kowalski", "Tanaka", "O'Brien"];
    const ROLES: &[&str] = &["admin", "user", "editor", "viewer", "billing"];
    const CITIES: &[(&str, &str)] =
        &[("Springfield", "US"), ("Lisbon", "PT"), ("Osaka", "JP"), ("Nairobi", "KE"), ("Zürich", "CH")];
    let mut rng = SplitMix(0x5eed + n as u64);
    let users = (0..n)
        .map(|_| {
            let (first, last) = (FIRST[rng.below(FIRST.len())], LAST[rng.below(LAST.len())]);
            let id = (rng.next() >> rng.below(64).max(24)) as i64 + 1;
            let roles = (0..rng.below(4)).map(|i| ROLES[(i * 2 + rng.below(2)) % ROLES.len()].to_owned()).collect();
            let address = (rng.below(3) == 0).then(|| {
                let (city, country) = CITIES[rng.below(CITIES.len())];
                Address {
                    street: format!("{} {last} Street", rng.below(2000) + 1),
                    city: city.into(),
                    country: country.into(),
                    zip_code: format!("{:05}", rng.below(100_000)),
                }
            });
            User {
                id,
                name: format!("{first} {last}"),
                email: format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), id % 1000),
                roles,
                address,
                status: rng.below(3) as i32,
            }
        })
        .collect();
    UserPage { users, next_page_token: if n > 1 { format!("after-{n}") } else { String::new() } }
}

/// A sensor's series: `n` doubles of three decimals and `n` increasing millisecond timestamps.
pub fn series(n: usize) -> Series {
    let mut rng = SplitMix(7);
    let start = 1_764_000_000_000i64;
    Series {
        name: "temperature".into(),
        // Three decimals, as a sensor reports them (and as JSON parsers read back exactly).
        values: (0..n)
            .map(|i| {
                ((20.0 + (i as f64 / 10.0).sin() * 5.0 + rng.below(1000) as f64 / 997.0) * 1000.0).round() / 1000.0
            })
            .collect(),
        timestamps: (0..n).map(|i| start + i as i64 * 1000 + rng.below(50) as i64).collect(),
    }
}

/// An article of `n` paragraphs of 1 to 8 sentences, some with non-ASCII words.
pub fn article(n: usize) -> Article {
    const WORDS: &[&str] = &[
        "protobuf", "wire", "format", "varint", "field", "message", "the", "of", "and", "bytes", "schema", "JSON",
        "naïve", "café", "Zürich", "größer", "encode", "decode", "length", "prefix", "tag", "string",
    ];
    let mut rng = SplitMix(11);
    let sentence = |rng: &mut SplitMix| {
        let words: Vec<&str> = (0..rng.below(14) + 4).map(|_| WORDS[rng.below(WORDS.len())]).collect();
        format!("{}.", words.join(" "))
    };
    Article {
        title: "How the wire format spends its bytes".into(),
        paragraphs: (0..n)
            .map(|_| (0..rng.below(8) + 1).map(|_| sentence(&mut rng)).collect::<Vec<_>>().join(" "))
            .collect(),
        tags: vec!["protobuf".into(), "json".into(), "benchmark".into()],
    }
}

/// A fixed, well-mixed sequence.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

// --- The serde mirrors: the same shapes as their canonical proto3 JSON -----------------------
// camelCase keys, defaults left out, int64 as strings, enums by name: serde_json writes exactly
// the text wirelens-core's canonical printer writes (`Workload::check` holds them to it).

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JUser {
    #[serde(default, skip_serializing_if = "is_zero", with = "int64")]
    pub id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<JAddress>,
    #[serde(default, skip_serializing_if = "JStatus::is_unknown")]
    pub status: JStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JAddress {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub street: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub city: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub country: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub zip_code: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[allow(clippy::upper_case_acronyms)]
pub enum JStatus {
    #[default]
    UNKNOWN,
    ACTIVE,
    INACTIVE,
}

impl JStatus {
    fn is_unknown(&self) -> bool {
        *self == JStatus::UNKNOWN
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JUserPage {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<JUser>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub next_page_token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JSeries {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "int64s")]
    pub timestamps: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JArticle {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// proto3 JSON writes an int64 as a decimal string (and reads a string or a number).
mod int64 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(n: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(n)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        match Int64::deserialize(d)? {
            Int64::Number(n) => Ok(n),
            Int64::Text(s) => s.parse().map_err(D::Error::custom),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    pub(super) enum Int64 {
        Number(i64),
        Text(String),
    }
}

mod int64s {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(ns: &[i64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ns.iter().map(|n| n.to_string()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
        Vec::<super::int64::Int64>::deserialize(d)?
            .into_iter()
            .map(|n| match n {
                super::int64::Int64::Number(n) => Ok(n),
                super::int64::Int64::Text(s) => s.parse().map_err(D::Error::custom),
            })
            .collect()
    }
}

impl From<&User> for JUser {
    fn from(u: &User) -> JUser {
        JUser {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            roles: u.roles.clone(),
            address: u.address.as_ref().map(|a| JAddress {
                street: a.street.clone(),
                city: a.city.clone(),
                country: a.country.clone(),
                zip_code: a.zip_code.clone(),
            }),
            status: match Status::try_from(u.status) {
                Ok(Status::Active) => JStatus::ACTIVE,
                Ok(Status::Inactive) => JStatus::INACTIVE,
                _ => JStatus::UNKNOWN,
            },
        }
    }
}

impl From<&JUser> for User {
    fn from(u: &JUser) -> User {
        User {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            roles: u.roles.clone(),
            address: u.address.as_ref().map(|a| Address {
                street: a.street.clone(),
                city: a.city.clone(),
                country: a.country.clone(),
                zip_code: a.zip_code.clone(),
            }),
            status: match u.status {
                JStatus::UNKNOWN => Status::Unknown,
                JStatus::ACTIVE => Status::Active,
                JStatus::INACTIVE => Status::Inactive,
            } as i32,
        }
    }
}

impl From<&UserPage> for JUserPage {
    fn from(p: &UserPage) -> JUserPage {
        JUserPage { users: p.users.iter().map(JUser::from).collect(), next_page_token: p.next_page_token.clone() }
    }
}

impl From<&JUserPage> for UserPage {
    fn from(p: &JUserPage) -> UserPage {
        UserPage { users: p.users.iter().map(User::from).collect(), next_page_token: p.next_page_token.clone() }
    }
}

impl From<&Series> for JSeries {
    fn from(s: &Series) -> JSeries {
        JSeries { name: s.name.clone(), values: s.values.clone(), timestamps: s.timestamps.clone() }
    }
}

impl From<&JSeries> for Series {
    fn from(s: &JSeries) -> Series {
        Series { name: s.name.clone(), values: s.values.clone(), timestamps: s.timestamps.clone() }
    }
}

impl From<&Article> for JArticle {
    fn from(a: &Article) -> JArticle {
        JArticle { title: a.title.clone(), paragraphs: a.paragraphs.clone(), tags: a.tags.clone() }
    }
}

impl From<&JArticle> for Article {
    fn from(a: &JArticle) -> Article {
        Article { title: a.title.clone(), paragraphs: a.paragraphs.clone(), tags: a.tags.clone() }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn every_builtin_workload_reads_back_the_same_message_through_every_codec() {
        for b in BUILTIN {
            let w = Workload::builtin(b.id).unwrap();
            w.check().unwrap();
            assert!(
                !w.proto.is_empty() && w.json.len() > w.proto.len(),
                "{}: {} vs {}",
                b.id,
                w.proto.len(),
                w.json.len()
            );
        }
    }

    #[test]
    fn the_reference_user_is_43_bytes_of_protobuf_and_the_examples_json() {
        let w = Workload::builtin("user").unwrap();
        assert_eq!(w.proto.len(), 43);
        assert_eq!(w.json, wirelens_core::examples::REFERENCE_USER_JSON);
    }

    #[test]
    fn pages_hold_their_number_of_users() {
        for n in [1, 10, 100] {
            assert_eq!(page(n).users.len(), n);
        }
    }

    #[test]
    fn the_benches_batch_is_a_page_of_about_one_mib_that_every_codec_reads_back() {
        let w = Workload::page(BATCH_USERS).unwrap();
        w.check().unwrap();
        assert_eq!((w.id.as_str(), w.users), ("page-14000", Some(BATCH_USERS)));
        assert!((1 << 20..(1 << 20) + (1 << 16)).contains(&w.proto.len()), "{} bytes", w.proto.len());
    }

    /// The playground's message as its permalink holds it: the files, the type, the text.
    pub(crate) fn custom(type_name: &str, message: &str, notation: &str) -> Custom {
        let mut files: Vec<(String, String)> =
            REFERENCE.files.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
        files.push((BENCH_PROTO.0.into(), BENCH_PROTO.1.into()));
        Custom { files, type_name: type_name.into(), message: message.into(), notation: notation.into() }
    }

    #[test]
    fn the_users_message_is_a_workload_and_bad_input_is_an_error() {
        let numbers = Workload::builtin("numbers").unwrap();
        let w = Workload::custom(&custom("bench.Series", &numbers.json, "json")).unwrap();
        w.check().unwrap();
        assert!(!w.is_typed());
        assert_eq!(w.proto, numbers.proto);
        let text = Workload::custom(&custom("userservice.User", "id: 42 name: \"Alice\"", "text")).unwrap();
        assert_eq!(text.proto, [0x08, 0x2a, 0x12, 0x05, b'A', b'l', b'i', b'c', b'e']);
        assert!(matches!(Workload::custom(&custom("bench.Nope", "{}", "json")), Err(WorkloadError::Type(_))));
        let bad = Workload::custom(&custom("bench.Series", "{\"values\": [1,", "json"));
        assert!(matches!(bad, Err(WorkloadError::Message(..))), "{:?}", bad.err());
        let mut broken = custom("bench.Series", "{}", "json");
        broken.files[0].1.push_str("message {");
        assert!(matches!(Workload::custom(&broken), Err(WorkloadError::Schema(_))));
        assert!(matches!(Workload::builtin("page-7"), Err(WorkloadError::Unknown(_))));
    }
}
