//! `--dry-run` of `sweep`, `tune` and `capacity`: the plan as text and an estimate of its
//! duration, from the checked options alone.
//!
//! It reads nothing but the options (and, for `--resume DIR`, how many runs DIR holds): no
//! broker, no driver, no topic, no folder. That is what lets `tests/readme_commands.rs` run
//! every command of the README, the guides and `--help` in CI, so none of them goes stale.

use std::fmt::Write;

use anyhow::Result;

use crate::capacity::search::{self, Bounds, Next, RateRuns};
use crate::capacity_file::{CapacitySettings, CapacityStrategy};
use crate::clients::ClientKind;
use crate::grid;
use crate::options::{SweepOptions, WorkerSet};
use crate::results::{AdaptiveMeta, Mode};
use crate::tune_file::{Budget, SearchSettings};

/// The estimate's constants, each from a figure measured on this project's 2-core machines
/// (docs/benchmarks.md) and rounded towards the slower side, so that a real run is rarely
/// longer than announced.
mod pace {
    /// One embedded broker was ready in 2.4-4.0 s under load; three in 8.4 s.
    pub const BROKER_START_S: f64 = 3.0;
    pub const CLUSTER_START_S: f64 = 9.0;
    /// The fill producer wrote 37,167 msg/s of 100 B on a loaded machine.
    pub const FILL_MSGS_PER_S: f64 = 30_000.0;
}

/// A conservative rate (msg/s) and process start-up (s) per client and side, below what each
/// measured on a loaded 2-core machine: librdkafka drained 1.2-1.4 M msg/s and produced about
/// 0.6 M, the Java driver 405 k and 219 k, kafka-python 14 k (docs/benchmarks.md). The
/// start-up covers a fresh process (a JVM or a Python interpreter) and its connection. The
/// seed sweep of 2026-12-07 (81 librdkafka runs of 100,000 messages) took 0.16 s a run,
/// where this reckons 0.4 s.
fn client_pace(client: ClientKind, producing: bool) -> (f64, f64) {
    match (client, producing) {
        (ClientKind::Librdkafka, true) => (200_000.0, 0.3),
        (ClientKind::Librdkafka, false) => (500_000.0, 0.2),
        (ClientKind::Java, true) => (50_000.0, 2.0),
        (ClientKind::Java, false) => (100_000.0, 2.0),
        // confluent-kafka-python is not benchmarked yet: reckoned as slow as kafka-python.
        (ClientKind::KafkaPython | ClientKind::ConfluentKafkaPython, _) => (10_000.0, 1.5),
        // KafkaJS is not benchmarked yet either: reckoned as kafka-python, with Node's start.
        (ClientKind::KafkaJs, _) => (10_000.0, 1.0),
        (ClientKind::Fake, _) => (1_000_000.0, 0.1),
    }
}

/// Runs already recorded in a `--resume` folder (0 for a new one); a folder that cannot be
/// read counts as none, since the options were already read from it.
fn recorded_runs(opts: &SweepOptions) -> usize {
    if !opts.resume {
        return 0;
    }
    crate::export::load(&opts.out).map_or(0, |(_, records)| records.len())
}

/// `--dry-run` of a sweep, a search or a capacity search: their options carry the search's
/// settings in `adaptive`.
pub fn print(opts: &SweepOptions) -> Result<()> {
    print!("{}", describe(opts, recorded_runs(opts)));
    Ok(())
}

