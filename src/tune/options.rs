//! `kafkatune tune`'s options: the sweep's (the space, the workload, the cluster), checked by
//! `options::SweepOptions`, and the search's own (`--range`, `--goal`, `--constraint`,
//! `--budget`, `--strategy`), checked here. With `--resume DIR` the search's options come
//! from the command stored in DIR, and the ones given beside it must agree.

use anyhow::Result;

use crate::cli::{Command, TuneArgs};
use crate::clients::properties;
use crate::error::{usage, UserError};
use crate::options::SweepOptions;
use crate::results::{AdaptiveMeta, Mode};
use crate::tune_file::{
    Budget, ConstraintSetting, RangeSetting, SearchSettings, Strategy, TuneGoal,
};

use super::space::{Dim, Space};

/// Everything a search needs, checked.
#[derive(Debug, Clone)]
pub struct TuneOptions {
    /// The sweep's options; `adaptive` holds the search's settings.
    pub sweep: SweepOptions,
    pub settings: SearchSettings,
    pub space: Space,
}

impl TuneOptions {
    pub fn from_args(args: &TuneArgs, argv: &[String]) -> Result<TuneOptions> {
        let mut space_args = args.space.clone();
        if space_args.repeat.is_some() || space_args.precision.is_some() {
            return Err(usage("--repeat and --precision are for sweep: a search decides the runs of each candidate within --budget"));
        }
        // The budget bounds the runs, not the grid: no --yes needed for a large space.
        space_args.yes = true;
        let stored = match &args.space.resume {
            Some(dir) => Some(stored_tune_args(dir)?),
            None => None,
        };
        let own = match &stored {
            Some(stored) => {
                check_agrees(args, stored)?;
                stored
            }
            None => args,
        };
        let mut sweep = SweepOptions::from_args(&space_args, argv)?;
        let settings = settings(own, sweep.mode)?;
        for r in &settings.ranges {
            if crate::grid::sweeps(&sweep.grid, &r.name) || sweep.fixed.contains_key(&r.name) {
                // A preset's fixed or swept property gives way to the range.
                sweep.grid.retain(|(n, _)| *n != r.name);
                sweep.fixed.remove(&r.name);
            }
        }
        if sweep.grid.is_empty() && settings.ranges.is_empty() && sweep.clients.len() < 2 {
            return Err(usage("tune needs something to search: --param NAME=V1,V2,..., --range NAME=LO..HI or --preset NAME"));
        }
        let mut dims: Vec<Dim> = sweep
            .grid
            .iter()
            .map(|(name, values)| Dim::Values {
                name: name.clone(),
                values: values.clone(),
            })
            .collect();
        dims.extend(settings.ranges.iter().cloned().map(Dim::Range));
        sweep.adaptive = Some(AdaptiveMeta::Search(settings.clone()));
        Ok(TuneOptions {
            space: Space {
                clients: sweep.clients.clone(),
                dims,
            },
            sweep,
            settings,
        })
    }
}

/// The search's options of the command stored in a folder.
fn stored_tune_args(dir: &std::path::Path) -> Result<TuneArgs> {
    match crate::options::stored_command(dir, "tune")? {
        (_, Some(Command::Tune(args))) => Ok(*args),
        (command, _) => Err(UserError::usage(format!(
            "{} holds no search (it was started by `{command}`)",
            dir.display()
        ))
        .with_hint("resume a sweep with kafkatune sweep --resume DIR")
        .into()),
    }
}

/// Options of the search given beside `--resume` must be the stored ones.
fn check_agrees(given: &TuneArgs, stored: &TuneArgs) -> Result<()> {
    let mut differ = Vec::new();
    if !given.ranges.is_empty() && given.ranges != stored.ranges {
        differ.push("--range");
    }
    if given.goal.is_some() && given.goal != stored.goal {
        differ.push("--goal");
    }
    if !given.constraints.is_empty() && given.constraints != stored.constraints {
        differ.push("--constraint");
    }
    if given.budget.is_some() && given.budget != stored.budget {
        differ.push("--budget");
    }
    if given.strategy.is_some() && given.strategy != stored.strategy {
        differ.push("--strategy");
    }
    if differ.is_empty() {
        return Ok(());
    }
    Err(UserError::usage(format!(
        "the search in the folder was started with other {}",
        differ.join(", "),
    ))
    .with_hint(
        "give the folder's search options again, as it was started (its sweep.json `command`)",
    )
    .into())
}

