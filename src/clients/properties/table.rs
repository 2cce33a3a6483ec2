//! The table: each property by its Kafka (Java client) name, with what values it takes and
//! how librdkafka and kafka-python spell it.

/// How a client spells a property.
#[derive(Debug, Clone, Copy)]
pub enum Spelling {
    /// The client takes it under this name.
    Name(&'static str),
    /// The client takes the user name and the password of Java's JAAS line
    /// (`sasl.jaas.config`) as two settings, under these names.
    JaasCredentials {
        username: &'static str,
        password: &'static str,
    },
    /// The client has no such setting; the text says why or what comes closest.
    Unsupported(&'static str),
    /// The client's settings follow from this one together with others (TLS stores, see
    /// `tls.rs`); the text says which.
    Rule(&'static str),
}
use Spelling::{JaasCredentials, Name, Rule, Unsupported};

/// What values a property takes.
#[derive(Debug, Clone, Copy)]
pub enum ValueType {
    /// A whole number within these bounds, both included.
    Int { min: i64, max: i64 },
    /// `true` or `false`.
    Bool,
    /// One of these words, in any case (Kafka compares them so).
    Enum(&'static [&'static str]),
    /// Anything: names, paths, JAAS lines.
    Text,
}

/// Which side of the pipeline takes a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Consumer,
    Producer,
    /// Both (connections, security, client id).
    Common,
}

/// Share groups (KIP-932): whether a property is a share group's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareScope {
    /// Not share-specific: a consumer setting (share consumers take it unless
    /// `share::SHARE_CONSUMER_REFUSES` names it), a producer's, or both.
    None,
    /// The share consumer's own client setting (`KafkaShareConsumer`, the Java client only).
    Member,
    /// The share group's configuration: set on the group with `incrementalAlterConfigs`
    /// before its members start, never passed to a client.
    Group,
}

/// One row of the table.
#[derive(Debug)]
pub struct Property {
    /// The name users type, Kafka's (the Java client's).
    pub kafka: &'static str,
    /// What values it takes, checked before anything runs.
    pub value: ValueType,
    /// How librdkafka spells it.
    pub librdkafka: Spelling,
    /// How kafka-python spells it (a keyword argument of `KafkaConsumer`).
    pub kafka_python: Spelling,
    /// The Java client has it under the Kafka name (false for librdkafka-only settings).
    pub java: bool,
    /// Consumer, producer, or both.
    pub role: Role,
    /// Share groups only: a share consumer's or a share group's setting.
    pub share: ShareScope,
}

const I32: i64 = i32::MAX as i64;
const fn int(min: i64, max: i64) -> ValueType {
    ValueType::Int { min, max }
}
const fn row(
    kafka: &'static str,
    value: ValueType,
    librdkafka: Spelling,
    kafka_python: Spelling,
) -> Property {
    Property {
        kafka,
        value,
        librdkafka,
        kafka_python,
        java: true,
        role: Role::Consumer,
        share: ShareScope::None,
    }
}
const fn rdkafka_only(name: &'static str, value: ValueType) -> Property {
    Property {
        kafka: name,
        value,
        librdkafka: Name(name),
        kafka_python: Unsupported("a librdkafka-only setting"),
        java: false,
        role: Role::Consumer,
        share: ShareScope::None,
    }
}
/// A row that consumers and producers both take.
const fn common(p: Property) -> Property {
    Property {
        role: Role::Common,
        ..p
    }
}
/// A share consumer's (`Member`) or share group's (`Group`) row: the Java client only
/// (librdkafka 2.12.1, vendored by the rdkafka crate, has no share consumer; kafka-python none).
const fn share(kafka: &'static str, value: ValueType, scope: ShareScope) -> Property {
    Property {
        kafka,
        value,
        librdkafka: Unsupported("librdkafka 2.12.1 has no share consumer"),
        kafka_python: Unsupported("kafka-python has no share consumer"),
        java: true,
        role: Role::Consumer,
        share: scope,
    }
}
/// A producer's row.
const fn producer(p: Property) -> Property {
    Property {
        role: Role::Producer,
        ..p
    }
}

