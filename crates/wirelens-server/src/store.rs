//! The SQLite database: users (seeded on first open) and uploaded photos with their chunks.
//! One connection behind a mutex; async callers go through [`Store::run`], which holds it on a
//! blocking thread. Knows SQL and the generated message types; knows nothing about gRPC or HTTP.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension as _, params};
use wirelens_api::{Address, User};

use crate::seed;

/// The database; cheap to clone (all clones share one connection).
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// A photo ready to be saved in one transaction.
pub struct NewPhoto {
    pub user_id: i64,
    pub filename: String,
    pub content_type: String,
    pub chunks: Vec<Vec<u8>>,
    pub sha256_hex: String,
}

/// A database failure, with the file it concerns when opening failed.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {source}")]
pub struct StoreError {
    context: String,
    #[source]
    source: rusqlite::Error,
}

impl StoreError {
    fn new(context: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> StoreError {
        let context = context.into();
        move |source| StoreError { context, source }
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    email    TEXT NOT NULL,
    roles    TEXT NOT NULL,      -- comma-separated, in order
    status   INTEGER NOT NULL,   -- User.Status number
    street   TEXT, city TEXT, country TEXT, zip_code TEXT  -- all NULL: no address
);
CREATE TABLE IF NOT EXISTS photos (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    total_bytes  INTEGER NOT NULL,
    chunk_count  INTEGER NOT NULL,
    sha256_hex   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS photo_chunks (
    photo_id    INTEGER NOT NULL REFERENCES photos(id),
    chunk_index INTEGER NOT NULL,
    data        BLOB NOT NULL,
    PRIMARY KEY (photo_id, chunk_index)
);
";

impl Store {
    /// Opens (creating if needed) the database file at `path` and seeds it if it has no users.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let context = || format!("could not open database {}", path.display());
        let conn = Connection::open(path).map_err(StoreError::new(context()))?;
        Store::init(conn, context())
    }

    /// A fresh, seeded database that lives in memory and ends with the process.
    pub fn in_memory() -> Result<Store, StoreError> {
        Store::init(
            Connection::open_in_memory().map_err(StoreError::new("in-memory database"))?,
            "in-memory database".into(),
        )
    }

    fn init(mut conn: Connection, context: String) -> Result<Store, StoreError> {
        // WAL: a crash never leaves a half-applied transaction, and readers do not block the writer.
        // (In-memory databases answer "memory"; either is fine.)
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
            .and_then(|()| conn.pragma_update(None, "foreign_keys", "ON"))
            .and_then(|()| conn.execute_batch(SCHEMA))
            .map_err(StoreError::new(context.clone()))?;
        let count: i64 = conn
            .query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))
            .map_err(StoreError::new(context.clone()))?;
        if count == 0 {
            seed_users(&mut conn).map_err(StoreError::new(format!("{context}: seeding users")))?;
        }
        Ok(Store { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection on a blocking thread: rusqlite is synchronous.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while the lock was held poisons it; the connection itself is still sound.
            let mut conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut conn).map_err(StoreError::new("database"))
        })
        .await
        .unwrap_or_else(|join| panic!("database task panicked: {join}"))
    }
}

fn seed_users(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    for user in seed::users() {
        insert_user(&tx, &user)?;
    }
    tx.commit()
}

fn insert_user(conn: &Connection, user: &User) -> rusqlite::Result<()> {
    let address = user.address.as_ref();
    conn.execute(
        "INSERT INTO users (id, name, email, roles, status, street, city, country, zip_code)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            user.id,
            user.name,
            user.email,
            user.roles.join(","),
            user.status,
            address.map(|a| &a.street),
            address.map(|a| &a.city),
            address.map(|a| &a.country),
            address.map(|a| &a.zip_code),
        ],
    )?;
    Ok(())
}

const USER_COLUMNS: &str = "id, name, email, roles, status, street, city, country, zip_code";

fn user_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let roles: String = row.get(3)?;
    let street: Option<String> = row.get(5)?;
    let address = match street {
        None => None,
        Some(street) => Some(Address { street, city: row.get(6)?, country: row.get(7)?, zip_code: row.get(8)? }),
    };
    Ok(User {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        roles: if roles.is_empty() { vec![] } else { roles.split(',').map(str::to_owned).collect() },
        address,
        status: row.get(4)?,
    })
}

/// The user with `id`, if any.
pub fn user(conn: &Connection, id: i64) -> rusqlite::Result<Option<User>> {
    conn.query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"), [id], user_from_row).optional()
}

/// Up to `limit` users with ids above `after`, in id order, and whether more follow.
pub fn users_after(conn: &Connection, after: i64, limit: u32) -> rusqlite::Result<(Vec<User>, bool)> {
    let mut stmt = conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users WHERE id > ?1 ORDER BY id LIMIT ?2"))?;
    let mut users =
        stmt.query_map(params![after, i64::from(limit) + 1], user_from_row)?.collect::<Result<Vec<_>, _>>()?;
    let more = users.len() > limit as usize;
    users.truncate(limit as usize);
    Ok((users, more))
}

/// Saves a photo and its chunks in one transaction; returns the photo's id. Either all of it is
/// in the database afterwards or (on any error, or a crash) none of it.
pub fn save_photo(conn: &mut Connection, photo: &NewPhoto) -> rusqlite::Result<i64> {
    let tx = conn.transaction()?;
    let total: usize = photo.chunks.iter().map(Vec::len).sum();
    tx.execute(
        "INSERT INTO photos (user_id, filename, content_type, total_bytes, chunk_count, sha256_hex)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            photo.user_id,
            photo.filename,
            photo.content_type,
            total as i64,
            photo.chunks.len() as i64,
            photo.sha256_hex
        ],
    )?;
    let id = tx.last_insert_rowid();
    {
        let mut insert = tx.prepare("INSERT INTO photo_chunks (photo_id, chunk_index, data) VALUES (?1, ?2, ?3)")?;
        for (index, chunk) in photo.chunks.iter().enumerate() {
            insert.execute(params![id, index as i64, chunk])?;
        }
    }
    tx.commit()?;
    Ok(id)
}

/// The number of photos stored, and of their chunks.
pub fn photo_counts(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    let photos = conn.query_row("SELECT COUNT(*) FROM photos", [], |row| row.get(0))?;
    let chunks = conn.query_row("SELECT COUNT(*) FROM photo_chunks", [], |row| row.get(0))?;
    Ok((photos, chunks))
}
