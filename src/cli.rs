//! The command line: clap definitions only. `options.rs` turns them into typed options.
//! Names follow Kafka's own tools and kcat, so a Kafka user's habits carry over.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::clients::ClientKind;
use crate::defaults;
use crate::grid::presets::Preset;
use crate::results::Mode;
use crate::workload::payload::{FileFormat, PayloadKind};

#[derive(Debug, Parser)]
#[command(
    name = "kafkatune",
    version,
    about = "Tune Apache Kafka consumers and producers by measurement",
    long_about = "Tune Apache Kafka consumers and producers by measurement.\n\nkafkatune sweeps client settings \
                  (consumers: max.poll.records, fetch.min.bytes, fetch.max.wait.ms, ...; producers: linger.ms, batch.size, \
                  compression.type, acks, ...) on a real Apache Kafka broker or cluster it starts itself, or on your cluster, \
                  for librdkafka, the Java client, kafka-python, confluent-kafka-python, franz-go and KafkaJS; it finds each setting's capacity within a latency SLO and \
                  the best settings within a budget, and reports what each setting does with intervals that state their level.",
    after_help = "Examples:\n  kafkatune sweep --preset seed                 the lab's 27 consumer settings, embedded broker\n  \
                  kafkatune sweep --preset seed --client all    the same for every client\n  \
                  kafkatune sweep --mode produce -X acks=all --param linger.ms=0,5,50\n  \
                  kafkatune sweep --mode live --rate 500 --duration 10 --param fetch.max.wait.ms=10,100,500\n  \
                  kafkatune capacity --mode produce --brokers 3 --param linger.ms=0,5 --slo 'p99<20ms'\n  \
                  kafkatune tune --preset seed --goal throughput --budget 30\n  \
                  kafkatune sweep --preset seed --dry-run       the plan and its duration, nothing started\n  \
                  kafkatune sweep --resume kafkatune-results/20261125-101500\n  \
                  kafkatune report kafkatune-results/20261125-101500"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a sweep of consumer or producer settings: every point of the grid of given
    /// properties, for every client, repeated.
    #[command(after_help = "Examples:\n  kafkatune sweep --preset seed\n  \
                  kafkatune sweep --param fetch.max.wait.ms=10,100,500 --param max.poll.records=100,500 --repeat 6\n  \
                  kafkatune sweep --mode produce --param linger.ms=0,5,50 --param compression.type=none,lz4,zstd\n  \
                  kafkatune sweep --mode produce --brokers 3 -X acks=all --param linger.ms=0,5 --client all\n  \
                  kafkatune sweep --mode pipeline --messages 1000000 --param producer.batch.size=16384,262144\n  \
                  kafkatune sweep --mode live --rate 1000 --duration 10 --param producer.linger.ms=0,5,20")]
    Sweep(Box<SweepArgs>),
    /// Find the best settings for a goal within a budget: racing candidates of the sweep's
    /// space (and --range), dropping the ones a rank test finds worse, confirming the winner.
    /// Consumer and producer settings alike.
    #[command(
        after_help = "Examples:\n  kafkatune tune --preset seed --goal throughput --budget 30\n  \
                  kafkatune tune --mode produce --range batch.size=16384..1048576:log --budget 40\n  \
                  kafkatune tune --mode live --rate 300 --duration 5 --preset seed --goal latency-p99 --budget 20m"
    )]
    Tune(Box<TuneArgs>),
    /// Find the highest load each setting sustains within a latency service level: for every
    /// trial, the highest offered rate at which the producer-to-consumer (or, in produce mode,
    /// send-to-acknowledgement) latency keeps --slo, the rate is delivered and the consumers
    /// keep up.
    #[command(
        after_help = "Examples:\n  kafkatune capacity --slo 'p99<20ms' --param fetch.min.bytes=1,65536 -X fetch.max.wait.ms=100\n  \
                  kafkatune capacity --mode produce --brokers 3 --param linger.ms=0,5,20 --slo 'p99<20ms'\n  \
                  kafkatune capacity --processing 500us --param consumers=1,2 --partitions 2 --slo 'p99<50ms' --rates 200..20000"
    )]
    Capacity(Box<CapacityArgs>),
    /// Only make sure the topic holds the workload (create it, produce, check offsets).
    Prepare(PrepareArgs),
    /// Keep an embedded broker running between commands.
    #[command(subcommand)]
    Broker(BrokerCommand),
    /// Write charts, report.html and report.md for a sweep folder.
    Report {
        /// A sweep folder (holds sweep.json and results.jsonl).
        dir: PathBuf,
    },
    /// Show what changed between two sweeps, flagging differences beyond the noise.
    Compare { before: PathBuf, after: PathBuf },
    /// List the consumer properties kafkatune knows and how each client spells them.
    Properties,
    /// Fetch and build what the clients and the embedded broker need, once (also done on first use).
    Setup {
        /// Client to set up (repeatable, or comma-separated). Default all.
        #[arg(long = "client", value_name = "CLIENT", value_delimiter = ',', value_parser = client_choice())]
        clients: Vec<ClientChoice>,
        /// Print the Debian packages these clients' drivers need (for an image), and do nothing else.
        #[arg(long)]
        debian_packages: bool,
    },
    /// Run a worker: take a coordinator's runs (`sweep --workers`) on this host, through the cluster.
    Worker(WorkerArgs),
    /// Run one client driver (used by kafkatune itself: one fresh process per run).
    #[command(hide = true)]
    Driver {
        client: BuiltInDriver,
        spec: PathBuf,
        result: PathBuf,
    },
}

