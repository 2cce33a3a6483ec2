//! `kafkatune tune`: the best settings for a goal within a budget of runs or time.
//!
//! A search runs on the sweep's scheduler (`sweep::run_scheduled`): the same folder, every
//! run in results.jsonl, resume and Ctrl-C as a sweep's. Its schedule is the `tuner`, which
//! asks a strategy (`race`, or the baselines in `strategies`) for one run at a time and
//! writes `tune.json` (`crate::tune_file`) after every run.

mod book;
mod elimination;
pub mod options;
mod propose;
mod race;
pub mod space;
mod strategies;
mod tuner;

use anyhow::Result;
use rand::SeedableRng;

pub use options::TuneOptions;

use crate::stats::median_interval::ci_name;
use crate::sweep::{self, SweepOutcome};
use crate::tune_file::{Strategy, TuneFile};

/// Runs the search; its outcome as a sweep's, and `tune.json` as the search left it.
pub fn run(opts: &TuneOptions) -> Result<(SweepOutcome, Option<TuneFile>)> {
    let outcome = sweep::run_scheduled(&opts.sweep, &[], |meta| {
        let book = book::Book {
            settings: opts.settings.clone(),
            space: opts.space.clone(),
            fixed: opts.sweep.fixed.clone(),
            candidates: Vec::new(),
            runs_spent: 0,
            wall_s_spent: 0.0,
            wall_s_max: 0.0,
            best_so_far: Vec::new(),
            rng: rand::rngs::StdRng::seed_from_u64(meta.seed),
            seed: meta.seed,
        };
        let strategy: Box<dyn strategies::Strategy> = match opts.settings.strategy {
            Strategy::Race => Box::<race::Race>::default(),
            Strategy::Grid => Box::<strategies::Grid>::default(),
            Strategy::Random => Box::new(strategies::Random),
            Strategy::Greedy => Box::<strategies::Greedy>::default(),
        };
        Ok(Box::new(tuner::Tuner::new(
            book,
            strategy,
            opts.sweep.out.clone(),
        )))
    })?;
    let file = crate::tune_file::load(&opts.sweep.out)?;
    Ok((outcome, file))
}

/// The search's answer for the terminal: the winner with its interval, the runner-up, how
/// many were dropped and why the search stopped.
pub fn describe(file: &TuneFile) -> String {
    let mut out = String::new();
    let s = &file.settings;
    let dropped = file
        .candidates
        .iter()
        .filter(|c| c.dropped.is_some())
        .count();
    out.push_str(&format!(
        "search: {} for {} ({}), {} runs spent ({:.0} s of runs); {} candidates, {} dropped; stopped: {}\n",
        s.strategy.name(),
        s.goal.name(),
        s.metric,
        file.runs_spent,
        file.wall_s_spent,
        file.candidates.len(),
        dropped,
        file.stopped_because
    ));
    match &file.winner {
        Some(w) => {
            let params: Vec<String> = file
                .candidates
                .iter()
                .find(|c| c.trial_id == w.trial_id)
                .map(|c| c.params.iter().map(|(k, v)| format!("{k}={v}")).collect())
                .unwrap_or_default();
            out.push_str(&format!(
                "winner: {} {}: {} median {} ({} {} to {}, {} runs)\n",
                w.trial_id,
                params.join(" "),
                w.metric,
                num(w.median),
                ci_name(w.ci_level, w.runs),
                num(w.ci_low),
                num(w.ci_high),
                w.runs
            ));
            match &w.runner_up {
                Some(r) => out.push_str(&format!(
                    "runner-up: {}: median {} ({} {} to {}, {} runs); {}\n",
                    r.trial_id,
                    num(r.median),
                    ci_name(r.ci_level, r.runs),
                    num(r.ci_low),
                    num(r.ci_high),
                    r.runs,
                    match (w.separated, w.p_value_vs_runner_up) {
                        (true, Some(p)) => format!("separated (one-sided Mann-Whitney U p = {p:.3})"),
                        (false, Some(p)) => format!("not separated (p = {p:.3}): a bigger --budget would tell them apart, or they are equal"),
                        (_, None) => "too few runs to test".into(),
                    }
                )),
                None => out.push_str("runner-up: none left: every other candidate was dropped\n"),
            }
        }
        None => out.push_str("winner: none (no candidate measured within the constraints)\n"),
    }
    out
}

fn num(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}
