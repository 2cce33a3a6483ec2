//! `kafkatune capacity`'s options: the sweep's (the space, the workload, the cluster), checked
//! by `options::SweepOptions`, and the search's own (`--slo`, `--rates`, `--resolution`, the
//! steps' `--duration` and `--warmup-s`), checked here, before anything starts. With
//! `--resume DIR` the search's options come from the command stored in DIR.

use anyhow::Result;

use super::slo;
use crate::capacity_file::CapacitySettings;
use crate::cli::{CapacityArgs, Command};
use crate::defaults;
use crate::error::{usage, UserError};
use crate::options::SweepOptions;
use crate::results::{AdaptiveMeta, Mode};

/// Everything a capacity search needs, checked.
#[derive(Debug, Clone)]
pub struct CapacityOptions {
    /// The sweep's options; `adaptive` holds the search's settings.
    pub sweep: SweepOptions,
    pub settings: CapacitySettings,
}

impl CapacityOptions {
    pub fn from_args(args: &CapacityArgs, argv: &[String]) -> Result<CapacityOptions> {
        let stored = match &args.space.resume {
            Some(dir) => Some(stored_capacity_args(dir)?),
            None => None,
        };
        let own = stored.as_ref().unwrap_or(args);
        let space = &args.space;
        if space.repeat.is_some() || space.precision.is_some() {
            return Err(usage("--repeat and --precision are for sweep: a capacity search repeats the steps near the limit itself"));
        }
        if space.rate.is_some() {
            return Err(usage(
                "capacity chooses each step's rate: give the range to search with --rates LO..HI",
            ));
        }
        if space.workload.messages.is_some() {
            return Err(usage(
                "--messages is for sweeps: each capacity step sends its rate x (--warmup-s + --duration) messages",
            ));
        }
        if space.workers.is_some() {
            return Err(usage("capacity runs on this host only for now (the paced producer and the consumers here): leave out --workers"));
        }
        // The stored command's own choices on a resumed search.
        let chosen = &own.space;
        let preset_mode = chosen.preset.map(|p| p.definition().mode);
        let mode = chosen.mode.or(preset_mode).unwrap_or(Mode::Live);
        if mode == Mode::Drain {
            return Err(usage("capacity judges latency, which a drain run does not measure: use --mode live (the default), pipeline or produce (with a drain preset, add --mode live)"));
        }
        let slo_text = own.slo.as_deref().ok_or_else(|| {
            usage("capacity needs a service level: --slo 'p99<20ms' (or 'p99<20ms,p99.9<50ms')")
        })?;
        let clauses = slo::parse(slo_text, mode).map_err(|e| usage(format!("--slo {e}")))?;
        let (low, high) = match own.rates.as_deref() {
            Some(text) => rates(text, mode)?,
            None => (defaults::CAPACITY_RATE_LOW, defaults::CAPACITY_RATE_HIGH),
        };
        let resolution = match own.resolution.as_deref() {
            Some(text) => resolution(text)?,
            None => defaults::CAPACITY_RESOLUTION,
        };
        let step_duration_s = chosen.duration.unwrap_or(defaults::CAPACITY_STEP_S);
        let warmup_s = chosen.warmup_s.unwrap_or(defaults::WARMUP_S);
        if !(step_duration_s > 0.0 && step_duration_s <= 3600.0) {
            return Err(usage(
                "--duration (each step's measured seconds) must be between 0 and 3600",
            ));
        }
        if !(0.0..=600.0).contains(&warmup_s) {
            return Err(usage(
                "--warmup-s (each step's warm-up) must be between 0 and 600 seconds",
            ));
        }
        // The sweep's own checks, with the lowest rate standing for every step's.
        let mut space_args = space.clone();
        space_args.mode = Some(mode);
        space_args.rate = Some(low);
        space_args.yes = true;
        (space_args.duration, space_args.warmup_s) = match mode {
            Mode::Live => (Some(step_duration_s), Some(warmup_s)),
            _ => (None, None),
        };
        let mut sweep = SweepOptions::from_args(&space_args, argv)?;
        let settings = CapacitySettings {
            strategy: own.strategy.unwrap_or_default(),
            min_records: slo::min_records(&clauses),
            slo: clauses,
            rate_low_msgs_per_s: low,
            rate_high_msgs_per_s: high,
            resolution,
            warmup_s,
            step_duration_s,
            min_achieved_ratio: defaults::CAPACITY_MIN_ACHIEVED,
        };
        sweep.adaptive = Some(AdaptiveMeta::Capacity(settings.clone()));
        Ok(CapacityOptions { sweep, settings })
    }
}

