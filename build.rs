//! The app's wasm keeps its relocations: `cargo xtask split-app` (run by trunk after its build)
//! reads them to cut the gRPC, benchmark and Learn tabs into modules of their own (see
//! `src/lazy.rs`). Only the app's binary is linked this way; nothing else changes.

fn main() {
    // Only this file decides the link arguments (without this line any file of the package
    // would rerun the script and relink the app).
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        // Relocations to cut by, and the function table exported for the cut-off modules to share.
        for arg in ["--emit-relocs", "--export-table"] {
            println!("cargo::rustc-link-arg-bin=wirelens-app={arg}");
        }
    }
}
