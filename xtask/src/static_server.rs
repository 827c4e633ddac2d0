//! A static file server for `dist/`: what the smoke test loads the built app from (`serve`
//! starts wirelens-server instead, which also answers the API). Every response is cross-origin isolated (COOP/COEP/CORP), so the
//! page gets precise timers for its benchmarks. Knows nothing about trunk or browsers.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use anyhow::{Result, anyhow};
use tiny_http::{Header, Method, Request, Response, Server};

/// Headers on every response, errors included.
pub const HEADERS: &[(&str, &str)] = &[
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cache-Control", "no-cache"),
];

/// A bound server; call [`StaticServer::run`] to serve in this thread or
/// [`StaticServer::spawn`] to serve in a background thread.
pub struct StaticServer {
    server: Arc<Server>,
    root: PathBuf,
    log: Arc<Mutex<Vec<String>>>,
}

impl StaticServer {
    /// Binds `addr` (`127.0.0.1:0` picks a free port) to serve the files under `root`.
    pub fn bind(addr: &str, root: &Path) -> Result<StaticServer> {
        let server = Server::http(addr).map_err(|err| anyhow!("could not listen on {addr}: {err}"))?;
        Ok(StaticServer { server: Arc::new(server), root: root.to_path_buf(), log: Arc::default() })
    }

    pub fn port(&self) -> u16 {
        self.server.server_addr().to_ip().map(|addr| addr.port()).expect("bound to an IP address")
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port())
    }

    /// Serves until the process ends, one thread per request.
    pub fn run(&self) {
        for request in self.server.incoming_requests() {
            let root = self.root.clone();
            let log = Arc::clone(&self.log);
            std::thread::spawn(move || handle(&root, &log, request));
        }
    }

    /// Serves in a background thread until the returned handle is dropped.
    pub fn spawn(self) -> RunningServer {
        let url = self.url();
        let server = Arc::clone(&self.server);
        let log = Arc::clone(&self.log);
        let thread = std::thread::spawn(move || self.run());
        RunningServer { url, server, log, thread: Some(thread) }
    }
}

/// A server running in a background thread; dropping it stops the server.
pub struct RunningServer {
    pub url: String,
    server: Arc<Server>,
    log: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// One `GET /path -> 200` line per request served so far.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().expect("log lock").clone()
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn handle(root: &Path, log: &Mutex<Vec<String>>, request: Request) {
    let (status, body, content_type) = match request.method() {
        Method::Get | Method::Head => match sanitize(request.url()) {
            Some(relative) => match fs::read(root.join(&relative)) {
                Ok(bytes) => (200, bytes, content_type(&relative)),
                Err(_) => not_found(),
            },
            None => not_found(),
        },
        _ => (405, b"method not allowed\n".to_vec(), TEXT),
    };
    log.lock().expect("log lock").push(format!("{} {} -> {status}", request.method(), request.url()));
    let mut response = Response::from_data(body).with_status_code(status);
    response.add_header(header("Content-Type", content_type));
    for (name, value) in HEADERS {
        response.add_header(header(name, value));
    }
    // A client that went away is not our problem.
    let _ = request.respond(response);
}

const TEXT: &str = "text/plain; charset=utf-8";

fn not_found() -> (u16, Vec<u8>, &'static str) {
    (404, b"not found\n".to_vec(), TEXT)
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

/// The Content-Type for a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "txt" => TEXT,
        _ => "application/octet-stream",
    }
}

