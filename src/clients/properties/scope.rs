//! The escape hatch: `librdkafka.NAME`, `java.NAME`, `kafka-python.NAME` and
//! `confluent-kafka-python.NAME` (and `kafkajs.NAME`) carry a client's own setting, which the table does not know,
//! to that client only (`librdkafka.` to both librdkafka-based clients: `reaches`).

use crate::clients::ClientKind;

/// The client prefixes of the escape hatch.
const PREFIXES: &[(&str, ClientKind)] = &[
    ("librdkafka.", ClientKind::Librdkafka),
    ("java.", ClientKind::Java),
    ("kafka-python.", ClientKind::KafkaPython),
    ("confluent-kafka-python.", ClientKind::ConfluentKafkaPython),
    ("kafkajs.", ClientKind::KafkaJs),
    ("fake.", ClientKind::Fake),
];

/// Splits `librdkafka.queued.min.messages` into its client and the native name.
pub fn scoped(name: &str) -> Option<(ClientKind, &str)> {
    PREFIXES
        .iter()
        .find_map(|(prefix, client)| name.strip_prefix(prefix).map(|rest| (*client, rest)))
}

/// Whether a setting scoped to `scope` reaches `client`: its own prefix, and `librdkafka.`
/// for confluent-kafka-python too, which runs on librdkafka and takes every one of its
/// settings (so one `-X librdkafka.NAME=V` sets both librdkafka-based clients alike).
pub fn reaches(scope: ClientKind, client: ClientKind) -> bool {
    scope == client
        || (scope == ClientKind::Librdkafka && client == ClientKind::ConfluentKafkaPython)
}
