//! The coordinator's side of a sweep on workers (`kafkatune sweep --workers N|NAMES`): it
//! creates the fleet's topics, waits for the workers (pings answered on the results topic),
//! takes them for the sweep, keeps them with a heartbeat, and runs each group run's
//! consumers on them ([`Fleet`] is a `group::Launch`), so that the group's completion, the
//! merge and the record are the local sweep's own.
//!
//! The worker process is the `worker` module at the top; the messages are `messages`, the topics `bus`.

pub mod bus;
pub mod clock;
mod consumer;
mod gather;
pub mod messages;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::broker::ClientProps;
use crate::error::UserError;
use crate::options::WorkersOptions;
use crate::results::{Mode, WorkerMeta};
use bus::{Bus, Reader, Topics};
use messages::{Message, PayloadRecipe, RemoteOutcome, Slot, WorkerFacts};

/// The name the coordinator sends as.
pub const COORDINATOR: &str = "coordinator";
/// How often the coordinator tells its workers it is alive, and they tell it.
pub const HEARTBEAT: Duration = Duration::from_secs(1);
/// A worker not heard from for this long is gone: its consumer fails, the sweep goes on
/// without it. A worker abandons a run whose coordinator is silent for as long.
pub const SILENCE: Duration = Duration::from_secs(10);

/// A worker taken for the sweep, as it answered the coordinator's pings.
#[derive(Debug, Clone)]
pub struct Worker {
    pub name: String,
    pub facts: WorkerFacts,
    /// The shortest ping round trip through the cluster.
    pub round_trip_ms: f64,
    /// Its clock minus the coordinator's, from that round trip's midpoint.
    pub clock_offset_ms: f64,
    /// How far that offset may be off: half that round trip.
    pub clock_uncertainty_ms: f64,
}

/// What the workers need to know of the sweep they are taken for.
pub struct SweepFacts<'a> {
    pub sweep_id: &'a str,
    pub mode: Mode,
    /// The sweep's topic: the only one its runs read or write.
    pub topic: &'a str,
    /// Producer runs: the bodies, as the workers make them.
    pub payload: Option<PayloadRecipe>,
}

/// What the results topic brings a consumer running on a worker.
enum Inbound {
    Event(crate::clients::protocol::Event),
    Outcome(Box<RemoteOutcome>),
    Refused(String),
}

/// What the reader thread shares with the consumers' threads.
#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<Slot, mpsc::Sender<Inbound>>>,
    last_heard: Mutex<HashMap<String, Instant>>,
}

