//! `kafkatune worker`: one host's share of sweeps coordinated through the cluster. It
//! announces itself on the fleet's control topic, answers the coordinators' pings, works
//! for one sweep at a time, runs each consumer assigned to it as a local sweep does (the
//! same driver, a fresh process, the same accounting: `sweep::runner`), and publishes its
//! events and outcome on the results topic. It reads and writes nothing else; it gives up
//! the runs of a coordinator that stopped heart-beating.

mod assignment;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::clients::{ClientKind, DriverCommand};
use crate::error::UserError;
use crate::options::WorkerOptions;
use crate::sweep::remote::bus::{self, Bus, Reader, Topics};
use crate::sweep::remote::messages::{Message, Signal, Slot, Unreadable, WorkerFacts};
use crate::sweep::remote::{HEARTBEAT, SILENCE};
use assignment::Running;

/// How often a worker renews its announcement on the compacted control topic.
const ANNOUNCE_EVERY: Duration = Duration::from_secs(5);

/// The drivers this worker has built, by client (built on first use, as a local sweep does).
pub type Drivers = Arc<Mutex<BTreeMap<ClientKind, DriverCommand>>>;

/// What the worker does for the coordinators, and how it reaches them.
pub struct Context {
    pub opts: WorkerOptions,
    pub topics: Topics,
    pub bus: Arc<Bus>,
    pub drivers: Drivers,
}

impl Context {
    /// `text` with the values of this worker's secrets (`--command-config`: passwords, JAAS,
    /// keys, by the names results are masked by) replaced by `*****`.
    pub fn mask(&self, text: &str) -> String {
        mask_secrets(text, &self.opts.security)
    }
}

/// `text` with every secret value of `props` (and each JAAS option's quoted value) masked.
pub fn mask_secrets(text: &str, props: &crate::results::Params) -> String {
    let mut out = text.to_string();
    for (name, value) in props {
        if !crate::clients::properties::is_secret(name) {
            continue;
        }
        let mut values: Vec<&str> = vec![value.trim()];
        // A JAAS line's password="..." may be printed alone.
        values.extend(
            value
                .split("password=\"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next()),
        );
        for v in values.into_iter().filter(|v| v.len() >= 3) {
            out = out.replace(v, "*****");
        }
    }
    out
}

/// Runs the worker until Ctrl-C.
pub fn run(opts: &WorkerOptions) -> Result<()> {
    let topics = bus::topics(&opts.fleet);
    wait_for_topics(opts, &topics)?;
    let mut sender = Bus::new(&opts.bootstrap, &opts.props, &opts.name)?;
    let mut control = Reader::from_end(&opts.bootstrap, &opts.props, &topics.control)?;
    if let Some(v) = opts.control_version {
        sender.version = v;
        control.version = v;
    }
    let ctx = Context {
        opts: opts.clone(),
        topics,
        bus: Arc::new(sender),
        drivers: Arc::default(),
    };
    let facts = WorkerFacts {
        host: crate::sweep::meta::host(),
        hostname: std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_string()),
        client_versions: crate::clients::versions(),
    };
    eprintln!(
        "kafkatune: worker {} on fleet {} ({}): waiting for a sweep (kafkatune sweep --workers ...)",
        opts.name, opts.fleet, opts.bootstrap
    );
    let mut worker = Worker {
        ctx: &ctx,
        facts,
        attached: None,
        running: Vec::new(),
        refused: HashMap::new(),
    };
    worker.serve(&control)
}

