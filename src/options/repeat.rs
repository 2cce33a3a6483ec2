//! `--repeat N` or `--repeat auto[:MAX]` with `--precision`.

use anyhow::Result;

use crate::cli::{RepeatChoice, SweepArgs};
use crate::defaults;
use crate::error::usage;
use crate::results::AdaptiveMeta;

/// The measured runs per trial (with `auto`: the most a trial gets), and the adaptive
/// settings of `--repeat auto`.
pub fn repeat(args: &SweepArgs, preset: Option<u32>) -> Result<(u32, Option<AdaptiveMeta>)> {
    let choice = args
        .repeat
        .unwrap_or(RepeatChoice::Runs(preset.unwrap_or(defaults::REPEAT)));
    match choice {
        RepeatChoice::Runs(0) => Err(usage("--repeat must be at least 1")),
        RepeatChoice::Runs(n) => {
            if args.precision.is_some() {
                return Err(usage(
                    "--precision goes with --repeat auto (runs added until the interval is that close): add --repeat auto or leave --precision out",
                ));
            }
            Ok((n, None))
        }
        RepeatChoice::Auto { max_runs } => {
            let max_runs = max_runs.unwrap_or(defaults::REPEAT_AUTO_MAX);
            let min_runs = defaults::REPEAT_AUTO_MIN;
            if max_runs < min_runs {
                return Err(usage(format!(
                    "--repeat auto:{max_runs}: a trial first gets {min_runs} runs (fewer give no 95% interval of the median): give auto:{min_runs} or more"
                )));
            }
            let precision = match &args.precision {
                Some(text) => precision(text)?,
                None => defaults::PRECISION,
            };
            Ok((
                max_runs,
                Some(AdaptiveMeta::RepeatAuto {
                    min_runs,
                    max_runs,
                    precision,
                }),
            ))
        }
    }
}

/// `5%` or `0.05`: a fraction strictly between 0 and 1.
fn precision(text: &str) -> Result<f64> {
    let value = match text.trim().strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map(|p| p / 100.0),
        None => text.trim().parse::<f64>(),
    };
    match value {
        Ok(p) if p > 0.0 && p < 1.0 => Ok(p),
        _ => Err(usage(format!(
            "--precision {text}: give a percentage between 0 and 100, e.g. 5% (or a fraction, 0.05)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::precision;

    #[test]
    fn precision_takes_a_percentage_or_a_fraction() {
        assert_eq!(precision("5%").unwrap(), 0.05);
        assert_eq!(precision("0.1").unwrap(), 0.1);
        assert!(precision("0").is_err() && precision("150%").is_err() && precision("x").is_err());
    }
}
