//! The built-in librdkafka driver's producer runs (`mode: produce`, docs/driver-protocol.md
//! "Producer runs"): exactly `messages` records, round-robin over the partitions, each value
//! the send time and a body of the payload file, every one acknowledged; the
//! acknowledgement latency of each record from the send call to its delivery report.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use hdrhistogram::Histogram;
use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::DeliveryResult;
use rdkafka::producer::{BaseRecord, Producer, ProducerContext, ThreadedProducer};
use rdkafka::statistics::Statistics;

use super::STATS_INTERVAL_MS;
use crate::clients::latency;
use crate::clients::protocol::{self, DriverResult, Spec};
use crate::results::Status;
use crate::workload::payload::{FileFormat, Payload};

/// How long a send waits before trying again when librdkafka's queue is full. A delivery
/// report frees room for a whole batch (hundreds of records), so a tenth of a millisecond
/// costs the sender little, and sleeping costs no CPU.
const QUEUE_FULL_PAUSE: Duration = Duration::from_micros(100);

/// What the delivery reports and statistics tell while the run goes.
struct Deliveries {
    /// The instant every opaque send time counts from.
    base: Instant,
    acked: AtomicU64,
    errors: AtomicU64,
    bytes: AtomicU64,
    last_ack_ns: AtomicU64,
    latency: Mutex<Histogram<u64>>,
    per_partition: Mutex<std::collections::BTreeMap<i32, u64>>,
    first_error: Mutex<Option<String>>,
    stats: Mutex<Option<Statistics>>,
    stats_seen: AtomicU64,
    /// Batch sizes in bytes, summed and counted over every statistics window (each
    /// document's window covers only the time since the one before).
    batches: Mutex<(f64, f64)>,
    /// Fault runs: which sequences were acknowledged, the errors by reason.
    book: Option<super::book::Book>,
}

impl ClientContext for Deliveries {
    fn stats(&self, stats: Statistics) {
        {
            let mut b = self.batches.lock().unwrap();
            for t in stats.topics.values().filter(|t| t.batchsize.cnt > 0) {
                b.0 += t.batchsize.sum as f64;
                b.1 += t.batchsize.cnt as f64;
            }
        }
        *self.stats.lock().unwrap() = Some(stats);
        self.stats_seen.fetch_add(1, Ordering::Relaxed);
    }
}

/// The delivery opaque of a warm-up record (`produce.warmup_records`): not timed.
const WARMUP_OPAQUE: usize = usize::MAX;

impl ProducerContext for Deliveries {
    /// The send time, in nanoseconds since `base`.
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, sent_ns: usize) {
        let now_ns = self.base.elapsed().as_nanos() as u64;
        match result {
            Ok(m) => {
                use rdkafka::message::Message;
                self.acked.fetch_add(1, Ordering::Relaxed);
                *self
                    .per_partition
                    .lock()
                    .unwrap()
                    .entry(m.partition())
                    .or_default() += 1;
                self.bytes
                    .fetch_add(m.payload_len() as u64, Ordering::Relaxed);
                self.last_ack_ns.fetch_max(now_ns, Ordering::Relaxed);
                if let Some(book) = &self.book {
                    book.acked(m.key(), now_ns);
                }
                // A warm-up record (WARMUP_OPAQUE) is acknowledged and counted, not timed.
                if sent_ns != WARMUP_OPAQUE {
                    let us = now_ns.saturating_sub(sent_ns as u64) / 1000;
                    self.latency.lock().unwrap().saturating_record(us.max(1));
                }
            }
            Err((e, _)) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                if let Some(book) = &self.book {
                    book.failed(reason(e));
                }
                self.first_error
                    .lock()
                    .unwrap()
                    .get_or_insert_with(|| e.to_string());
            }
        }
    }
}

