//! The capacity search as the sweep's schedule: the trials one after another (in an order
//! shuffled with the sweep's seed), each searched step by step (`search::next`) from the
//! records of its steps so far; `capacity.json` rewritten after every step. It decides from
//! the records alone, so a resumed folder goes on where it stopped and repeats no step.

use std::path::PathBuf;

use anyhow::Result;

use super::search::{self, Bounds, Next, RateRuns};
use super::slo;
use crate::capacity_file::{
    Breach, CapacityFile, CapacitySettings, CapacityStrategy, Limit, Step, TrialCapacity,
    CAPACITY_FILE, CAPACITY_SCHEMA_VERSION,
};
use crate::results::{Mode, RunRecord};
use crate::sweep::plan::{self, Trial};
use crate::sweep::schedule::{next_run_index, NextRun, Schedule};
use crate::workload::LiveLoad;

/// A step whose host CPU was busier than this share of every core counts the host as the
/// limit: the generator, the consumers and the brokers were competing for it.
const HOST_SATURATED: f64 = 0.9;

/// Steps one trial's search makes at most (a guard: a bisection ends far sooner; Tussle's
/// sweep alone is 61).
const MAX_STEPS_PER_TRIAL: usize = 120;

pub struct CapacitySchedule {
    trials: Vec<Trial>,
    settings: CapacitySettings,
    mode: Mode,
    /// Bytes of one message (for MiB/s).
    message_bytes: f64,
    /// One unjudged step at the lowest rate before the first trial's first step: a fresh
    /// cluster's JIT is still compiling (its first seconds are slow).
    warmup_step: bool,
    out: PathBuf,
}

impl CapacitySchedule {
    pub fn new(
        trials: &[Trial],
        settings: CapacitySettings,
        mode: Mode,
        message_bytes: f64,
        seed: u64,
        out: PathBuf,
    ) -> Self {
        let order = plan::runs(trials.len(), 1, 0, seed);
        CapacitySchedule {
            trials: order.iter().map(|p| trials[p.trial].clone()).collect(),
            settings,
            mode,
            message_bytes,
            warmup_step: true,
            out,
        }
    }

    fn bounds(&self) -> Bounds {
        Bounds {
            low: self.settings.rate_low_msgs_per_s,
            high: self.settings.rate_high_msgs_per_s,
            resolution: self.settings.resolution,
        }
    }

    /// The load of a step at `rate`: long enough for the percentile it judges.
    pub fn load(&self, rate: f64) -> LiveLoad {
        let s = &self.settings;
        LiveLoad {
            rate_msgs_per_s: rate,
            warmup_s: s.warmup_s,
            duration_s: s.step_duration_s.max(s.min_records as f64 / rate),
        }
    }

    /// Every step of `trial` so far, judged.
    fn steps(&self, trial: &Trial, records: &[RunRecord]) -> Vec<Step> {
        records
            .iter()
            .filter(|r| r.trial_id == trial.id && !r.warmup)
            .filter_map(|r| {
                r.offered_rate_msgs_per_s.map(|offered| {
                    slo::judge(
                        r,
                        &self.settings.slo,
                        offered,
                        self.settings.min_achieved_ratio,
                        self.mode,
                    )
                })
            })
            .collect()
    }

    /// A trial's search: its next step, or its answer.
    fn search(&self, steps: &[Step]) -> Next {
        if steps.len() >= MAX_STEPS_PER_TRIAL {
            return Next::Done(search::Answer {
                notes: vec![format!(
                    "the search stopped after {MAX_STEPS_PER_TRIAL} steps without an answer"
                )],
                ..Default::default()
            });
        }
        match self.settings.strategy {
            CapacityStrategy::Bisect => search::next(self.bounds(), &rate_runs(steps)),
            CapacityStrategy::Tussle => super::tussle::next(
                self.settings.rate_low_msgs_per_s,
                self.settings.rate_high_msgs_per_s,
                steps,
            ),
        }
    }

