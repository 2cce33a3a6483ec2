//! The paced producer of live runs: sends on a fixed schedule, each message carrying its
//! *intended* send time, so a stalled producer cannot hide latency (coordinated omission).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Result;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

use crate::broker::ClientProps;

/// What the paced producer did.
#[derive(Debug, Clone, Copy)]
pub struct LiveOutcome {
    pub sent: u64,
    /// Messages per second over the schedule actually achieved.
    pub rate_msgs_per_s: f64,
    /// How far the producer fell behind its schedule at worst.
    pub max_behind_s: f64,
}

/// A producer thread running the schedule; `stop` ends it early (a failed consumer).
pub struct LiveProducer {
    handle: JoinHandle<Result<LiveOutcome>>,
    stop: Arc<AtomicBool>,
    sent: Arc<std::sync::atomic::AtomicU64>,
}

/// One run's schedule: `count` messages at `rate` per second from `t0_us` on, or (no rate:
/// the pipeline mode) as fast as the producer takes them, each stamped when it is sent.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub topic: String,
    pub partitions: Vec<i32>,
    pub rate: Option<f64>,
    pub count: u64,
    /// The record bodies, stamped with each message's intended send time.
    pub payload: std::sync::Arc<super::payload::Payload>,
    pub t0_us: u64,
}

impl Schedule {
    /// The partition message `i` goes to: round robin over `partitions`, in their order.
    pub fn partition_of(&self, i: u64) -> i32 {
        self.partitions[(i % self.partitions.len() as u64) as usize]
    }

    /// How many of the `count` messages each partition gets, in `partitions`' order: known
    /// before the run, so that a group's consumers can count exact ranges from the end offsets.
    pub fn per_partition(&self) -> Vec<(i32, u64)> {
        let n = self.partitions.len() as u64;
        self.partitions
            .iter()
            .enumerate()
            .map(|(j, p)| (*p, self.count / n + u64::from((j as u64) < self.count % n)))
            .collect()
    }
}

impl LiveProducer {
    /// Starts sending at once; returns when the producer is connected and sending.
    pub fn start(bootstrap: &str, props: &ClientProps, schedule: Schedule) -> Result<LiveProducer> {
        let mut config = super::producer::config(bootstrap, props);
        // linger 0 unless the trial sweeps it: batching adds producer-side delay to the
        // latency measured, which is what a trial of linger.ms wants to see.
        if !props.contains_key("linger.ms") && !props.contains_key("queue.buffering.max.ms") {
            config.set("linger.ms", "0");
        }
        let producer: BaseProducer = config.create()?;
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (flag, count) = (stop.clone(), sent.clone());
        let handle = std::thread::Builder::new()
            .name("live-producer".into())
            .spawn(move || run(&producer, &schedule, &flag, &count))?;
        Ok(LiveProducer { handle, stop, sent })
    }

    /// Messages handed to the client so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    pub fn join(self) -> Result<LiveOutcome> {
        self.handle
            .join()
            .map_err(|_| anyhow::anyhow!("the live producer thread panicked"))?
    }
}

fn run(
    producer: &BaseProducer,
    s: &Schedule,
    stop: &AtomicBool,
    count: &std::sync::atomic::AtomicU64,
) -> Result<LiveOutcome> {
    let now_us = crate::clock::now_unix_us();
    // Map the wall-clock schedule onto the monotonic clock once.
    let start = Instant::now() + Duration::from_micros(s.t0_us.saturating_sub(now_us));
    let interval_us = s.rate.map_or(0.0, |r| 1e6 / r);
    let mut buf = Vec::with_capacity(s.payload.max_value_len());
    let mut max_behind = 0f64;
    let mut sent = 0;
    for i in 0..s.count {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let offset = Duration::from_micros((i as f64 * interval_us) as u64);
        let stamp = if s.rate.is_some() {
            let due = start + offset;
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            } else {
                max_behind = f64::max(max_behind, (now - due).as_secs_f64());
            }
            s.t0_us + offset.as_micros() as u64
        } else {
            crate::clock::now_unix_us()
        };
        s.payload.fill(i, stamp, &mut buf);
        let partition = s.partition_of(i);
        loop {
            match producer.send(
                BaseRecord::<(), [u8]>::to(&s.topic)
                    .partition(partition)
                    .payload(&buf[..]),
            ) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    producer.poll(Duration::from_millis(1));
                }
                Err((e, _)) => anyhow::bail!("the live producer failed: {e}"),
            }
        }
        producer.poll(Duration::ZERO);
        sent += 1;
        count.store(sent, Ordering::Relaxed);
    }
    // Measured at the last send: on schedule this is (sent - 1) intervals.
    let elapsed = start.elapsed().as_secs_f64();
    producer.flush(Duration::from_secs(30))?;
    let achieved = if sent > 1 && elapsed > 0.0 {
        (sent - 1) as f64 / elapsed
    } else {
        0.0
    };
    Ok(LiveOutcome {
        sent,
        rate_msgs_per_s: achieved,
        max_behind_s: max_behind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_partition_s_share_is_what_the_round_robin_sends_it() {
        for (partitions, count) in [
            (vec![0, 1], 10),
            (vec![2, 0, 1], 11),
            (vec![5], 7),
            (vec![0, 1, 2, 3], 2),
        ] {
            let s = Schedule {
                topic: "t".into(),
                partitions,
                rate: Some(1.0),
                count,
                payload: Arc::new(crate::workload::payload::Payload::generate(
                    crate::workload::payload::PayloadKind::Zeros,
                    16,
                    1,
                )),
                t0_us: 0,
            };
            let mut sent: std::collections::BTreeMap<i32, u64> = Default::default();
            for i in 0..s.count {
                *sent.entry(s.partition_of(i)).or_default() += 1;
            }
            let split = s.per_partition();
            assert_eq!(split.iter().map(|(_, n)| n).sum::<u64>(), s.count);
            for (p, n) in split {
                assert_eq!(sent.get(&p).copied().unwrap_or(0), n, "partition {p}");
            }
        }
    }
}
