//! What users type for a fault: `--fault kill-leader@3s`, or the pseudo-property swept as
//! any property (`--param fault=none,kill-leader@3s`). `fault` is not a Kafka property: it
//! never reaches a client (`clients::properties::own`).
//!
//! Syntax: `none`, `kill-leader@T`, `restart-leader@T`, `pause-leader@T:D`; T (and D) as the
//! `humantime` crate reads a duration (`3s`, `500ms`, `1m`). T counts from the run's steady
//! state: the moment its producer reports itself ready and starts sending.

use std::time::Duration;

/// The pseudo-property's name, as `--param fault=...` and the records spell it.
pub const FAULT: &str = "fault";

/// The fault names users may type.
pub const NAMES: [&str; 4] = ["none", "kill-leader", "restart-leader", "pause-leader"];

/// The latest a fault may come, and the longest pause: a run is minutes, not hours.
pub const MAX_TIME: Duration = Duration::from_secs(3600);

/// One run's fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Nothing is done; the records are still accounted for (the healthy baseline).
    None,
    /// SIGKILL the broker leading the topic's partition 0, `at` after steady state.
    KillLeader { at: Duration },
    /// The same, then the broker is started again on its data folder.
    RestartLeader { at: Duration },
    /// SIGSTOP the leader of partition 0 for `pause`, then SIGCONT (a long GC pause).
    PauseLeader { at: Duration, pause: Duration },
    /// Tests only, never listed: DeleteRecords of partition 0's first `records` records,
    /// so that the accounting can be shown to count exactly those as lost.
    DeleteRecords { at: Duration, records: u64 },
}

impl Fault {
    /// When it strikes, after steady state; `None` for no fault.
    pub fn at(&self) -> Option<Duration> {
        match *self {
            Fault::None => None,
            Fault::KillLeader { at }
            | Fault::RestartLeader { at }
            | Fault::PauseLeader { at, .. }
            | Fault::DeleteRecords { at, .. } => Some(at),
        }
    }

    /// When it is over (the end of a pause; the strike itself otherwise).
    pub fn ends(&self) -> Option<Duration> {
        match *self {
            Fault::PauseLeader { at, pause } => Some(at + pause),
            other => other.at(),
        }
    }

    /// Whether it acts on a broker (and so needs an embedded cluster of three).
    pub fn harms_a_broker(&self) -> bool {
        matches!(
            self,
            Fault::KillLeader { .. } | Fault::RestartLeader { .. } | Fault::PauseLeader { .. }
        )
    }
}

/// Parses a fault; the error says what is allowed.
pub fn parse(text: &str) -> Result<Fault, String> {
    let text = text.trim();
    if text == "none" {
        return Ok(Fault::None);
    }
    let Some((name, when)) = text.split_once('@') else {
        return Err(unknown(text));
    };
    let at = |t: &str| duration(t, "the time after steady state");
    match name {
        "kill-leader" => Ok(Fault::KillLeader { at: at(when)? }),
        "restart-leader" => Ok(Fault::RestartLeader { at: at(when)? }),
        "pause-leader" => {
            let Some((t, d)) = when.split_once(':') else {
                return Err(format!(
                    "`{text}`: a pause needs its length: pause-leader@T:D, e.g. pause-leader@3s:2s"
                ));
            };
            let pause = duration(d, "the pause")?;
            if pause.is_zero() {
                return Err(format!("`{text}`: a pause of zero is no pause; give D > 0"));
            }
            Ok(Fault::PauseLeader { at: at(t)?, pause })
        }
        "delete-records" => {
            let (t, n) = when
                .split_once(':')
                .ok_or_else(|| format!("`{text}`: delete-records@T:N"))?;
            let records = n
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("`{text}`: N must be a whole number above 0"))?;
            Ok(Fault::DeleteRecords {
                at: at(t)?,
                records,
            })
        }
        _ => Err(unknown(name)),
    }
}

