//! KafkaJS (`drivers/kafkajs`: Node.js, npm `kafkajs` 2.2.4 from its lockfile): its
//! descriptor, `npm ci` once into the cache folder named by the driver's fingerprint (as the
//! Python venv), and its spellings.
//!
//! KafkaJS's spellings (npm `kafkajs` 2.2.4): its consumer, producer, send() and client
//! options by their own names, with its defaults, typed as JSON for the driver. KafkaJS has
//! no linger.ms and no batch.size (it sends what each send() call is given), no
//! max.poll.records (its eachBatch hands a fetch's batch; the driver cuts it), only the
//! classic group protocol, gzip as its one built-in codec, and no share consumer: each such
//! setting is refused here for KafkaJS, naming the nearest one where there is one.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use serde_json::Value;

use super::descriptor::{Descriptor, Pace, Tool};
use super::properties::{
    no_rules, parse_jaas, ClientProperties, PemNames, Property, Spelling, Tls, ValueType, Values,
};
use super::{sources, ClientKind, DriverCommand};
use crate::{cache, error, process};

pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: ClientKind::KafkaJs,
    name: "kafkajs",
    about: "KafkaJS under Node.js (its own property names; no linger.ms, classic groups only)",
    hidden: false,
    needs: &[
        Tool {
            command: "node",
            debian: Some("nodejs"),
            install: INSTALL_NODE,
        },
        Tool {
            command: "npm",
            debian: Some("npm"),
            install: INSTALL_NODE,
        },
    ],
    prepare,
    version,
    properties: ClientProperties {
        spelling: |p, _| match SPELLINGS.iter().find(|(k, _, _)| *k == p.kafka) {
            Some((_, js, _)) => Spelling::Name(js),
            None => Spelling::Unsupported("a setting KafkaJS 2.2.4 does not have"),
        },
        // Its own settings (`kafkajs.NAME=V`) as JSON literals: numbers and booleans typed.
        values: Values::Typed,
        tls: Tls::Pem(&PEM),
        takes_names_of: None,
        rules: no_rules,
        own_translation: Some(translate),
    },
    no_share_consumer: Some("KafkaJS 2.2.4 has no share consumer"),
    // Not benchmarked beside the others yet: reckoned as kafka-python, with Node's start.
    pace: Pace {
        consume_msgs_per_s: 10_000.0,
        produce_msgs_per_s: 10_000.0,
        start_s: 1.0,
    },
    first_use: Some("KafkaJS is installed with npm ci"),
};

/// The KafkaJS driver reads the PEM files and hands them to Node's TLS (`ssl: {ca, cert,
/// key, passphrase}`); it has no algorithm setting, only a host name check on or off.
const PEM: PemNames = PemNames {
    ca: "ssl.ca",
    certificate: "ssl.cert",
    key: "ssl.key",
    key_password: "ssl.passphrase",
    key_stores: "key stores as PEM files only",
    pkcs12_key_store: false,
    host_check: Some("ssl.checkHostname"),
};

/// The entry script in `drivers/kafkajs`.
pub const DRIVER: &str = "kafkatune_kafkajs.js";

const INSTALL_NODE: &str =
    "install Node.js 18+ and npm (Debian: apt-get install -y nodejs npm): they run the KafkaJS driver";

/// `node` and `npm` on PATH, or a usage error (exit 2) naming the Debian packages, before
/// anything starts.
fn require(program: &str) -> Result<PathBuf> {
    process::find(program).ok_or_else(|| {
        error::UserError::usage(format!(
            "`{program}` was not found on PATH: --client kafkajs runs on Node.js"
        ))
        .with_hint(INSTALL_NODE.to_string())
        .into()
    })
}

