//! One consumer assigned to this worker: checked, then run as a local sweep runs one (a
//! fresh driver process, `sweep::runner`), its events and outcome published as they come.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Result;

use super::Context;
use crate::clients::protocol::{Assignment, Spec};
use crate::clients::{self, ClientKind};
use crate::results::Mode;
use crate::sweep::remote::messages::{Message, RemoteOutcome, Slot};
use crate::sweep::runner;

/// A consumer running on this worker.
pub struct Running {
    pub sweep_id: String,
    pub slot: Slot,
    /// Where its start and stop files are.
    pub scratch: PathBuf,
    /// Set to end it (as Ctrl-C would: it leaves its group first).
    pub cancel: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Running {
    pub fn finished(&self) -> bool {
        self.thread.is_finished()
    }

    pub fn join(self) {
        let _ = self.thread.join();
    }

    /// Creates the start or stop file its driver waits for.
    pub fn touch(&self, file: &str) {
        let _ = std::fs::write(self.scratch.join(file), b"");
    }
}

/// What a worker refuses to run: anything but a group's consumer reading a topic (a worker
/// writes to no topic but the fleet's, and a consumer's offsets).
pub fn check(spec: &Spec) -> std::result::Result<(), String> {
    if spec.produce.is_some() || spec.mode != Mode::Drain {
        return Err(format!(
            "a {} run writes to topic {}, and a worker runs only consumers that read",
            spec.mode.name(),
            spec.topic
        ));
    }
    if spec.assignment != Assignment::Subscribe || spec.group_id.is_none() {
        return Err("a worker runs the consumers of a group run only".into());
    }
    if !spec
        .group_id
        .as_deref()
        .is_some_and(|g| g.starts_with("kafkatune-"))
    {
        return Err("the group of a run is kafkatune's own (kafkatune-...)".into());
    }
    if ClientKind::parse(&spec.client).is_none() {
        return Err(format!("this kafkatune has no client `{}`", spec.client));
    }
    Ok(())
}

/// Starts the consumer: its files under the worker's folder, its cluster as this host
/// reaches it.
pub fn start(
    ctx: &Context,
    sweep_id: &str,
    slot: Slot,
    mut spec: Spec,
    timeout_s: f64,
) -> Result<Running> {
    let scratch = ctx
        .opts
        .dir
        .join(sweep_id)
        .join(format!("{}-c{}", slot.group_id, slot.consumer));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    spec.start_file = Some(scratch.join("start"));
    spec.stop_file = Some(scratch.join("stop"));
    spec.bootstrap_servers = ctx.opts.bootstrap.clone();
    // The worker's own security settings, in the client's spelling: the coordinator sends none
    // of its secrets through the cluster.
    if !ctx.opts.security.is_empty() {
        if let Some(client) = ClientKind::parse(&spec.client).filter(|c| *c != ClientKind::Fake) {
            let own =
                crate::clients::properties::translate(client, &ctx.opts.security).map_err(|e| {
                    anyhow::anyhow!("the worker's --command-config for {}: {e}", client.name())
                })?;
            spec.properties.extend(own);
        }
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let (bus, drivers, results) = (
        ctx.bus.clone(),
        ctx.drivers.clone(),
        ctx.topics.results.clone(),
    );
    let (sweep, s, dir, stop) = (
        sweep_id.to_string(),
        slot.clone(),
        scratch.clone(),
        cancel.clone(),
    );
    let name = ctx.opts.name.clone();
    let thread = std::thread::spawn(move || {
        let client = ClientKind::parse(&spec.client).expect("checked");
        eprintln!(
            "kafkatune: worker {name}: {} consumer #{} ({})",
            spec.run_id.as_deref().unwrap_or(""),
            s.consumer,
            client.name()
        );
        let prepared = {
            let mut drivers = drivers.lock().unwrap();
            match drivers.get(&client) {
                Some(d) => Ok(d.clone()),
                None => clients::prepare(client).inspect(|d| {
                    drivers.insert(client, d.clone());
                }),
            }
        };
        let outcome = prepared.and_then(|driver| {
            runner::run_cancellable(
                &driver,
                &spec,
                &dir.join("run"),
                Duration::from_secs_f64(timeout_s),
                |event| {
                    let _ = bus.send(
                        &results,
                        Message::Event {
                            sweep_id: sweep.clone(),
                            slot: s.clone(),
                            event: event.clone(),
                        },
                    );
                },
                &stop,
            )
        });
        let outcome = match outcome {
            Ok(o) => RemoteOutcome::from(&o),
            Err(e) => RemoteOutcome {
                failure: Some(format!("{e:#}")),
                spawn_unix_us: crate::clock::now_unix_us(),
                ..Default::default()
            },
        };
        let _ = bus.send(
            &results,
            Message::Outcome {
                sweep_id: sweep.clone(),
                slot: s.clone(),
                outcome: Box::new(outcome),
            },
        );
        let _ = bus.flush(Duration::from_secs(10));
        let _ = std::fs::remove_dir_all(&dir);
    });
    Ok(Running {
        sweep_id: sweep_id.to_string(),
        slot,
        scratch,
        cancel,
        thread,
    })
}