/// `--repeat N` or `--repeat auto[:MAX]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatChoice {
    Runs(u32),
    Auto { max_runs: Option<u32> },
}

impl std::str::FromStr for RepeatChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}`: give a number of runs (3) or auto, or auto:MAX (auto:10)");
        match text.split_once(':') {
            None if text == "auto" => Ok(RepeatChoice::Auto { max_runs: None }),
            None => text.parse().map(RepeatChoice::Runs).map_err(|_| bad()),
            Some(("auto", max)) => max
                .parse()
                .map(|m| RepeatChoice::Auto { max_runs: Some(m) })
                .map_err(|_| bad()),
            Some(_) => Err(bad()),
        }
    }
}

/// `kafkatune tune`: the sweep's space and options, and the search's own.
#[derive(Debug, Clone, Args)]
pub struct TuneArgs {
    #[command(flatten)]
    pub space: SweepArgs,
    /// An integer property searched between LO and HI (repeatable), by Kafka name; :log
    /// searches it on a log scale: NAME=LO..HI[:log], e.g. fetch.max.wait.ms=1..1000:log.
    #[arg(long = "range", value_name = "NAME=LO..HI[:log]")]
    pub ranges: Vec<String>,
    /// What to optimise. Default throughput (latency-p99 in live mode).
    #[arg(long, value_name = "GOAL")]
    pub goal: Option<crate::tune_file::TuneGoal>,
    /// A bound the winner must keep (repeatable), on its median: 'latency-p99<50ms',
    /// 'cpu<1.0' (CPU s per million messages), 'throughput>100000', or any metric of
    /// results.jsonl ('fetch_requests_per_s<100').
    #[arg(long = "constraint", value_name = "METRIC<BOUND")]
    pub constraints: Vec<String>,
    /// Runs the search may make (60), or wall time of its runs (20m, 90s, 1h). Needed,
    /// except with --resume (the folder's).
    #[arg(long, value_name = "RUNS|DURATION")]
    pub budget: Option<String>,
    /// How to search. Default race.
    #[arg(long, value_name = "STRATEGY")]
    pub strategy: Option<crate::tune_file::Strategy>,
}

/// `kafkatune capacity`: the sweep's space and options, and the search's own. Each step runs
/// `--warmup-s` (left out) then `--duration` seconds at its rate.
#[derive(Debug, Clone, Args)]
pub struct CapacityArgs {
    #[command(flatten)]
    pub space: SweepArgs,
    /// The service level every step must keep, latency percentiles comma-separated:
    /// 'p99<20ms', 'p99<20ms,p99.9<50ms', 'max<1s' (p50, p90, p99, p99.9, max; end to end in
    /// live and pipeline runs, the acknowledgement in produce runs). Needed, except with
    /// --resume.
    #[arg(long, value_name = "CLAUSES")]
    pub slo: Option<String>,
    /// The lowest and highest offered rates to try, msg/s: LO..HI (1k..1M). Default
    /// 1000..1000000.
    #[arg(long, value_name = "LO..HI")]
    pub rates: Option<String>,
    /// How close to bracket each capacity: the first failing rate at most this far above the
    /// last passing one (5%, 0.02). Default 5%.
    #[arg(long, value_name = "PERCENT")]
    pub resolution: Option<String>,
    /// How to choose the rates: bisect (the default), or tussle (Tussle's 1% steps from 50%
    /// to 110% of a high bound: the baseline of bench/capacity.py).
    #[arg(long, value_name = "STRATEGY")]
    pub strategy: Option<crate::capacity_file::CapacityStrategy>,
}

#[derive(Debug, Subcommand)]
pub enum BrokerCommand {
    /// Start an embedded broker (or cluster) that keeps running; prints its address.
    Start {
        #[arg(long, value_name = "N", help = format!("Brokers of the embedded cluster (one JVM each). Default {}.", defaults::BROKERS))]
        brokers: Option<u32>,
    },
    /// Print whether the embedded broker runs, and its address.
    Status,
    /// Stop the embedded broker.
    Stop,
}

/// A client to measure, as `--client` takes it: one by name, or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientChoice {
    One(ClientKind),
    /// Every client (`ClientKind::ALL`).
    All,
}

/// `--client`'s parser: the names and their help lines are the clients' descriptors'.
fn client_choice() -> impl clap::builder::TypedValueParser<Value = ClientChoice> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let visible =
        crate::clients::descriptor::visible().map(|d| PossibleValue::new(d.name).help(d.about));
    let fake = ClientKind::Fake.descriptor();
    let names = visible
        .chain([PossibleValue::new("all").help("Every client above")])
        .chain([PossibleValue::new(fake.name).help(fake.about).hide(true)]);
    PossibleValuesParser::new(names)
        .map(|name| ClientKind::parse(&name).map_or(ClientChoice::All, ClientChoice::One))
}

/// The drivers that run inside the kafkatune binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuiltInDriver {
    Librdkafka,
    Fake,
}

/// A stand-in cluster for tests of the orchestration (no Kafka), with the fake client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FakeCluster {
    /// Answers, and holds whatever workload is asked for.
    Ok,
    /// Never answers (exit 3 before any run).
    Unreachable,
    /// Stops answering after the first failed run (the sweep stops with exit 3).
    DiesOnFailure,
}

/// Where the cluster is and how to reach it.
#[derive(Debug, Clone, Args)]
pub struct ClusterArgs {
    /// Your cluster (HOST:PORT,...); without it kafkatune starts an embedded broker.
    #[arg(
        long = "bootstrap-servers",
        visible_alias = "bootstrap-server",
        value_name = "HOST:PORT"
    )]
    pub bootstrap_servers: Option<String>,
    /// Properties file for the admin and producer side (security settings), as Kafka's tools
    /// take; without it, `sweep` gives that side the consumers' security.*, sasl.*, ssl.* settings.
    #[arg(long = "command-config", value_name = "FILE")]
    pub command_config: Option<PathBuf>,
    /// sweep: let kafkatune create or fill a topic on your cluster that it did not create
    /// (`kafkatune prepare` is that permission already).
    #[arg(long = "allow-write", visible_alias = "prepare")]
    pub allow_write: bool,
    #[arg(long, value_name = "N", help = format!("Brokers of the embedded cluster kafkatune starts (one JVM each; topics get min(3, N) replicas, min.insync.replicas 2 with three). Default {}.", defaults::BROKERS))]
    pub brokers: Option<u32>,
    #[arg(long = "cluster-warmup-s", env = "KAFKATUNE_CLUSTER_WARMUP_S", value_name = "SECONDS", help = format!("The most seconds an embedded cluster is warmed at full speed before the first run, until its rate is steady (its brokers' JIT makes a fresh cluster slow at first); 0: not warmed. Default {}.", defaults::CLUSTER_WARMUP_MAX_S))]
    pub cluster_warmup_s: Option<f64>,
    /// A stand-in cluster for tests of the orchestration (with --client fake).
    #[arg(long = "fake-cluster", value_name = "BEHAVIOUR", hide = true)]
    pub fake_cluster: Option<FakeCluster>,
}

/// What the consumers read.
#[derive(Debug, Clone, Args)]
pub struct WorkloadArgs {
    /// Topic to read; default: named after the workload (e.g. kafkatune-100000x100B-p1), so it is reused.
    #[arg(long, value_name = "NAME")]
    pub topic: Option<String>,
    #[arg(long, value_name = "N", help = format!("Partitions of a topic kafkatune creates. Default {}.", defaults::PARTITIONS))]
    pub partitions: Option<u32>,
    #[arg(long, value_name = "N", help = format!("Messages each run consumes, exactly (drain mode). Default {}.", defaults::MESSAGES))]
    pub messages: Option<u64>,
    #[arg(long = "message-size", value_name = "BYTES", help = format!("Size of each message value in bytes. Default {}; live mode needs at least 8 (each message starts with its send time).", defaults::MESSAGE_SIZE_BYTES))]
    pub message_size: Option<u32>,
    /// What the record bodies are (after the 8-byte send time). Default json: events that
    /// compress as real ones do.
    #[arg(long = "payload-kind", value_name = "KIND", conflicts_with = "payload")]
    pub payload_kind: Option<PayloadKind>,
    /// Your own sample records, cycled to the message count (each value: the send time,
    /// then one record, as it is); see --payload-format.
    #[arg(long, value_name = "FILE")]
    pub payload: Option<PathBuf>,
    /// How --payload FILE holds its records. Default lines.
    #[arg(long = "payload-format", value_name = "FORMAT", requires = "payload")]
    pub payload_format: Option<FileFormat>,
    /// Consumer sweeps: the codec the fill producer compresses the topic's batches with
    /// (none, gzip, snappy, lz4, zstd). Default none.
    #[arg(long = "topic-compression", value_name = "CODEC")]
    pub topic_compression: Option<String>,
    /// Consumer sweeps: fill the topic in batches of about 1 MB, as fast as the broker takes
    /// them, instead of the Java producer's batching (batch.size 16384, linger.ms 5).
    #[arg(long = "fast-fill")]
    pub fast_fill: bool,
    /// Consumer sweeps: a .properties file of producer properties for the fill (batch.size,
    /// linger.ms, compression.type, ...), by Kafka name.
    #[arg(long = "fill.config", value_name = "FILE")]
    pub fill_config: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct PrepareArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub workload: WorkloadArgs,
}

#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Start from a preset; options given beside it override it.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<Preset>,
    /// A swept consumer property and its values, by Kafka name (repeatable): NAME=V1,V2,...
    #[arg(long = "param", value_name = "NAME=V1,V2,...")]
    pub params: Vec<String>,
    /// A consumer property fixed for every trial (repeatable), as kcat's -X.
    #[arg(short = 'X', value_name = "KEY=VALUE")]
    pub properties: Vec<String>,
    /// A .properties file of consumer properties fixed for every trial, as Kafka's tools take.
    #[arg(long = "consumer.config", value_name = "FILE")]
    pub consumer_config: Option<PathBuf>,
    /// A .properties file of producer properties fixed for every trial (--mode produce), as
    /// Kafka's tools take.
    #[arg(long = "producer.config", value_name = "FILE")]
    pub producer_config: Option<PathBuf>,
    /// Client to measure (repeatable, or comma-separated). Default librdkafka.
    #[arg(long = "client", value_name = "CLIENT", value_delimiter = ',', value_parser = client_choice())]
    pub clients: Vec<ClientChoice>,
    /// Run N consumer processes in one new consumer group, sharing --messages; sweep it with --param consumers=1,2,4.
    #[arg(long, value_name = "N")]
    pub consumers: Option<u32>,
    /// Put network distance between every client and the embedded brokers, through a
    /// delay proxy in front of each: latency is one way (10ms: a 20 ms round trip),
    /// jitter either side of it, bandwidth per direction of each connection (kbit, mbit,
    /// gbit). Sweep one with --param network.latency=0ms,10ms.
    #[arg(long, value_name = "latency=MS[,jitter=MS][,bandwidth=RATE]")]
    pub network: Option<String>,
    /// Harm the embedded cluster during each run, then account for every record sent
    /// (lost, ambiguous, duplicated, out of order): none, kill-leader@T, restart-leader@T,
    /// pause-leader@T:D (T after the producer's steady state). --mode produce, --brokers 3,
    /// --client librdkafka. Sweep it with --param fault=none,kill-leader@3s.
    #[arg(long, value_name = "SPEC")]
    pub fault: Option<String>,
    /// The kind of group the consumers form: consumer (a consumer group) or share (a share group, KIP-932: any number of consumers per partition; the Java client only). Sweep it with --param group.type=consumer,share.
    #[arg(long = "group-type", value_name = "TYPE", value_parser = ["consumer", "share"])]
    pub group_type: Option<String>,
    /// Share groups, a test knob: each member releases this many of the run's records on their first delivery (share.acknowledgement.mode=explicit), so they are delivered again.
    #[arg(long = "share-release-first", value_name = "N", hide = true)]
    pub share_release_first: Option<u64>,
    /// Work each consumer does between polls: per record (200us), per poll (batch:5ms),
    /// busy by default, sleeping with sleep: in front (sleep:200us); sweep it with
    /// --param processing=0us,100us,1ms. Never passed to a client.
    #[arg(long, value_name = "TIME")]
    pub processing: Option<String>,
    /// The regime to measure. Default drain (or the preset's).
    #[arg(long, value_name = "MODE")]
    pub mode: Option<Mode>,
    /// Messages per second the producer sends: live mode (required), pipeline and produce
    /// modes (default: as fast as it can).
    #[arg(long, value_name = "MSGS_PER_S")]
    pub rate: Option<f64>,
    /// Live mode: seconds measured per run, after the warm-up.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    #[arg(long = "warmup-s", alias = "warmup", value_name = "SECONDS", help = format!("Live mode: seconds at the start of each run left out of the latencies; must cover the consumer's start-up. Default {}.", defaults::WARMUP_S))]
    pub warmup_s: Option<f64>,
    #[arg(long, value_name = "N|auto[:MAX]", help = format!("Measured runs per trial (each a fresh process). Default {} (or the preset's). auto: at least {}, then more until the trial's 95% interval is within --precision of its median, at most MAX (default {}).", defaults::REPEAT, defaults::REPEAT_AUTO_MIN, defaults::REPEAT_AUTO_MAX))]
    pub repeat: Option<RepeatChoice>,
    /// With --repeat auto: how close the 95% interval must come to the median, e.g. 5% (the default) or 0.05.
    #[arg(long, value_name = "PERCENT")]
    pub precision: Option<String>,
    /// Warm-up runs per trial, recorded but left out of the summaries. Default 0.
    #[arg(long = "warmup-runs", value_name = "N")]
    pub warmup_runs: Option<u32>,
    /// Seed of the randomised run order (recorded; give it to reproduce an order).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    #[arg(long = "run-timeout", alias = "trial-timeout", value_name = "SECONDS", help = format!("Seconds after which one run is killed and recorded as failed. Default {} + {} per message (drain), {} + warm-up + duration (live).", defaults::RUN_TIMEOUT_BASE_S, defaults::RUN_TIMEOUT_S_PER_MESSAGE, defaults::RUN_TIMEOUT_BASE_S))]
    pub run_timeout: Option<f64>,
    #[arg(long, value_name = "DIR", help = format!("Output folder; default a new timestamped folder under ./{}/.", defaults::RESULTS_DIR))]
    pub out: Option<PathBuf>,
    /// Continue an interrupted sweep in DIR without repeating its finished runs, with the
    /// configuration stored there (options given beside it must agree with it).
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub resume: Option<PathBuf>,
    #[arg(long, short = 'y', help = format!("Run a large grid (over {} runs) without asking.", defaults::LARGE_SWEEP_RUNS))]
    pub yes: bool,
    /// Do not write the charts and HTML report at the end.
    #[arg(long = "no-report")]
    pub no_report: bool,
    /// Check the options, then print the plan (trials, runs, clients, what is started, the
    /// topic, the folder) and an estimate of the duration; start nothing, write nothing.
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// Run each group's consumers (or a produce run's producers) on workers (`kafkatune
    /// worker`) instead of here: N of the fleet's idle workers, or these by name (NAME,...).
    #[arg(long, value_name = "N|NAMES")]
    pub workers: Option<String>,
    #[arg(long, value_name = "NAME", help = format!("The fleet of workers (its topics: kafkatune-control-NAME, kafkatune-results-NAME). Default {}.", defaults::FLEET))]
    pub fleet: Option<String>,
    #[arg(long = "workers-timeout", value_name = "SECONDS", help = format!("Seconds to wait for the workers before giving up (exit 3). Default {}.", defaults::WORKERS_TIMEOUT_S))]
    pub workers_timeout: Option<f64>,
    /// Refuse workers whose clock may be off this host's by more than MS (offset plus its
    /// uncertainty, measured through the cluster). Default 10 (live, pipeline), 100 (drain,
    /// produce).
    #[arg(long = "max-clock-error", value_name = "MS")]
    pub max_clock_error: Option<f64>,
}

