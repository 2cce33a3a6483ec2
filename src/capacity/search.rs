//! The search for one trial's capacity, as a pure function of the steps judged so far: what
//! rate to offer next, or the answer.
//!
//! It brackets the limit geometrically from the lowest rate (doubling), then bisects the
//! bracket on a log scale until the first failing rate is within the resolution above the
//! last passing one (Tussle and OpenMessaging Benchmark walk linearly or ramp on backlog;
//! a bisection needs log2(range / resolution) steps). A rate's verdict is the majority of
//! its runs: the two rates that bound the answer are each run at least twice, and a rate
//! whose runs disagree gets a third, so one noisy step cannot set the capacity. When the
//! lowest rate fails on latency, a few higher rates are tried while the latency falls (a
//! `fetch.min.bytes` or `linger.ms` that fills sooner at a higher rate makes the curve
//! non-monotonic); a pass above a fail is reported, never hidden.

/// A rate's runs so far: how many passed and failed, and the binding breach's size
/// (measured / bound of the worst latency clause, when a clause broke).
#[derive(Debug, Clone, PartialEq)]
pub struct RateRuns {
    pub rate: f64,
    pub passed: u32,
    pub failed: u32,
    /// The largest measured / bound of the latency clauses over its runs (below 1 when the
    /// clauses held), `None` when no latency was measured.
    pub latency_ratio: Option<f64>,
    /// The largest median latency (ms) over its runs, `None` when none was measured.
    pub median_ms: Option<f64>,
    /// Whether every failure was a latency clause (not the rate, the lag or an error).
    pub only_latency_failed: bool,
    /// Whether a run failed for a reason that judges nothing (the driver, the cluster).
    pub errored: bool,
}

impl RateRuns {
    fn runs(&self) -> u32 {
        self.passed + self.failed
    }

    /// The majority verdict; `None` while the runs are tied (or none).
    fn verdict(&self) -> Option<bool> {
        match self.passed.cmp(&self.failed) {
            std::cmp::Ordering::Greater => Some(true),
            std::cmp::Ordering::Less => Some(false),
            std::cmp::Ordering::Equal => None,
        }
    }

    /// Two runs or more and a majority.
    fn confirmed(&self) -> bool {
        self.runs() >= 2 && self.verdict().is_some()
    }
}

/// The search's bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub low: f64,
    pub high: f64,
    pub resolution: f64,
}

/// How many rates above a failing lowest rate are tried while the latency keeps falling.
const UPWARD_PROBES: u32 = 4;

/// What to do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Offer this rate (one more run at it).
    Rate(f64),
    /// The search is over.
    Done(Answer),
}

/// A trial's answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    /// The highest confirmed passing rate below the first confirmed failing one.
    pub capacity: Option<f64>,
    pub first_failing: Option<f64>,
    /// Every rate up to the highest allowed passed.
    pub at_ceiling: bool,
    pub notes: Vec<String>,
}

/// The next rate to offer given the runs so far (in any order; one entry per rate).
pub fn next(bounds: Bounds, runs: &[RateRuns]) -> Next {
    let mut rates: Vec<&RateRuns> = runs.iter().filter(|r| r.runs() > 0).collect();
    rates.sort_by(|a, b| a.rate.total_cmp(&b.rate));
    if rates.is_empty() {
        return Next::Rate(bounds.low);
    }
    // A rate whose runs are tied gets one more.
    if let Some(tied) = rates.iter().find(|r| r.verdict().is_none()) {
        return Next::Rate(tied.rate);
    }
    if let Some(e) = rates
        .iter()
        .find(|r| r.errored && r.verdict() == Some(false))
    {
        if !e.confirmed() {
            return Next::Rate(e.rate);
        }
        return Next::Done(Answer {
            capacity: highest_pass_below(&rates, e.rate),
            first_failing: Some(e.rate),
            notes: vec![format!(
                "the search stopped: the step at {} msg/s failed twice for a reason other than the service level (see its error in results.jsonl)",
                show(e.rate)
            )],
            ..Default::default()
        });
    }
    let lowest_fail = rates.iter().find(|r| r.verdict() == Some(false)).copied();
    let pass_below = lowest_fail.map_or_else(
        || {
            rates
                .iter()
                .rev()
                .find(|r| r.verdict() == Some(true))
                .copied()
        },
        |f| {
            rates
                .iter()
                .rev()
                .find(|r| r.rate < f.rate && r.verdict() == Some(true))
                .copied()
        },
    );
    let mut notes = non_monotonic(&rates);
    match (pass_below, lowest_fail) {
        (None, None) => Next::Rate(bounds.low),
        // Nothing passed below the lowest failure.
        (None, Some(f)) => {
            if !f.confirmed() {
                return Next::Rate(f.rate);
            }
            if let Some(rate) = upward_probe(bounds, &rates) {
                return Next::Rate(rate);
            }
            let above = rates
                .iter()
                .find(|r| r.rate > f.rate && r.verdict() == Some(true));
            match above {
                // A pass above the failures: search that pass's own limit from it.
                Some(p) => search_above(bounds, &rates, p, notes),
                None => {
                    notes.push(if f.only_latency_failed {
                        format!(
                            "no capacity: even the lowest rate, {} msg/s, broke the service level; the latency floor (network, fetch.max.wait.ms, linger.ms) is above it",
                            show(f.rate)
                        )
                    } else {
                        format!(
                            "no capacity: even the lowest rate, {} msg/s, could not be sustained",
                            show(f.rate)
                        )
                    });
                    Next::Done(Answer {
                        notes,
                        ..Default::default()
                    })
                }
            }
        }
        (Some(p), None) => {
            if p.rate >= bounds.high {
                if !p.confirmed() {
                    return Next::Rate(p.rate);
                }
                notes.push(format!(
                    "every rate up to the highest allowed, {} msg/s, kept the service level: the capacity is at least that (raise --rates)",
                    show(bounds.high)
                ));
                return Next::Done(Answer {
                    capacity: Some(p.rate),
                    at_ceiling: true,
                    notes,
                    ..Default::default()
                });
            }
            Next::Rate((p.rate * 2.0).min(bounds.high))
        }
        (Some(p), Some(f)) => bisect(bounds, p, f, notes),
    }
}