/// The whole plan as the terminal shows it.
pub fn describe(opts: &SweepOptions, recorded: usize) -> String {
    let mut out = String::from("kafkatune: dry run: nothing is started and nothing is written\n");
    let line = |out: &mut String, key: &str, value: String| {
        let _ = writeln!(out, "{key:<10} {value}");
    };
    line(&mut out, "mode:", mode_text(opts.mode).into());
    let clients: Vec<&str> = opts.clients.iter().map(|c| c.name()).collect();
    line(&mut out, "clients:", clients.join(", "));
    for (name, values) in &opts.grid {
        line(
            &mut out,
            "swept:",
            format!("{name} = {}", values.join(", ")),
        );
    }
    if let Some(AdaptiveMeta::Search(s)) = &opts.adaptive {
        for r in &s.ranges {
            let scale = if r.log_scale { " (log scale)" } else { "" };
            line(
                &mut out,
                "searched:",
                format!("{} = {}..{}{scale}", r.name, r.low, r.high),
            );
        }
    }
    for (name, value) in &opts.fixed {
        line(&mut out, "fixed:", format!("{name} = {value}"));
    }
    let trials = opts.clients.len() * grid::size(&opts.grid);
    let (plan, runs) = runs_text(opts, trials);
    line(&mut out, "plan:", plan);
    line(&mut out, "processes:", processes(opts));
    line(&mut out, "started:", started(opts));
    line(&mut out, "topic:", topic(opts));
    let folder = match opts.resume {
        true => format!(
            "{} (resumed: its {recorded} recorded runs are not run again)",
            opts.out.display()
        ),
        false => format!("{} (would be created)", opts.out.display()),
    };
    line(&mut out, "results:", folder);
    line(&mut out, "estimate:", estimate(opts, runs, recorded));
    out.push_str("kafkatune: drop --dry-run to run it\n");
    out
}

fn mode_text(mode: Mode) -> &'static str {
    match mode {
        Mode::Drain => "drain: consumers read a backlog as fast as they can",
        Mode::Live => "live: a paced producer, caught-up consumers, end-to-end latency",
        Mode::Produce => "produce: producers send, every record acknowledged",
        Mode::Pipeline => "pipeline: a producer and a consumer at once",
    }
}

/// The plan's line and its number of runs (`Steps` for a search whose runs are reckoned by
/// the estimate itself).
fn runs_text(opts: &SweepOptions, trials: usize) -> (String, Runs) {
    let warmup = opts.warmup_runs as usize;
    match &opts.adaptive {
        Some(AdaptiveMeta::Search(s)) => (search_text(s, trials), Runs::Search(s.budget)),
        Some(AdaptiveMeta::Capacity(c)) => {
            let steps = capacity_steps(c);
            (
                format!(
                    "a capacity search of {trials} trials within {}: {} strategy, each step {} s warm-up + {} s at one offered rate, {}..{} msg/s, resolution {:.0}%; about {steps} steps a trial, plus one warm-up step",
                    c.slo.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(", "),
                    match c.strategy { CapacityStrategy::Bisect => "bisect", CapacityStrategy::Tussle => "tussle" },
                    c.warmup_s, c.step_duration_s,
                    search::show(c.rate_low_msgs_per_s), search::show(c.rate_high_msgs_per_s),
                    c.resolution * 100.0
                ),
                Runs::Fixed(trials * steps + 1),
            )
        }
        Some(AdaptiveMeta::RepeatAuto { min_runs, max_runs, precision }) => (
            format!(
                "{trials} trials x {min_runs} to {max_runs} runs (--repeat auto: until the 95% interval is within {:.0}% of the median) + {warmup} warm-up runs each, one fresh process per run, in a shuffled order",
                precision * 100.0
            ),
            Runs::Fixed(trials * (*max_runs as usize + warmup)),
        ),
        None => {
            let per_trial = opts.repeat as usize + warmup;
            (
                format!(
                    "{trials} trials x {per_trial} runs ({} measured + {warmup} warm-up) = {} runs, one fresh process per run, in a shuffled order",
                    opts.repeat,
                    trials * per_trial
                ),
                Runs::Fixed(trials * per_trial),
            )
        }
    }
}

/// How many runs the estimate reckons with.
enum Runs {
    Fixed(usize),
    Search(Budget),
}