/// Maps a request target to a path relative to the served directory: drops the query and
/// fragment, percent-decodes, serves `index.html` for directories. `None` (a 404) for anything
/// that could leave the directory: `..`, backslashes, NUL, a `%` without two hex digits, escapes
/// that are not UTF-8.
pub fn sanitize(url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let escapes_ok = path
        .match_indices('%')
        .all(|(i, _)| path.get(i + 1..i + 3).is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())));
    if !escapes_ok {
        return None;
    }
    let path = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    if !path.starts_with('/') || path.contains(['\\', '\0']) {
        return None;
    }
    let mut relative = PathBuf::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            _ => relative.push(segment),
        }
    }
    if path.ends_with('/') || relative.as_os_str().is_empty() {
        relative.push("index.html");
    }
    Some(relative)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("index.html")), "text/html; charset=utf-8");
        assert_eq!(content_type(Path::new("a/wirelens-1f2e.js")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(Path::new("wirelens-1f2e_bg.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("style.CSS")), "text/css; charset=utf-8");
        assert_eq!(content_type(Path::new("icon.svg")), "image/svg+xml");
        assert_eq!(content_type(Path::new("icon.png")), "image/png");
        assert_eq!(content_type(Path::new("x.json")), "application/json");
        assert_eq!(content_type(Path::new("LICENSE")), "application/octet-stream");
    }

    #[test]
    fn sanitize_maps_urls_to_relative_paths() {
        let ok = |url: &str| sanitize(url).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(ok("/").as_deref(), Some("index.html"));
        assert_eq!(ok("/?x=1#top").as_deref(), Some("index.html"));
        assert_eq!(ok("/app.js?v=2").as_deref(), Some("app.js"));
        assert_eq!(ok("/static/a%20b.css").as_deref(), Some("static/a b.css"));
        assert_eq!(ok("/a%FF.js"), None, "not UTF-8");
        assert_eq!(ok("/static/").as_deref(), Some("static/index.html"));
        assert_eq!(ok("//./x.wasm").as_deref(), Some("x.wasm"));
    }

    #[test]
    fn sanitize_rejects_traversal() {
        for url in [
            "/../etc/passwd",
            "/static/../../secret",
            "/%2e%2e/secret",
            "/a/%2E%2E/%2E%2E/b",
            "/..",
            "/a\\..\\b",
            "/%00",
            "/%zz",
            "/%2",
            "relative.html",
        ] {
            assert_eq!(sanitize(url), None, "{url}");
        }
    }

    fn get(url: &str, path: &str) -> (String, String) {
        let addr = url.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        (head.to_owned(), body.to_owned())
    }

    fn has_header(head: &str, name: &str, value: &str) -> bool {
        head.lines().any(|line| {
            line.split_once(':').is_some_and(|(n, v)| n.trim().eq_ignore_ascii_case(name) && v.trim() == value)
        })
    }

    #[test]
    fn serves_files_with_isolation_headers() {
        let scratch = crate::util::fresh_temp_dir("static-server").unwrap();
        let dir = scratch.join("dist");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("index.html"), "<p>hello</p>").unwrap();
        fs::write(dir.join("app_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        fs::write(scratch.join("outside.txt"), "secret").unwrap();
        let server = StaticServer::bind("127.0.0.1:0", &dir).unwrap().spawn();

        let (head, body) = get(&server.url, "/");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert_eq!(body, "<p>hello</p>");
        assert!(has_header(&head, "Content-Type", "text/html; charset=utf-8"), "{head}");
        for (name, value) in HEADERS {
            assert!(has_header(&head, name, value), "{name} missing in\n{head}");
        }

        let (head, _) = get(&server.url, "/app_bg.wasm");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(has_header(&head, "Content-Type", "application/wasm"), "{head}");

        let (head, body) = get(&server.url, "/../outside.txt");
        assert!(head.starts_with("HTTP/1.1 404"), "{head}");
        assert!(!body.contains("secret"));
        assert!(has_header(&head, "Cross-Origin-Embedder-Policy", "require-corp"), "{head}");

        let (head, _) = get(&server.url, "/missing.js");
        assert!(head.starts_with("HTTP/1.1 404"), "{head}");

        assert_eq!(server.requests().len(), 4);
        drop(server);
        fs::remove_dir_all(&scratch).unwrap();
    }
}