/// Checks one value of the pseudo-property (the error without the name).
pub fn validate(_name: &str, value: &str) -> Result<(), String> {
    parse(value).map(drop)
}

/// A duration as humantime reads it, at most `MAX_TIME`.
fn duration(text: &str, what: &str) -> Result<Duration, String> {
    let hint = "give a duration such as 500ms, 3s or 1m";
    let d = humantime::parse_duration(text.trim())
        .map_err(|_| format!("`{}` is not a duration ({what}); {hint}", text.trim()))?;
    if d > MAX_TIME {
        return Err(format!(
            "`{}` ({what}) is more than {} s; {hint}",
            text.trim(),
            MAX_TIME.as_secs()
        ));
    }
    Ok(d)
}

fn unknown(name: &str) -> String {
    let close = NAMES
        .iter()
        .map(|n| (strsim::levenshtein(n, name), *n))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, n)| format!(" (did you mean {n}?)"))
        .unwrap_or_default();
    format!(
        "`{name}` is not a fault{close}: kafkatune knows none, kill-leader@T, restart-leader@T, pause-leader@T:D (T after steady state, e.g. kill-leader@3s, pause-leader@3s:2s)"
    )
}

/// Whether a fault fits a run of `expected_s` seconds from steady state, when that is known
/// (`--rate` with `--messages`): it must strike, and a pause must end, before the run does.
pub fn fits(fault: &Fault, expected_s: f64) -> Result<(), String> {
    let (Some(at), Some(ends)) = (fault.at(), fault.ends()) else {
        return Ok(());
    };
    if at.as_secs_f64() >= expected_s {
        return Err(format!(
            "it strikes {} s after steady state, but the run sends for about {expected_s:.1} s (--messages / --rate): give an earlier time, more --messages or a lower --rate",
            at.as_secs_f64()
        ));
    }
    if ends.as_secs_f64() >= expected_s {
        return Err(format!(
            "its pause ends {} s after steady state, after the run's end at about {expected_s:.1} s (--messages / --rate): give a shorter pause, more --messages or a lower --rate",
            ends.as_secs_f64()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_parses_and_bad_ones_say_what_is_allowed() {
        assert_eq!(parse("none"), Ok(Fault::None));
        assert_eq!(
            parse("kill-leader@3s"),
            Ok(Fault::KillLeader {
                at: Duration::from_secs(3)
            })
        );
        assert_eq!(
            parse("restart-leader@500ms"),
            Ok(Fault::RestartLeader {
                at: Duration::from_millis(500)
            })
        );
        assert_eq!(
            parse("pause-leader@2s:1500ms"),
            Ok(Fault::PauseLeader {
                at: Duration::from_secs(2),
                pause: Duration::from_millis(1500)
            })
        );
        assert_eq!(
            parse("delete-records@1s:10"),
            Ok(Fault::DeleteRecords {
                at: Duration::from_secs(1),
                records: 10
            })
        );
        let e = parse("kil-leader@3s").unwrap_err();
        assert!(
            e.contains("did you mean kill-leader") && e.contains("pause-leader@T:D"),
            "{e}"
        );
        assert!(parse("pause-leader@3s").unwrap_err().contains("its length"));
        assert!(parse("pause-leader@3s:0s").is_err());
        assert!(parse("kill-leader@soon")
            .unwrap_err()
            .contains("not a duration"));
        assert!(parse("kill-leader@2h").unwrap_err().contains("more than"));
        assert!(parse("kill-leader").unwrap_err().contains("not a fault"));
    }

    #[test]
    fn a_fault_must_strike_and_a_pause_end_before_the_run_does() {
        let kill = parse("kill-leader@3s").unwrap();
        assert!(fits(&kill, 10.0).is_ok());
        assert!(fits(&kill, 2.0).unwrap_err().contains("strikes 3 s"));
        let pause = parse("pause-leader@3s:5s").unwrap();
        assert!(fits(&pause, 6.0).unwrap_err().contains("pause ends 8 s"));
        assert!(fits(&Fault::None, 0.1).is_ok());
    }
}