    /// The trial's entry of capacity.json.
    fn entry(&self, trial: &Trial, steps: Vec<Step>, next: &Next) -> TrialCapacity {
        let (done, answer) = match next {
            Next::Done(a) => (true, a.clone()),
            Next::Rate(_) => (false, search::Answer::default()),
        };
        let failing: Vec<&Step> = answer
            .first_failing
            .map(|f| {
                steps
                    .iter()
                    .filter(|s| s.offered_msgs_per_s == f && !s.passed)
                    .collect()
            })
            .unwrap_or_default();
        let binding = failing
            .first()
            .and_then(|s| s.breaches.first())
            .map(Breach::name)
            .or_else(|| {
                // No capacity: what broke at the lowest rate.
                (done && answer.capacity.is_none())
                    .then(|| steps.iter().find(|s| !s.passed))
                    .flatten()
                    .and_then(|s| s.breaches.first().map(Breach::name))
            });
        let limit = done.then(|| limit(&answer, &failing, &steps)).flatten();
        let mib = |r: f64| (r * self.message_bytes / (1024.0 * 1024.0) * 1000.0).round() / 1000.0;
        TrialCapacity {
            trial_id: trial.id.clone(),
            client: trial.client.name().to_string(),
            params: trial
                .params
                .iter()
                .map(|(k, v)| (k.clone(), crate::clients::properties::mask(k, v)))
                .collect(),
            capacity_msgs_per_s: answer.capacity.map(f64::round),
            capacity_mib_per_s: answer.capacity.map(mib),
            first_failing_msgs_per_s: answer.first_failing.map(f64::round),
            binding,
            limit,
            done,
            notes: answer.notes,
            steps,
        }
    }

    /// capacity.json as the search stands.
    pub fn file(&self, records: &[RunRecord]) -> CapacityFile {
        let mut trials: Vec<TrialCapacity> = self
            .trials
            .iter()
            .map(|t| {
                let steps = self.steps(t, records);
                let next = self.search(&steps);
                self.entry(t, steps, &next)
            })
            .collect();
        trials.sort_by(|a, b| {
            b.capacity_msgs_per_s
                .unwrap_or(-1.0)
                .total_cmp(&a.capacity_msgs_per_s.unwrap_or(-1.0))
                .then_with(|| a.trial_id.cmp(&b.trial_id))
        });
        CapacityFile {
            schema_version: CAPACITY_SCHEMA_VERSION,
            settings: self.settings.clone(),
            trials,
            steps: records.iter().filter(|r| !r.warmup).count(),
        }
    }

    fn write(&self, records: &[RunRecord]) -> Result<()> {
        let text = serde_json::to_string_pretty(&self.file(records))?;
        let path = self.out.join(CAPACITY_FILE);
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text + "\n")?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    }
}

/// The steps grouped by offered rate.
fn rate_runs(steps: &[Step]) -> Vec<RateRuns> {
    let mut out: Vec<RateRuns> = Vec::new();
    for s in steps {
        let i = match out.iter().position(|r| r.rate == s.offered_msgs_per_s) {
            Some(i) => i,
            None => {
                out.push(RateRuns {
                    rate: s.offered_msgs_per_s,
                    passed: 0,
                    failed: 0,
                    latency_ratio: None,
                    median_ms: None,
                    only_latency_failed: true,
                    errored: false,
                });
                out.len() - 1
            }
        };
        let r = &mut out[i];
        if let Some(m) = s.latency_p50_ms {
            r.median_ms = Some(r.median_ms.map_or(m, |x| x.max(m)));
        }
        if s.passed {
            r.passed += 1;
        } else {
            r.failed += 1;
            r.only_latency_failed &= s
                .breaches
                .iter()
                .all(|b| matches!(b, Breach::Latency { .. }));
            r.errored |= s.breaches.iter().any(|b| matches!(b, Breach::Error { .. }));
        }
        let worst = s
            .breaches
            .iter()
            .filter_map(|b| match b {
                Breach::Latency {
                    measured_ms,
                    below_ms,
                    ..
                } => Some(measured_ms / below_ms),
                _ => None,
            })
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        if let Some(w) = worst {
            r.latency_ratio = Some(r.latency_ratio.map_or(w, |x| x.max(w)));
        } else if s.passed && r.latency_ratio.is_none() {
            r.latency_ratio = Some(0.0);
        }
    }
    out
}

