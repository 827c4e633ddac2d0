//! The inputs every benchmark shares: the reference user and a batch of about 1 MiB of users,
//! built from a fixed seed, in four shapes (bytes, prost types, `DynamicMessage`, serde structs).
//!
//! Knows the `userservice` schema plus one bench-only file, `bench.proto`, that wraps many users
//! in `UserBatch { repeated User users = 1; }`. Times nothing.

// Each bench binary uses its own part of this module.
#![allow(dead_code)]

use prost_reflect::{DynamicMessage, MessageDescriptor};
use serde::{Deserialize, Serialize};
use wirelens_api::userservice::{Address, User, user::Status};
use wirelens_core::examples::{REFERENCE, REFERENCE_USER_JSON};
use wirelens_core::schema::Schema;

/// The size the batch grows to: it stops at the first user past this many bytes.
pub const BATCH_TARGET: usize = 1 << 20;

/// The bench-only file: a message whose bytes are many `User` records one after the other.
pub const BENCH_PROTO: &str = r#"
syntax = "proto3";
package bench;
import "userservice/user.proto";
message UserBatch {
  repeated userservice.User users = 1;
}
"#;

/// The batch type, as prost types: `users` is field 1, as in `bench.proto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UserBatch {
    #[prost(message, repeated, tag = "1")]
    pub users: Vec<User>,
}

/// Descriptors of `userservice.User` and `bench.UserBatch`, compiled from the embedded sources.
pub struct Descriptors {
    pub user: MessageDescriptor,
    pub batch: MessageDescriptor,
}

pub fn descriptors() -> Descriptors {
    let mut files: Vec<(&str, &str)> = REFERENCE.files.to_vec();
    files.push(("bench.proto", BENCH_PROTO));
    let schema = Schema::compile(&files).expect("the reference files and bench.proto compile");
    Descriptors {
        user: schema.message("userservice.User").expect("userservice.User"),
        batch: schema.message("bench.UserBatch").expect("bench.UserBatch"),
    }
}

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

/// The reference user parsed from the examples' JSON, as a `DynamicMessage`.
pub fn reference_dynamic(desc: &MessageDescriptor) -> DynamicMessage {
    wirelens_core::message::parse_json(desc, REFERENCE_USER_JSON).expect("the reference JSON parses")
}

/// Users until their encoding passes [`BATCH_TARGET`] bytes: ids from 1 to 2^40, names and
/// emails of varied length, zero to three roles, an address for one in three, every status.
pub fn batch() -> UserBatch {
    const FIRST: &[&str] = &["Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy"];
    const LAST: &[&str] = &["Smith", "Nguyen", "Okafor", "Garcia", "Müller", "Kowalski", "Tanaka", "O'Brien"];
    const ROLES: &[&str] = &["admin", "user", "editor", "viewer", "billing"];
    const CITIES: &[&str] = &["Springfield", "Lisbon", "Osaka", "Nairobi", "Zürich", "Montréal"];
    const COUNTRIES: &[&str] = &["US", "PT", "JP", "KE", "CH", "CA"];
    let mut rng = SplitMix(0x5eed);
    let mut batch = UserBatch { users: Vec::new() };
    let mut len = 0;
    while len < BATCH_TARGET {
        let first = FIRST[rng.below(FIRST.len())];
        let last = LAST[rng.below(LAST.len())];
        let id = (rng.next() >> rng.below(64).max(24)) as i64 + 1;
        let roles = (0..rng.below(4)).map(|i| ROLES[(i * 2 + rng.below(2)) % ROLES.len()].to_owned()).collect();
        let address = (rng.below(3) == 0).then(|| {
            let city = rng.below(CITIES.len());
            Address {
                street: format!("{} {} Street", rng.below(2000) + 1, LAST[rng.below(LAST.len())]),
                city: CITIES[city].into(),
                country: COUNTRIES[city].into(),
                zip_code: format!("{:05}", rng.below(100_000)),
            }
        });
        let user = User {
            id,
            name: format!("{first} {last}"),
            email: format!(
                "{}.{}{}@example.{}",
                first.to_lowercase(),
                last.to_lowercase(),
                id % 1000,
                ["com", "org"][rng.below(2)]
            ),
            roles,
            address,
            status: rng.below(3) as i32,
        };
        len += prost::encoding::message::encoded_len(1, &user);
        batch.users.push(user);
    }
    batch
}

/// The serde mirror of `userservice.User`, shaped like its proto3 JSON (camelCase, enum names,
/// defaults left out); `id` is a JSON number here, where proto3 JSON writes int64 as a string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonUser {
    #[serde(default, skip_serializing_if = "is_zero")]
    pub id: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<JsonAddress>,
    #[serde(default, skip_serializing_if = "JsonStatus::is_unknown")]
    pub status: JsonStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonAddress {
    pub street: String,
    pub city: String,
    pub country: String,
    pub zip_code: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[allow(clippy::upper_case_acronyms)]
pub enum JsonStatus {
    #[default]
    UNKNOWN,
    ACTIVE,
    INACTIVE,
}

impl JsonStatus {
    fn is_unknown(&self) -> bool {
        *self == JsonStatus::UNKNOWN
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonBatch {
    pub users: Vec<JsonUser>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl From<&User> for JsonUser {
    fn from(u: &User) -> JsonUser {
        JsonUser {
            id: u.id,
            name: u.name.clone(),
            email: u.email.clone(),
            roles: u.roles.clone(),
            address: u.address.as_ref().map(|a| JsonAddress {
                street: a.street.clone(),
                city: a.city.clone(),
                country: a.country.clone(),
                zip_code: a.zip_code.clone(),
            }),
            status: match Status::try_from(u.status) {
                Ok(Status::Active) => JsonStatus::ACTIVE,
                Ok(Status::Inactive) => JsonStatus::INACTIVE,
                _ => JsonStatus::UNKNOWN,
            },
        }
    }
}

impl From<&UserBatch> for JsonBatch {
    fn from(b: &UserBatch) -> JsonBatch {
        JsonBatch { users: b.users.iter().map(JsonUser::from).collect() }
    }
}

/// A fixed, well-mixed sequence: the same batch on every run.
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