/// Installs the driver's packages on first use (`npm ci`: exactly the lockfile's versions)
/// and returns how to start it.
pub fn prepare() -> Result<DriverCommand> {
    let node = require("node")?;
    let root = cache::dir().join(format!(
        "kafkajs-driver-{}",
        sources::fingerprint("kafkajs")
    ));
    let src = root.join("src");
    if !root.join(".complete").exists() {
        let npm = require("npm")?;
        eprintln!(
            "kafkatune: installing the KafkaJS driver into {} (first use only)",
            root.display()
        );
        let _ = std::fs::remove_dir_all(&src);
        sources::write_out("kafkajs", &src)?;
        process::run_setup(
            Command::new(npm)
                .args([
                    "ci",
                    "--omit=dev",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                ])
                .current_dir(&src),
            "installing KafkaJS with npm ci",
        )?;
        std::fs::write(root.join(".complete"), "")?;
    }
    Ok(DriverCommand {
        program: node,
        args: vec![src.join(DRIVER).to_string_lossy().into_owned()],
    })
}

/// KafkaJS's version as the driver's package.json pins it.
pub fn version() -> Option<String> {
    let text = sources::file("kafkajs/package.json")?;
    let json: serde_json::Value = serde_json::from_slice(text).ok()?;
    json["dependencies"]["kafkajs"].as_str().map(str::to_string)
}

