//! Warms a freshly started embedded cluster before the first measured run: its brokers are
//! JVMs whose produce, replication and fetch paths run interpreted until the JIT has compiled
//! them, so the first run of a sweep was slow for reasons of its place in the order (a
//! pipeline at 20,000 msg/s, `acks=all`, three brokers: p99 1,499 ms in the first run, 12 to
//! 71 ms in the four after it; docs/method.md, "A warm cluster").
//!
//! The warm-up writes to the sweep's topic when the runs start from its end or empty it, and
//! to a topic of its own for a drain (whose topic holds an exact count), with the sweep's
//! replication; a consumer in a group reads it back meanwhile, so the fetch path and the
//! group coordinator (a fresh cluster creates `__consumer_offsets` at the first group) are
//! warmed too. It goes in rounds of one second at full speed until a round's acknowledged rate is
//! within `STEADY` of the round before (after at least `MIN_ROUNDS`), or the time allowed
//! runs out; then the topic is deleted.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer, ProducerContext};

use crate::broker::{admin, Cluster};
use crate::results::ClusterWarmup;

/// Rounds always made: the first is the slowest, and the rate may climb for five.
pub const MIN_ROUNDS: usize = 6;
/// A round within this fraction of the round before counts as steady.
pub const STEADY: f64 = 0.10;
/// The warm-up's own topic and group (deleted after it).
pub const TOPIC: &str = "kafkatune-cluster-warmup";
const GROUP: &str = "kafkatune-cluster-warmup";

/// Counts the acknowledged records.
#[derive(Default)]
struct Acked(AtomicU64);

impl ClientContext for Acked {}

