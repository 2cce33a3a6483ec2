//! `capacity.json`, the answer of a `kafkatune capacity` search, as serde types: what the
//! capacity schedule writes after every step and what the report and `compare` read back.
//!
//! Units are in the field names, as in `results.rs`. The settings of the search
//! ([`CapacitySettings`]) are also recorded in `sweep.json` (`adaptive`), so `--resume`
//! refuses a search of other settings. Every step is also one record of `results.jsonl`
//! (with its `offered_rate_msgs_per_s`); this file holds each trial's verdicts and answer.

use serde::{Deserialize, Serialize};

/// Properties by Kafka name (as `results::Params`).
pub type Params = std::collections::BTreeMap<String, String>;

/// The file the capacity search writes into the sweep folder.
pub const CAPACITY_FILE: &str = "capacity.json";

/// Version of `capacity.json` written by this build. 1: first version.
pub const CAPACITY_SCHEMA_VERSION: u32 = 1;

/// One clause of a service level: a latency percentile below a bound (`p99<20ms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloClause {
    /// As the user wrote it, normalised (`p99<20ms`).
    pub text: String,
    /// The percentile, 0-100 (100: the maximum).
    pub percentile: f64,
    /// The latency the percentile must stay below, in ms.
    pub below_ms: f64,
    /// The `RunRecord` field that holds it in this sweep's mode.
    pub metric: String,
}

/// How a capacity search chooses its rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum CapacityStrategy {
    /// Bracket by doubling, bisect on a log scale to the resolution, confirm both bounds
    /// (the default).
    #[default]
    Bisect,
    /// Tussle's method, the baseline: a high bound by steps of 20k, 10k, 5k, 1k msg/s, then
    /// 50% to 110% of it in 1% steps.
    Tussle,
}

/// The settings of a capacity search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacitySettings {
    #[serde(default)]
    pub strategy: CapacityStrategy,
    pub slo: Vec<SloClause>,
    /// The lowest and highest offered rates the search may try, msg/s.
    pub rate_low_msgs_per_s: f64,
    pub rate_high_msgs_per_s: f64,
    /// The search stops when the first failing rate is within this fraction above the last
    /// passing one.
    pub resolution: f64,
    /// Each step's warm-up (left out of the latencies) and its measured seconds.
    pub warmup_s: f64,
    pub step_duration_s: f64,
    /// Each step's measured seconds are at least this many records' worth at its rate: a
    /// percentile needs records beyond it (10 / (1 - q): 1,000 for p99, 10,000 for p99.9).
    pub min_records: u64,
    /// A step's achieved rate must be at least this share of the offered one.
    pub min_achieved_ratio: f64,
}

/// Why a step failed its service level; the first one listed is the binding one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Breach {
    /// A latency clause broke: its percentile measured above the bound.
    Latency {
        clause: String,
        measured_ms: f64,
        below_ms: f64,
    },
    /// The rate achieved fell short of the offered rate (by more than 1%): the producer side
    /// (kafkatune's paced producer, or the client under test in produce runs) could not send
    /// it.
    Achieved {
        achieved_msgs_per_s: f64,
        offered_msgs_per_s: f64,
    },
    /// The consumers did not keep up: their lag grew over the step (or they did not read
    /// every record before the step's time-out).
    FellBehind { detail: String },
    /// The step failed for another reason (the driver, the cluster): it judged nothing.
    Error { detail: String },
}

impl Breach {
    /// One line for the terminal and the report.
    pub fn describe(&self) -> String {
        match self {
            Breach::Latency {
                clause,
                measured_ms,
                ..
            } => format!("{clause} (measured {measured_ms:.1} ms)"),
            Breach::Achieved {
                achieved_msgs_per_s,
                offered_msgs_per_s,
            } => format!(
                "achieved {achieved_msgs_per_s:.0} of {offered_msgs_per_s:.0} msg/s offered"
            ),
            Breach::FellBehind { detail } => format!("the consumers fell behind ({detail})"),
            Breach::Error { detail } => format!("the step failed: {detail}"),
        }
    }

    /// A short name of the breach's kind: the clause's text, `rate`, `lag` or `error`.
    pub fn name(&self) -> String {
        match self {
            Breach::Latency { clause, .. } => clause.clone(),
            Breach::Achieved { .. } => "rate".into(),
            Breach::FellBehind { .. } => "lag".into(),
            Breach::Error { .. } => "error".into(),
        }
    }
}

/// One step of a trial's search: one run at one offered rate, as judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The run's index in the trial (`run_index` in results.jsonl).
    pub run_index: u32,
    pub offered_msgs_per_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achieved_msgs_per_s: Option<f64>,
    pub passed: bool,
    /// Empty when it passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breaches: Vec<Breach>,
    /// The latency percentiles the service level judges, in the clauses' order, ms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub latencies_ms: Vec<Option<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p50_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p99_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p999_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_up: Option<bool>,
    /// The whole machine's CPU use over the step, 0-1 (all cores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_cpu_busy: Option<f64>,
}

/// What limited a trial's capacity, as far as one host can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Limit {
    /// The service level broke while the load generator delivered the rate and the machine
    /// had CPU to spare: the setting's own capacity on this cluster.
    System,
    /// The load generator could not send the rate (kafkatune's paced producer, or the
    /// producer under test): the figure is the generator's, not the system's.
    Generator,
    /// The machine's CPUs were saturated (the generator, the consumers and the embedded
    /// brokers share them): the figure is this host's; workers would lift it.
    Host,
    /// No step failed up to the highest rate allowed: the capacity is at least that.
    RateCeiling,
}

impl Limit {
    pub fn name(self) -> &'static str {
        match self {
            Limit::System => "system",
            Limit::Generator => "generator",
            Limit::Host => "host",
            Limit::RateCeiling => "rate ceiling",
        }
    }
}

/// One trial's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialCapacity {
    pub trial_id: String,
    pub client: String,
    /// The swept properties by Kafka name (fixed ones are in sweep.json).
    pub params: Params,
    /// The highest offered rate that kept the service level (confirmed); `null` when no
    /// rate did.
    pub capacity_msgs_per_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_mib_per_s: Option<f64>,
    /// The lowest rate above the capacity that failed (confirmed): the capacity lies in
    /// [capacity, first failing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_failing_msgs_per_s: Option<f64>,
    /// The clause (or `rate`, `lag`, `error`) that broke first, at the first failing rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
    /// Whether the search of this trial is finished.
    pub done: bool,
    /// What the search says beyond the numbers: no capacity and why, a non-monotonic
    /// curve (a pass above a fail), a step that failed for another reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub steps: Vec<Step>,
}

/// `capacity.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityFile {
    pub schema_version: u32,
    pub settings: CapacitySettings,
    /// The trials, best capacity first (those without one last).
    pub trials: Vec<TrialCapacity>,
    /// Steps (runs) made in all.
    pub steps: usize,
}

/// Reads `capacity.json` in `dir`; `None` when the folder holds no capacity search.
pub fn load(dir: &std::path::Path) -> anyhow::Result<Option<CapacityFile>> {
    let path = dir.join(CAPACITY_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)?;
    Ok(Some(serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!("{}: not a capacity file: {e}", path.display())
    })?))
}