fn search_text(s: &SearchSettings, trials: usize) -> String {
    let strategy = format!("{:?}", s.strategy).to_lowercase();
    let budget = match &s.budget {
        Budget::Runs(n) => format!("{n} runs"),
        Budget::WallS(w) => format!("{} of runs", duration_text(*w)),
    };
    let space = match s.ranges.is_empty() {
        true => format!("{trials} candidates"),
        false => format!(
            "{trials} listed points and {} integer ranges",
            s.ranges.len()
        ),
    };
    format!(
        "a search ({strategy}) for {} over {space}, budget {budget}, one fresh process per run",
        s.metric
    )
}

/// The steps of one trial's bisect search, by the search itself (`capacity::search::next`,
/// a pure function) run against a trial whose limit sits at the geometric middle of the
/// range: every rate up to it passes, every one above fails. A real trial takes more steps
/// when its runs disagree. Tussle's method walks to a high bound, then takes 61 steps of 1%.
fn capacity_steps(c: &CapacitySettings) -> usize {
    if c.strategy == CapacityStrategy::Tussle {
        return 61 + 10;
    }
    let bounds = Bounds {
        low: c.rate_low_msgs_per_s,
        high: c.rate_high_msgs_per_s,
        resolution: c.resolution,
    };
    let limit = (bounds.low * bounds.high).sqrt();
    let mut runs: Vec<RateRuns> = Vec::new();
    for step in 0..500 {
        let rate = match search::next(bounds, &runs) {
            Next::Rate(rate) => rate,
            Next::Done(_) => return step,
        };
        let pass = rate <= limit;
        let entry = match runs.iter_mut().position(|r| r.rate == rate) {
            Some(i) => &mut runs[i],
            None => {
                runs.push(RateRuns {
                    rate,
                    passed: 0,
                    failed: 0,
                    latency_ratio: Some(rate / limit),
                    median_ms: None,
                    only_latency_failed: true,
                    errored: false,
                });
                runs.last_mut().expect("pushed")
            }
        };
        match pass {
            true => entry.passed += 1,
            false => entry.failed += 1,
        }
    }
    500
}

/// The client processes of one run: how many consumers or producers, and where.
fn processes(opts: &SweepOptions) -> String {
    let count = |name: &str| -> String {
        let swept = opts.grid.iter().find(|(n, _)| n == name);
        match (opts.fixed.get(name), swept) {
            (_, Some((_, values))) => format!("N ({name} = {})", values.join(", ")),
            (Some(n), None) => n.clone(),
            (None, None) => "1".into(),
        }
    };
    let group = opts
        .fixed
        .get("group.type")
        .map_or("consumer", |g| g.as_str());
    let what = match opts.mode {
        Mode::Produce => format!("{} producer processes per run", count("producers")),
        Mode::Pipeline => "one consumer process per run, beside kafkatune's producer".into(),
        _ if opts.fixed.contains_key("consumers") || grid::sweeps(&opts.grid, "consumers") => {
            format!(
                "{} consumer processes per run, in a new kafkatune- {group} group",
                count("consumers")
            )
        }
        Mode::Live => "one consumer process per run (assigned partitions, no group), beside kafkatune's paced producer".into(),
        Mode::Drain => "one consumer process per run (assigned partitions, no group)".into(),
    };
    match &opts.workers {
        None => format!("{what}, on this host"),
        Some(w) => {
            let who = match &w.set {
                WorkerSet::Count(n) => format!("{n} idle workers"),
                WorkerSet::Names(names) => format!("the workers {}", names.join(", ")),
            };
            format!(
                "{what}, spread over {who} of fleet {} (waiting at most {} s for them)",
                w.fleet, w.timeout_s
            )
        }
    }
}

