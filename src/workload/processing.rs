//! Processing time: the work an application does with what one poll handed it, before it
//! polls again (`--processing 200us`, `--param processing=0us,100us,1ms`).
//!
//! `processing` is not a Kafka property: kafkatune never passes it to a client. It travels to
//! the driver in the spec (`docs/driver-protocol.md`, "Processing"), and every driver applies
//! it the same way, after each poll that handed it records and before the next poll: per
//! record (`200us`: the poll's counted records x 200 µs) or per poll (`batch:5ms`: 5 ms for a
//! poll that handed any record). By default the work is **busy**: a spin on the monotonic
//! clock that occupies the consumer's thread, as deserialisation and business logic do;
//! `sleep:` sleeps instead (an application waiting on I/O).
//!
//! Syntax: `[sleep:][batch:]DURATION`, DURATION as the `humantime` crate reads it (`200us`,
//! `1ms`, `1s`); `0us` (any zero) means no processing.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The pseudo-property's name, as `--param processing=...` and the records spell it.
pub const PROCESSING: &str = "processing";

/// The most processing one record (or one poll) may take: beyond this a run would only
/// measure the sleep.
pub const MAX_PROCESSING: Duration = Duration::from_secs(60);

/// What a driver does between polls.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Processing {
    /// Whether `duration_us` is spent for every record or once for every poll.
    pub per: Per,
    pub duration_us: u64,
    pub work: Work,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    /// For each record the poll handed over (and that the driver counted).
    Record,
    /// Once for each poll that handed over at least one record.
    Poll,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Work {
    /// A spin on the monotonic clock: the thread is occupied (CPU-bound work).
    Busy,
    /// A sleep: the thread waits (I/O-bound work).
    Sleep,
}

/// Reads a `processing` value; `None` for zero. The error says what the syntax is.
pub fn parse(text: &str) -> Result<Option<Processing>, String> {
    let syntax = "give a duration per record (200us), per poll (batch:5ms), sleeping instead of busy work with sleep: in front (sleep:200us, sleep:batch:5ms)";
    let mut rest = text.trim();
    let mut work = Work::Busy;
    if let Some(r) = rest.strip_prefix("sleep:") {
        work = Work::Sleep;
        rest = r;
    } else if let Some(r) = rest.strip_prefix("busy:") {
        rest = r;
    }
    let mut per = Per::Record;
    if let Some(r) = rest.strip_prefix("batch:") {
        per = Per::Poll;
        rest = r;
    }
    let duration = humantime::parse_duration(rest.trim())
        .map_err(|e| format!("not a processing time ({e}): {syntax}"))?;
    if duration > MAX_PROCESSING {
        return Err(format!(
            "at most {} s of processing per record or poll",
            MAX_PROCESSING.as_secs()
        ));
    }
    let duration_us = duration.as_micros() as u64;
    if duration_us == 0 && !duration.is_zero() {
        return Err("below 1 µs; give microseconds or more (1us)".to_string());
    }
    Ok((duration_us > 0).then_some(Processing {
        per,
        duration_us,
        work,
    }))
}

/// A trial's processing, from its `processing` parameter (validated by the options).
pub fn of_params(params: &crate::results::Params) -> Option<Processing> {
    params.get(PROCESSING).and_then(|v| parse(v).ok().flatten())
}

impl Processing {
    /// The processing of one poll that handed over `records` records.
    pub fn for_poll(&self, records: u64) -> Duration {
        match (self.per, records) {
            (_, 0) => Duration::ZERO,
            (Per::Record, n) => Duration::from_micros(self.duration_us.saturating_mul(n)),
            (Per::Poll, _) => Duration::from_micros(self.duration_us),
        }
    }

    /// Does the work of one poll that handed over `records` records; returns the time it
    /// took (the monotonic clock, from start to end).
    pub fn apply(&self, records: u64) -> Duration {
        let work = self.for_poll(records);
        let start = Instant::now();
        if work.is_zero() {
            return Duration::ZERO;
        }
        match self.work {
            Work::Busy => {
                while start.elapsed() < work {
                    std::hint::spin_loop();
                }
            }
            Work::Sleep => std::thread::sleep(work),
        }
        start.elapsed()
    }

