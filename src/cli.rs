//! The command line: clap definitions only. `options.rs` turns them into typed options.
//! Names follow Kafka's own tools and kcat, so a Kafka user's habits carry over.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kafkatune",
    version,
    about = "Tune Apache Kafka consumers by measurement",
    long_about = "Tune Apache Kafka consumers by measurement.\n\nkafkatune sweeps consumer settings (max.poll.records, fetch.min.bytes, fetch.max.wait.ms, ...) \
                  on a real Apache Kafka broker it starts itself, or on your cluster, for librdkafka, the Java client and kafka-python, \
                  and reports what each setting does with intervals you can trust.",
    after_help = "Examples:\n  kafkatune sweep --preset seed                 the lab's 27 combinations on an embedded broker\n  \
                  kafkatune sweep --preset seed --client all    the same for librdkafka, Java and kafka-python\n  \
                  kafkatune sweep --param fetch.max.wait.ms=10,100,500 --mode live --rate 500 --duration 10\n  \
                  kafkatune report kafkatune-results/20261125-101500"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a sweep: every combination of the given properties, for every client, repeated.
    Sweep(SweepArgs),
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
        /// Client to set up (repeatable): librdkafka, java, kafka-python, or all. Default all.
        #[arg(long = "client", value_name = "CLIENT")]
        clients: Vec<String>,
    },
    /// Run one client driver (used by kafkatune itself: one fresh process per run).
    #[command(hide = true)]
    Driver {
        client: String,
        spec: PathBuf,
        result: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum BrokerCommand {
    /// Start an embedded broker that keeps running; prints its address.
    Start,
    /// Print whether the embedded broker runs, and its address.
    Status,
    /// Stop the embedded broker.
    Stop,
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
    /// Let kafkatune create or fill a topic it did not create (on your cluster).
    #[arg(long)]
    pub prepare: bool,
}

/// What the consumers read.
#[derive(Debug, Clone, Args)]
pub struct WorkloadArgs {
    /// Topic to read; default: named after the workload (e.g. kafkatune-100000x100B-p1), so it is reused.
    #[arg(long, value_name = "NAME")]
    pub topic: Option<String>,
    /// Partitions of a topic kafkatune creates.
    #[arg(long, value_name = "N")]
    pub partitions: Option<u32>,
    /// Messages each run consumes, exactly (drain mode). Default 100000.
    #[arg(long, value_name = "N")]
    pub messages: Option<u64>,
    /// Size of each message value in bytes (at least 8: it starts with the send time).
    #[arg(long = "message-size", value_name = "BYTES")]
    pub message_size: Option<u32>,
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
    /// Start from a preset (seed: the lab's 27 combinations; seed-live: the lab's fetch settings, live).
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// A swept consumer property and its values, by Kafka name (repeatable): NAME=V1,V2,...
    #[arg(long = "param", value_name = "NAME=V1,V2,...")]
    pub params: Vec<String>,
    /// A consumer property fixed for every trial (repeatable), as kcat's -X.
    #[arg(short = 'X', value_name = "KEY=VALUE")]
    pub properties: Vec<String>,
    /// A .properties file of consumer properties fixed for every trial, as Kafka's tools take.
    #[arg(long = "consumer.config", value_name = "FILE")]
    pub consumer_config: Option<PathBuf>,
    /// Client to measure (repeatable): librdkafka, java, kafka-python, or all. Default librdkafka.
    #[arg(long = "client", value_name = "CLIENT")]
    pub clients: Vec<String>,
    /// Run N consumer processes in one new consumer group, sharing --messages; sweep it with --param consumers=1,2,4.
    #[arg(long, value_name = "N")]
    pub consumers: Option<u32>,
    /// drain: read a backlog as fast as possible (the lab's case); live: a paced producer, end-to-end latency.
    #[arg(long, value_name = "MODE")]
    pub mode: Option<String>,
    /// Live mode: messages per second the producer sends.
    #[arg(long, value_name = "MSGS_PER_S")]
    pub rate: Option<f64>,
    /// Live mode: seconds measured per run, after the warm-up.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,
    /// Live mode: seconds at the start of each run left out of the latencies (default 5; must cover the consumer's start-up).
    #[arg(long, value_name = "SECONDS")]
    pub warmup: Option<f64>,
    /// Measured runs per trial (each a fresh process). Default 3.
    #[arg(long, value_name = "N")]
    pub repeat: Option<u32>,
    /// Warm-up runs per trial, recorded but left out of the summaries.
    #[arg(long = "warmup-runs", value_name = "N", default_value_t = 0)]
    pub warmup_runs: u32,
    /// Seed of the randomised run order (recorded; give it to reproduce an order).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Seconds after which a run is killed and recorded as failed.
    #[arg(long = "trial-timeout", value_name = "SECONDS")]
    pub trial_timeout: Option<f64>,
    /// Output folder; default a new timestamped folder under ./kafkatune-results/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Continue an interrupted sweep in DIR without repeating its finished runs.
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub resume: Option<PathBuf>,
    /// Run a large grid without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Do not write the charts and HTML report at the end.
    #[arg(long = "no-report")]
    pub no_report: bool,
}