/// What the run starts: the embedded brokers or nothing on the user's cluster.
fn started(opts: &SweepOptions) -> String {
    let c = &opts.cluster;
    if c.fake.is_some() {
        return "a stand-in cluster and the fake client (the orchestration tests)".into();
    }
    let mut text = match (&c.bootstrap, c.brokers) {
        (Some(b), _) => format!("nothing on your cluster at {b} (kafkatune connects to it)"),
        (None, 1) => "an embedded Apache Kafka broker".into(),
        (None, n) => format!("an embedded cluster of {n} Apache Kafka brokers (one JVM each)"),
    };
    if c.network {
        text.push_str(", behind kafkatune's delay proxy (one per broker)");
    }
    if c.bootstrap.is_none() && !c.warmup_max.is_zero() {
        let _ = write!(
            text,
            ", warmed at full speed for at most {} s before the first run",
            c.warmup_max.as_secs_f64()
        );
    }
    let first_use: Vec<&str> = opts
        .clients
        .iter()
        .filter_map(|c| match c {
            ClientKind::Java => Some("the Java driver is built"),
            ClientKind::KafkaPython | ClientKind::ConfluentKafkaPython => {
                Some("the Python environment is made")
            }
            ClientKind::KafkaJs => Some("KafkaJS is installed with npm ci"),
            _ => None,
        })
        .collect();
    if !first_use.is_empty() {
        let _ = write!(text, "; on first use {}", first_use.join(" and "));
    }
    text
}

/// The topic it fills or reads, and how many messages.
fn topic(opts: &SweepOptions) -> String {
    let w = &opts.workload;
    let rate = |r: Option<f64>| match r {
        Some(r) => format!(" at {r} msg/s"),
        None => " as fast as the client can".into(),
    };
    if let Some(AdaptiveMeta::Capacity(c)) = &opts.adaptive {
        let what = match opts.mode {
            Mode::Produce => "kafkatune's own topic, emptied before every step",
            _ => "read as they come",
        };
        return format!(
            "{}: each step writes its offered rate for {} s warm-up + {} s (rate x {} messages of {} B), {what}",
            w.topic,
            c.warmup_s,
            c.step_duration_s,
            c.warmup_s + c.step_duration_s,
            w.message_size
        );
    }
    match (opts.mode, &opts.live) {
        (Mode::Live, Some(l)) | (Mode::Pipeline, Some(l)) => format!(
            "{}: each run writes {} msg/s for {} s warm-up + {} s ({} messages of {} B), read as they come",
            w.topic, l.rate_msgs_per_s, l.warmup_s, l.duration_s, l.messages(), w.message_size
        ),
        (Mode::Produce, _) => format!(
            "{}: each run sends {} messages of {} B{} (kafkatune's own topic, emptied before every run)",
            w.topic, w.messages, w.message_size, rate(opts.send_rate)
        ),
        (Mode::Pipeline, _) => format!(
            "{}: each run sends {} messages of {} B{} while the consumer reads them",
            w.topic, w.messages, w.message_size, rate(opts.send_rate)
        ),
        _ => {
            let fill = match (&opts.cluster.bootstrap, opts.cluster.allow_write) {
                (None, _) => "filled once if it does not hold them",
                (Some(_), true) => "created and filled if it does not hold them (--allow-write)",
                (Some(_), false) => "read as it is (kafkatune fills only a topic it created, or with --allow-write)",
            };
            format!(
                "{}: {} messages of {} B on {} partition(s), {fill}; each run reads them all",
                w.topic, w.messages, w.message_size, w.partitions
            )
        }
    }
}

/// Seconds one run takes by the estimate: the client's start-up plus its messages at the
/// client's conservative rate, or the warm-up and duration of a paced run.
fn run_s(opts: &SweepOptions, client: ClientKind) -> f64 {
    let (rate, startup) = client_pace(client, opts.mode == Mode::Produce);
    if let Some(AdaptiveMeta::Capacity(c)) = &opts.adaptive {
        return startup + c.warmup_s + c.step_duration_s;
    }
    if let Some(live) = &opts.live {
        return startup + live.warmup_s + live.duration_s;
    }
    let pace = opts.send_rate.map_or(rate, |r| r.min(rate));
    startup + opts.workload.messages as f64 / pace
}