/// Between the last pass `p` and the first fail `f`: the geometric middle until they are
/// within the resolution, then both confirmed.
fn bisect(bounds: Bounds, p: &RateRuns, f: &RateRuns, notes: Vec<String>) -> Next {
    if f.rate / p.rate > 1.0 + bounds.resolution {
        return Next::Rate((p.rate * f.rate).sqrt());
    }
    if !p.confirmed() {
        return Next::Rate(p.rate);
    }
    if !f.confirmed() {
        return Next::Rate(f.rate);
    }
    Next::Done(Answer {
        capacity: Some(p.rate),
        first_failing: Some(f.rate),
        notes,
        ..Default::default()
    })
}

/// After the lowest rate failed on latency: the next higher rate to try while the latency
/// of each higher rate is lower than the one below it (a curve that may pass further up).
fn upward_probe(bounds: Bounds, rates: &[&RateRuns]) -> Option<f64> {
    let lowest = rates[0];
    if !lowest.only_latency_failed || rates.iter().any(|r| r.verdict() == Some(true)) {
        return None;
    }
    // The failing rates from the lowest up, each double the one before.
    let mut chain = vec![lowest];
    for _ in 0..UPWARD_PROBES {
        let last = chain[chain.len() - 1];
        let Some(up) = rates
            .iter()
            .find(|r| (r.rate / (last.rate * 2.0) - 1.0).abs() < 1e-9)
        else {
            break;
        };
        chain.push(up);
    }
    let last = chain[chain.len() - 1];
    // Falling: the worst clause, or the median, at least 10% lower at each doubling. The
    // median is what a linger.ms or fetch.min.bytes that fills sooner lowers first; on a
    // busy host the tail can rise by noise meanwhile (seen: linger.ms=20, p50 16 -> 13 ms
    // from 5,000 to 10,000 msg/s while p99 went 30 -> 37 ms, and the search stopped there).
    let lower =
        |a: Option<f64>, b: Option<f64>| matches!((a, b), (Some(a), Some(b)) if b < a * 0.9);
    let falling = chain.windows(2).all(|w| {
        lower(w[0].latency_ratio, w[1].latency_ratio) || lower(w[0].median_ms, w[1].median_ms)
    });
    let probed = chain.len() as u32 - 1;
    let next = last.rate * 2.0;
    (falling && probed < UPWARD_PROBES && next <= bounds.high && last.only_latency_failed)
        .then_some(next)
}

/// A pass was found above failing rates: its own upper limit, as a bracket from it.
fn search_above(bounds: Bounds, rates: &[&RateRuns], p: &RateRuns, mut notes: Vec<String>) -> Next {
    let fail_above = rates
        .iter()
        .find(|r| r.rate > p.rate && r.verdict() == Some(false))
        .copied();
    let pass_top = rates
        .iter()
        .rev()
        .find(|r| {
            r.rate > p.rate
                && r.verdict() == Some(true)
                && fail_above.is_none_or(|f| r.rate < f.rate)
        })
        .copied()
        .unwrap_or(p);
    match fail_above {
        Some(f) => bisect(bounds, pass_top, f, notes),
        None if pass_top.rate >= bounds.high => {
            notes.push(format!(
                "every rate up to the highest allowed, {} msg/s, kept the service level above the failing low rates",
                show(bounds.high)
            ));
            Next::Done(Answer {
                capacity: Some(pass_top.rate),
                at_ceiling: true,
                notes,
                ..Default::default()
            })
        }
        None => Next::Rate((pass_top.rate * 2.0).min(bounds.high)),
    }
}

/// A note for every passing rate above a failing one.
fn non_monotonic(rates: &[&RateRuns]) -> Vec<String> {
    let Some(f) = rates.iter().find(|r| r.verdict() == Some(false)) else {
        return Vec::new();
    };
    rates
        .iter()
        .filter(|r| r.rate > f.rate && r.verdict() == Some(true))
        .map(|p| {
            format!(
                "non-monotonic: {} msg/s kept the service level above {} msg/s, which broke it (a setting that batches more at a higher rate, or noise)",
                show(p.rate),
                show(f.rate)
            )
        })
        .take(1)
        .collect()
}

fn highest_pass_below(rates: &[&RateRuns], below: f64) -> Option<f64> {
    rates
        .iter()
        .rev()
        .find(|r| r.rate < below && r.verdict() == Some(true))
        .map(|r| r.rate)
}

/// A rate as the notes show it.
pub fn show(rate: f64) -> String {
    if rate >= 100.0 {
        format!("{rate:.0}")
    } else {
        format!("{rate:.1}")
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
