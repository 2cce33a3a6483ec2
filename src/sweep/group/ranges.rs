//! The arithmetic of a group run: each partition's range to count, so that the consumers
//! count exactly the run's messages between them, and when the group's assignments look final.

use std::collections::{BTreeMap, BTreeSet};

use crate::broker::admin::PartitionOffsets;
use crate::clients::protocol::PartitionStart;

/// Each partition's range to count, from its log start: as even as the partitions allow,
/// adding up to `messages`. `None` when the partitions hold fewer.
pub fn partition_ranges(parts: &[PartitionOffsets], messages: u64) -> Option<Vec<PartitionStart>> {
    let available = |p: &PartitionOffsets| (p.high - p.low).max(0) as u64;
    let mut order: Vec<&PartitionOffsets> = parts.iter().collect();
    // The shortest partitions first: what they cannot take goes to the longer ones.
    order.sort_by_key(|p| (available(p), p.partition));
    let mut remaining = messages;
    let mut take: BTreeMap<i32, u64> = BTreeMap::new();
    for (i, p) in order.iter().enumerate() {
        let left = (order.len() - i) as u64;
        let n = remaining.div_ceil(left).min(available(p));
        take.insert(p.partition, n);
        remaining -= n;
    }
    if remaining > 0 {
        return None;
    }
    Some(
        parts
            .iter()
            .map(|p| PartitionStart {
                partition: p.partition,
                start_offset: p.low,
                end_offset: Some(p.low + take[&p.partition] as i64),
            })
            .collect(),
    )
}

/// Whether the consumers' latest assignments look final: disjoint, covering every partition,
/// and as many partitions each as an even split gives (every client's assignors balance
/// counts), a consumer that reported nothing holding none. With fewer consumers than
/// partitions, a consumer not assigned yet therefore keeps the group unbalanced.
pub fn balanced(held: &[Option<Vec<i32>>], partitions: &[i32]) -> bool {
    if !covered(held, partitions) {
        return false;
    }
    let counts = held.iter().map(|h| h.as_ref().map_or(0, Vec::len));
    let (min, max) = counts.fold((usize::MAX, 0), |(lo, hi), c| (lo.min(c), hi.max(c)));
    max - min <= 1
}

/// Whether the reported assignments are disjoint and cover every partition.
pub fn covered(held: &[Option<Vec<i32>>], partitions: &[i32]) -> bool {
    let mut seen = BTreeSet::new();
    for p in held.iter().flatten().flatten() {
        if !seen.insert(*p) {
            return false;
        }
    }
    seen == partitions.iter().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(partition: i32, low: i64, high: i64) -> PartitionOffsets {
        PartitionOffsets {
            partition,
            low,
            high,
        }
    }

    fn ends(ranges: &[PartitionStart]) -> Vec<i64> {
        ranges
            .iter()
            .map(|r| r.end_offset.unwrap() - r.start_offset)
            .collect()
    }

    #[test]
    fn ranges_split_evenly_and_add_up() {
        let parts: Vec<_> = (0..4).map(|p| part(p, 10, 110)).collect();
        let r = partition_ranges(&parts, 10).unwrap();
        assert_eq!(ends(&r), [3, 3, 2, 2]);
        assert!(r.iter().all(|p| p.start_offset == 10));
        assert_eq!(ends(&partition_ranges(&parts, 400).unwrap()), [100; 4]);
        assert!(partition_ranges(&parts, 401).is_none());
    }

    #[test]
    fn short_partitions_give_way_to_long_ones() {
        let parts = [part(0, 0, 2), part(1, 0, 100), part(2, 5, 5)];
        let r = partition_ranges(&parts, 50).unwrap();
        assert_eq!(ends(&r), [2, 48, 0]);
    }

    #[test]
    fn the_group_is_balanced_once_every_consumer_holds_its_share() {
        let all = [0, 1, 2, 3];
        let held = |h: &[Option<&[i32]>]| -> Vec<Option<Vec<i32>>> {
            h.iter().map(|o| o.map(|p| p.to_vec())).collect()
        };
        // The first consumer alone holds everything while the second has not joined.
        assert!(!balanced(&held(&[Some(&[0, 1, 2, 3]), None]), &all));
        // KIP-848: the newcomer gets nothing until the first one gave partitions up.
        assert!(!balanced(&held(&[Some(&[0, 1, 2, 3]), Some(&[])]), &all));
        // An eager rebalance half-way: two consumers claim partition 2.
        assert!(!balanced(&held(&[Some(&[0, 1, 2]), Some(&[2, 3])]), &all));
        assert!(balanced(&held(&[Some(&[0, 2]), Some(&[1, 3])]), &all));
        // More consumers than partitions: the extra one holds nothing, reported or not.
        assert!(balanced(
            &held(&[Some(&[0]), Some(&[]), Some(&[1])]),
            &[0, 1]
        ));
        assert!(balanced(&held(&[Some(&[0]), None, Some(&[1])]), &[0, 1]));
        assert!(!balanced(&held(&[Some(&[0, 1]), None, None]), &[0, 1]));
        assert!(covered(&held(&[Some(&[0, 1, 2, 3]), None]), &all));
    }
}
