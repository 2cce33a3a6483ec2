//! One consumer (or producer) assigned to this worker: checked, then run as a local sweep
//! runs one (a fresh driver process, `sweep::runner`), its events and outcome published as
//! they come, this worker's secrets masked in everything it publishes.

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
use crate::sweep::remote::messages::{Message, PayloadRecipe, RemoteOutcome, Slot};
use crate::sweep::runner;
use crate::workload::payload::Payload;

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

/// What a worker refuses to run: anything but a group's consumer reading the sweep's topic
/// (`topic`, as the coordinator's attach named it), or a producer writing to it when it is
/// one kafkatune created (`kafkatune-...`). A worker writes to no other topic but the
/// fleet's, and a consumer's offsets.
pub fn check(
    spec: &Spec,
    topic: &str,
    payload: Option<&PayloadRecipe>,
) -> std::result::Result<(), String> {
    if spec.topic != topic {
        return Err(format!(
            "the run is on topic `{}`, and this worker's sweep is on `{topic}`: a worker reads and writes the sweep's topic only",
            spec.topic
        ));
    }
    if spec.produce.is_some() || spec.mode == Mode::Produce {
        if !spec.topic.starts_with("kafkatune-") {
            return Err(format!(
                "the run writes to topic `{}`, which kafkatune did not create (not kafkatune-...): a worker writes only to kafkatune's own topics",
                spec.topic
            ));
        }
        if spec.produce.is_none() || spec.mode != Mode::Produce || payload.is_none() {
            return Err(
                "a producer's run comes with its produce spec and its bodies' recipe".into(),
            );
        }
        if ClientKind::parse(&spec.client).is_none() {
            return Err(format!("this kafkatune has no client `{}`", spec.client));
        }
        return Ok(());
    }
    if spec.mode != Mode::Drain {
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
    payload: Option<PayloadRecipe>,
) -> Result<Running> {
    let scratch = ctx
        .opts
        .dir
        .join(sweep_id)
        .join(format!("{}-c{}", slot.group_id, slot.consumer));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    if spec.group_id.is_some() {
        spec.start_file = Some(scratch.join("start"));
        spec.stop_file = Some(scratch.join("stop"));
    }
    if let (Some(produce), Some(recipe)) = (spec.produce.as_mut(), payload) {
        // The coordinator's bodies, made again here: same generator, size and seed.
        let file = scratch.join("payload.bin");
        Payload::generate(recipe.kind, recipe.message_size, recipe.seed).write_bodies(&file)?;
        produce.payload_file = file;
    }
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
    let secrets = ctx.opts.security.clone();
    let thread = std::thread::spawn(move || {
        let client = ClientKind::parse(&spec.client).expect("checked");
        eprintln!(
            "kafkatune: worker {name}: {} {} #{} ({})",
            spec.run_id.as_deref().unwrap_or(""),
            if spec.produce.is_some() {
                "producer"
            } else {
                "consumer"
            },
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
        let outcome = masked(outcome, &secrets);
        if let Some(f) = &outcome.failure {
            eprintln!(
                "kafkatune: worker {name}: {} failed: {f}",
                spec.run_id.as_deref().unwrap_or("")
            );
        }
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

/// What leaves the worker: the client's configuration masked by name (as a run record is),
/// this worker's secret values masked wherever they appear in the texts.
fn masked(mut o: RemoteOutcome, secrets: &crate::results::Params) -> RemoteOutcome {
    let text = |t: &str| super::mask_secrets(t, secrets);
    o.failure = o.failure.as_deref().map(text);
    o.stderr_tail = text(&o.stderr_tail);
    if let Some(r) = &mut o.result {
        r.error = r.error.as_deref().map(text);
        if let Some(config) = &mut r.client_config {
            for (k, v) in config.iter_mut() {
                *v = text(&crate::clients::properties::mask(k, v));
            }
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::protocol::{DriverResult, ProduceSpec};
    use crate::workload::payload::PayloadKind;

    fn spec(topic: &str) -> Spec {
        Spec {
            protocol_version: crate::clients::protocol::PROTOCOL_VERSION,
            client: "librdkafka".into(),
            run_id: Some("t01-r0".into()),
            bootstrap_servers: "localhost:9092".into(),
            topic: topic.into(),
            assignment: Assignment::Subscribe,
            group_id: Some("kafkatune-s-t01-r0-1".into()),
            partitions: Vec::new(),
            messages: 10,
            mode: Mode::Drain,
            max_poll_records: 500,
            poll_timeout_ms: 100,
            properties: Default::default(),
            timeout_s: 10.0,
            live: None,
            start_file: None,
            stop_file: None,
            produce: None,
            share: None,
            processing: None,
        }
    }

    #[test]
    fn a_worker_refuses_runs_on_a_topic_the_coordinator_did_not_create() {
        let recipe = PayloadRecipe {
            kind: PayloadKind::Json,
            message_size: 100,
            seed: 1,
        };
        assert_eq!(check(&spec("orders"), "orders", None), Ok(()));
        let other = check(&spec("payments"), "orders", None).unwrap_err();
        assert!(
            other.contains("`payments`") && other.contains("`orders`"),
            "{other}"
        );
        let mut producer = spec("orders");
        producer.mode = Mode::Produce;
        producer.group_id = None;
        producer.produce = Some(ProduceSpec {
            payload_file: "p".into(),
            rate_msgs_per_s: None,
            warmup_records: 0,
            latency_from_intended: false,
            accounting: None,
        });
        let write = check(&producer, "orders", Some(&recipe)).unwrap_err();
        assert!(write.contains("did not create"), "{write}");
        producer.topic = "kafkatune-produce-p6".into();
        assert_eq!(
            check(&producer, "kafkatune-produce-p6", Some(&recipe)),
            Ok(())
        );
        assert!(check(&producer, "kafkatune-produce-p6", None).is_err());
        let mut group = spec("orders");
        group.group_id = Some("theirs".into());
        assert!(check(&group, "orders", None).is_err());
    }

    #[test]
    fn nothing_a_worker_publishes_holds_its_secrets() {
        let secrets = crate::results::Params::from([
            ("sasl.password".to_string(), "hunter22".to_string()),
            ("ssl.key.password".to_string(), "k3ypass".to_string()),
            (
                "sasl.jaas.config".to_string(),
                r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="s3cret!";"#.to_string(),
            ),
            ("security.protocol".to_string(), "SASL_SSL".to_string()),
        ]);
        let o = masked(
            RemoteOutcome {
                failure: Some("auth failed with hunter22".into()),
                stderr_tail: "ssl.key.password = k3ypass\npassword=\"s3cret!\"".into(),
                result: Some(DriverResult {
                    error: Some("bad s3cret!".into()),
                    client_config: Some(
                        [
                            ("sasl.password".to_string(), "hunter22".to_string()),
                            ("security.protocol".to_string(), "SASL_SSL".to_string()),
                        ]
                        .into(),
                    ),
                    ..Default::default()
                }),
                ..Default::default()
            },
            &secrets,
        );
        let text = serde_json::to_string(&o).unwrap();
        for secret in ["hunter22", "k3ypass", "s3cret!"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("SASL_SSL"), "not a secret: {text}");
    }
}
