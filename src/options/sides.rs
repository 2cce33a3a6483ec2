//! Which side of the pipeline a property acts on, and whether the sweep's mode runs that
//! side: a producer setting in a drain sweep (whose topic kafkatune filled beforehand) or a
//! consumer setting in a produce sweep could not act, so it is refused before any work.

use anyhow::Result;

use crate::clients::properties::{self, Role};
use crate::error::usage;
use crate::results::Mode;

/// Checks every property name a sweep sets or sweeps against its mode.
pub fn check<'a>(mode: Mode, names: impl IntoIterator<Item = &'a String>) -> Result<()> {
    for name in names {
        if name == properties::CONSUMERS {
            if mode == Mode::Produce {
                return Err(usage("--consumers (and --param consumers) run consumer groups; a produce sweep runs producers: leave it out"));
            }
            continue;
        }
        if properties::scoped(name).is_some() {
            continue;
        }
        let Some(role) = properties::lookup(name).map(|p| p.role) else {
            continue;
        };
        match (mode, role) {
            (Mode::Drain, Role::Producer) => {
                return Err(usage(format!("`{name}` is a producer setting: a drain sweep reads a topic kafkatune filled beforehand, so it cannot act there; measure it with --mode produce")))
            }
            (Mode::Live, Role::Producer) => {
                return Err(usage(format!("`{name}` is a producer setting, and live mode's producer is kafkatune's own: measure producers with --mode produce")))
            }
            (Mode::Produce, Role::Consumer) => {
                return Err(usage(format!("`{name}` is a consumer setting; a produce sweep runs producers only: leave it out, or sweep it with --mode drain or live")))
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_mode_takes_its_own_side_and_both_sides_common_settings() {
        assert!(check(Mode::Drain, &names(&["fetch.min.bytes", "client.id", "consumers"])).is_ok());
        assert!(check(Mode::Produce, &names(&["linger.ms", "compression.type", "client.id", "librdkafka.queue.buffering.max.ms"])).is_ok());
        let e = check(Mode::Drain, &names(&["linger.ms"])).unwrap_err();
        assert!(e.to_string().contains("--mode produce"), "{e}");
        let e = check(Mode::Produce, &names(&["fetch.min.bytes"])).unwrap_err();
        assert!(e.to_string().contains("consumer setting"), "{e}");
        assert!(check(Mode::Produce, &names(&["consumers"])).is_err());
    }
}
