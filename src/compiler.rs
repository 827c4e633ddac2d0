//! The `.proto` compiler (protox), fetched the first time the page needs it. The examples and
//! Learn mode's lessons come compiled at build time (`wirelens_core::schema::precompiled`), so
//! only the user's own files (edited, added, drafted, or opened from a link) need it, and neither
//! the first screen nor any tab carries it.
//!
//! The reducer stays synchronous: `State::compile` asks [`loaded`], and when the code is not here
//! yet it marks the state as waiting; the page then calls [`load`] and compiles again. The seam
//! is the tabs' (`lazy.rs`): a `#[wasm_split]` function is the page's only path to
//! `Schema::compile`. On the host (`cargo test`), the compiler is always here.

use std::cell::Cell;

use wasm_split_helpers::SplitLoaderError;
use wirelens_core::schema::{Schema, SchemaError};

/// Compiles `(import name, source)` files into a schema.
pub type Compile = fn(&[(String, String)]) -> Result<Schema, SchemaError>;

thread_local! {
    static LOADED: Cell<Option<Compile>> = const { Cell::new(None) };
}

/// The compiler, if its code is here.
pub fn loaded() -> Option<Compile> {
    // Off the browser nothing is split: the compiler is always here (but in tests that ask).
    #[cfg(not(target_arch = "wasm32"))]
    return (!ABSENT.get()).then_some(Schema::compile::<String, String>);
    #[cfg(target_arch = "wasm32")]
    LOADED.get()
}

#[cfg(not(target_arch = "wasm32"))]
thread_local! {
    static ABSENT: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` as the page before the compiler's code has come: for tests of the states that wait.
#[cfg(test)]
pub fn absent<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(not(target_arch = "wasm32"))]
    ABSENT.set(true);
    let out = f();
    #[cfg(not(target_arch = "wasm32"))]
    ABSENT.set(false);
    out
}

/// Fetches the compiler's code (once: later calls are ready at once); [`loaded`] has it after.
pub async fn load() -> Result<Compile, SplitLoaderError> {
    let compile = split_compiler().await?;
    LOADED.set(Some(compile));
    Ok(compile)
}

/// Starts fetching the compiler's code without using it: for a schema editor that has the
/// focus, whose next keystroke will need it. What fails here is tried again when it is needed.
pub fn prefetch() {
    if LOADED.get().is_none() {
        wasm_bindgen_futures::spawn_local(async {
            let _ = load().await;
        });
    }
}

#[wasm_split_helpers::wasm_split(compiler, fallible)]
fn split_compiler() -> Result<Compile, SplitLoaderError> {
    Ok(Schema::compile::<String, String>)
}
