//! The escape hatch: `CLIENT.NAME` (`librdkafka.queued.min.messages`, `java.NAME`, ...) carries
//! a client's own setting, which the table does not know, to that client only, and to the
//! clients that take its names (`librdkafka.` reaches confluent-kafka-python too: `reaches`).

use crate::clients::ClientKind;

/// Splits `librdkafka.queued.min.messages` into its client and the native name.
pub fn scoped(name: &str) -> Option<(ClientKind, &str)> {
    ClientKind::ALL
        .into_iter()
        .chain([ClientKind::Fake])
        .find_map(|client| {
            name.strip_prefix(client.prefix().as_str())
                .map(|rest| (client, rest))
        })
}

/// Whether a setting given to `scope` (`scope.NAME`) reaches `client`: its own, and those of
/// the client whose names it takes.
pub fn reaches(scope: ClientKind, client: ClientKind) -> bool {
    scope == client || client.descriptor().properties.takes_names_of == Some(scope)
}

/// `librdkafka.NAME, java.NAME, ... or NAME.NAME`: the escape hatch's forms, for messages.
pub fn prefixes_text() -> String {
    let names: Vec<String> = super::client::visible()
        .map(|(c, _)| format!("{}NAME", c.prefix()))
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_clients_prefix_scopes_to_it_alone() {
        assert_eq!(
            scoped("kafka-python.ssl_cafile"),
            Some((ClientKind::KafkaPython, "ssl_cafile"))
        );
        assert_eq!(
            scoped("confluent-kafka-python.debug"),
            Some((ClientKind::ConfluentKafkaPython, "debug"))
        );
        assert_eq!(scoped("fetch.min.bytes"), None);
        assert!(reaches(
            ClientKind::Librdkafka,
            ClientKind::ConfluentKafkaPython
        ));
        assert!(!reaches(
            ClientKind::ConfluentKafkaPython,
            ClientKind::Librdkafka
        ));
        assert!(!reaches(ClientKind::Java, ClientKind::KafkaPython));
    }
}
