//! A group run's consumers as one run record: counts and CPU summed, the group's throughput
//! from the first record of any consumer to the last of any, each consumer's share kept.

use std::collections::BTreeMap;

use super::watch::round_ms;
use super::GroupOutcome;
use crate::clients::latency;
use crate::clients::protocol::DriverResult;
use crate::results::{ConsumerRun, RunRecord, Status};
use crate::sweep::runner::{RunOutcome, Usage};

/// The consumers as one run: counts and CPU summed, the first record of any to the last of
/// any, the slowest consumer's start-up, the largest memory.
pub fn combine(consumers: &[RunOutcome]) -> RunOutcome {
    let spawn = consumers.iter().map(|c| c.spawn_unix_us).min().unwrap_or(0);
    let mut failures = Vec::new();
    let mut tails = Vec::new();
    for (i, c) in consumers.iter().enumerate() {
        let mut why: Vec<String> = c.failure.iter().cloned().collect();
        match &c.result {
            Some(r) if r.status != Some(Status::Ok) => why.push(
                r.error
                    .clone()
                    .unwrap_or_else(|| "failed without a reason".into()),
            ),
            Some(_) => {}
            None if c.failure.is_none() => why.push("no result".into()),
            None => {}
        }
        if !why.is_empty() {
            failures.push(format!("consumer #{i}: {}", why.join("; ")));
            tails.push(format!("--- consumer #{i} ---\n{}", c.stderr_tail));
        }
    }
    let results: Vec<&DriverResult> = consumers.iter().filter_map(|c| c.result.as_ref()).collect();
    RunOutcome {
        result: (!results.is_empty()).then(|| combine_results(&results)),
        failure: (!failures.is_empty()).then(|| failures.join("; ")),
        interrupted: consumers.iter().any(|c| c.interrupted),
        spawn_unix_us: spawn,
        wall_s: consumers
            .iter()
            .map(|c| (c.spawn_unix_us - spawn) as f64 / 1e6 + c.wall_s)
            .fold(0.0, f64::max),
        usage: Usage {
            user_s: consumers.iter().map(|c| c.usage.user_s).sum(),
            sys_s: consumers.iter().map(|c| c.usage.sys_s).sum(),
            peak_rss_bytes: consumers
                .iter()
                .map(|c| c.usage.peak_rss_bytes)
                .max()
                .unwrap_or(0),
        },
        stderr_tail: tails.join("\n"),
    }
}

fn combine_results(results: &[&DriverResult]) -> DriverResult {
    let sum = |f: fn(&DriverResult) -> Option<u64>| -> Option<u64> {
        results.iter().map(|r| f(r)).sum::<Option<u64>>()
    };
    let first = results.iter().filter_map(|r| r.first_record_unix_us).min();
    let last = results.iter().filter_map(|r| r.last_record_unix_us).max();
    let mut per_partition: BTreeMap<String, u64> = BTreeMap::new();
    for r in results {
        for (p, n) in &r.per_partition {
            *per_partition.entry(p.clone()).or_default() += n;
        }
    }
    let fetches: Vec<(f64, &DriverResult)> = results
        .iter()
        .filter_map(|r| r.fetch_requests.map(|f| (f, *r)))
        .collect();
    let total_fetches: f64 = fetches.iter().map(|(f, _)| f).sum();
    // Means over consumers, weighted by their fetch requests.
    let weighted = |f: fn(&DriverResult) -> Option<f64>| -> Option<f64> {
        let parts: Vec<(f64, f64)> = fetches
            .iter()
            .filter_map(|(n, r)| f(r).map(|v| (*n, v)))
            .collect();
        (total_fetches > 0.0 && parts.len() == fetches.len())
            .then(|| parts.iter().map(|(n, v)| n * v).sum::<f64>() / total_fetches)
    };
    let max_f =
        |f: fn(&DriverResult) -> Option<f64>| results.iter().filter_map(|r| f(r)).reduce(f64::max);
    let all_ok = results.iter().all(|r| r.status == Some(Status::Ok));
    DriverResult {
        protocol_version: results[0].protocol_version,
        status: Some(if all_ok { Status::Ok } else { Status::Failed }),
        error: None,
        client: results[0].client.clone(),
        client_version: results.iter().find_map(|r| r.client_version.clone()),
        messages: results.iter().map(|r| r.messages).sum(),
        bytes: results.iter().map(|r| r.bytes).sum(),
        ready_unix_us: results.iter().filter_map(|r| r.ready_unix_us).max(),
        first_record_unix_us: first,
        last_record_unix_us: last,
        consume_s: first
            .zip(last)
            .map(|(a, b)| b.saturating_sub(a) as f64 / 1e6),
        polls: sum(|r| r.polls),
        empty_polls: sum(|r| r.empty_polls),
        records_per_poll_max: results.iter().filter_map(|r| r.records_per_poll_max).max(),
        per_partition,
        assigned_partitions: Vec::new(),
        join_s: None,
        rebalances: None,
        fetch_requests: (!fetches.is_empty()).then_some(total_fetches),
        fetch_latency_avg_ms: weighted(|r| r.fetch_latency_avg_ms),
        fetch_latency_max_ms: max_f(|r| r.fetch_latency_max_ms),
        fetch_bytes_avg: weighted(|r| r.fetch_bytes_avg),
        records_lag_max: max_f(|r| r.records_lag_max),
        gc_count: sum(|r| r.gc_count),
        gc_time_ms: results.iter().map(|r| r.gc_time_ms).sum(),
        latency_histogram: merged_latency(results),
        client_metrics: BTreeMap::new(),
        poll_api: results[0].poll_api.clone(),
        processing_s: results
            .iter()
            .filter_map(|r| r.processing_s)
            .reduce(|a, b| a + b),
        poll_interval_avg_ms: weighted_by_polls(results),
        poll_interval_max_ms: max_f(|r| r.poll_interval_max_ms),
        max_poll_exceeded: results
            .iter()
            .filter_map(|r| r.max_poll_exceeded)
            .reduce(|a, b| a + b),
        client_config: results.iter().find_map(|r| r.client_config.clone()),
        ..Default::default()
    }
}

