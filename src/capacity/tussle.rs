//! The baseline a capacity search is measured against (`--strategy tussle`): Azul's Tussle
//! method (`StepRater`). First a high bound: the rate rises by steps of 20,000, 10,000, 5,000
//! and 1,000 msg/s (a step fails when the achieved rate is more than 1% short of the target,
//! and the next smaller step then starts again from the last passing rate; here the steps are
//! 20, 10, 5 and 1 times the lowest rate of `--rates`, Tussle's own at its 1,000, so that a
//! consumer-bound trial of a few thousand msg/s gets a bound finer than 1,000); then a sweep from
//! 50% to 110% of that bound in 1% steps, each judged by the service level. The capacity is
//! the highest rate of the sweep below its first failure. It is here to be outrun
//! (`bench/capacity.py` prints both searches' steps and answers).

use super::search::{Answer, Next};
use crate::capacity_file::{Breach, Step};

/// Tussle's step sizes for the high bound, in multiples of the lowest rate.
const BOUND_STEPS: [f64; 4] = [20.0, 10.0, 5.0, 1.0];

/// The sweep's span around the high bound: 50% to 110% in 1% steps.
const SWEEP_FROM: u32 = 50;
const SWEEP_TO: u32 = 110;

/// Whether a step delivered its rate (Tussle's test for the high bound).
fn delivered(s: &Step) -> bool {
    !s.breaches.iter().any(|b| {
        matches!(
            b,
            Breach::Achieved { .. } | Breach::FellBehind { .. } | Breach::Error { .. }
        )
    })
}

/// The next rate given the steps so far, in the order they ran.
pub fn next(low: f64, high: f64, steps: &[Step]) -> Next {
    // Phase 1: replay the bound's walk over the steps made so far.
    let mut rate = low;
    let mut last_pass: Option<f64> = None;
    let mut stage = 0;
    let mut i = 0;
    loop {
        if stage == BOUND_STEPS.len() {
            break;
        }
        let Some(s) = steps.get(i) else {
            return Next::Rate(rate.min(high));
        };
        i += 1;
        if delivered(s) {
            last_pass = Some(s.offered_msgs_per_s);
            if s.offered_msgs_per_s >= high {
                stage = BOUND_STEPS.len();
                continue;
            }
            rate = s.offered_msgs_per_s + BOUND_STEPS[stage] * low;
        } else {
            stage += 1;
            match (last_pass, BOUND_STEPS.get(stage)) {
                (Some(p), Some(step)) => rate = p + step * low,
                (None, Some(_)) => rate = (s.offered_msgs_per_s / 2.0).max(1.0),
                _ => {}
            }
        }
        rate = rate.min(high);
    }
    let Some(bound) = last_pass else {
        return Next::Done(Answer {
            notes: vec![format!(
                "no capacity: even {low:.0} msg/s could not be delivered"
            )],
            ..Default::default()
        });
    };
    // Phase 2: the sweep, one step per percent.
    let sweep = &steps[i..];
    let pct = SWEEP_FROM + sweep.len() as u32;
    let first_fail = sweep.iter().position(|s| !s.passed);
    if pct <= SWEEP_TO && first_fail.is_none() {
        return Next::Rate(bound * f64::from(pct) / 100.0);
    }
    let answer = match first_fail {
        Some(0) => Answer {
            first_failing: Some(sweep[0].offered_msgs_per_s),
            notes: vec!["no capacity: the sweep's lowest rate (50% of the high bound) broke the service level".into()],
            ..Default::default()
        },
        Some(f) => Answer {
            capacity: Some(sweep[f - 1].offered_msgs_per_s),
            first_failing: Some(sweep[f].offered_msgs_per_s),
            ..Default::default()
        },
        None => Answer {
            capacity: sweep.last().map(|s| s.offered_msgs_per_s),
            at_ceiling: true,
            ..Default::default()
        },
    };
    Next::Done(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(rate: f64, knee: f64, deliverable: f64) -> Step {
        let mut breaches = Vec::new();
        if rate > deliverable {
            breaches.push(Breach::Achieved {
                achieved_msgs_per_s: deliverable,
                offered_msgs_per_s: rate,
            });
        }
        if rate > knee {
            breaches.push(Breach::Latency {
                clause: "p99<20ms".into(),
                measured_ms: 30.0,
                below_ms: 20.0,
            });
        }
        Step {
            run_index: 0,
            offered_msgs_per_s: rate,
            achieved_msgs_per_s: Some(rate.min(deliverable)),
            passed: breaches.is_empty(),
            breaches,
            latencies_ms: Vec::new(),
            latency_p50_ms: None,
            latency_p99_ms: None,
            latency_p999_ms: None,
            kept_up: Some(true),
            host_cpu_busy: None,
        }
    }

    #[test]
    fn the_bound_walks_down_its_steps_then_the_sweep_finds_the_knee() {
        let (knee, deliverable) = (30_000.0, 43_500.0);
        let mut steps = Vec::new();
        let answer = loop {
            match next(1000.0, 1e6, &steps) {
                Next::Rate(r) => steps.push(step(r, knee, deliverable)),
                Next::Done(a) => break a,
            }
            assert!(steps.len() < 200);
        };
        let rates: Vec<f64> = steps.iter().map(|s| s.offered_msgs_per_s).collect();
        // 1k, 21k, 41k, 61k (fails), 51k (fails), 46k (fails), 42k, 43k, 44k (fails): 43k.
        assert_eq!(
            &rates[..9],
            &[
                1000.0, 21_000.0, 41_000.0, 61_000.0, 51_000.0, 46_000.0, 42_000.0, 43_000.0,
                44_000.0
            ]
        );
        // Then 50%..: 21,500 up to the first failure above 30,000 (70% = 30,100).
        let cap = answer.capacity.unwrap();
        assert_eq!(cap, 43_000.0 * 69.0 / 100.0);
        assert_eq!(answer.first_failing, Some(43_000.0 * 70.0 / 100.0));
        assert_eq!(steps.len(), 9 + 21);
    }
}
