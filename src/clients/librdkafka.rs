//! The built-in client: librdkafka through the rdkafka crate, run as a driver process
//! (`kafkatune driver librdkafka SPEC RESULT`) like every other client.
//!
//! It polls on its own thread, never through the async `StreamConsumer` (several times slower,
//! fede1024/kafka-benchmark#5), and takes messages in batches from a queue of their own
//! (`queue.rs`): one `BaseConsumer::poll` per message kept librdkafka's fetcher waiting.
//! librdkafka has no `max.poll.records` for classic consumers, so one *logical poll* here
//! gives Java's semantics: block up to the poll timeout for the first message, then take only
//! what is already queued (timeout 0), up to `max_poll_records`. One batch consume that waits
//! for N messages *or* the timeout would add up to the timeout to every live latency.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rdkafka::bindings as rd;
use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::message::Message;
use rdkafka::statistics::Statistics;
use rdkafka::types::{RDKafkaErrorCode, RDKafkaRespErr};
use rdkafka::{Offset, TopicPartitionList};

mod book;
mod descriptor;
mod group;
mod lag;
mod produce;
mod queue;
mod tally;

pub use descriptor::DESCRIPTOR;
use group::Member;
use lag::LagSampler;
use queue::MessageQueue;
use tally::Tally;

use super::latency::LatencyRecorder;
use super::properties;
use super::protocol::{self, Assignment, DriverResult, Spec};
use crate::results::{Mode, Status};

/// How often librdkafka emits its statistics JSON, the source of the fetch metrics.
const STATS_INTERVAL_MS: u64 = 100;

/// Runs one spec and writes its result; errors only when the result cannot be written.
pub fn run_driver(spec_path: &Path, result_path: &Path) -> Result<()> {
    let spec: Spec = serde_json::from_slice(
        &std::fs::read(spec_path).with_context(|| format!("reading {}", spec_path.display()))?,
    )
    .with_context(|| format!("parsing the spec {}", spec_path.display()))?;
    let mut result = DriverResult {
        protocol_version: protocol::PROTOCOL_VERSION,
        client: "librdkafka".into(),
        client_version: Some(rdkafka::util::get_rdkafka_version().1),
        poll_api: Some(
            "consume_batch_queue: wait for the first message, then what is queued, up to max_poll_records"
                .into(),
        ),
        ..Default::default()
    };
    let run = match spec.mode {
        Mode::Produce => {
            result.poll_api = Some("send: BaseProducer::send, delivery reports by poll".into());
            produce::produce(&spec, &mut result)
        }
        // The orchestrator hands pipeline consumers a live spec; read one as such.
        Mode::Drain | Mode::Live | Mode::Pipeline => consume(&spec, &mut result),
    };
    if let Err(e) = run {
        result.status = Some(Status::Failed);
        result.error = Some(format!("{e:#}"));
    }
    protocol::write_result(result_path, &result)
        .with_context(|| format!("writing {}", result_path.display()))
}

/// What the context gathers from librdkafka's callbacks while the loop runs.
#[derive(Default)]
struct Observed {
    fetch_requests: i64,
    rtt_sum_us: f64,
    rtt_cnt: f64,
    rtt_max_us: i64,
    rx_bytes: u64,
    /// The lag in the statistics documents (the polls' own samples are in the tally).
    lag: LagSampler,
    stats_seen: u64,
    rebalances: u64,
    /// librdkafka's `MAX_POLL_EXCEEDED` errors: this member overran max.poll.interval.ms.
    max_poll_exceeded: u64,
    first_assignment: Option<Instant>,
    assigned: Vec<i32>,
    last_error: Option<String>,
}

#[derive(Default)]
struct DriverContext {
    observed: Mutex<Observed>,
    /// Subscribe only: this consumer's part in the group.
    member: Option<Member>,
    /// Whether the lag counts to the last stable offset (librdkafka's default) or the high
    /// watermark.
    read_committed: bool,
}

