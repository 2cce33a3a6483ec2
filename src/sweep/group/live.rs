//! Live group runs: `consumers` members of one consumer group (or share group) read what
//! kafkatune's paced producer sends, end-to-end latency taken from each record's scheduled
//! send time.
//!
//! The producer waits for the group: it starts once the group is complete and balanced (the
//! moment the start file is made), so no member's start-up or rebalance counts as latency,
//! and the warm-up runs from there. Its schedule sends round robin over the partitions, so
//! each partition's share of the run's messages is known before the run
//! (`Schedule::per_partition`): each partition's range is `[end offset, end offset + its
//! share)` and the group's exact count works as for a backlog. The members learn the
//! warm-up's end only then, from the start file's content (docs/driver-protocol.md, "Live
//! groups"): the spec's `live.warmup_end_unix_us` is a placeholder no record reaches.

use super::{GroupOutcome, GroupRun, Hook};
use crate::broker::admin::PartitionOffsets;
use crate::broker::ClientProps;
use crate::clients::protocol::{now_unix_us, LiveSpec, PartitionStart, Spec};
use crate::results::Status;
use crate::sweep::cluster::SweepCluster;
use crate::sweep::record::LiveRun;
use crate::workload::live::{LiveProducer, Schedule};

/// What a live run adds to a group run: the ranges from the end offsets, the paced producer
/// started with the start file, the lag as sent less counted.
pub struct Live<'a> {
    cluster: &'a dyn SweepCluster,
    /// The run's schedule; its `t0_us` is set when the group is complete.
    schedule: Schedule,
    producer_props: &'a ClientProps,
    /// How long after the start file the first message is due.
    head_start_s: f64,
    warmup_s: f64,
    /// The partitions' offsets just before the run.
    ends: Vec<PartitionOffsets>,
    /// What the group's kind adds (a share group's configuration), or nothing.
    inner: &'a mut dyn Hook,
    producer: Option<LiveProducer>,
    failed: Option<anyhow::Error>,
    warmup_end_unix_us: u64,
    produced: Option<anyhow::Result<crate::workload::live::LiveOutcome>>,
}

impl<'a> Live<'a> {
    pub fn new(
        cluster: &'a dyn SweepCluster,
        schedule: Schedule,
        producer_props: &'a ClientProps,
        (head_start_s, warmup_s): (f64, f64),
        ends: Vec<PartitionOffsets>,
        inner: &'a mut dyn Hook,
    ) -> Live<'a> {
        Live {
            cluster,
            schedule,
            producer_props,
            head_start_s,
            warmup_s,
            ends,
            inner,
            producer: None,
            failed: None,
            warmup_end_unix_us: 0,
            produced: None,
        }
    }

    /// The producer's side of the run, for its record (after [`super::run_on`]).
    pub fn into_live_run(mut self) -> LiveRun {
        let producer = self.produced.take().unwrap_or_else(|| {
            Err(self.failed.take().unwrap_or_else(|| {
                anyhow::anyhow!("the group never became complete, so the producer never started")
            }))
        });
        LiveRun {
            target_rate: self.schedule.rate,
            pipeline: false,
            warmup_end_unix_us: self.warmup_end_unix_us,
            producer,
        }
    }
}

/// Each partition's range of a live run: from its end offset, its share of the schedule.
pub fn live_ranges(ends: &[PartitionOffsets], schedule: &Schedule) -> Vec<PartitionStart> {
    schedule
        .per_partition()
        .into_iter()
        .filter_map(|(partition, n)| {
            let end = ends.iter().find(|p| p.partition == partition)?;
            Some(PartitionStart {
                partition,
                start_offset: end.high,
                end_offset: Some(end.high + n as i64),
            })
        })
        .collect()
}

impl Hook for Live<'_> {
    fn ranges(&self, _g: &GroupRun, messages: u64) -> Option<Vec<PartitionStart>> {
        let ranges = live_ranges(&self.ends, &self.schedule);
        let total: i64 = ranges
            .iter()
            .map(|r| r.end_offset.unwrap_or(r.start_offset) - r.start_offset)
            .sum();
        (ranges.len() == self.ends.len() && total == messages as i64).then_some(ranges)
    }

    fn before(&mut self, g: &GroupRun) -> std::result::Result<(), String> {
        self.inner.before(g)
    }

    fn member(&mut self, spec: &mut Spec) {
        self.inner.member(spec);
        // A placeholder past the run's end: a driver that did not read the start file's
        // warm-up end records no latency at all, and the run fails saying so.
        spec.live = Some(LiveSpec {
            warmup_end_unix_us: now_unix_us() + ((spec.timeout_s + 3600.0) * 1e6) as u64,
        });
    }

    fn share_group(&self) -> bool {
        self.inner.share_group()
    }

    fn on_start(&mut self) -> std::result::Result<Vec<u8>, String> {
        self.inner.on_start()?;
        let t0_us = now_unix_us() + (self.head_start_s * 1e6) as u64;
        self.warmup_end_unix_us = t0_us + (self.warmup_s * 1e6) as u64;
        let mut schedule = self.schedule.clone();
        schedule.t0_us = t0_us;
        match self
            .cluster
            .start_live_producer(schedule, self.producer_props)
        {
            Ok(p) => {
                self.producer = Some(p);
                Ok(format!("{}\n", self.warmup_end_unix_us).into_bytes())
            }
            Err(e) => {
                let why = format!("live producer: {e:#}");
                self.failed = Some(e);
                Err(why)
            }
        }
    }

    fn outstanding(&self, counted: u64) -> Option<u64> {
        Some(
            self.producer
                .as_ref()
                .map_or(0, |p| p.sent().saturating_sub(counted)),
        )
    }

    fn finish(&mut self, out: &mut GroupOutcome) {
        self.inner.finish(out);
        if let Some(p) = self.producer.take() {
            let ok = out
                .combined
                .result
                .as_ref()
                .is_some_and(|r| r.status == Some(Status::Ok))
                && out.combined.failure.is_none();
            if !ok {
                p.stop();
            }
            self.produced = Some(p.join());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_range_starts_at_the_end_offset_and_holds_the_partition_s_share() {
        let ends = [
            PartitionOffsets {
                partition: 0,
                low: 0,
                high: 100,
            },
            PartitionOffsets {
                partition: 1,
                low: 5,
                high: 7,
            },
        ];
        let schedule = Schedule {
            topic: "t".into(),
            partitions: vec![0, 1],
            rate: Some(10.0),
            count: 5,
            payload: std::sync::Arc::new(crate::workload::payload::Payload::generate(
                crate::workload::payload::PayloadKind::Zeros,
                16,
                1,
            )),
            t0_us: 0,
        };
        let r = live_ranges(&ends, &schedule);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].start_offset, r[0].end_offset), (100, Some(103)));
        assert_eq!((r[1].start_offset, r[1].end_offset), (7, Some(9)));
    }
}
