//! Percentiles of measured samples, by nearest rank: the one definition every latency table uses
//! (the app's gRPC-against-REST comparison, the benchmark harness, `wirelens call --repeat`, the
//! server's load example). Knows sorting and ranks; nothing about clocks or units.

/// The nearest-rank `q`-quantile (`0.95` for p95) of `sorted`, which must be in ascending order:
/// the smallest value with at least `q` of the samples at or below it. `None` for no samples.
/// `q` at or below 0 gives the smallest value, at or above 1 the largest.
pub fn nearest_rank<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil();
    let rank = if rank.is_nan() { 1 } else { (rank as usize).clamp(1, sorted.len()) };
    Some(sorted[rank - 1])
}

/// `samples` sorted, non-finite values left out, ready for [`nearest_rank`].
pub fn sorted_finite(samples: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut out: Vec<f64> = samples.into_iter().filter(|x| x.is_finite()).collect();
    out.sort_by(f64::total_cmp);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_ranks_of_a_table() {
        let ten: Vec<u32> = (1..=10).collect();
        let cases: &[(&[u32], f64, Option<u32>)] = &[
            (&ten, 0.5, Some(5)),
            (&ten, 0.9, Some(9)),
            (&ten, 0.95, Some(10)),
            (&ten, 0.99, Some(10)),
            (&ten, 0.0, Some(1)),
            (&ten, 1.0, Some(10)),
            (&ten, 0.05, Some(1)),
            (&ten, 0.25, Some(3)),
            (&[7], 0.5, Some(7)),
            (&[1, 2], 0.5, Some(1)),
            (&[1, 2], 0.51, Some(2)),
            (&[], 0.5, None),
            (&ten, f64::NAN, Some(1)),
        ];
        for &(sorted, q, want) in cases {
            assert_eq!(nearest_rank(sorted, q), want, "q {q} of {sorted:?}");
        }
    }

    #[test]
    fn non_finite_samples_are_left_out() {
        assert_eq!(sorted_finite([3.0, f64::NAN, 1.0, f64::INFINITY, 2.0]), vec![1.0, 2.0, 3.0]);
    }
}
