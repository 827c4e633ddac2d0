//! `call --repeat N --concurrency C`: the same call N times, C of them in flight at once (over a
//! single HTTP/2 connection for native gRPC, which multiplexes them as streams), then one
//! summary (`summary.rs`): how many ended in each status, calls per second and latency
//! percentiles; then, for the reference GetUser and ListUsers, the same for their REST twin
//! over HTTP/1.1 (`rest.rs`), with the connections it needed. Dispatched from main; knows
//! timing and counting, and makes each call through `call.rs`'s preparation and `transport.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use prost::Message as _;
use prost_reflect::DynamicMessage;
use wirelens_api::contract::rest_twin;
use wirelens_api::{GetUserRequest, ListUsersRequest};
use wirelens_core::call::{self, Protocol};
use wirelens_core::message;

use crate::call::{Call, Prepared};
use crate::error::Failure;
use crate::summary::{self, Outcome};
use crate::transport::{self, Requests};
use crate::{output, rest};

/// The most calls one `--repeat` makes.
pub const MAX_REPEAT: u32 = 10_000_000;

/// Makes the calls and prints the summary; fails (exit 3) when any call failed.
pub fn run(call: Call) -> Result<(), Failure> {
    crate::call::runtime()?.block_on(repeat(call))
}

async fn repeat(call: Call) -> Result<(), Failure> {
    let Some(prepared) = call.prepare().await? else { return Ok(()) };
    let requests = call.all_requests(&prepared.method)?;
    let repeat = call.repeat.min(MAX_REPEAT);
    let workers = call.concurrency.clamp(1, repeat);
    let shared = Arc::new((call, prepared, requests));
    let next = Arc::new(AtomicU32::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (shared, next) = (Arc::clone(&shared), Arc::clone(&next));
        tasks.spawn(async move {
            let (call, prepared, requests) = &*shared;
            let mut outcomes: Vec<Outcome> = Vec::new();
            // Bounded: the shared counter hands out `repeat` calls in all.
            while next.fetch_add(1, Ordering::Relaxed) < repeat {
                let began = Instant::now();
                let result = once(call, prepared, requests).await;
                outcomes.push((began.elapsed(), result));
            }
            outcomes
        });
    }
    let mut outcomes = Vec::with_capacity(repeat as usize);
    while let Some(finished) = tasks.join_next().await {
        outcomes.extend(finished.map_err(|e| Failure::invalid(format!("a call task failed: {e}")))?);
    }
    let elapsed = start.elapsed();
    let (call, prepared, requests) = &*shared;
    let over = match call.protocol {
        Protocol::Grpc => "on one HTTP/2 connection".to_owned(),
        other => format!("in {other} over HTTP/1.1"),
    };
    let head = format!("{} x {}, {workers} at a time {over}", prepared.method.name(), outcomes.len());
    output::write_stdout(summary::summary(&head, &outcomes, elapsed).as_bytes())?;
    // The same requests over the REST twin, for comparison (the two methods that have one).
    let mut rest_failure = None;
    if let Some(path) = rest_path(prepared, requests) {
        let deadline = call.deadline;
        let rest = rest::run(&call.addr, &prepared.metadata, deadline, &path, repeat, workers).await?;
        let head = format!(
            "REST twin GET {path} x {}, {workers} at a time over HTTP/1.1 on {} connection{}",
            rest.outcomes.len(),
            rest.connections,
            if rest.connections == 1 { "" } else { "s" }
        );
        output::write_stdout(summary::summary(&head, &rest.outcomes, rest.elapsed).as_bytes())?;
        rest_failure = summary::first_failure(&rest.outcomes)
            .map(|f| failure(call, prepared, "REST twin: ", &f, rest.outcomes.len()));
    }
    match summary::first_failure(&outcomes) {
        None => rest_failure.map_or(Ok(()), Err),
        Some(f) => Err(failure(call, prepared, "", &f, outcomes.len())),
    }
}

/// One call, nothing printed: how many messages came back, or the status.
async fn once(call: &Call, prepared: &Prepared, requests: &[DynamicMessage]) -> Result<u64, (u32, String)> {
    let mut count = 0u64;
    let mut on_event = |event: transport::Event<'_>| {
        if let transport::Event::Message(_) = event {
            count += 1;
        }
        Ok(())
    };
    let target = prepared.target(call);
    let requests = Requests::All(requests.to_vec());
    match transport::call(&prepared.connection, &target, &prepared.method, requests, &mut on_event).await {
        Ok(ended) if ended.status.is_ok() => Ok(count),
        Ok(ended) => Err((ended.status.code, ended.status.message)),
        Err(failure) => Err((wirelens_core::status::UNAVAILABLE, failure.errors[0].message.clone())),
    }
}

fn failure(
    call: &Call,
    prepared: &Prepared,
    side: &str,
    (failed, code, message): &(usize, u32, String),
    of: usize,
) -> Failure {
    let status = wirelens_core::status::Status::client(*code, message.clone());
    let mut failure = call.failed(prepared, &status);
    failure.errors[0].message =
        format!("{side}{failed} of {of} calls failed; the first: {}", failure.errors[0].message);
    failure
}

/// The REST path of the call's request, for the reference methods that have a REST twin.
fn rest_path(prepared: &Prepared, requests: &[DynamicMessage]) -> Option<String> {
    let bytes = requests.first().map(message::encode).unwrap_or_default();
    match call::full_name(&prepared.method).as_str() {
        "userservice.UserService/GetUser" => {
            let request = GetUserRequest::decode(bytes.as_slice()).ok()?;
            Some(rest_twin::path(rest_twin::Request::GetUser { user_id: request.user_id }))
        }
        "userservice.UserService/ListUsers" => {
            let request = ListUsersRequest::decode(bytes.as_slice()).ok()?;
            Some(rest_twin::path(rest_twin::Request::ListUsers {
                page_size: request.page_size,
                page_token: &request.page_token,
            }))
        }
        _ => None,
    }
}
