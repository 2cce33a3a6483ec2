//! The result files of a sweep, as serde types: what every exporter and the report read.
//!
//! A sweep folder holds:
//! - `sweep.json`: [`SweepMeta`], written once when the sweep starts;
//! - `results.jsonl`: one [`RunRecord`] per run, appended and flushed as each run ends;
//! - `results.csv`: the same records as CSV (rewritten after every run);
//! - `summary.json`: [`SummaryFile`], the per-trial summaries (rewritten after every run).
//!
//! Units are in the field names: `_s` seconds, `_ms` milliseconds, `_bytes` bytes,
//! `_mib_per_s` MiB (2^20 bytes) per second.
//!
//! Schema versions (`schema_version` at the root of every record and file):
//! - 1: first version. Later optional fields (group mode: `per_consumer`, `join_s`, ...)
//!   are left out when empty, so files without them still load.
//! - 2: `sweep.json`'s `trial_timeout_s` is named `run_timeout_s` (it times out one run);
//!   version 1 files still load.
//! - 3: `summary.json`'s interval of a median is an order-statistic interval with its exact
//!   level: `ci95_low`/`ci95_high` (a bootstrap that was not 95% at few runs) are named
//!   `ci_low`/`ci_high`, beside `ci_level` and the runs' `values`; `tied_with_best` comes
//!   from a rank test of the runs. An older summary.json still parses, and the report
//!   recomputes it from results.jsonl.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Version of the result files written by this build.
pub const SCHEMA_VERSION: u32 = 3;

/// Consumer properties of a run by their Kafka (Java client) names, values as typed.
pub type Params = BTreeMap<String, String>;

/// The regime a sweep measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A backlog read as fast as possible (the lab's case).
    Drain,
    /// A paced producer and a caught-up consumer: end-to-end latency.
    Live,
    /// Producers only: send exactly the messages as fast as the client allows, every one
    /// acknowledged.
    Produce,
    /// A producer as fast as it can (or at a rate) and a consumer reading it concurrently:
    /// sustained end-to-end throughput, latency and lag.
    Pipeline,
}

impl Mode {
    /// The name users type (`--mode`), as the results record it.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Drain => "drain",
            Mode::Live => "live",
            Mode::Produce => "produce",
            Mode::Pipeline => "pipeline",
        }
    }

    /// Whether runs have kafkatune's own producer beside the consumer under test (so
    /// `producer.NAME` settings act on it).
    pub fn has_paced_producer(self) -> bool {
        matches!(self, Mode::Live | Mode::Pipeline)
    }
}

/// Whether a run produced a measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Failed,
}

/// Metadata recorded once per sweep (`sweep.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepMeta {
    pub schema_version: u32,
    pub sweep_id: String,
    pub started_at: String,
    /// The command line that started the sweep, secrets masked.
    pub command: String,
    pub kafkatune_version: String,
    pub kafkatune_git_revision: Option<String>,
    pub broker: BrokerMeta,
    pub workload: WorkloadMeta,
    pub mode: Mode,
    /// Live mode only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<LiveMeta>,
    /// Produce and pipeline sweeps sent at `--rate` (absent: as fast as the producer could).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_rate_msgs_per_s: Option<f64>,
    pub clients: Vec<String>,
    /// The swept properties in the order they were given, each with its values.
    pub grid: Vec<(String, Vec<String>)>,
    /// Properties fixed for every trial (`-X`, `--consumer.config`, preset), secrets masked.
    pub fixed: Params,
    pub repeat: u32,
    pub warmup_runs: u32,
    pub seed: u64,
    /// Seconds after which one run is killed (`--run-timeout`).
    #[serde(alias = "trial_timeout_s")]
    pub run_timeout_s: f64,
    pub host: HostMeta,
    /// The record bodies (kind, source, compressibility): what compression results rest on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<PayloadInfo>,
    /// Consumer sweeps: how kafkatune's producer filled the topic, and the record batches it
    /// wrote (they bound what fetch sizes can do: a broker returns at least one whole batch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<FillMeta>,
    /// Hash of everything that defines the sweep's runs; `--resume` refuses another.
    pub config_hash: String,
    /// Sweeps whose runs are chosen as results come in (`--repeat auto`, `kafkatune tune`);
    /// left out for a sweep of fixed repetitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptive: Option<AdaptiveMeta>,
    /// `sweep --workers`: the workers that ran the sweep's consumers or producers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workers: Vec<WorkerMeta>,
    /// How the embedded cluster was warmed before the first run (of this start of the sweep:
    /// a resumed sweep warms its new cluster again); absent on the user's cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_warmup: Option<ClusterWarmup>,
}

