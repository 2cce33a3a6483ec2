//! A sweep: trials (one client, one set of settings) of runs (one fresh process each), in a
//! randomised order, on a prepared workload, written to disk as each run ends.
//!
//! `run` is the scheduler; what it asks of the cluster is behind `cluster::SweepCluster`
//! (the real one, or the fake of the orchestration tests), and one run is `one_run`.

pub mod cluster;
mod fake_cluster;
mod fault_run;
pub mod group;
mod host_cpu;
mod lag;
pub mod meta;
mod one_run;
pub mod plan;
pub mod producers;
pub mod record;
pub mod remote;
pub mod runner;
pub mod schedule;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::Value;

use crate::clients::{self, properties, ClientKind, DriverCommand};
use crate::error::{usage, ErrorKind, UserError};
use crate::export::SweepFiles;
use crate::options::SweepOptions;
use crate::output;
use crate::results::{Mode, RunRecord, Status, SweepMeta};
use cluster::SweepCluster;
use one_run::RunContext;
use plan::{PlannedRun, Trial};
use schedule::Schedule;

/// How a sweep ended: its metadata and every record in the folder, and why it stopped early
/// (Ctrl-C, the broker gone), if it did. `commands.rs` prints the table, writes the report
/// and turns this into the exit code.
#[derive(Debug)]
pub struct SweepOutcome {
    pub meta: SweepMeta,
    pub records: Vec<RunRecord>,
    pub stopped: Option<UserError>,
}

/// Runs the sweep `opts` describes: its shuffled plan, or with `--repeat auto` runs added
/// until each trial reaches the precision.
pub fn run(opts: &SweepOptions) -> Result<SweepOutcome> {
    let points = crate::grid::points(&opts.grid);
    let trials = plan::trials(&opts.clients, &points, &opts.fixed);
    run_scheduled(opts, &trials, |meta| match meta.adaptive {
        Some(crate::results::AdaptiveMeta::RepeatAuto {
            min_runs, max_runs, ..
        }) => Ok(Box::new(schedule::RepeatAuto::new(
            &trials, meta, min_runs, max_runs,
        ))),
        _ => Ok(Box::new(schedule::FixedPlan::new(
            &trials,
            opts.repeat,
            opts.warmup_runs,
            meta.seed,
        ))),
    })
}

