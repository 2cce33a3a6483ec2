//! The franz-go client (`drivers/franz-go`, a Go module): its descriptor, its driver built
//! once with the Go toolchain into the cache (a folder named by the driver's fingerprint),
//! and how it spells each property: its kgo option names (`FetchMaxWait`), values as Kafka
//! writes them (the driver turns milliseconds into durations). A property franz-go lacks is
//! refused for franz-go, naming its nearest option where it has one.
//!
//! franz-go's defaults differ from Java's: `FetchMaxWait` 5 s (Java 500 ms), `ProducerLinger`
//! 10 ms (Java 5 ms), `ProducerBatchCompression` snappy, `MaxBufferedRecords` 50,000,
//! `FetchMaxBytes` 50 MiB, `FetchMaxPartitionBytes` 1 MiB, `ProducerBatchMaxBytes` 1,000,012.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use super::descriptor::{Descriptor, Pace, Tool};
use super::properties::{no_rules, ClientProperties, Property, Spelling, Tls, Values};
use super::{sources, ClientKind, DriverCommand};
use crate::error::UserError;
use crate::{cache, process};

pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: ClientKind::FranzGo,
    name: "franz-go",
    about: "franz-go (Go): built once with the Go toolchain; takes franz-go's own option names",
    hidden: false,
    needs: &[Tool {
        command: "go",
        debian: None,
        install: INSTALL_GO,
    }],
    prepare,
    version,
    properties: ClientProperties {
        spelling,
        values: Values::Text,
        // No TLS yet: its spelling refuses every ssl.* setting and SSL protocols.
        tls: Tls::AsGiven,
        takes_names_of: None,
        rules: no_rules,
        own_translation: None,
    },
    no_share_consumer: Some(
        "franz-go v1.22.3's share consumer (kgo.ShareGroup) has no kafkatune driver yet",
    ),
    // Not benchmarked yet: reckoned as the Java client, without the JVM's start.
    pace: Pace {
        consume_msgs_per_s: 100_000.0,
        produce_msgs_per_s: 50_000.0,
        start_s: 0.3,
    },
    first_use: Some("the franz-go driver is built"),
};

/// The Go release franz-go v1.22.3 needs (its go.mod says `go 1.26.0`).
const GO_MINOR: u32 = 26;

const INSTALL_GO: &str = "install Go 1.26 or newer from https://go.dev/dl/ (Debian's golang-go package is older than franz-go v1.22 needs; after installing, put its bin folder on PATH): it builds the franz-go driver once";

/// The driver binary's name, in its cache folder.
const BINARY: &str = "kafkatune-franz-go";

/// Builds the driver on first use and returns how to start it. Go missing or too old: a
/// usage error (exit 2), before any broker starts.
pub fn prepare() -> Result<DriverCommand> {
    let root = cache::dir().join(format!(
        "franz-go-driver-{}",
        sources::fingerprint("franz-go")
    ));
    let binary = root.join(BINARY);
    if !root.join(".complete").exists() {
        let go = require_go()?;
        eprintln!(
            "kafkatune: building the franz-go driver into {} (first use only)",
            root.display()
        );
        let src = sources::write_out("franz-go", &root.join("src"))?;
        process::run_setup(
            Command::new(go)
                .current_dir(&src)
                // The machine's Go builds it: never a toolchain download.
                .env("GOTOOLCHAIN", "local")
                .args(["build", "-trimpath", "-o"])
                .arg(&binary)
                .arg("."),
            "building the franz-go driver with Go",
        )?;
        std::fs::write(root.join(".complete"), "")?;
    }
    Ok(DriverCommand {
        program: binary,
        args: Vec::new(),
    })
}

/// `go` on PATH, at least Go 1.26.
fn require_go() -> Result<PathBuf> {
    let go = process::find("go").ok_or_else(|| {
        UserError::usage("`go` (the Go toolchain) was not found on PATH").with_hint(INSTALL_GO)
    })?;
    let output = Command::new(&go)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    match go_minor(&text) {
        Some(minor) if minor >= GO_MINOR => Ok(go),
        _ => Err(UserError::usage(format!(
            "{} is `{}`: franz-go v1.22.3 needs Go 1.{GO_MINOR} or newer",
            go.display(),
            text.trim()
        ))
        .with_hint(INSTALL_GO)
        .into()),
    }
}

