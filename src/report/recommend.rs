//! A recommendation for each goal (consumers: throughput, end-to-end latency, efficiency;
//! producers: throughput, acknowledgement latency, efficiency, bytes on the wire), with the
//! evidence behind it, or a plain statement that the sweep cannot answer it and which run
//! would.

use crate::results::{MetricSummary, Mode, SummaryFile, SweepMeta, TrialSummary};
use crate::stats::{indistinguishable, ties};

use super::format::{interval, interval_at_level, percent, swept_params, with_unit};

/// The run that answers the throughput goal: a backlog drained as fast as possible.
pub const DRAIN_RUN: &str = "kafkatune sweep --mode drain --preset seed";
/// The run that answers the latency goal: a paced producer and end-to-end latency.
pub const LIVE_RUN: &str = "kafkatune sweep --mode live --preset seed-live";
/// The run that answers the pipeline's goals.
pub const PIPELINE_RUN: &str = "kafkatune sweep --mode pipeline --param producer.linger.ms=0,5,20";
/// The run that answers the producer's goals.
pub const PRODUCE_RUN: &str = "kafkatune sweep --mode produce --param linger.ms=0,5,50 --param compression.type=none,lz4,zstd";

/// Runners-up listed by name; more are counted.
const TIED_SHOWN: usize = 5;

/// What a user may be tuning for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    Throughput,
    /// End to end (live).
    Latency,
    /// Send call to delivery report (produce).
    AckLatency,
    Efficiency,
    /// Bytes on the wire per payload byte (produce).
    Bytes,
}

impl Goal {
    /// The goals a sweep of `mode` is judged on.
    pub fn for_mode(mode: Mode) -> &'static [Goal] {
        match mode {
            Mode::Drain | Mode::Live | Mode::Pipeline => {
                &[Goal::Throughput, Goal::Latency, Goal::Efficiency]
            }
            Mode::Produce => &[
                Goal::Throughput,
                Goal::AckLatency,
                Goal::Efficiency,
                Goal::Bytes,
            ],
        }
    }

    /// The metric the goal is judged on, and whether higher is better.
    pub fn metric(self) -> (&'static str, bool) {
        match self {
            Goal::Throughput => ("throughput_msgs_per_s", true),
            Goal::Latency => ("latency_p99_ms", false),
            Goal::AckLatency => ("ack_latency_p99_ms", false),
            Goal::Efficiency => ("cpu_s_per_million_msgs", false),
            Goal::Bytes => ("compression_ratio", false),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Goal::Throughput => "Throughput (messages per second)",
            Goal::Latency => "Latency (p99 end to end)",
            Goal::AckLatency => "Latency (p99 acknowledgement: send to delivery report)",
            Goal::Efficiency => "Efficiency (CPU seconds per million messages)",
            Goal::Bytes => "Bytes on the wire (per payload byte)",
        }
    }

    /// How a sentence names the goal's metric before a value.
    fn noun(self) -> &'static str {
        match self {
            Goal::Throughput => "throughput ",
            Goal::Latency => "p99 latency ",
            Goal::AckLatency => "p99 ack latency ",
            Goal::Efficiency => "",
            Goal::Bytes => "wire/payload ",
        }
    }
}

/// A trial chosen for a goal, with its summary on the goal's metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub trial: TrialSummary,
    pub value: MetricSummary,
}

/// The answer for one goal.
// Three of these exist per report: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Recommendation {
    Best {
        goal: Goal,
        best: Pick,
        /// Trials a two-sided rank test of the runs cannot tell from the best, best first.
        tied: Vec<Pick>,
        /// When several clients ran: each other client's best trial.
        other_clients: Vec<Pick>,
    },
    CannotAnswer {
        goal: Goal,
        reason: String,
        run: String,
    },
}

/// A recommendation for every goal.
pub fn recommend(meta: &SweepMeta, summary: &SummaryFile) -> Vec<Recommendation> {
    Goal::for_mode(meta.mode)
        .iter()
        .map(|g| for_goal(*g, meta, summary))
        .collect()
}