/// The `RunRecord` metric a goal reads in a sweep of `mode`, and whether higher is better;
/// `None` when that mode does not measure it.
pub fn goal_metric(goal: TuneGoal, mode: Mode) -> Option<(&'static str, bool)> {
    use Mode::*;
    match (goal, mode) {
        (TuneGoal::Throughput, Drain | Produce | Pipeline) => Some(("throughput_msgs_per_s", true)),
        (TuneGoal::Throughput, Live) => None,
        (TuneGoal::LatencyP99, Live | Pipeline) => Some(("latency_p99_ms", false)),
        (TuneGoal::LatencyP99, Produce) => Some(("ack_latency_p99_ms", false)),
        (TuneGoal::LatencyP99, Drain) => None,
        (TuneGoal::Cpu, _) => Some(("cpu_s_per_million_msgs", false)),
        (TuneGoal::Bytes, Produce) => Some(("compression_ratio", false)),
        (TuneGoal::Bytes, _) => None,
    }
}

fn settings(args: &TuneArgs, mode: Mode) -> Result<SearchSettings> {
    let goal = args.goal.unwrap_or(match mode {
        Mode::Live => TuneGoal::LatencyP99,
        _ => TuneGoal::Throughput,
    });
    let (metric, higher_is_better) = goal_metric(goal, mode).ok_or_else(|| {
        usage(format!(
            "--goal {}: a {} sweep does not measure it ({})",
            goal.name(),
            mode.name(),
            match goal {
                TuneGoal::Throughput => "a live run's throughput is its producer's --rate: use --mode drain or pipeline, or --goal latency-p99",
                TuneGoal::LatencyP99 => "a drain run reads a backlog: use --mode live for end-to-end latency",
                TuneGoal::Bytes => "bytes on the wire are measured by producers: use --mode produce",
                TuneGoal::Cpu => "",
            }
        ))
    })?;
    let mut ranges = Vec::new();
    for item in &args.ranges {
        let r = range(item, mode)?;
        if ranges.iter().any(|o: &RangeSetting| o.name == r.name) {
            return Err(usage(format!(
                "--range {} is given twice: keep one",
                r.name
            )));
        }
        ranges.push(r);
    }
    Ok(SearchSettings {
        strategy: args.strategy.unwrap_or(Strategy::Race),
        goal,
        metric: metric.to_string(),
        higher_is_better,
        budget: budget(args.budget.as_deref().ok_or_else(|| {
            usage("tune needs a --budget: a number of runs (--budget 60) or a wall time (--budget 20m)")
        })?)?,
        ranges,
        constraints: args
            .constraints
            .iter()
            .map(|c| constraint(c, mode))
            .collect::<Result<_>>()?,
    })
}

/// `NAME=LO..HI[:log]`, integers, LO <= HI, both values the property takes.
fn range(item: &str, mode: Mode) -> Result<RangeSetting> {
    let shape =
        "give NAME=LO..HI or NAME=LO..HI:log with integers, e.g. fetch.max.wait.ms=1..1000:log";
    let (name, spec) = item
        .split_once('=')
        .filter(|(n, _)| !n.trim().is_empty())
        .ok_or_else(|| usage(format!("--range `{item}`: {shape}")))?;
    let name = name.trim().to_string();
    let (bounds, log_scale) = match spec.trim().strip_suffix(":log") {
        Some(b) => (b, true),
        None => (spec.trim(), false),
    };
    let (low, high) = bounds
        .split_once("..")
        .and_then(|(l, h)| Some((l.trim().parse::<i64>().ok()?, h.trim().parse::<i64>().ok()?)))
        .ok_or_else(|| usage(format!("--range `{item}`: {shape}")))?;
    if low > high {
        return Err(usage(format!(
            "--range {name}={low}..{high}: LO is above HI; give {name}={high}..{low}"
        )));
    }
    if log_scale && low < 1 {
        return Err(usage(format!(
            "--range {name}={low}..{high}:log: a log scale starts at 1 or more; give {name}=1..{high}:log"
        )));
    }
    if let Some(own) = properties::own::lookup(&name) {
        for v in [low, high] {
            own.check(&name, &v.to_string())
                .map_err(|e| usage(format!("--range {name}={v}: {e}")))?;
        }
    } else {
        for v in [low, high] {
            crate::options::sides::validate(mode, &name, &v.to_string())
                .map_err(|e| usage(format!("--range {e}")))?;
        }
    }
    Ok(RangeSetting {
        name,
        low,
        high,
        log_scale,
    })
}

