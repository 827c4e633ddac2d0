//! The smoke test: serve the built `dist/`, load it in headless Chromium, and check that the page
//! the app rendered (the DOM after its wasm ran) shows the expected markers. Knows nothing about
//! how `dist/` was built.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::static_server::StaticServer;
use crate::util;

/// Text the page contains only once the app has run: the static index.html has none of it.
/// The app team keeps these on the first screen; change them together.
pub const MARKERS: &[&str] = &[
    // The seed example message as hex: field 1 = varint 42 (`08 2A`),
    // field 2 = the 5-byte string "Alice" (`12 05 41 6C 69 63 65`).
    "08 2A 12 05 41 6C 69 63 65",
];

const CHROMIUM: &str = "/usr/bin/chromium";
/// Chromium is killed after this long.
const TIMEOUT: Duration = Duration::from_secs(60);
/// How much of the DOM to print when a marker is missing.
const DOM_EXCERPT: usize = 2000;

/// Serves `dist` on a free port, dumps the rendered DOM with headless Chromium and checks it
/// shows [`MARKERS`].
pub fn run(dist: &Path) -> Result<()> {
    check_page(dist, MARKERS)
}

fn check_page(dist: &Path, markers: &[&str]) -> Result<()> {
    let server = StaticServer::bind("127.0.0.1:0", dist)?.spawn();
    println!("serving {} at {}", dist.display(), server.url);
    let scratch = util::fresh_temp_dir("chromium")?;
    let dumped = dump_dom(&server.url, &scratch);
    let requests = server.requests();
    drop(server);
    let _ = fs::remove_dir_all(&scratch);
    let (dom, status) = dumped?;

    let missing = missing_markers(&dom, markers);
    if missing.is_empty() {
        println!("smoke: the rendered page shows all {} marker(s)", markers.len());
        return Ok(());
    }
    let excerpt: String = dom.chars().take(DOM_EXCERPT).collect();
    bail!(
        "the page rendered by headless Chromium lacks {missing:?} (chromium: {status})\n\
         requests served:\n  {}\n\
         first {DOM_EXCERPT} characters of the DOM ({} in all):\n{excerpt}",
        requests.join("\n  "),
        dom.chars().count(),
    )
}

/// The markers found neither in the raw DOM nor in its visible text, where every tag counts as a
/// space (so `<td>08</td><td>2A</td>` reads as `08 2A`).
pub fn missing_markers<'a>(dom: &str, markers: &[&'a str]) -> Vec<&'a str> {
    let text = visible_text(dom);
    markers.iter().copied().filter(|marker| !dom.contains(marker) && !text.contains(marker)).collect()
}

/// The DOM with tags replaced by spaces and runs of whitespace collapsed to one space.
fn visible_text(dom: &str) -> String {
    let mut text = String::with_capacity(dom.len());
    let mut in_tag = false;
    for c in dom.chars() {
        let c = match c {
            '<' => {
                in_tag = true;
                ' '
            }
            '>' if in_tag => {
                in_tag = false;
                continue;
            }
            _ if in_tag => continue,
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if !(c == ' ' && text.ends_with(' ')) {
            text.push(c);
        }
    }
    text
}

/// Runs Chromium with `--dump-dom` on `url`, its profile and scratch files in `scratch`, and
/// returns what it printed.
fn dump_dom(url: &str, scratch: &Path) -> Result<(String, ExitStatus)> {
    let dom_file = scratch.join("dom.html");
    let log_file = scratch.join("chromium.log");
    let user_data = scratch.join("user-data");
    let mut cmd = Command::new(CHROMIUM);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        // /dev/shm is tiny in containers; Chromium crashes when it fills up.
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ])
    .arg(format!("--user-data-dir={}", user_data.display()))
    .args(["--virtual-time-budget=10000", "--dump-dom", url])
    // Whatever Chromium writes outside its profile (~/.pki, caches, temp files) stays in scratch.
    .env("HOME", scratch)
    .env("XDG_CONFIG_HOME", scratch)
    .env("XDG_CACHE_HOME", scratch)
    .env("TMPDIR", scratch)
    .stdin(Stdio::null())
    .stdout(File::create(&dom_file)?)
    .stderr(File::create(&log_file)?);
    // Its own process group, so a timeout kills the renderer and GPU processes too.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let line = util::display(&cmd);
    println!("$ {line}");
    let mut child = cmd.spawn().with_context(|| format!("could not start `{line}`"))?;
    let status = wait_or_kill(&mut child, TIMEOUT);
    kill_group(&child); // stragglers, if any
    let log = fs::read_to_string(&log_file).unwrap_or_default();
    let Some(status) = status? else {
        bail!(
            "`{line}` did not finish within {} s and was killed; its log ends:\n{}",
            TIMEOUT.as_secs(),
            tail(&log, 20)
        );
    };
    let dom = fs::read_to_string(&dom_file).context("reading Chromium's dumped DOM")?;
    if dom.trim().is_empty() {
        bail!("`{line}` printed no DOM ({status}); its log ends:\n{}", tail(&log, 20));
    }
    Ok((dom, status))
}

