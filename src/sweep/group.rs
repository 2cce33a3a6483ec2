//! Group mode: `consumers` driver processes of one client in one new consumer group, reading
//! the run's messages between them, exactly (the `consumers` parameter).
//!
//! How the count stays exact across processes (docs/driver-protocol.md, "Several
//! consumers"): each partition gets a range `[start_offset, end_offset)`, the ranges add up to
//! the run's messages, and a consumer counts only records inside them. Consumers commit their
//! positions when partitions are revoked, so a rebalance hands a partition over where its
//! previous owner stopped. Two files steer the consumers: the **start file**, created once the
//! group is complete and balanced, so the measurement starts with every consumer in place
//! instead of with the first one reading alone while the others still start; the **stop
//! file**, created once the consumers' counts add up to the messages (or one of them ended),
//! so that consumers left with nothing to read finish instead of waiting.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;

use super::plan::Trial;
use super::runner::{self, RunOutcome, Usage};
use crate::broker::admin::{self, PartitionOffsets};
use crate::broker::Cluster;
use crate::clients::properties::{self, CONSUMERS};
use crate::clients::protocol::{Assignment, DriverResult, Event, PartitionStart, Spec};
use crate::clients::DriverCommand;
use crate::results::{ConsumerRun, RunRecord, Status};

/// How long a consumer that reported no assignment must have been subscribed before it is
/// taken as idle (librdkafka with `group.protocol=consumer` reports no empty assignment).
const QUIET: Duration = Duration::from_secs(3);
/// How long the assignments may cover every partition without balancing (an assignor that
/// does not balance counts) before counting starts anyway. Longer than two heartbeats of
/// `group.protocol=consumer` (5 s each by default), which a hand-over takes there.
const SETTLE: Duration = Duration::from_secs(30);
/// How often the group's remaining messages are sampled.
const LAG_INTERVAL: Duration = Duration::from_millis(250);
/// Samples kept at most; past it every other one is dropped and the interval doubles.
const MAX_LAG_SAMPLES: usize = 240;

/// The number of consumers a trial asks for; `None` runs one consumer with `assign` (no group).
pub fn consumers(trial: &Trial) -> Option<u32> {
    trial
        .params
        .get(CONSUMERS)
        .and_then(|v| properties::validate_consumers(v).ok())
}

/// The run's consumer group: kafkatune's prefix, the sweep, trial and run, and the start time
/// (a resumed sweep repeats a run id, and the group of an interrupted run may linger).
pub fn group_id(sweep_id: &str, trial: &Trial, run_index: u32) -> String {
    format!(
        "kafkatune-{sweep_id}-{}-r{run_index}-{:x}",
        trial.id,
        crate::clients::protocol::now_unix_us() / 1000
    )
}

/// Each partition's range to count, from its log start: as even as the partitions allow,
/// adding up to `messages`. `None` when the partitions hold fewer.
pub fn partition_ranges(parts: &[PartitionOffsets], messages: u64) -> Option<Vec<PartitionStart>> {
    let available = |p: &PartitionOffsets| (p.high - p.low).max(0) as u64;
    let mut order: Vec<&PartitionOffsets> = parts.iter().collect();
    // The shortest partitions first: what they cannot take goes to the longer ones.
    order.sort_by_key(|p| (available(p), p.partition));
    let mut remaining = messages;
    let mut take: BTreeMap<i32, u64> = BTreeMap::new();
    for (i, p) in order.iter().enumerate() {
        let left = (order.len() - i) as u64;
        let n = remaining.div_ceil(left).min(available(p));
        take.insert(p.partition, n);
        remaining -= n;
    }
    if remaining > 0 {
        return None;
    }
    Some(
        parts
            .iter()
            .map(|p| PartitionStart {
                partition: p.partition,
                start_offset: p.low,
                end_offset: Some(p.low + take[&p.partition] as i64),
            })
            .collect(),
    )
}