/// `60` runs, or `20m`, `90s`, `1h`, `1h30m` of wall time; never 0.
fn budget(text: &str) -> Result<Budget> {
    let hint = "give a number of runs (--budget 60) or a wall time (--budget 20m, 90s, 1h)";
    let t = text.trim();
    if let Ok(n) = t.parse::<u64>() {
        if n == 0 {
            return Err(usage(format!(
                "--budget 0: the search needs at least one run; {hint}"
            )));
        }
        return Ok(Budget::Runs(n));
    }
    let mut total_s = 0.0;
    let mut number = String::new();
    for ch in t.chars() {
        match ch {
            '0'..='9' | '.' => number.push(ch),
            'h' | 'm' | 's' => {
                let v: f64 = number
                    .parse()
                    .map_err(|_| usage(format!("--budget {text}: {hint}")))?;
                total_s += v * match ch {
                    'h' => 3600.0,
                    'm' => 60.0,
                    _ => 1.0,
                };
                number.clear();
            }
            _ => return Err(usage(format!("--budget {text}: {hint}"))),
        }
    }
    if !number.is_empty() || total_s <= 0.0 || !total_s.is_finite() {
        return Err(usage(format!("--budget {text}: {hint}")));
    }
    Ok(Budget::WallS(total_s))
}

/// `METRIC<BOUND` or `METRIC>BOUND`; METRIC a goal's name (latency-p99, cpu, throughput,
/// bytes) or a metric of results.jsonl; BOUND a number with an optional unit (ms, s).
fn constraint(text: &str, mode: Mode) -> Result<ConstraintSetting> {
    let shape = "give METRIC<BOUND or METRIC>BOUND, e.g. 'latency-p99<50ms' or 'cpu<1.0'";
    let (name, below, bound) = match (text.split_once('<'), text.split_once('>')) {
        (Some((n, b)), None) => (n, true, b),
        (None, Some((n, b))) => (n, false, b),
        _ => return Err(usage(format!("--constraint `{text}`: {shape}"))),
    };
    let name = name.trim();
    let bound_text = bound.trim().trim_start_matches('=');
    let (number, scale) = match (bound_text.strip_suffix("ms"), bound_text.strip_suffix('s')) {
        (Some(n), _) => (n, 1.0),
        (None, Some(n)) => (n, 1000.0),
        (None, None) => (bound_text, 1.0),
    };
    let bound: f64 = number.trim().parse().map_err(|_| {
        usage(format!(
            "--constraint `{text}`: `{bound_text}` is not a number; {shape}"
        ))
    })?;
    let metric = match name {
        "latency-p99" | "throughput" | "cpu" | "bytes" => {
            let goal = <TuneGoal as clap::ValueEnum>::from_str(name, false).expect("a goal name");
            goal_metric(goal, mode)
                .ok_or_else(|| {
                    usage(format!(
                        "--constraint `{text}`: a {} sweep does not measure {name}; constrain what it measures (e.g. 'cpu<1.0')",
                        mode.name()
                    ))
                })?
                .0
                .to_string()
        }
        other => {
            if !crate::stats::summary::METRICS
                .iter()
                .any(|(n, _)| *n == other)
            {
                return Err(usage(format!(
                    "--constraint `{text}`: unknown metric `{other}`: give latency-p99, throughput, cpu, bytes or a metric of results.jsonl (e.g. latency_p50_ms)"
                )));
            }
            if other.starts_with("latency_") && !mode.has_paced_producer() {
                return Err(usage(format!(
                    "--constraint `{text}`: a {} sweep does not measure end-to-end latency: use --mode live",
                    mode.name()
                )));
            }
            other.to_string()
        }
    };
    Ok(ConstraintSetting {
        text: text.to_string(),
        metric,
        below,
        bound: bound * if name.contains("latency") { scale } else { 1.0 },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_ranges_and_constraints_parse_or_say_why_not() {
        assert_eq!(budget("60").unwrap(), Budget::Runs(60));
        assert_eq!(budget("20m").unwrap(), Budget::WallS(1200.0));
        assert_eq!(budget("1h30m").unwrap(), Budget::WallS(5400.0));
        assert!(budget("0").is_err() && budget("soon").is_err() && budget("5x").is_err());
        let r = range("fetch.max.wait.ms=1..1000:log", Mode::Live).unwrap();
        assert!(r.log_scale && r.low == 1 && r.high == 1000);
        assert!(range("fetch.max.wait.ms=10..1", Mode::Live)
            .unwrap_err()
            .to_string()
            .contains("LO is above HI"));
        let c = constraint("latency-p99<0.05s", Mode::Live).unwrap();
        assert_eq!(
            (c.metric.as_str(), c.below, c.bound),
            ("latency_p99_ms", true, 50.0)
        );
        assert!(constraint("latency-p99<50ms", Mode::Drain).is_err());
        assert!(constraint("cpu<1.0", Mode::Drain).is_ok());
    }
}
