//! The control plane's messages: serde JSON, each with the control protocol's version, keyed
//! for the compacted control topic (`kafkatune-control-FLEET`: the coordinator's heartbeats,
//! pings, assignments and signals, the workers' announcements) and the results topic
//! (`kafkatune-results-FLEET`: what the workers answer and measured).
//!
//! A message is read in two steps: its header first (version, sender), then, only when the
//! version is this kafkatune's, its body; a worker of another version is refused by name
//! instead of misread.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clients::protocol::{DriverResult, Event, Spec};
use crate::results::HostMeta;
use crate::sweep::runner::{RunOutcome, Usage};
use crate::workload::payload::PayloadKind;

/// The control protocol's version: a coordinator and a worker must speak the same one.
/// 1: announce, ping/pong, heartbeat, beat, assign, signal, event, outcome, refused, release.
/// 2: the workers' client versions, the sweep's topic in attach, producers (assign's payload).
pub const CONTROL_VERSION: u32 = 2;

/// Every message: the version and who sent it, then the body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Envelope {
    pub version: u32,
    /// The sender's kafkatune version, for the message that refuses it.
    pub kafkatune_version: String,
    /// A worker's name, or `coordinator`.
    pub sender: String,
    #[serde(flatten)]
    pub message: Message,
}

/// What is read of a message before its body: enough to refuse another version.
#[derive(Debug, Clone, Deserialize)]
pub struct Header {
    pub version: u32,
    #[serde(default)]
    pub kafkatune_version: String,
    #[serde(default)]
    pub sender: String,
}

/// A driver process of a run on a worker: a consumer of a group run (the run's group and the
/// consumer's index in it), or a producer of a produce run (`RUN-producers` and its index).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    pub group_id: String,
    pub consumer: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    /// The group is complete and balanced: count from now (the start file).
    Start,
    /// The group has consumed the run's messages: finish (the stop file).
    Stop,
    /// Leave the group and end the driver (Ctrl-C on the coordinator, the run given up).
    Abort,
}

/// What a worker says of its host.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkerFacts {
    pub host: HostMeta,
    pub hostname: Option<String>,
    /// The clients this worker runs, by name, with their versions.
    #[serde(default)]
    pub client_versions: BTreeMap<String, String>,
}

/// The bodies a producer on a worker sends: made there by the same generator and seed as
/// the coordinator's (a sample file stays on the coordinator's host: refused with workers).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct PayloadRecipe {
    pub kind: PayloadKind,
    pub message_size: u32,
    pub seed: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    // Workers, on the control topic (key `worker/NAME`: the latest one stays).
    /// A worker is up (sent at start and every few seconds after).
    Announce {
        facts: WorkerFacts,
        sent_unix_us: u64,
        /// The sweep it works for, if any.
        sweep_id: Option<String>,
    },
    // The coordinator, on the control topic.
    /// Who is there? Idle workers (and those of this sweep) answer with a pong.
    Ping {
        sweep_id: String,
        ping_id: u64,
        sent_unix_us: u64,
    },
    /// The workers this sweep takes: each works for it until it is released or the
    /// coordinator's heartbeats stop.
    Attach {
        sweep_id: String,
        workers: Vec<String>,
        /// The sweep's topic: the only one its runs may read or write.
        topic: String,
    },
    /// The coordinator is alive (every second).
    Heartbeat { sweep_id: String, sent_unix_us: u64 },
    /// Run one consumer of a group run.
    Assign {
        sweep_id: String,
        worker: String,
        slot: Slot,
        spec: Box<Spec>,
        timeout_s: f64,
        /// A producer's bodies.
        #[serde(default)]
        payload: Option<PayloadRecipe>,
    },
    Signal {
        sweep_id: String,
        worker: String,
        slot: Slot,
        signal: Signal,
    },
    /// The sweep is over: its workers are free.
    Release { sweep_id: String },
    // Workers, on the results topic.
    Pong {
        sweep_id: String,
        ping_id: u64,
        /// The worker's clock when the ping came.
        received_unix_us: u64,
        facts: WorkerFacts,
        /// Working for another sweep (it does not take this one's runs).
        busy_with: Option<String>,
    },
    /// A worker of the sweep is alive (every second), with the consumers it runs.
    Beat {
        sweep_id: String,
        running: Vec<Slot>,
    },
    /// A driver's event line (ready, assigned, progress).
    Event {
        sweep_id: String,
        slot: Slot,
        event: Event,
    },
    /// A consumer ended: what its process left behind.
    Outcome {
        sweep_id: String,
        slot: Slot,
        outcome: Box<RemoteOutcome>,
    },
    /// The worker will not run an assignment, and why.
    Refused {
        sweep_id: String,
        slot: Slot,
        reason: String,
    },
}