/// Waits for `child`; `None` if it ran past `timeout` and was killed.
fn wait_or_kill(child: &mut Child, timeout: Duration) -> Result<Option<ExitStatus>> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().context("waiting for chromium")? {
            return Ok(Some(status));
        }
        if start.elapsed() > timeout {
            kill_group(child);
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// SIGKILLs the process group `child` leads; a no-op once the whole group is gone.
fn kill_group(child: &Child) {
    let pgid = child.id() as libc::pid_t;
    // SAFETY: kill(2) takes plain integers; a negative pid addresses the group we created.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_in_raw_dom_or_in_text_split_by_tags() {
        let marker = MARKERS[0];
        let raw = format!("<html><body><pre>{marker}</pre></body></html>");
        assert!(missing_markers(&raw, MARKERS).is_empty());

        let cells: String = marker.split(' ').map(|b| format!("<td class=\"v\">{b}</td>")).collect();
        let table = format!("<table><tr>{cells}</tr></table>");
        assert!(missing_markers(&table, MARKERS).is_empty(), "{}", visible_text(&table));

        let spaced = "<span>08</span>\n   <span>2A</span>";
        assert!(missing_markers(spaced, &["08 2A"]).is_empty());
    }

    #[test]
    fn the_unrendered_page_lacks_the_markers() {
        let shell =
            "<html><head><script type=\"module\">import init from '/app.js';</script></head><body></body></html>";
        assert_eq!(missing_markers(shell, MARKERS), MARKERS);
        assert_eq!(missing_markers("<p>08 2A 12</p>", &["08 2A 12 05"]), ["08 2A 12 05"]);
    }

    /// The whole path on a page that renders late from JS after instantiating a wasm module:
    /// virtual time, application/wasm, and cross-origin isolation from the server's headers.
    #[test]
    #[ignore = "starts /usr/bin/chromium; run with `cargo test -p xtask -- --ignored`"]
    fn chromium_sees_what_a_script_renders() {
        let dist = util::fresh_temp_dir("smoke-page").unwrap();
        let script = r#"
            const { instance } = await WebAssembly.instantiateStreaming(fetch("/empty.wasm"));
            setTimeout(() => {
                const row = "08 2A 12 05 41 6C 69 63 65".split(" ").map(b => `<td>${b}</td>`).join("");
                document.body.innerHTML = `<table><tr>${row}</tr></table>`
                    + `<p>isolated=${self.crossOriginIsolated}</p>`;
            }, 3000);
        "#;
        let page = format!("<!doctype html><html><body>loading<script type=\"module\">{script}</script></body></html>");
        fs::write(dist.join("index.html"), page).unwrap();
        fs::write(dist.join("empty.wasm"), b"\0asm\x01\0\0\0").unwrap();
        check_page(&dist, &[MARKERS[0], "isolated=true"]).unwrap();
        let err = check_page(&dist, &["not on the page"]).unwrap_err();
        assert!(format!("{err:#}").contains("GET /empty.wasm -> 200"), "{err:#}");
        fs::remove_dir_all(&dist).unwrap();
    }

    #[test]
    fn a_child_past_its_timeout_is_killed_with_its_group() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "sleep 30 & sleep 30"]);
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn().unwrap();
        let start = Instant::now();
        let status = wait_or_kill(&mut child, Duration::from_millis(200)).unwrap();
        assert_eq!(status, None);
        assert!(start.elapsed() < Duration::from_secs(5));
        // The whole group goes away (once init has reaped the orphaned sleep): signal 0 fails.
        let group_alive = || {
            // SAFETY: kill(2) with signal 0 only checks that the group exists.
            unsafe { libc::kill(-(child.id() as libc::pid_t), 0) == 0 }
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while group_alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let alive = group_alive();
        assert!(!alive, "the background sleep survived");
    }

    #[test]
    fn visible_text_collapses_tags_and_whitespace() {
        assert_eq!(visible_text("<a href=\"x\">A</a><b>B</b>\n\tC"), " A B C");
    }
}
