//! kafkatune's own settings, given and swept as properties are (`--param consumers=1,2,4`,
//! `--param network.latency=0ms,20ms`) but never passed to a client: how many consumer or
//! producer processes a run starts, the kind of group, the consumers' work between polls, and
//! the network in front of the brokers. One table, so that every place that meets a property
//! name (validation, translation, the sides of a sweep, the options, `tune --range`) knows
//! them the same way, and a new one is added in one row.

use super::share;
use crate::results::Mode;
use crate::workload::processing::{self, PROCESSING};

/// Which sweeps run the processes a setting acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acts {
    /// The consumers under test (drain, live, pipeline).
    OnConsumers,
    /// The producers under test (produce).
    OnProducers,
    /// Every run (the network is between every client and the brokers).
    Everywhere,
}

/// One of kafkatune's own settings.
#[derive(Debug)]
pub struct Own {
    /// Its name; for the network, the prefix of its names.
    name: &'static str,
    /// The option that fixes it on the command line, other than `--param`.
    pub option: Option<&'static str>,
    /// How to give it, after "is not a Kafka property": for the error when it comes as `-X`.
    how: &'static str,
    pub acts: Acts,
    /// Why it is refused in a sweep whose mode does not run those processes.
    pub out_of_mode: &'static str,
    /// Checks one value; the error says what is allowed (without the name).
    check: fn(&str, &str) -> Result<(), String>,
}

/// Not a Kafka property but swept like one: how many consumer processes share the run in
/// one consumer group (`--consumers N`, `--param consumers=1,2,4`). Never passed to a client.
pub const CONSUMERS: &str = "consumers";

/// The most consumers one run may start (each is a process, a JVM for Java).
pub const MAX_CONSUMERS: u32 = 64;

/// Checks a `consumers` value; the error says what is allowed.
pub fn validate_consumers(value: &str) -> Result<u32, String> {
    processes(value, MAX_CONSUMERS, "consumer processes in one group")
}

/// Not a Kafka property but swept like one: how many producer processes share a produce
/// run's messages (`--param producers=1,2,4`), each sending its share to kafkatune's topic.
/// Never passed to a client.
pub const PRODUCERS: &str = "producers";

/// The most producers one run may start (each is a process, a JVM for Java).
pub const MAX_PRODUCERS: u32 = 64;

/// Checks a `producers` value; the error says what is allowed.
pub fn validate_producers(value: &str) -> Result<u32, String> {
    processes(
        value,
        MAX_PRODUCERS,
        "producer processes sharing the run's messages",
    )
}

/// A count of processes from 1 to `max`; the error names what they are.
fn processes(value: &str, max: u32, what: &str) -> Result<u32, String> {
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {max} ({what})")),
    }
}

