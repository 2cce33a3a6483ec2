//! The driver protocol's documents, as serde types. The contract is `docs/driver-protocol.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::results::Acknowledgements;
use crate::results::{Mode, Status};
pub use crate::workload::processing::Processing;

pub const PROTOCOL_VERSION: u32 = 1;

/// What one run must do (the driver's input).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Spec {
    pub protocol_version: u32,
    pub client: String,
    /// The run this spec is for (`t001-r0`: trial and run index), for the driver's logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    pub bootstrap_servers: String,
    pub topic: String,
    pub assignment: Assignment,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub partitions: Vec<PartitionStart>,
    pub messages: u64,
    pub mode: Mode,
    pub max_poll_records: u64,
    pub poll_timeout_ms: u64,
    /// Client-native configuration, already translated.
    pub properties: BTreeMap<String, Value>,
    pub timeout_s: f64,
    pub live: Option<LiveSpec>,
    /// Subscribe with several consumers: count nothing until this file exists (the group
    /// is complete and balanced); hold the assigned partitions paused until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_file: Option<std::path::PathBuf>,
    /// Subscribe with several consumers: finish normally, with what was counted, once this
    /// file exists (the group as a whole has consumed `messages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_file: Option<std::path::PathBuf>,
    /// Producer runs only (`mode: produce`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produce: Option<ProduceSpec>,
    /// Share group members only (KIP-932): present when `group_id` names a share group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<ShareSpec>,
    /// Consumers: the work to do between polls (`--processing`); absent for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing: Option<Processing>,
}

/// What a share group member does beyond a consumer (docs/driver-protocol.md, "Share groups").
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ShareSpec {
    /// A test knob: release this many of the run's records on their first delivery (explicit
    /// acknowledgement only), so that the broker delivers them again.
    #[serde(default)]
    pub release_first_records: u64,
}

/// What a producer run sends (docs/driver-protocol.md, "Producer runs").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProduceSpec {
    /// Record bodies, length-prefixed (4-byte big-endian length, then the bytes).
    pub payload_file: std::path::PathBuf,
    /// `None`: as fast as the client accepts records.
    pub rate_msgs_per_s: Option<f64>,
    /// The first this many records' acknowledgements are left out of the latency histogram
    /// (a capacity step's warm-up); they are sent and counted as every other.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub warmup_records: u64,
    /// Paced runs: each acknowledgement's latency counts from the record's intended send time
    /// (its place in the schedule), not from its actual send, so a producer that falls behind
    /// cannot hide it (coordinated omission). Capacity steps set it; sweeps time from the send,
    /// as ProducerPerformance does.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub latency_from_intended: bool,
    /// Fault runs (`--fault`): stamp each record's key with the producer id and its sequence
    /// number, and write what was acknowledged to a file (the built-in driver only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounting: Option<ProduceAccounting>,
}

/// A fault run's producer side of the accounting (`fault/accounting.rs`): every
/// record's key is `producer_id` (4 bytes) then its sequence number (8 bytes), big-endian;
/// at its end the driver writes a `fault_file::ProducerBook` as JSON to `file`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProduceAccounting {
    pub producer_id: u32,
    pub file: std::path::PathBuf,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Assignment {
    Assign,
    Subscribe,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartitionStart {
    pub partition: i32,
    pub start_offset: i64,
    /// Subscribe with several consumers: the offset after the last record of this partition
    /// to count (exclusive). The orchestrator sets these so that they add up to `messages`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_offset: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LiveSpec {
    pub warmup_end_unix_us: u64,
}

/// What one run measured (the driver's output).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DriverResult {
    pub protocol_version: u32,
    pub status: Option<Status>,
    pub error: Option<String>,
    pub client: String,
    pub client_version: Option<String>,
    pub messages: u64,
    pub bytes: u64,
    pub ready_unix_us: Option<u64>,
    pub first_record_unix_us: Option<u64>,
    pub last_record_unix_us: Option<u64>,
    pub consume_s: Option<f64>,
    pub polls: Option<u64>,
    pub empty_polls: Option<u64>,
    pub records_per_poll_max: Option<u64>,
    #[serde(default)]
    pub per_partition: BTreeMap<String, u64>,
    #[serde(default)]
    pub assigned_partitions: Vec<i32>,
    pub join_s: Option<f64>,
    pub rebalances: Option<u64>,
    pub fetch_requests: Option<f64>,
    pub fetch_latency_avg_ms: Option<f64>,
    pub fetch_latency_max_ms: Option<f64>,
    pub fetch_bytes_avg: Option<f64>,
    pub records_lag_max: Option<f64>,
    pub gc_count: Option<u64>,
    pub gc_time_ms: Option<f64>,
    pub latency_histogram: Option<String>,
    /// Producer runs: first send to last acknowledgement (monotonic clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_s: Option<f64>,
    /// Producer runs: acknowledgement latency per record in µs, HdrHistogram V2 base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_latency_histogram: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produce_errors: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produce_requests: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records_per_request_avg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size_avg_bytes: Option<f64>,
    /// The client's own compressed / uncompressed figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_on_wire: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_full_waits: Option<u64>,
    /// With processing: the time spent processing, in all (monotonic clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_s: Option<f64>,
    /// Time between successive counted polls, start to start: mean and longest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_avg_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_max_ms: Option<f64>,
    /// Subscribe: how often the client said this member overran `max.poll.interval.ms`
    /// (librdkafka `MAX_POLL_EXCEEDED`, Java and kafka-python: partitions lost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_poll_exceeded: Option<u64>,
    #[serde(default)]
    pub client_metrics: BTreeMap<String, f64>,
    pub poll_api: Option<String>,
    /// The client's whole configuration as the client resolved it, defaults included,
    /// secret values masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_config: Option<BTreeMap<String, String>>,
    /// Share group members only: the member's exact accounting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<ShareResult>,
}

