//! The built app (`dist/`) on the API's origin, every response cross-origin isolated
//! (COOP/COEP/CORP) so the page gets precise timers for its benchmarks.

use std::path::Path;

use axum::Router;
use http::{HeaderName, HeaderValue};
use tower_http::services::ServeDir;
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

/// Headers on every response of the server, API and errors included.
pub const ISOLATION_HEADERS: &[(&str, &str)] = &[
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-embedder-policy", "require-corp"),
    ("cross-origin-resource-policy", "same-origin"),
];

/// Serves the files under `dist` for every path no other route claims. trunk names the files
/// without content hashes (the app starts its benchmark worker by a fixed URL), so browsers are
/// told to revalidate them rather than keep a stale bundle.
pub fn fallback(router: Router, dist: &Path) -> Router {
    let files = ServeDir::new(dist).append_index_html_on_directories(true);
    router.fallback_service(SetResponseHeader::if_not_present(
        files,
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    ))
}

/// Adds [`ISOLATION_HEADERS`] to every response of `router`.
pub fn isolate(mut router: Router) -> Router {
    for (name, value) in ISOLATION_HEADERS {
        router = router
            .layer(SetResponseHeaderLayer::overriding(HeaderName::from_static(name), HeaderValue::from_static(value)));
    }
    router
}
