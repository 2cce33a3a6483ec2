//! The physics of a sweep run at a network distance (`--network`): for each trial, the
//! bound it ran against and how close its measured throughput came to it.
//!
//! With one fetch in flight per broker connection (the Java client and librdkafka both wait
//! for a broker's fetch response before sending it the next), a consumer reading a backlog
//! receives at most one fetch response per round trip from each broker, and a response
//! carries at most `max.partition.fetch.bytes` per partition and `fetch.max.bytes` in all,
//! except that a broker returns at least one whole record batch whatever the limits say
//! (KIP-74: `max.partition.fetch.bytes` "is not an absolute maximum"), so a topic written in
//! batches larger than the limit carries a batch per round trip. The bandwidth limit holds
//! each direction of each connection. Whichever is smallest is the bound; a run far below
//! every bound was held back by something else, usually the client's own CPU.

use crate::network::NetworkSettings;
use crate::results::{Mode, RunRecord, Status, TrialSummary};

use super::format::{significant, swept_params};
use super::load::Sweep;

/// Kafka's default `max.partition.fetch.bytes` (the Java client, librdkafka and kafka-python
/// agree: 1 MiB).
const DEFAULT_MAX_PARTITION_FETCH_BYTES: f64 = 1_048_576.0;

/// Kafka's default `fetch.max.bytes` (50 MiB in all three clients).
const DEFAULT_FETCH_MAX_BYTES: f64 = 52_428_800.0;

/// Below this share of its bound a trial is said to have been held back by something else.
const FAR_BELOW_BOUND: f64 = 0.5;

/// A client this busy (CPU cores while it consumed) is taken to be bound by its own CPU.
const CPU_BOUND_CORES: f64 = 0.8;

const MIB: f64 = 1_048_576.0;

/// What limited one trial.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// What sets the bound, for a reader.
    pub name: String,
    /// How the figure comes about.
    pub arithmetic: String,
    pub bound_mib_per_s: f64,
}

/// One sentence per drain trial that ran behind the proxy with a measured round trip, and a
/// closing one when `fetch.min.bytes` was swept in drain. Empty without `--network`.
pub fn physics(sweep: &Sweep) -> Vec<String> {
    if sweep.meta.mode != Mode::Drain {
        return Vec::new();
    }
    let swept = crate::grid::varied(&sweep.meta.grid);
    let mut out: Vec<String> = sweep
        .summary
        .trials
        .iter()
        .filter_map(|t| trial_sentence(sweep, t, &swept))
        .collect();
    if !out.is_empty() && swept.iter().any(|p| p == "fetch.min.bytes") {
        out.push("`fetch.min.bytes` cannot act here, even at this distance: in drain a backlog fills every fetch at once, so the broker never waits for it (`ReplicaManager.fetchMessages` answers as soon as the readable bytes reach `fetch.min.bytes`), and trials that differ only in it differ by noise; it acts on a caught-up consumer (`--mode live`).".to_string());
    }
    out
}

fn trial_sentence(sweep: &Sweep, t: &TrialSummary, swept: &[String]) -> Option<String> {
    let network = NetworkSettings::from_params(&t.params).ok()?;
    let brokers = sweep.meta.broker.brokers.unwrap_or(1);
    let fill_batch = sweep
        .meta
        .fill
        .as_ref()
        .and_then(|f| f.batch_size_avg_bytes);
    let bound_at = |rtt_ms: f64| {
        bound(
            &t.params,
            &network,
            rtt_ms,
            sweep.meta.workload.partitions,
            brokers,
            fill_batch,
        )
    };
    // Each run against the bound of its own measured round trip (on a busy machine the
    // round trip moves between runs, and the proxy with it).
    let runs: Vec<(f64, f64)> = trial_records(&sweep.records, &t.trial_id)
        .filter_map(|r| Some((r.network_rtt_ms?, r.throughput_mib_per_s?)))
        .collect();
    let rtt_ms = median(runs.iter().map(|(rtt, _)| *rtt))?;
    let share = median(
        runs.iter()
            .map(|(rtt, mib)| mib / bound_at(*rtt).bound_mib_per_s),
    )?;
    let measured = t.metrics.get("throughput_mib_per_s")?.median;
    let bound = bound_at(rtt_ms);
    let mut sentence = format!(
        "`{}` {} ({}): bound by {}: {} = {} MiB/s; it drained {} MiB/s, {:.2} of the bound{}.",
        t.trial_id,
        t.client,
        swept_params(&t.params, swept),
        bound.name,
        bound.arithmetic,
        significant(bound.bound_mib_per_s, 3),
        significant(measured, 3),
        share,
        if runs.len() > 1 {
            " (the median over its runs, each against its own round trip)"
        } else {
            ""
        }
    );
    if share < FAR_BELOW_BOUND {
        sentence.push_str(&match cores_busy(t) {
            Some(c) if c >= CPU_BOUND_CORES => format!(" Far below it: the client's CPU held it back ({c:.2} cores busy while it consumed)."),
            Some(c) => format!(" Far below it, and not for the client's CPU ({c:.2} cores busy): something else held it back, the machine's load or the broker."),
            None => " Far below it: something else held it back, the client's CPU, the machine's load or the broker.".to_string(),
        });
    }
    Some(sentence)
}

