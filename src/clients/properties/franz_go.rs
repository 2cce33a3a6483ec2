//! How franz-go spells each property of the table: its kgo option names (`FetchMaxWait`),
//! values as Kafka writes them (the driver turns milliseconds into durations). A property
//! franz-go lacks is refused for franz-go, naming its nearest option where it has one.
//!
//! franz-go's defaults differ from Java's: `FetchMaxWait` 5 s (Java 500 ms), `ProducerLinger`
//! 10 ms (Java 5 ms), `ProducerBatchCompression` snappy, `MaxBufferedRecords` 50,000,
//! `FetchMaxBytes` 50 MiB, `FetchMaxPartitionBytes` 1 MiB, `ProducerBatchMaxBytes` 1,000,012.

use super::table::{Property, Spelling};
use Spelling::{JaasCredentials, Name, Unsupported};

/// franz-go's spelling of `prop` set to `value`.
pub fn spelling(prop: &Property, value: &str) -> Spelling {
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
    use super::super::{props, translate};
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
