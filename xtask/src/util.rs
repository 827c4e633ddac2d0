//! Running child processes and finding things: the repo root, the PATH every child gets (our
//! tool directories first), and the versions pinned in Cargo.lock and Trunk.toml.
//! Knows nothing about which tools exist or which steps run.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};

/// The workspace root: the parent of xtask's own manifest directory.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Where `setup` puts tools that are not installed globally (binaryen from npm).
pub fn tools_dir() -> PathBuf {
    root().join("target").join("tools")
}

/// The npm prefix of playwright-core, for the end-to-end tests.
pub fn e2e_prefix() -> PathBuf {
    tools_dir().join("e2e")
}

/// The npm prefix of the grpc-web interop client's packages (Connect for Node).
pub fn node_interop_prefix() -> PathBuf {
    tools_dir().join("interop-node")
}

/// The npm prefix of binaryen; its `node_modules/.bin` holds `wasm-opt`.
pub fn binaryen_prefix() -> PathBuf {
    tools_dir().join("binaryen")
}

/// Where `cargo install` puts binaries: `$CARGO_INSTALL_ROOT/bin`, `$CARGO_HOME/bin` or
/// `~/.cargo/bin`. Put on PATH so a freshly installed trunk is found even when the shell's PATH
/// lacks it.
pub fn cargo_bin_dir() -> Option<PathBuf> {
    let from_env = |var: &str| std::env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from);
    from_env("CARGO_INSTALL_ROOT")
        .or_else(|| from_env("CARGO_HOME"))
        .or_else(|| from_env("HOME").map(|home| home.join(".cargo")))
        .map(|dir| dir.join("bin"))
}

/// The PATH every child process gets: binaryen's `node_modules/.bin`, then cargo's bin
/// directory, then the inherited PATH.
pub fn child_path() -> OsString {
    let mut dirs = vec![binaryen_prefix().join("node_modules").join(".bin")];
    dirs.extend(cargo_bin_dir());
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).expect("PATH entries contain no ':'")
}

/// A command to run from the repo root with [`child_path`] as its PATH.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(root()).env("PATH", child_path());
    cmd
}

/// The command line as a user would type it, for printing and error messages.
pub fn display(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains([' ', '"', '\'']) {
            parts.push(format!("'{arg}'"));
        } else {
            parts.push(arg.into_owned());
        }
    }
    parts.join(" ")
}

/// Prints the command line, runs it with inherited stdio, and fails unless it exits 0.
pub fn run(cmd: &mut Command) -> Result<()> {
    let line = display(cmd);
    println!("$ {line}");
    let status = cmd.status().with_context(|| format!("could not start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Runs a probe such as `trunk --version` quietly; `None` if it cannot start or exits non-zero.
/// Returns stdout and stderr together, since some tools print their version to stderr.
pub fn probe(program: &str, args: &[&str]) -> Option<String> {
    let output = cmd(program, args).stdin(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Some(text)
}

/// A new empty directory `target/tmp/xtask-<name>-<pid>-<n>`: scratch space that stays inside
/// the repo. The caller removes it when done.
pub fn fresh_temp_dir(name: &str) -> Result<PathBuf> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = root().join("target").join("tmp").join(format!("xtask-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir); // left over by an earlier process with our pid
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    Ok(dir)
}

/// The wasm-bindgen version pinned in the workspace's Cargo.lock.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let path = root().join("Cargo.lock");
    let text = std::fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))?;
    lock_package_version(&text, "wasm-bindgen").with_context(|| format!("in {}", path.display()))
}

/// The version of package `name` in a Cargo.lock text; an error when it is absent or locked at
/// more than one version.
pub fn lock_package_version(lock: &str, name: &str) -> Result<String> {
    let mut versions = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let mut block_name = None;
        let mut block_version = None;
        for line in block.lines() {
            if line.trim_start().starts_with('[') {
                break; // a sub-table such as [package.metadata]: no more top-level keys
            }
            if let Some((key, value)) = key_value(line) {
                match key {
                    "name" => block_name = Some(value),
                    "version" => block_version = Some(value),
                    _ => {}
                }
            }
        }
        if block_name == Some(name)
            && let Some(version) = block_version
        {
            versions.push(version.to_owned());
        }
    }
    versions.dedup();
    match versions.as_slice() {
        [version] => Ok(version.clone()),
        [] => bail!("no package '{name}' in the lock file"),
        _ => bail!("package '{name}' is locked at several versions: {versions:?}"),
    }
}

/// The string value of `key` in `[section]` of a small TOML text such as Trunk.toml. Handles
/// `key = "value"  # comment` lines only: enough for our own pins, not a TOML parser.
pub fn toml_string_value<'a>(text: &'a str, section: &str, key: &str) -> Option<&'a str> {
    let header = format!("[{section}]");
    let mut in_section = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_section = trimmed.split('#').next().map(str::trim) == Some(header.as_str());
            continue;
        }
        if in_section
            && let Some((k, v)) = key_value(line)
            && k == key
        {
            return Some(v);
        }
    }
    None
}

