//! The summary of many calls, whatever made them: `--repeat`'s gRPC, grpc-web or Connect calls
//! and their REST twin print the same lines. Knows outcomes, counts and percentiles (core's
//! nearest rank); nothing about making calls.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use wirelens_core::{stats, status};

/// How one call ended: its latency, and the number of messages back or the status code and message.
pub type Outcome = (Duration, Result<u64, (u32, String)>);

/// How many calls failed, and the first one's code and message.
pub fn first_failure(outcomes: &[Outcome]) -> Option<(usize, u32, String)> {
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
    if let Some(&max) = latencies.last() {
        let at = |q: f64| stats::nearest_rank(&latencies, q).unwrap_or(max);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let _ = writeln!(
            out,
            "latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(at(0.5)),
            ms(at(0.9)),
            ms(at(0.99)),
            ms(max)
        );
    }
    let mut failures: BTreeMap<u32, (usize, &str)> = BTreeMap::new();
    for (_, result) in outcomes {
        if let Err((code, message)) = result {
            failures.entry(*code).or_insert((0, message)).0 += 1;
        }
    }
    for (code, (count, first)) in failures {
        let _ = writeln!(out, "{count} x {} (first: {first})", status::name(code));
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
        outcomes.push((ms(100), Err((8, "rate limit exceeded".into()))));
        let text = summary("GetUser x 10, 4 at a time on one HTTP/2 connection", &outcomes, Duration::from_secs(2));
        assert_eq!(
            text,
            "GetUser x 10, 4 at a time on one HTTP/2 connection: 9 OK (9 messages back) in 2.00 s, 5 calls/s\n\
             latency: p50 5.00 ms, p90 9.00 ms, p99 100.00 ms, max 100.00 ms\n\
             1 x RESOURCE_EXHAUSTED (first: rate limit exceeded)\n"
        );
        assert_eq!(first_failure(&outcomes), Some((1, 8, "rate limit exceeded".into())));
    }
}
