//! One run of a trial: its spec, then one driver process (drain), a group of them (group
//! mode), or one with the paced producer beside it (live); then its record.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;
use serde_json::Value;

use super::cluster::SweepCluster;
use super::plan::{PlannedRun, Trial};
use super::runner::{self, RunOutcome};
use super::{group, lag, record};
use crate::clients::protocol::{
    Assignment, Event, LiveSpec, PartitionStart, ProduceSpec, Spec, PROTOCOL_VERSION,
};
use crate::clients::DriverCommand;
use crate::defaults;
use crate::options::SweepOptions;
use crate::results::{Mode, RunRecord, Status};
use crate::workload::live::Schedule;
use crate::workload::prepare::Prepared;
use crate::workload::LiveLoad;

/// The grace a driver gets beyond its own timeout (to write its failed result) before it is
/// killed: a quarter of the timeout, from 1 to 15 s.
fn kill_grace(timeout_s: f64) -> Duration {
    Duration::from_secs_f64((timeout_s / 4.0).clamp(1.0, 15.0))
}

/// A live run's producer starts this long after the run's spec is made, so that the
/// consumer's spawn and the schedule's start do not race.
const LIVE_HEAD_START_S: f64 = 0.2;

/// `[seconds since the run started, messages not yet consumed]`.
type LagSamples = Vec<(f64, u64)>;

/// What every run of a sweep shares.
pub struct RunContext<'a> {
    pub opts: &'a SweepOptions,
    pub cluster: &'a dyn SweepCluster,
    pub prepared: &'a Prepared,
    pub sweep_id: &'a str,
    /// Producer runs: the record bodies (length-prefixed).
    pub payload_file: &'a std::path::Path,
    /// Live runs: the paced producer's record bodies.
    pub live_payload: Option<std::sync::Arc<crate::workload::payload::Payload>>,
    /// `--workers`: where a group run's consumers run instead of here.
    pub fleet: Option<&'a super::remote::Fleet>,
}

/// One run to make.
pub struct Run<'a> {
    pub trial: &'a Trial,
    pub planned: &'a PlannedRun,
    /// Its place in the sweep's shuffled order.
    pub order: u32,
    pub driver: &'a DriverCommand,
    /// The trial's properties as its client takes them.
    pub translated: &'a BTreeMap<String, Value>,
    /// Live runs: the trial's producer side, for the paced producer (librdkafka names).
    pub producer_props: &'a crate::broker::ClientProps,
    /// A capacity step's own load (`schedule::NextRun::load`); `None`: the sweep's.
    pub offered: Option<LiveLoad>,
}

/// What one run sends and reads: the sweep's load, or a capacity step's own. Every path
/// below reads it, not the sweep's options, so a step's rate reaches each of them alike.
#[derive(Debug, Clone, Copy)]
struct RunLoad {
    messages: u64,
    /// A paced producer with a warm-up: live runs, and every capacity step with a consumer
    /// (pipeline mode too: at one offered rate a pipeline is a live run).
    live: Option<LiveLoad>,
    /// Pipeline and produce runs: the producer's rate; `None` as fast as it can.
    send_rate: Option<f64>,
    timeout_s: f64,
    /// A capacity step in produce mode: its warm-up's records, left out of the latency, and
    /// the latency timed from each record's intended send time.
    step: bool,
    warmup_records: u64,
}

impl RunLoad {
    fn of(opts: &SweepOptions, offered: Option<LiveLoad>) -> RunLoad {
        let Some(step) = offered else {
            return RunLoad {
                messages: opts.workload.messages,
                live: opts.live,
                send_rate: opts.send_rate,
                timeout_s: opts.run_timeout_s,
                step: false,
                warmup_records: 0,
            };
        };
        // A step that falls behind must not hold the search for long: its own time plus as
        // much again (at least 15 s), unless --run-timeout says otherwise.
        let own = step.warmup_s + step.duration_s;
        let timeout_s = opts
            .run_timeout_given
            .unwrap_or(own + step.duration_s.max(15.0));
        RunLoad {
            messages: step.messages(),
            live: (opts.mode != Mode::Produce).then_some(step),
            send_rate: Some(step.rate_msgs_per_s),
            timeout_s,
            step: true,
            warmup_records: (step.rate_msgs_per_s * step.warmup_s).round() as u64,
        }
    }