const OWN: &[Own] = &[
    Own {
        name: CONSUMERS,
        option: Some("--consumers"),
        how: "give it as --consumers N, or sweep it with --param consumers=1,2,4",
        acts: Acts::OnConsumers,
        out_of_mode: "--consumers (and --param consumers) run consumer groups; a produce sweep runs producers: leave it out",
        check: |_, v| validate_consumers(v).map(drop),
    },
    Own {
        name: PRODUCERS,
        option: None,
        how: "sweep it (or fix it) with --param producers=1,2,4 in --mode produce",
        acts: Acts::OnProducers,
        out_of_mode: "--param producers runs several producer processes in --mode produce; a consumer sweep's producer is kafkatune's own: leave it out, or give --mode produce",
        check: |_, v| validate_producers(v).map(drop),
    },
    Own {
        name: share::GROUP_TYPE,
        option: Some("--group-type"),
        how: "give it as --group-type consumer|share, or sweep it with --param group.type=consumer,share",
        acts: Acts::OnConsumers,
        out_of_mode: "--group-type (and --param group.type) chooses the consumers' kind of group; a produce sweep runs producers: leave it out",
        check: |_, v| share::validate_group_type(v).map(drop),
    },
    Own {
        name: PROCESSING,
        option: Some("--processing"),
        how: "give it as --processing 200us, or sweep it with --param processing=0us,100us,1ms",
        acts: Acts::OnConsumers,
        out_of_mode: "--processing (and --param processing) is the consumers' work between polls; a produce sweep runs producers: leave it out",
        check: |_, v| processing::parse(v).map(drop),
    },
    Own {
        name: crate::fault::FAULT,
        option: Some("--fault"),
        how: "it is a fault kafkatune does to its embedded cluster during each run: give it as --fault kill-leader@3s, or sweep it with --param fault=none,kill-leader@3s",
        acts: Acts::OnProducers,
        out_of_mode: "--fault (and --param fault) runs in --mode produce in this version (the built-in librdkafka producer, --client librdkafka); faults in live, pipeline and group runs are not built yet: add --mode produce",
        check: crate::fault::spec::validate,
    },
    Own {
        name: "network.",
        option: Some("--network"),
        how: "it is the network kafkatune puts between clients and brokers: give it as --network latency=10ms,jitter=1ms,bandwidth=100mbit, or sweep it with --param network.latency=0ms,10ms",
        acts: Acts::Everywhere,
        out_of_mode: "",
        check: crate::network::spec::validate_value,
    },
];

/// kafkatune's own setting of this name, if it is one.
pub fn lookup(name: &str) -> Option<&'static Own> {
    OWN.iter().find(|o| {
        if o.name.ends_with('.') {
            name.starts_with(o.name)
        } else {
            name == o.name
        }
    })
}

impl Own {
    /// Checks one value of `name` (this setting's name).
    pub fn check(&self, name: &str, value: &str) -> Result<(), String> {
        (self.check)(name, value)
    }

    /// The error for `name` given as a client property (`-X`).
    pub fn not_a_property(&self, name: &str) -> String {
        format!("`{name}` is not a Kafka property: {}", self.how)
    }

    /// Whether a sweep of `mode` runs the processes this setting acts on.
    pub fn acts_in(&self, mode: Mode) -> bool {
        match self.acts {
            Acts::OnConsumers => mode != Mode::Produce,
            Acts::OnProducers => mode == Mode::Produce,
            Acts::Everywhere => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_own_setting_is_found_by_its_name_and_no_kafka_property_is() {
        for name in [
            "consumers",
            "producers",
            "group.type",
            "processing",
            "network.latency",
            "network.bandwidth",
        ] {
            assert!(lookup(name).is_some(), "{name}");
        }
        for name in ["fetch.min.bytes", "network", "consumer", "group.id"] {
            assert!(lookup(name).is_none(), "{name}");
        }
    }

    #[test]
    fn values_are_checked_by_the_setting_they_belong_to() {
        let check = |name: &str, value: &str| lookup(name).unwrap().check(name, value);
        assert_eq!(validate_consumers("4"), Ok(4));
        assert!(check("consumers", "4").is_ok());
        assert!(check("consumers", "0")
            .unwrap_err()
            .contains("from 1 to 64"));
        assert!(check("producers", "65").is_err());
        assert!(check("group.type", "share").is_ok());
        assert!(check("group.type", "queue").is_err());
        assert!(check("processing", "batch:5ms").is_ok());
        assert!(check("processing", "fast").is_err());
        assert!(check("network.latency", "20ms").is_ok());
        assert!(check("network.latency", "-1ms").is_err());
    }

    #[test]
    fn each_acts_in_the_modes_that_run_its_processes() {
        let acts = |name: &str, mode| lookup(name).unwrap().acts_in(mode);
        assert!(acts("consumers", Mode::Drain) && !acts("consumers", Mode::Produce));
        assert!(acts("producers", Mode::Produce) && !acts("producers", Mode::Live));
        assert!(acts("processing", Mode::Pipeline) && !acts("processing", Mode::Produce));
        assert!(acts("network.latency", Mode::Produce) && acts("network.latency", Mode::Drain));
    }
}
