//! The REST twin of a repeated call: `call --repeat N --concurrency C` of GetUser or ListUsers
//! also makes the same requests as `GET /v1/users…` over HTTP/1.1, C at a time, and counts the
//! connections that took. HTTP/1.1 carries one request at a time per connection, so C requests in
//! flight need C connections, where gRPC multiplexed them all over one HTTP/2 connection: the
//! reference's multiplexing picture, measured. Knows HTTP/1.1 and the twin's JSON errors; the
//! path is wirelens-api's `rest_twin`, the summary `summary.rs`'s.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::error::Failure;
use crate::summary::Outcome;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use wirelens_core::status;

/// What the REST run saw: each call's outcome, the time it all took, the connections opened.
pub struct Run {
    pub outcomes: Vec<Outcome>,
    pub elapsed: Duration,
    pub connections: u32,
}

/// `repeat` GETs of `path`, `workers` at a time, with the call's token, headers and deadline.
pub async fn run(
    addr: &str,
    metadata: &[(String, String)],
    deadline: Option<Duration>,
    path: &str,
    repeat: u32,
    workers: u32,
) -> Result<Run, Failure> {
    let base = addr.trim_end_matches('/');
    let uri: http::Uri =
        format!("{base}{path}").parse().map_err(|e| Failure::usage(format!("--addr {base}: not a URL ({e})")))?;
    let connections = Arc::new(AtomicU32::new(0));
    let connector = Counting { inner: HttpConnector::new(), opened: Arc::clone(&connections) };
    let client: Client<Counting, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let headers = crate::transport::metadata(metadata)?.into_headers();
    let next = Arc::new(AtomicU32::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (client, uri, headers, next) = (client.clone(), uri.clone(), headers.clone(), Arc::clone(&next));
        tasks.spawn(async move {
            let mut outcomes: Vec<Outcome> = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < repeat {
                let began = Instant::now();
                let one = get(&client, &uri, &headers);
                let result = match deadline {
                    Some(limit) => tokio::time::timeout(limit, one).await.unwrap_or_else(|_| {
                        Err((status::DEADLINE_EXCEEDED, "no answer before the deadline".to_owned()))
                    }),
                    None => one.await,
                };
                outcomes.push((began.elapsed(), result));
            }
            outcomes
        });
    }
    let mut outcomes = Vec::with_capacity(repeat as usize);
    while let Some(finished) = tasks.join_next().await {
        outcomes.extend(finished.map_err(|e| Failure::invalid(format!("a REST task failed: {e}")))?);
    }
    Ok(Run { outcomes, elapsed: start.elapsed(), connections: connections.load(Ordering::Relaxed) })
}

/// One GET: the number of users in the answer, or the gRPC code its HTTP status stands for.
async fn get(
    client: &Client<Counting, Empty<Bytes>>,
    uri: &http::Uri,
    headers: &http::HeaderMap,
) -> Result<u64, (u32, String)> {
    let mut request = http::Request::get(uri.clone()).body(Empty::new()).expect("a GET with a parsed URI is valid");
    request.headers_mut().extend(headers.clone());
    let response = client.request(request).await.map_err(|e| (status::UNAVAILABLE, e.to_string()))?;
    let http = response.status();
    let body = response.into_body().collect().await.map_err(|e| (status::UNAVAILABLE, e.to_string()))?.to_bytes();
    let value: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    if !http.is_success() {
        // The twin's error body names the gRPC status (`{"error":{"status":"NOT_FOUND",…}}`);
        // without one, the HTTP status stands for the code gRPC maps it to.
        let error = value.as_ref().and_then(|v| v.get("error"));
        let named = error.and_then(|e| e.get("status")).and_then(|s| s.as_str());
        let code = named.and_then(status::by_name).unwrap_or_else(|| status::from_http(http.as_u16()));
        let message = error.and_then(|e| e.get("message")).and_then(|m| m.as_str()).unwrap_or("");
        return Err((code.number, format!("HTTP {http}: {message}")));
    }
    let value = value.ok_or((status::INTERNAL, "the answer is not JSON".to_owned()))?;
    Ok(value.get("users").and_then(|u| u.as_array()).map_or(1, |users| users.len() as u64))
}

/// hyper's HTTP connector, counting the connections it opens.
#[derive(Clone)]
struct Counting {
    inner: HttpConnector,
    opened: Arc<AtomicU32>,
}

impl tower_service::Service<http::Uri> for Counting {
    type Response = <HttpConnector as tower_service::Service<http::Uri>>::Response;
    type Error = <HttpConnector as tower_service::Service<http::Uri>>::Error;
    type Future = <HttpConnector as tower_service::Service<http::Uri>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        self.opened.fetch_add(1, Ordering::Relaxed);
        self.inner.call(uri)
    }
}
