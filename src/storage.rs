//! The page's local storage: the keys and best-effort reads and writes (a full or disabled
//! storage costs the saved work, never the page).

/// The work in progress, as a permalink (`share`), kept between visits.
pub const SAVED_KEY: &str = "wirelens.state";
/// The recent works (`history::History`).
pub const HISTORY_KEY: &str = "wirelens.history";
/// The lessons done in Learn mode (apart from the playground's work).
pub const PROGRESS_KEY: &str = "wirelens.learn";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn stored(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

pub fn store(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(key, value);
    }
}
