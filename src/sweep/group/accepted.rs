//! A share group run's exact accounting over all its members: delivery is at-least-once, so
//! the run is complete only when every offset of every partition's range was accepted
//! exactly once, by whichever member (the members report the offsets whose acceptance the
//! broker confirmed, as ranges). Also the sums: deliveries, redeliveries, acknowledgements.

use super::GroupOutcome;
use crate::clients::protocol::{Acknowledgements, PartitionStart, ShareResult};
use crate::results::{RunRecord, Status};

/// Adds a share group's accounting to its record (after `fill_record`), and fails the run
/// when some record of it was not accepted, or accepted twice.
pub fn fill_share_record(rec: &mut RunRecord, g: &GroupOutcome) {
    let Some(share) = &g.share else {
        return;
    };
    rec.group_type = Some("share".into());
    rec.group_config = share.config.clone();
    let members: Vec<Option<&ShareResult>> = g
        .consumers
        .iter()
        .map(|c| c.result.as_ref().and_then(|r| r.share.as_ref()))
        .collect();
    for (c, m) in rec.per_consumer.iter_mut().zip(&members) {
        c.redeliveries = m.map(|m| m.redeliveries);
        c.acquisition_errors = m.map(|m| m.acquisition_errors);
        c.acknowledgement_errors = m.map(|m| m.acknowledgement_errors);
    }
    let present: Vec<&ShareResult> = members.iter().flatten().copied().collect();
    if present.is_empty() {
        return;
    }
    let sum = |f: fn(&ShareResult) -> u64| Some(present.iter().map(|m| f(m)).sum::<u64>());
    rec.deliveries = sum(|m| m.deliveries);
    rec.redeliveries = sum(|m| m.redeliveries);
    rec.acknowledgement_errors = sum(|m| m.acknowledgement_errors);
    rec.acquisition_errors = sum(|m| m.acquisition_errors);
    rec.acknowledgements = Some(Acknowledgements {
        accept: present.iter().map(|m| m.acknowledgements.accept).sum(),
        release: present.iter().map(|m| m.acknowledgements.release).sum(),
        reject: present.iter().map(|m| m.acknowledgements.reject).sum(),
    });
    if rec.status == Some(Status::Ok) && present.len() == members.len() {
        if let Err(why) = accepted_exactly_once(&share.ranges, &present) {
            rec.status = Some(Status::Failed);
            rec.error = Some(why);
        }
    }
}

/// Checks that over all members every offset of every range was accepted exactly once;
/// the error names the first offsets accepted twice or never, and how many.
pub fn accepted_exactly_once(
    ranges: &[PartitionStart],
    members: &[&ShareResult],
) -> Result<(), String> {
    let mut problems = Vec::new();
    for range in ranges {
        let (start, end) = (range.start_offset, range.end_offset.unwrap_or(i64::MAX));
        let key = range.partition.to_string();
        let mut runs: Vec<(i64, i64)> = members
            .iter()
            .flat_map(|m| m.accepted_ranges.get(&key).into_iter().flatten())
            .map(|&(a, b)| (a.max(start), b.min(end)))
            .filter(|(a, b)| a < b)
            .collect();
        runs.sort_unstable();
        let (mut cursor, mut twice, mut first_twice) = (start, 0i64, None);
        let (mut missing, mut first_missing) = (0i64, None);
        for (a, b) in runs {
            if a < cursor {
                twice += b.min(cursor) - a;
                first_twice.get_or_insert(a);
            } else if a > cursor {
                missing += a - cursor;
                first_missing.get_or_insert(cursor);
            }
            cursor = cursor.max(b);
        }
        if cursor < end {
            missing += end - cursor;
            first_missing.get_or_insert(cursor);
        }
        if let Some(o) = first_twice {
            problems.push(format!(
                "{twice} records of partition {} accepted twice (first at offset {o})",
                range.partition
            ));
        }
        if let Some(o) = first_missing {
            problems.push(format!(
                "{missing} records of partition {} never accepted (first at offset {o})",
                range.partition
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the share group did not accept every record exactly once: {}",
            problems.join("; ")
        ))
    }
}

/// The accepted ranges of one member, for the tests.
#[cfg(test)]
fn member(ranges: &[(i32, &[(i64, i64)])]) -> ShareResult {
    ShareResult {
        accepted_ranges: ranges
            .iter()
            .map(|(p, r)| (p.to_string(), r.to_vec()))
            .collect::<std::collections::BTreeMap<_, _>>(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(partition: i32, start: i64, end: i64) -> PartitionStart {
        PartitionStart {
            partition,
            start_offset: start,
            end_offset: Some(end),
        }
    }

    #[test]
    fn every_offset_accepted_once_over_all_members_is_complete() {
        let ranges = [range(0, 0, 100), range(1, 10, 20)];
        let a = member(&[(0, &[(0, 40), (70, 100)]), (1, &[(10, 20)])]);
        let b = member(&[(0, &[(40, 70)])]);
        assert_eq!(accepted_exactly_once(&ranges, &[&a, &b]), Ok(()));
        // Offsets beyond the range (the topic holds more) do not count either way.
        let c = member(&[(0, &[(40, 70), (100, 150)])]);
        assert_eq!(accepted_exactly_once(&ranges, &[&a, &c]), Ok(()));
    }

    #[test]
    fn a_record_accepted_twice_or_never_fails_the_run_and_says_where() {
        let ranges = [range(0, 0, 100)];
        let a = member(&[(0, &[(0, 60)])]);
        let b = member(&[(0, &[(50, 90)])]);
        let e = accepted_exactly_once(&ranges, &[&a, &b]).unwrap_err();
        assert!(
            e.contains("10 records of partition 0 accepted twice (first at offset 50)"),
            "{e}"
        );
        assert!(
            e.contains("10 records of partition 0 never accepted (first at offset 90)"),
            "{e}"
        );
        let e = accepted_exactly_once(&ranges, &[&member(&[])]).unwrap_err();
        assert!(
            e.contains("100 records of partition 0 never accepted"),
            "{e}"
        );
    }
}