/// The smallest of the fetch bound and the bandwidth bound.
pub fn bound(
    params: &crate::results::Params,
    network: &NetworkSettings,
    rtt_ms: f64,
    partitions: u32,
    brokers: u32,
    fill_batch_bytes: Option<f64>,
) -> Bound {
    let number = |name: &str, default: f64| {
        params
            .get(name)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(default)
    };
    let per_partition = number(
        "max.partition.fetch.bytes",
        DEFAULT_MAX_PARTITION_FETCH_BYTES,
    );
    let per_fetch_limit = number("fetch.max.bytes", DEFAULT_FETCH_MAX_BYTES);
    let connections = brokers.min(partitions).max(1);
    let partitions_per_fetch = partitions.div_ceil(connections);
    // KIP-74: a fetch carries at least one whole batch.
    let per_partition_carried = per_partition.max(fill_batch_bytes.unwrap_or(0.0));
    let by_partition = per_partition_carried * f64::from(partitions_per_fetch);
    let (fetch_name, per_fetch) = if by_partition <= per_fetch_limit {
        let name = if per_partition_carried > per_partition {
            "the topic's record batches (a fetch carries at least one whole batch, KIP-74)"
        } else {
            "`max.partition.fetch.bytes` per round trip"
        };
        (name, by_partition)
    } else {
        ("`fetch.max.bytes` per round trip", per_fetch_limit)
    };
    let rtt_s = rtt_ms / 1000.0;
    let fetch_bound = per_fetch * f64::from(connections) / rtt_s / MIB;
    let fetch = Bound {
        name: fetch_name.to_string(),
        arithmetic: format!(
            "{} KiB per fetch{} / {} ms measured round trip",
            significant(per_fetch / 1024.0, 3),
            if connections > 1 {
                format!(" x {connections} brokers")
            } else {
                String::new()
            },
            significant(rtt_ms, 3)
        ),
        bound_mib_per_s: fetch_bound,
    };
    match network.bandwidth_bytes_per_s {
        Some(rate) => {
            let bandwidth_bound = rate as f64 * f64::from(connections) / MIB;
            if bandwidth_bound < fetch_bound {
                return Bound {
                    name: "the bandwidth limit".into(),
                    arithmetic: format!(
                        "{} Mbit/s per connection{}",
                        significant(rate as f64 * 8.0 / 1e6, 3),
                        if connections > 1 {
                            format!(" x {connections} brokers")
                        } else {
                            String::new()
                        }
                    ),
                    bound_mib_per_s: bandwidth_bound,
                };
            }
            fetch
        }
        None => fetch,
    }
}

/// CPU cores the client kept busy while it consumed: CPU seconds per message times messages
/// per second.
fn cores_busy(t: &TrialSummary) -> Option<f64> {
    let cpu = t.metrics.get("cpu_s_per_million_msgs")?.median;
    let rate = t.metrics.get("throughput_msgs_per_s")?.median;
    Some(cpu * rate / 1e6)
}

fn trial_records<'a>(
    records: &'a [RunRecord],
    trial: &'a str,
) -> impl Iterator<Item = &'a RunRecord> {
    records
        .iter()
        .filter(move |r| r.trial_id == trial && !r.warmup && r.status == Some(Status::Ok))
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Params;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_small_fetch_is_bound_by_its_size_per_round_trip() {
        let b = bound(
            &params(&[("max.partition.fetch.bytes", "65536")]),
            &NetworkSettings::default(),
            20.0,
            1,
            1,
            Some(16_000.0),
        );
        assert!(b.name.contains("max.partition.fetch.bytes"));
        assert!((b.bound_mib_per_s - 3.125).abs() < 1e-9, "{b:?}");
    }

    #[test]
    fn batches_larger_than_the_limit_set_the_bound() {
        let b = bound(
            &params(&[("max.partition.fetch.bytes", "16384")]),
            &NetworkSettings::default(),
            10.0,
            1,
            1,
            Some(1_048_576.0),
        );
        assert!(b.name.contains("KIP-74"));
        assert!((b.bound_mib_per_s - 100.0).abs() < 1e-9, "{b:?}");
    }

    #[test]
    fn fetch_max_bytes_caps_many_partitions_and_bandwidth_caps_all() {
        let b = bound(
            &params(&[("fetch.max.bytes", "1048576")]),
            &NetworkSettings::default(),
            20.0,
            8,
            1,
            None,
        );
        assert!(b.name.contains("fetch.max.bytes"));
        assert!((b.bound_mib_per_s - 50.0).abs() < 1e-9);
        let slow = NetworkSettings {
            bandwidth_bytes_per_s: Some(1_048_576),
            ..Default::default()
        };
        let b = bound(&Params::new(), &slow, 20.0, 3, 3, None);
        assert_eq!(b.name, "the bandwidth limit");
        assert!((b.bound_mib_per_s - 3.0).abs() < 1e-9);
    }
}
