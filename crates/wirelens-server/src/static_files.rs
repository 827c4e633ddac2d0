//! The built app (`dist/`) on the API's origin: compressed, cached, and cross-origin isolated
//! (COOP/COEP/CORP) so the page gets precise timers for its benchmarks.
//!
//! `cargo xtask` writes a brotli (`.br`) and a gzip (`.gz`) copy beside every compressible file
//! of `dist/` at build time; `ServeDir` picks the one the request accepts, so nothing is
//! compressed per request. Files whose names carry a content hash (trunk's `name-<hash>.ext`)
//! never change under their name: browsers may keep them a year without asking again. The rest
//! (index.html, the benchmark worker, which is started by a fixed URL) are revalidated on every
//! use, and answered `304 Not Modified` when the browser's copy is current (ETag).

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, StatusCode, header};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Headers on every response of the server, API and errors included.
pub const ISOLATION_HEADERS: &[(&str, &str)] = &[
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "require-corp"),
    ("cross-origin-resource-policy", "same-origin"),
];

/// For a file named with its content's hash: never asked for again.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For every other file: kept, but revalidated (a 304 when unchanged) before each use.
pub const REVALIDATE: &str = "no-cache";

/// Serves the files under `dist` for every path no other route claims.
pub fn fallback(router: Router, dist: &Path) -> Router {
    let files = ServeDir::new(dist).append_index_html_on_directories(true).precompressed_br().precompressed_gzip();
    let dist = dist.to_path_buf();
    let cache = from_fn(move |request: Request, next: Next| cache(dist.clone(), request, next));
    router.fallback_service(Router::new().fallback_service(files).layer(cache))
}

/// Adds [`ISOLATION_HEADERS`] to every response of `router`.
pub fn isolate(mut router: Router) -> Router {
    for (name, value) in ISOLATION_HEADERS {
        router = router
            .layer(SetResponseHeaderLayer::overriding(HeaderName::from_static(name), HeaderValue::from_static(value)));
    }
    router
}

/// The caching headers of a file response, and `304 Not Modified` for a revalidation that
/// names the file's current ETag.
async fn cache(dist: PathBuf, request: Request, next: Next) -> Response {
    let Some(file) = file_for(&dist, request.uri().path()) else { return next.run(request).await };
    if is_content_hashed(&file) {
        let mut response = next.run(request).await;
        if response.status().is_success() {
            let headers = response.headers_mut();
            headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
        }
        return response;
    }
    let etag = etag(&file);
    let fresh = etag.as_ref().is_some_and(|etag| {
        request.headers().get_all(header::IF_NONE_MATCH).iter().any(|asked| matches_etag(asked.as_bytes(), etag))
    });
    let mut response = if fresh { StatusCode::NOT_MODIFIED.into_response() } else { next.run(request).await };
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        // The body depends on Accept-Encoding (a precompressed copy or the file itself).
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
        if let Some(etag) = etag.and_then(|etag| HeaderValue::from_str(&etag).ok()) {
            headers.insert(header::ETAG, etag);
        }
    }
    response
}

/// The file a request path names under `dist` (a directory's `index.html`), if there is one.
/// Paths that climb out of `dist` name nothing (ServeDir refuses them too).
fn file_for(dist: &Path, path: &str) -> Option<PathBuf> {
    let mut file = dist.to_path_buf();
    for part in path.split('/').filter(|part| !part.is_empty()) {
        if part == "." || part == ".." || part.contains('\\') {
            return None;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

/// Whether the file's name carries trunk's content hash: `name-<hex digits>.ext` (also
/// `name-<hash>_bg.wasm`). Trunk writes its 64-bit hash without leading zeros, so one name in
/// sixteen has 15 digits (fewer, rarely); 12 or more are taken as a hash.
pub fn is_content_hashed(file: &Path) -> bool {
    let Some(stem) = file.file_stem().and_then(|s| s.to_str()) else { return false };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(name, hash)| {
        !name.is_empty() && (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// A weak ETag from the file's size and modification time (as nginx makes them): it changes
/// whenever the file is rebuilt, and is weak because the same file goes out in three encodings.
fn etag(file: &Path) -> Option<String> {
    let metadata = std::fs::metadata(file).ok()?;
    let modified = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(format!("W/\"{:x}-{:x}\"", metadata.len(), modified.as_nanos()))
}

/// `If-None-Match` against an ETag: `*`, or any tag of the list, compared weakly (RFC 9110 13.1.2).
fn matches_etag(asked: &[u8], etag: &str) -> bool {
    let bare = |tag: &[u8]| -> Vec<u8> { tag.strip_prefix(b"W/").unwrap_or(tag).to_vec() };
    let ours = bare(etag.as_bytes());
    asked.split(|&b| b == b',').map(|tag| tag.trim_ascii()).any(|tag| tag == b"*" || bare(tag) == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_are_recognised_in_trunk_names_only() {
        for hashed in [
            "wirelens-app-1a2b3c4d5e6f7a8b.js",
            "wirelens-app-1a2b3c4d5e6f7a8b_bg.wasm",
            "style-00ff00ff00ff00ff.css",
            // A hash with a leading zero, as trunk writes it; the app's parts (xtask split-app).
            "wirelens-app-8e9424271c96bf6.js",
            "split_grpc-8e9424271c96bf6.wasm",
            "wasm-split-8e9424271c96bf6.js",
        ] {
            assert!(is_content_hashed(Path::new(hashed)), "{hashed}");
        }
        for plain in [
            "index.html",
            "wirelens-app.js",
            "wirelens-bench-worker_bg.wasm",
            "bench-worker.js",
            "-1a2b3c4d5e6f7a8b.js",
            "app-1a2b3c4d5e6f7a8g.js",
            "app-1a2b3c4d5.js",
            "app-1a2b3c4d5e6f7a8b9.js",
            "bench-worker-2.js",
        ] {
            assert!(!is_content_hashed(Path::new(plain)), "{plain}");
        }
    }

    #[test]
    fn if_none_match_compares_weakly_and_reads_lists() {
        let etag = "W/\"2b-17f\"";
        for asked in ["W/\"2b-17f\"", "\"2b-17f\"", "\"x\", W/\"2b-17f\"", "*"] {
            assert!(matches_etag(asked.as_bytes(), etag), "{asked}");
        }
        for asked in ["", "W/\"2b-180\"", "\"2b-17f"] {
            assert!(!matches_etag(asked.as_bytes(), etag), "{asked}");
        }
    }

    #[test]
    fn request_paths_name_files_under_dist_only() {
        let dist = tempfile::tempdir().unwrap();
        std::fs::write(dist.path().join("index.html"), "x").unwrap();
        std::fs::create_dir(dist.path().join("bench")).unwrap();
        std::fs::write(dist.path().join("bench/bench-worker.js"), "x").unwrap();
        assert_eq!(file_for(dist.path(), "/"), Some(dist.path().join("index.html")));
        assert_eq!(file_for(dist.path(), "/bench/bench-worker.js"), Some(dist.path().join("bench/bench-worker.js")));
        assert_eq!(file_for(dist.path(), "/bench/"), None, "a directory without index.html");
        assert_eq!(file_for(dist.path(), "/nope.js"), None);
        assert_eq!(file_for(dist.path(), "/bench/../index.html"), None);
    }
}
