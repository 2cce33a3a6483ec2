//! The clients kafkatune measures. Each runs as a driver process speaking one protocol
//! (`docs/driver-protocol.md`): the orchestrator cannot tell them apart.

pub mod fake;
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

/// A client library kafkatune can measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClientKind {
    /// librdkafka through the rdkafka crate, built into kafkatune.
    #[serde(rename = "librdkafka")]
    Librdkafka,
    /// The Apache Kafka Java client (`kafka-clients`).
    #[serde(rename = "java")]
    Java,
    /// kafka-python, the lab's own client.
    #[serde(rename = "kafka-python")]
    KafkaPython,
    /// confluent-kafka-python: librdkafka (bundled in its wheel) under Python, beside
    /// kafka-python in the Python driver; it takes librdkafka's property names.
    #[serde(rename = "confluent-kafka-python")]
    ConfluentKafkaPython,
    /// KafkaJS (npm `kafkajs`) under Node.js: its eachBatch is its poll; its own names.
    #[serde(rename = "kafkajs")]
    KafkaJs,
    /// The scripted stand-in of the orchestration tests (`fake.rs`); never in `ALL`.
    #[serde(rename = "fake")]
    Fake,
}

impl ClientKind {
    /// Every real client, in the order `--client all` runs them.
    pub const ALL: [ClientKind; 5] = [
        ClientKind::Librdkafka,
        ClientKind::Java,
        ClientKind::KafkaPython,
        ClientKind::ConfluentKafkaPython,
        ClientKind::KafkaJs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ClientKind::Librdkafka => "librdkafka",
            ClientKind::Java => "java",
            ClientKind::KafkaPython => "kafka-python",
            ClientKind::ConfluentKafkaPython => "confluent-kafka-python",
            ClientKind::KafkaJs => "kafkajs",
            ClientKind::Fake => "fake",
        }
    }

    pub fn parse(text: &str) -> Option<ClientKind> {
        Self::ALL
            .into_iter()
            .chain([ClientKind::Fake])
            .find(|c| c.name() == text)
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
    match client {
        ClientKind::Librdkafka | ClientKind::Fake => Ok(DriverCommand {
            program: std::env::current_exe()?,
            args: vec!["driver".into(), client.name().into()],
        }),
        ClientKind::Java => java::prepare(),
        ClientKind::KafkaPython => python::prepare(python::KAFKA_PYTHON_DRIVER),
        ClientKind::ConfluentKafkaPython => python::prepare(python::CONFLUENT_DRIVER),
        ClientKind::KafkaJs => kafkajs::prepare(),
    }
}

/// The clients this build runs, by name, with their versions: librdkafka's as linked, the
/// Java client's, kafka-python's and confluent-kafka-python's as the drivers pin them (what a worker announces).
pub fn versions() -> std::collections::BTreeMap<String, String> {
    let text = |path| {
        sources::file(path)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    let mut out = std::collections::BTreeMap::new();
    out.insert(
        ClientKind::Librdkafka.name().to_string(),
        rdkafka::util::get_rdkafka_version().1,
    );
    let pom = text("java/pom.xml");
    if let Some(v) = pom
        .split_once("<kafka.version>")
        .and_then(|(_, rest)| rest.split_once("</kafka.version>"))
    {
        out.insert(ClientKind::Java.name().to_string(), v.0.trim().to_string());
    }
    let requirements = text("python/requirements.txt");
    for (client, pin) in [
        (ClientKind::KafkaPython, "kafka-python=="),
        (ClientKind::ConfluentKafkaPython, "confluent-kafka=="),
    ] {
        if let Some(v) = requirements
            .lines()
            .find_map(|l| l.trim().strip_prefix(pin))
        {
            out.insert(client.name().to_string(), v.trim().to_string());
        }
    }
    if let Some(v) = kafkajs::version() {
        out.insert(ClientKind::KafkaJs.name().to_string(), v);
    }
    out
}
