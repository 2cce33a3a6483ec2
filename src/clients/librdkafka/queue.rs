//! The queue the assigned partitions' messages are routed to, read in batches.
//!
//! rust-rdkafka's `BaseConsumer::poll` hands over one message per call, and each call takes
//! the queue lock, reads the clock several times (a fifth of the thread's time in `perf`) and
//! allocates: at 100-byte messages the driver reached 1.2-1.4 M msg/s where
//! `rdkafka_performance -C` reached 1.9-2.4 M (`bench/peers.py`). `rd_kafka_consume_batch_queue`
//! takes every queued message in one call, as `rdkafka_performance` does, and librdkafka's own
//! fetch thread becomes the bottleneck again. It must not read the
//! consumer queue itself: it would serve statistics and rebalance events with no callback
//! (librdkafka's `rd_kafka_poll_cb`, `RD_KAFKA_Q_CB_RETURN`), losing the statistics and
//! answering a rebalance with an unassign. So each partition's fetch queue is forwarded here
//! (`rd_kafka_queue_forward` marks it as the application's, so librdkafka's fetch start keeps
//! it), and the consumer queue is left to `BaseConsumer::poll` for the events.

use std::ffi::CString;
use std::time::Duration;

use anyhow::{Context, Result};
use rdkafka::bindings as rd;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::RDKafkaErrorCode;

/// A librdkafka queue of messages; destroy it (drop) before its consumer.
pub struct MessageQueue {
    queue: *mut rd::rd_kafka_queue_t,
    batch: Vec<*mut rd::rd_kafka_message_t>,
    routed: usize,
}

impl MessageQueue {
    pub fn new<C: ConsumerContext>(consumer: &BaseConsumer<C>) -> Result<Self> {
        // SAFETY: the client pointer is valid while `consumer` lives; the caller drops this
        // queue before the consumer.
        let queue = unsafe { rd::rd_kafka_queue_new(consumer.client().native_ptr()) };
        anyhow::ensure!(!queue.is_null(), "librdkafka could not create a queue");
        Ok(Self {
            queue,
            batch: Vec::new(),
            routed: 0,
        })
    }

    /// Sends the messages of `topic` `partition` here from now on; messages already on their
    /// way to the consumer queue stay there.
    pub fn route<C: ConsumerContext>(
        &mut self,
        consumer: &BaseConsumer<C>,
        topic: &str,
        partition: i32,
    ) -> Result<()> {
        let name = CString::new(topic).context("a topic name with a NUL byte")?;
        // SAFETY: valid client pointer and C string; the partition queue handle is only used
        // here and destroyed at once (the forwarding stays).
        unsafe {
            let partition_queue = rd::rd_kafka_queue_get_partition(
                consumer.client().native_ptr(),
                name.as_ptr(),
                partition,
            );
            anyhow::ensure!(
                !partition_queue.is_null(),
                "librdkafka has no queue for {topic} [{partition}]"
            );
            rd::rd_kafka_queue_forward(partition_queue, self.queue);
            rd::rd_kafka_queue_destroy(partition_queue);
        }
        self.routed += 1;
        Ok(())
    }

    /// Whether any partition is routed here yet (subscribe: not before the first assignment).
    pub fn has_routes(&self) -> bool {
        self.routed > 0
    }

    /// Waits up to `timeout` for the first message, then takes what is already queued, up to
    /// `max` entries in all. Each message goes to `each` as `Ok((partition, offset, value))`, each
    /// consume error as `Err(reason)`. Returns the messages handed over (errors not counted).
    pub fn take(
        &mut self,
        timeout: Duration,
        max: usize,
        mut each: impl FnMut(std::result::Result<(i32, i64, &[u8]), String>),
    ) -> usize {
        self.batch.clear();
        self.batch.reserve(max);
        let timeout_ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        // SAFETY: `batch` has room for `max` pointers, which librdkafka fills from the start
        // and counts in its return value.
        let filled = unsafe {
            let n = rd::rd_kafka_consume_batch_queue(
                self.queue,
                timeout_ms,
                self.batch.as_mut_ptr(),
                max,
            );
            let n = n.max(0) as usize;
            self.batch.set_len(n);
            n
        };
        let mut handed = 0;
        for &message in &self.batch[..filled] {
            // SAFETY: librdkafka returned a valid message, ours until destroyed just below.
            let m = unsafe { &*message };
            if m.err == rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                let value = if m.payload.is_null() {
                    &[][..]
                } else {
                    // SAFETY: payload points to `len` bytes owned by the message.
                    unsafe { std::slice::from_raw_parts(m.payload as *const u8, m.len) }
                };
                each(Ok((m.partition, m.offset, value)));
                handed += 1;
            } else {
                each(Err(format!(
                    "consume error on partition {}: {}",
                    m.partition,
                    RDKafkaErrorCode::from(m.err)
                )));
            }
            // SAFETY: each message is destroyed once, after its last use.
            unsafe { rd::rd_kafka_message_destroy(message) };
        }
        self.batch.clear();
        handed
    }
}

/// How many events wait on the consumer queue (statistics, rebalances, errors, messages of
/// partitions not routed yet). `BaseConsumer::poll` serves one event per call and then
/// returns `None` as if the queue were empty.
pub fn consumer_queue_len<C: ConsumerContext>(consumer: &BaseConsumer<C>) -> usize {
    // SAFETY: valid client pointer; the queue handle is a new reference, destroyed at once.
    unsafe {
        let queue = rd::rd_kafka_queue_get_consumer(consumer.client().native_ptr());
        if queue.is_null() {
            return 0;
        }
        let n = rd::rd_kafka_queue_length(queue);
        rd::rd_kafka_queue_destroy(queue);
        n
    }
}

impl Drop for MessageQueue {
    fn drop(&mut self) {
        // SAFETY: created by rd_kafka_queue_new and destroyed once; messages still queued are
        // purged by librdkafka.
        unsafe { rd::rd_kafka_queue_destroy(self.queue) };
    }
}
