//! The one table that maps Kafka's (Java client) property names to each client's own.
//!
//! Users type Kafka's names (`fetch.max.wait.ms`), as in Kafka's own tools. Each client gets
//! them in its own spelling: librdkafka says `fetch.wait.max.ms`, kafka-python takes keyword
//! arguments (`fetch_max_wait_ms=500`, typed). A property a client cannot honour is an error
//! before anything runs, never silently dropped.
//!
//! Escape hatch: `librdkafka.NAME`, `java.NAME` and `kafka-python.NAME` pass `NAME` unchanged
//! to that client only (and to no other), for settings the table does not know.
//!
//! One job per file: `table` (the rows), `validate` (what users type), `translate` (what
//! each client gets), with `tls` (key and trust stores) and `jaas` (SASL credentials) for
//! the settings no single name carries, `scope` (the escape hatch), `secrets` (what
//! output never shows), `share` (share groups, KIP-932: `group.type` and the group's own
//! settings) and `own` (kafkatune's own settings given as properties: `consumers`,
//! `processing`, `network.*`, ...).

mod client;
mod jaas;
pub mod own;
mod scope;
mod secrets;
pub mod share;
mod table;
mod tls;
mod translate;
mod validate;

pub use client::{no_rules, ClientProperties, OwnTranslation, PemNames, Tls, Values};
pub use jaas::parse_jaas;
pub use own::{
    validate_consumers, validate_producers, CONSUMERS, MAX_CONSUMERS, MAX_PRODUCERS, PRODUCERS,
};
pub use scope::{prefixes_text, scoped};
pub use secrets::{is_secret, mask};
pub use table::{lookup, Property, Role, ShareScope, Spelling, ValueType, PROPERTIES};
pub use translate::translate;
pub use validate::{validate, MANAGED};

/// Properties as users give them (name, value), for the tests.
#[cfg(test)]
pub(crate) fn props(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
