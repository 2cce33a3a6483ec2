//! A fault run's part of its run record (`RunRecord::fault`), as serde types: what was done
//! to the cluster and when, and the accounting of every record the producer sent
//! (`fault/accounting.rs`). Absent from runs without `--fault` / `--param fault`.
//!
//! The accounting's equations, which hold for every run (tests/real_broker/fault_runs.rs):
//! - `records_sent = records_acked + sum(send_errors) + records_unresolved`;
//! - `records_read = records_acked - records_lost + records_ambiguous + records_duplicated`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a fault did, and what the topic held afterwards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultRecord {
    /// The spec as given (`kill-leader@2s`, `none`).
    pub spec: String,
    /// What was done to the cluster, in order, from the run's steady state.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<FaultEvent>,
    /// Why the fault was not (fully) applied: the run ended first, no leader was found, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applied: Option<String>,
    /// Records the producer handed to its client (each with its sequence number).
    pub records_sent: u64,
    /// Records whose delivery report said written.
    pub records_acked: u64,
    /// Records of this producer read back from the topic, copies included.
    pub records_read: u64,
    /// Acknowledged, and not in the topic.
    pub records_lost: u64,
    /// In the topic, though never acknowledged (failed or not reported).
    pub records_ambiguous: u64,
    /// Copies beyond the first of a record in the topic (written more than once).
    pub records_duplicated: u64,
    /// Records read after one of a higher sequence, in the same partition.
    pub records_out_of_order: u64,
    /// Records with neither an acknowledgement nor an error when the producer ended.
    pub records_unresolved: u64,
    /// Delivery errors by their reason (librdkafka's error code).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub send_errors: BTreeMap<String, u64>,
    /// The longest time without an acknowledgement, from the first send to the last
    /// acknowledgement, in ms; absent when nothing was acknowledged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_ack_gap_ms: Option<f64>,
}

/// What a fault run's producer saw: records sent, which were acknowledged, the errors.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ProducerBook {
    pub producer_id: u32,
    /// Sequence numbers 0..records_sent were handed to the client.
    pub records_sent: u64,
    /// Bit `i` (byte i / 8, bit i % 8) set: sequence `i` was acknowledged; base64.
    pub acked_bitmap: String,
    /// Delivery (or immediate send) errors by their reason.
    pub send_errors: BTreeMap<String, u64>,
    /// The longest time without an acknowledgement, from the first send on, in ms.
    pub longest_ack_gap_ms: Option<f64>,
}

/// One thing done to the cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultEvent {
    /// Seconds after the run's steady state.
    pub at_s: f64,
    /// `kill`, `stop`, `continue`, `start`, `delete-records`.
    pub action: String,
    /// The broker it was done to (node id), when it was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<u32>,
    /// In words: `SIGKILL broker 2 (pid 4242), the leader of partition 0`.
    pub detail: String,
}

impl FaultRecord {
    /// The send errors, all reasons together.
    pub fn send_error_count(&self) -> u64 {
        self.send_errors.values().sum()
    }

    /// Whether its counts add up (see the module's equations).
    pub fn adds_up(&self) -> bool {
        self.records_sent == self.records_acked + self.send_error_count() + self.records_unresolved
            && self.records_read + self.records_lost
                == self.records_acked + self.records_ambiguous + self.records_duplicated
    }

    /// One line for the terminal: `kill-leader@2s: 0 lost, 0 ambiguous, ...`.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{}: {} sent, {} acked, {} lost, {} ambiguous, {} duplicated, {} out of order",
            self.spec,
            self.records_sent,
            self.records_acked,
            self.records_lost,
            self.records_ambiguous,
            self.records_duplicated,
            self.records_out_of_order
        );
        if !self.send_errors.is_empty() {
            let errors: Vec<String> = self
                .send_errors
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect();
            s.push_str(&format!(", send errors: {}", errors.join(", ")));
        }
        if self.records_unresolved > 0 {
            s.push_str(&format!(", {} unresolved", self.records_unresolved));
        }
        if let Some(gap) = self.longest_ack_gap_ms {
            s.push_str(&format!("; longest gap without an ack {gap:.0} ms"));
        }
        if let Some(why) = &self.not_applied {
            s.push_str(&format!(" (not applied: {why})"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_equations_and_the_line() {
        let mut r = FaultRecord {
            spec: "kill-leader@2s".into(),
            records_sent: 10,
            records_acked: 8,
            records_read: 9,
            records_lost: 1,
            records_ambiguous: 1,
            records_duplicated: 1,
            records_unresolved: 1,
            send_errors: [("MessageTimedOut".to_string(), 1)].into(),
            longest_ack_gap_ms: Some(1234.4),
            ..Default::default()
        };
        assert!(r.adds_up());
        assert!(r.line().contains("1 lost") && r.line().contains("1 MessageTimedOut"));
        assert!(r.line().contains("gap without an ack 1234 ms"));
        r.records_read = 10;
        assert!(!r.adds_up());
    }
}