fn for_goal(goal: Goal, meta: &SweepMeta, summary: &SummaryFile) -> Recommendation {
    let cannot = |reason: String, run: &str| Recommendation::CannotAnswer {
        goal,
        reason,
        run: run.to_string(),
    };
    match (goal, meta.mode) {
        (Goal::Throughput, Mode::Live) => {
            let rate = meta
                .live
                .as_ref()
                .map_or(String::new(), |l| format!(" ({} msg/s)", l.rate_msgs_per_s));
            return cannot(
                format!("a live sweep paces the producer, so throughput is set by its rate{rate}, not by the consumer's settings"),
                DRAIN_RUN,
            );
        }
        (Goal::Latency, Mode::Drain) => return cannot(
            "a drain sweep reads a backlog as fast as it can: no end-to-end latency is measured"
                .into(),
            LIVE_RUN,
        ),
        _ => {}
    }
    let (metric, higher) = goal.metric();
    let mut picks: Vec<Pick> = summary
        .trials
        .iter()
        .filter_map(|t| {
            Some(Pick {
                trial: t.clone(),
                value: t.metrics.get(metric)?.clone(),
            })
        })
        .collect();
    if picks.is_empty() {
        let run = match meta.mode {
            Mode::Drain => DRAIN_RUN,
            Mode::Live => LIVE_RUN,
            Mode::Produce => PRODUCE_RUN,
            Mode::Pipeline => PIPELINE_RUN,
        };
        return cannot(
            match goal {
                Goal::Efficiency if !summary.trials.is_empty() => format!(
                    "no run recorded `{metric}` (the {}'s CPU time comes from the OS \
                     accounting of its process, on Linux)",
                    if meta.mode == Mode::Produce {
                        "producer"
                    } else {
                        "consumer"
                    }
                ),
                _ => format!(
                    "no run of this sweep measured `{metric}` (none finished, or every one failed)"
                ),
            },
            run,
        );
    }
    picks.sort_by(|a, b| {
        let order = a.value.median.total_cmp(&b.value.median);
        if higher { order.reverse() } else { order }
            .then_with(|| a.trial.trial_id.cmp(&b.trial.trial_id))
    });
    let best = picks.remove(0);
    let tied = picks
        .iter()
        .filter(|p| indistinguishable(&p.value, &best.value))
        .cloned()
        .collect();
    let mut other_clients: Vec<Pick> = Vec::new();
    for p in &picks {
        if p.trial.client != best.trial.client
            && !other_clients
                .iter()
                .any(|o| o.trial.client == p.trial.client)
        {
            other_clients.push(p.clone());
        }
    }
    Recommendation::Best {
        goal,
        best,
        tied,
        other_clients,
    }
}

impl Recommendation {
    pub fn goal(&self) -> Goal {
        match self {
            Recommendation::Best { goal, .. } | Recommendation::CannotAnswer { goal, .. } => *goal,
        }
    }