/// The minor release of `go version`'s output (`go version go1.26.8 linux/amd64`: 26).
fn go_minor(text: &str) -> Option<u32> {
    let version = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("go1."))?;
    version
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// franz-go's version as the driver's go.mod pins it (`v1.22.3` gives `1.22.3`).
pub fn version() -> Option<String> {
    let gomod = sources::file("franz-go/go.mod")?;
    String::from_utf8_lossy(gomod).lines().find_map(|l| {
        l.trim()
            .strip_prefix("github.com/twmb/franz-go v")
            .map(|v| v.trim().to_string())
    })
}

/// franz-go's spelling of `prop` set to `value`.
fn spelling(prop: &Property, value: &str) -> Spelling {
    use Spelling::{JaasCredentials, Name, Unsupported};
    match prop.kafka {
        "fetch.min.bytes" => Name("FetchMinBytes"),
        "fetch.max.wait.ms" => Name("FetchMaxWait"),
        "fetch.max.bytes" => Name("FetchMaxBytes"),
        "max.partition.fetch.bytes" => Name("FetchMaxPartitionBytes"),
        // true/false as Kafka says it; the driver sets DisableFetchCRCValidation for false.
        "check.crcs" => Name("FetchCRCValidation"),
        "isolation.level" => Name("FetchIsolationLevel"),
        "client.id" => Name("ClientID"),
        "client.rack" => Name("Rack"),
        "connections.max.idle.ms" => Name("ConnIdleTimeout"),
        "metadata.max.age.ms" => Name("MetadataMaxAge"),
        "session.timeout.ms" => Name("SessionTimeout"),
        "heartbeat.interval.ms" => Name("HeartbeatInterval"),
        "group.instance.id" => Name("InstanceID"),
        // KIP-848: franz-go's ServerSideBalancer (with its default cooperative-sticky
        // balancer, which it needs for it).
        "group.protocol" => Name("ServerSideBalancer"),
        "linger.ms" => Name("ProducerLinger"),
        "batch.size" => Name("ProducerBatchMaxBytes"),
        "acks" => Name("RequiredAcks"),
        "compression.type" => Name("ProducerBatchCompression"),
        // The driver sets DisableIdempotentWrite for false.
        "enable.idempotence" => Name("IdempotentWrite"),
        "max.in.flight.requests.per.connection" => Name("MaxProduceRequestsInflightPerBroker"),
        "delivery.timeout.ms" => Name("RecordDeliveryTimeout"),
        "retries" => Name("RecordRetries"),
        "buffer.memory" => Name("MaxBufferedBytes"),
        "security.protocol" if value.to_ascii_uppercase().ends_with("SSL") => Unsupported(
            "kafkatune's franz-go driver has no TLS yet; use PLAINTEXT or SASL_PLAINTEXT with franz-go",
        ),
        "security.protocol" => Name("SecurityProtocol"),
        "sasl.mechanism" => Name("SASLMechanism"),
        "sasl.jaas.config" => JaasCredentials {
            username: "SASLUser",
            password: "SASLPassword",
        },
        name if name.starts_with("ssl.") => {
            Unsupported("kafkatune's franz-go driver has no TLS yet")
        }
        name if name.starts_with("share.") => Unsupported("franz-go has no share consumer in kafkatune"),
        "request.timeout.ms" => Unsupported(
            "franz-go derives request timeouts; its nearest options are RequestTimeoutOverhead and ProduceRequestTimeout (franz-go.RequestTimeoutOverhead=MS)",
        ),
        "max.poll.interval.ms" => Unsupported(
            "franz-go never leaves a group for a slow poll; its nearest option is RebalanceTimeout (franz-go.RebalanceTimeout=MS)",
        ),
        "max.request.size" => Unsupported(
            "its nearest option is ProducerBatchMaxBytes (batch.size), or BrokerMaxWriteBytes",
        ),
        "max.block.ms" => Unsupported(
            "franz-go's Produce waits on a full buffer until its context ends; its nearest options are MaxBufferedRecords and MaxBufferedBytes (buffer.memory)",
        ),
        "receive.buffer.bytes" | "send.buffer.bytes" => {
            Unsupported("franz-go leaves socket buffers to the system (its Dialer option)")
        }
        "reconnect.backoff.ms" | "reconnect.backoff.max.ms" | "retry.backoff.ms" => {
            Unsupported("franz-go backs off with a function (RetryBackoffFn), not a setting")
        }
        _ => Unsupported("a setting franz-go does not have"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_versions_are_read_from_go_version() {
        assert_eq!(go_minor("go version go1.26.8 linux/amd64"), Some(26));
        assert_eq!(go_minor("go version go1.19.8 linux/amd64"), Some(19));
        assert_eq!(go_minor("go version go1.30rc1 linux/amd64"), Some(30));
        assert_eq!(go_minor("nonsense"), None);
    }

    #[test]
    fn the_pinned_franz_go_version_comes_from_go_mod() {
        assert_eq!(version().as_deref(), Some("1.22.3"));
    }
}

#[cfg(test)]
mod spelling_tests {
    use crate::clients::properties::{props, translate};
    use crate::clients::ClientKind;
    use serde_json::Value;

    #[test]
    fn franz_go_takes_kgo_option_names() {
        let p = props(&[
            ("fetch.max.wait.ms", "500"),
            ("fetch.min.bytes", "1024"),
            ("max.poll.records", "100"),
            ("franz-go.MaxConcurrentFetches", "2"),
        ]);
        let out = translate(ClientKind::FranzGo, &p).unwrap();
        assert_eq!(out.get("FetchMaxWait"), Some(&Value::from("500")));
        assert_eq!(out.get("FetchMinBytes"), Some(&Value::from("1024")));
        assert_eq!(out.get("MaxConcurrentFetches"), Some(&Value::from("2")));
        assert_eq!(
            out.len(),
            3,
            "max.poll.records travels in the spec: {out:?}"
        );
        let java = translate(ClientKind::Java, &p).unwrap();
        assert!(
            !java.contains_key("MaxConcurrentFetches"),
            "franz-go's prefix stays its own"
        );
    }

    #[test]
    fn a_setting_franz_go_lacks_is_refused_naming_its_nearest() {
        let err = translate(
            ClientKind::FranzGo,
            &props(&[("max.poll.interval.ms", "1000")]),
        )
        .unwrap_err();
        assert!(
            err.contains("franz-go client cannot honour `max.poll.interval.ms`"),
            "{err}"
        );
        assert!(err.contains("RebalanceTimeout"), "{err}");
        let err = translate(
            ClientKind::FranzGo,
            &props(&[("queued.min.messages", "10")]),
        )
        .unwrap_err();
        assert!(err.contains("franz-go"), "{err}");
    }

    #[test]
    fn sasl_maps_and_tls_is_refused() {
        let jaas = r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cret";"#;
        let p = props(&[
            ("security.protocol", "SASL_PLAINTEXT"),
            ("sasl.mechanism", "SCRAM-SHA-256"),
            ("sasl.jaas.config", jaas),
        ]);
        let out = translate(ClientKind::FranzGo, &p).unwrap();
        assert_eq!(out.get("SASLUser"), Some(&Value::from("alice")));
        assert_eq!(out.get("SASLPassword"), Some(&Value::from("s3cret")));
        assert_eq!(
            out.get("SASLMechanism"),
            Some(&Value::from("SCRAM-SHA-256"))
        );
        let err = translate(
            ClientKind::FranzGo,
            &props(&[("security.protocol", "SASL_SSL")]),
        )
        .unwrap_err();
        assert!(err.contains("no TLS yet"), "{err}");
    }
}
