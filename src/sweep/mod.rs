//! A sweep: trials (one client, one set of settings) of runs (one fresh process each), in a
//! randomised order, on a prepared workload, written to disk as each run ends.

pub mod grid;
pub mod group;
mod meta;
pub mod plan;
pub mod record;
pub mod runner;

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use anyhow::Result;
use serde_json::Value;

use crate::broker::{admin, Cluster};
use crate::clients::protocol::{Assignment, LiveSpec, PartitionStart, Spec, PROTOCOL_VERSION};
use crate::clients::{self, properties, ClientKind, DriverCommand};
use crate::error::{usage, ErrorKind, UserError};
use crate::export::SweepFiles;
use crate::options::SweepOptions;
use crate::output;
use crate::results::{Mode, RunRecord, Status, SweepMeta};
use crate::workload::live::{LiveProducer, Schedule};
use crate::workload::prepare::{self, Prepared};
use plan::{PlannedRun, Trial};

/// The grace a driver gets beyond its own timeout before it is killed.
const KILL_GRACE: Duration = Duration::from_secs(15);

/// Runs the sweep `opts` describes; the error's kind sets the exit code.
pub fn run(opts: &SweepOptions) -> Result<()> {
    // Everything that can be checked without a broker is checked first.
    let combos = grid::combinations(&opts.axes);
    let trials = plan::trials(&opts.clients, &combos, &opts.fixed);
    let translated = translate_all(&trials)?;
    let (previous, mut records) = if opts.resume {
        resume_state(opts)?
    } else {
        (None, Vec::new())
    };
    let seed = opts
        .seed
        .or(previous.as_ref().map(|m| m.seed))
        .unwrap_or_else(rand::random);
    let mut files = SweepFiles::open(&opts.out)?;

    let drivers = prepare_drivers(&opts.clients)?;
    let cluster = match &opts.cluster.bootstrap {
        Some(b) => Cluster::external(b, opts.cluster.admin_props.clone(), prepare::ADMIN_TIMEOUT)?,
        None => Cluster::embedded()?,
    };
    let prepared = prepare::prepare(
        &cluster,
        &opts.workload,
        opts.cluster.allow_write,
        opts.mode == Mode::Drain,
    )?;
    let meta = previous.unwrap_or_else(|| meta::sweep_meta(opts, &cluster, seed));
    files.write_meta(&meta)?;

    let planned = plan::runs(trials.len(), opts.repeat, opts.warmup_runs, seed);
    let done: HashSet<(String, u32)> = records
        .iter()
        .map(|r| (r.trial_id.clone(), r.run_index))
        .collect();
    let todo: Vec<(usize, &PlannedRun)> = planned
        .iter()
        .enumerate()
        .filter(|(_, p)| !done.contains(&(trials[p.trial].id.clone(), p.run_index)))
        .collect();
    if opts.resume {
        eprintln!(
            "kafkatune: resuming {}: {} runs done, {} to go",
            opts.out.display(),
            done.len(),
            todo.len()
        );
    }
    eprintln!(
        "kafkatune: {} trials x {} runs on {} ({} messages per run) -> {}",
        trials.len(),
        opts.repeat + opts.warmup_runs,
        opts.workload.topic,
        opts.workload.messages,
        opts.out.display()
    );

    let progress = output::progress::bar(todo.len() as u64);
    let mut stopped: Option<UserError> = None;
    for (order, planned) in todo {
        let trial = &trials[planned.trial];
        progress.set_message(output::progress::describe(trial, &opts.axes));
        let record = match one_run(
            opts,
            &cluster,
            &prepared,
            &drivers[&trial.client],
            trial,
            planned,
            order as u32,
            &translated[planned.trial],
            &meta.sweep_id,
        )? {
            Some(r) => r,
            None => {
                stopped = Some(UserError {
                    kind: ErrorKind::Interrupted,
                    message: "interrupted".into(),
                    hint: None,
                });
                break;
            }
        };
        let failed = record.status == Some(Status::Failed);
        if failed {
            progress.suspend(|| {
                eprintln!(
                    "kafkatune: run {} #{} failed: {}",
                    trial.id,
                    planned.run_index,
                    record.error.as_deref().unwrap_or("")
                )
            });
        }
        files.append(&record)?;
        records.push(record);
        files.write_derived(
            &records,
            &crate::stats::summary::summarize_runs(&meta, &records),
        )?;
        progress.inc(1);
        if failed {
            if let Err(e) = await_broker(&cluster) {
                stopped = Some(e);
                break;
            }
        }
    }
    progress.finish_and_clear();
    drop(cluster);
    finish(opts, &meta, &records, stopped)
}