    /// The answer as short paragraphs (backticks mark code), the headline first.
    pub fn sentences(&self, meta: &SweepMeta) -> Vec<String> {
        let swept = crate::grid::varied(&meta.grid);
        let name = |p: &Pick| {
            format!(
                "`{}` {} ({})",
                p.trial.trial_id,
                p.trial.client,
                swept_params(&p.trial.params, &swept)
            )
        };
        match self {
            Recommendation::CannotAnswer { reason, run, .. } => vec![
                format!("This sweep cannot answer it: {reason}."),
                format!("Run `{run}` to answer it."),
            ],
            Recommendation::Best {
                goal,
                best,
                tied,
                other_clients,
            } => {
                let metric = goal.metric().0;
                let mut out = vec![format!("Best: {}, {}.", name(best), evidence(best, metric))];
                if let Some(also) = also_measured(best, *goal, meta.mode) {
                    out.push(also);
                }
                if let Some(w) = best.trial.warnings.first() {
                    out.push(format!("Caution: {w}."));
                }
                if *goal == Goal::Bytes && !swept.iter().any(|p| p == COMPRESSION) {
                    out.push(no_codec_swept(meta));
                }
                out.push(match tied.len() {
                    0 => format!("Every other trial is behind it beyond the noise (a two-sided Mann-Whitney U test of the runs, p <= {}).", ties::ALPHA),
                    n => {
                        let shown: Vec<String> = tied
                            .iter()
                            .take(TIED_SHOWN)
                            .map(|p| format!("{}: {}", name(p), short_evidence(p, metric)))
                            .collect();
                        let more = if n > TIED_SHOWN {
                            format!("; and {} more", n - TIED_SHOWN)
                        } else {
                            String::new()
                        };
                        format!(
                            "Cannot be told apart from it ({n} trial{}; a two-sided Mann-Whitney U test of the runs does not separate them at p <= {}): {}{more}.{}",
                            if n == 1 { "" } else { "s" },
                            ties::ALPHA,
                            shown.join("; "),
                            too_few_runs(best, tied)
                        )
                    }
                });
                for p in other_clients {
                    out.push(format!(
                        "Best for {}: {}, {}.",
                        p.trial.client,
                        name(p),
                        short_evidence(p, metric)
                    ));
                }
                out
            }
        }
    }
}

const COMPRESSION: &str = "compression.type";

/// The run to make when a produce sweep kept one codec: its bytes then show batching only.
pub const CODEC_RUN: &str = "kafkatune sweep --mode produce --param compression.type=none,lz4,zstd";

fn no_codec_swept(meta: &SweepMeta) -> String {
    let in_grid = meta
        .grid
        .iter()
        .find(|(k, _)| k == COMPRESSION)
        .and_then(|(_, v)| v.first());
    let codec = match meta.fixed.get(COMPRESSION).or(in_grid) {
        Some(c) => format!("`{c}`"),
        None => "the client's default (`none`)".to_string(),
    };
    format!(
        "Every trial compressed with {codec}, so the bytes differ by batching alone; run \
         `{CODEC_RUN}` (with this sweep's other settings) to see what a codec saves."
    )
}

/// When the tied trials had too few runs for any test to tell them from the best: how many
/// would do; empty otherwise.
fn too_few_runs(best: &Pick, tied: &[Pick]) -> String {
    if tied
        .iter()
        .all(|p| ties::can_separate(best.value.n, p.value.n))
    {
        return String::new();
    }
    let each = ties::runs_each_to_separate();
    format!(
        " With {} runs of the best, no test of the runs could separate {}: that needs {each} runs each (--repeat {each}).",
        best.value.n,
        if tied.len() == 1 { "it" } else { "all of them" }
    )
}

/// The evidence for a pick: median, interval at its level, runs, CV.
pub fn evidence(p: &Pick, metric: &str) -> String {
    let v = &p.value;
    format!(
        "median {} ({}, {} run{}, CV {})",
        with_unit(v.median, metric),
        interval_at_level(v),
        v.n,
        if v.n == 1 { "" } else { "s" },
        percent(v.cv)
    )
}

/// What the best trial gives up on the other goals, so a choice is made knowingly.
fn also_measured(p: &Pick, goal: Goal, mode: Mode) -> Option<String> {
    let others: Vec<String> = Goal::for_mode(mode)
        .iter()
        .filter(|g| **g != goal)
        .filter_map(|g| {
            let metric = g.metric().0;
            let s = p.trial.metrics.get(metric)?;
            Some(format!("{}{}", g.noun(), with_unit(s.median, metric)))
        })
        .collect();
    (!others.is_empty()).then(|| format!("The same trial measured: {}.", others.join(", ")))
}

fn short_evidence(p: &Pick, metric: &str) -> String {
    format!(
        "{} {}",
        with_unit(p.value.median, metric),
        interval(&p.value)
    )
}

#[cfg(test)]
#[path = "recommend_tests.rs"]
mod tests;
