//! Produce runs of several producer processes (`--param producers=N`): each process sends its
//! share of the run's messages to kafkatune's topic, round-robin over its partitions, here or
//! on the workers of a fleet (the same `group::Launch` that starts a group's consumers). The
//! run is their sum: records and bytes added up, the throughput over the first send of any
//! to the last acknowledgement of any, the acknowledgement latencies of all of them merged
//! as one HdrHistogram (percentiles are never averaged); the topic must gain exactly the
//! records acknowledged, as for one producer.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::group::Launch;
use super::plan::Trial;
use super::runner::{RunOutcome, Usage};
use crate::clients::latency;
use crate::clients::properties::{self, PRODUCERS};
use crate::clients::protocol::{DriverResult, Spec};
use crate::clients::DriverCommand;
use crate::results::{ProducerRun, RunRecord, Status};

/// The number of producers a trial asks for (`producers`); `None` when it does not say.
pub fn producers(trial: &Trial) -> Option<u32> {
    trial
        .params
        .get(PRODUCERS)
        .and_then(|v| properties::validate_producers(v).ok())
}

/// `--rate` is the run's: a producer sending `share` of the `total` messages sends that share
/// of it, so that all of them end together. `None` (as fast as it can) for one with nothing.
fn share_of_rate(rate: Option<f64>, share: u64, total: u64) -> Option<f64> {
    rate.map(|r| r * share as f64 / total.max(1) as f64)
        .filter(|r| *r > 0.0)
}

/// Each producer's share of `messages`: as even as can be, the first ones one more.
pub fn shares(messages: u64, n: u32) -> Vec<u64> {
    let n = u64::from(n.max(1));
    (0..n)
        .map(|i| messages / n + u64::from(i < messages % n))
        .collect()
}

/// What the producers of one run left behind.
#[derive(Debug, Default)]
pub struct ProducersOutcome {
    pub producers: Vec<RunOutcome>,
    /// The records each was asked to send.
    pub asked: Vec<u64>,
    /// The producers as one run.
    pub combined: RunOutcome,
}

/// Runs `n` producers of `spec` (the run's produce spec), started by `launch`, together.
pub fn run(
    n: u32,
    driver: &DriverCommand,
    spec: &Spec,
    scratch: &Path,
    timeout: Duration,
    launch: &dyn Launch,
) -> Result<ProducersOutcome> {
    let asked = shares(spec.messages, n);
    let outcomes: Vec<Result<RunOutcome>> = std::thread::scope(|s| {
        let handles: Vec<_> = asked
            .iter()
            .enumerate()
            .map(|(i, &messages)| {
                let mut own = spec.clone();
                own.messages = messages;
                if let Some(p) = own.produce.as_mut() {
                    p.rate_msgs_per_s = share_of_rate(p.rate_msgs_per_s, messages, spec.messages);
                    // The warm-up is a time: each producer's share of its records.
                    p.warmup_records = p.warmup_records * messages / spec.messages.max(1);
                }
                let dir = scratch.join(format!("p{i}"));
                s.spawn(move || launch.consumer(i, driver, &own, &dir, timeout, &mut |_| {}))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a producer's thread panicked")))
            })
            .collect()
    });
    let producers = outcomes.into_iter().collect::<Result<Vec<_>>>()?;
    let combined = combine(&producers);
    Ok(ProducersOutcome {
        producers,
        asked,
        combined,
    })
}