/// The consumers' end-to-end latencies as one histogram: every member's counts added, so
/// the group's percentiles are those of all its records (never an average of percentiles).
/// A member's histogram that does not decode is passed on as it is, for the record to name
/// the error.
fn merged_latency(results: &[&DriverResult]) -> Option<String> {
    let texts: Vec<&str> = results
        .iter()
        .filter_map(|r| r.latency_histogram.as_deref())
        .collect();
    match merge_histograms(&texts) {
        Ok(merged) => merged,
        Err(_) => texts
            .iter()
            .find(|t| latency::decode(t).is_err())
            .map(|t| t.to_string()),
    }
}

/// Adds HdrHistograms (V2 compressed, base64) into one; `None` for none.
pub fn merge_histograms(texts: &[&str]) -> anyhow::Result<Option<String>> {
    if texts.is_empty() {
        return Ok(None);
    }
    let mut all = latency::new_histogram();
    all.auto(true);
    for t in texts {
        all.add(latency::decode(t)?)
            .map_err(|e| anyhow::anyhow!("adding latency histograms: {e:?}"))?;
    }
    latency::encode(&all).map(Some)
}

/// The consumers' mean poll interval, weighted by their polls.
fn weighted_by_polls(results: &[&DriverResult]) -> Option<f64> {
    let parts: Vec<(f64, f64)> = results
        .iter()
        .filter_map(|r| Some((r.polls? as f64, r.poll_interval_avg_ms?)))
        .collect();
    let polls: f64 = parts.iter().map(|(n, _)| n).sum();
    (polls > 0.0).then(|| parts.iter().map(|(n, v)| n * v).sum::<f64>() / polls)
}

/// Adds what only a group run has to its record, and fails it when the consumers' counts do
/// not add up to the messages asked for.
pub fn fill_record(rec: &mut RunRecord, g: &GroupOutcome, messages: u64) {
    rec.group_id = Some(g.group_id.clone());
    rec.group_stable_s = g.group_stable_s.map(round_ms);
    rec.lag_samples = g.lag_samples.clone();
    rec.per_consumer = g
        .consumers
        .iter()
        .enumerate()
        .map(|(i, c)| consumer_run(i as u32, c))
        .collect();
    let joins: Vec<f64> = rec.per_consumer.iter().filter_map(|c| c.join_s).collect();
    rec.join_s = joins.iter().copied().reduce(f64::max);
    rec.join_s_min = joins.iter().copied().reduce(f64::min);
    rec.rebalances = rec.per_consumer.iter().filter_map(|c| c.rebalances).max();
    rec.rebalances_total = rec
        .per_consumer
        .iter()
        .filter_map(|c| c.rebalances)
        .reduce(|a, b| a + b);
    rec.idle_consumers = rec
        .per_consumer
        .iter()
        .filter(|c| {
            c.status == Some(Status::Ok) && c.messages == 0 && c.assigned_partitions.is_empty()
        })
        .map(|c| c.consumer)
        .collect();
    if let Some(w) = &g.delete_warning {
        eprintln!("kafkatune: warning: {w}");
    }
    if rec.status == Some(Status::Ok) && rec.messages != messages {
        let each: Vec<String> = rec
            .per_consumer
            .iter()
            .map(|c| format!("#{}: {}", c.consumer, c.messages))
            .collect();
        rec.status = Some(Status::Failed);
        rec.error = Some(format!(
            "the {} consumers counted {} messages in all, not the {messages} asked for ({})",
            rec.per_consumer.len(),
            rec.messages,
            each.join(", ")
        ));
    }
}

