//! The UserService's operations with their validation, once for both twins: the gRPC service
//! and the REST routes call these and only translate. Knows the store and `ApiError`; knows
//! nothing about frames, headers or JSON.

use std::time::Duration;

use sha2::{Digest as _, Sha256};
use wirelens_api::{UploadResult, User};

use crate::error::ApiError;
use crate::store::{self, NewPhoto, Store};

/// The page size when a request asks for none (0).
pub const DEFAULT_PAGE_SIZE: u32 = 10;
/// The largest page; larger requests get this many.
pub const MAX_PAGE_SIZE: u32 = 100;
/// The longest `x-wirelens-work-ms` / `x-wirelens-delay-ms` honoured.
pub const MAX_DEMO_DELAY: Duration = Duration::from_secs(10);

/// One page of `ListUsers`.
pub struct Page {
    pub users: Vec<User>,
    /// Empty on the last page.
    pub next_page_token: String,
}

/// `GetUser`: NOT_FOUND for an unknown id, INVALID_ARGUMENT for an id that cannot exist.
pub async fn get_user(store: &Store, id: i64) -> Result<User, ApiError> {
    if id <= 0 {
        return Err(ApiError::invalid_argument("user_id", format!("must be positive, got {id}")));
    }
    store.run(move |conn| store::user(conn, id)).await.map_err(internal)?.ok_or_else(|| ApiError::user_not_found(id))
}

/// `ListUsers`: users in id order after the position `page_token` names. The token is opaque to
/// clients; here it is the last id of the previous page, in decimal.
pub async fn list_users(store: &Store, page_size: i32, page_token: &str) -> Result<Page, ApiError> {
    let PageRequest { size, after } = page_request(page_size, page_token)?;
    let (users, more) = store.run(move |conn| store::users_after(conn, after, size)).await.map_err(internal)?;
    let next_page_token = match users.last() {
        Some(last) if more => last.id.to_string(),
        _ => String::new(),
    };
    Ok(Page { users, next_page_token })
}

/// A `ListUsers` request checked: how many users, after which id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1 to [`MAX_PAGE_SIZE`].
    pub size: u32,
    /// 0 for the first page.
    pub after: i64,
}

/// Checks a page size (0: the default; more than [`MAX_PAGE_SIZE`]: that many) and a page
/// token (empty, or one this server gave out). Pure: the fuzz target calls it.
pub fn page_request(page_size: i32, page_token: &str) -> Result<PageRequest, ApiError> {
    let size = match page_size {
        0 => DEFAULT_PAGE_SIZE,
        n if n < 0 => return Err(ApiError::invalid_argument("page_size", format!("must not be negative, got {n}"))),
        n => (n as u32).min(MAX_PAGE_SIZE),
    };
    let after = match page_token {
        "" => 0,
        token => token.parse::<i64>().ok().filter(|&after| after > 0).ok_or_else(|| {
            ApiError::invalid_argument("page_token", format!("'{token}' is not a token this server gave out"))
        })?,
    };
    Ok(PageRequest { size, after })
}

/// Collects the chunks of one upload, checking each as it arrives, then saves the photo in one
/// transaction. Nothing reaches the database before [`Upload::finish`].
pub struct Upload {
    limit: usize,
    user_id: i64,
    filename: String,
    content_type: String,
    chunks: Vec<Vec<u8>>,
    total: usize,
    hasher: Sha256,
}

impl Upload {
    /// An upload of at most `limit` bytes in all.
    pub fn new(limit: usize) -> Upload {
        Upload {
            limit,
            user_id: 0,
            filename: String::new(),
            content_type: String::new(),
            chunks: Vec::new(),
            total: 0,
            hasher: Sha256::new(),
        }
    }

    /// Adds the next chunk. The first sets the user, file name and content type; every chunk's
    /// `chunk_index` must be its position (0, 1, 2, …).
    pub fn push(&mut self, chunk: wirelens_api::PhotoUpload) -> Result<(), ApiError> {
        let expected = self.chunks.len();
        if chunk.chunk_index as usize != expected {
            return Err(ApiError::invalid_argument(
                "chunk_index",
                format!("expected chunk {expected}, got {} (missing or reordered chunk)", chunk.chunk_index),
            ));
        }
        if expected == 0 {
            if chunk.user_id <= 0 {
                return Err(ApiError::invalid_argument("user_id", "the first chunk must name a user"));
            }
            self.user_id = chunk.user_id;
            self.filename = chunk.filename;
            self.content_type = chunk.content_type;
        }
        self.total = self.total.saturating_add(chunk.chunk.len());
        if self.total > self.limit {
            return Err(ApiError::too_large("the photo", self.limit));
        }
        self.hasher.update(&chunk.chunk);
        self.chunks.push(chunk.chunk);
        Ok(())
    }

    /// Saves the photo: one transaction, so a failure leaves no trace of it.
    pub async fn finish(self, store: &Store) -> Result<UploadResult, ApiError> {
        if self.chunks.is_empty() {
            return Err(ApiError::invalid_argument("chunk", "the upload has no chunks"));
        }
        let user_id = self.user_id;
        get_user(store, user_id).await?;
        let sha256_hex: String = self.hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let chunk_count = self.chunks.len() as u32;
        let total_bytes = self.total as u64;
        let photo = NewPhoto {
            user_id,
            filename: self.filename,
            content_type: self.content_type,
            chunks: self.chunks,
            sha256_hex: sha256_hex.clone(),
        };
        let id = store.run(move |conn| store::save_photo(conn, &photo)).await.map_err(internal)?;
        Ok(UploadResult { user_id, photo_id: format!("photo-{id}"), total_bytes, chunk_count, sha256_hex })
    }
}

fn internal(error: store::StoreError) -> ApiError {
    tracing::error!(%error, "database failure");
    ApiError::internal("the database failed; see the server's log")
}
