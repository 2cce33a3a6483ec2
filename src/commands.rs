//! One function per subcommand: options in, work done, errors out to `main`.

use anyhow::Result;

use crate::broker::{daemon, Cluster};
use crate::cli::{BrokerCommand, BuiltInDriver, ClientChoice, Command};
use crate::clients::{fake, librdkafka, properties};
use crate::options::{self, SweepOptions};
use crate::sweep::{self, SweepOutcome};
use crate::workload::prepare;
use crate::{interrupt, output, report};

pub fn run(command: Command, argv: &[String]) -> Result<()> {
    match command {
        Command::Sweep(args) => {
            let opts = SweepOptions::from_args(&args, argv)?;
            if args.dry_run {
                return crate::dry_run::print(&opts);
            }
            interrupt::install_handler();
            let outcome = sweep::run(&opts)?;
            finish(&opts, outcome)
        }
        Command::Tune(args) => {
            let opts = crate::tune::TuneOptions::from_args(&args, argv)?;
            if args.space.dry_run {
                return crate::dry_run::print(&opts.sweep);
            }
            interrupt::install_handler();
            let (outcome, file) = crate::tune::run(&opts)?;
            if let Some(file) = &file {
                print!("{}", crate::tune::describe(file));
            }
            finish(&opts.sweep, outcome)
        }
        Command::Capacity(args) => {
            let opts = crate::capacity::CapacityOptions::from_args(&args, argv)?;
            if args.space.dry_run {
                return crate::dry_run::print(&opts.sweep);
            }
            interrupt::install_handler();
            let (outcome, file) = crate::capacity::run(&opts)?;
            finish_capacity(&opts.sweep, outcome, file.as_ref())
        }
        Command::Prepare(args) => {
            let (cluster_opts, workload) = options::prepare_options(&args.cluster, &args.workload)?;
            interrupt::install_handler();
            let cluster = match &cluster_opts.bootstrap {
                Some(b) => {
                    Cluster::external(b, cluster_opts.admin_props.clone(), prepare::ADMIN_TIMEOUT)?
                }
                None => Cluster::embedded_with(cluster_opts.brokers)?,
            };
            let prepared = prepare::prepare(&cluster, &workload, cluster_opts.allow_write, true)?;
            println!(
                "topic {} on {}: {} partitions, {} messages readable ({} produced now)",
                workload.topic,
                cluster.bootstrap,
                prepared.partitions.len(),
                prepared.available(),
                prepared.produced
            );
            Ok(())
        }
        Command::Broker(BrokerCommand::Start { brokers }) => {
            daemon::start_with(options::brokers(brokers, false)?)
        }
        Command::Broker(BrokerCommand::Status) => daemon::status(),
        Command::Broker(BrokerCommand::Stop) => daemon::stop(),
        Command::Report { dir } => {
            for path in report::write_report(&dir)? {
                println!("{}", path.display());
            }
            Ok(())
        }
        Command::Compare { before, after } => {
            println!("{}", report::compare(&before, &after)?);
            Ok(())
        }
        Command::Setup { clients } => {
            let clients = if clients.is_empty() {
                vec![ClientChoice::All]
            } else {
                clients
            };
            crate::broker::jars::locate()?;
            for client in options::clients(&clients) {
                crate::clients::prepare(client)?;
                println!("{}: ready", client.name());
            }
            Ok(())
        }
        Command::Properties => {
            print_properties();
            Ok(())
        }
        Command::Worker(args) => {
            let opts = options::worker_options(&args)?;
            interrupt::install_handler();
            crate::worker::run(&opts)
        }
        Command::Driver {
            client,
            spec,
            result,
        } => match client {
            BuiltInDriver::Librdkafka => librdkafka::run_driver(&spec, &result),
            BuiltInDriver::Fake => fake::run_driver(&spec, &result),
        },
    }
}

