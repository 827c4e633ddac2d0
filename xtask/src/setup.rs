//! `cargo xtask setup`: installs what the other commands need, idempotently. Each tool is probed
//! first (a version check or a file check) and installed only when missing or at the wrong
//! version. A tool that cannot be installed is reported, not fatal: the steps that need it fail
//! later with the reason. Knows nothing about the test steps themselves.

use std::fmt;
use std::path::Path;

use anyhow::{Result, bail};

use crate::util;

/// trunk releases we accept; 0.22 needs a newer rustc than ours.
const TRUNK_SERIES: &str = "0.21.";
/// The trunk `setup` installs when none of [`TRUNK_SERIES`] is found.
const TRUNK_VERSION: &str = "0.21.14";
/// binaryen's release number; Trunk.toml's `[tools] wasm_opt` is `version_<this>`.
pub const BINARYEN_VERSION: &str = "132";
const WASM32: &str = "wasm32-unknown-unknown";

/// Something a step needs, installed by `setup`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// The rustup target the app builds for.
    Wasm32Target,
    /// rustfmt and clippy, which a minimal rustup profile leaves out.
    RustComponents,
    Trunk,
    /// wasm-bindgen-cli at Cargo.lock's wasm-bindgen version.
    WasmBindgen,
    /// binaryen's wasm-opt, from npm into target/tools.
    WasmOpt,
    /// Debian `chromium`: the smoke test's browser.
    Chromium,
    /// Debian `chromium-driver`: for WebDriver tests.
    Chromedriver,
    /// Debian `protobuf-compiler`: the reference `protoc` that wirelens-core's tests compare with.
    Protoc,
    /// Debian `g++`, `libprotobuf-dev` and `libjsoncpp-dev`: what protobuf's conformance runner
    /// is built with (`cargo xtask conformance`).
    Gxx,
    LibprotobufDev,
    LibjsoncppDev,
    /// npm's playwright-core (a driver only: it downloads no browser), for the end-to-end tests.
    PlaywrightCore,
    /// grpcio, grpcio-tools and grpcio-reflection from PyPI in a venv under target/tools: the
    /// interop clients (native gRPC, and server reflection).
    PythonGrpc,
    /// Connect for Node (@connectrpc/connect-node, its grpc-web transport) and @bufbuild/protobuf
    /// from npm under target/tools: the grpc-web interop client.
    NodeConnect,
}

/// Everything, for `cargo xtask setup` and a full `cargo xtask test`.
pub const ALL: &[Tool] = &[
    Tool::Wasm32Target,
    Tool::RustComponents,
    Tool::Chromium,
    Tool::Chromedriver,
    Tool::Protoc,
    Tool::Gxx,
    Tool::LibprotobufDev,
    Tool::LibjsoncppDev,
    Tool::WasmOpt,
    Tool::WasmBindgen,
    Tool::Trunk,
    Tool::PlaywrightCore,
    Tool::PythonGrpc,
    Tool::NodeConnect,
];

/// What building and running protobuf's conformance runner needs (`build.sh` runs protoc too).
pub const FOR_CONFORMANCE: &[Tool] = &[Tool::Protoc, Tool::Gxx, Tool::LibprotobufDev, Tool::LibjsoncppDev];

/// What `trunk build` needs: `cargo xtask serve`.
pub const FOR_TRUNK: &[Tool] = &[Tool::Wasm32Target, Tool::WasmOpt, Tool::WasmBindgen, Tool::Trunk];

/// What fmt, clippy and `cargo test` need: `cargo xtask test --quick`.
pub const FOR_QUICK_TEST: &[Tool] = &[Tool::Wasm32Target, Tool::RustComponents, Tool::Protoc];

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Tool::Wasm32Target => "rust target wasm32-unknown-unknown",
            Tool::RustComponents => "rustfmt and clippy",
            Tool::Trunk => "trunk",
            Tool::WasmBindgen => "wasm-bindgen-cli",
            Tool::WasmOpt => "wasm-opt (binaryen)",
            Tool::PlaywrightCore => "playwright-core (npm)",
            Tool::Chromium => "chromium",
            Tool::Chromedriver => "chromedriver",
            Tool::Protoc => "protoc",
            Tool::Gxx => "g++",
            Tool::LibprotobufDev => "libprotobuf-dev",
            Tool::LibjsoncppDev => "libjsoncpp-dev",
            Tool::PythonGrpc => "python grpcio",
            Tool::NodeConnect => "node @connectrpc/connect-node (npm)",
        };
        f.write_str(name)
    }
}

/// The outcome of [`run`]: the tools that are still missing, each with the reason.
#[derive(Debug, Default)]
pub struct Report {
    pub missing: Vec<(Tool, String)>,
}

