//! A fault run's producer book (`protocol::ProduceAccounting`): each record's key carries
//! the producer id and its sequence number; each delivery report marks its sequence
//! acknowledged or counts its error by reason; the longest time without an acknowledgement
//! is kept. Written as a `ProducerBook` when the producer ends.

use std::collections::BTreeMap;
use std::sync::Mutex;

use anyhow::{Context, Result};
use base64::Engine;

use crate::clients::protocol::ProduceAccounting;
use crate::fault::keys;
use crate::fault_file::ProducerBook;

/// What the delivery reports said, as they came.
pub struct Book {
    pub spec: ProduceAccounting,
    inner: Mutex<Inner>,
}

struct Inner {
    acked: Vec<u8>,
    errors: BTreeMap<String, u64>,
    /// The first send, then each acknowledgement (ns on the producer's clock).
    last_ns: Option<u64>,
    longest_gap_ns: u64,
    any_ack: bool,
}

impl Book {
    pub fn new(spec: ProduceAccounting, messages: u64) -> Book {
        Book {
            spec,
            inner: Mutex::new(Inner {
                acked: vec![0; messages.div_ceil(8) as usize],
                errors: BTreeMap::new(),
                last_ns: None,
                longest_gap_ns: 0,
                any_ack: false,
            }),
        }
    }

    /// The first record is being sent at `now_ns`: the gaps count from it.
    pub fn started(&self, now_ns: u64) {
        self.inner.lock().unwrap().last_ns.get_or_insert(now_ns);
    }

    /// A delivery report that said written, for the record of key `key`.
    pub fn acked(&self, key: Option<&[u8]>, now_ns: u64) {
        let mut b = self.inner.lock().unwrap();
        if let Some((_, seq)) = key.and_then(keys::parse_key) {
            keys::mark(&mut b.acked, seq);
        }
        if let Some(last) = b.last_ns {
            b.longest_gap_ns = b.longest_gap_ns.max(now_ns.saturating_sub(last));
        }
        b.last_ns = Some(now_ns);
        b.any_ack = true;
    }

    /// A delivery report (or a send) that failed, by its reason.
    pub fn failed(&self, reason: String) {
        *self.inner.lock().unwrap().errors.entry(reason).or_default() += 1;
    }

    /// Writes the book of `sent` records to the spec's file.
    pub fn write(&self, sent: u64) -> Result<()> {
        let b = self.inner.lock().unwrap();
        let book = ProducerBook {
            producer_id: self.spec.producer_id,
            records_sent: sent,
            acked_bitmap: base64::engine::general_purpose::STANDARD.encode(&b.acked),
            send_errors: b.errors.clone(),
            longest_ack_gap_ms: b
                .any_ack
                .then(|| (b.longest_gap_ns as f64 / 1e4).round() / 100.0),
        };
        std::fs::write(&self.spec.file, serde_json::to_vec(&book)?)
            .with_context(|| format!("writing {}", self.spec.file.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_marks_what_was_acked() {
        let dir = tempfile::tempdir().unwrap();
        let spec = ProduceAccounting {
            producer_id: 3,
            file: dir.path().join("book.json"),
        };
        let book = Book::new(spec.clone(), 10);
        book.started(0);
        book.acked(Some(&keys::key(3, 0)), 5_000_000);
        book.acked(Some(&keys::key(3, 9)), 6_000_000);
        book.failed("MessageTimedOut".into());
        book.write(10).unwrap();
        let read: ProducerBook =
            serde_json::from_slice(&std::fs::read(&spec.file).unwrap()).unwrap();
        let bits = base64::engine::general_purpose::STANDARD
            .decode(&read.acked_bitmap)
            .unwrap();
        assert!(keys::is_marked(&bits, 0) && keys::is_marked(&bits, 9));
        assert!(!keys::is_marked(&bits, 1));
        assert_eq!(read.longest_ack_gap_ms, Some(5.0));
        assert_eq!(read.send_errors["MessageTimedOut"], 1);
    }
}
