//! The search on scripted curves: what it finds, in how many steps.

use super::*;

/// One scripted step: whether it passed, the worst latency clause's measured / bound, the
/// median latency, and whether a failure was the latency's.
struct Outcome {
    passed: bool,
    ratio: f64,
    median_ms: Option<f64>,
    latency: bool,
    error: bool,
}

fn latency_curve(ratio: f64) -> Outcome {
    Outcome {
        passed: ratio < 1.0,
        ratio,
        median_ms: None,
        latency: true,
        error: false,
    }
}

/// Runs the search against `truth(rate, nth run at that rate)` to its answer; the steps made.
fn drive(bounds: Bounds, mut truth: impl FnMut(f64, u32) -> Outcome) -> (Answer, Vec<f64>) {
    let mut runs: Vec<RateRuns> = Vec::new();
    let mut steps = Vec::new();
    loop {
        match next(bounds, &runs) {
            Next::Done(answer) => return (answer, steps),
            Next::Rate(rate) => {
                assert!(steps.len() < 60, "the search does not end: {steps:?}");
                assert!(rate >= bounds.low * 0.999 && rate <= bounds.high * 1.001);
                steps.push(rate);
                let i = match runs.iter().position(|r| r.rate == rate) {
                    Some(i) => i,
                    None => {
                        runs.push(RateRuns {
                            rate,
                            passed: 0,
                            failed: 0,
                            latency_ratio: None,
                            median_ms: None,
                            only_latency_failed: true,
                            errored: false,
                        });
                        runs.len() - 1
                    }
                };
                let nth = runs[i].passed + runs[i].failed;
                let o = truth(rate, nth);
                let r = &mut runs[i];
                if o.passed {
                    r.passed += 1;
                } else {
                    r.failed += 1;
                    r.only_latency_failed &= o.latency;
                    r.errored |= o.error;
                }
                r.latency_ratio = Some(r.latency_ratio.map_or(o.ratio, |x: f64| x.max(o.ratio)));
                if let Some(m) = o.median_ms {
                    r.median_ms = Some(r.median_ms.map_or(m, |x: f64| x.max(m)));
                }
            }
        }
    }
}

const BOUNDS: Bounds = Bounds {
    low: 1000.0,
    high: 1_000_000.0,
    resolution: 0.05,
};

#[test]
fn a_knee_is_bracketed_then_bisected_to_the_resolution() {
    let capacity = 3700.0;
    let (answer, steps) = drive(BOUNDS, |r, _| latency_curve(r / capacity));
    let (p, f) = (answer.capacity.unwrap(), answer.first_failing.unwrap());
    assert!(p <= capacity && capacity < f, "{p} .. {f}");
    assert!(f / p <= 1.05 + 1e-9, "{p} .. {f}");
    // Doubling to 4000 (3 steps), five halvings of the log bracket, two confirmations.
    assert!(steps.len() <= 11, "{steps:?}");
    assert!(answer.notes.is_empty(), "{:?}", answer.notes);
    // Both bounds of the answer were run twice.
    assert_eq!(steps.iter().filter(|s| **s == p).count(), 2);
    assert_eq!(steps.iter().filter(|s| **s == f).count(), 2);
}

#[test]
fn the_resolution_sets_how_close_the_bracket_gets() {
    let capacity = 123_456.0;
    let fine = Bounds {
        resolution: 0.01,
        ..BOUNDS
    };
    let (answer, _) = drive(fine, |r, _| latency_curve(r / capacity));
    let (p, f) = (answer.capacity.unwrap(), answer.first_failing.unwrap());
    assert!(
        p <= capacity && capacity < f && f / p <= 1.01 + 1e-9,
        "{p} .. {f}"
    );
}

#[test]
fn a_noisy_step_is_outvoted_by_its_repeats() {
    // The true capacity is 5000; the first run at every rate between 4000 and 5000 fails
    // (a noisy step), its later runs pass.
    let capacity = 5000.0;
    let (answer, steps) = drive(BOUNDS, |r, nth| {
        if r > 4000.0 && r <= capacity && nth == 0 {
            latency_curve(1.2)
        } else {
            latency_curve(r / capacity)
        }
    });
    let p = answer.capacity.unwrap();
    let f = answer.first_failing.unwrap();
    assert!(p <= capacity && capacity < f, "{p} .. {f}: {steps:?}");
    assert!(f / p <= 1.05 + 1e-9);
    // Some rate was run three times (a tie broken).
    assert!(steps
        .iter()
        .any(|s| steps.iter().filter(|t| *t == s).count() >= 3));
}

