//! The workers' clocks against the coordinator's, measured through the control topic's
//! round trips, NTP-style: the coordinator stamps a ping as it sends it (t1), the worker
//! stamps it as it reads it (t2), the coordinator stamps the answer as it reads it (t3). The
//! worker's offset is t2 - (t1 + t3) / 2, off by at most (t3 - t1) / 2 (the worker's stamp
//! lies somewhere in the round trip); the shortest of several round trips is kept.
//!
//! What the offset does: a worker's timestamps (its driver's first and last record, its
//! start) are shifted into the coordinator's clock before a run's processes are merged, and
//! a sweep refuses workers whose clock may be off by more than its latencies allow.

use super::Worker;
use crate::error::UserError;
use crate::results::Mode;
use crate::sweep::runner::RunOutcome;

/// One round trip, from its three stamps (µs since the epoch): (round trip ms, offset ms).
pub fn offset(t1_us: u64, t2_us: u64, t3_us: u64) -> (f64, f64) {
    let round_trip_ms = t3_us.saturating_sub(t1_us) as f64 / 1000.0;
    let midpoint_us = (t1_us as f64 + t3_us as f64) / 2.0;
    (round_trip_ms, (t2_us as f64 - midpoint_us) / 1000.0)
}

/// The most a worker's clock may be off (offset's size plus its uncertainty, ms) in a sweep
/// of `mode`, unless `--max-clock-error` says: end-to-end latencies across hosts (a few ms
/// on a healthy cluster) allow 10 ms; a drain or produce run's span (first record of any
/// process to the last of any, a second or more) allows 100 ms.
pub fn default_limit_ms(mode: Mode) -> f64 {
    match mode {
        Mode::Live | Mode::Pipeline => 10.0,
        Mode::Drain | Mode::Produce => 100.0,
    }
}

/// What a clock error would spoil in a sweep of `mode`.
fn measured(mode: Mode) -> &'static str {
    match mode {
        Mode::Live | Mode::Pipeline => "end-to-end latencies measured across hosts",
        Mode::Drain => "a group's span from the first record of any consumer to the last of any",
        Mode::Produce => {
            "the producers' span from the first send of any to the last acknowledgement of any"
        }
    }
}

/// How far `w`'s clock may be off the coordinator's (ms).
pub fn error_bound_ms(w: &Worker) -> f64 {
    w.clock_offset_ms.abs() + w.clock_uncertainty_ms
}

/// Refuses (exit 2) a worker whose clock may be off by more than the limit; warns of one
/// off by more than half of it.
pub fn check(workers: &[Worker], mode: Mode, limit_ms: Option<f64>) -> Result<(), UserError> {
    let limit = limit_ms.unwrap_or_else(|| default_limit_ms(mode));
    let describe = |w: &Worker| {
        format!(
            "worker {}'s clock is off this host's by up to {:.3} ms (offset {:+.3} ms, ± {:.3} ms: half the shortest of its round trips through the cluster)",
            w.name,
            error_bound_ms(w),
            w.clock_offset_ms,
            w.clock_uncertainty_ms
        )
    };
    let too_far: Vec<String> = workers
        .iter()
        .filter(|w| error_bound_ms(w) > limit)
        .map(describe)
        .collect();
    if !too_far.is_empty() {
        return Err(UserError::usage(format!(
            "{}: more than the {limit} ms that {} allow{}",
            too_far.join("; "),
            measured(mode),
            if limit_ms.is_some() { "" } else { " by default" }
        ))
        .with_hint(
            "synchronise the hosts' clocks (chrony or ntpd) and run the workers closer to the cluster, or accept the error with --max-clock-error MS",
        ));
    }
    for w in workers.iter().filter(|w| error_bound_ms(w) > limit / 2.0) {
        eprintln!(
            "kafkatune: warning: {}: more than half the {limit} ms that {} allow",
            describe(w),
            measured(mode)
        );
    }
    Ok(())
}

/// Shifts a worker's timestamps into the coordinator's clock (the worker's minus its offset).
pub fn to_coordinator_clock(outcome: &mut RunOutcome, offset_ms: f64) {
    let offset_us = (offset_ms * 1000.0).round() as i64;
    let shift = |t: u64| (t as i64 - offset_us).max(0) as u64;
    if outcome.spawn_unix_us > 0 {
        outcome.spawn_unix_us = shift(outcome.spawn_unix_us);
    }
    if let Some(r) = &mut outcome.result {
        r.ready_unix_us = r.ready_unix_us.map(shift);
        r.first_record_unix_us = r.first_record_unix_us.map(shift);
        r.last_record_unix_us = r.last_record_unix_us.map(shift);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::HostMeta;

    fn worker(offset_ms: f64, uncertainty_ms: f64) -> Worker {
        Worker {
            name: "w1".into(),
            facts: super::super::WorkerFacts {
                host: HostMeta {
                    os: "linux".into(),
                    kernel: None,
                    cpu_model: None,
                    cpu_count: 2,
                    memory_bytes: None,
                },
                hostname: None,
                client_versions: Default::default(),
            },
            round_trip_ms: uncertainty_ms * 2.0,
            clock_offset_ms: offset_ms,
            clock_uncertainty_ms: uncertainty_ms,
        }
    }

    #[test]
    fn the_offset_is_the_workers_stamp_against_the_round_trips_midpoint() {
        // Sent at 1000 µs, back at 5000 µs; the worker read it at 3500 µs on its clock.
        assert_eq!(offset(1_000, 3_500, 5_000), (4.0, 0.5));
        assert_eq!(offset(1_000, 1_000, 5_000), (4.0, -2.0));
    }

    #[test]
    fn a_clock_too_far_off_for_the_latencies_is_refused_naming_the_worker() {
        assert!(check(&[worker(1.0, 2.0)], Mode::Live, None).is_ok());
        let err = check(&[worker(-8.0, 3.0)], Mode::Live, None).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::Usage);
        assert!(err.message.contains("worker w1's clock"), "{}", err.message);
        assert!(err.message.contains("11.000 ms"), "{}", err.message);
        assert!(
            err.message.contains("end-to-end latencies"),
            "{}",
            err.message
        );
        assert!(err.hint.unwrap().contains("--max-clock-error"));
        // A drain sweep's spans allow more; a given limit overrides the mode's.
        assert!(check(&[worker(-8.0, 3.0)], Mode::Drain, None).is_ok());
        assert!(check(&[worker(-8.0, 3.0)], Mode::Drain, Some(5.0)).is_err());
        assert!(check(&[worker(-8.0, 3.0)], Mode::Live, Some(20.0)).is_ok());
    }

    #[test]
    fn a_workers_stamps_are_shifted_into_the_coordinators_clock() {
        let mut o = RunOutcome {
            spawn_unix_us: 10_000,
            result: Some(crate::clients::protocol::DriverResult {
                first_record_unix_us: Some(20_000),
                last_record_unix_us: Some(30_000),
                ..Default::default()
            }),
            ..Default::default()
        };
        to_coordinator_clock(&mut o, 2.5);
        let r = o.result.unwrap();
        assert_eq!(o.spawn_unix_us, 7_500);
        assert_eq!(
            (r.first_record_unix_us, r.last_record_unix_us),
            (Some(17_500), Some(27_500))
        );
    }
}
