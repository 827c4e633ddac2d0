//! The REST/JSON twin over HTTP/1.1: canonical proto3 JSON, errors as HTTP statuses with
//! JSON bodies, the same layers as gRPC, and the static files beside the API.

use http::{Request, StatusCode};
use http_body_util::Full;
use wirelens_server::{Config, DEMO_TOKEN, RateLimit, Store};

use crate::raw::{H1, Reply};
use crate::support::TestServer;

fn get(path: &str) -> Request<Full<bytes::Bytes>> {
    Request::get(path)
        .header("host", "127.0.0.1")
        .header("authorization", format!("Bearer {DEMO_TOKEN}"))
        .body(Full::default())
        .unwrap()
}

fn json(reply: &Reply) -> serde_json::Value {
    assert_eq!(reply.header("content-type"), Some("application/json"), "{reply:?}");
    serde_json::from_slice(&reply.body).unwrap()
}

fn error_status(reply: &Reply) -> String {
    json(reply)["error"]["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn get_user_is_canonical_proto3_json() {
    let server = TestServer::start().await;
    let mut h1 = H1::connect(server.addr).await;
    let reply = h1.send(get("/v1/users/42")).await;
    assert_eq!(reply.status, StatusCode::OK);
    // int64 as a string, enum by name, lowerCamelCase, defaults (no address) left out.
    assert_eq!(
        std::str::from_utf8(&reply.body).unwrap(),
        r#"{"user":{"id":"42","name":"Alice","email":"alice@example.com","roles":["admin","user"],"status":"ACTIVE"}}"#
    );
    assert_eq!(reply.header("cross-origin-embedder-policy"), Some("require-corp"));
}

#[tokio::test]
async fn errors_map_to_http_statuses() {
    let server = TestServer::start().await;
    let mut h1 = H1::connect(server.addr).await;
    let cases = [
        ("/v1/users/999", StatusCode::NOT_FOUND, "NOT_FOUND"),
        ("/v1/users/0", StatusCode::BAD_REQUEST, "INVALID_ARGUMENT"),
        ("/v1/users/abc", StatusCode::BAD_REQUEST, "INVALID_ARGUMENT"),
        ("/v1/users?page_size=-1", StatusCode::BAD_REQUEST, "INVALID_ARGUMENT"),
        ("/v1/users?page_token=zzz", StatusCode::BAD_REQUEST, "INVALID_ARGUMENT"),
    ];
    for (path, status, name) in cases {
        let reply = h1.send(get(path)).await;
        assert_eq!(reply.status, status, "{path}");
        assert_eq!(error_status(&reply), name, "{path}");
    }
    let not_found = json(&h1.send(get("/v1/users/999")).await);
    assert_eq!(not_found["error"]["code"], 404);
    assert_eq!(not_found["error"]["details"][0]["@type"], "type.googleapis.com/google.rpc.ErrorInfo");
    assert_eq!(not_found["error"]["details"][0]["reason"], "USER_NOT_FOUND");

    let mut anonymous = get("/v1/users/42");
    anonymous.headers_mut().remove("authorization");
    let reply = h1.send(anonymous).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));

    let mut slow = get("/v1/users/42");
    slow.headers_mut().insert("x-wirelens-work-ms", "5000".parse().unwrap());
    slow.headers_mut().insert("grpc-timeout", "50m".parse().unwrap());
    let reply = h1.send(slow).await;
    assert_eq!(reply.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(error_status(&reply), "DEADLINE_EXCEEDED");
}

#[tokio::test]
async fn over_the_rate_is_429_with_retry_after() {
    let limit = RateLimit { per_second: 0.5, burst: 1 };
    let server = TestServer::with_config(Config { rate_limit: Some(limit), ..Config::default() }).await;
    let mut h1 = H1::connect(server.addr).await;
    assert_eq!(h1.send(get("/v1/users/42")).await.status, StatusCode::OK);
    let reply = h1.send(get("/v1/users/42")).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.header("retry-after"), Some("2"));
    assert_eq!(error_status(&reply), "RESOURCE_EXHAUSTED");
}