/// Who set the capacity, from the first failing rate's steps (or the lowest rate's, with no
/// capacity): the generator short of the rate, a saturated host, else the system.
fn limit(answer: &search::Answer, failing: &[&Step], steps: &[Step]) -> Option<Limit> {
    if answer.at_ceiling {
        return Some(Limit::RateCeiling);
    }
    let judged: Vec<&Step> = if failing.is_empty() {
        steps.iter().filter(|s| !s.passed).collect()
    } else {
        failing.to_vec()
    };
    if judged.is_empty() {
        return None;
    }
    let short = judged.iter().any(|s| {
        s.breaches
            .first()
            .is_some_and(|b| matches!(b, Breach::Achieved { .. }))
    });
    let saturated = judged
        .iter()
        .any(|s| s.host_cpu_busy.is_some_and(|b| b >= HOST_SATURATED));
    Some(match (short, saturated) {
        (true, _) => Limit::Generator,
        (false, true) => Limit::Host,
        (false, false) => Limit::System,
    })
}

impl Schedule for CapacitySchedule {
    fn runs_at_most(&self) -> usize {
        // A typical search: bracketing plus bisection plus confirmations.
        let span = (self.settings.rate_high_msgs_per_s / self.settings.rate_low_msgs_per_s)
            .log2()
            .ceil()
            .max(1.0) as usize;
        let halvings = (1.0 / self.settings.resolution).log2().ceil() as usize;
        self.trials.len() * (span.min(10) + halvings + 3) + 1
    }