/// Whether the consumers' latest assignments look final: disjoint, covering every partition,
/// and as many partitions each as an even split gives (every client's assignors balance
/// counts), a consumer that reported nothing holding none. With fewer consumers than
/// partitions, a consumer not assigned yet therefore keeps the group unbalanced.
pub fn balanced(held: &[Option<Vec<i32>>], partitions: &[i32]) -> bool {
    if !covered(held, partitions) {
        return false;
    }
    let counts = held.iter().map(|h| h.as_ref().map_or(0, Vec::len));
    let (min, max) = counts.fold((usize::MAX, 0), |(lo, hi), c| (lo.min(c), hi.max(c)));
    max - min <= 1
}

/// Whether the reported assignments are disjoint and cover every partition.
pub fn covered(held: &[Option<Vec<i32>>], partitions: &[i32]) -> bool {
    let mut seen = BTreeSet::new();
    for p in held.iter().flatten().flatten() {
        if !seen.insert(*p) {
            return false;
        }
    }
    seen == partitions.iter().copied().collect()
}

/// What one group run left behind.
#[derive(Debug, Default)]
pub struct GroupOutcome {
    pub group_id: String,
    pub consumers: Vec<RunOutcome>,
    /// The consumers as one run: counts summed, first-to-last record over all of them.
    pub combined: RunOutcome,
    pub group_stable_s: Option<f64>,
    pub lag_samples: Vec<(f64, u64)>,
    /// Why the group could not be deleted, if it could not.
    pub delete_warning: Option<String>,
}

/// Runs `n` consumers of `driver` on `spec` (an assign spec of the run) in a new group.
#[allow(clippy::too_many_arguments)]
pub fn run(
    cluster: &Cluster,
    parts: &[PartitionOffsets],
    driver: &DriverCommand,
    spec: &Spec,
    n: u32,
    group_id: &str,
    scratch: &Path,
    timeout: Duration,
) -> Result<GroupOutcome> {
    let ranges = partition_ranges(parts, spec.messages).ok_or_else(|| {
        anyhow::anyhow!(
            "the topic holds fewer than the {} messages asked for",
            spec.messages
        )
    })?;
    std::fs::create_dir_all(scratch)?;
    let (start_file, stop_file) = (scratch.join("start"), scratch.join("stop"));
    for f in [&start_file, &stop_file] {
        let _ = std::fs::remove_file(f);
    }
    let mut group_spec = spec.clone();
    group_spec.assignment = Assignment::Subscribe;
    group_spec.group_id = Some(group_id.to_string());
    group_spec.partitions = ranges;
    group_spec.start_file = Some(start_file.clone());
    group_spec.stop_file = Some(stop_file.clone());
    let partitions: Vec<i32> = parts.iter().map(|p| p.partition).collect();

    let (tx, rx) = mpsc::channel::<Note>();
    let mut watch = Watch::new(n as usize, partitions, spec.messages, start_file, stop_file);
    let results = std::thread::scope(|s| {
        for i in 0..n as usize {
            let (tx, spec, dir) = (tx.clone(), &group_spec, scratch.join(format!("c{i}")));
            s.spawn(move || {
                let events = tx.clone();
                let out = runner::run_with_events(driver, spec, &dir, timeout, |e| {
                    let _ = events.send(Note::Event(i, e.clone()));
                });
                let _ = tx.send(Note::Exited(i, Box::new(out)));
            });
        }
        drop(tx);
        watch.follow(&rx)
    });
    // The group goes whatever became of its consumers (an error, Ctrl-C).
    let delete_warning = delete_group(cluster, group_id).err();
    let consumers = results.into_iter().collect::<Result<Vec<RunOutcome>>>()?;
    let combined = combine(&consumers);
    Ok(GroupOutcome {
        group_id: group_id.to_string(),
        group_stable_s: watch
            .started
            .map(|t| t.duration_since(watch.t0).as_secs_f64()),
        lag_samples: watch.lag,
        consumers,
        combined,
        delete_warning,
    })
}

enum Note {
    Event(usize, Event),
    Exited(usize, Box<Result<RunOutcome>>),
}