/// `kafkatune worker`: one host's share of sweeps coordinated through the cluster.
#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    /// The cluster (HOST:PORT,...), as this host reaches it.
    #[arg(
        long = "bootstrap-servers",
        visible_alias = "bootstrap-server",
        value_name = "HOST:PORT"
    )]
    pub bootstrap_servers: String,
    /// Properties file of security settings (TLS, SASL) for this worker's connections, as
    /// Kafka's tools take.
    #[arg(long = "command-config", value_name = "FILE")]
    pub command_config: Option<PathBuf>,
    /// The worker's name, as `sweep --workers NAME,...` gives it. Default the host's name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    #[arg(long, value_name = "NAME", help = format!("The fleet to work for. Default {}.", defaults::FLEET))]
    pub fleet: Option<String>,
    #[arg(long, value_name = "DIR", help = format!("Folder for the runs' files. Default ./{}.", defaults::WORKER_DIR))]
    pub dir: Option<PathBuf>,
    /// Speak this control protocol version (tests of a refused worker).
    #[arg(long = "control-version", value_name = "N", hide = true)]
    pub control_version: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn old_option_names_still_parse() {
        let cli = Cli::try_parse_from([
            "kafkatune",
            "sweep",
            "--mode",
            "live",
            "--rate",
            "10",
            "--duration",
            "1",
            "--warmup",
            "2",
            "--trial-timeout",
            "30",
            "--prepare",
        ])
        .unwrap();
        let Command::Sweep(args) = cli.command else {
            panic!("a sweep")
        };
        assert_eq!(args.warmup_s, Some(2.0));
        assert_eq!(args.run_timeout, Some(30.0));
        assert!(args.cluster.allow_write);
        assert_eq!(args.mode, Some(Mode::Live));
    }

    #[test]
    fn clients_come_repeated_or_comma_separated() {
        let cli = Cli::try_parse_from([
            "kafkatune",
            "sweep",
            "--client",
            "java,librdkafka",
            "--client",
            "kafka-python",
        ])
        .unwrap();
        let Command::Sweep(args) = cli.command else {
            panic!("a sweep")
        };
        assert_eq!(
            args.clients,
            [
                ClientChoice::One(ClientKind::Java),
                ClientChoice::One(ClientKind::Librdkafka),
                ClientChoice::One(ClientKind::KafkaPython)
            ]
        );
    }

    #[test]
    fn a_mistyped_mode_client_or_preset_names_the_choices() {
        for (flag, value, choice) in [
            ("--mode", "drian", "drain"),
            ("--client", "rdkafka", "librdkafka"),
            ("--preset", "seeds", "seed-live"),
        ] {
            let err = Cli::try_parse_from(["kafkatune", "sweep", flag, value]).unwrap_err();
            assert!(err.to_string().contains(choice), "{flag}: {err}");
            assert!(
                !err.to_string().contains("fake"),
                "the fake stays hidden: {err}"
            );
        }
    }
}
