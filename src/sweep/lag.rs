//! A live consumer's lag over time, and whether it kept up with the producer's rate.
//!
//! The lag is sampled from the driver's progress lines (`[seconds since the run started,
//! messages sent but not yet consumed]`). A consumer that keeps up holds its lag bounded:
//! it may swing with each poll and its processing, but does not grow. One that cannot keep
//! up falls behind by (rate - its own capacity) messages every second.

/// A lag that grows by less than this share of the producer's rate per second counts as
/// held: noise, not a consumer falling behind.
pub const GROWTH_TOLERANCE: f64 = 0.05;

/// Whether the lag held while the producer sent after the warm-up (`from_s..=to_s`):
/// the least-squares slope of the samples in that window is below `GROWTH_TOLERANCE` of
/// `rate_msgs_per_s`. `None` with fewer than three samples there.
pub fn kept_up(
    samples: &[(f64, u64)],
    from_s: f64,
    to_s: f64,
    rate_msgs_per_s: f64,
) -> Option<bool> {
    let window: Vec<(f64, f64)> = samples
        .iter()
        .filter(|(t, _)| (from_s..=to_s).contains(t))
        .map(|&(t, lag)| (t, lag as f64))
        .collect();
    if window.len() < 3 || rate_msgs_per_s.is_nan() || rate_msgs_per_s <= 0.0 {
        return None;
    }
    let n = window.len() as f64;
    let mean_t = window.iter().map(|(t, _)| t).sum::<f64>() / n;
    let mean_lag = window.iter().map(|(_, l)| l).sum::<f64>() / n;
    let spread: f64 = window.iter().map(|(t, _)| (t - mean_t).powi(2)).sum();
    if spread <= 0.0 {
        return None;
    }
    let slope = window
        .iter()
        .map(|(t, l)| (t - mean_t) * (l - mean_lag))
        .sum::<f64>()
        / spread;
    Some(slope < GROWTH_TOLERANCE * rate_msgs_per_s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lag_kept_up_and_a_growing_one_did_not() {
        // 1000 msg/s; a consumer that swings between 0 and 200 behind, and one that reads
        // only 600 msg/s (falls 400 behind every second).
        let swinging: Vec<(f64, u64)> = (0..40)
            .map(|i| (i as f64 * 0.25, if i % 2 == 0 { 0 } else { 200 }))
            .collect();
        let slow: Vec<(f64, u64)> = (0..40).map(|i| (i as f64 * 0.25, i * 100)).collect();
        assert_eq!(kept_up(&swinging, 1.0, 9.0, 1000.0), Some(true));
        assert_eq!(kept_up(&slow, 1.0, 9.0, 1000.0), Some(false));
        // Only what lies in the window counts: a slow start-up (warm-up) is left out.
        let caught_up: Vec<(f64, u64)> = (0..40)
            .map(|i| (i as f64 * 0.25, if i < 8 { 3000 - i * 300 } else { 50 }))
            .collect();
        assert_eq!(kept_up(&caught_up, 2.0, 9.0, 1000.0), Some(true));
        assert_eq!(kept_up(&slow[..2], 0.0, 9.0, 1000.0), None);
    }
}
