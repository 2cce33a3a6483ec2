//! The built-in librdkafka producer that fills the workload topic for consumer sweeps.
//!
//! It batches as real producers do: the Java client's defaults (`batch.size` 16384,
//! `linger.ms` 5), because a broker returns at least one whole record batch whatever
//! `max.partition.fetch.bytes` says (KIP-74, `ReplicaManager.readFromLocalLog` with
//! `minOneMessage`), so the fill's batch size decides what consumer fetch sizes can do.
//! `--fast-fill` writes 1 MB batches instead (as fast as the broker takes them), and
//! `--fill.config FILE` sets any producer property of the fill.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Result;
use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer, ProducerContext, PurgeConfig};
use rdkafka::statistics::Statistics;

use super::payload::Payload;
use crate::broker::ClientProps;
use crate::error;

/// The fill's batching unless told otherwise: the Java producer's defaults.
pub const REALISTIC: &[(&str, &str)] = &[("batch.size", "16384"), ("linger.ms", "5")];
/// `--fast-fill`: batches of about 1 MB, as fast as the broker takes them.
pub const FAST: &[(&str, &str)] = &[("batch.size", "1000000"), ("linger.ms", "5")];

/// Producer settings: acknowledged by every in-sync replica, a deep local queue, the
/// fill's batching (`fill`, librdkafka names) and the user's `--command-config` on top.
pub fn config(bootstrap: &str, props: &ClientProps) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", bootstrap)
        .set("acks", "all")
        .set("linger.ms", "5")
        .set("batch.size", "1000000")
        .set("queue.buffering.max.messages", "1000000")
        .set("queue.buffering.max.kbytes", "1048576")
        .set("compression.type", "none");
    for (k, v) in props {
        config.set(k, v);
    }
    config
}

/// What the fill did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Filled {
    pub produce_s: f64,
    /// The mean record batch the producer sent, in bytes (as sent: after compression).
    pub batch_size_avg_bytes: Option<f64>,
}

/// Batch sizes from the statistics documents (each covers the time since the previous one).
#[derive(Default)]
struct BatchSizes(Mutex<(f64, f64)>);

impl ClientContext for BatchSizes {
    fn stats(&self, stats: Statistics) {
        let mut b = self.0.lock().unwrap();
        for t in stats.topics.values().filter(|t| t.batchsize.cnt > 0) {
            b.0 += t.batchsize.sum as f64;
            b.1 += t.batchsize.cnt as f64;
        }
    }
}

impl ProducerContext for BatchSizes {
    type DeliveryOpaque = ();
    fn delivery(&self, _: &rdkafka::message::DeliveryResult<'_>, _: ()) {}
}

/// What to send: `count` values of `payload` to `topic`, spread evenly over `partitions`.
pub struct Fill<'a> {
    pub topic: &'a str,
    pub partitions: &'a [i32],
    pub count: u64,
    pub payload: &'a Payload,
    /// The fill's producer settings (librdkafka names), on top of `config`'s.
    pub settings: &'a ClientProps,
    pub timeout: Duration,
}

/// Produces the fill and waits until every message is acknowledged.
pub fn produce(bootstrap: &str, props: &ClientProps, fill: &Fill) -> Result<Filled> {
    let mut settings = fill.settings.clone();
    settings.insert("statistics.interval.ms".into(), "100".into());
    settings.extend(props.clone());
    let producer: BaseProducer<BatchSizes> =
        config(bootstrap, &settings).create_with_context(BatchSizes::default())?;
    let (topic, count) = (fill.topic, fill.count);
    let started = Instant::now();
    let deadline = started + fill.timeout;
    let mut buf = Vec::with_capacity(fill.payload.max_value_len());
    let now_us = crate::clock::now_unix_us();
    for i in 0..count {
        fill.payload.fill(i, now_us, &mut buf);
        let partition = fill.partitions[(i % fill.partitions.len() as u64) as usize];
        loop {
            let record: BaseRecord<'_, (), [u8]> =
                BaseRecord::to(topic).partition(partition).payload(&buf[..]);
            match producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    producer.poll(Duration::from_millis(10));
                    if Instant::now() > deadline {
                        return Err(error::env(format!("producing to {topic} stalled: {i} of {count} messages queued after {} s", fill.timeout.as_secs())));
                    }
                }
                Err((e, _)) => return Err(error::env(format!("producing to {topic} failed: {e}"))),
            }
        }
        if i % 10_000 == 0 {
            producer.poll(Duration::ZERO);
            if let Err(e) = crate::interrupt::check(|| {
                format!("interrupted while filling {topic}: {i} of {count} messages queued (what the broker acknowledged stays)")
            }) {
                // What is queued is dropped, so that the producer closes at once.
                producer.purge(PurgeConfig::default().queue().inflight());
                return Err(e
                    .with_hint(
                        "the same command tops the topic up (on your own cluster, with --allow-write)",
                    )
                    .into());
            }
        }
    }
    producer
        .flush(deadline.saturating_duration_since(Instant::now()))
        .map_err(|e| {
            error::env(format!(
                "not every message to {topic} was acknowledged within {} s: {e}",
                fill.timeout.as_secs()
            ))
        })?;
    let produce_s = started.elapsed().as_secs_f64();
    // One more statistics document, so the batch sizes cover the end of the fill.
    producer.poll(Duration::from_millis(150));
    let (sum, n) = *producer.context().0.lock().unwrap();
    let batch_size_avg_bytes = (n > 0.0).then(|| sum / n);
    // The same span ProducerPerformance reports: producer created to every message acknowledged.
    eprintln!(
        "kafkatune: produced {count} messages in {produce_s:.3} s ({:.0} msg/s, all acknowledged{})",
        count as f64 / produce_s,
        batch_size_avg_bytes.map_or(String::new(), |b| format!(", batches of {b:.0} B on average"))
    );
    Ok(Filled {
        produce_s,
        batch_size_avg_bytes,
    })
}