/// The duration, with how it was reckoned so a user can judge it: the cluster's start and
/// warm-up, the topic's fill (drain), and the runs at `run_s` each (averaged over the
/// clients, which share the trials evenly); a search's wall-time budget is taken as it is.
fn estimate(opts: &SweepOptions, runs: Runs, recorded: usize) -> String {
    let embedded = opts.cluster.bootstrap.is_none() && opts.cluster.fake.is_none();
    let start = match (embedded, opts.cluster.brokers) {
        (false, _) => 0.0,
        (true, 1) => pace::BROKER_START_S,
        (true, _) => pace::CLUSTER_START_S,
    };
    let warm = if embedded {
        opts.cluster.warmup_max.as_secs_f64()
    } else {
        0.0
    };
    let fills = opts.cluster.bootstrap.is_none() || opts.cluster.allow_write;
    let fill = match opts.mode == Mode::Drain && !opts.resume && fills {
        true => opts.workload.messages as f64 / pace::FILL_MSGS_PER_S,
        false => 0.0,
    };
    let per_run = opts.clients.iter().map(|c| run_s(opts, *c)).sum::<f64>()
        / opts.clients.len().max(1) as f64;
    let (runs_s, count) = match runs {
        Runs::Fixed(n) => {
            let left = n.saturating_sub(recorded);
            (left as f64 * per_run, format!("{left} runs"))
        }
        Runs::Search(Budget::Runs(n)) => {
            let left = (n as usize).saturating_sub(recorded);
            (left as f64 * per_run, format!("{left} runs (the budget)"))
        }
        Runs::Search(Budget::WallS(w)) => (w, "the budget's wall time".into()),
    };
    let total = start + warm + fill + runs_s;
    let limit = match &opts.adaptive {
        Some(AdaptiveMeta::RepeatAuto { .. }) => "; at most: every trial at its maximum runs",
        Some(AdaptiveMeta::Search(_)) => "; the search never exceeds its budget",
        Some(AdaptiveMeta::Capacity(_)) => "; more if steps disagree and are repeated",
        None => "",
    };
    format!(
        "about {} (start {start:.0} s, warm-up up to {warm:.0} s, fill up to {fill:.0} s, {count} of about {per_run:.1} s each{limit})",
        duration_text(total)
    )
}

fn duration_text(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_the_unit_that_fits() {
        assert_eq!(duration_text(42.4), "42 s");
        assert_eq!(duration_text(600.0), "10 min");
        assert_eq!(duration_text(9000.0), "2.5 h");
    }

    #[test]
    fn kafka_python_is_paced_slowest() {
        for producing in [false, true] {
            let (python, _) = client_pace(ClientKind::KafkaPython, producing);
            let (java, _) = client_pace(ClientKind::Java, producing);
            let (rd, _) = client_pace(ClientKind::Librdkafka, producing);
            assert!(python < java && java < rd, "producing {producing}");
        }
    }

    fn settings(low: f64, high: f64, resolution: f64) -> CapacitySettings {
        CapacitySettings {
            strategy: CapacityStrategy::Bisect,
            slo: vec![],
            rate_low_msgs_per_s: low,
            rate_high_msgs_per_s: high,
            resolution,
            warmup_s: 1.0,
            step_duration_s: 3.0,
            min_records: 1000,
            min_achieved_ratio: 0.99,
        }
    }

    #[test]
    fn a_wider_range_or_a_finer_resolution_takes_more_capacity_steps() {
        let base = capacity_steps(&settings(1000.0, 100_000.0, 0.1));
        assert!(
            base >= 8,
            "doubling, bisection and two confirmations: {base}"
        );
        assert!(base < 500, "the simulated search ended: {base}");
        assert!(capacity_steps(&settings(1000.0, 1_000_000.0, 0.1)) > base);
        assert!(capacity_steps(&settings(1000.0, 100_000.0, 0.01)) > base);
    }
}
