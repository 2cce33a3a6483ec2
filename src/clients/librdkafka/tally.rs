//! What the built-in driver's poll loop counted so far, and how it spent its time between
//! polls (processing, poll intervals).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::super::latency::LatencyRecorder;
use super::super::protocol::{self, DriverResult};
use super::lag::LagSampler;
use crate::workload::processing::PollIntervals;

/// What the loop counted so far.
#[derive(Default)]
pub(super) struct Tally {
    pub count: u64,
    pub bytes: u64,
    pub polls: u64,
    pub empty: u64,
    pub max_batch: u64,
    pub per_partition: BTreeMap<i32, u64>,
    pub first: Option<Instant>,
    pub last: Option<Instant>,
    /// Subscribe: the offset after the last record handed over, by partition (-1: none).
    pub positions: Vec<i64>,
    /// Subscribe: the offset after the last record counted, by partition (-1: none). A
    /// record below it was counted already (redelivered after the member lost its
    /// partitions without committing, e.g. past max.poll.interval.ms): not counted again.
    pub counted_to: Vec<i64>,
    /// Time spent processing (`spec.processing`), in all.
    pub processing: Duration,
    pub intervals: PollIntervals,
    /// The lag the polls saw (`records_lag_max` with the statistics' figure).
    pub lag: LagSampler,
}

impl Tally {
    pub fn record(
        &mut self,
        partition: i32,
        value: &[u8],
        latency: Option<(&mut LatencyRecorder, u64)>,
    ) {
        self.count += 1;
        self.bytes += value.len() as u64;
        *self.per_partition.entry(partition).or_insert(0) += 1;
        if let Some((recorder, stamp_us)) = latency {
            recorder.record(value, stamp_us);
        }
    }

    pub fn save(&self, result: &mut DriverResult) {
        result.messages = self.count;
        result.bytes = self.bytes;
        result.polls = Some(self.polls);
        result.empty_polls = Some(self.empty);
        result.records_per_poll_max = Some(self.max_batch);
        result.per_partition = self
            .per_partition
            .iter()
            .map(|(p, n)| (p.to_string(), *n))
            .collect();
        if let (Some(first), Some(last)) = (self.first, self.last) {
            let now_us = protocol::now_unix_us();
            let since = |t: Instant| now_us.saturating_sub(t.elapsed().as_micros() as u64);
            result.first_record_unix_us = Some(since(first));
            result.last_record_unix_us = Some(since(last));
            result.consume_s = Some(last.duration_since(first).as_secs_f64());
        }
        result.processing_s = Some(self.processing.as_secs_f64());
        result.poll_interval_avg_ms = self.intervals.avg_ms();
        result.poll_interval_max_ms = self.intervals.max_ms();
        result.records_lag_max = self.lag.max().map(|v| v as f64);
    }

    /// Subscribe: whether the record at `offset` of `partition` is new to this consumer
    /// (then it is marked counted).
    pub fn first_time(&mut self, partition: i32, offset: i64) -> bool {
        let i = partition.max(0) as usize;
        if self.counted_to.len() <= i {
            self.counted_to.resize(i + 1, -1);
        }
        if offset < self.counted_to[i] {
            return false;
        }
        self.counted_to[i] = offset + 1;
        true
    }
}
