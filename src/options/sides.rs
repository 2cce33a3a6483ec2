//! Which side of the pipeline a property acts on, and whether the sweep's mode runs that
//! side: a producer setting in a drain sweep (whose topic kafkatune filled beforehand) or a
//! consumer setting in a produce sweep could not act, so it is refused before any work.
//!
//! Live mode runs both sides: the consumer under test and kafkatune's own paced producer
//! (librdkafka). There `producer.NAME` and `consumer.NAME` say which side takes `NAME`; a
//! bare name that only one side has goes to that side; a name both sides have (security,
//! client.id) goes to the consumer, and the producer takes the cluster's security settings.

use anyhow::Result;

use crate::clients::properties::{self, Role};
use crate::error::usage;
use crate::results::{Mode, Params};

/// The prefixes that name a side in live mode.
pub const PRODUCER: &str = "producer.";
pub const CONSUMER: &str = "consumer.";

/// Checks one property (`-X`, `--param` value, a properties file's line) for `mode`.
pub fn validate(mode: Mode, name: &str, value: &str) -> Result<(), String> {
    let (side, bare) = match (name.strip_prefix(PRODUCER), name.strip_prefix(CONSUMER)) {
        (Some(bare), _) => (Some(Role::Producer), bare),
        (_, Some(bare)) => (Some(Role::Consumer), bare),
        _ => (None, name),
    };
    if side.is_some() && !mode.has_paced_producer() {
        return Err(format!("`{name}`: the producer. and consumer. prefixes say which side of a live run takes a setting; leave the prefix out (or use --mode live)"));
    }
    properties::validate(bare, value)?;
    if let (Some(side), Some(role)) = (side, properties::lookup(bare).map(|p| p.role)) {
        if role != Role::Common && role != side {
            return Err(format!(
                "`{name}`: `{bare}` is a {} setting",
                if role == Role::Producer {
                    "producer"
                } else {
                    "consumer"
                }
            ));
        }
    }
    Ok(())
}

/// A live trial's properties split by side: (consumer's, producer's), prefixes removed.
pub fn split(params: &Params) -> (Params, Params) {
    let mut consumer = Params::new();
    let mut producer = Params::new();
    for (name, value) in params {
        if let Some(bare) = name.strip_prefix(PRODUCER) {
            producer.insert(bare.to_string(), value.clone());
        } else if let Some(bare) = name.strip_prefix(CONSUMER) {
            consumer.insert(bare.to_string(), value.clone());
        } else if properties::lookup(name).is_some_and(|p| p.role == Role::Producer) {
            producer.insert(name.clone(), value.clone());
        } else {
            consumer.insert(name.clone(), value.clone());
        }
    }
    (consumer, producer)
}

/// Checks every property name a sweep sets or sweeps against its mode.
pub fn check<'a>(mode: Mode, names: impl IntoIterator<Item = &'a String>) -> Result<()> {
    for name in names {
        if let Some(own) = properties::own::lookup(name) {
            if !own.acts_in(mode) {
                return Err(usage(own.out_of_mode));
            }
            continue;
        }
        if properties::scoped(name).is_some()
            || name.starts_with(PRODUCER)
            || name.starts_with(CONSUMER)
        {
            continue;
        }
        let Some(role) = properties::lookup(name).map(|p| p.role) else {
            continue;
        };
        match (mode, role) {
            (Mode::Drain, Role::Producer) => {
                return Err(usage(format!("`{name}` is a producer setting: a drain sweep reads a topic kafkatune filled beforehand, so it cannot act there; measure it with --mode produce")))
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
        assert!(check(
            Mode::Drain,
            &names(&["fetch.min.bytes", "client.id", "consumers"])
        )
        .is_ok());
        assert!(check(
            Mode::Produce,
            &names(&[
                "linger.ms",
                "compression.type",
                "client.id",
                "librdkafka.queue.buffering.max.ms"
            ])
        )
        .is_ok());
        let e = check(Mode::Drain, &names(&["linger.ms"])).unwrap_err();
        assert!(e.to_string().contains("--mode produce"), "{e}");
        assert!(check(
            Mode::Live,
            &names(&["linger.ms", "producer.acks", "fetch.min.bytes"])
        )
        .is_ok());
        let e = check(Mode::Produce, &names(&["fetch.min.bytes"])).unwrap_err();
        assert!(e.to_string().contains("consumer setting"), "{e}");
        assert!(check(Mode::Produce, &names(&["consumers"])).is_err());
    }

    #[test]
    fn prefixes_name_the_side_in_live_mode_only() {
        assert!(validate(Mode::Live, "producer.linger.ms", "5").is_ok());
        assert!(validate(Mode::Live, "consumer.fetch.min.bytes", "1").is_ok());
        assert!(validate(Mode::Live, "producer.fetch.min.bytes", "1")
            .unwrap_err()
            .contains("consumer setting"));
        assert!(validate(Mode::Drain, "producer.linger.ms", "5")
            .unwrap_err()
            .contains("--mode live"));
        assert!(validate(Mode::Live, "producer.linger.ms", "x").is_err());
    }

    #[test]
    fn a_live_trial_splits_by_side() {
        let p = Params::from([
            ("producer.linger.ms".to_string(), "5".to_string()),
            ("batch.size".to_string(), "65536".to_string()),
            ("consumer.client.id".to_string(), "c".to_string()),
            ("fetch.min.bytes".to_string(), "1".to_string()),
        ]);
        let (consumer, producer) = split(&p);
        assert_eq!(
            producer.keys().collect::<Vec<_>>(),
            ["batch.size", "linger.ms"]
        );
        assert_eq!(
            consumer.keys().collect::<Vec<_>>(),
            ["client.id", "fetch.min.bytes"]
        );
    }
}
