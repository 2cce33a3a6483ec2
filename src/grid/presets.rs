//! Named starting points (`--preset`): a grid and workload defaults that options override.

use clap::ValueEnum;

use super::SweptProperty;
use crate::results::Mode;
use crate::workload::LiveLoad;

/// The presets kafkatune knows; `--help` lists them with these descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// The lab's sweep: max.poll.records 10,100,500 x fetch.min.bytes 1024,10240,51200 x
    /// fetch.max.wait.ms 100,500,1000, 100,000 messages, 3 runs each
    Seed,
    /// The lab's fetch settings on a caught-up consumer: fetch.min.bytes 1,1024,10240,51200 x
    /// fetch.max.wait.ms 100,500,1000 at 1000 msg/s for 10 s after a 5 s warm-up
    SeedLive,
    /// A consumer 20 ms (round trip) from its broker: max.partition.fetch.bytes 65536,
    /// 262144, 1048576 x the lab's fetch.min.bytes 1024,10240,51200, draining 100,000
    /// messages at network.latency 10ms (one way, through kafkatune's delay proxy). Far away, one fetch
    /// in flight per broker carries at most max.partition.fetch.bytes per partition per
    /// round trip, so the fetch size bounds the throughput; a backlog makes fetch.min.bytes
    /// moot even far away (every fetch finds its bytes there)
    Wan,
    /// The lab's max.poll.records 10,100,500 with 200us of busy processing per record in a
    /// consumer group of 2 on 2 partitions, live at 3000 msg/s (30% of the group's processing
    /// bound) for 10 s after a 5 s warm-up: lag, whether each trial kept up, and each member's
    /// observed poll-interval margin
    SeedProcessing,
}

/// What a preset sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub mode: Mode,
    pub grid: Vec<SweptProperty>,
    pub messages: Option<u64>,
    pub repeat: u32,
    pub live: Option<LiveLoad>,
    /// The topic's partitions (`--partitions` overrides); `None`: the default.
    pub partitions: Option<u32>,
}

fn swept(name: &str, values: &[&str]) -> SweptProperty {
    (
        name.to_string(),
        values.iter().map(|v| v.to_string()).collect(),
    )
}

impl Preset {
    /// The name users type.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }

    pub fn definition(self) -> Definition {
        match self {
            Preset::Seed => Definition {
                mode: Mode::Drain,
                grid: vec![
                    swept("max.poll.records", &["10", "100", "500"]),
                    swept("fetch.min.bytes", &["1024", "10240", "51200"]),
                    swept("fetch.max.wait.ms", &["100", "500", "1000"]),
                ],
                messages: Some(100_000),
                repeat: 3,
                live: None,
                partitions: None,
            },
            Preset::SeedLive => Definition {
                mode: Mode::Live,
                grid: vec![
                    swept("fetch.min.bytes", &["1", "1024", "10240", "51200"]),
                    swept("fetch.max.wait.ms", &["100", "500", "1000"]),
                ],
                messages: None,
                repeat: 1,
                live: Some(LiveLoad {
                    rate_msgs_per_s: 1000.0,
                    duration_s: 10.0,
                    warmup_s: 5.0,
                }),
                partitions: None,
            },
            // One value of network.latency is a fixed setting (`--network` replaces it);
            // 10 ms each way is the 20 ms round trip.
            Preset::Wan => Definition {
                mode: Mode::Drain,
                grid: vec![
                    swept("max.partition.fetch.bytes", &["65536", "262144", "1048576"]),
                    swept("fetch.min.bytes", &["1024", "10240", "51200"]),
                    swept(crate::network::spec::LATENCY, &["10ms"]),
                ],
                messages: Some(100_000),
                repeat: 3,
                live: None,
                partitions: None,
            },
            // One value each of `processing` and `consumers`, swept so that they show in every
            // trial's parameters. Two consumers on two partitions: a real group (its members
            // poll, rebalance and may overrun max.poll.interval.ms), small enough for 2 cores:
            // 3000 msg/s of 200 µs busy work is 0.6 of a core in all, 30% of the group's
            // processing bound (5000 msg/s per consumer), so every trial can keep up and the
            // differences are max.poll.records' own (batch, poll interval, latency).
            Preset::SeedProcessing => Definition {
                mode: Mode::Live,
                grid: vec![
                    swept("max.poll.records", &["10", "100", "500"]),
                    swept(crate::workload::processing::PROCESSING, &["200us"]),
                    swept(crate::clients::properties::CONSUMERS, &["2"]),
                ],
                messages: None,
                repeat: 1,
                live: Some(LiveLoad {
                    rate_msgs_per_s: 3000.0,
                    duration_s: 10.0,
                    warmup_s: 5.0,
                }),
                partitions: Some(2),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_users_type() {
        assert_eq!(Preset::Seed.name(), "seed");
        assert_eq!(Preset::SeedLive.name(), "seed-live");
        assert_eq!(Preset::from_str("seed-live", false), Ok(Preset::SeedLive));
        assert_eq!(Preset::Wan.name(), "wan");
        assert_eq!(Preset::SeedProcessing.name(), "seed-processing");
    }

    #[test]
    fn a_live_preset_has_live_settings_and_a_drain_one_has_none() {
        for p in Preset::value_variants() {
            let d = p.definition();
            assert_eq!(d.live.is_some(), d.mode == Mode::Live, "{p:?}");
        }
    }
}