/// A `RunOutcome` as it travels: everything the worker's runner measured of the process.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RemoteOutcome {
    pub result: Option<DriverResult>,
    pub failure: Option<String>,
    pub interrupted: bool,
    pub spawn_unix_us: u64,
    pub wall_s: f64,
    pub user_s: f64,
    pub sys_s: f64,
    pub peak_rss_bytes: u64,
    pub stderr_tail: String,
}

impl From<&RunOutcome> for RemoteOutcome {
    fn from(o: &RunOutcome) -> Self {
        RemoteOutcome {
            result: o.result.clone(),
            failure: o.failure.clone(),
            interrupted: o.interrupted,
            spawn_unix_us: o.spawn_unix_us,
            wall_s: o.wall_s,
            user_s: o.usage.user_s,
            sys_s: o.usage.sys_s,
            peak_rss_bytes: o.usage.peak_rss_bytes,
            stderr_tail: o.stderr_tail.clone(),
        }
    }
}

impl From<RemoteOutcome> for RunOutcome {
    fn from(o: RemoteOutcome) -> Self {
        RunOutcome {
            result: o.result,
            failure: o.failure,
            interrupted: o.interrupted,
            spawn_unix_us: o.spawn_unix_us,
            wall_s: o.wall_s,
            usage: Usage {
                user_s: o.user_s,
                sys_s: o.sys_s,
                peak_rss_bytes: o.peak_rss_bytes,
            },
            stderr_tail: o.stderr_tail,
        }
    }
}

impl Message {
    /// The sweep the message belongs to (an announcement names the one it works for).
    pub fn sweep_id(&self) -> Option<&str> {
        match self {
            Message::Announce { sweep_id, .. } => sweep_id.as_deref(),
            Message::Ping { sweep_id, .. }
            | Message::Attach { sweep_id, .. }
            | Message::Heartbeat { sweep_id, .. }
            | Message::Assign { sweep_id, .. }
            | Message::Signal { sweep_id, .. }
            | Message::Release { sweep_id }
            | Message::Pong { sweep_id, .. }
            | Message::Beat { sweep_id, .. }
            | Message::Event { sweep_id, .. }
            | Message::Outcome { sweep_id, .. }
            | Message::Refused { sweep_id, .. } => Some(sweep_id),
        }
    }

    /// The key on the compacted control topic: the latest message per key is what stays.
    pub fn key(&self, sender: &str) -> String {
        match self {
            Message::Announce { .. } => format!("worker/{sender}"),
            Message::Ping { sweep_id, .. } => format!("sweep/{sweep_id}/ping"),
            Message::Attach { sweep_id, .. } => format!("sweep/{sweep_id}/attach"),
            Message::Heartbeat { sweep_id, .. } => format!("sweep/{sweep_id}/heartbeat"),
            Message::Release { sweep_id } => format!("sweep/{sweep_id}/heartbeat"),
            Message::Assign { sweep_id, slot, .. } => {
                format!(
                    "sweep/{sweep_id}/{}/c{}/assign",
                    slot.group_id, slot.consumer
                )
            }
            Message::Signal {
                sweep_id,
                slot,
                signal,
                ..
            } => format!(
                "sweep/{sweep_id}/{}/c{}/{signal:?}",
                slot.group_id, slot.consumer
            ),
            Message::Pong { .. }
            | Message::Beat { .. }
            | Message::Event { .. }
            | Message::Outcome { .. }
            | Message::Refused { .. } => format!("worker/{sender}"),
        }
    }
}

