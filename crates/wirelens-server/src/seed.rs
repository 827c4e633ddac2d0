//! The users a new database starts with: the same on every machine, so tests and docs can name
//! them. User 42 is the reference material's Alice (43 bytes on the wire). Knows no SQL.

use wirelens_api::{Address, User, userservice::user::Status};

/// How many users a new database holds: ids 1 to `COUNT`.
pub const COUNT: i64 = 60;

/// The reference user's id.
pub const REFERENCE_ID: i64 = 42;

const NAMES: &[&str] = &[
    "Ada", "Bob", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana", "Ivan", "Júlia", "Kofi", "Lena", "Mateo", "Noor",
    "Oskar", "Priya",
];

const CITIES: &[(&str, &str, &str)] =
    &[("Lisbon", "PT", "1100-148"), ("Nairobi", "KE", "00100"), ("Osaka", "JP", "530-0001"), ("Quito", "EC", "170150")];

/// The seeded users, in id order.
pub fn users() -> Vec<User> {
    (1..=COUNT).map(user).collect()
}

/// Seeded user `id` (1 to [`COUNT`]).
pub fn user(id: i64) -> User {
    if id == REFERENCE_ID {
        // Exactly the reference: no address, so the message is the 43 bytes the README shows.
        return User {
            id,
            name: "Alice".into(),
            email: "alice@example.com".into(),
            roles: vec!["admin".into(), "user".into()],
            address: None,
            status: Status::Active.into(),
        };
    }
    let index = usize::try_from(id).unwrap_or_default();
    let name = NAMES[index % NAMES.len()];
    let mut roles = vec!["user".to_owned()];
    if id % 10 == 0 {
        roles.insert(0, "admin".into());
    }
    let address = (id % 3 == 0).then(|| {
        let (city, country, zip_code) = CITIES[index % CITIES.len()];
        Address {
            street: format!("{id} Main Street"),
            city: city.into(),
            country: country.into(),
            zip_code: zip_code.into(),
        }
    });
    User {
        id,
        name: name.into(),
        email: format!("{}{id}@example.com", name.to_lowercase()),
        roles,
        address,
        status: if id % 7 == 0 { Status::Inactive } else { Status::Active }.into(),
    }
}