/// Splits `key = "value"  # comment` into `("key", "value")`.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, rest) = line.split_once('=')?;
    let rest = rest.trim_start().strip_prefix('"')?;
    let (value, _) = rest.split_once('"')?;
    Some((key.trim(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "cfg-if",
 "wasm-bindgen-macro",
]

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.131"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn lock_version_is_found_by_exact_name() {
        assert_eq!(lock_package_version(LOCK, "wasm-bindgen").unwrap(), "0.2.130");
        assert_eq!(lock_package_version(LOCK, "wasm-bindgen-macro").unwrap(), "0.2.131");
    }

    #[test]
    fn lock_version_missing_or_ambiguous_is_an_error() {
        let err = lock_package_version(LOCK, "yew").unwrap_err();
        assert_eq!(err.to_string(), "no package 'yew' in the lock file");
        let twice = format!("{LOCK}\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.99\"\n");
        assert!(lock_package_version(&twice, "wasm-bindgen").is_err());
    }

    #[test]
    fn toml_value_is_read_from_its_section_only() {
        let text = "[build]\nwasm_bindgen = \"no\"\n[tools] # pins\nwasm_bindgen = \"0.2.1\"  # a comment\n[serve]\n";
        assert_eq!(toml_string_value(text, "tools", "wasm_bindgen"), Some("0.2.1"));
        assert_eq!(toml_string_value(text, "serve", "wasm_bindgen"), None);
    }

    #[test]
    fn workspace_lock_has_a_single_wasm_bindgen() {
        locked_wasm_bindgen_version().unwrap();
    }

    #[test]
    fn trunk_toml_pins_the_locked_wasm_bindgen() {
        let trunk_toml = std::fs::read_to_string(root().join("Trunk.toml")).unwrap();
        let pinned = toml_string_value(&trunk_toml, "tools", "wasm_bindgen");
        let locked = locked_wasm_bindgen_version().unwrap();
        assert_eq!(
            pinned,
            Some(locked.as_str()),
            "Trunk.toml [tools] wasm_bindgen must equal Cargo.lock's wasm-bindgen, \
             or trunk tries to download its own wasm-bindgen"
        );
    }

    #[test]
    fn child_path_puts_binaryen_first() {
        let path = child_path();
        let first = std::env::split_paths(&path).next().unwrap();
        assert!(first.ends_with("target/tools/binaryen/node_modules/.bin"), "{first:?}");
    }

    #[test]
    fn display_quotes_arguments_with_spaces() {
        let cmd = cmd("cargo", &["clippy", "--", "-D", "warnings", "a b"]);
        assert_eq!(display(&cmd), "cargo clippy -- -D warnings 'a b'");
    }
}