/// The orchestrator's view of the group while it runs: what each consumer holds and has
/// counted, when to create the start and stop files, the remaining messages over time.
struct Watch {
    partitions: Vec<i32>,
    messages: u64,
    held: Vec<Option<Vec<i32>>>,
    ready: Vec<Option<Instant>>,
    counted: Vec<u64>,
    exited: Vec<Option<Result<RunOutcome>>>,
    start_file: PathBuf,
    stop_file: PathBuf,
    t0: Instant,
    last_change: Instant,
    started: Option<Instant>,
    stopped: bool,
    lag: Vec<(f64, u64)>,
    lag_interval: Duration,
    next_sample: Instant,
}

impl Watch {
    fn new(
        n: usize,
        partitions: Vec<i32>,
        messages: u64,
        start_file: PathBuf,
        stop_file: PathBuf,
    ) -> Watch {
        let now = Instant::now();
        Watch {
            partitions,
            messages,
            held: vec![None; n],
            ready: vec![None; n],
            counted: vec![0; n],
            exited: (0..n).map(|_| None).collect(),
            start_file,
            stop_file,
            t0: now,
            last_change: now,
            started: None,
            stopped: false,
            lag: Vec::new(),
            lag_interval: LAG_INTERVAL,
            next_sample: now,
        }
    }

