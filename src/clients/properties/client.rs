//! How one client takes Kafka's properties: the part of its descriptor
//! (`clients::Descriptor::properties`) that translating and validating read.

use std::collections::BTreeMap;

use serde_json::Value;

use super::table::{Property, Spelling};
use crate::clients::ClientKind;

/// How a client takes properties.
pub struct ClientProperties {
    /// How it spells each property of the table, given the value (`Spelling::Unsupported`
    /// with the reason, and its nearest setting, when it has none or not that value).
    pub spelling: fn(&'static Property, &str) -> Spelling,
    /// How values reach it.
    pub values: Values,
    /// How Kafka's TLS store settings reach it.
    pub tls: Tls,
    /// Another client whose property names, escape-hatch settings (`librdkafka.NAME`) and TLS
    /// settings it takes unchanged (confluent-kafka-python: librdkafka's).
    pub takes_names_of: Option<ClientKind>,
    /// Combinations the client itself refuses at start-up, checked on its translated settings
    /// (native names) before anything runs: the error says what to change.
    pub rules: fn(&BTreeMap<String, Value>) -> Result<(), String>,
    /// A client whose settings are not one name per property (KafkaJS: `acks=all` is
    /// `acks: -1`, `security.protocol=SSL` is `ssl: true`) translates each property itself,
    /// into its settings, or an error naming its nearest setting; `spelling` then serves
    /// `kafkatune properties` only.
    pub own_translation: Option<OwnTranslation>,
}

/// One property (validated, by its row) and its value, as such a client takes it.
pub type OwnTranslation = fn(&'static Property, &str) -> Result<Vec<(String, Value)>, String>;

/// For a client that refuses no combination.
pub fn no_rules(_: &BTreeMap<String, Value>) -> Result<(), String> {
    Ok(())
}

/// How a client takes property values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// The strings users typed (librdkafka, Java and the drivers that parse them).
    Text,
    /// Typed JSON (numbers, booleans, null for no codec): kafka-python's keyword arguments,
    /// KafkaJS's option objects.
    Typed,
}

/// How Kafka's TLS store settings (`ssl.truststore.*`, `ssl.keystore.*`) reach a client.
#[derive(Debug, Clone, Copy)]
pub enum Tls {
    /// Under Kafka's names, as given: the client reads JKS, PKCS#12 and PEM stores itself.
    AsGiven,
    /// PEM files only, under the client's own names.
    Pem(&'static PemNames),
}

/// Where a client takes the pieces of a PEM store, and what else it reads.
#[derive(Debug)]
pub struct PemNames {
    pub ca: &'static str,
    pub certificate: &'static str,
    pub key: &'static str,
    pub key_password: &'static str,
    /// What key stores it reads, for the error on any other.
    pub key_stores: &'static str,
    /// It also opens a PKCS#12 key store itself, under Kafka's names (librdkafka).
    pub pkcs12_key_store: bool,
    /// It has no endpoint identification algorithm, only this on/off host name check.
    pub host_check: Option<&'static str>,
}

/// The clients users can name, in `--client all`'s order, with how each takes properties.
pub(super) fn visible() -> impl Iterator<Item = (ClientKind, &'static ClientProperties)> {
    ClientKind::ALL
        .into_iter()
        .map(|c| (c, &c.descriptor().properties))
}
