//! `cargo xtask split-app`: trunk's post-build hook (Trunk.toml), which cuts the app's wasm at
//! its `#[wasm_split]` points (`src/lazy.rs`) into the first download and the modules the gRPC,
//! benchmark and Learn tabs fetch when they first open. All parts share one memory and one
//! function table: one app, loaded in pieces.
//!
//! By the time the hook runs, trunk has built, bound and optimised the whole app into its staging
//! directory and written index.html. This step starts again from cargo's linked module (the app's
//! build.rs keeps its relocations and exports its function table), splits it with
//! wasm_split_cli_support, binds the main part with the same wasm-bindgen (keeping the table
//! export the parts share) and optimises every part at index.html's wasm-opt level. The main part
//! replaces trunk's files under their names; the parts that load later, and the small module that
//! loads them, are named with the same content hash (so the server lets browsers keep them). In
//! index.html the integrity of the replaced files is brought up to date, and the loader module is
//! preloaded beside the app's own script, so it is not a request made only after that one.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::util;

/// The app's binary (index.html's `data-bin`).
const BIN: &str = "wirelens-app";
/// The cargo profile of trunk's release build (index.html's `data-cargo-profile-release`).
const RELEASE_PROFILE: &str = "wasm-release";
/// wasm-opt's options for every part in release builds: favour size, they go over the network.
/// (index.html turns trunk's own wasm-opt off: its work on the whole module would be thrown away.)
/// `--low-memory-unused` lets it fold a constant added to an address into the load's or store's
/// offset, which is exact unless the addition wraps past 4 GiB into the first KiB, which no valid
/// Rust pointer does: 3.6 KB less brotli over the first download and the tabs' parts. The two
/// custom sections every part carries, which browsers never read (`producers`: the compilers
/// that made it; `target_features`: the wasm features it uses, for tools), are stripped: 1.2 KB
/// less over the fourteen parts. A second round of `-Oz` finds what the first one's changes
/// opened up: 0.5 KB less brotli over the parts (0.15 KB of it on the first download), for a few
/// seconds more of build.
const WASM_OPT_OPTIONS: [&str; 5] =
    ["-Oz", "--low-memory-unused", "--strip-producers", "--strip-target-features", "-Oz"];
/// The loader module's name (before its hash): the main part imports it, it imports the main part.
const LOADER: &str = "wasm-split";

pub fn run() -> Result<()> {
    let staging = PathBuf::from(std::env::var_os("TRUNK_STAGING_DIR").context(
        "TRUNK_STAGING_DIR is not set: `cargo xtask split-app` runs as trunk's post_build hook (see Trunk.toml)",
    )?);
    let release = std::env::var("TRUNK_PROFILE").as_deref() == Ok("release");
    let public_url = std::env::var("TRUNK_PUBLIC_URL").unwrap_or_else(|_| "/".to_owned());
    let profile = if release { RELEASE_PROFILE } else { "debug" };
    let linked = target_dir().join("wasm32-unknown-unknown").join(profile).join(format!("{BIN}.wasm"));
    let stem = staged_stem(&staging)?;
    let hashed = |name: &str| match stem.strip_prefix(BIN).and_then(|rest| rest.strip_prefix('-')) {
        Some(hash) => format!("{name}-{hash}"),
        None => name.to_owned(),
    };

    // Split into a scratch directory, the loader module named as it will be served.
    let work = util::root().join("target").join("wasm-split").join(profile);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).with_context(|| format!("could not create {}", work.display()))?;
    let input = std::fs::read(&linked)
        .with_context(|| format!("could not read {} (trunk's cargo build makes it)", linked.display()))?;
    let loader = format!("{}.js", hashed(LOADER));
    let (link_name, main_module, main_out) = (format!("./{loader}"), format!("./{stem}.js"), work.join("main.wasm"));
    let split = {
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = &work;
        options.main_out_path = &main_out;
        options.link_name = &link_name;
        options.main_module = &main_module;
        wasm_split_cli_support::transform(options)
            .map_err(|e| anyhow::anyhow!("{e:#}"))
            .with_context(|| format!("wasm-split could not cut {}", linked.display()))?
    };
    if split.split_modules.is_empty() {
        bail!("{} has no #[wasm_split] points: was it linked with --emit-relocs (build.rs)?", linked.display());
    }

    // The main part over trunk's files, bound as trunk binds it (build.rs exports the table the
    // parts share; --keep-lld-exports keeps it).
    let integrity_before =
        [integrity(&staging.join(format!("{stem}.js")))?, integrity(&staging.join(format!("{stem}_bg.wasm")))?];
    let out_dir = work.join("bound");
    util::run(&mut util::cmd(
        "wasm-bindgen",
        &[
            "--target=web",
            &format!("--out-dir={}", out_dir.display()),
            &format!("--out-name={stem}"),
            "--no-typescript",
            "--keep-lld-exports",
            &main_out.to_string_lossy(),
        ],
    ))?;
    let main_wasm = staging.join(format!("{stem}_bg.wasm"));
    optimise(&out_dir.join(format!("{stem}_bg.wasm")), &main_wasm, release)?;
    copy(&out_dir.join(format!("{stem}.js")), &staging.join(format!("{stem}.js")))?;

    // The later parts, renamed with the hash; the loader module told their new names.
    let mut loader_js = std::fs::read_to_string(work.join(&loader)).context("wasm-split wrote no loader module")?;
    for part in &split.split_modules {
        let name = part.file_stem().and_then(|s| s.to_str()).context("a part's name is not UTF-8")?;
        let served = format!("{}.wasm", hashed(name));
        let (before, after) = (format!("\"./{name}.wasm\""), format!("\"./{served}\""));
        if loader_js.matches(&before).count() != 1 {
            bail!("the loader module names {before} {} times, not once", loader_js.matches(&before).count());
        }
        loader_js = loader_js.replace(&before, &after);
        optimise(part, &staging.join(&served), release)?;
    }
    std::fs::write(staging.join(&loader), loader_js).context("could not write the loader module")?;

    // index.html: the new integrity of the replaced files, and the loader preloaded.
    let index = staging.join("index.html");
    let mut html = std::fs::read_to_string(&index).with_context(|| format!("could not read {}", index.display()))?;
    let integrity_after = [integrity(&staging.join(format!("{stem}.js")))?, integrity(&main_wasm)?];
    for (before, after) in integrity_before.iter().zip(&integrity_after) {
        html = html.replace(before, after);
    }
    let preload = format!(
        r#"<link rel="modulepreload" href="{public_url}{loader}" crossorigin="anonymous" integrity="{}">"#,
        integrity(&staging.join(&loader))?
    );
    html = html.replacen("</head>", &format!("{preload}</head>"), 1);
    std::fs::write(&index, html).with_context(|| format!("could not write {}", index.display()))?;
    println!("split-app: {} parts load later ({loader})", split.split_modules.len());
    Ok(())
}