/// Runs a sweep whose runs a schedule chooses one at a time (`make_schedule` gets the
/// sweep's metadata, its seed settled). `trials` are the ones known before the first run:
/// their properties are checked before anything starts; a trial the schedule makes up later
/// is checked when it first runs.
pub fn run_scheduled<'t>(
    opts: &SweepOptions,
    trials: &[Trial],
    make_schedule: impl FnOnce(&SweepMeta) -> Result<Box<dyn Schedule + 't>>,
) -> Result<SweepOutcome> {
    // Everything that can be checked without a broker is checked first.
    let mut translated: BTreeMap<String, (BTreeMap<String, Value>, crate::broker::ClientProps)> =
        translate_all(trials, opts.mode)?
            .into_iter()
            .zip(live_producer_props(trials, opts.mode)?)
            .zip(trials)
            .map(|(props, t)| (t.id.clone(), props))
            .collect();
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
    let cluster = connect(&opts.cluster)?;
    let prepared = cluster.prepare(
        &opts.workload,
        opts.cluster.allow_write,
        opts.mode == Mode::Drain,
    )?;
    let payload_file = opts
        .out
        .join(crate::export::SCRATCH_DIR)
        .join("payload.bin");
    // The record bodies, made (or read from the sample file) once for the whole sweep: what
    // the sweep records of them, the producers' file, the live producers' pool. (A drain's
    // fill, above, loads its own only when the topic is short.)
    let bodies = std::sync::Arc::new(opts.workload.payload.load(opts.workload.message_size)?);
    if opts.mode == Mode::Produce {
        std::fs::create_dir_all(payload_file.parent().expect("a folder"))?;
        bodies.write_bodies(&payload_file)?;
    }
    let payload = Some(bodies.info(crate::workload::payload::DEFAULT_BATCH_BYTES));
    let mut meta = previous.unwrap_or_else(|| {
        let mut m = meta::sweep_meta(opts, cluster.meta(), seed);
        m.payload = payload;
        m.fill = (opts.mode == Mode::Drain).then(|| crate::results::FillMeta {
            properties: opts.workload.fill.properties.clone(),
            produced: prepared.produced,
            batch_size_avg_bytes: prepared.batch_size_avg_bytes,
        });
        m
    });
    meta.cluster_warmup = cluster.warm_up(
        &opts.workload,
        opts.mode == Mode::Drain,
        opts.cluster.warmup_max,
    )?;
    files.write_meta(&meta)?;

    let mut schedule = make_schedule(&meta)?;
    if opts.resume {
        eprintln!(
            "kafkatune: resuming {}: {} runs done, at most {} to go",
            opts.out.display(),
            records.len(),
            schedule.runs_at_most().saturating_sub(records.len())
        );
    }
    eprintln!(
        "kafkatune: {} on {} ({} messages per run) -> {}",
        match &meta.adaptive {
            Some(crate::results::AdaptiveMeta::RepeatAuto { max_runs, .. }) => format!(
                "{} trials x up to {} runs",
                trials.len(),
                max_runs + opts.warmup_runs
            ),
            Some(crate::results::AdaptiveMeta::Search(s)) => format!(
                "a search ({}, up to {} runs)",
                s.strategy.name(),
                schedule.runs_at_most()
            ),
            Some(crate::results::AdaptiveMeta::Capacity(c)) => format!(
                "a capacity search of {} trials ({}..{} msg/s, about {} steps of {:.0} s + {:.0} s warm-up)",
                trials.len(),
                c.rate_low_msgs_per_s,
                c.rate_high_msgs_per_s,
                schedule.runs_at_most(),
                c.step_duration_s,
                c.warmup_s
            ),
            None => format!(
                "{} trials x {} runs",
                trials.len(),
                opts.repeat + opts.warmup_runs
            ),
        },
        opts.workload.topic,
        opts.workload.messages,
        opts.out.display()
    );

    // Sweeps on workers: the workers are waited for once the sweep is known (its id).
    let fleet = match &opts.workers {
        Some(w) => Some(remote::Fleet::gather(
            w,
            cluster.bootstrap(),
            &opts.cluster.admin_props,
            &remote::SweepFacts {
                sweep_id: &meta.sweep_id,
                mode: opts.mode,
                topic: &opts.workload.topic,
                payload: (opts.mode == Mode::Produce && opts.workload.payload.file.is_none())
                    .then_some(remote::messages::PayloadRecipe {
                        kind: opts.workload.payload.kind,
                        message_size: opts.workload.message_size,
                        seed: crate::workload::PAYLOAD_SEED,
                    }),
            },
        )?),
        None => None,
    };
    if let Some(fleet) = &fleet {
        meta.workers = remote::merge_meta(&meta.workers, fleet.meta());
        files.write_meta(&meta)?;
    }
    let ctx = RunContext {
        fleet: fleet.as_ref(),
        opts,
        cluster: cluster.as_ref(),
        prepared: &prepared,
        sweep_id: &meta.sweep_id,
        payload_file: &payload_file,
        live_payload: match opts.mode {
            Mode::Live | Mode::Pipeline => Some(bodies),
            Mode::Drain | Mode::Produce => None,
        },
    };
    let progress =
        output::progress::bar(schedule.runs_at_most().saturating_sub(records.len()) as u64);
    let mut stopped: Option<UserError> = None;
    let mut known: Vec<Trial> = trials.to_vec();
    while let Some(next) = schedule.next(&records)? {
        let index = match known.iter().position(|t| t.id == next.trial.id) {
            Some(i) => i,
            None => {
                known.push(next.trial.clone());
                known.len() - 1
            }
        };
        if !translated.contains_key(&next.trial.id) {
            let one = std::slice::from_ref(&next.trial);
            let props = translate_all(one, opts.mode)?.remove(0);
            let producer = live_producer_props(one, opts.mode)?.remove(0);
            translated.insert(next.trial.id.clone(), (props, producer));
        }
        let trial = &next.trial;
        let planned = &PlannedRun {
            trial: index,
            run_index: next.run_index,
            warmup: next.warmup,
        };
        progress.set_message(output::progress::describe(
            trial.client,
            &trial.params,
            &opts.grid,
        ));
        let (props, producer) = &translated[&trial.id];
        let run = one_run::Run {
            trial,
            planned,
            order: next.order,
            driver: &drivers[&trial.client],
            translated: props,
            producer_props: producer,
            offered: next.load,
        };
        let Some(record) = ctx.run(&run)? else {
            stopped = Some(UserError::interrupted("interrupted"));
            break;
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
        if let Some(Err(e)) = fleet.as_ref().map(remote::Fleet::check) {
            stopped = Some(e);
            break;
        }
        if failed {
            if let Err(e) = await_cluster(cluster.as_ref()) {
                stopped = Some(e);
                break;
            }
        }
    }
    progress.finish_and_clear();
    drop(fleet);
    let _ = std::fs::remove_file(&payload_file);
    drop(cluster);
    Ok(SweepOutcome {
        meta,
        records,
        stopped,
    })
}

/// The cluster the options name: the user's, the embedded default, or the fake.
fn connect(opts: &crate::options::ClusterOptions) -> Result<Box<dyn SweepCluster>> {
    Ok(match (&opts.bootstrap, opts.fake) {
        (_, Some(behaviour)) => Box::new(fake_cluster::Fake::connect(behaviour)?),
        (Some(b), None) => Box::new(crate::broker::Cluster::external(
            b,
            opts.admin_props.clone(),
            crate::workload::prepare::ADMIN_TIMEOUT,
        )?),
        (None, None) if opts.network => Box::new(crate::broker::Cluster::embedded_behind_proxies(
            opts.brokers,
        )?),
        (None, None) => Box::new(crate::broker::Cluster::embedded_with(opts.brokers)?),
    })
}

/// Every trial's properties as its client takes them (a live trial's consumer side); an
/// unsupported one is an error now.
fn translate_all(trials: &[Trial], mode: Mode) -> Result<Vec<BTreeMap<String, Value>>> {
    trials
        .iter()
        .map(|t| {
            let params = match mode.has_paced_producer() {
                true => crate::options::sides::split(&t.params).0,
                false => t.params.clone(),
            };
            match t.client {
                ClientKind::Fake => Ok(clients::fake::translate(&params)),
                client => properties::translate(client, &params).map_err(usage),
            }
        })
        .collect()
}

/// Live trials: the producer side of each trial, for kafkatune's own (librdkafka) producer.
fn live_producer_props(trials: &[Trial], mode: Mode) -> Result<Vec<crate::broker::ClientProps>> {
    trials
        .iter()
        .map(|t| {
            if !mode.has_paced_producer() {
                return Ok(Default::default());
            }
            let producer = crate::options::sides::split(&t.params).1;
            let native = properties::translate(ClientKind::Librdkafka, &producer)
                .map_err(|e| usage(format!("the live producer (librdkafka): {e}")))?;
            Ok(native
                .into_iter()
                .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect())
        })
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
            "leave out the options that differ: `{}` resumes it as it was started",
            crate::options::resume_command(&stored.command, &opts.out)
        ))
        .into());
    }
    Ok((Some(stored), records))
}

