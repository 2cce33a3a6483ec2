//! Turns what a driver process left behind into the run's result record.

use std::collections::BTreeMap;

use serde_json::Value;

use super::plan::{PlannedRun, Trial};
use super::runner::RunOutcome;
use crate::clients::latency;
use crate::clients::properties::mask;
use crate::results::{RunRecord, Status, SCHEMA_VERSION};
use crate::workload::live::LiveOutcome;

const MIB: f64 = 1024.0 * 1024.0;

/// Live-run context for the record.
pub struct LiveRun {
    /// The rate asked of the producer; `None` in a pipeline run without --rate.
    pub target_rate: Option<f64>,
    /// A pipeline run: the producer started when the consumer was ready, no warm-up.
    pub pipeline: bool,
    pub warmup_end_unix_us: u64,
    pub producer: anyhow::Result<LiveOutcome>,
}

/// The record of one run. `effective` is what the client received (translated names).
pub fn build(
    sweep_id: &str,
    trial: &Trial,
    planned: &PlannedRun,
    order: u32,
    effective: &BTreeMap<String, Value>,
    outcome: &RunOutcome,
    live: Option<&LiveRun>,
) -> RunRecord {
    let mut rec = RunRecord {
        schema_version: SCHEMA_VERSION,
        sweep_id: sweep_id.to_string(),
        trial_id: trial.id.clone(),
        run_index: planned.run_index,
        warmup: planned.warmup,
        order,
        client: trial.client.name().to_string(),
        params: trial
            .params
            .iter()
            .map(|(k, v)| (k.clone(), mask(k, v)))
            .collect(),
        effective_properties: effective
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if crate::clients::properties::is_secret(k) {
                        Value::from("*****")
                    } else {
                        v.clone()
                    },
                )
            })
            .collect(),
        wall_s: outcome.wall_s,
        cpu_user_s: Some(outcome.usage.user_s),
        cpu_sys_s: Some(outcome.usage.sys_s),
        peak_rss_bytes: Some(outcome.usage.peak_rss_bytes),
        ..Default::default()
    };
    let mut errors: Vec<String> = outcome.failure.iter().cloned().collect();
    if let Some(r) = &outcome.result {
        fill_from_driver(&mut rec, r, outcome.spawn_unix_us);
        if let Some(e) = r.error.clone().filter(|_| r.status != Some(Status::Ok)) {
            errors.push(e);
        }
        if r.status != Some(Status::Ok) && r.error.is_none() && outcome.failure.is_none() {
            errors.push("the driver reported a failure without a reason".into());
        }
    }
    if let Some(live) = live {
        fill_live(&mut rec, outcome, live, &mut errors);
    }
    if outcome
        .result
        .as_ref()
        .is_some_and(|r| r.status == Some(Status::Ok))
        && errors.is_empty()
    {
        rec.status = Some(Status::Ok);
    } else {
        rec.status = Some(Status::Failed);
        if errors.is_empty() {
            errors.push("no result".into());
        }
        let mut text = errors.join("; ");
        if let Some(last) = outcome
            .stderr_tail
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
        {
            if !text.contains(last.trim()) && outcome.result.is_none() {
                text.push_str(&format!(" (driver stderr: {})", last.trim()));
            }
        }
        rec.error = Some(text);
    }
    rec
}

fn fill_from_driver(
    rec: &mut RunRecord,
    r: &crate::clients::protocol::DriverResult,
    spawn_us: u64,
) {
    let secs = |a: u64, b: u64| b.saturating_sub(a) as f64 / 1e6;
    rec.client_version = r.client_version.clone();
    rec.messages = r.messages;
    rec.bytes = r.bytes;
    rec.startup_s = r.ready_unix_us.map(|ready| secs(spawn_us, ready));
    rec.time_to_first_record_s = r
        .ready_unix_us
        .zip(r.first_record_unix_us)
        .map(|(ready, first)| secs(ready, first));
    rec.consume_s = r.consume_s;
    if let Some(c) = r.consume_s.filter(|c| *c > 0.0) {
        rec.throughput_msgs_per_s = Some(r.messages as f64 / c);
        rec.throughput_mib_per_s = Some(r.bytes as f64 / MIB / c);
    }
    rec.polls = r.polls;
    rec.empty_polls = r.empty_polls;
    rec.records_per_poll_max = r.records_per_poll_max;
    if let (Some(polls), Some(empty)) = (r.polls, r.empty_polls) {
        // The mean over polls that returned records.
        rec.records_per_poll_avg =
            (polls > empty).then(|| r.messages as f64 / (polls - empty) as f64);
    }
    rec.fetch_requests = r.fetch_requests;
    rec.fetch_latency_avg_ms = r.fetch_latency_avg_ms;
    rec.fetch_latency_max_ms = r.fetch_latency_max_ms;
    rec.fetch_bytes_avg = r.fetch_bytes_avg;
    rec.records_lag_max = r.records_lag_max;
    rec.gc_count = r.gc_count;
    rec.gc_time_ms = r.gc_time_ms;
    rec.poll_api = r.poll_api.clone();
    rec.processing_s = r.processing_s;
    rec.poll_interval_avg_ms = r.poll_interval_avg_ms;
    rec.poll_interval_max_ms = r.poll_interval_max_ms;
    rec.max_poll_exceeded = r.max_poll_exceeded;
    rec.per_partition = Some(r.per_partition.clone()).filter(|p| !p.is_empty());
    rec.client_metrics = r.client_metrics.clone();
    // Masked again: a driver that forgot a secret must not get it written.
    rec.client_config = r
        .client_config
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), crate::clients::properties::mask(k, v)))
        .collect();
    if r.messages > 0 {
        let cpu = rec.cpu_user_s.unwrap_or(0.0) + rec.cpu_sys_s.unwrap_or(0.0);
        rec.cpu_s_per_million_msgs = Some(cpu / r.messages as f64 * 1e6);
    }
    fill_producer(rec, r);
}

