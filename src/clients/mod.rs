//! The clients kafkatune measures. Each runs as a driver process speaking one protocol
//! (`docs/driver-protocol.md`): the orchestrator cannot tell them apart.

pub mod descriptor;
pub mod fake;
pub mod franz_go;
pub mod java;
pub mod kafkajs;
pub mod latency;
pub mod librdkafka;
pub mod properties;
pub mod protocol;
pub mod python;
mod sources;

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;
use serde::{Deserialize, Serialize};

pub use descriptor::Descriptor;

/// A client library kafkatune can measure. Its name and everything else kafkatune knows of
/// it are in its `Descriptor` (`descriptor.rs`), found by `ClientKind::descriptor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClientKind {
    /// librdkafka through the rdkafka crate, built into kafkatune.
    Librdkafka,
    /// The Apache Kafka Java client (`kafka-clients`).
    Java,
    /// kafka-python, the lab's own client.
    KafkaPython,
    /// confluent-kafka-python: librdkafka (bundled in its wheel) under Python.
    ConfluentKafkaPython,
    /// franz-go (Go, `github.com/twmb/franz-go`), built with the machine's Go toolchain.
    FranzGo,
    /// KafkaJS under Node.js (npm `kafkajs`).
    KafkaJs,
    /// The scripted stand-in of the orchestration tests (`fake.rs`); never in `ALL`.
    Fake,
}

impl ClientKind {
    /// Every real client, in the order `--client all` runs them.
    pub const ALL: [ClientKind; 6] = [
        ClientKind::Librdkafka,
        ClientKind::Java,
        ClientKind::KafkaPython,
        ClientKind::ConfluentKafkaPython,
        ClientKind::FranzGo,
        ClientKind::KafkaJs,
    ];

    /// The one place each client is defined.
    pub fn descriptor(self) -> &'static Descriptor {
        match self {
            ClientKind::Librdkafka => &librdkafka::DESCRIPTOR,
            ClientKind::Java => &java::DESCRIPTOR,
            ClientKind::KafkaPython => &python::KAFKA_PYTHON,
            ClientKind::ConfluentKafkaPython => &python::CONFLUENT_KAFKA_PYTHON,
            ClientKind::FranzGo => &franz_go::DESCRIPTOR,
            ClientKind::KafkaJs => &kafkajs::DESCRIPTOR,
            ClientKind::Fake => &fake::DESCRIPTOR,
        }
    }

    pub fn name(self) -> &'static str {
        self.descriptor().name
    }

    /// The escape-hatch prefix of this client's own settings (`java.`).
    pub fn prefix(self) -> String {
        format!("{}.", self.name())
    }

    pub fn parse(text: &str) -> Option<ClientKind> {
        Self::ALL
            .into_iter()
            .chain([ClientKind::Fake])
            .find(|c| c.name() == text)
    }
}

/// Results and control messages carry a client by its name.
impl Serialize for ClientKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ClientKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        ClientKind::parse(&name).ok_or_else(|| {
            let known: Vec<&str> = descriptor::visible().map(|d| d.name).collect();
            serde::de::Error::custom(format!(
                "unknown client `{name}` (this kafkatune knows {})",
                known.join(", ")
            ))
        })
    }
}

/// How to start a client's driver: the program and the arguments before SPEC RESULT.
#[derive(Debug, Clone)]
pub struct DriverCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
}

impl DriverCommand {
    /// The command for one run.
    pub fn command(&self, spec: &std::path::Path, result: &std::path::Path) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args).arg(spec).arg(result);
        cmd
    }
}

/// Builds what the client needs on first use (Java driver jar, Python virtual environment)
/// and returns how to start its driver.
pub fn prepare(client: ClientKind) -> Result<DriverCommand> {
    (client.descriptor().prepare)()
}

/// How to start a driver built into this binary (`kafkatune driver NAME`).
fn built_in(name: &str) -> Result<DriverCommand> {
    Ok(DriverCommand {
        program: std::env::current_exe()?,
        args: vec!["driver".into(), name.into()],
    })
}

/// The clients this build runs, by name, with their versions (what a worker announces).
pub fn versions() -> std::collections::BTreeMap<String, String> {
    descriptor::visible()
        .filter_map(|d| Some((d.name.to_string(), (d.version)()?)))
        .collect()
}