fn consumer_run(i: u32, c: &RunOutcome) -> ConsumerRun {
    let r = c.result.as_ref();
    let ok = c.failure.is_none() && r.is_some_and(|r| r.status == Some(Status::Ok));
    let messages = r.map_or(0, |r| r.messages);
    ConsumerRun {
        consumer: i,
        status: Some(if ok { Status::Ok } else { Status::Failed }),
        error: c
            .failure
            .clone()
            .or_else(|| r.and_then(|r| r.error.clone()).filter(|_| !ok)),
        messages,
        throughput_msgs_per_s: r
            .and_then(|r| r.consume_s)
            .filter(|s| *s > 0.0)
            .map(|s| messages as f64 / s),
        assigned_partitions: r.map(|r| r.assigned_partitions.clone()).unwrap_or_default(),
        per_partition: r.map(|r| r.per_partition.clone()).unwrap_or_default(),
        join_s: r.and_then(|r| r.join_s),
        rebalances: r.and_then(|r| r.rebalances),
        cpu_s: Some(c.usage.user_s + c.usage.sys_s),
        worker: None,
        max_poll_exceeded: r.and_then(|r| r.max_poll_exceeded),
        processing_s: r.and_then(|r| r.processing_s),
        poll_interval_max_ms: r.and_then(|r| r.poll_interval_max_ms),
        poll_interval_avg_ms: r.and_then(|r| r.poll_interval_avg_ms),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_counts_sum_and_time_spans_all_consumers() {
        let result = |messages, first, last, fetches| DriverResult {
            status: Some(Status::Ok),
            messages,
            first_record_unix_us: Some(first),
            last_record_unix_us: Some(last),
            fetch_requests: Some(fetches),
            fetch_latency_avg_ms: Some(fetches),
            per_partition: BTreeMap::from([("0".to_string(), messages)]),
            ..Default::default()
        };
        let outcome = |r, spawn, cpu| RunOutcome {
            result: Some(r),
            spawn_unix_us: spawn,
            wall_s: 1.0,
            usage: Usage {
                user_s: cpu,
                sys_s: 0.0,
                peak_rss_bytes: 10,
            },
            ..Default::default()
        };
        let c = combine(&[
            outcome(result(10, 1_000_000, 2_000_000, 1.0), 0, 0.5),
            outcome(result(30, 1_500_000, 3_000_000, 3.0), 500_000, 0.25),
        ]);
        let r = c.result.unwrap();
        assert_eq!(r.messages, 40);
        assert_eq!(r.consume_s, Some(2.0));
        assert_eq!(r.per_partition["0"], 40);
        assert_eq!(r.fetch_latency_avg_ms, Some(2.5), "weighted by fetches");
        assert_eq!(c.usage.user_s, 0.75);
        assert_eq!(c.wall_s, 1.5);
        assert!(c.failure.is_none());
    }

    #[test]
    fn latency_histograms_merge_by_adding_counts() {
        // One member saw 900 records at 1 ms, the other 100 at 100 ms: the group's p50 is
        // 1 ms and its p99 100 ms, which no average of the two members' percentiles gives.
        let hist = |value_us: u64, n: u64| {
            let mut h = latency::new_histogram();
            h.record_n(value_us, n).unwrap();
            latency::encode(&h).unwrap()
        };
        let (fast, slow) = (hist(1_000, 900), hist(100_000, 100));
        let merged = merge_histograms(&[&fast, &slow]).unwrap().unwrap();
        let h = latency::decode(&merged).unwrap();
        assert_eq!(h.len(), 1000);
        assert!((h.value_at_quantile(0.5) as i64 - 1_000).abs() <= 1);
        assert!((h.value_at_quantile(0.95) as i64 - 100_000).abs() <= 100);
        assert_eq!(merge_histograms(&[]).unwrap(), None);
        assert!(merge_histograms(&[&fast, "not base64!"]).is_err());
        let result = |h: &str| DriverResult {
            status: Some(Status::Ok),
            latency_histogram: Some(h.to_string()),
            ..Default::default()
        };
        let outcome = |h: &str| RunOutcome {
            result: Some(result(h)),
            ..Default::default()
        };
        let c = combine(&[outcome(&fast), outcome(&slow)]);
        let h = latency::decode(c.result.unwrap().latency_histogram.as_deref().unwrap()).unwrap();
        assert_eq!(h.len(), 1000, "combine merges the members' histograms");
        let bad = combine(&[outcome(&fast), outcome("garbage")]);
        assert_eq!(
            bad.result.unwrap().latency_histogram.as_deref(),
            Some("garbage")
        );
    }
}