/// A worker of a sweep (`sweep --workers`): its host, its clients, and its clock as measured
/// through the control topic's round trips (NTP-style: the shortest of several).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkerMeta {
    pub name: String,
    pub hostname: Option<String>,
    pub host: HostMeta,
    /// The clients' versions this worker runs (`librdkafka`, `java`, `kafka-python`).
    #[serde(default)]
    pub client_versions: BTreeMap<String, String>,
    /// The shortest ping round trip through the cluster.
    pub round_trip_ms: f64,
    /// The worker's clock minus the coordinator's, at that round trip's midpoint.
    pub clock_offset_ms: f64,
    /// How far the offset may be off: half that round trip.
    pub clock_uncertainty_ms: f64,
}

/// How an adaptive sweep chooses its runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AdaptiveMeta {
    /// `--repeat auto[:MAX]`: runs are added to a trial until the 95% interval of its
    /// primary metric's median lies within `precision` (a fraction) of the median.
    RepeatAuto {
        min_runs: u32,
        max_runs: u32,
        precision: f64,
    },
    /// `kafkatune tune`: the search's settings (`tune.json` holds its course).
    Search(crate::tune_file::SearchSettings),
    /// `kafkatune capacity`: the search's settings (`capacity.json` holds its answer).
    Capacity(crate::capacity_file::CapacitySettings),
}

/// What a sweep records about its payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayloadInfo {
    /// `json`, `text`, `random` or `zeros` for a built-in generator, `file` for `--payload`.
    pub kind: String,
    /// The generator's seed; `None` for a file.
    pub seed: Option<u64>,
    /// The sample file as given to `--payload`; `None` for a generator.
    pub source_file: Option<String>,
    /// How the sample file was split into records (`lines`, `length-prefixed`); `None` for a
    /// generator.
    pub source_format: Option<String>,
    /// SHA-256 of the sample file's bytes, lowercase hex; `None` for a generator.
    pub source_sha256: Option<String>,
    /// Distinct bodies, cycled to the message count.
    pub records_in_pool: usize,
    /// Mean value size over the pool in bytes, the 8-byte stamp included.
    pub value_bytes_avg: f64,
    /// The record-batch size the ratios were measured at, in bytes of values.
    pub batch_bytes: usize,
    /// lz4 (frame format, fast mode) compressed bytes / uncompressed bytes; < 1 compresses.
    pub lz4_ratio: f64,
    /// zstd (level 3, Kafka's default) compressed bytes / uncompressed bytes; < 1 compresses.
    pub zstd_ratio: f64,
}

/// The warm-up of a freshly started embedded cluster (the workload's `warm_cluster`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClusterWarmup {
    /// Seconds of full-speed load (one round each).
    pub seconds: f64,
    /// Each round's acknowledged records (a round is one second: msg/s).
    pub rounds_msgs_per_s: Vec<f64>,
    /// Whether the last round came within 10% of the one before (else the time ran out).
    pub steady: bool,
    /// Records the reader fetched back meanwhile.
    pub consumed: u64,
}