impl Report {
    /// Fails, naming the reason, if any of `needs` could not be installed.
    pub fn require(&self, needs: &[Tool]) -> Result<()> {
        let missing: Vec<String> = self
            .missing
            .iter()
            .filter(|(tool, _)| needs.contains(tool))
            .map(|(tool, why)| format!("{tool}: {why}"))
            .collect();
        if !missing.is_empty() {
            bail!("missing tools (see `cargo xtask setup`):\n  {}", missing.join("\n  "));
        }
        Ok(())
    }
}

/// Probes and installs `tools`, printing one line per tool. Never fails for a single tool: what
/// could not be installed is in the returned report.
pub fn run(tools: &[Tool]) -> Report {
    let mut report = Report::default();
    let mut note = |tool: Tool, result: Result<()>| {
        if let Err(err) = result {
            println!("setup: {tool}: NOT AVAILABLE: {err:#}");
            report.missing.push((tool, format!("{err:#}")));
        }
    };
    let apt: Vec<Tool> = tools.iter().copied().filter(|t| apt_package(*t).is_some()).collect();
    for &tool in tools {
        match tool {
            Tool::Wasm32Target => note(tool, wasm32_target()),
            Tool::RustComponents => note(tool, rust_components()),
            Tool::Trunk => note(tool, trunk()),
            Tool::WasmBindgen => note(tool, wasm_bindgen()),
            Tool::WasmOpt => note(tool, wasm_opt()),
            Tool::PlaywrightCore => note(tool, playwright_core()),
            Tool::PythonGrpc => note(tool, python_grpc()),
            Tool::NodeConnect => note(tool, node_connect()),
            Tool::Chromium
            | Tool::Chromedriver
            | Tool::Protoc
            | Tool::Gxx
            | Tool::LibprotobufDev
            | Tool::LibjsoncppDev => {
                // All apt packages go in one `apt-get install`, at the first of them.
                if apt.first() == Some(&tool) {
                    for (tool, result) in apt_packages(&apt) {
                        note(tool, result);
                    }
                }
            }
        }
    }
    report
}

fn present(what: &str) {
    println!("setup: {what}: present");
}

fn wasm32_target() -> Result<()> {
    let Some(installed) = util::probe("rustup", &["target", "list", "--installed"]) else {
        bail!("`rustup target list --installed` failed: install rustup, or add the {WASM32} target to your toolchain");
    };
    if installed.lines().any(|line| line.trim() == WASM32) {
        present(&format!("rust target {WASM32}"));
        return Ok(());
    }
    println!("setup: rust target {WASM32}: installing");
    util::run(&mut util::cmd("rustup", &["target", "add", WASM32]))
}

fn rust_components() -> Result<()> {
    let has_fmt = util::probe("cargo", &["fmt", "--version"]).is_some();
    let has_clippy = util::probe("cargo", &["clippy", "--version"]).is_some();
    if has_fmt && has_clippy {
        present("rustfmt and clippy");
        return Ok(());
    }
    println!("setup: rustfmt and clippy: installing");
    util::run(&mut util::cmd("rustup", &["component", "add", "rustfmt", "clippy"]))
}

fn trunk() -> Result<()> {
    let found = util::probe("trunk", &["--version"]);
    if let Some(version) = found.as_deref().and_then(trunk_version)
        && version.starts_with(TRUNK_SERIES)
    {
        present(&format!("trunk {version}"));
        return Ok(());
    }
    println!(
        "setup: trunk {TRUNK_VERSION}: installing (found: {}); this compiles for about 10 minutes",
        describe(found.as_deref())
    );
    // --locked: trunk 0.21.14 does not build against the newest semver-compatible dependencies
    // (parcel_selectors 0.28.3 moved to a cssparser that lightningcss alpha.65 cannot use), so
    // take the versions trunk was released and tested with.
    util::run(&mut util::cmd("cargo", &["install", "trunk", "--version", &format!("={TRUNK_VERSION}"), "--locked"]))?;
    verify("trunk", &["--version"], |out| trunk_version(out).is_some_and(|v| v.starts_with(TRUNK_SERIES)))
}