/// The producers as one run: counts and CPU summed, first send of any to last
/// acknowledgement of any, the latency histograms merged.
pub fn combine(producers: &[RunOutcome]) -> RunOutcome {
    let spawn = producers.iter().map(|p| p.spawn_unix_us).min().unwrap_or(0);
    let failures: Vec<String> = producers
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let why: Vec<String> = p
                .failure
                .iter()
                .cloned()
                .chain(
                    p.result
                        .as_ref()
                        .filter(|r| r.status != Some(Status::Ok))
                        .map(|r| r.error.clone().unwrap_or_else(|| "failed".into())),
                )
                .chain((p.result.is_none() && p.failure.is_none()).then(|| "no result".to_string()))
                .collect();
            (!why.is_empty()).then(|| format!("producer #{i}: {}", why.join("; ")))
        })
        .collect();
    let results: Vec<&DriverResult> = producers.iter().filter_map(|p| p.result.as_ref()).collect();
    let merged = (!results.is_empty()).then(|| combine_results(&results));
    let failure = match (&merged, failures.is_empty()) {
        (_, false) => Some(failures.join("; ")),
        (Some(Err(e)), true) => Some(format!("{e:#}")),
        _ => None,
    };
    RunOutcome {
        result: merged.and_then(Result::ok),
        failure,
        interrupted: producers.iter().any(|p| p.interrupted),
        spawn_unix_us: spawn,
        wall_s: producers
            .iter()
            .map(|p| p.spawn_unix_us.saturating_sub(spawn) as f64 / 1e6 + p.wall_s)
            .fold(0.0, f64::max),
        usage: Usage {
            user_s: producers.iter().map(|p| p.usage.user_s).sum(),
            sys_s: producers.iter().map(|p| p.usage.sys_s).sum(),
            peak_rss_bytes: producers
                .iter()
                .map(|p| p.usage.peak_rss_bytes)
                .max()
                .unwrap_or(0),
        },
        stderr_tail: producers
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.stderr_tail.is_empty())
            .map(|(i, p)| format!("--- producer #{i} ---\n{}", p.stderr_tail))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn combine_results(results: &[&DriverResult]) -> Result<DriverResult> {
    let sum_u = |f: fn(&DriverResult) -> Option<u64>| results.iter().map(|r| f(r)).sum();
    let sum_f = |f: fn(&DriverResult) -> Option<f64>| results.iter().map(|r| f(r)).sum();
    let first = results.iter().filter_map(|r| r.first_record_unix_us).min();
    let last = results.iter().filter_map(|r| r.last_record_unix_us).max();
    let mut histogram = latency::new_histogram();
    for h in results
        .iter()
        .filter_map(|r| r.ack_latency_histogram.as_deref())
    {
        histogram
            .add(latency::decode(h)?)
            .map_err(|e| anyhow::anyhow!("merging the producers' latency histograms: {e:?}"))?;
    }
    let mut per_partition = std::collections::BTreeMap::<String, u64>::new();
    for r in results {
        for (p, n) in &r.per_partition {
            *per_partition.entry(p.clone()).or_default() += n;
        }
    }
    let messages: u64 = results.iter().map(|r| r.messages).sum();
    let bytes: u64 = results.iter().map(|r| r.bytes).sum();
    let requests: Option<f64> = sum_f(|r| r.produce_requests);
    // Batches weighted by the requests that carried them; the ratio by the bytes it covers.
    let weighted = |f: fn(&DriverResult) -> Option<f64>, w: fn(&DriverResult) -> f64| {
        let parts: Vec<(f64, f64)> = results
            .iter()
            .filter_map(|r| f(r).map(|v| (w(r), v)))
            .collect();
        let total: f64 = parts.iter().map(|(w, _)| w).sum();
        (parts.len() == results.len() && total > 0.0)
            .then(|| parts.iter().map(|(w, v)| w * v).sum::<f64>() / total)
    };
    let all_ok = results.iter().all(|r| r.status == Some(Status::Ok));
    Ok(DriverResult {
        protocol_version: results[0].protocol_version,
        status: Some(if all_ok { Status::Ok } else { Status::Failed }),
        client: results[0].client.clone(),
        client_version: results.iter().find_map(|r| r.client_version.clone()),
        messages,
        bytes,
        ready_unix_us: results.iter().filter_map(|r| r.ready_unix_us).max(),
        first_record_unix_us: first,
        last_record_unix_us: last,
        send_s: first
            .zip(last)
            .map(|(a, b)| b.saturating_sub(a) as f64 / 1e6),
        ack_latency_histogram: Some(latency::encode(&histogram)?),
        produce_errors: sum_u(|r| r.produce_errors),
        retries: sum_u(|r| r.retries),
        produce_requests: requests,
        records_per_request_avg: requests.filter(|n| *n > 0.0).map(|n| messages as f64 / n),
        batch_size_avg_bytes: weighted(
            |r| r.batch_size_avg_bytes,
            |r| r.produce_requests.unwrap_or(0.0),
        ),
        compression_ratio: weighted(|r| r.compression_ratio, |r| r.bytes as f64),
        bytes_on_wire: sum_u(|r| r.bytes_on_wire),
        queue_full_waits: sum_u(|r| r.queue_full_waits),
        per_partition,
        assigned_partitions: results[0].assigned_partitions.clone(),
        rebalances: Some(0),
        gc_count: sum_u(|r| r.gc_count),
        gc_time_ms: sum_f(|r| r.gc_time_ms),
        client_config: results.iter().find_map(|r| r.client_config.clone()),
        ..Default::default()
    })
}

/// Each producer's share in the run's record (`per_producer`).
pub fn fill_record(rec: &mut RunRecord, p: &ProducersOutcome) {
    rec.per_producer = p
        .producers
        .iter()
        .zip(&p.asked)
        .enumerate()
        .map(|(i, (o, &asked))| {
            let r = o.result.as_ref();
            let ok = o.failure.is_none() && r.is_some_and(|r| r.status == Some(Status::Ok));
            let messages = r.map_or(0, |r| r.messages);
            let histogram = r
                .and_then(|r| r.ack_latency_histogram.as_deref())
                .and_then(|h| latency::decode(h).ok())
                .filter(|h| !h.is_empty());
            let ms = |q: f64| {
                histogram
                    .as_ref()
                    .map(|h| h.value_at_quantile(q) as f64 / 1000.0)
            };
            ProducerRun {
                producer: i as u32,
                status: Some(if ok { Status::Ok } else { Status::Failed }),
                error: o
                    .failure
                    .clone()
                    .or_else(|| r.and_then(|r| r.error.clone()).filter(|_| !ok)),
                messages,
                messages_asked: asked,
                throughput_msgs_per_s: r
                    .and_then(|r| r.send_s)
                    .filter(|s| *s > 0.0)
                    .map(|s| messages as f64 / s),
                ack_latency_p50_ms: ms(0.5),
                ack_latency_p99_ms: ms(0.99),
                cpu_s: Some(o.usage.user_s + o.usage.sys_s),
                worker: None,
                worker_clock_offset_ms: None,
            }
        })
        .collect();
}