/// `--rates LO..HI`, msg/s (`k` and `M` suffixes taken).
fn rates(text: &str, mode: Mode) -> Result<(f64, f64)> {
    let bad = || {
        usage(format!("--rates {text}: give the lowest and highest rate in msg/s as LO..HI, e.g. 500..200000 or 1k..1M"))
    };
    let (lo, hi) = text.split_once("..").ok_or_else(bad)?;
    let (lo, hi) = (number(lo).ok_or_else(bad)?, number(hi).ok_or_else(bad)?);
    if lo <= 0.0 {
        return Err(usage(format!(
            "--rates {text}: the lowest rate must be above 0 msg/s"
        )));
    }
    if hi <= lo {
        return Err(usage(format!(
            "--rates {text}: the highest rate must be above the lowest (LO..HI, e.g. {}..{})",
            super::search::show(hi.min(lo)),
            super::search::show(hi.max(lo) * if hi == lo { 10.0 } else { 1.0 })
        )));
    }
    let ceiling = match mode {
        Mode::Produce => 10_000_000.0,
        _ => 1_000_000.0,
    };
    if hi > ceiling {
        return Err(usage(format!(
            "--rates {text}: {} runs pace at most {} msg/s",
            mode.name(),
            super::search::show(ceiling)
        )));
    }
    Ok((lo, hi))
}

fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let (digits, factor) = match t.chars().last()? {
        'k' | 'K' => (&t[..t.len() - 1], 1e3),
        'm' | 'M' => (&t[..t.len() - 1], 1e6),
        _ => (t, 1.0),
    };
    digits
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| v * factor)
}

/// `--resolution 5%` (or `0.05`): more than 0, at most 50%.
fn resolution(text: &str) -> Result<f64> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok().map(|v| v / 100.0),
        None => t.parse::<f64>().ok(),
    };
    match value {
        Some(v) if v > 0.0 && v <= 0.5 => Ok(v),
        _ => Err(usage(format!(
            "--resolution {text}: give how close to bracket the capacity, above 0 and at most 50% (5%, 0.02)"
        ))),
    }
}

/// The search's options of the command stored in a folder.
fn stored_capacity_args(dir: &std::path::Path) -> Result<CapacityArgs> {
    match crate::options::stored_command(dir, "capacity")? {
        (_, Some(Command::Capacity(args))) => Ok(*args),
        (command, _) => Err(UserError::usage(format!(
            "{} holds no capacity search (it was started by `{command}`)",
            dir.display()
        ))
        .with_hint("resume a sweep with kafkatune sweep --resume DIR, a search with kafkatune tune --resume DIR")
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_resolutions_parse_or_say_what_to_give() {
        assert_eq!(
            rates("500..200000", Mode::Live).unwrap(),
            (500.0, 200_000.0)
        );
        assert_eq!(rates("1k..1M", Mode::Live).unwrap(), (1000.0, 1_000_000.0));
        let err = |t: &str| format!("{:#}", rates(t, Mode::Live).unwrap_err());
        assert!(err("5000..1000").contains("above the lowest"));
        assert!(err("0..1000").contains("above 0"));
        assert!(err("1000").contains("LO..HI"));
        assert!(err("1000..2M").contains("at most"));
        assert_eq!(resolution("5%").unwrap(), 0.05);
        assert_eq!(resolution("0.02").unwrap(), 0.02);
        for bad in ["0", "0%", "60%", "x"] {
            assert!(format!("{:#}", resolution(bad).unwrap_err()).contains("at most 50%"));
        }
    }
}