/// Why a message cannot be read.
#[derive(Debug, Clone, PartialEq)]
pub enum Unreadable {
    /// Another control protocol version: the sender and its kafkatune version.
    Version {
        sender: String,
        version: u32,
        kafkatune_version: String,
    },
    /// Not a kafkatune control message at all.
    Garbled(String),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Version {
                sender,
                version,
                kafkatune_version,
            } => write!(
                f,
                "`{sender}` speaks control protocol version {version} (kafkatune {kafkatune_version}); this kafkatune {} speaks version {CONTROL_VERSION}: run the same kafkatune version on the coordinator and every worker",
                env!("CARGO_PKG_VERSION")
            ),
            Unreadable::Garbled(e) => write!(f, "not a kafkatune control message: {e}"),
        }
    }
}

/// This kafkatune's envelope around `message`, from `sender`.
pub fn envelope(sender: &str, message: Message) -> Envelope {
    envelope_of(CONTROL_VERSION, sender, message)
}

/// The envelope of control protocol `version` (another than `CONTROL_VERSION` only in the
/// tests of a refused worker).
pub fn envelope_of(version: u32, sender: &str, message: Message) -> Envelope {
    Envelope {
        version,
        kafkatune_version: env!("CARGO_PKG_VERSION").to_string(),
        sender: sender.to_string(),
        message,
    }
}

/// Reads one message: the header, then the body of this version only.
pub fn decode(bytes: &[u8]) -> Result<Envelope, Unreadable> {
    decode_as(CONTROL_VERSION, bytes)
}

/// [`decode`] for a reader of control protocol `version`.
pub fn decode_as(version: u32, bytes: &[u8]) -> Result<Envelope, Unreadable> {
    let header: Header =
        serde_json::from_slice(bytes).map_err(|e| Unreadable::Garbled(e.to_string()))?;
    if header.version != version {
        return Err(Unreadable::Version {
            sender: header.sender,
            version: header.version,
            kafkatune_version: header.kafkatune_version,
        });
    }
    serde_json::from_slice(bytes).map_err(|e| Unreadable::Garbled(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_round_trips_and_another_version_is_refused_by_name() {
        let msg = envelope(
            "w1",
            Message::Beat {
                sweep_id: "s".into(),
                running: vec![Slot {
                    group_id: "g".into(),
                    consumer: 2,
                }],
            },
        );
        let bytes = serde_json::to_vec(&msg).unwrap();
        assert_eq!(decode(&bytes).unwrap(), msg);
        let mut other: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        other["version"] = 99.into();
        other["type"] = "something_new".into();
        let err = decode(other.to_string().as_bytes()).unwrap_err();
        assert!(matches!(&err, Unreadable::Version { sender, version: 99, .. } if sender == "w1"));
        assert!(err.to_string().contains("same kafkatune version"), "{err}");
        assert!(matches!(decode(b"hello"), Err(Unreadable::Garbled(_))));
    }

    #[test]
    fn a_worker_keeps_one_announcement_and_each_consumer_its_own_assignment() {
        let announce = Message::Announce {
            facts: WorkerFacts {
                host: HostMeta {
                    os: "linux".into(),
                    kernel: None,
                    cpu_model: None,
                    cpu_count: 2,
                    memory_bytes: None,
                },
                hostname: None,
                client_versions: BTreeMap::new(),
            },
            sent_unix_us: 1,
            sweep_id: None,
        };
        assert_eq!(announce.key("w1"), "worker/w1");
        let signal = |consumer, signal| Message::Signal {
            sweep_id: "s".into(),
            worker: "w1".into(),
            slot: Slot {
                group_id: "g".into(),
                consumer,
            },
            signal,
        };
        assert_ne!(
            signal(0, Signal::Start).key("coordinator"),
            signal(1, Signal::Start).key("coordinator")
        );
        assert_ne!(
            signal(0, Signal::Start).key("coordinator"),
            signal(0, Signal::Stop).key("coordinator")
        );
    }
}