impl ClientContext for DriverContext {
    fn stats(&self, stats: Statistics) {
        let mut o = self.observed.lock().unwrap();
        o.stats_seen += 1;
        // Real brokers only (nodeid >= 0), not the bootstrap placeholder.
        let brokers = stats.brokers.values().filter(|b| b.nodeid >= 0);
        o.fetch_requests = brokers
            .clone()
            .map(|b| b.req.get("Fetch").copied().unwrap_or(0))
            .sum();
        o.rx_bytes = brokers.clone().map(|b| b.rxbytes).sum();
        for rtt in brokers.filter_map(|b| b.rtt.as_ref()).filter(|w| w.cnt > 0) {
            // rtt is a window since the previous statistics: accumulate it over the run.
            o.rtt_sum_us += rtt.sum as f64;
            o.rtt_cnt += rtt.cnt as f64;
            o.rtt_max_us = o.rtt_max_us.max(rtt.max);
        }
        o.lag.statistics(&stats, self.read_committed);
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        self.observed.lock().unwrap().last_error = Some(format!("{error}: {reason}"));
    }
}

impl ConsumerContext for DriverContext {
    /// Subscribe: the member positions, commits and applies each change (see `group`).
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let assign = err == RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
        let Some(member) = &self.member else {
            let _ = if assign {
                consumer.assign(tpl)
            } else {
                consumer.unassign()
            };
            return;
        };
        member.rebalance(consumer, assign, tpl);
        let mut o = self.observed.lock().unwrap();
        if assign {
            o.rebalances += 1;
            o.first_assignment.get_or_insert_with(Instant::now);
        } else if err != RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS {
            o.last_error = Some(format!(
                "rebalance error: {}",
                rdkafka::types::RDKafkaErrorCode::from(err)
            ));
        }
        o.assigned = member.held();
    }
}

fn config(spec: &Spec) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &spec.bootstrap_servers)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("enable.partition.eof", "false")
        .set("auto.offset.reset", "earliest")
        .set("statistics.interval.ms", STATS_INTERVAL_MS.to_string());
    // librdkafka's consumer wants a group.id even for assign(); with assign() and no
    // commits it never joins the group, so nothing appears on the broker.
    let group = spec
        .group_id
        .clone()
        .unwrap_or_else(|| format!("kafkatune-assign-{}", std::process::id()));
    config.set("group.id", group);
    for (key, value) in &spec.properties {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        config.set(key, text);
    }
    config
}

/// librdkafka's whole configuration for `config`, its defaults included (the global and the
/// default topic configuration, as `rd_kafka_conf_dump` gives them), secrets masked.
fn resolved_config(config: &ClientConfig) -> Result<BTreeMap<String, String>> {
    let native = config
        .create_native_config()
        .context("resolving the librdkafka configuration")?;
    let mut out = BTreeMap::new();
    // SAFETY: a dump is an array of `count` C strings, names and values alternating (a value
    // may be null), that stays ours until it is freed; `native` outlives both dumps.
    unsafe {
        let mut take = |dump: *mut *const std::os::raw::c_char, count: usize| {
            if dump.is_null() {
                return;
            }
            let text = |p: *const std::os::raw::c_char| {
                if p.is_null() {
                    String::new()
                } else {
                    std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
                }
            };
            for pair in std::slice::from_raw_parts(dump, count).chunks_exact(2) {
                let name = text(pair[0]);
                let value = properties::mask(&name, &text(pair[1]));
                out.insert(name, value);
            }
            rd::rd_kafka_conf_dump_free(dump, count);
        };
        let mut count = 0;
        let dump = rd::rd_kafka_conf_dump(native.ptr(), &mut count);
        take(dump, count);
        let topic = rd::rd_kafka_conf_get_default_topic_conf(native.ptr());
        if !topic.is_null() {
            let mut count = 0;
            let dump = rd::rd_kafka_topic_conf_dump(topic, &mut count);
            take(dump, count);
        }
    }
    Ok(out)
}