/// Runs the producer of `spec`, filling `result`.
pub fn produce(spec: &Spec, result: &mut DriverResult) -> Result<()> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(spec.timeout_s);
    let produce = spec
        .produce
        .as_ref()
        .context("a produce spec without `produce`")?;
    // The orchestrator's payload file, read as a user's length-prefixed sample is.
    let payload = Payload::from_file(&produce.payload_file, FileFormat::LengthPrefixed)?;
    anyhow::ensure!(
        !spec.partitions.is_empty(),
        "a produce spec without partitions"
    );
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &spec.bootstrap_servers)
        .set("statistics.interval.ms", STATS_INTERVAL_MS.to_string());
    for (key, value) in &spec.properties {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        config.set(key, text);
    }
    result.client_config = super::resolved_config(&config).ok();
    let context = Deliveries {
        base: Instant::now(),
        acked: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        bytes: AtomicU64::new(0),
        last_ack_ns: AtomicU64::new(0),
        latency: Mutex::new(latency::new_histogram()),
        per_partition: Mutex::new(Default::default()),
        first_error: Mutex::new(None),
        stats: Mutex::new(None),
        stats_seen: AtomicU64::new(0),
        batches: Mutex::new((0.0, 0.0)),
        book: produce
            .accounting
            .clone()
            .map(|a| super::book::Book::new(a, spec.messages)),
    };
    // Delivery reports are served by the producer's own polling thread as they come (it
    // blocks on librdkafka's queue, woken once per produce response), so that each record's
    // latency ends when librdkafka reports it. Polled from the sending loop instead, a report
    // that came while a paced loop slept (`--rate`) waited for the next send: up to 1 / rate,
    // 1 ms at 1,000 msg/s, counted as latency.
    let producer: ThreadedProducer<Deliveries> = config
        .create_with_context(context)
        .context("creating the librdkafka producer")?;
    // Ready once the cluster answered: metadata fetched, so the first send does not wait.
    producer
        .client()
        .fetch_metadata(
            Some(&spec.topic),
            deadline.saturating_duration_since(Instant::now()),
        )
        .with_context(|| format!("reading the metadata of {}", spec.topic))?;
    result.ready_unix_us = Some(protocol::now_unix_us());
    println!(r#"{{"event":"ready"}}"#);

    let ctx = producer.context();
    let interval = produce
        .rate_msgs_per_s
        .map(|r| Duration::from_secs_f64(1.0 / r));
    let mut buf: Vec<u8> = Vec::with_capacity(payload.max_value_len());
    let mut queue_full_waits = 0u64;
    let first_ns = ctx.base.elapsed().as_nanos() as u64;
    result.first_record_unix_us = Some(protocol::now_unix_us());
    let t0 = Instant::now();
    let t0_us = protocol::now_unix_us();
    let mut last_progress = Instant::now();
    let producer_id = produce.accounting.as_ref().map(|a| a.producer_id);
    if let Some(book) = &ctx.book {
        book.started(first_ns);
    }
    for i in 0..spec.messages {
        if let Some(every) = interval {
            let due = t0 + every * i as u32;
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        // One clock reading per record: its send time (the latency counts from it, a wait
        // for room in the queue included, as Java's blocking send() counts) and, unpaced, its
        // stamp; paced, the stamp is the time it was due (coordinated omission).
        let sent_ns = ctx.base.elapsed().as_nanos() as u64;
        let stamp = match interval {
            Some(every) => t0_us + (every.as_micros() as u64) * i,
            None => t0_us + sent_ns.saturating_sub(first_ns) / 1000,
        };
        payload.fill(i, stamp, &mut buf);
        // The latency's start: the send, or (capacity steps) the time the record was due.
        let start_ns = match (interval, produce.latency_from_intended) {
            (Some(every), true) => first_ns + (every.as_nanos() as u64) * i,
            _ => sent_ns,
        };
        let opaque = if i < produce.warmup_records {
            WARMUP_OPAQUE
        } else {
            start_ns as usize
        };
        let partition = spec.partitions[(i % spec.partitions.len() as u64) as usize].partition;
        let key = producer_id.map(|p| crate::fault::keys::key(p, i));
        loop {
            let mut record = BaseRecord::<[u8], [u8], usize>::with_opaque_to(&spec.topic, opaque)
                .partition(partition)
                .payload(&buf[..]);
            if let Some(k) = &key {
                record = record.key(&k[..]);
            }
            match producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    queue_full_waits += 1;
                    // Room comes with the delivery reports, which the polling thread serves.
                    // Not `producer.poll(1 ms)`: rust-rdkafka's poll loops until its deadline
                    // and asks librdkafka in whole milliseconds, so under a millisecond left it
                    // spins on the clock; on a full queue (acks=all on three brokers) that
                    // spinning took 2.8 times rdkafka_performance's CPU per message.
                    std::thread::sleep(QUEUE_FULL_PAUSE);
                    anyhow::ensure!(
                        Instant::now() < deadline,
                        "timed out after {} s with {i} of {} records sent",
                        spec.timeout_s,
                        spec.messages
                    );
                }
                // A fault run counts a refused send by its reason and goes on.
                Err((e, _)) => match &ctx.book {
                    Some(book) => {
                        book.failed(format!("send: {}", reason(&e)));
                        break;
                    }
                    None => anyhow::bail!("sending record {i} failed: {e}"),
                },
            }
        }
        if i % 1024 == 1023 && last_progress.elapsed() >= Duration::from_millis(250) {
            println!(
                r#"{{"event":"progress","messages":{}}}"#,
                ctx.acked.load(Ordering::Relaxed)
            );
            last_progress = Instant::now();
        }
    }
    let flushed = producer.flush(deadline.saturating_duration_since(Instant::now()));
    let acked = ctx.acked.load(Ordering::Relaxed);
    println!(r#"{{"event":"progress","messages":{acked}}}"#);
    // One more statistics document, so the request counts cover the whole run.
    let seen = ctx.stats_seen.load(Ordering::Relaxed);
    let until = (Instant::now() + Duration::from_millis(STATS_INTERVAL_MS * 3)).min(deadline);
    while Instant::now() < until && ctx.stats_seen.load(Ordering::Relaxed) == seen {
        // The polling thread serves the statistics; see QUEUE_FULL_PAUSE for why not poll.
        std::thread::sleep(Duration::from_millis(5));
    }

    let last_ns = ctx.last_ack_ns.load(Ordering::Relaxed);
    result.messages = acked;
    result.bytes = ctx.bytes.load(Ordering::Relaxed);
    result.send_s = (acked > 0).then(|| last_ns.saturating_sub(first_ns) as f64 / 1e9);
    result.last_record_unix_us = result
        .first_record_unix_us
        .zip(result.send_s)
        .map(|(first, s)| first + (s * 1e6) as u64);
    result.ack_latency_histogram = Some(latency::encode(&ctx.latency.lock().unwrap())?);
    result.produce_errors = Some(ctx.errors.load(Ordering::Relaxed));
    result.queue_full_waits = Some(queue_full_waits);
    result.per_partition = ctx
        .per_partition
        .lock()
        .unwrap()
        .iter()
        .map(|(p, n)| (p.to_string(), *n))
        .collect();
    result.assigned_partitions = spec.partitions.iter().map(|p| p.partition).collect();
    result.rebalances = Some(0);
    fill_stats(ctx, result);
    if let Some(book) = &ctx.book {
        book.write(spec.messages)?;
    }
    if let Some(e) = ctx
        .first_error
        .lock()
        .unwrap()
        .clone()
        .filter(|_| ctx.book.is_none())
    {
        anyhow::bail!(
            "{} of {} records failed to be delivered; the first: {e}",
            ctx.errors.load(Ordering::Relaxed),
            spec.messages
        );
    }
    if let Err(e) = flushed {
        anyhow::bail!(
            "timed out after {} s with {acked} of {} records acknowledged: {e}",
            spec.timeout_s,
            spec.messages
        );
    }
    // A fault run's losses are its measurement (the book), not a failure.
    anyhow::ensure!(
        acked == spec.messages || ctx.book.is_some(),
        "{acked} of {} records acknowledged",
        spec.messages
    );
    result.status = Some(Status::Ok);
    Ok(())
}