/// The fill of a consumer sweep's topic.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FillMeta {
    /// The fill producer's settings by Kafka name (batch.size, linger.ms, compression.type).
    pub properties: Params,
    /// Messages produced by this sweep (0: the topic was reused as it was).
    pub produced: u64,
    /// The fill's mean record batch as sent, in bytes; `None` when the topic was reused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size_avg_bytes: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BrokerMeta {
    pub bootstrap_servers: String,
    /// `embedded` or `external`.
    pub kind: String,
    pub version: Option<String>,
    /// How many brokers the cluster had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brokers: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkloadMeta {
    pub topic: String,
    pub partitions: u32,
    pub messages: u64,
    pub message_size_bytes: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LiveMeta {
    pub rate_msgs_per_s: f64,
    pub duration_s: f64,
    pub warmup_s: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HostMeta {
    pub os: String,
    pub kernel: Option<String>,
    pub cpu_model: Option<String>,
    pub cpu_count: usize,
    pub memory_bytes: Option<u64>,
}

/// One run: one repetition of one trial, measured in one fresh process.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RunRecord {
    pub schema_version: u32,
    pub sweep_id: String,
    /// Stable id of the trial (client + params), e.g. `t07`.
    pub trial_id: String,
    /// 0-based index among the trial's runs (warm-up runs included).
    pub run_index: u32,
    /// Warm-up runs are recorded but left out of every summary.
    pub warmup: bool,
    /// Position of this run in the (shuffled) order of the sweep.
    pub order: u32,
    pub client: String,
    pub client_version: Option<String>,
    /// Every swept and fixed property by its Kafka name (secrets masked).
    pub params: Params,
    /// The properties as the client received them (translated names), secrets masked.
    pub effective_properties: BTreeMap<String, serde_json::Value>,
    /// The client's whole configuration as it resolved it, its defaults included, in its
    /// own names (secrets masked): what the run really ran with.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_config: BTreeMap<String, String>,
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub messages: u64,
    pub bytes: u64,
    /// Process spawn to consumer created and assigned.
    pub startup_s: Option<f64>,
    /// Consumer ready to the first record (connection, first fetch).
    pub time_to_first_record_s: Option<f64>,
    /// First record to the last requested record: the steady state.
    pub consume_s: Option<f64>,
    /// Process spawn to exit, as the orchestrator saw it.
    pub wall_s: f64,
    pub throughput_msgs_per_s: Option<f64>,
    pub throughput_mib_per_s: Option<f64>,
    pub polls: Option<u64>,
    pub records_per_poll_avg: Option<f64>,
    pub records_per_poll_max: Option<u64>,
    pub empty_polls: Option<u64>,
    pub fetch_requests: Option<f64>,
    pub fetch_latency_avg_ms: Option<f64>,
    pub fetch_latency_max_ms: Option<f64>,
    pub fetch_bytes_avg: Option<f64>,
    pub records_lag_max: Option<f64>,
    /// From the OS accounting of the child process (wait4 rusage).
    pub cpu_user_s: Option<f64>,
    pub cpu_sys_s: Option<f64>,
    pub peak_rss_bytes: Option<u64>,
    /// CPU seconds (user + system) per million messages consumed.
    pub cpu_s_per_million_msgs: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gc_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gc_time_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_api: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_partition: Option<BTreeMap<String, u64>>,
    // Group mode (`consumers`): several consumer processes in one consumer group.
    /// The run's own consumer group (deleted afterwards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// From starting the first consumer to the group complete and balanced (counting starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_stable_s: Option<f64>,
    /// From `subscribe()` to the first assignment, the slowest consumer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_s: Option<f64>,
    /// The same, the fastest consumer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_s_min: Option<f64>,
    /// The most assignments one consumer saw (1: the group was assigned once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebalances: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per_consumer: Vec<ConsumerRun>,
    /// Produce runs with `producers` above 1, or on workers: each producer process's share.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per_producer: Vec<ProducerRun>,
    /// `--fault` runs: what was done and the accounting of every record sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<crate::fault_file::FaultRecord>,
    /// Consumers that got no partition and counted nothing (more consumers than partitions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub idle_consumers: Vec<u32>,
    /// `[seconds since the first consumer started, messages of the run not yet consumed]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lag_samples: Vec<(f64, u64)>,
    /// Group mode: the assignments every consumer saw, summed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebalances_total: Option<u64>,
    // Processing time (`processing`): the work the consumer did between polls.
    /// Time spent processing, in all (summed over a group's consumers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_s: Option<f64>,
    /// Time between successive polls, start to start: the mean and the longest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_avg_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_max_ms: Option<f64>,
    /// Group mode: how often a consumer overran `max.poll.interval.ms`, summed (the clients'
    /// own signal: librdkafka `MAX_POLL_EXCEEDED`, Java and kafka-python partitions lost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_poll_exceeded: Option<u64>,
    /// Live mode: whether the consumer kept up with the producer's rate (its lag did not
    /// grow while the producer sent, after the warm-up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept_up: Option<bool>,
    // Live mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p50_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p90_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p99_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p999_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_max_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_samples: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produce_rate_msgs_per_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consume_rate_msgs_per_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch_requests_per_s: Option<f64>,
    // Producer runs (`--mode produce`): the driver's producer, first send to last
    // acknowledgement; acknowledgement latency per record, send call to delivery report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_latency_p50_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_latency_p99_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_latency_p999_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_latency_max_ms: Option<f64>,
    /// Records whose delivery report carried an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produce_errors: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub produce_requests: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_rate_per_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records_per_request_avg: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size_avg_bytes: Option<f64>,
    /// Bytes on the wire / payload bytes (< 1: compression paid off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_on_wire: Option<u64>,
    /// The client's raw metrics by its own names.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub client_metrics: BTreeMap<String, f64>,
    /// `--network`: the round trip through the delay proxy, in ms: the mean of its measure
    /// just before and just after the run, each the median of five Kafka metadata requests
    /// on an open connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_rtt_ms: Option<f64>,
    /// The rate the run offered, msg/s: live runs' `--rate`, a paced produce or pipeline
    /// run's, a capacity step's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered_rate_msgs_per_s: Option<f64>,
    /// The whole machine's CPU use over the run, 0-1 of every core (`/proc/stat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_cpu_busy: Option<f64>,
    // Share groups (`group.type=share`, KIP-932): at-least-once delivery, counted exactly.
    /// `consumer` or `share`: the kind of group the run's consumers formed (group runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    /// Records handed to the consumers, every delivery counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<u64>,
    /// Deliveries of a record that had been delivered before (delivery count above 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeliveries: Option<u64>,
    /// Acknowledgements sent, by type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgements: Option<Acknowledgements>,
    /// Acknowledgements the broker refused (an expired acquisition lock, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement_errors: Option<u64>,
    /// Share fetches that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition_errors: Option<u64>,
    /// The share group's own settings, as set on the group before the run.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub group_config: BTreeMap<String, String>,
}