fn consume(spec: &Spec, result: &mut DriverResult) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs_f64(spec.timeout_s);
    let context = DriverContext {
        member: Member::new(spec),
        read_committed: lag::is_read_committed(
            spec.properties
                .get("isolation.level")
                .and_then(|v| v.as_str()),
        ),
        ..Default::default()
    };
    let config = config(spec);
    let consumer: BaseConsumer<DriverContext> = config
        .create_with_context(context)
        .context("creating the librdkafka consumer")?;
    // Declared after the consumer, so dropped before it.
    let mut queue = MessageQueue::new(&consumer)?;
    let subscribed_at = Instant::now();
    match spec.assignment {
        Assignment::Assign => {
            let mut tpl = TopicPartitionList::new();
            for p in &spec.partitions {
                tpl.add_partition_offset(&spec.topic, p.partition, Offset::Offset(p.start_offset))?;
                queue.route(&consumer, &spec.topic, p.partition)?;
            }
            consumer.assign(&tpl).context("assigning the partitions")?;
            result.assigned_partitions = spec.partitions.iter().map(|p| p.partition).collect();
        }
        Assignment::Subscribe => consumer.subscribe(&[&spec.topic]).context("subscribing")?,
    }
    result.ready_unix_us = Some(protocol::now_unix_us());
    println!(r#"{{"event":"ready"}}"#);

    let mut latency = (spec.mode == Mode::Live)
        .then(|| LatencyRecorder::new(spec.live.as_ref().map_or(0, |l| l.warmup_end_unix_us)));
    let outcome = poll_loop(
        &consumer,
        &mut queue,
        spec,
        deadline,
        result,
        latency.as_mut(),
    );
    await_final_stats(&consumer, deadline);
    fill_metrics(&consumer, spec, subscribed_at, result);
    if !close(&consumer) {
        // rust-rdkafka's drop would close it again and poll until it is closed, with no
        // limit: seen in CI after a member was thrown out for passing max.poll.interval.ms
        // (its commit refused with UnknownMemberId), the driver then never ended and was
        // killed at the run time-out. This process ends right after the result is written,
        // and the kernel closes its sockets.
        eprintln!("kafkatune librdkafka driver: the consumer did not close within {} s; leaving it to the process's end", CLOSE_WAIT.as_secs());
        drop(queue);
        std::mem::forget(consumer);
    }
    // Resolved after the run, so as not to count in its start-up.
    result.client_config = Some(resolved_config(&config)?);
    if let Some(latency) = latency {
        result.latency_histogram = Some(latency.encode()?);
    }
    outcome?;
    result.status = Some(Status::Ok);
    Ok(())
}

