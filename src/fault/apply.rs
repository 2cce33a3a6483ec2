//! Doing a fault during a run: a thread that waits for the run's steady state, then for the
//! fault's time, then acts on the cluster through [`Brokers`]; a pause is ended (SIGCONT)
//! after its length, or at once when the run ends first, on every path (`finish`, drop,
//! and the second Ctrl-C through `process::resume_all`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::spec::Fault;
use crate::fault_file::FaultEvent;
use crate::process;

/// What a fault needs of the cluster it harms (the embedded one: `embedded.rs`).
pub trait Brokers: Send + Sync {
    /// The node id of the broker leading partition 0 of `topic`.
    fn leader(&self, topic: &str) -> Result<u32>;
    /// The process id of broker `node`'s JVM, while it runs.
    fn pid(&self, node: u32) -> Option<u32>;
    /// SIGKILLs broker `node`.
    fn kill(&self, node: u32) -> Result<()>;
    /// Starts broker `node` again on its folder and data.
    fn restart(&self, node: u32) -> Result<()>;
    /// Deletes partition `partition`'s first `records` records (DeleteRecords); how many
    /// were deleted, and from which offset.
    fn delete_records(&self, topic: &str, partition: i32, records: u64) -> Result<(u64, i64)>;
    /// After a run: every broker running again, and every partition of `topic` with all
    /// its replicas in sync; what was done, in words.
    fn restore(&self, topic: &str, timeout: Duration) -> Result<Vec<String>>;
    /// Reads `topic` back and accounts for every record of `books` (`accounting.rs`).
    fn account(
        &self,
        topic: &str,
        books: Vec<crate::fault_file::ProducerBook>,
    ) -> Result<crate::fault_file::FaultRecord>;
}

/// What a fault did.
#[derive(Debug, Default)]
pub struct Applied {
    pub events: Vec<FaultEvent>,
    pub not_applied: Option<String>,
}

/// A fault waiting for its run, or acting on it.
pub struct Running {
    steady: Arc<Mutex<Option<Instant>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Applied>>,
}

/// How often the fault's thread looks at the clock and the stop flag.
const TICK: Duration = Duration::from_millis(5);

impl Running {
    /// Starts the fault's thread; nothing happens before [`Running::steady`].
    pub fn start(fault: Fault, topic: String, brokers: Arc<dyn Brokers>) -> Running {
        let steady = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (steady.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            let mut applied = Applied::default();
            if let Err(e) = strike(fault, &topic, brokers.as_ref(), &s, &st, &mut applied) {
                applied.not_applied = Some(format!("{e:#}"));
            }
            applied
        });
        Running {
            steady,
            stop,
            handle: Some(handle),
        }
    }

    /// The run reached its steady state now: the fault's time counts from here.
    pub fn steady(&self) {
        self.steady.lock().unwrap().get_or_insert_with(Instant::now);
    }

    /// The run is over: a pending fault is given up, a pause ended; what was done.
    pub fn finish(mut self) -> Applied {
        self.end()
    }

    fn end(&mut self) -> Applied {
        self.stop.store(true, Ordering::SeqCst);
        match self.handle.take().map(JoinHandle::join) {
            Some(Ok(applied)) => applied,
            Some(Err(_)) => Applied {
                not_applied: Some("the fault's thread panicked".into()),
                ..Default::default()
            },
            None => Applied::default(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.end();
    }
}

/// Waits for steady state and the fault's time (or the stop), then does the fault.
fn strike(
    fault: Fault,
    topic: &str,
    brokers: &dyn Brokers,
    steady: &Mutex<Option<Instant>>,
    stop: &AtomicBool,
    applied: &mut Applied,
) -> Result<()> {
    let Some(at) = fault.at() else {
        return Ok(());
    };
    let t0 = loop {
        if let Some(t) = *steady.lock().unwrap() {
            break t;
        }
        if stop.load(Ordering::SeqCst) {
            anyhow::bail!("the run ended before its steady state");
        }
        std::thread::sleep(TICK);
    };
    if !wait_until(t0 + at, stop) {
        anyhow::bail!(
            "the run ended {:.1} s after steady state, before the fault's time ({} s)",
            t0.elapsed().as_secs_f64(),
            at.as_secs_f64()
        );
    }
    let mut event = |action: &str, broker: Option<u32>, detail: String| {
        applied.events.push(FaultEvent {
            at_s: (t0.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            action: action.into(),
            broker,
            detail,
        })
    };
    match fault {
        Fault::None => {}
        Fault::KillLeader { .. } | Fault::RestartLeader { .. } => {
            let node = brokers.leader(topic)?;
            let pid = brokers.pid(node);
            brokers.kill(node)?;
            event(
                "kill",
                Some(node),
                format!(
                    "SIGKILL broker {node} (pid {}), the leader of partition 0",
                    show(pid)
                ),
            );
            if matches!(fault, Fault::RestartLeader { .. }) {
                brokers.restart(node)?;
                let pid = brokers.pid(node);
                event(
                    "start",
                    Some(node),
                    format!(
                        "broker {node} started again on its data (pid {})",
                        show(pid)
                    ),
                );
            }
        }
        Fault::PauseLeader { pause, .. } => {
            let node = brokers.leader(topic)?;
            let pid = brokers
                .pid(node)
                .ok_or_else(|| anyhow::anyhow!("broker {node} does not run"))?;
            process::pause(pid)?;
            event(
                "stop",
                Some(node),
                format!("SIGSTOP broker {node} (pid {pid}), the leader of partition 0"),
            );
            let full = wait_until(t0 + at + pause, stop);
            process::resume(pid);
            event(
                "continue",
                Some(node),
                format!(
                    "SIGCONT broker {node}{}",
                    if full { "" } else { " (the run ended first)" }
                ),
            );
        }
        Fault::DeleteRecords { records, .. } => {
            let (deleted, from) = brokers.delete_records(topic, 0, records)?;
            event(
                "delete-records",
                None,
                format!("deleted {deleted} records of partition 0 from offset {from}"),
            );
        }
    }
    Ok(())
}

/// Sleeps until `when`; false when `stop` came first.
fn wait_until(when: Instant, stop: &AtomicBool) -> bool {
    while Instant::now() < when {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        std::thread::sleep(TICK.min(when.saturating_duration_since(Instant::now())));
    }
    true
}

fn show(pid: Option<u32>) -> String {
    pid.map_or_else(|| "?".into(), |p| p.to_string())
}