/// The end of a sweep: the table on stdout, the report, where the results are, and the
/// error that sets the exit code (stopped early, or runs failed).
fn finish(opts: &SweepOptions, outcome: SweepOutcome) -> Result<()> {
    let summary = crate::stats::summary::summarize_runs(&outcome.meta, &outcome.records);
    println!("{}", output::table::render(&outcome.meta, &summary));
    if let Some(note) = crate::stats::precision::note(&outcome.meta, &summary) {
        println!("{note}");
    }
    if let Some(note) =
        crate::stats::offered::note(&outcome.records, crate::defaults::CAPACITY_MIN_ACHIEVED)
    {
        println!("{note}");
    }
    report_and_results(opts, &outcome);
    match outcome.error(opts) {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// The end of a capacity search: each trial's answer on stdout, the report, and an error
/// only when the search stopped early (steps that broke the service level are its findings,
/// not failures).
fn finish_capacity(
    opts: &SweepOptions,
    outcome: SweepOutcome,
    file: Option<&crate::capacity_file::CapacityFile>,
) -> Result<()> {
    if let Some(file) = file {
        print!("{}", crate::capacity::describe(file));
    }
    report_and_results(opts, &outcome);
    match outcome.stopped.is_some() {
        true => Err(outcome.error(opts).expect("stopped").into()),
        false => Ok(()),
    }
}

/// The report of the folder (unless --no-report), and where the results are.
fn report_and_results(opts: &SweepOptions, outcome: &SweepOutcome) {
    if opts.report && !outcome.records.is_empty() {
        match report::write_report(&opts.out) {
            Ok(paths) => eprintln!(
                "kafkatune: report: {}",
                paths
                    .iter()
                    .find(|p| p.ends_with("report.html"))
                    .unwrap_or(&opts.out)
                    .display()
            ),
            Err(e) => eprintln!("kafkatune: warning: the report could not be written: {e:#}"),
        }
    }
    eprintln!("kafkatune: results in {}", opts.out.display());
}

fn print_properties() {
    println!(
        "{:<40} {:<9} {:<32} {:<32} java",
        "Kafka name", "side", "librdkafka (also confluent-kafka-python)", "kafka-python"
    );
    let show = |s: properties::Spelling| match s {
        properties::Spelling::Name(n) => n.to_string(),
        properties::Spelling::JaasCredentials { username, password } => {
            format!("{username}+{password}")
        }
        properties::Spelling::Unsupported(_) => "-".to_string(),
        properties::Spelling::Rule(how) => format!("{how} *"),
    };
    for p in properties::PROPERTIES {
        let side = match p.role {
            properties::Role::Consumer => "consumer",
            properties::Role::Producer => "producer",
            properties::Role::Common => "both",
        };
        println!(
            "{:<40} {:<9} {:<32} {:<32} {}",
            p.kafka,
            side,
            show(p.librdkafka),
            show(p.kafka_python),
            if p.java { "yes" } else { "-" }
        );
    }
    println!("\nmax.poll.records is applied by librdkafka's driver as the batch size of one poll (librdkafka has no such setting), and by confluent-kafka-python's as consume(num_messages=...).");
    println!("confluent-kafka-python takes librdkafka's names and values: it is librdkafka under Python.");
    println!("\nKafkaJS (--client kafkajs) spells them its own way; every other property is refused for it, naming the nearest setting:");
    println!("{:<40} {:<32} KafkaJS's default", "Kafka name", "kafkajs");
    for (kafka, js, default) in properties::KAFKAJS_SPELLINGS {
        println!("{kafka:<40} {js:<32} {default}");
    }
    println!("KafkaJS has no linger.ms, batch.size or max.poll.records: it sends what each send() call is given (kafkajs.sendRecords=N records a call, 1000 by default), and its eachBatch hands a fetch's batch, which the driver cuts at max.poll.records.");
    println!("* TLS stores: librdkafka and kafka-python read PEM files (librdkafka also a PKCS#12 key store). With ssl.truststore.type=PEM and ssl.keystore.type=PEM every client reads the same files.");
    println!("Any client's own setting: librdkafka.NAME=V, java.NAME=V, kafka-python.NAME=V, confluent-kafka-python.NAME=V, kafkajs.NAME=V (that client only; librdkafka.NAME=V also reaches confluent-kafka-python, which runs on librdkafka).");
    println!("Consumer settings act in drain and live sweeps, producer settings in produce sweeps and, in live sweeps, on kafkatune's paced producer (producer.NAME or consumer.NAME picks the side).");
}
