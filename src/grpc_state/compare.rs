//! The gRPC-vs-REST comparison: the form's call made N times in its protocol and as its REST twin,
//! alternating, and the latencies of each summed up.

use wirelens_api::contract::rest_twin;
use wirelens_core::stats;

use super::GrpcState;
use super::form::{CallSpec, Method};

/// The most calls of each kind one comparison makes, and how long it may run.
pub const MAX_COMPARE_CALLS: u32 = 1000;
pub const COMPARE_TIME_LIMIT_MS: f64 = 30_000.0;

/// The same request made N times as grpc-web and as its REST twin, alternating.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareSpec {
    pub id: u32,
    pub n: u32,
    pub time_limit_ms: f64,
    /// The call in the form's protocol (its `id` is unused).
    pub grpc: CallSpec,
    /// `GET` of the REST twin, with the same authorization.
    pub rest_url: String,
    pub rest_headers: Vec<(String, String)>,
}

/// One timed call: which kind, how long, whether it succeeded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub rest: bool,
    pub ms: f64,
    pub ok: bool,
}

/// A comparison run: its spec, the samples so far, and whether it has ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub spec: CompareSpec,
    pub samples: Vec<Sample>,
    pub done: bool,
    pub cancelled: bool,
}

/// The latencies of one kind of call: count, failures, median and 95th percentile (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub count: usize,
    pub failed: usize,
    pub median_ms: f64,
    pub p95_ms: f64,
}

impl Comparison {
    /// Stats of the successful calls of one kind (`rest` or grpc-web); `None` before any.
    pub fn stats(&self, rest: bool) -> Option<Stats> {
        let samples: Vec<&Sample> = self.samples.iter().filter(|s| s.rest == rest).collect();
        let ms = stats::sorted_finite(samples.iter().filter(|s| s.ok).map(|s| s.ms));
        Some(Stats {
            count: samples.len(),
            failed: samples.iter().filter(|s| !s.ok).count(),
            median_ms: stats::nearest_rank(&ms, 0.5)?,
            p95_ms: stats::nearest_rank(&ms, 0.95)?,
        })
    }
}

impl GrpcState {
    pub(super) fn compare_spec(&self, origin: &str) -> Result<CompareSpec, String> {
        let n: u32 = self
            .compare_n
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=MAX_COMPARE_CALLS).contains(n))
            .ok_or(format!("the number of calls must be 1 to {MAX_COMPARE_CALLS}"))?;
        let reference = self.reference().ok_or(
            "the comparison with REST needs a method of the reference UserService (GetUser or ListUsers): only \
             those have a REST twin",
        )?;
        let grpc = self.spec(origin)?;
        let request = self.request()?;
        let field = |name: &str| request.get_field_by_name(name).map(|v| v.into_owned());
        let token = field("page_token");
        let twin = match reference {
            Method::GetUser => {
                rest_twin::Request::GetUser { user_id: field("user_id").and_then(|v| v.as_i64()).unwrap_or_default() }
            }
            Method::ListUsers => rest_twin::Request::ListUsers {
                page_size: field("page_size").and_then(|v| v.as_i32()).unwrap_or_default(),
                page_token: token.as_ref().and_then(|v| v.as_str()).unwrap_or_default(),
            },
        };
        let rest_url = format!("{}{}", grpc.base, rest_twin::path(twin));
        let rest_headers = grpc.headers.iter().filter(|(n, _)| n == "authorization").cloned().collect();
        Ok(CompareSpec { id: self.next_id, n, time_limit_ms: COMPARE_TIME_LIMIT_MS, grpc, rest_url, rest_headers })
    }
}