/// The name trunk gave the app's files in `staging`: `wirelens-app-<hash>` of `…_bg.wasm`.
fn staged_stem(staging: &Path) -> Result<String> {
    let mut stems = std::fs::read_dir(staging)
        .with_context(|| format!("could not list {}", staging.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| Some(name.strip_suffix("_bg.wasm")?.to_owned()))
        .filter(|stem| stem.starts_with(BIN));
    match (stems.next(), stems.next()) {
        (Some(stem), None) => Ok(stem),
        _ => bail!("expected one {BIN}…_bg.wasm in {}", staging.display()),
    }
}

/// `wasm-opt` with [`WASM_OPT_OPTIONS`] from `from` into `to` in release builds, a copy otherwise (trunk's debug
/// builds are not optimised either).
fn optimise(from: &Path, to: &Path, release: bool) -> Result<()> {
    if !release {
        return copy(from, to);
    }
    let (from, to) = (from.to_string_lossy(), to.to_string_lossy());
    util::run(&mut util::cmd("wasm-opt", &[&WASM_OPT_OPTIONS[..], &[&from, "-o", &to]].concat()))
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to).with_context(|| format!("could not copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// The `sha384-…` integrity value of a file, as trunk writes it in index.html.
fn integrity(file: &Path) -> Result<String> {
    use base64::Engine;
    use sha2::Digest;
    let bytes = std::fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
    Ok(format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(&bytes))))
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, else `target/` in the workspace.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| util::root().join("target"), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The constants above restate index.html's attributes: they must agree.
    #[test]
    fn constants_match_index_html() {
        let html = std::fs::read_to_string(util::root().join("index.html")).unwrap();
        let app = html.lines().find(|line| line.contains(&format!(r#"data-bin="{BIN}""#))).expect("the app's link");
        assert!(app.contains(&format!(r#"data-cargo-profile-release="{RELEASE_PROFILE}""#)), "{app}");
        assert!(app.contains(r#"data-wasm-opt="0""#), "trunk's wasm-opt is off, this step runs it: {app}");
        let trunk = std::fs::read_to_string(util::root().join("Trunk.toml")).unwrap();
        assert!(trunk.contains(r#"command_arguments = ["xtask", "split-app"]"#), "Trunk.toml runs the hook");
    }

    #[test]
    fn the_stem_is_the_apps_bound_wasm() {
        let dir = util::fresh_temp_dir("split-stem").unwrap();
        assert!(staged_stem(&dir).is_err());
        std::fs::write(dir.join("wirelens-app-0123456789abcdef_bg.wasm"), b"").unwrap();
        std::fs::write(dir.join("wirelens-app-0123456789abcdef.js"), b"").unwrap();
        std::fs::write(dir.join("grpc-0123456789abcdef.wasm"), b"").unwrap();
        assert_eq!(staged_stem(&dir).unwrap(), "wirelens-app-0123456789abcdef");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn integrity_is_trunks_sha384() {
        let dir = util::fresh_temp_dir("split-integrity").unwrap();
        std::fs::write(dir.join("a"), b"abc").unwrap();
        // The SHA-384 of "abc" (FIPS 180-2's example), in base64.
        assert_eq!(
            integrity(&dir.join("a")).unwrap(),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
