//! The REST twin of a repeated call: `call --repeat N --concurrency C` of GetUser or ListUsers
//! also makes the same requests as `GET /v1/users…` over HTTP/1.1, C at a time, and counts the
//! connections that took. HTTP/1.1 carries one request at a time per connection, so C requests in
//! flight need C connections, where gRPC multiplexed them all over one HTTP/2 connection: the
//! reference's multiplexing picture, measured. Knows the REST paths and HTTP/1.1; the timing and
//! the summary are `repeat.rs`'s.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tonic::metadata::MetadataMap;
use wirelens_api::contract::rest_twin;
use wirelens_api::{GetUserRequest, ListUsersRequest};

use crate::call::{Call, Method, decode_first};
use crate::error::Failure;
use crate::repeat::Outcome;

/// The REST path of the call's first request, for the methods that have a REST twin.
pub fn path(method: Method, requests: &[Vec<u8>]) -> Option<String> {
    let twin = |request| Some(rest_twin::path(request));
    match method {
        Method::GetUser => {
            let request: GetUserRequest = decode_first(requests);
            twin(rest_twin::Request::GetUser { user_id: request.user_id })
        }
        Method::ListUsers => {
            let request: ListUsersRequest = decode_first(requests);
            twin(rest_twin::Request::ListUsers { page_size: request.page_size, page_token: &request.page_token })
        }
        Method::UploadUserPhotos | Method::Chat => None,
    }
}

/// What the REST run saw: each call's outcome, the time it all took, the connections opened.
pub struct Run {
    pub outcomes: Vec<Outcome>,
    pub elapsed: Duration,
    pub connections: u32,
}

/// `repeat` GETs of `path`, `workers` at a time, with the call's token, headers and deadline.
pub async fn run(call: &Call, metadata: &MetadataMap, path: &str, repeat: u32, workers: u32) -> Result<Run, Failure> {
    let base = call.addr.trim_end_matches('/');
    let uri: http::Uri =
        format!("{base}{path}").parse().map_err(|e| Failure::usage(format!("--addr {base}: not a URL ({e})")))?;
    let connections = Arc::new(AtomicU32::new(0));
    let connector = Counting { inner: HttpConnector::new(), opened: Arc::clone(&connections) };
    let client: Client<Counting, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
    let headers = metadata.clone().into_headers();
    let next = Arc::new(AtomicU32::new(0));
    let deadline = call.deadline;
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
                        Err((tonic::Code::DeadlineExceeded, "no answer before the deadline".to_owned()))
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
) -> Result<u64, (tonic::Code, String)> {
    let mut request = http::Request::get(uri.clone()).body(Empty::new()).expect("a GET with a parsed URI is valid");
    request.headers_mut().extend(headers.clone());
    let response = client.request(request).await.map_err(|e| (tonic::Code::Unavailable, e.to_string()))?;
    let status = response.status();
    let body = response.into_body().collect().await.map_err(|e| (tonic::Code::Unavailable, e.to_string()))?.to_bytes();
    let value: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    if !status.is_success() {
        // The twin's error body names the gRPC status (`{"error":{"status":"NOT_FOUND",…}}`);
        // without one, the HTTP status stands for the code gRPC maps it to.
        let error = value.as_ref().and_then(|v| v.get("error"));
        let named = error.and_then(|e| e.get("status")).and_then(|s| s.as_str());
        let code = named
            .and_then(|name| wirelens_core::status::CODES.iter().find(|c| c.name == name))
            .unwrap_or_else(|| wirelens_core::status::from_http(status.as_u16()));
        let message = error.and_then(|e| e.get("message")).and_then(|m| m.as_str()).unwrap_or("");
        return Err((tonic::Code::from_i32(code.number as i32), format!("HTTP {status}: {message}")));
    }
    let value = value.ok_or((tonic::Code::Internal, "the answer is not JSON".to_owned()))?;
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

#[cfg(test)]
mod tests {
    use prost::Message as _;

    use super::*;

    #[test]
    fn paths_of_the_rest_twin() {
        let get = GetUserRequest { user_id: 42 }.encode_to_vec();
        assert_eq!(path(Method::GetUser, &[get]).as_deref(), Some("/v1/users/42"));
        let list = ListUsersRequest { page_size: 3, page_token: "a b/c".into() }.encode_to_vec();
        assert_eq!(path(Method::ListUsers, &[list]).as_deref(), Some("/v1/users?page_size=3&page_token=a%20b%2Fc"));
        assert_eq!(path(Method::ListUsers, &[Vec::new()]).as_deref(), Some("/v1/users"));
        assert_eq!(path(Method::Chat, &[]), None);
    }
}