    /// The time one record costs: per record, the duration; per poll, `None` (it depends
    /// on how many records a poll hands over).
    pub fn per_record(&self) -> Option<Duration> {
        (self.per == Per::Record).then(|| Duration::from_micros(self.duration_us))
    }
}

/// Time between successive polls of one consumer, start to start (Java's
/// `time-between-poll`): the mean and the longest, in milliseconds.
#[derive(Debug, Default, Clone, Copy)]
pub struct PollIntervals {
    last: Option<Instant>,
    count: u64,
    sum: Duration,
    max: Duration,
}

impl PollIntervals {
    /// A poll starts now.
    pub fn poll_starts(&mut self) {
        let now = Instant::now();
        if let Some(last) = self.last {
            let gap = now - last;
            self.count += 1;
            self.sum += gap;
            self.max = self.max.max(gap);
        }
        self.last = Some(now);
    }

    /// Forgets the previous poll: the next gap is not measured (a poll not counted).
    pub fn reset(&mut self) {
        self.last = None;
    }

    pub fn avg_ms(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum.as_secs_f64() * 1000.0 / self.count as f64)
    }

    pub fn max_ms(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max.as_secs_f64() * 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_syntax_names_per_record_per_poll_and_sleep() {
        assert_eq!(
            parse("200us"),
            Ok(Some(Processing {
                per: Per::Record,
                duration_us: 200,
                work: Work::Busy
            }))
        );
        assert_eq!(
            parse("batch:5ms"),
            Ok(Some(Processing {
                per: Per::Poll,
                duration_us: 5000,
                work: Work::Busy
            }))
        );
        assert_eq!(
            parse("sleep:batch:1s"),
            Ok(Some(Processing {
                per: Per::Poll,
                duration_us: 1_000_000,
                work: Work::Sleep
            }))
        );
        assert_eq!(parse("sleep:100us").unwrap().unwrap().work, Work::Sleep);
        assert_eq!(parse("busy:1ms").unwrap().unwrap().duration_us, 1000);
        assert_eq!(parse("0us"), Ok(None));
        assert_eq!(parse("batch:0ms"), Ok(None));
    }

    #[test]
    fn bad_values_say_the_syntax() {
        for bad in ["abc", "200", "-1ms", "batch:", "sleep:x", "5 parsecs"] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains("batch:5ms"), "{bad}: {e}");
        }
        assert!(parse("2min").unwrap_err().contains("at most 60 s"));
        assert!(parse("10ns").unwrap_err().contains("below 1 µs"));
    }

    #[test]
    fn a_poll_costs_its_records_or_one_duration() {
        let per_record = parse("100us").unwrap().unwrap();
        assert_eq!(per_record.for_poll(500), Duration::from_millis(50));
        assert_eq!(per_record.for_poll(0), Duration::ZERO);
        let per_poll = parse("batch:5ms").unwrap().unwrap();
        assert_eq!(per_poll.for_poll(500), Duration::from_millis(5));
        assert_eq!(per_poll.for_poll(0), Duration::ZERO);
        assert_eq!(per_record.per_record(), Some(Duration::from_micros(100)));
        assert_eq!(per_poll.per_record(), None);
    }

    #[test]
    fn busy_and_sleeping_work_both_take_at_least_their_time() {
        for text in ["100us", "sleep:100us"] {
            let p = parse(text).unwrap().unwrap();
            let start = Instant::now();
            let took = p.apply(20);
            assert!(took >= Duration::from_millis(2), "{text}: {took:?}");
            assert!(start.elapsed() >= Duration::from_millis(2), "{text}");
        }
    }

    #[test]
    fn poll_intervals_measure_start_to_start() {
        let mut i = PollIntervals::default();
        assert_eq!(i.avg_ms(), None);
        i.poll_starts();
        std::thread::sleep(Duration::from_millis(5));
        i.poll_starts();
        assert!(i.max_ms().unwrap() >= 5.0);
        assert!(i.avg_ms().unwrap() >= 5.0);
        i.reset();
        i.poll_starts();
        assert_eq!(i.count, 1);
    }
}