fn wasm_bindgen() -> Result<()> {
    let wanted = util::locked_wasm_bindgen_version()?;
    let found = util::probe("wasm-bindgen", &["--version"]);
    if found.as_deref().and_then(wasm_bindgen_version) == Some(wanted.as_str()) {
        present(&format!("wasm-bindgen-cli {wanted}"));
        return Ok(());
    }
    println!(
        "setup: wasm-bindgen-cli {wanted} (Cargo.lock's wasm-bindgen): installing (found: {}); this compiles for a few minutes",
        describe(found.as_deref())
    );
    // Not --locked: a registry may lack a dependency the CLI's own lock file names.
    util::run(&mut util::cmd("cargo", &["install", "wasm-bindgen-cli", "--version", &format!("={wanted}")]))?;
    verify("wasm-bindgen", &["--version"], |out| wasm_bindgen_version(out) == Some(wanted.as_str()))
}

fn wasm_opt() -> Result<()> {
    let found = util::probe("wasm-opt", &["--version"]);
    if found.as_deref().and_then(wasm_opt_version) == Some(BINARYEN_VERSION) {
        present(&format!("wasm-opt version {BINARYEN_VERSION}"));
        return Ok(());
    }
    let prefix = util::binaryen_prefix();
    println!(
        "setup: wasm-opt version {BINARYEN_VERSION}: installing binaryen@{BINARYEN_VERSION} from npm into {} (found: {})",
        relative(&prefix),
        describe(found.as_deref())
    );
    npm_install(&prefix, &[&format!("binaryen@{BINARYEN_VERSION}")])?;
    verify("wasm-opt", &["--version"], |out| wasm_opt_version(out) == Some(BINARYEN_VERSION))
}

/// The playwright-core the end-to-end tests drive Chromium with.
pub const PLAYWRIGHT_CORE_VERSION: &str = "1.64.1";

fn playwright_core() -> Result<()> {
    let prefix = util::e2e_prefix();
    let manifest = prefix.join("node_modules/playwright-core/package.json");
    let found = std::fs::read_to_string(&manifest).ok();
    let wanted = format!("\"version\": \"{PLAYWRIGHT_CORE_VERSION}\"");
    if found.as_deref().is_some_and(|m| m.contains(&wanted)) {
        present(&format!("playwright-core {PLAYWRIGHT_CORE_VERSION}"));
        return Ok(());
    }
    println!("setup: playwright-core {PLAYWRIGHT_CORE_VERSION}: installing from npm into {}", relative(&prefix));
    npm_install(&prefix, &[&format!("playwright-core@{PLAYWRIGHT_CORE_VERSION}")])?;
    match std::fs::read_to_string(&manifest) {
        Ok(m) if m.contains(&wanted) => Ok(()),
        _ => anyhow::bail!("npm ran but {} does not name version {PLAYWRIGHT_CORE_VERSION}", manifest.display()),
    }
}

/// The grpc-web interop client's npm packages, pinned (connect-node and connect release together).
pub const NODE_CONNECT_PACKAGES: &[(&str, &str)] =
    &[("@connectrpc/connect", "2.2.0"), ("@connectrpc/connect-node", "2.2.0"), ("@bufbuild/protobuf", "2.17.0")];

fn node_connect() -> Result<()> {
    let modules = util::node_interop_prefix().join("node_modules");
    let installed = |(name, version): &(&str, &str)| {
        let manifest = std::fs::read_to_string(modules.join(name).join("package.json")).unwrap_or_default();
        manifest.contains(&format!("\"version\": \"{version}\""))
    };
    if NODE_CONNECT_PACKAGES.iter().all(installed) {
        present("node @connectrpc/connect-node 2.2.0");
        return Ok(());
    }
    let prefix = util::node_interop_prefix();
    println!("setup: node @connectrpc/connect-node: installing from npm into {}", relative(&prefix));
    let packages: Vec<String> =
        NODE_CONNECT_PACKAGES.iter().map(|(name, version)| format!("{name}@{version}")).collect();
    npm_install(&prefix, &packages.iter().map(String::as_str).collect::<Vec<_>>())?;
    match NODE_CONNECT_PACKAGES.iter().find(|p| !installed(p)) {
        None => Ok(()),
        Some((name, version)) => bail!("npm ran but {name} {version} is not in {}", modules.display()),
    }
}

/// `npm install PACKAGES` into `prefix`, with npm's cache and logs inside target/ too.
fn npm_install(prefix: &std::path::Path, packages: &[&str]) -> Result<()> {
    let prefix_arg = prefix.to_string_lossy().into_owned();
    let cache_arg = util::tools_dir().join("npm-cache").to_string_lossy().into_owned();
    let mut args = vec!["install", "--prefix", &prefix_arg];
    args.extend_from_slice(packages);
    args.extend_from_slice(&["--no-audit", "--no-fund", "--no-update-notifier", "--cache", &cache_arg]);
    util::run(&mut util::cmd("npm", &args))
}

/// grpcio's version, pinned: grpcio-tools must match it.
pub const GRPCIO_VERSION: &str = "1.74.0";