/// How KafkaJS takes one Kafka property.
enum Js {
    /// Under this name, typed (numbers and booleans as JSON).
    Name(&'static str),
    /// Not at all: why, and the nearest setting where there is one.
    No(&'static str),
    /// Through another setting (TLS stores, `tls.rs`), or nothing to pass.
    Rule,
}

/// (Kafka name, KafkaJS's spelling, KafkaJS's default as text) of every row KafkaJS takes;
/// `kafkatune properties` and docs/guide/clients.md show them.
pub const SPELLINGS: &[(&str, &str, &str)] = &[
    ("fetch.min.bytes", "minBytes", "1"),
    ("fetch.max.wait.ms", "maxWaitTimeInMs", "5000"),
    ("fetch.max.bytes", "maxBytes", "10485760"),
    (
        "max.partition.fetch.bytes",
        "maxBytesPerPartition",
        "1048576",
    ),
    ("session.timeout.ms", "sessionTimeout", "30000"),
    ("heartbeat.interval.ms", "heartbeatInterval", "3000"),
    (
        "isolation.level",
        "readUncommitted",
        "false (read_committed)",
    ),
    ("client.rack", "rackId", "none"),
    ("client.id", "clientId", "kafkajs"),
    ("request.timeout.ms", "requestTimeout", "30000"),
    ("metadata.max.age.ms", "metadataMaxAge", "300000"),
    ("retry.backoff.ms", "retry.initialRetryTime", "300"),
    ("retries", "retry.retries", "5"),
    ("acks", "acks", "-1 (all)"),
    ("compression.type", "compression", "none (gzip built in)"),
    ("enable.idempotence", "idempotent", "false"),
    (
        "max.in.flight.requests.per.connection",
        "maxInFlightRequests",
        "none (unlimited)",
    ),
    ("sasl.mechanism", "sasl.mechanism", "none"),
    ("sasl.jaas.config", "sasl.username+sasl.password", "none"),
    ("security.protocol", "ssl (true for SSL, SASL_SSL)", "false"),
];

const NO_BATCHING: &str = "KafkaJS has no linger and no batch size: it sends what each send() call is given, in one request per broker (the driver's -X kafkajs.sendRecords=N sets the records per call, 1000 by default)";

fn spelling(kafka: &str) -> Js {
    if let Some((_, js, _)) = SPELLINGS.iter().find(|(k, _, _)| *k == kafka) {
        return match kafka {
            "security.protocol" | "sasl.jaas.config" => Js::Rule,
            _ => Js::Name(js),
        };
    }
    match kafka {
        "linger.ms" | "batch.size" | "batch.num.messages" | "sticky.partitioning.linger.ms" => {
            Js::No(NO_BATCHING)
        }
        "max.poll.interval.ms" => Js::No("KafkaJS has no poll interval limit: a slow eachBatch misses heartbeats, bounded by session.timeout.ms (sessionTimeout); its JoinGroup rebalance timeout is kafkajs.rebalanceTimeout"),
        "group.protocol" => Js::Rule,
        "group.instance.id" => Js::No("KafkaJS has no static membership"),
        "delivery.timeout.ms" => Js::No("KafkaJS has no delivery timeout; its nearest is request.timeout.ms (requestTimeout) with retries (retry.retries)"),
        "max.request.size" | "buffer.memory" | "max.block.ms" => Js::No("KafkaJS has no send buffer: each send() call is one request, awaited by the caller"),
        "check.crcs" | "receive.buffer.bytes" | "send.buffer.bytes" | "connections.max.idle.ms" => Js::No("KafkaJS has no such setting"),
        "reconnect.backoff.ms" | "reconnect.backoff.max.ms" => Js::No("KafkaJS reconnects with its retry settings: retry.backoff.ms (retry.initialRetryTime), kafkajs.retry.maxRetryTime"),
        "ssl.endpoint.identification.algorithm" | "ssl.truststore.type" | "ssl.truststore.location"
        | "ssl.truststore.password" | "ssl.keystore.type" | "ssl.keystore.location"
        | "ssl.keystore.password" | "ssl.key.password" => Js::Rule,
        "ssl.truststore.certificates" => Js::No("the KafkaJS driver reads CA certificates from a file: use ssl.truststore.location"),
        k if k.starts_with("share.") => Js::No("KafkaJS has no share consumer (KIP-932)"),
        _ => Js::No("a setting KafkaJS 2.2.4 does not have"),
    }
}

/// The KafkaJS settings for one Kafka property: (name, typed value) pairs; an error names
/// what KafkaJS lacks and its nearest setting.
fn translate(prop: &'static Property, value: &str) -> Result<Vec<(String, Value)>, String> {
    let refuse = |why: &str| {
        Err(format!(
            "the kafkajs client cannot honour `{}={value}` ({why}); leave it out, or run only the clients that have it (--client)",
            prop.kafka
        ))
    };
    let one = |name: &str, v: Value| Ok(vec![(name.to_string(), v)]);
    match (prop.kafka, spelling(prop.kafka)) {
        (_, Js::No(why)) => refuse(why),
        ("group.protocol", _) if value.eq_ignore_ascii_case("consumer") => refuse(
            "KafkaJS speaks only the classic group protocol (KIP-848's consumer protocol is not in KafkaJS 2.2.4)",
        ),
        ("security.protocol", _) => {
            let tls = value.to_ascii_uppercase().ends_with("SSL");
            if tls {
                one("ssl", Value::Bool(true))
            } else {
                Ok(Vec::new())
            }
        }
        ("sasl.jaas.config", _) => {
            let (user, secret) = parse_jaas(value)?;
            Ok(vec![
                ("sasl.username".into(), Value::String(user)),
                ("sasl.password".into(), Value::String(secret)),
            ])
        }
        ("sasl.mechanism", _) if !["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(value)) =>
        {
            refuse("the KafkaJS driver signs in with PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
        }
        ("compression.type", _) if !["none", "gzip"].iter().any(|c| c.eq_ignore_ascii_case(value)) => {
            refuse("KafkaJS has gzip built in, and snappy, lz4 and zstd only through codec packages the driver does not install; use gzip or none")
        }
        ("isolation.level", _) => one(
            "readUncommitted",
            Value::Bool(value.eq_ignore_ascii_case("read_uncommitted")),
        ),
        ("acks", _) => one(
            "acks",
            Value::from(if value.eq_ignore_ascii_case("all") {
                -1
            } else {
                value.parse::<i64>().unwrap_or(-1)
            }),
        ),
        (_, Js::Rule) => Ok(Vec::new()),
        (_, Js::Name(name)) => one(name, typed(prop.value, value)),
    }
}

/// Numbers and booleans as JSON, as KafkaJS's options take them; text otherwise.
fn typed(kind: ValueType, value: &str) -> Value {
    match kind {
        ValueType::Int { .. } => value
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(value.to_string())),
        ValueType::Bool => Value::Bool(value == "true"),
        _ => Value::String(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pinned_version_is_a_2_2_release() {
        let v = super::version().expect("drivers/kafkajs/package.json pins kafkajs");
        assert!(v.starts_with("2.2."), "{v}");
    }
}

#[cfg(test)]
mod spelling_tests {
    use crate::clients::properties::{props, translate};
    use crate::clients::ClientKind;
    use serde_json::Value;

    #[test]
    fn kafkajs_takes_its_own_names_typed() {
        let p = props(&[
            ("fetch.max.wait.ms", "500"),
            ("fetch.min.bytes", "1024"),
            ("session.timeout.ms", "10000"),
            ("isolation.level", "read_uncommitted"),
            ("kafkajs.rebalanceTimeout", "60000"),
            ("max.poll.records", "10"),
        ]);
        let out = translate(ClientKind::KafkaJs, &p).unwrap();
        assert_eq!(out.get("maxWaitTimeInMs"), Some(&Value::from(500)));
        assert_eq!(out.get("minBytes"), Some(&Value::from(1024)));
        assert_eq!(out.get("sessionTimeout"), Some(&Value::from(10000)));
        assert_eq!(out.get("readUncommitted"), Some(&Value::Bool(true)));
        assert_eq!(out.get("rebalanceTimeout"), Some(&Value::from(60000)));
        assert_eq!(
            out.len(),
            5,
            "max.poll.records travels in the spec: {out:?}"
        );
        let producer = props(&[("acks", "all"), ("enable.idempotence", "true")]);
        let out = translate(ClientKind::KafkaJs, &producer).unwrap();
        assert_eq!(out.get("acks"), Some(&Value::from(-1)));
        assert_eq!(out.get("idempotent"), Some(&Value::Bool(true)));
    }

    #[test]
    fn what_kafkajs_lacks_is_refused_naming_the_nearest_setting() {
        let err = translate(ClientKind::KafkaJs, &props(&[("linger.ms", "5")])).unwrap_err();
        assert!(
            err.contains("kafkajs client cannot honour `linger.ms=5`"),
            "{err}"
        );
        assert!(err.contains("send() call"), "{err}");
        let err = translate(
            ClientKind::KafkaJs,
            &props(&[("group.protocol", "consumer")]),
        )
        .unwrap_err();
        assert!(err.contains("classic group protocol"), "{err}");
        assert!(translate(
            ClientKind::KafkaJs,
            &props(&[("group.protocol", "classic")])
        )
        .unwrap()
        .is_empty());
        let err = translate(
            ClientKind::KafkaJs,
            &props(&[("max.poll.interval.ms", "1000")]),
        )
        .unwrap_err();
        assert!(err.contains("sessionTimeout"), "{err}");
        let err =
            translate(ClientKind::KafkaJs, &props(&[("compression.type", "lz4")])).unwrap_err();
        assert!(err.contains("gzip"), "{err}");
        let err =
            translate(ClientKind::KafkaJs, &props(&[("queued.min.messages", "5")])).unwrap_err();
        assert!(err.contains("kafkajs"), "{err}");
    }

    #[test]
    fn sasl_and_tls_become_kafkajs_objects_the_driver_builds() {
        let jaas = r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cret";"#;
        let p = props(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            ("sasl.jaas.config", jaas),
            ("ssl.truststore.type", "PEM"),
            ("ssl.truststore.location", "/t/ca.pem"),
            ("ssl.endpoint.identification.algorithm", ""),
        ]);
        let out = translate(ClientKind::KafkaJs, &p).unwrap();
        assert_eq!(out.get("ssl"), Some(&Value::Bool(true)));
        assert_eq!(
            out.get("sasl.mechanism"),
            Some(&Value::from("SCRAM-SHA-512"))
        );
        assert_eq!(out.get("sasl.username"), Some(&Value::from("alice")));
        assert_eq!(out.get("sasl.password"), Some(&Value::from("s3cret")));
        assert_eq!(out.get("ssl.ca"), Some(&Value::from("/t/ca.pem")));
        assert_eq!(out.get("ssl.checkHostname"), Some(&Value::Bool(false)));
    }
}
