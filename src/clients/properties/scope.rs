//! The escape hatch: `librdkafka.NAME`, `java.NAME` and `kafka-python.NAME` carry a client's
//! own setting, which the table does not know, to that client only.

use crate::clients::ClientKind;

/// The client prefixes of the escape hatch.
const PREFIXES: &[(&str, ClientKind)] = &[
    ("librdkafka.", ClientKind::Librdkafka),
    ("java.", ClientKind::Java),
    ("kafka-python.", ClientKind::KafkaPython),
    ("fake.", ClientKind::Fake),
];

/// Splits `librdkafka.queued.min.messages` into its client and the native name.
pub fn scoped(name: &str) -> Option<(ClientKind, &str)> {
    PREFIXES
        .iter()
        .find_map(|(prefix, client)| name.strip_prefix(prefix).map(|rest| (*client, rest)))
}