/// Waits until the coordinator of a first sweep has created the fleet's topics.
fn wait_for_topics(opts: &WorkerOptions, topics: &Topics) -> Result<()> {
    let mut said = false;
    loop {
        let control = bus::topic_exists(&opts.bootstrap, &opts.props, &topics.control)?;
        if control && bus::topic_exists(&opts.bootstrap, &opts.props, &topics.results)? {
            return Ok(());
        }
        if !said {
            eprintln!(
                "kafkatune: worker {}: waiting for a coordinator to create {} (the first kafkatune sweep --workers on fleet {} does)",
                opts.name, topics.control, opts.fleet
            );
            said = true;
        }
        for _ in 0..10 {
            crate::interrupt::check(|| format!("worker {} stopped", opts.name))?;
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The sweep a worker works for.
struct Attached {
    sweep_id: String,
    /// The sweep's topic: its runs read or write it and no other.
    topic: String,
    last_heartbeat: Instant,
}

struct Worker<'a> {
    ctx: &'a Context,
    facts: WorkerFacts,
    attached: Option<Attached>,
    running: Vec<Running>,
    /// Senders of another control protocol version, and when they were last told so.
    refused: HashMap<String, Instant>,
}

impl Worker<'_> {
    fn serve(&mut self, control: &Reader) -> Result<()> {
        let ctx = self.ctx;
        let mut next_announce = Instant::now();
        let mut next_beat = Instant::now();
        loop {
            if crate::interrupt::requested() {
                self.abandon(None, "Ctrl-C");
                return Err(
                    UserError::interrupted(format!("worker {} stopped", ctx.opts.name)).into(),
                );
            }
            let now = Instant::now();
            if now >= next_announce {
                ctx.bus.send(
                    &ctx.topics.control,
                    Message::Announce {
                        facts: self.facts.clone(),
                        sent_unix_us: crate::clock::now_unix_us(),
                        sweep_id: self.attached.as_ref().map(|a| a.sweep_id.clone()),
                    },
                )?;
                next_announce = now + ANNOUNCE_EVERY;
            }
            self.running.retain(|r| !r.finished());
            if let Some(a) = &self.attached {
                if now >= next_beat {
                    ctx.bus.send(
                        &ctx.topics.results,
                        Message::Beat {
                            sweep_id: a.sweep_id.clone(),
                            running: self.running.iter().map(|r| r.slot.clone()).collect(),
                        },
                    )?;
                    next_beat = now + HEARTBEAT;
                }
                if a.last_heartbeat.elapsed() > SILENCE {
                    let sweep = a.sweep_id.clone();
                    eprintln!(
                        "kafkatune: worker {}: the coordinator of sweep {sweep} fell silent ({:.0} s without a heartbeat): its runs are given up",
                        ctx.opts.name,
                        SILENCE.as_secs_f64()
                    );
                    self.abandon(Some(&sweep), "its coordinator fell silent");
                    self.attached = None;
                }
            }
            match control.next(Duration::from_millis(50)) {
                None => {}
                Some(Ok(envelope)) => self.handle(envelope.message)?,
                Some(Err(e @ Unreadable::Version { .. })) => self.refuse(&e)?,
                Some(Err(Unreadable::Garbled(_))) => {}
            }
        }
    }

    /// A coordinator of another control protocol version: said once here, and answered in
    /// this worker's version, which the coordinator names in its refusal.
    fn refuse(&mut self, e: &Unreadable) -> Result<()> {
        let Unreadable::Version { sender, .. } = e else {
            return Ok(());
        };
        if self
            .refused
            .get(sender)
            .is_some_and(|t| t.elapsed() < Duration::from_secs(5))
        {
            return Ok(());
        }
        if !self.refused.contains_key(sender) {
            eprintln!("kafkatune: worker {}: refusing {e}", self.ctx.opts.name);
        }
        self.refused.insert(sender.clone(), Instant::now());
        self.ctx.bus.send(
            &self.ctx.topics.results,
            Message::Refused {
                sweep_id: String::new(),
                slot: Slot {
                    group_id: String::new(),
                    consumer: 0,
                },
                reason: e.to_string(),
            },
        )
    }

    fn attached_to(&self, sweep_id: &str) -> bool {
        self.attached
            .as_ref()
            .is_some_and(|a| a.sweep_id == sweep_id)
    }

    fn handle(&mut self, message: Message) -> Result<()> {
        let ctx = self.ctx;
        let me = ctx.opts.name.as_str();
        match message {
            Message::Ping {
                sweep_id, ping_id, ..
            } => {
                let received_unix_us = crate::clock::now_unix_us();
                ctx.bus.send(
                    &ctx.topics.results,
                    Message::Pong {
                        busy_with: self
                            .attached
                            .as_ref()
                            .map(|a| a.sweep_id.clone())
                            .filter(|s| *s != sweep_id),
                        sweep_id,
                        ping_id,
                        received_unix_us,
                        facts: self.facts.clone(),
                    },
                )?;
            }
            Message::Attach {
                sweep_id,
                workers,
                topic,
            } if workers.iter().any(|w| w == me) => {
                match &self.attached {
                    Some(a) if a.sweep_id != sweep_id => eprintln!(
                        "kafkatune: worker {me}: sweep {sweep_id} asks for this worker, which works for sweep {}",
                        a.sweep_id
                    ),
                    _ => {
                        eprintln!("kafkatune: worker {me}: working for sweep {sweep_id}");
                        self.attached = Some(Attached {
                            sweep_id,
                            topic,
                            last_heartbeat: Instant::now(),
                        });
                    }
                }
            }
            Message::Heartbeat { sweep_id, .. } => {
                if let Some(a) = self.attached.as_mut().filter(|a| a.sweep_id == sweep_id) {
                    a.last_heartbeat = Instant::now();
                }
            }
            Message::Release { sweep_id } if self.attached_to(&sweep_id) => {
                self.abandon(Some(&sweep_id), "the sweep is over");
                eprintln!("kafkatune: worker {me}: sweep {sweep_id} is over; waiting for the next");
                self.attached = None;
            }
            Message::Assign {
                sweep_id,
                worker,
                slot,
                spec,
                timeout_s,
                payload,
            } if worker == me => {
                let Some(topic) = self
                    .attached
                    .as_ref()
                    .filter(|a| a.sweep_id == sweep_id)
                    .map(|a| a.topic.clone())
                else {
                    return ctx.bus.send(
                        &ctx.topics.results,
                        Message::Refused {
                            sweep_id,
                            slot,
                            reason: format!("{me} does not work for this sweep"),
                        },
                    );
                };
                let started = assignment::check(&spec, &topic, payload.as_ref()).and_then(|()| {
                    assignment::start(ctx, &sweep_id, slot.clone(), *spec, timeout_s, payload)
                        .map_err(|e| ctx.mask(&format!("{e:#}")))
                });
                if let Err(reason) = &started {
                    eprintln!("kafkatune: worker {me}: refusing a run of sweep {sweep_id}: {reason}");
                }
                match started {
                    Ok(running) => self.running.push(running),
                    Err(reason) => ctx.bus.send(
                        &ctx.topics.results,
                        Message::Refused {
                            sweep_id,
                            slot,
                            reason,
                        },
                    )?,
                }
            }
            Message::Signal {
                worker,
                slot,
                signal,
                sweep_id,
            } if worker == me => {
                if let Some(r) = self
                    .running
                    .iter()
                    .find(|r| r.slot == slot && r.sweep_id == sweep_id)
                {
                    match signal {
                        Signal::Start => r.touch("start"),
                        Signal::Stop => r.touch("stop"),
                        Signal::Abort => r.cancel.store(true, Ordering::Relaxed),
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Ends the consumers of `sweep` (all of them with `None`), and waits for their drivers.
    fn abandon(&mut self, sweep: Option<&str>, why: &str) {
        let (ending, keep): (Vec<Running>, Vec<Running>) = std::mem::take(&mut self.running)
            .into_iter()
            .partition(|r| sweep.is_none_or(|s| r.sweep_id == s));
        self.running = keep;
        if !ending.is_empty() {
            eprintln!(
                "kafkatune: worker {}: ending {} consumer(s): {why}",
                self.ctx.opts.name,
                ending.len()
            );
        }
        for r in &ending {
            r.cancel.store(true, Ordering::Relaxed);
        }
        for r in ending {
            r.join();
        }
    }
}
