//! The accounting of a fault run: after the run kafkatune reads the whole topic back from its
//! start (kafkatune's own topic, emptied before the run) and sets what it holds against what
//! the producer's book says was sent and acknowledged (`fault_file::ProducerBook`): lost,
//! ambiguous, duplicated, out of order, exactly, per record.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use base64::Engine;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use super::keys;
use crate::broker::admin::{self, ClientProps};
use crate::fault_file::{FaultRecord, ProducerBook};

/// How long reading the topic back may take.
const READ_TIMEOUT: Duration = Duration::from_secs(120);

/// One producer's records as the topic holds them.
struct Tally {
    book: ProducerBook,
    acked: Vec<u8>,
    /// Copies of each sequence read (saturating at 255).
    copies: Vec<u8>,
}

/// Reads `topic` back and accounts for every record of `books`; the record's `spec` and
/// `events` are left to the caller.
pub fn account(
    bootstrap: &str,
    props: &ClientProps,
    topic: &str,
    books: Vec<ProducerBook>,
) -> Result<FaultRecord> {
    let mut tallies: BTreeMap<u32, Tally> = BTreeMap::new();
    for book in books {
        let acked = base64::engine::general_purpose::STANDARD
            .decode(&book.acked_bitmap)
            .context("a producer book's acknowledgements")?;
        let copies = vec![0u8; book.records_sent as usize];
        tallies.insert(
            book.producer_id,
            Tally {
                book,
                acked,
                copies,
            },
        );
    }
    let mut out_of_order = 0;
    read_topic(bootstrap, props, topic, |partition, key| {
        let Some((producer, seq)) = key.and_then(keys::parse_key) else {
            return;
        };
        let Some(t) = tallies.get_mut(&producer) else {
            return;
        };
        if let Some(c) = t.copies.get_mut(seq as usize) {
            *c = c.saturating_add(1);
        }
        out_of_order += u64::from(partition.out_of_order(producer, seq));
    })?;
    let mut rec = FaultRecord {
        records_out_of_order: out_of_order,
        ..Default::default()
    };
    for t in tallies.values() {
        rec.records_sent += t.book.records_sent;
        for (seq, &copies) in t.copies.iter().enumerate() {
            let acked = keys::is_marked(&t.acked, seq as u64);
            rec.records_acked += u64::from(acked);
            rec.records_read += u64::from(copies);
            rec.records_lost += u64::from(acked && copies == 0);
            rec.records_ambiguous += u64::from(!acked && copies > 0);
            rec.records_duplicated += u64::from(copies.saturating_sub(1));
        }
        for (reason, n) in &t.book.send_errors {
            *rec.send_errors.entry(reason.clone()).or_default() += n;
        }
        rec.longest_ack_gap_ms = match (rec.longest_ack_gap_ms, t.book.longest_ack_gap_ms) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    rec.records_unresolved = rec
        .records_sent
        .saturating_sub(rec.records_acked + rec.send_error_count());
    Ok(rec)
}

/// What one partition has shown so far: each producer's highest sequence.
#[derive(Default)]
struct Partition {
    highest: BTreeMap<u32, u64>,
}

impl Partition {
    /// Whether `seq` comes after a higher sequence of the same producer (and notes it).
    fn out_of_order(&mut self, producer: u32, seq: u64) -> bool {
        let highest = self.highest.entry(producer).or_insert(seq);
        let late = seq < *highest;
        *highest = (*highest).max(seq);
        late
    }
}

/// Calls `each` with every record's partition state and key, from each partition's log
/// start to its end offset now.
fn read_topic(
    bootstrap: &str,
    props: &ClientProps,
    topic: &str,
    mut each: impl FnMut(&mut Partition, Option<&[u8]>),
) -> Result<()> {
    let ends = admin::topic_offsets(bootstrap, props, topic, Duration::from_secs(30))?
        .with_context(|| format!("topic {topic} is gone: nothing to account for"))?;
    let mut config = admin::client_config(bootstrap, props);
    config
        .set("group.id", "kafkatune-accounting")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false");
    let consumer: BaseConsumer = config.create().context("creating the accounting reader")?;
    let mut tpl = TopicPartitionList::new();
    let mut left: BTreeMap<i32, i64> = BTreeMap::new();
    for p in ends.iter().filter(|p| p.high > p.low) {
        tpl.add_partition_offset(topic, p.partition, Offset::Beginning)?;
        left.insert(p.partition, p.high);
    }
    if left.is_empty() {
        return Ok(());
    }
    consumer.assign(&tpl)?;
    let mut partitions: BTreeMap<i32, Partition> = BTreeMap::new();
    let deadline = Instant::now() + READ_TIMEOUT;
    while !left.is_empty() {
        anyhow::ensure!(
            Instant::now() < deadline,
            "reading {topic} back took more than {} s ({} partitions not read to their end)",
            READ_TIMEOUT.as_secs(),
            left.len()
        );
        let Some(m) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let m = m.with_context(|| format!("reading {topic} back"))?;
        each(partitions.entry(m.partition()).or_default(), m.key());
        if left
            .get(&m.partition())
            .is_some_and(|end| m.offset() + 1 >= *end)
        {
            left.remove(&m.partition());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lower_sequence_after_a_higher_one_is_out_of_order() {
        let mut p = Partition::default();
        assert!(!p.out_of_order(1, 0));
        assert!(!p.out_of_order(1, 2));
        assert!(p.out_of_order(1, 1));
        assert!(!p.out_of_order(2, 0), "each producer apart");
        assert!(!p.out_of_order(1, 3));
    }
}