    /// Follows the consumers until every one has exited; their outcomes by index.
    fn follow(&mut self, rx: &mpsc::Receiver<Note>) -> Vec<Result<RunOutcome>> {
        while self.exited.iter().any(Option::is_none) {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(Note::Event(i, Event::Assigned { partitions })) => {
                    self.held[i] = Some(partitions);
                    self.last_change = Instant::now();
                }
                Ok(Note::Event(i, Event::Progress { messages })) => {
                    self.counted[i] = self.counted[i].max(messages)
                }
                Ok(Note::Event(i, Event::Ready)) => self.ready[i] = Some(Instant::now()),
                Ok(Note::Exited(i, out)) => {
                    if let Ok(o) = out.as_ref() {
                        // The result is the last word on what a consumer counted.
                        if let Some(r) = &o.result {
                            self.counted[i] = r.messages;
                        }
                    }
                    self.exited[i] = Some(*out);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            self.step();
        }
        self.sample(Instant::now());
        self.exited
            .iter_mut()
            .map(|o| {
                o.take()
                    .unwrap_or_else(|| Err(anyhow::anyhow!("lost track of a consumer")))
            })
            .collect()
    }

    fn step(&mut self) {
        let now = Instant::now();
        let any_exited = self.exited.iter().any(Option::is_some);
        // Every consumer subscribed, and reported an assignment or has long been quiet.
        let complete = self.held.iter().zip(&self.ready).all(|(held, ready)| {
            held.is_some() || ready.is_some_and(|t| now.duration_since(t) >= QUIET)
        });
        if self.started.is_none()
            && ((complete && balanced(&self.held, &self.partitions))
                || (covered(&self.held, &self.partitions)
                    && now.duration_since(self.last_change) >= SETTLE)
                || any_exited)
        {
            touch(&self.start_file);
            self.started = Some(now);
        }
        let total: u64 = self.counted.iter().sum();
        if !self.stopped && (total >= self.messages || any_exited) {
            touch(&self.stop_file);
            self.stopped = true;
        }
        if now >= self.next_sample {
            self.sample(now);
        }
    }

    /// Records the messages not consumed yet.
    fn sample(&mut self, now: Instant) {
        let lag = self.messages.saturating_sub(self.counted.iter().sum());
        self.lag
            .push((round_ms(now.duration_since(self.t0).as_secs_f64()), lag));
        if self.lag.len() >= MAX_LAG_SAMPLES {
            self.lag = self.lag.iter().step_by(2).copied().collect();
            self.lag_interval *= 2;
        }
        self.next_sample = now + self.lag_interval;
    }
}

fn round_ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

fn touch(path: &Path) {
    if let Err(e) = std::fs::write(path, b"") {
        eprintln!("kafkatune: cannot create {}: {e}", path.display());
    }
}

/// Deletes the run's group, retrying while its members are still leaving.
fn delete_group(cluster: &Cluster, group: &str) -> std::result::Result<(), String> {
    let client: AdminClient<DefaultClientContext> =
        admin::client_config(&cluster.bootstrap, &cluster.admin_props)
            .create()
            .map_err(|e| format!("creating an admin client: {e}"))?;
    let opts = AdminOptions::new().request_timeout(Some(Duration::from_secs(5)));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let outcome = futures_executor::block_on(client.delete_groups(&[group], &opts));
        let code = match outcome {
            Ok(results) => match results.into_iter().next() {
                Some(Ok(_)) | None => return Ok(()),
                Some(Err((_, RDKafkaErrorCode::GroupIdNotFound))) => return Ok(()),
                Some(Err((_, code))) => code.to_string(),
            },
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            return Err(format!(
                "the consumer group {group} was not deleted: {code}"
            ));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The consumers as one run: counts and CPU summed, the first record of any to the last of
/// any, the slowest consumer's start-up, the largest memory.
fn combine(consumers: &[RunOutcome]) -> RunOutcome {
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
        latency_histogram: None,
        client_metrics: BTreeMap::new(),
        poll_api: results[0].poll_api.clone(),
        client_config: results.iter().find_map(|r| r.client_config.clone()),
    }
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(partition: i32, low: i64, high: i64) -> PartitionOffsets {
        PartitionOffsets {
            partition,
            low,
            high,
        }
    }

    fn ends(ranges: &[PartitionStart]) -> Vec<i64> {
        ranges
            .iter()
            .map(|r| r.end_offset.unwrap() - r.start_offset)
            .collect()
    }

    #[test]
    fn ranges_split_evenly_and_add_up() {
        let parts: Vec<_> = (0..4).map(|p| part(p, 10, 110)).collect();
        let r = partition_ranges(&parts, 10).unwrap();
        assert_eq!(ends(&r), [3, 3, 2, 2]);
        assert!(r.iter().all(|p| p.start_offset == 10));
        assert_eq!(ends(&partition_ranges(&parts, 400).unwrap()), [100; 4]);
        assert!(partition_ranges(&parts, 401).is_none());
    }

    #[test]
    fn short_partitions_give_way_to_long_ones() {
        let parts = [part(0, 0, 2), part(1, 0, 100), part(2, 5, 5)];
        let r = partition_ranges(&parts, 50).unwrap();
        assert_eq!(ends(&r), [2, 48, 0]);
    }

    #[test]
    fn the_group_is_balanced_once_every_consumer_holds_its_share() {
        let all = [0, 1, 2, 3];
        let held = |h: &[Option<&[i32]>]| -> Vec<Option<Vec<i32>>> {
            h.iter().map(|o| o.map(|p| p.to_vec())).collect()
        };
        // The first consumer alone holds everything while the second has not joined.
        assert!(!balanced(&held(&[Some(&[0, 1, 2, 3]), None]), &all));
        // KIP-848: the newcomer gets nothing until the first one gave partitions up.
        assert!(!balanced(&held(&[Some(&[0, 1, 2, 3]), Some(&[])]), &all));
        // An eager rebalance half-way: two consumers claim partition 2.
        assert!(!balanced(&held(&[Some(&[0, 1, 2]), Some(&[2, 3])]), &all));
        assert!(balanced(&held(&[Some(&[0, 2]), Some(&[1, 3])]), &all));
        // More consumers than partitions: the extra one holds nothing, reported or not.
        assert!(balanced(
            &held(&[Some(&[0]), Some(&[]), Some(&[1])]),
            &[0, 1]
        ));
        assert!(balanced(&held(&[Some(&[0]), None, Some(&[1])]), &[0, 1]));
        assert!(!balanced(&held(&[Some(&[0, 1]), None, None]), &[0, 1]));
        assert!(covered(&held(&[Some(&[0, 1, 2, 3]), None]), &all));
    }

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
}