/// Every trial's properties as its client takes them; an unsupported one is an error now.
fn translate_all(trials: &[Trial]) -> Result<Vec<BTreeMap<String, Value>>> {
    trials
        .iter()
        .map(|t| properties::translate(t.client, &t.params).map_err(usage))
        .collect()
}

/// Builds what each client needs once (Java driver, Python environment).
fn prepare_drivers(clients: &[ClientKind]) -> Result<BTreeMap<ClientKind, DriverCommand>> {
    clients
        .iter()
        .map(|c| Ok((*c, clients::prepare(*c)?)))
        .collect()
}

/// The sweep folder's metadata and records, after checking they are this sweep's.
fn resume_state(opts: &SweepOptions) -> Result<(Option<SweepMeta>, Vec<RunRecord>)> {
    let (stored, records) = crate::export::load(&opts.out)?;
    let differences = meta::differences(&stored, opts);
    if !differences.is_empty() {
        return Err(UserError::usage(format!(
            "{} holds a sweep of another configuration (differs in: {})",
            opts.out.display(),
            differences.join(", ")
        ))
        .with_hint(format!(
            "resume it with the command that started it: {} --resume {}",
            stored.command,
            opts.out.display()
        ))
        .into());
    }
    Ok((Some(stored), records))
}

#[allow(clippy::too_many_arguments)]
fn one_run(
    opts: &SweepOptions,
    cluster: &Cluster,
    prepared: &Prepared,
    driver: &DriverCommand,
    trial: &Trial,
    planned: &PlannedRun,
    order: u32,
    translated: &BTreeMap<String, Value>,
    sweep_id: &str,
) -> Result<Option<RunRecord>> {
    let max_poll_records = trial
        .params
        .get("max.poll.records")
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let mut spec = Spec {
        protocol_version: PROTOCOL_VERSION,
        client: trial.client.name().into(),
        bootstrap_servers: cluster.bootstrap.clone(),
        topic: opts.workload.topic.clone(),
        assignment: Assignment::Assign,
        group_id: None,
        partitions: prepared
            .partitions
            .iter()
            .map(|p| PartitionStart {
                partition: p.partition,
                start_offset: p.low,
                end_offset: None,
            })
            .collect(),
        messages: opts.workload.messages,
        mode: opts.mode,
        max_poll_records,
        poll_timeout_ms: 100,
        properties: translated.clone(),
        timeout_s: opts.trial_timeout_s,
        live: None,
        start_file: None,
        stop_file: None,
    };
    let scratch = opts
        .out
        .join(crate::export::SCRATCH_DIR)
        .join(format!("{}-r{}", trial.id, planned.run_index));
    let timeout = Duration::from_secs_f64(opts.trial_timeout_s) + KILL_GRACE;
    let mut group_run = None;
    let (outcome, live) = match opts.live {
        None if group::consumers(trial).is_some() => {
            let n = group::consumers(trial).unwrap_or(1);
            let id = group::group_id(sweep_id, trial, planned.run_index);
            let g = group::run(
                cluster,
                &prepared.partitions,
                driver,
                &spec,
                n,
                &id,
                &scratch,
                timeout,
            )?;
            let combined = g.combined.clone();
            group_run = Some(g);
            (combined, None)
        }
        None => (runner::run(driver, &spec, &scratch, timeout, || {})?, None),
        Some(live) => {
            // A caught-up consumer: start at the end, then the producer sends on schedule.
            let ends = admin::topic_offsets(
                &cluster.bootstrap,
                &cluster.admin_props,
                &opts.workload.topic,
                prepare::ADMIN_TIMEOUT,
            )?
            .unwrap_or_default();
            spec.partitions = ends
                .iter()
                .map(|p| PartitionStart {
                    partition: p.partition,
                    start_offset: p.high,
                    end_offset: None,
                })
                .collect();
            let t0_us = crate::clients::protocol::now_unix_us() + 200_000;
            let warmup_end_unix_us = t0_us + (live.warmup_s * 1e6) as u64;
            spec.live = Some(LiveSpec { warmup_end_unix_us });
            let schedule = Schedule {
                topic: opts.workload.topic.clone(),
                partitions: ends.iter().map(|p| p.partition).collect(),
                rate: live.rate,
                count: opts.workload.messages,
                size: opts.workload.message_size,
                t0_us,
            };
            let producer = LiveProducer::start(&cluster.bootstrap, &cluster.admin_props, schedule)?;
            let outcome = runner::run(driver, &spec, &scratch, timeout, || {});
            if outcome.as_ref().map_or(true, |o| {
                o.result
                    .as_ref()
                    .is_none_or(|r| r.status != Some(Status::Ok))
            }) {
                producer.stop();
            }
            let produced = producer.join();
            (
                outcome?,
                Some(record::LiveRun {
                    target_rate: live.rate,
                    warmup_end_unix_us,
                    producer: produced,
                }),
            )
        }
    };
    if outcome.interrupted {
        let _ = std::fs::remove_dir_all(&scratch);
        return Ok(None);
    }
    let mut record = record::build(
        sweep_id,
        trial,
        planned,
        order,
        translated,
        &outcome,
        live.as_ref(),
    );
    if let Some(g) = &group_run {
        group::fill_record(&mut record, g, opts.workload.messages);
    }
    if record.status == Some(Status::Failed) && !outcome.stderr_tail.is_empty() {
        let logs = opts.out.join("logs");
        std::fs::create_dir_all(&logs)?;
        std::fs::write(
            logs.join(format!("{}-r{}.stderr.txt", trial.id, planned.run_index)),
            &outcome.stderr_tail,
        )?;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(Some(record))
}

/// After a failed run: is the broker still there? An embedded broker that died ends the
/// sweep; an external cluster gets a minute to come back.
fn await_broker(cluster: &Cluster) -> std::result::Result<(), UserError> {
    let wait = if cluster.is_embedded() {
        Duration::from_secs(5)
    } else {
        Duration::from_secs(60)
    };
    let deadline = std::time::Instant::now() + wait;
    while std::time::Instant::now() < deadline {
        if admin::metadata_ok(
            &cluster.bootstrap,
            &cluster.admin_props,
            Duration::from_secs(2),
        ) {
            return Ok(());
        }
        if crate::interrupt::requested() {
            break;
        }
    }
    Err(UserError::env(format!(
        "the broker at {} stopped answering (waited {} s)",
        cluster.bootstrap,
        wait.as_secs()
    )))
}

/// Summary, table, report, and the resume command when the sweep did not finish.
fn finish(
    opts: &SweepOptions,
    meta: &SweepMeta,
    records: &[RunRecord],
    stopped: Option<UserError>,
) -> Result<()> {
    let summary = crate::stats::summary::summarize_runs(meta, records);
    println!("{}", output::table::render(meta, &summary));
    let failed = records
        .iter()
        .filter(|r| r.status == Some(Status::Failed))
        .count();
    if opts.report && !records.is_empty() {
        match crate::report::write_report(&opts.out) {
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
    if let Some(mut e) = stopped {
        e.message = format!(
            "{}; {} runs finished and saved in {}, {} missing",
            e.message,
            records.len(),
            opts.out.display(),
            summary.runs_missing
        );
        e.hint = Some(format!("resume with: {}", resume_command(meta, opts)));
        return Err(e.into());
    }
    if failed > 0 {
        return Err(UserError {
            kind: ErrorKind::RunsFailed,
            message: format!(
                "{failed} of {} runs failed; see `error` in results.jsonl and logs/",
                records.len()
            ),
            hint: None,
        }
        .into());
    }
    Ok(())
}

fn resume_command(meta: &SweepMeta, opts: &SweepOptions) -> String {
    let mut args: Vec<&str> = meta.command.split(' ').collect();
    // Drop an --out DIR or --resume DIR of the original command.
    if let Some(i) = args.iter().position(|a| *a == "--out" || *a == "--resume") {
        args.drain(i..(i + 2).min(args.len()));
    }
    args.retain(|a| !a.starts_with("--out=") && !a.starts_with("--resume="));
    format!("{} --resume {}", args.join(" "), opts.out.display())
}
