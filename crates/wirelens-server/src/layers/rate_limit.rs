//! A per-client rate limit: one token bucket per peer IP address, refilled continuously. A
//! request that finds its bucket empty ends RESOURCE_EXHAUSTED (HTTP 429) with the wait in its
//! ErrorInfo. The table of buckets is bounded; idle clients are forgotten first.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::{Protocol, reject};
use crate::error::ApiError;

/// How many clients the table remembers at most.
pub const MAX_CLIENTS: usize = 4096;

/// The limit: a client may send `burst` requests at once, then `per_second` on average.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: u32,
}

/// The buckets of every client seen recently; cheap to clone (clones share the table).
#[derive(Clone)]
pub struct Limiter {
    /// `None`: every request passes.
    limit: Option<RateLimit>,
    buckets: Arc<Mutex<HashMap<IpAddr, Bucket>>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Limiter {
    pub fn new(limit: Option<RateLimit>) -> Limiter {
        Limiter { limit, buckets: Arc::default() }
    }

    /// Takes one token from `client`'s bucket at time `now`; when it is empty, the time until
    /// the next token.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let Some(limit @ RateLimit { per_second, burst }) = self.limit else { return Ok(()) };
        let burst = f64::from(burst);
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !buckets.contains_key(&client) && buckets.len() >= MAX_CLIENTS {
            evict(&mut buckets, limit, now);
        }
        let bucket = buckets.entry(client).or_insert(Bucket { tokens: burst, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else if per_second > 0.0 {
            Err(Duration::from_secs_f64(((1.0 - bucket.tokens) / per_second).min(86_400.0)))
        } else {
            Err(Duration::from_secs(86_400))
        }
    }
}

/// Makes room in a full table: drops the buckets that have refilled (their clients are idle,
/// forgetting them changes nothing), or else the least recently used one.
fn evict(buckets: &mut HashMap<IpAddr, Bucket>, limit: RateLimit, now: Instant) {
    let full = |b: &Bucket| {
        b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * limit.per_second >= f64::from(limit.burst)
    };
    buckets.retain(|_, b| !full(b));
    if buckets.len() >= MAX_CLIENTS
        && let Some(oldest) = buckets.iter().min_by_key(|(_, b)| b.updated).map(|(ip, _)| *ip)
    {
        buckets.remove(&oldest);
    }
}

/// The middleware: one token per request, keyed by the peer's IP address.
pub async fn limit(State(limiter): State<Limiter>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| addr.ip());
    match limiter.check(client, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let error = ApiError::rate_limited(wait.as_millis().max(1) as u64);
            let mut response = reject(Protocol::of(request.headers()), &error);
            if Protocol::of(request.headers()) == Protocol::Rest {
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                response.headers_mut().insert(http::header::RETRY_AFTER, seconds.into());
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn a_burst_then_the_refill_rate_per_client() {
        let limiter = Limiter::new(Some(RateLimit { per_second: 2.0, burst: 3 }));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(A, t0), Ok(()));
        }
        assert_eq!(limiter.check(A, t0), Err(Duration::from_millis(500)));
        assert_eq!(limiter.check(B, t0), Ok(()), "another client has its own bucket");
        assert_eq!(limiter.check(A, t0 + Duration::from_millis(500)), Ok(()), "half a second buys one token");
        assert!(limiter.check(A, t0 + Duration::from_millis(500)).is_err());
        for _ in 0..3 {
            assert_eq!(limiter.check(A, t0 + Duration::from_secs(60)), Ok(()), "never more than the burst");
        }
        assert!(limiter.check(A, t0 + Duration::from_secs(60)).is_err());
    }

    #[test]
    fn the_table_stays_bounded() {
        let limiter = Limiter::new(Some(RateLimit { per_second: 0.0, burst: 1 }));
        let t0 = Instant::now();
        for i in 0..(MAX_CLIENTS as u32 + 10) {
            let client = IpAddr::V4(Ipv4Addr::from(i));
            assert_eq!(limiter.check(client, t0 + Duration::from_millis(i.into())), Ok(()));
        }
        assert_eq!(limiter.buckets.lock().unwrap().len(), MAX_CLIENTS);
    }

    #[test]
    fn no_limit_passes_everything_and_remembers_no_one() {
        let limiter = Limiter::new(None);
        for _ in 0..1000 {
            assert_eq!(limiter.check(A, Instant::now()), Ok(()));
        }
        assert!(limiter.buckets.lock().unwrap().is_empty());
    }
}
