//! `tune.json`, the course of a `kafkatune tune` search, as serde types: what the tuner
//! writes after every run and what the report reads back (neither imports the other).
//!
//! Units are in the field names, as in `results.rs`. The settings of the search
//! ([`SearchSettings`]) are also recorded in `sweep.json` (`adaptive`), so `--resume`
//! refuses a search of other settings.

use serde::{Deserialize, Serialize};

/// Properties by Kafka name (as `results::Params`; this module imports nothing of results,
/// which records a search's settings).
pub type Params = std::collections::BTreeMap<String, String>;

/// The file the tuner writes into the sweep folder.
pub const TUNE_FILE: &str = "tune.json";

/// What a search optimises: a metric of the runs and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum TuneGoal {
    /// Messages per second (drain, produce, pipeline): higher is better.
    Throughput,
    /// p99 latency (end to end in live and pipeline runs, acknowledgement in produce runs):
    /// lower is better.
    #[value(name = "latency-p99")]
    LatencyP99,
    /// CPU seconds per million messages: lower is better.
    Cpu,
    /// Bytes on the wire per payload byte (produce): lower is better.
    Bytes,
}

impl TuneGoal {
    pub fn name(self) -> &'static str {
        match self {
            TuneGoal::Throughput => "throughput",
            TuneGoal::LatencyP99 => "latency-p99",
            TuneGoal::Cpu => "cpu",
            TuneGoal::Bytes => "bytes",
        }
    }
}

/// How the search picks its runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// A space-filling start, racing with elimination by a rank test, new candidates near
    /// the leaders, confirmation of the finalists (the default).
    Race,
    /// The grid's points in a shuffled order, one run each, then again, until the budget.
    Grid,
    /// Points drawn at random, one run each, until the budget.
    Random,
    /// One setting at a time (KafkaOptimize's method): the best value of each in turn.
    Greedy,
}

impl Strategy {
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Race => "race",
            Strategy::Grid => "grid",
            Strategy::Random => "random",
            Strategy::Greedy => "greedy",
        }
    }
}

/// An integer range of one property (`--range NAME=LO..HI[:log]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeSetting {
    pub name: String,
    pub low: i64,
    pub high: i64,
    pub log_scale: bool,
}

/// A bound on a metric (`--constraint 'latency-p99<50ms'`): `metric` is a `RunRecord` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConstraintSetting {
    /// As the user wrote it.
    pub text: String,
    pub metric: String,
    /// `true`: the metric's median must stay below `bound`; `false`: above.
    pub below: bool,
    pub bound: f64,
}

/// The budget of a search: runs, or seconds of runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    Runs(u64),
    /// Seconds of the runs' wall time (process spawn to exit, `wall_s` in results.jsonl).
    WallS(f64),
}

/// The settings of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchSettings {
    pub strategy: Strategy,
    pub goal: TuneGoal,
    /// The goal's `RunRecord` metric in this sweep's mode.
    pub metric: String,
    pub higher_is_better: bool,
    pub budget: Budget,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<RangeSetting>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<ConstraintSetting>,
}

/// Where a candidate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateState {
    /// Still measured (or waiting for its turn).
    Racing,
    /// Out: worse than the leader by the rank test, or outside a constraint.
    Dropped,
    /// Among the last ones standing when the search ended.
    Finalist,
}

/// Why a candidate was dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropEvidence {
    /// Runs of the search spent when it was dropped.
    pub at_run: u64,
    /// `mann-whitney-u` (one-sided, against the leader) or `constraint`.
    pub test: String,
    /// The leader it was compared with, for the rank test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    pub runs: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader_runs: Option<usize>,
    /// The candidate's median of the goal metric (or of the constraint's metric).
    pub median: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader_median: Option<f64>,
    pub reason: String,
}

/// One set of settings the search measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateEntry {
    pub trial_id: String,
    pub client: String,
    /// The swept and ranged properties by Kafka name (fixed ones are in sweep.json).
    pub params: Params,
    /// How it came in: `corner`, `sobol`, `grid`, `random`, `greedy`, `neighbour`, `tpe`.
    pub origin: String,
    /// Runs of the search spent when it came in.
    pub added_at_run: u64,
    pub state: CandidateState,
    pub runs: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropped: Option<DropEvidence>,
}

/// A candidate's goal metric: median and its interval, the order-statistic one of
/// summary.json, with the interval's level (a fraction; 0 in a tune.json before schema 3,
/// whose `ci95_*` bounds were a percentile bootstrap).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub trial_id: String,
    pub params: Params,
    pub runs: usize,
    pub median: f64,
    #[serde(alias = "ci95_low")]
    pub ci_low: f64,
    #[serde(alias = "ci95_high")]
    pub ci_high: f64,
    #[serde(default)]
    pub ci_level: f64,
}

/// The answer of the search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Winner {
    pub trial_id: String,
    /// Its settings by Kafka name, the fixed ones included.
    pub params: Params,
    pub metric: String,
    pub median: f64,
    /// The interval of the median and its level, as in [`Standing`].
    #[serde(alias = "ci95_low")]
    pub ci_low: f64,
    #[serde(alias = "ci95_high")]
    pub ci_high: f64,
    #[serde(default)]
    pub ci_level: f64,
    pub runs: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<Standing>,
    /// One-sided Mann-Whitney U p-value that the runner-up is worse than the winner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value_vs_runner_up: Option<f64>,
    /// Whether that test separates them (p at most `alpha`).
    pub separated: bool,
}

/// `[runs spent, best median of the goal metric so far]`, one per run.
pub type BestSoFar = (u64, f64);

/// The contents of `tune.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneFile {
    pub schema_version: u32,
    pub settings: SearchSettings,
    /// The significance level of the elimination test.
    pub alpha: f64,
    pub runs_spent: u64,
    /// Seconds of wall time the search has taken since its first run (an interrupted
    /// session's runs count their own wall time only).
    pub wall_s_spent: f64,
    /// Whether the search stopped on its own (winner separated, or nothing left to try)
    /// rather than on the budget or an interruption.
    pub finished: bool,
    pub stopped_because: String,
    pub candidates: Vec<CandidateEntry>,
    pub best_so_far: Vec<BestSoFar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winner: Option<Winner>,
}

/// Reads a folder's `tune.json`, if it has one.
pub fn load(dir: &std::path::Path) -> anyhow::Result<Option<TuneFile>> {
    let path = dir.join(TUNE_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)?;
    Ok(Some(serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!("{}: not a tune file: {e}", path.display())
    })?))
}
