//! The runner: every (workload, codec, direction) timed by `wirelens_core::bench::measure` on the
//! clock passed in, with progress reported before each job and a cancel check between jobs.

use wirelens_core::bench::{Clock, Plan, measure};

use crate::codec::{Codec, Direction};
use crate::workload::Workload;
pub use wirelens_core::bench_report::Length;
use wirelens_core::bench_report::{Progress, Report, Row, Stat, compare_to_prost};

/// The run stopped because it was asked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// Times every codec on every workload in both directions, in that order.
pub fn run(
    workloads: &[Workload],
    codecs: &[&dyn Codec],
    plan: &Plan,
    clock: &mut dyn Clock,
    progress: &mut dyn FnMut(&Progress),
    cancelled: &mut dyn FnMut() -> bool,
) -> Result<Report, Cancelled> {
    let jobs: Vec<(&Workload, &dyn Codec, Direction)> = workloads
        .iter()
        .flat_map(|w| codecs.iter().flat_map(move |c| Direction::BOTH.map(|d| (w, *c, d))))
        .filter(|(w, c, d)| c.op(w, *d).is_some())
        .collect();
    let mut rows = Vec::with_capacity(jobs.len());
    for (done, (w, codec, direction)) in jobs.iter().enumerate() {
        if cancelled() {
            return Err(Cancelled);
        }
        let label = format!("{} {} with {}", direction.label(), w.title, codec.id().name());
        progress(&Progress { done, total: jobs.len(), label });
        let mut op = codec.op(w, *direction).expect("filtered above");
        let m = measure(clock, plan, &mut op);
        let bytes = if codec.id().is_protobuf() { w.proto.len() } else { w.json.len() };
        rows.push(Row {
            workload: w.id.clone(),
            users: w.users,
            codec: codec.id(),
            direction: *direction,
            bytes,
            stat: Stat::new(&m, bytes),
            vs_prost: None,
        });
    }
    progress(&Progress { done: jobs.len(), total: jobs.len(), label: "done".into() });
    compare_to_prost(&mut rows);
    Ok(Report { rows, sizes: workloads.iter().map(Workload::sizes).collect() })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::time::Instant;

    use super::*;
    use crate::codec::{CodecId, RustCodec};

    /// The real clock: these tests check the runner's bookkeeping (the harness's arithmetic is
    /// tested with fake clocks in wirelens-core), with samples short enough to finish at once.
    struct Steady(Instant);

    impl Steady {
        fn new() -> Steady {
            Steady(Instant::now())
        }
    }

    impl Clock for Steady {
        fn now_ns(&mut self) -> f64 {
            self.0.elapsed().as_nanos() as f64
        }
    }

    fn quick() -> Plan {
        Plan { warmup_ns: 0.0, min_sample_ns: 20_000.0, samples: 3 }
    }

    #[test]
    fn every_codec_runs_both_ways_on_every_workload_and_progress_counts_up() {
        let workloads = vec![Workload::builtin("user").unwrap(), Workload::builtin("page-10").unwrap()];
        let codecs: Vec<&dyn Codec> = RustCodec::ALL.iter().map(|c| c as &dyn Codec).collect();
        let mut seen = Vec::new();
        let report =
            run(&workloads, &codecs, &quick(), &mut Steady::new(), &mut |p| seen.push(p.clone()), &mut || false)
                .unwrap();
        assert_eq!(report.rows.len(), 2 * 3 * 2);
        assert_eq!(seen.len(), 13);
        assert!(seen.windows(2).all(|w| w[1].done == w[0].done + 1 && w[0].total == 12), "{seen:?}");
        assert_eq!(seen[0].label, "encode the reference user with prost");
        for row in &report.rows {
            assert!(row.stat.median_ns.is_finite() && row.stat.median_ns > 0.0, "{row:?}");
            assert!(row.stat.mb_s > 0.0 && row.vs_prost.is_some(), "{row:?}");
            assert_eq!(row.stat.samples, 3);
        }
        let prost = report.rows.iter().find(|r| r.codec == CodecId::Prost).unwrap();
        assert_eq!(prost.vs_prost, Some(1.0));
        let json = report.rows.iter().find(|r| r.codec == CodecId::SerdeJson && r.workload == "user").unwrap();
        assert_eq!(json.bytes, wirelens_core::examples::REFERENCE_USER_JSON.len(), "JSON rows count the JSON's bytes");
        assert_eq!(report.sizes.len(), 2);
        assert_eq!((report.sizes[0].protobuf, report.sizes[0].json), (43, 97), "canonical JSON quotes the int64 id");
    }

    #[test]
    fn prost_does_not_run_on_the_users_message() {
        let user = Workload::builtin("user").unwrap();
        let w = Workload::custom(&crate::workload::tests::custom("userservice.User", &user.json, "json")).unwrap();
        let codecs: Vec<&dyn Codec> = RustCodec::ALL.iter().map(|c| c as &dyn Codec).collect();
        let report = run(&[w], &codecs, &quick(), &mut Steady::new(), &mut |_| {}, &mut || false).unwrap();
        let codecs: Vec<CodecId> = report.rows.iter().map(|r| r.codec).collect();
        assert_eq!(codecs, [CodecId::ProstReflect, CodecId::ProstReflect, CodecId::SerdeJson, CodecId::SerdeJson]);
        assert!(report.rows.iter().all(|r| r.vs_prost.is_none()));
    }

    #[test]
    fn a_cancel_stops_between_jobs() {
        let workloads = vec![Workload::builtin("user").unwrap()];
        let codecs: Vec<&dyn Codec> = RustCodec::ALL.iter().map(|c| c as &dyn Codec).collect();
        let checks = Cell::new(0);
        let result = run(&workloads, &codecs, &quick(), &mut Steady::new(), &mut |_| {}, &mut || {
            checks.set(checks.get() + 1);
            checks.get() > 2
        });
        assert_eq!(result, Err(Cancelled));
        assert_eq!(checks.get(), 3, "two jobs ran, the third was never started");
    }
}
