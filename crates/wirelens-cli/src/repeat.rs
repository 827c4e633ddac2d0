//! `call --repeat N --concurrency C`: the same call N times, C of them in flight at once over a
//! single HTTP/2 connection (gRPC multiplexes them as streams), then one summary: how many
//! ended in each status, calls per second and latency percentiles; then the same for the REST
//! twin over HTTP/1.1 (`rest.rs`), with the connections it needed. Knows timing and counting;
//! making one call is `call.rs`'s.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tonic::metadata::MetadataMap;
use tonic::transport::Channel;
use wirelens_api::UserServiceClient;

use crate::call::Call;
use crate::error::Failure;
use crate::output;

/// The most calls one `--repeat` makes.
pub const MAX_REPEAT: u32 = 10_000_000;

/// How one call ended: its latency, and the number of messages or the status.
pub type Outcome = (Duration, Result<u64, (tonic::Code, String)>);

/// Makes the calls and prints the summary; fails (exit 3) when any call failed.
pub async fn run(
    call: Call,
    client: UserServiceClient<Channel>,
    metadata: MetadataMap,
    requests: Vec<Vec<u8>>,
) -> Result<(), Failure> {
    let repeat = call.repeat.min(MAX_REPEAT);
    let workers = call.concurrency.clamp(1, repeat);
    let shared = Arc::new((call, metadata, requests));
    let next = Arc::new(AtomicU32::new(0));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (shared, next, mut client) = (Arc::clone(&shared), Arc::clone(&next), client.clone());
        tasks.spawn(async move {
            let (call, metadata, requests) = &*shared;
            let mut outcomes: Vec<Outcome> = Vec::new();
            // Bounded: the shared counter hands out `repeat` calls in all.
            while next.fetch_add(1, Ordering::Relaxed) < repeat {
                let began = Instant::now();
                let result = call.invoke(&mut client, metadata, requests).await;
                outcomes.push((began.elapsed(), result.map_err(|s| (s.code(), s.message().to_owned()))));
            }
            outcomes
        });
    }
    let mut outcomes = Vec::with_capacity(repeat as usize);
    while let Some(finished) = tasks.join_next().await {
        outcomes.extend(finished.map_err(|e| Failure::invalid(format!("a call task failed: {e}")))?);
    }
    let elapsed = start.elapsed();
    let (call, metadata, requests) = &*shared;
    let head = format!("{:?} x {}, {workers} at a time on one HTTP/2 connection", call.method, outcomes.len());
    output::write_stdout(summary(&head, &outcomes, elapsed).as_bytes())?;
    // The same requests over the REST twin, for comparison (the two methods that have one).
    let mut rest_failure = None;
    if let Some(path) = crate::rest::path(call.method, requests) {
        let rest = crate::rest::run(call, metadata, &path, repeat, workers).await?;
        let head = format!(
            "REST twin GET {path} x {}, {workers} at a time over HTTP/1.1 on {} connection{}",
            rest.outcomes.len(),
            rest.connections,
            if rest.connections == 1 { "" } else { "s" }
        );
        output::write_stdout(summary(&head, &rest.outcomes, rest.elapsed).as_bytes())?;
        rest_failure = first_failure(&rest.outcomes).map(|(failed, code, message)| {
            let mut failure = call.failed(&tonic::Status::new(code, message));
            failure.errors[0].message = format!(
                "REST twin: {failed} of {} calls failed; the first: {}",
                rest.outcomes.len(),
                failure.errors[0].message
            );
            failure
        });
    }
    match first_failure(&outcomes) {
        None => rest_failure.map_or(Ok(()), Err),
        Some((failed, code, message)) => {
            let mut failure = call.failed(&tonic::Status::new(code, message));
            failure.errors[0].message =
                format!("{failed} of {} calls failed; the first: {}", outcomes.len(), failure.errors[0].message);
            Err(failure)
        }
    }
}

/// How many calls failed, and the first one's code and message.
fn first_failure(outcomes: &[Outcome]) -> Option<(usize, tonic::Code, String)> {
    let failed = outcomes.iter().filter(|(_, r)| r.is_err()).count();
    outcomes.iter().find_map(|(_, r)| r.as_ref().err()).map(|(code, message)| (failed, *code, message.clone()))
}

/// The summary under `head` (what ran, how many at once, over what): a line of counts and rate,
/// a line of latencies, a line per failing status.
pub fn summary(head: &str, outcomes: &[Outcome], elapsed: Duration) -> String {
    let ok = outcomes.iter().filter(|(_, r)| r.is_ok()).count();
    let messages: u64 = outcomes.iter().filter_map(|(_, r)| r.as_ref().ok()).sum();
    let rate = outcomes.len() as f64 / elapsed.as_secs_f64().max(1e-9);
    let mut out =
        format!("{head}: {ok} OK ({messages} messages back) in {:.2} s, {rate:.0} calls/s\n", elapsed.as_secs_f64());
    let mut latencies: Vec<Duration> = outcomes.iter().map(|(took, _)| *took).collect();
    latencies.sort();
    if let Some(max) = latencies.last() {
        let at = |q: f64| wirelens_core::stats::nearest_rank(&latencies, q).unwrap_or(*max);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let _ = writeln!(
            out,
            "latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(at(0.5)),
            ms(at(0.9)),
            ms(at(0.99)),
            ms(*max)
        );
    }
    let mut failures: BTreeMap<i32, (usize, &str)> = BTreeMap::new();
    for (_, result) in outcomes {
        if let Err((code, message)) = result {
            failures.entry(*code as i32).or_insert((0, message)).0 += 1;
        }
    }
    for (code, (count, first)) in failures {
        let _ = writeln!(out, "{count} x {:?} (first: {first})", tonic::Code::from_i32(code));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_statuses_and_percentiles() {
        let ms = Duration::from_millis;
        let mut outcomes: Vec<Outcome> = (1..=9).map(|i| (ms(i), Ok(1))).collect();
        outcomes.push((ms(100), Err((tonic::Code::ResourceExhausted, "rate limit exceeded".into()))));
        let text = summary("GetUser x 10, 4 at a time on one HTTP/2 connection", &outcomes, Duration::from_secs(2));
        assert_eq!(
            text,
            "GetUser x 10, 4 at a time on one HTTP/2 connection: 9 OK (9 messages back) in 2.00 s, 5 calls/s\n\
             latency: p50 5.00 ms, p90 9.00 ms, p99 100.00 ms, max 100.00 ms\n\
             1 x ResourceExhausted (first: rate limit exceeded)\n"
        );
    }
}