/// An error's reason, as the book counts it: librdkafka's error code when it has one.
fn reason(e: &KafkaError) -> String {
    match e.rdkafka_error_code() {
        Some(code) => format!("{code:?}"),
        None => e.to_string(),
    }
}

/// The producer's own counts from the last statistics document.
fn fill_stats(ctx: &Deliveries, result: &mut DriverResult) {
    let stats = ctx.stats.lock().unwrap();
    let Some(stats) = stats.as_ref() else { return };
    // Real brokers only (nodeid >= 0), not the bootstrap placeholder.
    let brokers: Vec<_> = stats.brokers.values().filter(|b| b.nodeid >= 0).collect();
    let requests: i64 = brokers
        .iter()
        .map(|b| b.req.get("Produce").copied().unwrap_or(0))
        .sum();
    let wire: u64 = brokers.iter().map(|b| b.txbytes).sum();
    result.produce_requests = Some(requests as f64);
    result.retries = Some(brokers.iter().map(|b| b.txretries).sum());
    result.bytes_on_wire = Some(wire);
    if requests > 0 {
        result.records_per_request_avg = Some(result.messages as f64 / requests as f64);
    }
    let (sum, count) = *ctx.batches.lock().unwrap();
    if count > 0.0 {
        result.batch_size_avg_bytes = Some(sum / count);
    }
    result.client_metrics = [
        ("brokers.req.Produce", requests as f64),
        ("brokers.txbytes", wire as f64),
        ("txmsgs", stats.txmsgs as f64),
        ("txmsg_bytes", stats.txmsg_bytes as f64),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
}
