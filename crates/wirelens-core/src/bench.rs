//! Timing that holds up on a coarse clock: batches sized so each sample spans many clock ticks,
//! a warm-up first, many samples, and the median with its spread.
//!
//! The clock is passed in ([`Clock`]): the browser gives `performance.now()` (100 µs steps, 5 µs
//! when cross-origin isolated), native code `Instant`, tests a fake. Knows nothing about what is
//! timed: the caller's operation must consume its own results (`std::hint::black_box`).

use crate::stats;

/// A monotonic clock in nanoseconds.
pub trait Clock {
    fn now_ns(&mut self) -> f64;
}

/// How to measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    /// Run the operation for at least this long before measuring (JIT, caches, allocator).
    pub warmup_ns: f64,
    /// Each sample runs a batch of operations lasting at least this long.
    pub min_sample_ns: f64,
    pub samples: usize,
}

impl Default for Plan {
    /// 100 ms of warm-up, then 20 samples of at least 10 ms each.
    fn default() -> Plan {
        Plan { warmup_ns: 100e6, min_sample_ns: 10e6, samples: 20 }
    }
}

/// The result of [`measure`]: the batch size found, and nanoseconds per operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub batch: u64,
    /// Per-operation time of each sample, in the order taken.
    pub samples_ns: Vec<f64>,
    pub summary: Summary,
}

/// Median and spread of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub median: f64,
    pub p5: f64,
    pub p95: f64,
    /// The interquartile range's ends.
    pub q1: f64,
    pub q3: f64,
}

/// The largest batch tried: past it an operation takes under a femtosecond, or the clock is stuck.
const MAX_BATCH: u64 = 1 << 40;

/// Times `op`: warm-up, then doubles the batch until one batch lasts `min_sample_ns`, then takes
/// `plan.samples` samples of that batch.
pub fn measure(clock: &mut dyn Clock, plan: &Plan, op: &mut dyn FnMut()) -> Measurement {
    let start = clock.now_ns();
    let mut warm = 0u64;
    while clock.now_ns() - start < plan.warmup_ns && warm < MAX_BATCH {
        op();
        warm += 1;
    }
    let mut batch = 1u64;
    loop {
        let took = time_batch(clock, batch, op);
        if took >= plan.min_sample_ns || batch >= MAX_BATCH {
            break;
        }
        // Jump close to the target when the batch already took measurable time.
        let factor = if took > 0.0 { (plan.min_sample_ns / took).ceil().clamp(2.0, 1024.0) as u64 } else { 2 };
        batch = batch.saturating_mul(factor).min(MAX_BATCH);
    }
    let samples_ns: Vec<f64> = (0..plan.samples.max(1)).map(|_| time_batch(clock, batch, op) / batch as f64).collect();
    let summary = summarize(&samples_ns);
    Measurement { batch, samples_ns, summary }
}

/// The smallest step the clock shows between two readings (`performance.now()` is coarsened).
pub fn resolution(clock: &mut dyn Clock) -> f64 {
    let mut smallest = f64::INFINITY;
    let mut last = clock.now_ns();
    for _ in 0..100_000 {
        let now = clock.now_ns();
        if now > last {
            smallest = smallest.min(now - last);
            last = now;
        }
    }
    smallest
}

/// Median, 5th/95th percentiles and quartiles (nearest rank, [`crate::stats::nearest_rank`]).
pub fn summarize(samples: &[f64]) -> Summary {
    let sorted = stats::sorted_finite(samples.iter().copied());
    let at = |q: f64| stats::nearest_rank(&sorted, q).unwrap_or(f64::NAN);
    Summary { median: at(0.5), p5: at(0.05), p95: at(0.95), q1: at(0.25), q3: at(0.75) }
}

fn time_batch(clock: &mut dyn Clock, batch: u64, op: &mut dyn FnMut()) -> f64 {
    let t0 = clock.now_ns();
    for _ in 0..batch {
        op();
    }
    clock.now_ns() - t0
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;

    /// A clock that only moves when the operation runs, and reads in coarse steps.
    struct FakeClock {
        elapsed: Rc<Cell<f64>>,
        step: f64,
    }

    impl Clock for FakeClock {
        fn now_ns(&mut self) -> f64 {
            (self.elapsed.get() / self.step).floor() * self.step
        }
    }

    fn fake(step: f64) -> (FakeClock, Rc<Cell<f64>>) {
        let elapsed = Rc::new(Cell::new(0.0));
        (FakeClock { elapsed: elapsed.clone(), step }, elapsed)
    }

    #[test]
    fn a_coarse_clock_still_measures_a_fast_operation() {
        // 250 ns per operation, read through a 100 µs clock (a browser without isolation).
        let (mut clock, elapsed) = fake(100_000.0);
        let mut op = || elapsed.set(elapsed.get() + 250.0);
        let m = measure(&mut clock, &Plan::default(), &mut op);
        assert!(m.batch as f64 * 250.0 >= 10e6, "each sample lasts at least 10 ms: batch {}", m.batch);
        assert_eq!(m.samples_ns.len(), 20);
        // Quantisation error is at most one clock step per sample.
        assert!((m.summary.median - 250.0).abs() <= 100_000.0 / m.batch as f64, "{:?}", m.summary);
    }

    #[test]
    fn a_slow_operation_runs_once_per_sample() {
        let (mut clock, elapsed) = fake(1.0);
        let mut op = || elapsed.set(elapsed.get() + 50e6);
        let m = measure(&mut clock, &Plan { warmup_ns: 0.0, ..Plan::default() }, &mut op);
        assert_eq!(m.batch, 1);
        assert_eq!(m.summary.median, 50e6);
    }

    /// A fake clock that moves on a little at every reading, as real time does.
    struct Ticking(FakeClock);

    impl Clock for Ticking {
        fn now_ns(&mut self) -> f64 {
            self.0.elapsed.set(self.0.elapsed.get() + 700.0);
            self.0.now_ns()
        }
    }

    #[test]
    fn resolution_finds_the_clock_step() {
        assert_eq!(resolution(&mut Ticking(fake(5_000.0).0)), 5_000.0);
        assert_eq!(resolution(&mut fake(5_000.0).0), f64::INFINITY, "a clock that never moves has no step to find");
    }

    #[test]
    fn summary_uses_nearest_ranks_and_ignores_non_finite_samples() {
        let samples: Vec<f64> = (1..=21).map(f64::from).chain([f64::NAN]).collect();
        let s = summarize(&samples);
        assert_eq!((s.median, s.q1, s.q3, s.p5, s.p95), (11.0, 6.0, 16.0, 2.0, 20.0));
        assert!(summarize(&[]).median.is_nan());
    }
}