/// Share groups: acknowledgements sent, by type (the driver protocol's `share.acknowledgements`).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Acknowledgements {
    #[serde(default)]
    pub accept: u64,
    #[serde(default)]
    pub release: u64,
    #[serde(default)]
    pub reject: u64,
}

/// One consumer of a group-mode run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ConsumerRun {
    /// 0-based index of the consumer process in the run.
    pub consumer: u32,
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub messages: u64,
    /// Its own messages over its own first-to-last record time.
    pub throughput_msgs_per_s: Option<f64>,
    /// What it held at the end.
    pub assigned_partitions: Vec<i32>,
    /// Records it counted per partition (what it actually read).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub per_partition: BTreeMap<String, u64>,
    pub join_s: Option<f64>,
    pub rebalances: Option<u64>,
    pub cpu_s: Option<f64>,
    /// Share groups: deliveries of records delivered before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeliveries: Option<u64>,
    /// Share groups: failed share fetches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition_errors: Option<u64>,
    /// Share groups: acknowledgements the broker refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement_errors: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_poll_exceeded: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_max_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_avg_ms: Option<f64>,
    /// The worker it ran on (`sweep --workers`); none when it ran on kafkatune's own host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
    /// That worker's clock minus the coordinator's (its timestamps are shifted by it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_clock_offset_ms: Option<f64>,
}

/// One producer process of a produce run (`--param producers=N`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ProducerRun {
    /// 0-based index of the producer process in the run.
    pub producer: u32,
    pub status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Records it saw acknowledged, of the `messages_asked` it was given.
    pub messages: u64,
    pub messages_asked: u64,
    /// Its own records over its own first send to last acknowledgement.
    pub throughput_msgs_per_s: Option<f64>,
    pub ack_latency_p50_ms: Option<f64>,
    pub ack_latency_p99_ms: Option<f64>,
    pub cpu_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_clock_offset_ms: Option<f64>,
}

/// Summary of one metric over a trial's measured (non-warm-up, ok) runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetricSummary {
    pub median: f64,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    /// Interval of the median: a pair of order statistics (`stats::median_interval`).
    #[serde(alias = "ci95_low")]
    pub ci_low: f64,
    #[serde(alias = "ci95_high")]
    pub ci_high: f64,
    /// The chance, exact for continuous noise, that the interval holds the true median: 0.95
    /// or a little more from 6 runs, `1 - 2 x 0.5^n` below (3 runs: 0.75), 0 for one run.
    /// Files before schema 3 have none (0 here) and are recomputed when read.
    #[serde(default)]
    pub ci_level: f64,
    /// Coefficient of variation: sample standard deviation / mean.
    pub cv: f64,
    pub n: usize,
    /// Each measured run's value, in run order: what the rank test of ties reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f64>,
}

/// Per-trial summary (`summary.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrialSummary {
    pub schema_version: u32,
    pub trial_id: String,
    pub client: String,
    pub client_version: Option<String>,
    pub params: Params,
    pub runs_ok: usize,
    pub runs_failed: usize,
    /// 1 = best on the sweep's primary metric; trials a rank test of the runs cannot tell
    /// from the best (`stats::ties`) share `tied_with_best = true`.
    pub rank: Option<usize>,
    pub tied_with_best: bool,
    /// Metric name (a `RunRecord` field) to its summary, for every numeric metric measured.
    pub metrics: BTreeMap<String, MetricSummary>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The contents of `summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SummaryFile {
    pub schema_version: u32,
    pub sweep_id: String,
    /// The metric trials are ranked on, e.g. `throughput_msgs_per_s` (higher is better)
    /// or `latency_p99_ms` (lower is better).
    pub primary_metric: String,
    pub higher_is_better: bool,
    pub trials: Vec<TrialSummary>,
    /// Runs planned but not finished (an interrupted sweep).
    pub runs_missing: usize,
}