    fn next(&mut self, records: &[RunRecord]) -> Result<Option<NextRun>> {
        self.write(records)?;
        let first = match self.trials.first() {
            Some(t) => t,
            None => return Ok(None),
        };
        if self.warmup_step && records.is_empty() {
            self.warmup_step = false;
            return Ok(Some(NextRun {
                trial: first.clone(),
                run_index: 0,
                warmup: true,
                order: 0,
                load: Some(self.load(self.settings.rate_low_msgs_per_s)),
            }));
        }
        for trial in &self.trials {
            let steps = self.steps(trial, records);
            if let Next::Rate(rate) = self.search(&steps) {
                return Ok(Some(NextRun {
                    trial: trial.clone(),
                    run_index: next_run_index(records, &trial.id),
                    warmup: false,
                    order: records.len() as u32,
                    load: Some(self.load(rate)),
                }));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity_file::SloClause;
    use crate::clients::ClientKind;
    use crate::results::Status;

    fn settings() -> CapacitySettings {
        CapacitySettings {
            strategy: CapacityStrategy::Bisect,
            slo: vec![SloClause {
                text: "p99<20ms".into(),
                percentile: 99.0,
                below_ms: 20.0,
                metric: "latency_p99_ms".into(),
            }],
            rate_low_msgs_per_s: 1000.0,
            rate_high_msgs_per_s: 100_000.0,
            resolution: 0.05,
            warmup_s: 1.0,
            step_duration_s: 2.0,
            min_records: 1000,
            min_achieved_ratio: 0.99,
        }
    }

    fn trials() -> Vec<Trial> {
        ["0", "5"]
            .iter()
            .enumerate()
            .map(|(i, linger)| Trial {
                id: format!("t00{}", i + 1),
                client: ClientKind::Librdkafka,
                params: [("producer.linger.ms".to_string(), linger.to_string())].into(),
            })
            .collect()
    }

    /// What a run at `rate` of `trial` measures: p99 20 ms at 3,000 msg/s (t001) or 12,000
    /// (t002), growing with the rate.
    fn record(next: &NextRun) -> RunRecord {
        let rate = next.load.unwrap().rate_msgs_per_s;
        let knee = if next.trial.id == "t001" {
            3000.0
        } else {
            12_000.0
        };
        RunRecord {
            trial_id: next.trial.id.clone(),
            run_index: next.run_index,
            warmup: next.warmup,
            status: Some(Status::Ok),
            offered_rate_msgs_per_s: Some(rate),
            produce_rate_msgs_per_s: Some(rate),
            latency_p99_ms: Some(20.0 * rate / knee),
            kept_up: Some(true),
            host_cpu_busy: Some(0.4),
            ..Default::default()
        }
    }

    #[test]
    fn every_trial_is_searched_once_and_a_resumed_folder_goes_on_where_it_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let new = || {
            CapacitySchedule::new(
                &trials(),
                settings(),
                Mode::Live,
                100.0,
                7,
                dir.path().into(),
            )
        };
        let mut schedule = new();
        let mut records: Vec<RunRecord> = Vec::new();
        let mut asked = Vec::new();
        while let Some(next) = schedule.next(&records).unwrap() {
            assert!(records.len() < 80);
            let load = next.load.unwrap();
            // A step long enough for its percentile: 1,000 records at least.
            assert!(load.duration_s * load.rate_msgs_per_s >= 1000.0 - 1e-6);
            asked.push((next.trial.id.clone(), next.run_index, next.warmup));
            records.push(record(&next));
        }
        // One warm-up step first, not judged.
        assert!(asked[0].2 && !asked[1..].iter().any(|a| a.2));
        let file = crate::capacity_file::load(dir.path()).unwrap().unwrap();
        assert_eq!(file.trials[0].trial_id, "t002", "best capacity first");
        let cap = |i: usize| file.trials[i].capacity_msgs_per_s.unwrap();
        let fail = |i: usize| file.trials[i].first_failing_msgs_per_s.unwrap();
        assert!(cap(0) <= 12_000.0 && fail(0) > 12_000.0 && fail(0) / cap(0) <= 1.051);
        assert!(cap(1) <= 3000.0 && fail(1) > 3000.0);
        assert_eq!(file.trials[0].binding.as_deref(), Some("p99<20ms"));
        assert_eq!(file.trials[0].limit, Some(Limit::System));
        assert!(file.trials.iter().all(|t| t.done));
        // Run indices are unique per trial.
        for t in trials() {
            let mut idx: Vec<u32> = asked.iter().filter(|a| a.0 == t.id).map(|a| a.1).collect();
            let n = idx.len();
            idx.dedup();
            assert_eq!(idx.len(), n);
        }
        // A fresh schedule on every record makes no more steps; on half of them it asks for
        // the step the first one asked for next.
        assert!(new().next(&records).unwrap().is_none());
        let half = records.len() / 2;
        let resumed = new().next(&records[..half]).unwrap().unwrap();
        assert_eq!(
            (resumed.trial.id, resumed.run_index, resumed.warmup),
            asked[half]
        );
    }

    #[test]
    fn a_short_generator_is_named_as_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut schedule = CapacitySchedule::new(
            &trials()[..1],
            settings(),
            Mode::Live,
            100.0,
            7,
            dir.path().into(),
        );
        let mut records: Vec<RunRecord> = Vec::new();
        while let Some(next) = schedule.next(&records).unwrap() {
            let mut r = record(&next);
            // The paced producer tops out at 5,000 msg/s; latency is never the problem.
            let rate = next.load.unwrap().rate_msgs_per_s;
            r.produce_rate_msgs_per_s = Some(rate.min(5000.0));
            r.latency_p99_ms = Some(1.0);
            records.push(r);
        }
        let file = crate::capacity_file::load(dir.path()).unwrap().unwrap();
        let t = &file.trials[0];
        assert_eq!(t.limit, Some(Limit::Generator));
        assert_eq!(t.binding.as_deref(), Some("rate"));
        assert!(t.capacity_msgs_per_s.unwrap() <= 5000.0);
    }
}