/// After a failed run: is the cluster still there? The sweep stops if it does not answer
/// within the cluster's patience.
fn await_cluster(cluster: &dyn SweepCluster) -> std::result::Result<(), UserError> {
    let wait = cluster.patience();
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        if cluster.answers(Duration::from_secs(2).min(wait)) {
            return Ok(());
        }
        if crate::interrupt::requested() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(UserError::env(format!(
        "the broker at {} stopped answering (waited {:.0} s)",
        cluster.bootstrap(),
        wait.as_secs_f64()
    )))
}

impl SweepOutcome {
    /// The error the sweep ends with, if any: stopped early (with the resume command), or
    /// runs failed.
    pub fn error(self, opts: &SweepOptions) -> Option<UserError> {
        let missing = crate::stats::summary::summarize_runs(&self.meta, &self.records).runs_missing;
        if let Some(mut e) = self.stopped {
            e.message = format!(
                "{}; {} runs finished and saved in {}, {missing} missing",
                e.message,
                self.records.len(),
                opts.out.display(),
            );
            e.hint = Some(format!(
                "resume with: {}",
                crate::options::resume_command(&self.meta.command, &opts.out)
            ));
            return Some(e);
        }
        let failed = self
            .records
            .iter()
            .filter(|r| r.status == Some(Status::Failed))
            .count();
        (failed > 0).then(|| UserError {
            kind: ErrorKind::RunsFailed,
            message: format!(
                "{failed} of {} runs failed; see `error` in results.jsonl and logs/",
                self.records.len()
            ),
            hint: None,
        })
    }
}
