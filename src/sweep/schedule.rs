//! What the sweep runs next. A sweep of fixed repetitions follows its shuffled plan; an
//! adaptive one (`--repeat auto`, `kafkatune tune`) decides from the records so far, so the
//! scheduler asks for "one more run of trial T" one run at a time.
//!
//! A schedule is handed every record of the folder (those of a resumed sweep first), so
//! a schedule that decides from the records alone resumes where it stopped and repeats no
//! run.

use std::collections::HashSet;

use anyhow::Result;

use super::plan::{self, PlannedRun, Trial};
use crate::results::{RunRecord, SweepMeta};
use crate::stats::precision::precision_reached;

/// One run to make next.
#[derive(Debug, Clone, PartialEq)]
pub struct NextRun {
    pub trial: Trial,
    pub run_index: u32,
    pub warmup: bool,
    /// Its place in the sweep's order.
    pub order: u32,
    /// A capacity step's own offered load (its rate, warm-up and duration); `None`: the
    /// sweep's (`--rate`, `--duration`).
    pub load: Option<crate::workload::LiveLoad>,
}

/// Chooses the sweep's runs.
pub trait Schedule {
    /// At most this many runs in the whole sweep (the progress bar's length).
    fn runs_at_most(&self) -> usize;
    /// The next run, given every record so far; `None` when the sweep is done.
    fn next(&mut self, records: &[RunRecord]) -> Result<Option<NextRun>>;
}

/// Every trial's runs in the order `plan::runs` shuffles them; runs already in the folder
/// are skipped.
pub struct FixedPlan {
    trials: Vec<Trial>,
    planned: Vec<PlannedRun>,
}

impl FixedPlan {
    pub fn new(trials: &[Trial], repeat: u32, warmup_runs: u32, seed: u64) -> Self {
        FixedPlan {
            trials: trials.to_vec(),
            planned: plan::runs(trials.len(), repeat, warmup_runs, seed),
        }
    }
}

impl Schedule for FixedPlan {
    fn runs_at_most(&self) -> usize {
        self.planned.len()
    }

    fn next(&mut self, records: &[RunRecord]) -> Result<Option<NextRun>> {
        let done = done_runs(records);
        Ok(self
            .planned
            .iter()
            .enumerate()
            .find(|(_, p)| !done.contains(&(self.trials[p.trial].id.as_str(), p.run_index)))
            .map(|(order, p)| NextRun {
                trial: self.trials[p.trial].clone(),
                run_index: p.run_index,
                warmup: p.warmup,
                order: order as u32,
                load: None,
            }))
    }
}

/// The run index a trial's next run gets: one past its highest so far.
pub fn next_run_index(records: &[RunRecord], trial_id: &str) -> u32 {
    records
        .iter()
        .filter(|r| r.trial_id == trial_id)
        .map(|r| r.run_index + 1)
        .max()
        .unwrap_or(0)
}

fn done_runs(records: &[RunRecord]) -> HashSet<(&str, u32)> {
    records
        .iter()
        .map(|r| (r.trial_id.as_str(), r.run_index))
        .collect()
}

/// `--repeat auto[:MAX]`: first `min_runs` runs of every trial (the fixed plan's shuffled
/// order; 6, the fewest with a 95% interval), then one more run at a time for the trials
/// whose 95% interval of the primary metric's median is still wider than `precision` of the
/// median, the trial with the fewest runs first (ties in the shuffled order of the trials), until each reached the precision or
/// `max_runs`.
pub struct RepeatAuto {
    first: FixedPlan,
    trials: Vec<Trial>,
    /// The trials in a shuffled order, for ties.
    order: Vec<usize>,
    warmup_runs: u32,
    max_runs: u32,
    precision: f64,
    metric: &'static str,
}

impl RepeatAuto {
    pub fn new(trials: &[Trial], meta: &SweepMeta, min_runs: u32, max_runs: u32) -> Self {
        let precision = match &meta.adaptive {
            Some(crate::results::AdaptiveMeta::RepeatAuto { precision, .. }) => *precision,
            _ => crate::defaults::PRECISION,
        };
        let order = plan::runs(trials.len(), 1, 0, meta.seed ^ 0x5eed)
            .iter()
            .map(|p| p.trial)
            .collect();
        RepeatAuto {
            first: FixedPlan::new(trials, min_runs, meta.warmup_runs, meta.seed),
            trials: trials.to_vec(),
            order,
            warmup_runs: meta.warmup_runs,
            max_runs,
            precision,
            metric: crate::stats::summary::primary_metric(
                meta.mode,
                meta.send_rate_msgs_per_s.is_some(),
            )
            .0,
        }
    }
}

impl Schedule for RepeatAuto {
    fn runs_at_most(&self) -> usize {
        self.trials.len() * (self.max_runs + self.warmup_runs) as usize
    }

    fn next(&mut self, records: &[RunRecord]) -> Result<Option<NextRun>> {
        if let Some(run) = self.first.next(records)? {
            return Ok(Some(run));
        }
        let mut wanted: Option<(usize, usize)> = None;
        for &t in &self.order {
            let trial = &self.trials[t];
            let mine: Vec<&RunRecord> = records.iter().filter(|r| r.trial_id == trial.id).collect();
            let measured = mine.iter().filter(|r| !r.warmup).count();
            if measured >= self.max_runs as usize
                || precision_reached(&mine, self.metric, self.precision)
            {
                continue;
            }
            if wanted.is_none_or(|(_, n)| measured < n) {
                wanted = Some((t, measured));
            }
        }
        Ok(wanted.map(|(t, _)| {
            let trial = &self.trials[t];
            NextRun {
                trial: trial.clone(),
                run_index: next_run_index(records, &trial.id),
                warmup: false,
                order: records.len() as u32,
                load: None,
            }
        }))
    }
}
