//! One consumer of a group run on a worker, as the group's watch sees a local one (or one
//! producer of a produce run, as `sweep::producers` sees a local one): its events as they
//! come, then its outcome, its timestamps in the coordinator's clock. The start and stop files the watch creates here
//! become signals to the worker; Ctrl-C becomes an abort; a worker that falls silent fails
//! the consumer (and is not given another).

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::messages::{Message, Signal, Slot};
use super::{Fleet, Inbound, SILENCE};
use crate::clients::protocol::{Event, Spec};
use crate::clients::DriverCommand;
use crate::sweep::group::Launch;
use crate::sweep::runner::RunOutcome;

/// How long an aborted consumer's worker gets to report the end of its driver (which has
/// its own grace to leave the group).
const ABORT_GRACE: Duration = Duration::from_secs(20);
/// How long beyond the run's timeout a worker may take to report a consumer's end.
const OUTCOME_GRACE: Duration = Duration::from_secs(30);

impl Launch for Fleet {
    fn consumer(
        &self,
        index: usize,
        _driver: &DriverCommand,
        spec: &Spec,
        _scratch: &Path,
        timeout: Duration,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<RunOutcome> {
        let group_id = match (&spec.group_id, &spec.produce) {
            (Some(g), _) => g.clone(),
            (None, Some(_)) => super::producer_set(spec.run_id.as_deref().unwrap_or_default()),
            (None, None) => String::new(),
        };
        let Some(worker) = self.place(&group_id, index) else {
            return Ok(failed("no worker is left to run it".into()));
        };
        let slot = Slot {
            group_id,
            consumer: index as u32,
        };
        let (tx, rx) = mpsc::channel();
        self.shared.routes.lock().unwrap().insert(slot.clone(), tx);
        let outcome = self.follow(&worker, &slot, spec, timeout, &rx, on_event);
        self.shared.routes.lock().unwrap().remove(&slot);
        outcome
    }
}

impl Fleet {
    fn signal(&self, worker: &str, slot: &Slot, signal: Signal) -> Result<()> {
        self.bus.send(
            &self.topics.control,
            Message::Signal {
                sweep_id: self.sweep_id.clone(),
                worker: worker.to_string(),
                slot: slot.clone(),
                signal,
            },
        )
    }

    /// Assigns the consumer to `worker` and follows it to its end.
    fn follow(
        &self,
        worker: &str,
        slot: &Slot,
        spec: &Spec,
        timeout: Duration,
        rx: &mpsc::Receiver<Inbound>,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<RunOutcome> {
        self.bus.send(
            &self.topics.control,
            Message::Assign {
                sweep_id: self.sweep_id.clone(),
                worker: worker.to_string(),
                slot: slot.clone(),
                spec: Box::new(spec.clone()),
                timeout_s: timeout.as_secs_f64(),
                payload: self.payload.filter(|_| spec.produce.is_some()),
            },
        )?;
        let started = Instant::now();
        let (mut start_sent, mut stop_sent) = (false, false);
        let mut aborted_at: Option<Instant> = None;
        loop {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(Inbound::Event(e)) => on_event(&e),
                Ok(Inbound::Outcome(o)) => {
                    let mut outcome = RunOutcome::from(*o);
                    if let Some(w) = self.workers.iter().find(|w| w.name == worker) {
                        super::clock::to_coordinator_clock(&mut outcome, w.clock_offset_ms);
                    }
                    if aborted_at.is_some() {
                        outcome.interrupted = true;
                    }
                    if let Some(f) = &mut outcome.failure {
                        *f = format!("on worker {worker}: {f}");
                    }
                    return Ok(outcome);
                }
                Ok(Inbound::Refused(reason)) => {
                    return Ok(failed(format!("worker {worker} refused it: {reason}")))
                }
                Err(_) => {}
            }
            let exists = |f: &Option<std::path::PathBuf>| f.as_ref().is_some_and(|f| f.exists());
            if !start_sent && exists(&spec.start_file) {
                self.signal(worker, slot, Signal::Start)?;
                start_sent = true;
            }
            if !stop_sent && exists(&spec.stop_file) {
                self.signal(worker, slot, Signal::Stop)?;
                stop_sent = true;
            }
            if crate::interrupt::requested() && aborted_at.is_none() {
                self.signal(worker, slot, Signal::Abort)?;
                let _ = self.bus.flush(Duration::from_secs(5));
                aborted_at = Some(Instant::now());
            }
            if aborted_at.is_some_and(|t| t.elapsed() > ABORT_GRACE) {
                return Ok(RunOutcome {
                    interrupted: true,
                    failure: Some(format!(
                        "worker {worker} did not report the end of its consumer"
                    )),
                    ..Default::default()
                });
            }
            let silent = self
                .last_heard(worker)
                .is_none_or(|t| t.elapsed() > SILENCE);
            if silent {
                let why = format!(
                    "worker {worker} fell silent (no heartbeat for {:.0} s) during the run",
                    SILENCE.as_secs_f64()
                );
                self.mark_gone(worker, why.clone());
                return Ok(failed(why));
            }
            if started.elapsed() > timeout + OUTCOME_GRACE {
                let _ = self.signal(worker, slot, Signal::Abort);
                return Ok(failed(format!(
                    "worker {worker} never reported the end of its consumer (waited {:.0} s)",
                    (timeout + OUTCOME_GRACE).as_secs_f64()
                )));
            }
        }
    }
}

fn failed(why: String) -> RunOutcome {
    RunOutcome {
        failure: Some(why),
        spawn_unix_us: crate::clock::now_unix_us(),
        ..Default::default()
    }
}