/// The workers of a sweep, and the threads that keep them.
pub struct Fleet {
    sweep_id: String,
    topics: Topics,
    bus: Arc<Bus>,
    shared: Arc<Shared>,
    pub workers: Vec<Worker>,
    /// Workers gone during the sweep, with why.
    gone: Mutex<BTreeMap<String, String>>,
    /// Each group run's consumers' workers, by group (a produce run's producers', by
    /// `RUN-producers`).
    placed: Mutex<HashMap<String, BTreeMap<u32, String>>>,
    payload: Option<PayloadRecipe>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Fleet {
    /// Creates the fleet's topics, waits for the workers `opts` asks for and takes them
    /// for the sweep `sweep_id`; an error (exit 3) names the missing ones.
    pub fn gather(
        opts: &WorkersOptions,
        bootstrap: &str,
        props: &ClientProps,
        sweep: &SweepFacts,
    ) -> Result<Fleet> {
        let sweep_id = sweep.sweep_id;
        let topics = bus::topics(&opts.fleet);
        bus::create_topics(bootstrap, props, &topics, Duration::from_secs(30))?;
        let bus = Arc::new(Bus::new(bootstrap, props, COORDINATOR)?);
        let results = Reader::from_end(bootstrap, props, &topics.results)?;
        let workers =
            gather::wait_for_workers(opts, bootstrap, props, &topics, &bus, &results, sweep_id)?;
        for w in &workers {
            eprintln!(
                "kafkatune: worker {}: {} CPUs{}, round trip {:.1} ms through the cluster, clock {:+.1} ms ± {:.1} ms from this host's",
                w.name,
                w.facts.host.cpu_count,
                w.facts.host.cpu_model.as_deref().map(|m| format!(" ({m})")).unwrap_or_default(),
                w.round_trip_ms,
                w.clock_offset_ms,
                w.clock_uncertainty_ms
            );
        }
        // Refused before they are taken: they stay free for another sweep.
        clock::check(&workers, sweep.mode, opts.max_clock_error_ms)?;
        bus.send(
            &topics.control,
            Message::Attach {
                sweep_id: sweep_id.to_string(),
                workers: workers.iter().map(|w| w.name.clone()).collect(),
                topic: sweep.topic.to_string(),
            },
        )?;
        bus.flush(Duration::from_secs(10))?;
        let shared = Arc::new(Shared::default());
        let now = Instant::now();
        for w in &workers {
            shared
                .last_heard
                .lock()
                .unwrap()
                .insert(w.name.clone(), now);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let threads = vec![
            spawn_heartbeat(
                bus.clone(),
                topics.control.clone(),
                sweep_id.to_string(),
                stop.clone(),
            ),
            spawn_reader(results, shared.clone(), sweep_id.to_string(), stop.clone()),
        ];
        Ok(Fleet {
            sweep_id: sweep_id.to_string(),
            topics,
            bus,
            shared,
            workers,
            gone: Mutex::new(BTreeMap::new()),
            placed: Mutex::new(HashMap::new()),
            payload: sweep.payload,
            stop,
            threads,
        })
    }

    /// The workers still there, in the order they were taken.
    fn alive(&self) -> Vec<&Worker> {
        let gone = self.gone.lock().unwrap();
        self.workers
            .iter()
            .filter(|w| !gone.contains_key(&w.name))
            .collect()
    }

    /// The worker of consumer `index` of group `group_id`: the consumers go round the
    /// workers still there.
    fn place(&self, group_id: &str, index: usize) -> Option<String> {
        let alive = self.alive();
        let worker = alive.get(index % alive.len().max(1))?.name.clone();
        self.placed
            .lock()
            .unwrap()
            .entry(group_id.to_string())
            .or_default()
            .insert(index as u32, worker.clone());
        Some(worker)
    }

    fn mark_gone(&self, worker: &str, why: String) {
        self.gone
            .lock()
            .unwrap()
            .entry(worker.to_string())
            .or_insert(why);
    }

    /// The worker each consumer of group `group_id` ran on, by consumer index.
    pub fn workers_of(&self, group_id: &str) -> BTreeMap<u32, String> {
        self.placed
            .lock()
            .unwrap()
            .get(group_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Records in each consumer of a group run's record (each producer of a produce run's)
    /// the worker it ran on, and that worker's clock offset.
    pub fn name_workers(&self, rec: &mut crate::results::RunRecord) {
        let offset = |w: &Option<String>| {
            let w = w.as_deref()?;
            self.workers
                .iter()
                .find(|x| x.name == w)
                .map(|x| x.clock_offset_ms)
        };
        if let Some(group) = rec.group_id.clone() {
            let placed = self.workers_of(&group);
            for c in &mut rec.per_consumer {
                c.worker = placed.get(&c.consumer).cloned();
                c.worker_clock_offset_ms = offset(&c.worker);
            }
        }
        let placed = self.workers_of(&producer_set(&format!(
            "{}-r{}",
            rec.trial_id, rec.run_index
        )));
        for p in &mut rec.per_producer {
            p.worker = placed.get(&p.producer).cloned();
            p.worker_clock_offset_ms = offset(&p.worker);
        }
    }

    /// The workers as `sweep.json` records them.
    pub fn meta(&self) -> Vec<WorkerMeta> {
        self.workers
            .iter()
            .map(|w| WorkerMeta {
                name: w.name.clone(),
                hostname: w.facts.hostname.clone(),
                host: w.facts.host.clone(),
                client_versions: w.facts.client_versions.clone(),
                round_trip_ms: w.round_trip_ms,
                clock_offset_ms: w.clock_offset_ms,
                clock_uncertainty_ms: w.clock_uncertainty_ms,
            })
            .collect()
    }

    /// After a run: an error (exit 3) when no worker is left to run the next one.
    pub fn check(&self) -> std::result::Result<(), UserError> {
        if !self.alive().is_empty() {
            return Ok(());
        }
        let gone = self.gone.lock().unwrap();
        Err(UserError::env(format!(
            "no worker is left to run the sweep ({})",
            gone.iter()
                .map(|(w, why)| format!("{w}: {why}"))
                .collect::<Vec<_>>()
                .join("; ")
        ))
        .with_hint("start the workers again (kafkatune worker ...), then resume the sweep"))
    }

    fn last_heard(&self, worker: &str) -> Option<Instant> {
        self.shared.last_heard.lock().unwrap().get(worker).copied()
    }
}

/// The slot key of a produce run's producers: the run's id and `-producers`.
pub fn producer_set(run_id: &str) -> String {
    format!("{run_id}-producers")
}

/// `sweep.json`'s workers after a sweep on `now`: a resumed sweep keeps the ones of its
/// earlier runs, each worker as last measured.
pub fn merge_meta(before: &[WorkerMeta], now: Vec<WorkerMeta>) -> Vec<WorkerMeta> {
    let mut out: Vec<WorkerMeta> = before
        .iter()
        .filter(|b| !now.iter().any(|n| n.name == b.name))
        .cloned()
        .collect();
    out.extend(now);
    out
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        let _ = self.bus.send(
            &self.topics.control,
            Message::Release {
                sweep_id: self.sweep_id.clone(),
            },
        );
        let _ = self.bus.flush(Duration::from_secs(5));
    }
}

/// Tells the workers every `HEARTBEAT` that the coordinator is alive.
fn spawn_heartbeat(
    bus: Arc<Bus>,
    topic: String,
    sweep_id: String,
    stop: Arc<AtomicBool>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let _ = bus.send(
                &topic,
                Message::Heartbeat {
                    sweep_id: sweep_id.clone(),
                    sent_unix_us: crate::clock::now_unix_us(),
                },
            );
            let until = Instant::now() + HEARTBEAT;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    })
}

/// Reads the results topic: notes who was heard, hands each consumer its messages.
fn spawn_reader(
    reader: Reader,
    shared: Arc<Shared>,
    sweep_id: String,
    stop: Arc<AtomicBool>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let Some(Ok(envelope)) = reader.next(Duration::from_millis(100)) else {
                continue;
            };
            if envelope.message.sweep_id() != Some(sweep_id.as_str()) {
                continue;
            }
            shared
                .last_heard
                .lock()
                .unwrap()
                .insert(envelope.sender.clone(), Instant::now());
            let (slot, inbound) = match envelope.message {
                Message::Event { slot, event, .. } => (slot, Inbound::Event(event)),
                Message::Outcome { slot, outcome, .. } => (slot, Inbound::Outcome(outcome)),
                Message::Refused { slot, reason, .. } => (slot, Inbound::Refused(reason)),
                _ => continue,
            };
            if let Some(tx) = shared.routes.lock().unwrap().get(&slot) {
                let _ = tx.send(inbound);
            }
        }
    })
}