fn poll_loop(
    consumer: &BaseConsumer<DriverContext>,
    queue: &mut MessageQueue,
    spec: &Spec,
    deadline: Instant,
    result: &mut DriverResult,
    mut latency: Option<&mut LatencyRecorder>,
) -> Result<()> {
    let timeout = Duration::from_millis(spec.poll_timeout_ms);
    let batch = spec.max_poll_records.max(1);
    let mut tally = Tally::default();
    let mut routed_rebalances = 0;
    let member = consumer.context().member.as_ref();
    // A group's remaining messages are sampled from the progress lines: a finer grain.
    let progress_every = Duration::from_millis(if member.is_some() { 200 } else { 500 });
    let mut next_progress = Instant::now() + progress_every;
    while tally.count < spec.messages {
        let now = Instant::now();
        if now >= deadline {
            tally.save(result);
            let error = consumer
                .context()
                .observed
                .lock()
                .unwrap()
                .last_error
                .clone();
            anyhow::bail!(
                "timed out after {:.0} s with {} of {} messages{}",
                spec.timeout_s,
                tally.count,
                spec.messages,
                error
                    .map(|e| format!(" (last client error: {e})"))
                    .unwrap_or_default()
            );
        }
        if member.is_some_and(|m| m.check_files(consumer)) {
            break; // the group as a whole is done: finish with what was counted
        }
        route_assignment(consumer, queue, spec, &mut routed_rebalances)?;
        // Joining: partitions are held paused, polls are not counted yet.
        let counting = member.is_none_or(|m| m.started());
        if let (Some(l), Some(end)) = (
            latency.as_deref_mut(),
            member.and_then(|m| m.warmup_end_us()),
        ) {
            l.set_warmup_end(end);
        }
        tally.polls += counting as u64;
        if counting {
            tally.intervals.poll_starts();
        }
        let limit = batch.min(spec.messages - tally.count) as usize;
        let taken = logical_poll(
            consumer,
            queue,
            timeout.min(deadline - now),
            limit,
            &mut tally,
            latency.as_deref_mut(),
        );
        if member.is_some_and(|m| m.after_poll(consumer, &tally.positions)) {
            // Every partition this consumer holds is done: tell the orchestrator at once.
            println!(r#"{{"event":"progress","messages":{}}}"#, tally.count);
        }
        if !counting {
            continue;
        }
        if taken == 0 {
            tally.empty += 1;
            continue;
        }
        // The application's work on what this poll handed over, before the next poll; the
        // last record counts as consumed once it is processed.
        if let Some(p) = &spec.processing {
            tally.processing += p.apply(taken);
        }
        tally.lag.sample(consumer, &spec.topic);
        let last = Instant::now();
        tally.last = Some(last);
        tally.max_batch = tally.max_batch.max(taken);
        if last >= next_progress {
            println!(r#"{{"event":"progress","messages":{}}}"#, tally.count);
            next_progress = last + progress_every;
        }
    }
    if let Some(m) = member {
        m.commit_held(consumer);
    }
    println!(r#"{{"event":"progress","messages":{}}}"#, tally.count);
    tally.save(result);
    if spec.processing.is_none() {
        result.processing_s = None;
    }
    Ok(())
}

/// Subscribe: routes the partitions of each new assignment to the message queue (assign
/// routes its partitions before assigning them).
fn route_assignment(
    consumer: &BaseConsumer<DriverContext>,
    queue: &mut MessageQueue,
    spec: &Spec,
    routed_rebalances: &mut u64,
) -> Result<()> {
    let (rebalances, assigned) = {
        let o = consumer.context().observed.lock().unwrap();
        if o.rebalances == *routed_rebalances {
            return Ok(());
        }
        (o.rebalances, o.assigned.clone())
    };
    for partition in assigned {
        queue.route(consumer, &spec.topic, partition)?;
    }
    *routed_rebalances = rebalances;
    Ok(())
}

/// One logical poll (Java's `poll` semantics, see the module doc), handing at most `limit`
/// records to the tally. The consumer queue is served first: it carries the events, and any
/// message fetched before its partition was routed, which is older than the routed ones.
fn logical_poll(
    consumer: &BaseConsumer<DriverContext>,
    queue: &mut MessageQueue,
    wait: Duration,
    limit: usize,
    tally: &mut Tally,
    mut latency: Option<&mut LatencyRecorder>,
) -> u64 {
    let before = tally.count;
    let mut stamp_us = 0;
    let member = consumer.context().member.as_ref();
    let mut hand = |tally: &mut Tally, item: Item| match item {
        Ok((partition, offset, value)) => {
            tally.lag.handed(partition, offset);
            if let Some(m) = member {
                // Subscribe: count only what lies below the partition's end offset.
                let i = partition.max(0) as usize;
                if tally.positions.len() <= i {
                    tally.positions.resize(i + 1, -1);
                }
                tally.positions[i] = offset + 1;
                if offset >= m.end(partition) || !tally.first_time(partition, offset) {
                    return;
                }
            }
            if tally.count == before {
                tally.first.get_or_insert_with(Instant::now);
                if latency.is_some() {
                    stamp_us = protocol::now_unix_us();
                }
            }
            let recorder = latency.as_deref_mut().map(|l| (l, stamp_us));
            tally.record(partition, value, recorder);
        }
        Err(e) => consumer.context().observed.lock().unwrap().last_error = Some(e),
    };
    let mut consumer_wait = if queue.has_routes() {
        Duration::ZERO
    } else {
        wait
    };
    while ((tally.count - before) as usize) < limit {
        match consumer.poll(consumer_wait) {
            Some(Ok(m)) => {
                hand(
                    tally,
                    Ok((m.partition(), m.offset(), m.payload().unwrap_or(&[]))),
                );
                // The next poll may run a rebalance callback that commits positions.
                if let Some(member) = member {
                    member.publish(&tally.positions);
                }
            }
            Some(Err(e)) => {
                if e.rdkafka_error_code() == Some(RDKafkaErrorCode::PollExceeded) {
                    consumer
                        .context()
                        .observed
                        .lock()
                        .unwrap()
                        .max_poll_exceeded += 1;
                }
                hand(tally, Err(e.to_string()))
            }
            // In a group, serve every event waiting: statistics arrive every 100 ms, and a
            // rebalance queued behind them would wait while the group stalls.
            None if member.is_some() && queue::consumer_queue_len(consumer) > 0 => {}
            None => break,
        }
        consumer_wait = Duration::ZERO;
    }
    if tally.count > before || !queue.has_routes() {
        return tally.count - before;
    }
    // Usually messages are waiting: one call. Otherwise block for the first, then the rest.
    if queue.take(Duration::ZERO, limit, |item| hand(tally, item)) == 0
        && queue.take(wait, 1, |item| hand(tally, item)) > 0
        && limit > 1
    {
        queue.take(Duration::ZERO, limit - 1, |item| hand(tally, item));
    }
    tally.count - before
}

/// A message as the queues hand it over: partition, offset, value; or a consume error.
type Item<'a> = std::result::Result<(i32, i64, &'a [u8]), String>;

/// Polls a little longer for one more statistics document, so the fetch counts cover the
/// whole run (statistics arrive every `STATS_INTERVAL_MS`).
fn await_final_stats(consumer: &BaseConsumer<DriverContext>, deadline: Instant) {
    let seen = consumer.context().observed.lock().unwrap().stats_seen;
    let until = (Instant::now() + Duration::from_millis(STATS_INTERVAL_MS * 2)).min(deadline);
    // Nothing is assigned any more, so no message is consumed beyond the count.
    let _ = consumer.unassign();
    while Instant::now() < until && consumer.context().observed.lock().unwrap().stats_seen == seen {
        let _ = consumer.poll(Duration::from_millis(10));
    }
}

/// Closes the consumer before it is dropped. rust-rdkafka's drop closes it too, but waits in
/// polls of 100 ms that the end of the close does not interrupt: 100 ms more per run, as long
/// as a whole 100,000-message run takes to consume.
/// Whether it closed within `CLOSE_WAIT`.
fn close(consumer: &BaseConsumer<DriverContext>) -> bool {
    if consumer.close_queue().is_err() {
        return false;
    }
    let until = Instant::now() + CLOSE_WAIT;
    while !consumer.closed() && Instant::now() < until {
        // Whatever still arrives is past the count: dropped, not counted.
        let _ = consumer.poll(Duration::from_millis(1));
    }
    consumer.closed()
}

/// How long the consumer's close may take at the end of a run.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

fn fill_metrics(
    consumer: &BaseConsumer<DriverContext>,
    spec: &Spec,
    subscribed_at: Instant,
    result: &mut DriverResult,
) {
    let o = consumer.context().observed.lock().unwrap();
    if o.stats_seen > 0 {
        result.fetch_requests = Some(o.fetch_requests as f64);
        if o.rtt_cnt > 0.0 {
            result.fetch_latency_avg_ms = Some(o.rtt_sum_us / o.rtt_cnt / 1000.0);
            result.fetch_latency_max_ms = Some(o.rtt_max_us as f64 / 1000.0);
        }
        if o.fetch_requests > 0 {
            result.fetch_bytes_avg = Some(o.rx_bytes as f64 / o.fetch_requests as f64);
        }
        // The polls' samples (tally.save) and the statistics': the larger; absent if neither.
        result.records_lag_max = [result.records_lag_max, o.lag.max().map(|v| v as f64)]
            .into_iter()
            .flatten()
            .reduce(f64::max);
        result.client_metrics = BTreeMap::from([
            ("brokers.req.Fetch".to_string(), o.fetch_requests as f64),
            ("brokers.rxbytes".to_string(), o.rx_bytes as f64),
            ("brokers.rtt.max_us".to_string(), o.rtt_max_us as f64),
            ("statistics_documents".to_string(), o.stats_seen as f64),
        ]);
    }
    if spec.assignment == Assignment::Subscribe {
        result.rebalances = Some(o.rebalances);
        result.max_poll_exceeded = Some(o.max_poll_exceeded);
        result.join_s = o
            .first_assignment
            .map(|t| t.duration_since(subscribed_at).as_secs_f64());
        result.assigned_partitions = o.assigned.clone();
    } else {
        result.rebalances = Some(0);
    }
}