/// The venv's python, which has grpcio, grpcio-tools and grpcio-reflection.
pub fn python_bin() -> std::path::PathBuf {
    util::tools_dir().join("python").join("bin").join("python")
}

fn python_grpc() -> Result<()> {
    let python = python_bin().to_string_lossy().into_owned();
    let probe = ["-c", "import grpc, grpc_tools, grpc_reflection; print(grpc.__version__)"];
    if util::probe(&python, &probe).as_deref().map(str::trim) == Some(GRPCIO_VERSION) {
        present(&format!("python grpcio {GRPCIO_VERSION}"));
        return Ok(());
    }
    let venv = util::tools_dir().join("python");
    println!("setup: python grpcio {GRPCIO_VERSION}: installing from PyPI into {}", relative(&venv));
    util::run(&mut util::cmd("python3", &["-m", "venv", &venv.to_string_lossy()]))?;
    // grpcio-reflection: the reflection interop client (interop/python/reflection.py).
    let [grpcio, tools, reflection] =
        ["grpcio", "grpcio-tools", "grpcio-reflection"].map(|package| format!("{package}=={GRPCIO_VERSION}"));
    util::run(&mut util::cmd(
        &python,
        &["-m", "pip", "install", "--quiet", "--disable-pip-version-check", &grpcio, &tools, &reflection],
    ))?;
    verify(&python, &probe, |out| out.trim() == GRPCIO_VERSION)
}

/// The Debian package that provides `tool`, and the file that shows it is installed.
fn apt_package(tool: Tool) -> Option<(&'static str, &'static str)> {
    match tool {
        Tool::Chromium => Some(("chromium", "/usr/bin/chromium")),
        Tool::Chromedriver => Some(("chromium-driver", "/usr/bin/chromedriver")),
        Tool::Protoc => Some(("protobuf-compiler", "protoc")),
        Tool::Gxx => Some(("g++", "g++")),
        Tool::LibprotobufDev => Some(("libprotobuf-dev", "/usr/include/google/protobuf/message.h")),
        Tool::LibjsoncppDev => Some(("libjsoncpp-dev", "/usr/include/jsoncpp/json/json.h")),
        _ => None,
    }
}

fn apt_installed(check: &str) -> bool {
    if check.starts_with('/') { Path::new(check).is_file() } else { util::probe(check, &["--version"]).is_some() }
}

fn apt_packages(tools: &[Tool]) -> Vec<(Tool, Result<()>)> {
    let mut missing = Vec::new();
    for &tool in tools {
        let (package, check) = apt_package(tool).expect("only apt tools are passed");
        if apt_installed(check) {
            present(&format!("{tool} ({check}, Debian package {package})"));
        } else {
            missing.push((tool, package));
        }
    }
    if missing.is_empty() {
        return Vec::new();
    }
    let packages: Vec<&str> = missing.iter().map(|(_, package)| *package).collect();
    println!("setup: Debian packages {}: installing", packages.join(" "));
    let result = apt_install(&packages);
    missing
        .into_iter()
        .map(|(tool, package)| {
            let (_, check) = apt_package(tool).expect("apt tool");
            let outcome = match &result {
                Err(err) => Err(anyhow::anyhow!("{err:#}")),
                Ok(()) if apt_installed(check) => Ok(()),
                Ok(()) => Err(anyhow::anyhow!("installed Debian package {package} but {check} is still missing")),
            };
            (tool, outcome)
        })
        .collect()
}

fn apt_install(packages: &[&str]) -> Result<()> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let is_root = unsafe { libc::geteuid() } == 0;
    if let Some(why) = apt_blocker(Path::new("/usr/bin/apt-get").is_file(), is_root, packages) {
        bail!("{why}");
    }
    util::run(&mut util::cmd("apt-get", &["update"]))?;
    let mut install = util::cmd("apt-get", &["install", "-y", "--no-install-recommends"]);
    install.args(packages).env("DEBIAN_FRONTEND", "noninteractive");
    util::run(&mut install)
}

/// Why `apt-get install` cannot run here, and what the user should install instead.
fn apt_blocker(has_apt: bool, is_root: bool, packages: &[&str]) -> Option<String> {
    let hint = || format!("install them yourself: sudo apt-get install --no-install-recommends {}", packages.join(" "));
    match (has_apt, is_root) {
        (false, _) => Some(format!("no apt-get on this machine (not Debian?); {}", hint())),
        (true, false) => Some(format!("apt-get needs root; {}", hint())),
        (true, true) => None,
    }
}