/// A producer run's figures: throughput over first send to last acknowledgement, the
/// acknowledgement latency percentiles, the client's request and batch counts.
fn fill_producer(rec: &mut RunRecord, r: &crate::clients::protocol::DriverResult) {
    rec.send_s = r.send_s;
    if let Some(s) = r.send_s.filter(|s| *s > 0.0) {
        rec.throughput_msgs_per_s = Some(r.messages as f64 / s);
        rec.throughput_mib_per_s = Some(r.bytes as f64 / MIB / s);
        rec.request_rate_per_s = r.produce_requests.map(|n| n / s);
    }
    if let Some(Ok(h)) = r.ack_latency_histogram.as_deref().map(latency::decode) {
        if !h.is_empty() {
            let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
            rec.ack_latency_p50_ms = Some(ms(0.5));
            rec.ack_latency_p99_ms = Some(ms(0.99));
            rec.ack_latency_p999_ms = Some(ms(0.999));
            rec.ack_latency_max_ms = Some(h.max() as f64 / 1000.0);
        }
    }
    rec.produce_errors = r.produce_errors;
    rec.retries = r.retries;
    rec.produce_requests = r.produce_requests;
    rec.records_per_request_avg = r.records_per_request_avg;
    rec.batch_size_avg_bytes = r.batch_size_avg_bytes;
    rec.bytes_on_wire = r.bytes_on_wire;
    // The client's own figure where it has one; else what it put on the wire per payload byte.
    rec.compression_ratio = r.compression_ratio.or_else(|| {
        r.bytes_on_wire
            .filter(|_| r.bytes > 0)
            .map(|w| w as f64 / r.bytes as f64)
    });
}

fn fill_live(rec: &mut RunRecord, outcome: &RunOutcome, live: &LiveRun, errors: &mut Vec<String>) {
    match &live.producer {
        Ok(p) => {
            rec.produce_rate_msgs_per_s = Some(p.rate_msgs_per_s);
            // The producer must not be the bottleneck: 1% tolerance on the asked rate.
            if let Some(target) = live.target_rate.filter(|t| p.rate_msgs_per_s < t * 0.99) {
                errors.push(format!(
                    "the producer reached only {:.0} of the {target:.0} msg/s asked (more than 1% short, {:.3} s behind schedule at worst): lower --rate or free the machine",
                    p.rate_msgs_per_s, p.max_behind_s
                ));
            }
        }
        Err(e) => errors.push(format!("live producer: {e:#}")),
    }
    let Some(r) = &outcome.result else { return };
    if let Some(ready) = r
        .ready_unix_us
        .filter(|ready| !live.pipeline && *ready > live.warmup_end_unix_us)
    {
        errors.push(format!(
            "the consumer became ready {:.2} s after the warm-up ended: its start-up would count as latency; raise --warmup-s",
            (ready - live.warmup_end_unix_us) as f64 / 1e6
        ));
    }
    if let (Some(c), true) = (r.consume_s.filter(|c| *c > 0.0), r.messages > 0) {
        rec.consume_rate_msgs_per_s = Some(r.messages as f64 / c);
        rec.fetch_requests_per_s = r.fetch_requests.map(|f| f / c);
    }
    match r.latency_histogram.as_deref().map(latency::decode) {
        Some(Ok(h)) if !h.is_empty() => {
            let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
            rec.latency_p50_ms = Some(ms(0.5));
            rec.latency_p90_ms = Some(ms(0.9));
            rec.latency_p99_ms = Some(ms(0.99));
            rec.latency_p999_ms = Some(ms(0.999));
            rec.latency_max_ms = Some(h.max() as f64 / 1000.0);
            rec.latency_samples = Some(h.len());
        }
        Some(Ok(_)) => errors.push("no latency was recorded after the warm-up".into()),
        Some(Err(e)) => errors.push(format!("{e:#}")),
        None if r.status == Some(Status::Ok) => {
            errors.push("the driver sent no latency histogram".into())
        }
        None => {}
    }
}