/// A share group member's accounting (docs/driver-protocol.md, "Share groups").
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ShareResult {
    #[serde(default)]
    pub acknowledgement_mode: Option<String>,
    /// Records handed to the application, each delivery counted.
    #[serde(default)]
    pub deliveries: u64,
    /// Deliveries with a delivery count above 1 (the record came back).
    #[serde(default)]
    pub redeliveries: u64,
    #[serde(default)]
    pub acknowledgements: Acknowledgements,
    /// Acknowledgements the broker refused (the acquisition lock had expired, ...).
    #[serde(default)]
    pub acknowledgement_errors: u64,
    #[serde(default)]
    pub first_acknowledgement_error: Option<String>,
    /// Polls that failed (share fetch errors).
    #[serde(default)]
    pub acquisition_errors: u64,
    /// Offsets whose acceptance this member saw confirmed twice.
    #[serde(default)]
    pub duplicate_accepts: u64,
    /// Records beyond the run's ranges, accepted and not counted.
    #[serde(default)]
    pub records_outside_range: u64,
    /// Per partition, the offsets whose acceptance the broker confirmed, as `[first,
    /// after_last)` runs in order.
    #[serde(default)]
    pub accepted_ranges: BTreeMap<String, Vec<(i64, i64)>>,
}

/// A progress line a driver may print on stdout.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Event {
    Ready,
    Progress {
        messages: u64,
    },
    /// Subscribe: the partitions the consumer holds now, after each assignment or revocation.
    Assigned {
        partitions: Vec<i32>,
    },
}

impl Event {
    /// Parses one stdout line; anything that is not an event is `None`.
    pub fn parse(line: &str) -> Option<Event> {
        serde_json::from_str(line.trim()).ok()
    }
}

/// The clock drivers stamp with (kept in `crate::clock`, below the workload's producers).
pub use crate::clock::now_unix_us;

/// Live groups: the warm-up's end the start file carries (µs since the epoch as decimal
/// text); `None` for an empty start file (a backlog run's).
pub fn start_file_warmup_end(path: &std::path::Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Writes a result document the way the protocol asks: to `PATH.tmp`, then renamed.
pub fn write_result(path: &std::path::Path, result: &DriverResult) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec(result)?)?;
    std::fs::rename(tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_parse_and_noise_is_ignored() {
        assert_eq!(Event::parse(r#"{"event":"ready"}"#), Some(Event::Ready));
        assert_eq!(
            Event::parse(r#"{"event":"progress","messages":5}"#),
            Some(Event::Progress { messages: 5 })
        );
        assert_eq!(
            Event::parse(r#"{"event":"assigned","partitions":[2,0]}"#),
            Some(Event::Assigned {
                partitions: vec![2, 0]
            })
        );
        assert_eq!(Event::parse("SLF4J: no binding"), None);
    }

    #[test]
    fn the_start_file_carries_the_warm_up_end_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("start");
        std::fs::write(&f, "1764000000000000\n").unwrap();
        assert_eq!(start_file_warmup_end(&f), Some(1_764_000_000_000_000));
        std::fs::write(&f, "").unwrap();
        assert_eq!(start_file_warmup_end(&f), None);
    }
}