/// The table. librdkafka names from its CONFIGURATION.md (2.12), kafka-python names from
/// `KafkaConsumer.DEFAULT_CONFIG` (3.0).
pub static PROPERTIES: &[Property] = &[
    // max.poll.records: librdkafka has no such setting for classic consumers; the librdkafka
    // driver applies it as the batch size of one logical poll (see docs/driver-protocol.md),
    // so it is handled as a spec field, not passed as a property.
    row(
        "max.poll.records",
        int(1, I32),
        Name("max.poll.records"),
        Name("max_poll_records"),
    ),
    // fetch.min.bytes / fetch.max.wait.ms act on the broker: ReplicaManager.fetchMessages
    // answers at once when minBytes are readable, else a DelayedFetch waits up to maxWait.
    row(
        "fetch.min.bytes",
        int(1, 100_000_000),
        Name("fetch.min.bytes"),
        Name("fetch_min_bytes"),
    ),
    row(
        "fetch.max.wait.ms",
        int(0, 300_000),
        Name("fetch.wait.max.ms"),
        Name("fetch_max_wait_ms"),
    ),
    row(
        "fetch.max.bytes",
        int(0, I32),
        Name("fetch.max.bytes"),
        Name("fetch_max_bytes"),
    ),
    row(
        "max.partition.fetch.bytes",
        int(1, I32),
        Name("max.partition.fetch.bytes"),
        Name("max_partition_fetch_bytes"),
    ),
    row(
        "check.crcs",
        ValueType::Bool,
        Name("check.crcs"),
        Name("check_crcs"),
    ),
    row(
        "isolation.level",
        ValueType::Enum(&["read_uncommitted", "read_committed"]),
        Name("isolation.level"),
        Name("isolation_level"),
    ),
    common(row(
        "receive.buffer.bytes",
        int(-1, I32),
        Name("socket.receive.buffer.bytes"),
        Name("receive_buffer_bytes"),
    )),
    common(row(
        "send.buffer.bytes",
        int(-1, I32),
        Name("socket.send.buffer.bytes"),
        Name("send_buffer_bytes"),
    )),
    common(row(
        "client.id",
        ValueType::Text,
        Name("client.id"),
        Name("client_id"),
    )),
    row(
        "client.rack",
        ValueType::Text,
        Name("client.rack"),
        Unsupported("kafka-python does not fetch from the closest replica"),
    ),
    common(row(
        "request.timeout.ms",
        int(0, I32),
        Name("socket.timeout.ms"),
        Name("request_timeout_ms"),
    )),
    common(row(
        "connections.max.idle.ms",
        int(0, I32),
        Name("connections.max.idle.ms"),
        Name("connections_max_idle_ms"),
    )),
    common(row(
        "metadata.max.age.ms",
        int(0, I32),
        Name("metadata.max.age.ms"),
        Name("metadata_max_age_ms"),
    )),
    common(row(
        "reconnect.backoff.ms",
        int(0, I32),
        Name("reconnect.backoff.ms"),
        Name("reconnect_backoff_ms"),
    )),
    common(row(
        "reconnect.backoff.max.ms",
        int(0, I32),
        Name("reconnect.backoff.max.ms"),
        Name("reconnect_backoff_max_ms"),
    )),
    common(row(
        "retry.backoff.ms",
        int(0, I32),
        Name("retry.backoff.ms"),
        Name("retry_backoff_ms"),
    )),
    row(
        "session.timeout.ms",
        int(1, I32),
        Name("session.timeout.ms"),
        Name("session_timeout_ms"),
    ),
    row(
        "heartbeat.interval.ms",
        int(1, I32),
        Name("heartbeat.interval.ms"),
        Name("heartbeat_interval_ms"),
    ),
    row(
        "max.poll.interval.ms",
        int(1, I32),
        Name("max.poll.interval.ms"),
        Name("max_poll_interval_ms"),
    ),
    row(
        "group.protocol",
        ValueType::Enum(&["classic", "consumer"]),
        Name("group.protocol"),
        Unsupported("kafka-python speaks only the classic group protocol"),
    ),
    row(
        "group.instance.id",
        ValueType::Text,
        Name("group.instance.id"),
        Unsupported("kafka-python has no static membership"),
    ),
    common(row(
        "security.protocol",
        ValueType::Enum(&["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]),
        Name("security.protocol"),
        Name("security_protocol"),
    )),
    common(row(
        "sasl.mechanism",
        ValueType::Enum(&[
            "PLAIN",
            "SCRAM-SHA-256",
            "SCRAM-SHA-512",
            "GSSAPI",
            "OAUTHBEARER",
        ]),
        Name("sasl.mechanisms"),
        Name("sasl_mechanism"),
    )),
    common(row(
        "sasl.jaas.config",
        ValueType::Text,
        JaasCredentials {
            username: "sasl.username",
            password: "sasl.password",
        },
        JaasCredentials {
            username: "sasl_plain_username",
            password: "sasl_plain_password",
        },
    )),
    common(row(
        "ssl.endpoint.identification.algorithm",
        ValueType::Enum(&["https", ""]),
        Name("ssl.endpoint.identification.algorithm"),
        Rule("ssl_check_hostname"),
    )),
    // TLS stores. librdkafka and kafka-python read PEM files (librdkafka also a PKCS#12 key
    // store), so PEM stores, which the Java client reads too, serve all three.
    common(row(
        "ssl.truststore.type",
        ValueType::Enum(&["JKS", "PKCS12", "PEM"]),
        Rule("PEM only"),
        Rule("PEM only"),
    )),
    common(row(
        "ssl.truststore.location",
        ValueType::Text,
        Rule("ssl.ca.location"),
        Rule("ssl_cafile"),
    )),
    common(row(
        "ssl.truststore.password",
        ValueType::Text,
        Rule("none (PEM)"),
        Rule("none (PEM)"),
    )),
    common(row(
        "ssl.truststore.certificates",
        ValueType::Text,
        Name("ssl.ca.pem"),
        Unsupported("kafka-python reads CA certificates from a file: use ssl.truststore.location"),
    )),
    common(row(
        "ssl.keystore.type",
        ValueType::Enum(&["JKS", "PKCS12", "PEM"]),
        Rule("PEM or PKCS12"),
        Rule("PEM only"),
    )),
    common(row(
        "ssl.keystore.location",
        ValueType::Text,
        Rule("ssl.{certificate,key}.location"),
        Rule("ssl_certfile, ssl_keyfile"),
    )),
    common(row(
        "ssl.keystore.password",
        ValueType::Text,
        Rule("ssl.keystore.password"),
        Rule("none (PEM)"),
    )),
    common(row(
        "ssl.key.password",
        ValueType::Text,
        Rule("ssl.key.password"),
        Rule("ssl_password"),
    )),
    // librdkafka's own prefetch settings: they shape its fetch queue, the nearest thing it
    // has to the Java client's fetch buffer.
    rdkafka_only("queued.min.messages", int(1, 10_000_000)),
    rdkafka_only("queued.max.messages.kbytes", int(1, 2_097_151)),
    rdkafka_only("fetch.queue.backoff.ms", int(0, 300_000)),
    rdkafka_only("fetch.error.backoff.ms", int(0, 300_000)),
    common(rdkafka_only("statistics.interval.ms", int(0, 86_400_000))),
    // The producer. Batching: a partition's records wait up to linger.ms for batch.size bytes
    // (RecordAccumulator.ready); one request in flight per partition per connection unless
    // max.in.flight.requests.per.connection allows more; acks=all waits for the in-sync
    // set (min.insync.replicas only refuses writes when too few are in sync) before answering.
    producer(acks_row()),
    producer(row("linger.ms", int(0, 900_000), Name("linger.ms"), Name("linger_ms"))),
    producer(row("batch.size", int(0, I32), Name("batch.size"), Name("batch_size"))),
    producer(row(
        "compression.type",
        ValueType::Enum(&["none", "gzip", "snappy", "lz4", "zstd"]),
        Name("compression.type"),
        Name("compression_type"),
    )),
    producer(row(
        "max.in.flight.requests.per.connection",
        int(1, 1_000_000),
        Name("max.in.flight.requests.per.connection"),
        Name("max_in_flight_requests_per_connection"),
    )),
    producer(row(
        "enable.idempotence",
        ValueType::Bool,
        Name("enable.idempotence"),
        Name("enable_idempotence"),
    )),
    producer(row(
        "delivery.timeout.ms",
        int(1, I32),
        Name("delivery.timeout.ms"),
        Name("delivery_timeout_ms"),
    )),
    producer(row("retries", int(0, I32), Name("retries"), Name("retries"))),
    producer(row(
        "max.request.size",
        int(1, 1_000_000_000),
        Name("message.max.bytes"),
        Name("max_request_size"),
    )),
    producer(row(
        "buffer.memory",
        int(0, i64::MAX),
        Unsupported("librdkafka bounds its queue with queue.buffering.max.kbytes and queue.buffering.max.messages"),
        Unsupported("kafka-python 3.0 has no buffer_memory"),
    )),
    producer(row(
        "max.block.ms",
        int(0, i64::MAX),
        Unsupported("librdkafka never blocks a send: a full queue answers at once"),
        Name("max_block_ms"),
    )),
    producer(rdkafka_only("batch.num.messages", int(1, 1_000_000))),
    producer(rdkafka_only("queue.buffering.max.messages", int(0, 2_147_483_647))),
    producer(rdkafka_only("queue.buffering.max.kbytes", int(1, I32))),
    producer(rdkafka_only("sticky.partitioning.linger.ms", int(0, 900_000))),
    // Share groups (KIP-932). The share consumer's own settings (ConsumerConfig in
    // kafka-clients 4.4.0): implicit acknowledgement accepts a poll's records with the next
    // poll, explicit acknowledges each record; batch_optimized acquires whole batches,
    // record_limit at most max.poll.records records per fetch.
    share(
        "share.acknowledgement.mode",
        ValueType::Enum(&["implicit", "explicit"]),
        ShareScope::Member,
    ),
    share(
        "share.acquire.mode",
        ValueType::Enum(&["batch_optimized", "record_limit"]),
        ShareScope::Member,
    ),
    // The group's own (GroupConfig in Kafka 4.4.0): the broker bounds each one by its
    // group.share.min.* / group.share.max.* settings and refuses what lies outside, so the
    // table leaves the bounds to the broker and its message reaches the user.
    share("share.record.lock.duration.ms", int(1, I32), ShareScope::Group),
    share("share.heartbeat.interval.ms", int(1, I32), ShareScope::Group),
    share("share.session.timeout.ms", int(1, I32), ShareScope::Group),
    share("share.delivery.count.limit", int(1, I32), ShareScope::Group),
    share("share.partition.max.record.locks", int(1, I32), ShareScope::Group),
    share(
        "share.isolation.level",
        ValueType::Enum(&["read_uncommitted", "read_committed"]),
        ShareScope::Group,
    ),
];

/// Looks a Kafka property name up in the table.
pub fn lookup(name: &str) -> Option<&'static Property> {
    PROPERTIES.iter().find(|p| p.kafka == name)
}

/// `acks`: 0, 1, or all (-1): how many replicas must have the batch before the broker answers.
const fn acks_row() -> Property {
    row(
        "acks",
        ValueType::Enum(&["all", "-1", "0", "1"]),
        Name("acks"),
        Name("acks"),
    )
}