#[tokio::test]
async fn list_pages_with_next_page_token() {
    let server = TestServer::start().await;
    let mut h1 = H1::connect(server.addr).await;
    let page = json(&h1.send(get("/v1/users?page_size=50")).await);
    assert_eq!(page["users"].as_array().unwrap().len(), 50);
    assert_eq!(page["nextPageToken"], "50");
    let last = json(&h1.send(get("/v1/users?page_size=50&page_token=50")).await);
    let ids: Vec<&str> = last["users"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, (51..=60).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(last.get("nextPageToken"), None, "the last page has no token");
}

#[tokio::test]
async fn photo_upload_answers_size_and_sha256() {
    let server =
        TestServer::with_config(Config { rate_limit: None, max_upload_bytes: 200_000, ..Config::default() }).await;
    let mut h1 = H1::connect(server.addr).await;
    let upload = |body: Vec<u8>| {
        Request::post("/v1/users/42/photos?filename=cat.jpg")
            .header("host", "127.0.0.1")
            .header("authorization", format!("Bearer {DEMO_TOKEN}"))
            .header("content-type", "image/jpeg")
            .body(Full::new(bytes::Bytes::from(body)))
            .unwrap()
    };
    let result = json(&h1.send(upload(vec![1; 150_000])).await);
    assert_eq!(result["userId"], "42");
    assert_eq!(result["totalBytes"], "150000");
    assert_eq!(result["chunkCount"], 3, "stored in 64 KiB chunks");
    assert_eq!(result["sha256Hex"].as_str().unwrap().len(), 64);

    let reply = h1.send(upload(vec![1; 250_000])).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(json(&reply)["error"]["message"].as_str().unwrap().contains("200000"));
}

#[tokio::test]
async fn the_app_is_served_beside_the_api_cross_origin_isolated() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<title>wirelens</title>").unwrap();
    let config = Config { dist: Some(dist.path().to_path_buf()), rate_limit: None, ..Config::default() };
    let server = TestServer::with(Store::in_memory().unwrap(), config).await;
    let mut h1 = H1::connect(server.addr).await;
    let mut page = get("/");
    page.headers_mut().remove("authorization");
    let reply = h1.send(page).await;
    assert_eq!(reply.status, StatusCode::OK, "no token needed for the app");
    assert_eq!(&reply.body[..], b"<title>wirelens</title>");
    assert_eq!(reply.header("cross-origin-opener-policy"), Some("same-origin"));
    assert_eq!(reply.header("cross-origin-embedder-policy"), Some("require-corp"));
    assert_eq!(reply.header("cross-origin-resource-policy"), Some("same-origin"));
    let mut missing = get("/nope.js");
    missing.headers_mut().remove("authorization");
    assert_eq!(h1.send(missing).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_app_goes_out_precompressed_hashed_files_kept_and_the_rest_revalidated() {
    let dist = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &[u8]| std::fs::write(dist.path().join(name), body).unwrap();
    write("index.html", b"<title>wirelens</title>");
    write("index.html.br", b"brotli bytes");
    write("index.html.gz", b"gzip bytes");
    write("wirelens-app-0123456789abcdef_bg.wasm", b"\0asm");
    let config = Config { dist: Some(dist.path().to_path_buf()), rate_limit: None, ..Config::default() };
    let server = TestServer::with(Store::in_memory().unwrap(), config).await;
    let mut h1 = H1::connect(server.addr).await;
    let page = |accept: &str, if_none_match: Option<&str>| {
        let mut request = Request::get("/").header("host", "127.0.0.1").header("accept-encoding", accept);
        if let Some(tag) = if_none_match {
            request = request.header("if-none-match", tag);
        }
        request.body(Full::default()).unwrap()
    };

    // The precompressed copy the browser accepts, brotli first; none when it accepts neither.
    let br = h1.send(page("gzip, deflate, br", None)).await;
    assert_eq!(
        (br.status, br.header("content-encoding"), &br.body[..]),
        (StatusCode::OK, Some("br"), &b"brotli bytes"[..])
    );
    let gz = h1.send(page("gzip", None)).await;
    assert_eq!((gz.header("content-encoding"), &gz.body[..]), (Some("gzip"), &b"gzip bytes"[..]));
    let plain = h1.send(page("identity", None)).await;
    assert_eq!((plain.header("content-encoding"), &plain.body[..]), (None, &b"<title>wirelens</title>"[..]));

    assert!(br.headers.get_all("vary").iter().any(|v| v == "accept-encoding"), "{br:?}");

    // index.html is revalidated: its ETag comes back as a 304 without a body.
    assert_eq!(br.header("cache-control"), Some("no-cache"));
    let etag = br.header("etag").expect("an etag").to_owned();
    assert_eq!(plain.header("etag"), Some(etag.as_str()), "one tag for every encoding");
    let again = h1.send(page("gzip, deflate, br", Some(&etag))).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(h1.send(page("br", Some("W/\"other\""))).await.status, StatusCode::OK);

    // A content-hashed file is kept for a year without asking.
    let mut wasm = get("/wirelens-app-0123456789abcdef_bg.wasm");
    wasm.headers_mut().remove("authorization");
    let wasm = h1.send(wasm).await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(wasm.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(wasm.header("etag"), None);
}

#[tokio::test]
async fn cors_preflight_allows_grpc_web_and_exposes_the_status_headers() {
    let server = TestServer::start().await;
    let mut h1 = H1::connect(server.addr).await;
    let preflight = Request::options("/userservice.UserService/GetUser")
        .header("host", "127.0.0.1")
        .header("origin", "http://localhost:9000")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,x-grpc-web,authorization")
        .body(Full::default())
        .unwrap();
    let reply = h1.send(preflight).await;
    assert!(reply.status.is_success(), "{reply:?}");
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    // Named, not `*`: a wildcard would not cover `authorization`.
    let allowed = reply.header("access-control-allow-headers").unwrap().to_ascii_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("x-grpc-web"), "{allowed}");
    let mut request = get("/v1/users/42");
    request.headers_mut().insert("origin", "http://localhost:9000".parse().unwrap());
    let exposed = h1.send(request).await.header("access-control-expose-headers").unwrap().to_owned();
    for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
        assert!(exposed.contains(name), "{exposed}");
    }
}
