//! The built-in librdkafka producer that fills the workload topic as fast as the broker
//! takes the messages.

use std::time::{Duration, Instant};

use anyhow::Result;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, DefaultProducerContext, Producer, PurgeConfig};

use crate::broker::ClientProps;
use crate::error;

/// Producer settings for throughput; the user's `--command-config` comes on top.
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

/// Produces `count` messages of `size` bytes to `topic`, spread evenly over `partitions`,
/// and waits until every one is acknowledged. Returns the seconds it took.
pub fn produce(
    bootstrap: &str,
    props: &ClientProps,
    topic: &str,
    partitions: &[i32],
    count: u64,
    size: u32,
    timeout: Duration,
) -> Result<f64> {
    let producer: BaseProducer<DefaultProducerContext> = config(bootstrap, props).create()?;
    let started = Instant::now();
    let deadline = started + timeout;
    let mut buf = Vec::with_capacity(size as usize);
    let now_us = crate::clients::protocol::now_unix_us();
    for i in 0..count {
        super::payload(size as usize, now_us, &mut buf);
        let partition = partitions[(i % partitions.len() as u64) as usize];
        loop {
            let record: BaseRecord<'_, (), [u8]> =
                BaseRecord::to(topic).partition(partition).payload(&buf[..]);
            match producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    producer.poll(Duration::from_millis(10));
                    if Instant::now() > deadline {
                        return Err(error::env(format!("producing to {topic} stalled: {i} of {count} messages queued after {} s", timeout.as_secs())));
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
                        "the same command tops the topic up (on your own cluster, with --prepare)",
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
                timeout.as_secs()
            ))
        })?;
    let produce_s = started.elapsed().as_secs_f64();
    // The same span ProducerPerformance reports: producer created to every message acknowledged.
    eprintln!(
        "kafkatune: produced {count} messages in {produce_s:.3} s ({:.0} msg/s, all acknowledged)",
        count as f64 / produce_s
    );
    Ok(produce_s)
}