/// After a producer run without a fault's accounting: the topic must hold exactly the records
/// the driver saw acknowledged (no loss, no duplicate), or the run fails.
pub fn check_written(
    cluster: &dyn super::cluster::SweepCluster,
    topic: &str,
    before: &[crate::broker::admin::PartitionOffsets],
    outcome: &mut RunOutcome,
) -> Result<()> {
    let acked = outcome
        .result
        .as_ref()
        .filter(|r| r.status == Some(Status::Ok))
        .map(|r| r.messages as i64);
    // The high watermark counts what every in-sync replica has: with acks=1 the leader
    // answers first, so the followers may still be catching up when the run ends.
    let settle = std::time::Instant::now() + Duration::from_secs(10);
    let mut written = written_now(cluster, topic, before)?;
    while acked.is_some_and(|a| written < a) && std::time::Instant::now() < settle {
        std::thread::sleep(Duration::from_millis(50));
        written = written_now(cluster, topic, before)?;
    }
    if let Some(r) = outcome
        .result
        .as_ref()
        .filter(|r| r.status == Some(Status::Ok))
    {
        if written != r.messages as i64 && outcome.failure.is_none() {
            outcome.failure = Some(format!(
                "the topic gained {written} records for the {} acknowledged: {}",
                r.messages,
                if written > r.messages as i64 {
                    "duplicates (retries without enable.idempotence)"
                } else {
                    "acknowledged records were lost"
                }
            ));
        }
    }
    Ok(())
}

/// Records written to `topic` since `before` (by the high watermarks).
fn written_now(
    cluster: &dyn super::cluster::SweepCluster,
    topic: &str,
    before: &[crate::broker::admin::PartitionOffsets],
) -> Result<i64> {
    Ok(cluster
        .offsets(topic)?
        .iter()
        .map(|a| {
            a.high
                - before
                    .iter()
                    .find(|b| b.partition == a.partition)
                    .map_or(0, |b| b.high)
        })
        .sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_to_the_messages() {
        assert_eq!(shares(10, 3), [4, 3, 3]);
        assert_eq!(shares(6, 3), [2, 2, 2]);
        assert_eq!(shares(2, 3), [1, 1, 0]);
        assert_eq!(shares(7, 1), [7]);
    }

    #[test]
    fn each_producer_sends_its_share_of_the_rate() {
        assert_eq!(share_of_rate(Some(3000.0), 4, 10), Some(1200.0));
        assert_eq!(share_of_rate(Some(3000.0), 0, 2), None);
        assert_eq!(share_of_rate(None, 5, 10), None);
    }

    #[test]
    fn latencies_are_merged_as_one_histogram_not_averaged() {
        let histogram = |values: &[u64]| {
            let mut h = latency::new_histogram();
            for v in values {
                h.record(*v).unwrap();
            }
            latency::encode(&h).unwrap()
        };
        let result = |values: &[u64], first, last| DriverResult {
            status: Some(Status::Ok),
            messages: values.len() as u64,
            bytes: 100 * values.len() as u64,
            first_record_unix_us: Some(first),
            last_record_unix_us: Some(last),
            ack_latency_histogram: Some(histogram(values)),
            produce_requests: Some(1.0),
            ..Default::default()
        };
        let outcome = |r| RunOutcome {
            result: Some(r),
            ..Default::default()
        };
        // One fast producer of 9 records, one slow of 1: the merged p50 is the fast one's,
        // where averaging the two p50s would give half the slow one's.
        let c = combine(&[
            outcome(result(&[1_000; 9], 1_000_000, 2_000_000)),
            outcome(result(&[100_000], 1_500_000, 3_000_000)),
        ]);
        assert!(c.failure.is_none(), "{:?}", c.failure);
        let r = c.result.unwrap();
        assert_eq!((r.messages, r.bytes), (10, 1_000));
        assert_eq!(r.send_s, Some(2.0), "first send of any to last ack of any");
        assert_eq!(r.records_per_request_avg, Some(5.0));
        let h = latency::decode(r.ack_latency_histogram.as_deref().unwrap()).unwrap();
        assert_eq!(h.len(), 10);
        assert!((999..=1_001).contains(&h.value_at_quantile(0.5)));
        assert!(h.max() >= 99_000);
    }

    #[test]
    fn a_failed_producer_fails_the_run_naming_it() {
        let c = combine(&[
            RunOutcome {
                result: Some(DriverResult {
                    status: Some(Status::Ok),
                    ..Default::default()
                }),
                ..Default::default()
            },
            RunOutcome {
                failure: Some("on worker w2: killed".into()),
                ..Default::default()
            },
        ]);
        assert!(c
            .failure
            .unwrap()
            .contains("producer #1: on worker w2: killed"));
    }
}
