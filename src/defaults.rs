//! Every default of the command line, once: options, presets, help texts and the drivers'
//! specs all take them from here.

/// Messages each drain run consumes (the lab's 100,000).
pub const MESSAGES: u64 = 100_000;
/// Size of each message value, in bytes.
pub const MESSAGE_SIZE_BYTES: u32 = 100;
/// Partitions of a topic kafkatune creates.
pub const PARTITIONS: u32 = 1;
/// Measured runs per trial.
pub const REPEAT: u32 = 3;
/// `--repeat auto`: the runs of a trial before its precision is judged (6: the fewest whose
/// distribution-free interval of the median reaches 95%, `stats::median_interval`), and the
/// most it gets without `auto:MAX`.
pub const REPEAT_AUTO_MIN: u32 = 6;
pub const REPEAT_AUTO_MAX: u32 = 10;
/// `--precision`: the 95% interval within 5% of the median, as a fraction.
pub const PRECISION: f64 = 0.05;
/// Records one poll may return: the Java client's own default, applied to every client so
/// that they are compared alike (librdkafka has no such setting; see docs/guide/sweep.md).
pub const MAX_POLL_RECORDS: u64 = 500;
/// The timeout of one poll call in a driver.
pub const POLL_TIMEOUT_MS: u64 = 100;
/// Live mode: seconds at the start of each run left out of the latencies. A JVM on a busy
/// 2-core machine takes about 2 s to start, and the warm-up must cover the consumer's start.
pub const WARMUP_S: f64 = 5.0;
/// A run's time-out: this much, plus [`RUN_TIMEOUT_S_PER_MESSAGE`] per message (drain), or
/// plus the warm-up and duration (live).
pub const RUN_TIMEOUT_BASE_S: f64 = 60.0;
/// Drain: a run may take this long per message beyond the base (5,000 msg/s, far below the
/// slowest client, kafka-python, at about 14,000 msg/s here).
pub const RUN_TIMEOUT_S_PER_MESSAGE: f64 = 1.0 / 5_000.0;
/// `kafkatune capacity`: the rates searched by default, msg/s (`--rates`). 1,000 msg/s is
/// low enough for a consumer doing 500 us of work a record, high enough that a p99.9 step
/// (10,000 records) takes 10 s.
pub const CAPACITY_RATE_LOW: f64 = 1_000.0;
pub const CAPACITY_RATE_HIGH: f64 = 1_000_000.0;
/// The search stops when the first failing rate is within 5% above the last passing one.
pub const CAPACITY_RESOLUTION: f64 = 0.05;
/// A capacity step's measured seconds, after its warm-up (`--duration`); longer when its
/// percentile needs more records at a low rate.
pub const CAPACITY_STEP_S: f64 = 10.0;
/// A step's achieved rate must reach this share of the offered one (a run at one rate that
/// falls below it did not sustain the rate).
pub const CAPACITY_MIN_ACHIEVED: f64 = 0.99;
/// A sweep of more runs than this asks for `--yes`.
pub const LARGE_SWEEP_RUNS: usize = 300;
/// Brokers of the embedded cluster.
pub const BROKERS: u32 = 1;
/// The most seconds a fresh embedded cluster is warmed before the first run
/// (`crate::workload::warm_cluster`: it stops once steady, 3 to 6 s on this machine).
pub const CLUSTER_WARMUP_MAX_S: f64 = 20.0;
/// The most brokers an embedded cluster may have on one machine.
pub const MAX_BROKERS: u32 = 9;
/// Where sweep folders go, under the current directory, when `--out` is not given.
pub const RESULTS_DIR: &str = "kafkatune-results";

/// The fleet of workers a sweep and a worker use unless `--fleet` says otherwise.
pub const FLEET: &str = "default";

/// Seconds a sweep waits for its workers (`--workers-timeout`).
pub const WORKERS_TIMEOUT_S: f64 = 60.0;

/// Where a worker keeps its runs' files (`kafkatune worker --dir`), under its working directory.
pub const WORKER_DIR: &str = "kafkatune-worker";