impl ProducerContext for Acked {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &rdkafka::message::DeliveryResult<'_>, _: ()) {
        if result.is_ok() {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Whether the rounds so far are steady: enough of them, and the last within `STEADY` of
/// the one before.
pub fn steady(rounds: &[f64]) -> bool {
    match rounds {
        [.., before, last] if rounds.len() >= MIN_ROUNDS && *before > 0.0 => {
            (last - before).abs() / before <= STEADY
        }
        _ => false,
    }
}

/// Warms `cluster` for at most `max` with records of `message_size` bytes. `sweep_topic`:
/// the sweep's own topic when its runs start from its end or empty it (live, pipeline,
/// produce), so that the very partitions measured are warm; `None` for a drain, whose topic
/// holds an exact count: then a topic of the warm-up's own with the sweep's replication and
/// at least one partition per broker, deleted after.
pub fn warm_up(
    cluster: &Cluster,
    sweep_topic: Option<&str>,
    partitions: u32,
    message_size: u32,
    max: Duration,
) -> Result<ClusterWarmup> {
    let (bootstrap, props) = (&cluster.bootstrap, &cluster.admin_props);
    let (topic, partitions) = match sweep_topic {
        Some(t) => (t, partitions.max(1) as i32),
        None => {
            let partitions = partitions.max(cluster.broker_count()).max(1) as i32;
            admin::create_topic_replicated(
                bootstrap,
                props,
                TOPIC,
                partitions,
                cluster.replication(),
                super::prepare::ADMIN_TIMEOUT,
            )?;
            (TOPIC, partitions)
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let reader = start_reader(bootstrap, props, topic, stop.clone())?;
    let produced = produce_rounds(bootstrap, props, topic, partitions, message_size, max);
    stop.store(true, Ordering::Relaxed);
    let consumed = reader.join().unwrap_or(0);
    let rounds = produced?;
    if sweep_topic.is_none() {
        // It would otherwise hold up to a few GB on the cluster's disks for the sweep.
        admin::delete_topic(bootstrap, props, TOPIC, super::prepare::ADMIN_TIMEOUT)?;
    }
    admin::delete_groups(
        bootstrap,
        props,
        &[GROUP.to_string()],
        Duration::from_secs(15),
    )?;
    Ok(ClusterWarmup {
        steady: steady(&rounds),
        seconds: rounds.len() as f64,
        consumed,
        rounds_msgs_per_s: rounds,
    })
}

fn produce_rounds(
    bootstrap: &str,
    props: &crate::broker::ClientProps,
    topic: &str,
    partitions: i32,
    message_size: u32,
    max: Duration,
) -> Result<Vec<f64>> {
    let mut settings = props.clone();
    settings.extend(
        super::producer::REALISTIC
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let producer: BaseProducer<Acked> =
        super::producer::config(bootstrap, &settings).create_with_context(Acked::default())?;
    let body = vec![b'w'; message_size as usize];
    let started = Instant::now();
    let mut rounds = Vec::new();
    let mut acked_before = 0;
    let mut i: u64 = 0;
    while started.elapsed() < max && !steady(&rounds) {
        let round_end = Instant::now() + Duration::from_secs(1);
        while Instant::now() < round_end {
            let record: BaseRecord<'_, (), [u8]> = BaseRecord::to(topic)
                .partition((i % partitions as u64) as i32)
                .payload(&body[..]);
            match producer.send(record) {
                Ok(()) => i += 1,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    producer.poll(Duration::from_millis(5));
                }
                Err((e, _)) => {
                    return Err(crate::error::env(format!(
                        "warming the cluster up: producing to {topic} failed: {e}"
                    )))
                }
            }
            if i.is_multiple_of(1000) {
                producer.poll(Duration::ZERO);
            }
        }
        producer.poll(Duration::ZERO);
        let acked = producer.context().0.load(Ordering::Relaxed);
        rounds.push((acked - acked_before) as f64);
        acked_before = acked;
        crate::interrupt::check(|| "interrupted while warming the cluster up".to_string())?;
    }
    // What is still queued is not waited for: the warm-up is over.
    producer.purge(rdkafka::producer::PurgeConfig::default().queue().inflight());
    let _ = producer.flush(Duration::from_secs(5));
    Ok(rounds)
}

/// Reads the warm-up topic from its start until told to stop; returns what it read.
fn start_reader(
    bootstrap: &str,
    props: &crate::broker::ClientProps,
    topic: &str,
    stop: Arc<AtomicBool>,
) -> Result<std::thread::JoinHandle<u64>> {
    let mut config = admin::client_config(bootstrap, props);
    // In a group that commits: a fresh cluster creates __consumer_offsets (50 partitions,
    // replicated) at the first group's FindCoordinator, which would otherwise fall in the
    // first measured run.
    config
        .set("group.id", GROUP)
        .set("enable.auto.commit", "true")
        .set("auto.commit.interval.ms", "200")
        .set("auto.offset.reset", "earliest");
    let consumer: BaseConsumer = config.create()?;
    consumer.subscribe(&[topic])?;
    Ok(std::thread::spawn(move || {
        let mut read = 0;
        while !stop.load(Ordering::Relaxed) {
            if let Some(Ok(_)) = consumer.poll(Duration::from_millis(100)) {
                read += 1;
            }
        }
        let _ = consumer.commit_consumer_state(rdkafka::consumer::CommitMode::Sync);
        read
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_needs_six_rounds_and_the_last_two_within_ten_percent() {
        assert!(!steady(&[]));
        assert!(!steady(&[100.0, 100.0]));
        assert!(!steady(&[20.0, 50.0, 100.0, 105.0, 105.0]));
        assert!(steady(&[1.0, 2.0, 20.0, 50.0, 100.0, 105.0]));
        assert!(!steady(&[1.0, 2.0, 20.0, 50.0, 100.0, 150.0]));
        assert!(!steady(&[1.0, 2.0, 20.0, 50.0, 100.0, 85.0]));
        assert!(steady(&[1.0, 2.0, 10.0, 50.0, 100.0, 180.0, 190.0]));
        assert!(!steady(&[0.0; 6]));
    }
}
