//! The consumer's largest lag (`records_lag_max`): how far behind the partition's end the
//! consumer's position was, in records, at its worst.
//!
//! librdkafka's own `consumer_lag` statistic counts from the *committed* offset, and is -1
//! for a consumer that never commits (kafkatune never does), so it is not used. The lag is
//! taken from two sources, both an end offset against the position:
//! - each statistics document: per partition `hi_offset` (or `ls_offset` under
//!   read_committed, as librdkafka's STATISTICS.md has it for `consumer_lag`) minus
//!   `app_offset` (the offset after the last message handed to the application);
//! - the polls that handed records over, at most one each `POLL_SAMPLE_EVERY`: the high watermark of the partition's last fetch
//!   response (`rd_kafka_get_watermark_offsets`, cached, no request) minus the offset after
//!   the last record handed. A drain of 100,000 records can end within the first 100 ms
//!   statistics window, when the first fetch is N behind: without this sample the only
//!   document would come after the drain and show no lag.
//!
//! An offset librdkafka does not know yet is negative (-1001, `RD_KAFKA_OFFSET_INVALID`):
//! such a partition gives no figure. No figure at all is `None`, never 0.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::time::{Duration, Instant};

use rdkafka::bindings as rd;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::statistics::Statistics;

/// How often a poll samples the lag: each sample looks every partition up in librdkafka,
/// too much for every poll of one record, and 10 ms still gives a 100 ms drain ten samples.
const POLL_SAMPLE_EVERY: Duration = Duration::from_millis(10);

/// The largest lag seen so far, and where each partition's position stands.
#[derive(Default)]
pub(super) struct LagSampler {
    /// The offset after the last record handed over, by partition.
    next: BTreeMap<i32, i64>,
    max: Option<i64>,
    last_sample: Option<Instant>,
}

impl LagSampler {
    /// A record at `offset` of `partition` was handed to the application.
    pub fn handed(&mut self, partition: i32, offset: i64) {
        self.next.insert(partition, offset + 1);
    }

    /// Samples every partition handed records so far against its cached high watermark,
    /// unless the last sample is more recent than `POLL_SAMPLE_EVERY`.
    pub fn sample<C: ConsumerContext>(&mut self, consumer: &BaseConsumer<C>, topic: &str) {
        let now = Instant::now();
        if self
            .last_sample
            .is_some_and(|t| now.duration_since(t) < POLL_SAMPLE_EVERY)
        {
            return;
        }
        self.last_sample = Some(now);
        let Ok(topic) = CString::new(topic) else {
            return;
        };
        for (&partition, &next) in &self.next {
            let (mut low, mut high) = (-1i64, -1i64);
            // SAFETY: the client handle lives as long as `consumer`; the call only reads
            // librdkafka's cached offsets of a partition into the two locals.
            let err = unsafe {
                rd::rd_kafka_get_watermark_offsets(
                    consumer.client().native_ptr(),
                    topic.as_ptr(),
                    partition,
                    &mut low,
                    &mut high,
                )
            };
            if err == rd::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
                self.max = larger(self.max, lag(high, next));
            }
        }
    }

    /// Takes one statistics document's figures into account.
    /// (The consumer reads one topic: every topic in the document is its.)
    pub fn statistics(&mut self, stats: &Statistics, read_committed: bool) {
        let partitions = stats
            .topics
            .values()
            .flat_map(|t| t.partitions.values())
            // -1 is librdkafka's internal UA (unassigned) partition.
            .filter(|p| p.partition >= 0)
            .map(|p| {
                let end = if read_committed {
                    p.ls_offset
                } else {
                    p.hi_offset
                };
                (end, p.app_offset)
            });
        self.max = larger(self.max, max_lag(partitions));
    }

    /// The largest lag seen, if any figure was valid.
    pub fn max(&self) -> Option<i64> {
        self.max
    }
}

/// Whether librdkafka reads committed records only: its default is read_committed, unlike
/// Java's.
pub(super) fn is_read_committed(isolation: Option<&str>) -> bool {
    isolation.is_none_or(|v| !v.eq_ignore_ascii_case("read_uncommitted"))
}

/// The lag of a position against an end offset; none when either is still unknown.
fn lag(end: i64, position: i64) -> Option<i64> {
    // The end may lag the position by a window (it comes from an earlier fetch): no lag then.
    (end >= 0 && position >= 0).then(|| (end - position).max(0))
}

/// The largest lag over (end, position) pairs with both known.
fn max_lag(pairs: impl IntoIterator<Item = (i64, i64)>) -> Option<i64> {
    pairs.into_iter().filter_map(|(e, p)| lag(e, p)).max()
}

fn larger(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    a.max(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_offsets_give_no_figure_and_never_zero() {
        assert_eq!(
            max_lag([(-1001, -1001), (100_000, -1001), (-1001, 5)]),
            None
        );
        assert_eq!(max_lag([]), None);
    }

    #[test]
    fn the_largest_known_lag_counts() {
        assert_eq!(
            max_lag([(100_000, 500), (-1001, -1001), (50_000, 49_000)]),
            Some(99_500)
        );
        // A caught-up consumer has a true lag of 0: a figure, not an absence.
        assert_eq!(max_lag([(7, 7)]), Some(0));
        // An end offset older than the position (an earlier fetch's) is no negative lag.
        assert_eq!(max_lag([(10, 12)]), Some(0));
    }

    #[test]
    fn the_sampler_keeps_its_largest_figure() {
        let mut s = LagSampler::default();
        assert_eq!(s.max(), None);
        s.max = larger(s.max, lag(100, 10));
        s.max = larger(s.max, lag(100, 90));
        s.max = larger(s.max, lag(-1001, 0));
        assert_eq!(s.max(), Some(90));
    }

    #[test]
    fn librdkafka_reads_committed_unless_told_otherwise() {
        assert!(is_read_committed(None));
        assert!(is_read_committed(Some("read_committed")));
        assert!(!is_read_committed(Some("read_uncommitted")));
    }
}