/// Re-probes a freshly installed tool: an earlier PATH entry may still shadow it.
fn verify(program: &str, args: &[&str], ok: impl Fn(&str) -> bool) -> Result<()> {
    let found = util::probe(program, args);
    if found.as_deref().is_some_and(&ok) {
        println!("setup: {program}: installed: {}", describe(found.as_deref()));
        return Ok(());
    }
    bail!("installed, but `{program} {}` now says: {}", args.join(" "), describe(found.as_deref()))
}

fn describe(probe_output: Option<&str>) -> String {
    match probe_output.map(str::trim) {
        None => "not installed".to_owned(),
        Some(text) => text.lines().next().unwrap_or_default().to_owned(),
    }
}

fn relative(path: &Path) -> String {
    let root = util::root();
    path.strip_prefix(&root).unwrap_or(path).display().to_string()
}

/// `trunk 0.21.14` -> `0.21.14`.
pub fn trunk_version(output: &str) -> Option<&str> {
    second_word_after(output, "trunk")
}

/// `wasm-bindgen 0.2.130` or `wasm-bindgen 0.2.130 (a1b2c3d)` -> `0.2.130`.
pub fn wasm_bindgen_version(output: &str) -> Option<&str> {
    second_word_after(output, "wasm-bindgen")
}

/// `wasm-opt version 132 (version_132)` or `wasm-opt version 132` -> `132`.
pub fn wasm_opt_version(output: &str) -> Option<&str> {
    output.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next()? == "wasm-opt" && words.next()? == "version").then_some(())?;
        words.next()
    })
}

/// The word after `name` on the first line that starts with `name`.
fn second_word_after<'a>(output: &'a str, name: &str) -> Option<&'a str> {
    output.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next()? == name).then_some(())?;
        words.next()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_version_is_parsed() {
        assert_eq!(trunk_version("trunk 0.21.14\n"), Some("0.21.14"));
        assert_eq!(trunk_version("trunk 0.22.0-beta.1"), Some("0.22.0-beta.1"));
        assert_eq!(trunk_version("bash: trunk: command not found"), None);
        assert_eq!(trunk_version(""), None);
        assert!(trunk_version("trunk 0.21.3").unwrap().starts_with(TRUNK_SERIES));
        assert!(!trunk_version("trunk 0.22.0").unwrap().starts_with(TRUNK_SERIES));
        assert!(!trunk_version("trunk 0.2.1").unwrap().starts_with(TRUNK_SERIES));
    }

    #[test]
    fn wasm_bindgen_version_is_parsed() {
        assert_eq!(wasm_bindgen_version("wasm-bindgen 0.2.130\n"), Some("0.2.130"));
        assert_eq!(wasm_bindgen_version("wasm-bindgen 0.2.74 (27c7a4d06)"), Some("0.2.74"));
        assert_eq!(wasm_bindgen_version("wasm-bindgen-test-runner 0.2.130"), None);
        assert_eq!(wasm_bindgen_version("wasm-bindgen"), None);
    }

    #[test]
    fn wasm_opt_version_is_parsed() {
        assert_eq!(wasm_opt_version("wasm-opt version 132 (version_132)\n"), Some("132"));
        assert_eq!(wasm_opt_version("wasm-opt version 116"), Some("116"));
        assert_eq!(wasm_opt_version("wasm-opt 132"), None);
        assert_eq!(wasm_opt_version(""), None);
    }

    #[test]
    fn trunk_toml_pins_the_binaryen_setup_installs() {
        let text = std::fs::read_to_string(util::root().join("Trunk.toml")).unwrap();
        let pinned = util::toml_string_value(&text, "tools", "wasm_opt");
        assert_eq!(pinned, Some(format!("version_{BINARYEN_VERSION}").as_str()));
    }

    #[test]
    fn apt_is_skipped_with_a_hint_without_root_or_apt() {
        assert_eq!(apt_blocker(true, true, &["chromium"]), None);
        let not_root = apt_blocker(true, false, &["chromium", "protobuf-compiler"]).unwrap();
        assert_eq!(
            not_root,
            "apt-get needs root; install them yourself: sudo apt-get install --no-install-recommends chromium protobuf-compiler"
        );
        assert!(apt_blocker(false, true, &["chromium"]).unwrap().starts_with("no apt-get on this machine"));
    }

    #[test]
    fn report_requires_only_what_a_step_needs() {
        let report = Report { missing: vec![(Tool::Chromium, "apt-get needs root".to_owned())] };
        report.require(&[Tool::Trunk]).unwrap();
        let err = report.require(&[Tool::Trunk, Tool::Chromium]).unwrap_err();
        assert!(err.to_string().contains("chromium: apt-get needs root"), "{err}");
    }
}