    /// The rate offered, when the run has one.
    fn offered_rate(&self) -> Option<f64> {
        self.live.map(|l| l.rate_msgs_per_s).or(self.send_rate)
    }
}

impl RunContext<'_> {
    /// Makes the run; `None` when it was interrupted (Ctrl-C), and so not recorded.
    pub fn run(&self, run: &Run) -> Result<Option<RunRecord>> {
        let (trial, planned) = (run.trial, run.planned);
        let load = RunLoad::of(self.opts, run.offered);
        let mut spec = self.spec(run, &load);
        let scratch = self
            .opts
            .out
            .join(crate::export::SCRATCH_DIR)
            .join(format!("{}-r{}", trial.id, planned.run_index));
        let timeout = Duration::from_secs_f64(load.timeout_s) + kill_grace(load.timeout_s);
        let mut group_run = None;
        let mut producers_run = None;
        let mut fault = None;
        let mut live_run = None;
        let mut lag_samples = Vec::new();
        let network = crate::network::NetworkSettings::from_params(&trial.params)
            .map_err(crate::error::usage)?;
        let network_rtt_ms = self.cluster.set_network(&network)?;
        let host_cpu = super::host_cpu::Sample::now();
        let outcome = match (load.live, group::consumers(trial)) {
            _ if self.opts.mode == Mode::Produce => {
                let (outcome, p, f) = self.produce(run, &mut spec, &load, &scratch, timeout)?;
                producers_run = p;
                fault = f;
                outcome
            }
            (None, _) if self.opts.mode == Mode::Pipeline => {
                let (outcome, l, lag) = self.pipeline(run, &mut spec, &load, &scratch, timeout)?;
                live_run = Some(l);
                lag_samples = lag;
                outcome
            }
            (live, n)
                if n.is_some() || crate::clients::properties::share::is_share(&trial.params) =>
            {
                let (g, l) = self.group(run, &spec, live, &load, &scratch, timeout)?;
                let combined = g.combined.clone();
                live_run = l;
                group_run = Some(g);
                combined
            }
            (None, _) => runner::run(run.driver, &spec, &scratch, timeout, || {})?,
            (Some(live), _) => {
                let (outcome, l, lag) =
                    self.live(run, &mut spec, live, &load, &scratch, timeout)?;
                live_run = Some(l);
                lag_samples = lag;
                outcome
            }
        };
        if outcome.interrupted {
            let _ = std::fs::remove_dir_all(&scratch);
            return Ok(None);
        }
        let host_cpu_busy = host_cpu.and_then(|s| s.busy_since());
        // Measured again after the run (the toxics are in place: only the round trip is
        // measured), so that the record brackets the run rather than one moment before it.
        let network_rtt_ms = match (network_rtt_ms, self.cluster.set_network(&network)) {
            (Some(before), Ok(Some(after))) => {
                Some(((before + after) / 2.0 * 1000.0).round() / 1000.0)
            }
            (before, _) => before,
        };
        let mut rec = record::build(
            self.sweep_id,
            trial,
            planned,
            run.order,
            run.translated,
            &outcome,
            live_run.as_ref(),
        );
        if let Some(g) = &group_run {
            group::fill_record(&mut rec, g, load.messages);
            rec.group_type = Some("consumer".into());
            group::fill_share_record(&mut rec, g);
            if let Some(fleet) = self.fleet {
                fleet.name_workers(&mut rec);
            }
        }
        if let Some(p) = &producers_run {
            super::producers::fill_record(&mut rec, p);
            if let Some(fleet) = self.fleet {
                fleet.name_workers(&mut rec);
            }
        }
        if !lag_samples.is_empty() {
            rec.lag_samples = lag_samples;
        }
        if let (Some(live), false) = (load.live, rec.lag_samples.is_empty()) {
            // The producer sends after its 200 ms head start, warm-up first; in a group,
            // from the moment the group was complete.
            let stable_s = group_run.as_ref().map_or(Some(0.0), |g| g.group_stable_s);
            if let Some(from_s) = stable_s.map(|s| s + LIVE_HEAD_START_S + live.warmup_s) {
                rec.kept_up = lag::kept_up(
                    &rec.lag_samples,
                    from_s,
                    from_s + live.duration_s,
                    live.rate_msgs_per_s,
                );
            }
        }
        rec.network_rtt_ms = network_rtt_ms;
        rec.fault = fault;
        rec.offered_rate_msgs_per_s = load.offered_rate();
        rec.host_cpu_busy = host_cpu_busy;
        if rec.status == Some(Status::Failed) && !outcome.stderr_tail.is_empty() {
            let logs = self.opts.out.join("logs");
            std::fs::create_dir_all(&logs)?;
            std::fs::write(
                logs.join(format!("{}-r{}.stderr.txt", trial.id, planned.run_index)),
                &outcome.stderr_tail,
            )?;
        }
        let _ = std::fs::remove_dir_all(&scratch);
        Ok(Some(rec))
    }

    /// A group run (`consumers`, or a share group): a backlog, or live with the paced
    /// producer started once the group is complete (`group::live`).
    fn group(
        &self,
        run: &Run,
        spec: &Spec,
        live: Option<LiveLoad>,
        load: &RunLoad,
        scratch: &std::path::Path,
        timeout: Duration,
    ) -> Result<(group::GroupOutcome, Option<record::LiveRun>)> {
        let (trial, planned) = (run.trial, run.planned);
        let is_share = crate::clients::properties::share::is_share(&trial.params);
        let g = group::GroupRun {
            cluster: self.cluster,
            partitions: &self.prepared.partitions,
            driver: run.driver,
            consumers: group::consumers(trial).unwrap_or(1),
            group_id: group::group_id(self.sweep_id, trial, planned.run_index),
            scratch,
            timeout,
        };
        let mut share = is_share.then(|| {
            group::share::Share::new(
                group::share::group_config(&trial.params),
                run.translated,
                self.opts.share_release_first,
            )
        });
        // Share members run here: the workers take consumer groups only.
        let launch: &dyn group::Launch = match (self.fleet, is_share) {
            (Some(fleet), false) => fleet,
            _ => &group::Local,
        };
        let mut drain = group::Drain;
        let Some(live) = live else {
            let hook: &mut dyn group::Hook = match share.as_mut() {
                Some(s) => s,
                None => &mut drain,
            };
            return Ok((group::run_on(&g, spec, launch, hook)?, None));
        };
        let topic = &self.opts.workload.topic;
        let ends = self.cluster.offsets(topic)?;
        if let Some(s) = share.as_mut() {
            s.start_offsets = Some((
                topic.clone(),
                ends.iter().map(|p| (p.partition, p.high)).collect(),
            ));
        }
        let inner: &mut dyn group::Hook = match share.as_mut() {
            Some(s) => s,
            None => &mut drain,
        };
        let schedule = self.live_schedule(&ends, live, load, 0)?;
        let mut hook = group::live::Live::new(
            self.cluster,
            schedule,
            run.producer_props,
            (LIVE_HEAD_START_S, live.warmup_s),
            ends,
            inner,
        );
        let outcome = group::run_on(&g, spec, launch, &mut hook)?;
        Ok((outcome, Some(hook.into_live_run())))
    }

    /// A live run's schedule: the run's messages at the live rate over every partition.
    fn live_schedule(
        &self,
        ends: &[crate::broker::admin::PartitionOffsets],
        live: LiveLoad,
        load: &RunLoad,
        t0_us: u64,
    ) -> Result<Schedule> {
        let payload = self.live_payload.clone();
        Ok(Schedule {
            topic: self.opts.workload.topic.clone(),
            partitions: ends.iter().map(|p| p.partition).collect(),
            rate: Some(live.rate_msgs_per_s),
            count: load.messages,
            payload: payload.ok_or_else(|| anyhow::anyhow!("a live run without its payload"))?,
            t0_us,
        })
    }

    /// The drain spec of the run: assign every partition from its log start.
    fn spec(&self, run: &Run, load: &RunLoad) -> Spec {
        let opts = self.opts;
        let max_poll_records = run
            .trial
            .params
            .get("max.poll.records")
            .and_then(|v| v.parse().ok())
            .unwrap_or(defaults::MAX_POLL_RECORDS);
        Spec {
            protocol_version: PROTOCOL_VERSION,
            client: run.trial.client.name().into(),
            run_id: Some(format!("{}-r{}", run.trial.id, run.planned.run_index)),
            bootstrap_servers: self.cluster.bootstrap().to_string(),
            topic: opts.workload.topic.clone(),
            assignment: Assignment::Assign,
            group_id: None,
            partitions: self
                .prepared
                .partitions
                .iter()
                .map(|p| PartitionStart {
                    partition: p.partition,
                    start_offset: p.low,
                    end_offset: None,
                })
                .collect(),
            messages: load.messages,
            mode: opts.mode,
            max_poll_records,
            poll_timeout_ms: defaults::POLL_TIMEOUT_MS,
            properties: run.translated.clone(),
            timeout_s: load.timeout_s,
            live: None,
            start_file: None,
            stop_file: None,
            produce: None,
            share: None,
            processing: crate::workload::processing::of_params(&run.trial.params),
        }
    }

    /// A producer run on kafkatune's own topic, emptied first; afterwards the topic must
    /// hold exactly the records the driver saw acknowledged (no loss, no duplicate). With
    /// `producers` (or workers), several producer processes share the messages.
    fn produce(
        &self,
        run: &Run,
        spec: &mut Spec,
        load: &RunLoad,
        scratch: &std::path::Path,
        timeout: Duration,
    ) -> Result<(
        RunOutcome,
        Option<super::producers::ProducersOutcome>,
        Option<crate::fault_file::FaultRecord>,
    )> {
        let topic = &self.opts.workload.topic;
        let before = self.cluster.truncate(topic)?;
        spec.partitions = from_the_end(&before);
        spec.produce = Some(ProduceSpec {
            payload_file: self.payload_file.to_path_buf(),
            rate_msgs_per_s: load.send_rate,
            warmup_records: load.warmup_records,
            latency_from_intended: load.step,
            accounting: None,
        });
        let mut fault = None;
        let fault_text = run.trial.params.get(crate::fault::FAULT);
        let (mut outcome, producers) = match (super::producers::producers(run.trial), self.fleet) {
            (None, None) if fault_text.is_some() => {
                let text = fault_text.map(String::as_str).unwrap_or("none");
                let (o, f) = super::fault_run::produce(
                    self.cluster,
                    text,
                    run.driver,
                    spec,
                    scratch,
                    timeout,
                )?;
                fault = f;
                (o, None)
            }
            (None, None) => (
                runner::run(run.driver, spec, scratch, timeout, || {})?,
                None,
            ),
            (n, fleet) => {
                let launch: &dyn group::Launch = match fleet {
                    Some(fleet) => fleet,
                    None => &group::Local,
                };
                let p = super::producers::run(
                    n.unwrap_or(1),
                    run.driver,
                    spec,
                    scratch,
                    timeout,
                    launch,
                )?;
                (p.combined.clone(), Some(p))
            }
        };
        if fault.is_none() {
            super::producers::check_written(self.cluster, topic, &before, &mut outcome)?;
        }
        Ok((outcome, producers, fault))
    }

    /// A pipeline run: the consumer starts at the end offsets; once it is ready the producer
    /// sends the messages (as fast as it can, or at --rate), each stamped as it is sent, and
    /// the consumer reads them as they come. The lag (sent, not yet consumed) is sampled from
    /// the consumer's progress lines.
    fn pipeline(
        &self,
        run: &Run,
        spec: &mut Spec,
        load: &RunLoad,
        scratch: &std::path::Path,
        timeout: Duration,
    ) -> Result<(RunOutcome, record::LiveRun, LagSamples)> {
        let topic = &self.opts.workload.topic;
        let ends = self.cluster.offsets(topic)?;
        spec.partitions = from_the_end(&ends);
        // The drivers read a pipeline run as a live one with no warm-up: every record counts.
        spec.mode = Mode::Live;
        spec.live = Some(LiveSpec {
            warmup_end_unix_us: 0,
        });
        let payload = self
            .live_payload
            .clone()
            .ok_or_else(|| anyhow::anyhow!("a pipeline run without its payload"))?;
        let mut producer = None;
        let mut failed_start = None;
        let mut lag = Vec::new();
        let started = std::time::Instant::now();
        let outcome =
            runner::run_with_events(run.driver, spec, scratch, timeout, |event| match event {
                Event::Ready if producer.is_none() && failed_start.is_none() => {
                    let schedule = Schedule {
                        topic: topic.clone(),
                        partitions: ends.iter().map(|p| p.partition).collect(),
                        rate: load.send_rate,
                        count: load.messages,
                        payload: payload.clone(),
                        t0_us: crate::clients::protocol::now_unix_us(),
                    };
                    match self
                        .cluster
                        .start_live_producer(schedule, run.producer_props)
                    {
                        Ok(p) => producer = Some(p),
                        Err(e) => failed_start = Some(e),
                    }
                }
                Event::Progress { messages } => {
                    if let Some(p) = &producer {
                        let t = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
                        lag.push((t, p.sent().saturating_sub(*messages)));
                    }
                }
                _ => {}
            });
        let produced = match producer {
            Some(p) => {
                if outcome.as_ref().map_or(true, |o| {
                    o.result
                        .as_ref()
                        .is_none_or(|r| r.status != Some(Status::Ok))
                }) {
                    p.stop();
                }
                p.join()
            }
            None => Err(failed_start.unwrap_or_else(|| {
                anyhow::anyhow!("the consumer never became ready, so the producer never started")
            })),
        };
        Ok((
            outcome?,
            record::LiveRun {
                target_rate: load.send_rate,
                pipeline: true,
                warmup_end_unix_us: 0,
                producer: produced,
            },
            lag,
        ))
    }

    /// A live run: a caught-up consumer starts at the end offsets, then the producer sends
    /// on schedule.
    fn live(
        &self,
        run: &Run,
        spec: &mut Spec,
        live: LiveLoad,
        load: &RunLoad,
        scratch: &std::path::Path,
        timeout: Duration,
    ) -> Result<(RunOutcome, record::LiveRun, LagSamples)> {
        let topic = &self.opts.workload.topic;
        let ends = self.cluster.offsets(topic)?;
        spec.partitions = from_the_end(&ends);
        let started = std::time::Instant::now();
        let t0_us = crate::clients::protocol::now_unix_us() + (LIVE_HEAD_START_S * 1e6) as u64;
        let warmup_end_unix_us = t0_us + (live.warmup_s * 1e6) as u64;
        spec.live = Some(LiveSpec { warmup_end_unix_us });
        let schedule = self.live_schedule(&ends, live, load, t0_us)?;
        let producer = self
            .cluster
            .start_live_producer(schedule, run.producer_props)?;
        let mut lag = Vec::new();
        let outcome = runner::run_with_events(run.driver, spec, scratch, timeout, |event| {
            if let Event::Progress { messages } = event {
                let t = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
                lag.push((t, producer.sent().saturating_sub(*messages)));
            }
        });
        let ok = outcome.as_ref().is_ok_and(|o| {
            o.result
                .as_ref()
                .is_some_and(|r| r.status == Some(Status::Ok))
        });
        if !ok {
            producer.stop();
        }
        let produced = producer.join();
        Ok((
            outcome?,
            record::LiveRun {
                target_rate: Some(live.rate_msgs_per_s),
                pipeline: false,
                warmup_end_unix_us,
                producer: produced,
            },
            lag,
        ))
    }
}

/// Every partition, read (or written) from its end offset on.
fn from_the_end(offsets: &[crate::broker::admin::PartitionOffsets]) -> Vec<PartitionStart> {
    offsets
        .iter()
        .map(|p| PartitionStart {
            partition: p.partition,
            start_offset: p.high,
            end_offset: None,
        })
        .collect()
}