#[test]
fn a_pass_above_a_fail_is_reported_not_hidden() {
    // fetch.min.bytes-like: a fixed wait that shrinks as the rate fills the fetch sooner,
    // plus a queue that grows with the rate. SLO ratio 1: 1000 and 2000 fail, 4000 passes.
    let curve = |r: f64| 50.0 * 1000.0 / r / 20.0 + r / 20_000.0;
    let (answer, steps) = drive(BOUNDS, |r, _| latency_curve(curve(r)));
    let p = answer
        .capacity
        .expect("a capacity above the failing low rates");
    assert!(p >= 4000.0, "{p}: {steps:?}");
    assert!(curve(p) < 1.0 && curve(answer.first_failing.unwrap()) >= 1.0);
    assert!(
        answer.notes.iter().any(|n| n.starts_with("non-monotonic")),
        "{:?}",
        answer.notes
    );
}

#[test]
fn a_median_that_falls_with_the_rate_keeps_the_search_going_up_through_a_noisy_tail() {
    // linger.ms=20 with batches that fill sooner at higher rates: the median falls from
    // 16 ms at 1,000 msg/s as 16,000 / rate; the tail is noisy and rose from 1,000 to 2,000
    // (as on a busy host); from 8,000 msg/s the p99 keeps the SLO.
    let (answer, steps) = drive(BOUNDS, |r, _| {
        let median = (16_000.0 / r).max(2.0);
        let ratio = if r < 1500.0 {
            1.5
        } else if r < 3000.0 {
            1.8
        } else {
            median / 2.5
        };
        Outcome {
            median_ms: Some(median),
            ..latency_curve(ratio)
        }
    });
    let p = answer
        .capacity
        .unwrap_or_else(|| panic!("{steps:?} {answer:?}"));
    assert!(p >= 8000.0, "{p}: {steps:?}");
    // Without the median (the tail alone) the search stops after the rise.
    let (tail_only, steps) = drive(BOUNDS, |r, _| {
        latency_curve(if r < 1500.0 {
            1.5
        } else if r < 3000.0 {
            1.8
        } else {
            0.5
        })
    });
    assert_eq!(tail_only.capacity, None, "{steps:?}");
}

#[test]
fn a_latency_floor_above_the_slo_has_no_capacity_and_stops_soon() {
    // 50 ms of network each way: every rate's p99 is twice the bound.
    let (answer, steps) = drive(BOUNDS, |_, _| latency_curve(2.0));
    assert_eq!(answer.capacity, None);
    assert!(
        answer.notes[0].contains("latency floor"),
        "{:?}",
        answer.notes
    );
    assert!(steps.len() <= 3, "{steps:?}");
}

#[test]
fn a_generator_that_cannot_reach_the_lowest_rate_is_said() {
    let (answer, steps) = drive(BOUNDS, |_, _| Outcome {
        passed: false,
        ratio: 0.1,
        median_ms: None,
        latency: false,
        error: false,
    });
    assert_eq!(answer.capacity, None);
    assert!(answer.notes[0].contains("could not be sustained"));
    assert_eq!(steps.len(), 2);
}

#[test]
fn every_rate_passing_stops_at_the_ceiling() {
    let bounds = Bounds {
        high: 20_000.0,
        ..BOUNDS
    };
    let (answer, steps) = drive(bounds, |_, _| latency_curve(0.1));
    assert!(answer.at_ceiling);
    assert_eq!(answer.capacity, Some(20_000.0));
    assert_eq!(*steps.last().unwrap(), 20_000.0);
}

#[test]
fn a_step_that_errors_twice_stops_the_trial_with_a_note() {
    let (answer, steps) = drive(BOUNDS, |r, _| {
        if r >= 8000.0 {
            Outcome {
                passed: false,
                ratio: 0.0,
                median_ms: None,
                latency: false,
                error: true,
            }
        } else {
            latency_curve(r / 100_000.0)
        }
    });
    assert_eq!(answer.capacity, Some(4000.0));
    assert_eq!(answer.first_failing, Some(8000.0));
    assert!(answer.notes[0].contains("failed twice"));
    assert_eq!(steps.iter().filter(|s| **s == 8000.0).count(), 2);
}
