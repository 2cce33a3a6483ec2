//! The one table that maps Kafka's (Java client) property names to each client's own.
//!
//! Users type Kafka's names (`fetch.max.wait.ms`), as in Kafka's own tools. Each client gets
//! them in its own spelling: librdkafka says `fetch.wait.max.ms`, kafka-python takes keyword
//! arguments (`fetch_max_wait_ms=500`, typed). A property a client cannot honour is an error
//! before anything runs, never silently dropped.
//!
//! Escape hatch: `librdkafka.NAME`, `java.NAME` and `kafka-python.NAME` pass `NAME` unchanged
//! to that client only (and to no other), for settings the table does not know.

use std::collections::BTreeMap;

use serde_json::Value;

use super::ClientKind;

/// How a client spells a property.
#[derive(Debug, Clone, Copy)]
pub enum Spelling {
    /// The client takes it under this name.
    Name(&'static str),
    /// The client has no such setting; the text says why or what comes closest.
    Unsupported(&'static str),
    /// The client's settings follow from this one together with others (TLS stores, see
    /// `stores`); the text says which.
    Rule(&'static str),
}
use Spelling::{Name, Rule, Unsupported};

/// What values a property takes.
#[derive(Debug, Clone, Copy)]
pub enum ValueType {
    Int { min: i64, max: i64 },
    Bool,
    Enum(&'static [&'static str]),
    Text,
}

/// One row of the table.
#[derive(Debug)]
pub struct Property {
    pub kafka: &'static str,
    pub value: ValueType,
    pub librdkafka: Spelling,
    pub kafka_python: Spelling,
    /// The Java client has it under the Kafka name (false for librdkafka-only settings).
    pub java: bool,
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
    }
}
const fn rdkafka_only(name: &'static str, value: ValueType) -> Property {
    Property {
        kafka: name,
        value,
        librdkafka: Name(name),
        kafka_python: Unsupported("a librdkafka-only setting"),
        java: false,
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
    row(
        "receive.buffer.bytes",
        int(-1, I32),
        Name("socket.receive.buffer.bytes"),
        Name("receive_buffer_bytes"),
    ),
    row(
        "send.buffer.bytes",
        int(-1, I32),
        Name("socket.send.buffer.bytes"),
        Name("send_buffer_bytes"),
    ),
    row(
        "client.id",
        ValueType::Text,
        Name("client.id"),
        Name("client_id"),
    ),
    row(
        "client.rack",
        ValueType::Text,
        Name("client.rack"),
        Unsupported("kafka-python does not fetch from the closest replica"),
    ),
    row(
        "request.timeout.ms",
        int(0, I32),
        Name("socket.timeout.ms"),
        Name("request_timeout_ms"),
    ),
    row(
        "connections.max.idle.ms",
        int(0, I32),
        Name("connections.max.idle.ms"),
        Name("connections_max_idle_ms"),
    ),
    row(
        "metadata.max.age.ms",
        int(0, I32),
        Name("metadata.max.age.ms"),
        Name("metadata_max_age_ms"),
    ),
    row(
        "reconnect.backoff.ms",
        int(0, I32),
        Name("reconnect.backoff.ms"),
        Name("reconnect_backoff_ms"),
    ),
    row(
        "reconnect.backoff.max.ms",
        int(0, I32),
        Name("reconnect.backoff.max.ms"),
        Name("reconnect_backoff_max_ms"),
    ),
    row(
        "retry.backoff.ms",
        int(0, I32),
        Name("retry.backoff.ms"),
        Name("retry_backoff_ms"),
    ),
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
    row(
        "security.protocol",
        ValueType::Enum(&["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]),
        Name("security.protocol"),
        Name("security_protocol"),
    ),
    row(
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
    ),
    // Java's JAAS line carries the user name and password; librdkafka and kafka-python take
    // them as two settings, split out in `translate`.
    row(
        "sasl.jaas.config",
        ValueType::Text,
        Name("sasl.username+sasl.password"),
        Name("sasl_plain_username+sasl_plain_password"),
    ),
    row(
        "ssl.endpoint.identification.algorithm",
        ValueType::Enum(&["https", ""]),
        Name("ssl.endpoint.identification.algorithm"),
        Rule("ssl_check_hostname"),
    ),
    // TLS stores. librdkafka and kafka-python read PEM files (librdkafka also a PKCS#12 key
    // store), so PEM stores, which the Java client reads too, serve all three.
    row(
        "ssl.truststore.type",
        ValueType::Enum(&["JKS", "PKCS12", "PEM"]),
        Rule("PEM only"),
        Rule("PEM only"),
    ),
    row(
        "ssl.truststore.location",
        ValueType::Text,
        Rule("ssl.ca.location"),
        Rule("ssl_cafile"),
    ),
    row(
        "ssl.truststore.password",
        ValueType::Text,
        Rule("none (PEM)"),
        Rule("none (PEM)"),
    ),
    row(
        "ssl.truststore.certificates",
        ValueType::Text,
        Name("ssl.ca.pem"),
        Unsupported("kafka-python reads CA certificates from a file: use ssl.truststore.location"),
    ),
    row(
        "ssl.keystore.type",
        ValueType::Enum(&["JKS", "PKCS12", "PEM"]),
        Rule("PEM or PKCS12"),
        Rule("PEM only"),
    ),
    row(
        "ssl.keystore.location",
        ValueType::Text,
        Rule("ssl.{certificate,key}.location"),
        Rule("ssl_certfile, ssl_keyfile"),
    ),
    row(
        "ssl.keystore.password",
        ValueType::Text,
        Rule("ssl.keystore.password"),
        Rule("none (PEM)"),
    ),
    row(
        "ssl.key.password",
        ValueType::Text,
        Rule("ssl.key.password"),
        Rule("ssl_password"),
    ),
    // librdkafka's own prefetch settings: they shape its fetch queue, the nearest thing it
    // has to the Java client's fetch buffer.
    rdkafka_only("queued.min.messages", int(1, 10_000_000)),
    rdkafka_only("queued.max.messages.kbytes", int(1, 2_097_151)),
    rdkafka_only("fetch.queue.backoff.ms", int(0, 300_000)),
    rdkafka_only("fetch.error.backoff.ms", int(0, 300_000)),
    rdkafka_only("statistics.interval.ms", int(0, 86_400_000)),
];

/// Properties kafkatune sets itself for every run: the measurement depends on them.
pub const MANAGED: &[(&str, &str)] = &[
    ("bootstrap.servers", "use --bootstrap-servers"),
    ("group.id", "kafkatune assigns partitions itself (the lab's group_id=None); group mode names its own kafkatune- group"),
    ("enable.auto.commit", "kafkatune never commits offsets"),
    ("auto.offset.reset", "drain runs read from the log start and live runs from the end, exactly"),
    ("key.deserializer", "kafkatune reads raw bytes"),
    ("value.deserializer", "kafkatune reads raw bytes"),
];

/// Not a Kafka property but swept like one: how many consumer processes share the run in
/// one consumer group (`--consumers N`, `--param consumers=1,2,4`). Never passed to a client.
pub const CONSUMERS: &str = "consumers";

/// The most consumers one run may start (each is a process, a JVM for Java).
pub const MAX_CONSUMERS: u32 = 64;

/// Checks a `consumers` value; the error says what is allowed.
pub fn validate_consumers(value: &str) -> Result<u32, String> {
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_CONSUMERS).contains(&n) => Ok(n),
        _ => Err(format!(
            "must be a whole number from 1 to {MAX_CONSUMERS} (consumer processes in one group)"
        )),
    }
}

/// Names whose values never appear in any output.
pub fn is_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("password")
        || n.contains("passphrase")
        || n.contains("private")
        || n.contains("jaas")
        || n.contains("secret")
        || n.ends_with("key")
        || n.contains("key.pem")
        || n.contains("token")
}

/// `*****` for a secret's value, the value otherwise (an empty value stays empty: it shows
/// that nothing was set).
pub fn mask(name: &str, value: &str) -> String {
    if is_secret(name) && !value.is_empty() {
        "*****".to_string()
    } else {
        value.to_string()
    }
}

/// Looks a Kafka property name up in the table.
pub fn lookup(name: &str) -> Option<&'static Property> {
    PROPERTIES.iter().find(|p| p.kafka == name)
}

/// The client prefixes of the escape hatch.
const PREFIXES: &[(&str, ClientKind)] = &[
    ("librdkafka.", ClientKind::Librdkafka),
    ("java.", ClientKind::Java),
    ("kafka-python.", ClientKind::KafkaPython),
];

/// Splits `librdkafka.queued.min.messages` into its client and the native name.
pub fn scoped(name: &str) -> Option<(ClientKind, &str)> {
    PREFIXES
        .iter()
        .find_map(|(prefix, client)| name.strip_prefix(prefix).map(|rest| (*client, rest)))
}

/// Checks a property name and value as the user typed them; the error says what to do.
pub fn validate(name: &str, value: &str) -> Result<(), String> {
    if let Some((_, native)) = scoped(name) {
        return if native.is_empty() {
            Err(format!(
                "`{name}` names no property after the client prefix"
            ))
        } else {
            Ok(())
        };
    }
    if name == CONSUMERS {
        return Err(format!(
            "`{CONSUMERS}` is not a Kafka property: give it as --consumers N, or sweep it with --param {CONSUMERS}=1,2,4"
        ));
    }
    if let Some((_, why)) = MANAGED.iter().find(|(n, _)| *n == name) {
        return Err(format!("`{name}` is set by kafkatune itself: {why}"));
    }
    let Some(prop) = lookup(name) else {
        return Err(unknown(name));
    };
    check_value(prop, value).map_err(|why| format!("`{name}={value}`: {why}"))
}

fn unknown(name: &str) -> String {
    let nearest = PROPERTIES
        .iter()
        .map(|p| (strsim::levenshtein(name, p.kafka), p.kafka))
        .min()
        .filter(|(d, _)| *d <= name.len().max(4) / 2);
    let mut msg = format!("unknown consumer property `{name}`");
    if let Some((_, candidate)) = nearest {
        msg.push_str(&format!("; did you mean `{candidate}`?"));
    }
    msg.push_str(" (kafkatune takes Kafka's Java property names; `kafkatune properties` lists them; pass a client's own setting as librdkafka.NAME, java.NAME or kafka-python.NAME)");
    msg
}

fn check_value(prop: &Property, value: &str) -> Result<(), String> {
    match prop.value {
        ValueType::Int { min, max } => match value.trim().parse::<i64>() {
            Ok(v) if v >= min && v <= max => Ok(()),
            Ok(_) => Err(format!("must be between {min} and {max}")),
            Err(_) => Err("must be a whole number".to_string()),
        },
        ValueType::Bool => match value {
            "true" | "false" => Ok(()),
            _ => Err("must be true or false".to_string()),
        },
        ValueType::Enum(options) => {
            if options.iter().any(|o| o.eq_ignore_ascii_case(value)) {
                Ok(())
            } else {
                Err(format!(
                    "must be one of {}",
                    options
                        .iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
        ValueType::Text => Ok(()),
    }
}

/// The properties (Kafka names, validated) as `client` takes them: native names, and for
/// kafka-python typed JSON values. `max.poll.records` is left out: it travels in the spec;
/// so is `consumers`, which is kafkatune's own.
pub fn translate(
    client: ClientKind,
    props: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, String> {
    let mut out = stores(client, props)?;
    for (name, value) in props {
        if name == "max.poll.records" || name == CONSUMERS {
            continue;
        }
        if let Some((scope, native)) = scoped(name) {
            if scope == client {
                out.insert(native.to_string(), native_value(client, None, value));
            }
            continue;
        }
        let prop = lookup(name).ok_or_else(|| unknown(name))?;
        let spelling = match client {
            ClientKind::Librdkafka => prop.librdkafka,
            ClientKind::KafkaPython => prop.kafka_python,
            ClientKind::Java if prop.java => Name(prop.kafka),
            ClientKind::Java => Unsupported("a librdkafka-only setting"),
        };
        match spelling {
            Unsupported(why) => {
                return Err(format!(
                    "the {} client cannot honour `{name}` ({why}); leave it out, or run only the clients that have it (--client)",
                    client.name()
                ))
            }
            Rule(_) => {}
            Name(native) if native.contains('+') => {
                let (user, password) = parse_jaas(value)?;
                let (user_key, password_key) = native.split_once('+').expect("two names");
                out.insert(user_key.to_string(), Value::String(user));
                out.insert(password_key.to_string(), Value::String(password));
            }
            Name(native) => {
                out.insert(native.to_string(), native_value(client, Some(prop.value), value));
            }
        }
    }
    Ok(out)
}

/// The TLS settings of `props` that librdkafka and kafka-python take only as a set: trust
/// and key stores (PEM files, which all three clients read; librdkafka also takes a PKCS#12
/// key store) and kafka-python's host name check. The Java client takes them as they are.
fn stores(
    client: ClientKind,
    props: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, String> {
    let mut out = BTreeMap::new();
    if client == ClientKind::Java {
        return Ok(out);
    }
    let rdkafka = client == ClientKind::Librdkafka;
    let get = |name: &str| props.get(name).map(String::as_str);
    let mut set = |name: &str, value: &str| {
        out.insert(name.to_string(), Value::String(value.to_string()));
    };
    let own = |what: &str| {
        format!(
            "the {} client reads {what}; give PEM files (ssl.truststore.type=PEM, ssl.keystore.type=PEM), which all three clients read, or give each client its own setting (java.ssl.truststore.location=..., librdkafka.ssl.ca.location=..., kafka-python.ssl_cafile=...)",
            client.name()
        )
    };
    // Kafka's default store type is JKS.
    let store_type = |name: &str| get(name).unwrap_or("JKS").to_ascii_uppercase();

    if let Some(location) = get("ssl.truststore.location") {
        if store_type("ssl.truststore.type") != "PEM" {
            return Err(format!(
                "`ssl.truststore.location` names a {} trust store, but {}",
                store_type("ssl.truststore.type"),
                own("CA certificates from PEM files only")
            ));
        }
        set(
            if rdkafka {
                "ssl.ca.location"
            } else {
                "ssl_cafile"
            },
            location,
        );
    }
    if get("ssl.truststore.password").is_some() {
        return Err(format!(
            "`ssl.truststore.password`: {}; a PEM trust store has no password, leave it out",
            own("trust stores from PEM files only")
        ));
    }
    if let Some(location) = get("ssl.keystore.location") {
        match (store_type("ssl.keystore.type").as_str(), rdkafka) {
            ("PEM", _) => {
                if get("ssl.keystore.password").is_some() {
                    return Err("`ssl.keystore.password`: a PEM key store has no store password (Kafka refuses one too); give the private key's password as ssl.key.password".to_string());
                }
                if rdkafka {
                    set("ssl.certificate.location", location);
                    set("ssl.key.location", location);
                } else {
                    set("ssl_certfile", location);
                    set("ssl_keyfile", location);
                }
                if let Some(password) = get("ssl.key.password") {
                    set(
                        if rdkafka {
                            "ssl.key.password"
                        } else {
                            "ssl_password"
                        },
                        password,
                    );
                }
            }
            ("PKCS12", true) => {
                set("ssl.keystore.location", location);
                if let Some(password) = get("ssl.keystore.password") {
                    set("ssl.keystore.password", password);
                }
            }
            (kind, _) => {
                return Err(format!(
                    "`ssl.keystore.location` names a {kind} key store, but {}",
                    own(if rdkafka {
                        "key stores as PEM or PKCS#12 files"
                    } else {
                        "key stores as PEM files only"
                    })
                ))
            }
        }
    }
    if !rdkafka {
        if let Some(algorithm) = get("ssl.endpoint.identification.algorithm") {
            out.insert(
                "ssl_check_hostname".to_string(),
                Value::Bool(!algorithm.is_empty()),
            );
        }
    }
    Ok(out)
}

/// Strings for librdkafka and Java; typed values for kafka-python's keyword arguments.
fn native_value(client: ClientKind, value_type: Option<ValueType>, value: &str) -> Value {
    if client != ClientKind::KafkaPython {
        return Value::String(value.to_string());
    }
    match value_type {
        Some(ValueType::Int { .. }) => value
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(value.to_string())),
        Some(ValueType::Bool) => Value::Bool(value == "true"),
        Some(_) => Value::String(value.to_string()),
        // Scoped kafka-python settings: take JSON literals (numbers, true/false) as typed.
        None => serde_json::from_str::<Value>(value)
            .ok()
            .filter(|v| !v.is_string() && !v.is_object() && !v.is_array())
            .unwrap_or_else(|| Value::String(value.to_string())),
    }
}

/// `... required username="alice" password="secret";` -> (alice, secret).
fn parse_jaas(jaas: &str) -> Result<(String, String), String> {
    let field = |key: &str| -> Option<String> {
        let start = jaas.find(&format!("{key}="))? + key.len() + 1;
        let rest = &jaas[start..];
        let rest = rest.strip_prefix('"')?;
        Some(rest[..rest.find('"')?].to_string())
    };
    match (field("username"), field("password")) {
        (Some(u), Some(p)) => Ok((u, p)),
        _ => Err("`sasl.jaas.config` must carry username=\"...\" and password=\"...\" (PLAIN or SCRAM login module)".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn librdkafka_spells_fetch_wait_its_own_way() {
        let p = props(&[
            ("fetch.max.wait.ms", "500"),
            ("fetch.min.bytes", "1024"),
            ("max.poll.records", "10"),
        ]);
        let out = translate(ClientKind::Librdkafka, &p).unwrap();
        assert_eq!(out.get("fetch.wait.max.ms"), Some(&Value::from("500")));
        assert_eq!(out.get("fetch.min.bytes"), Some(&Value::from("1024")));
        assert!(
            !out.contains_key("max.poll.records"),
            "travels in the spec, not as a property"
        );
        let out = translate(ClientKind::Java, &props(&[("consumers", "4")])).unwrap();
        assert!(
            out.is_empty(),
            "consumers is kafkatune's own, never a client's"
        );
    }

    #[test]
    fn java_keeps_kafka_names() {
        let out = translate(ClientKind::Java, &props(&[("fetch.max.wait.ms", "500")])).unwrap();
        assert_eq!(out.get("fetch.max.wait.ms"), Some(&Value::from("500")));
    }

    #[test]
    fn kafka_python_gets_typed_keywords() {
        let p = props(&[
            ("fetch.max.wait.ms", "500"),
            ("check.crcs", "false"),
            ("client.id", "x"),
        ]);
        let out = translate(ClientKind::KafkaPython, &p).unwrap();
        assert_eq!(out.get("fetch_max_wait_ms"), Some(&Value::from(500)));
        assert_eq!(out.get("check_crcs"), Some(&Value::Bool(false)));
        assert_eq!(out.get("client_id"), Some(&Value::from("x")));
    }

    #[test]
    fn unsupported_property_is_an_error_naming_the_client() {
        let err =
            translate(ClientKind::Java, &props(&[("queued.min.messages", "1000")])).unwrap_err();
        assert!(
            err.contains("java client cannot honour `queued.min.messages`"),
            "{err}"
        );
        let err = translate(
            ClientKind::KafkaPython,
            &props(&[("group.protocol", "consumer")]),
        )
        .unwrap_err();
        assert!(err.contains("kafka-python"), "{err}");
    }

    #[test]
    fn scoped_properties_reach_only_their_client() {
        let p = props(&[
            ("librdkafka.queued.min.messages", "5000"),
            ("kafka-python.api_version_auto_timeout_ms", "3000"),
        ]);
        let rd = translate(ClientKind::Librdkafka, &p).unwrap();
        assert_eq!(rd.get("queued.min.messages"), Some(&Value::from("5000")));
        assert_eq!(rd.len(), 1);
        let py = translate(ClientKind::KafkaPython, &p).unwrap();
        assert_eq!(
            py.get("api_version_auto_timeout_ms"),
            Some(&Value::from(3000))
        );
        assert!(translate(ClientKind::Java, &p).unwrap().is_empty());
    }

    #[test]
    fn jaas_splits_into_user_and_password() {
        let jaas = r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cret";"#;
        let out = translate(
            ClientKind::Librdkafka,
            &props(&[("sasl.jaas.config", jaas)]),
        )
        .unwrap();
        assert_eq!(out.get("sasl.username"), Some(&Value::from("alice")));
        assert_eq!(out.get("sasl.password"), Some(&Value::from("s3cret")));
    }

    #[test]
    fn validation_messages_say_what_to_do() {
        assert!(validate("fetch.min.byte", "1")
            .unwrap_err()
            .contains("did you mean `fetch.min.bytes`?"));
        assert!(validate("fetch.min.bytes", "ten")
            .unwrap_err()
            .contains("whole number"));
        assert!(validate("fetch.min.bytes", "0")
            .unwrap_err()
            .contains("between 1 and"));
        assert!(validate("group.id", "g")
            .unwrap_err()
            .contains("set by kafkatune itself"));
        assert!(validate("isolation.level", "dirty")
            .unwrap_err()
            .contains("`read_committed`"));
        assert!(validate("max.poll.records", "500").is_ok());
        assert!(validate("consumers", "2")
            .unwrap_err()
            .contains("--param consumers=1,2,4"));
        assert_eq!(validate_consumers("4"), Ok(4));
        assert!(validate_consumers("0")
            .unwrap_err()
            .contains("from 1 to 64"));
    }

    #[test]
    fn secrets_are_masked() {
        assert_eq!(mask("sasl.jaas.config", "x"), "*****");
        assert_eq!(mask("ssl.keystore.password", "x"), "*****");
        assert_eq!(mask("fetch.min.bytes", "1"), "1");
        assert_eq!(mask("ssl.key.password", "x"), "*****");
        assert_eq!(mask("librdkafka.ssl.key.pem", "x"), "*****");
        assert_eq!(mask("ssl_key", "x"), "*****");
        assert_eq!(mask("sasl_plain_password", "x"), "*****");
        assert_eq!(mask("ssl.key.location", "/k.pem"), "/k.pem");
        assert_eq!(
            mask("sasl.oauthbearer.assertion.private.key.passphrase", "p"),
            "*****"
        );
        assert_eq!(
            mask("ssl.key.password", ""),
            "",
            "nothing set: nothing to hide"
        );
    }

    #[test]
    fn pem_stores_reach_every_client_in_its_own_settings() {
        let p = props(&[
            ("security.protocol", "SSL"),
            ("ssl.truststore.type", "PEM"),
            ("ssl.truststore.location", "/t/ca.pem"),
            ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.location", "/t/client.pem"),
            ("ssl.key.password", "k"),
            ("ssl.endpoint.identification.algorithm", ""),
        ]);
        let java = translate(ClientKind::Java, &p).unwrap();
        assert_eq!(java.get("ssl.truststore.type"), Some(&Value::from("PEM")));
        assert_eq!(
            java.get("ssl.keystore.location"),
            Some(&Value::from("/t/client.pem"))
        );
        assert_eq!(java.len(), p.len(), "Java takes Kafka's names as they are");

        let rd = translate(ClientKind::Librdkafka, &p).unwrap();
        let expected: BTreeMap<String, Value> = [
            ("security.protocol", "SSL"),
            ("ssl.ca.location", "/t/ca.pem"),
            ("ssl.certificate.location", "/t/client.pem"),
            ("ssl.key.location", "/t/client.pem"),
            ("ssl.key.password", "k"),
            ("ssl.endpoint.identification.algorithm", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), Value::from(*v)))
        .collect();
        assert_eq!(rd, expected);

        let py = translate(ClientKind::KafkaPython, &p).unwrap();
        assert_eq!(py.get("ssl_cafile"), Some(&Value::from("/t/ca.pem")));
        assert_eq!(py.get("ssl_certfile"), Some(&Value::from("/t/client.pem")));
        assert_eq!(py.get("ssl_keyfile"), Some(&Value::from("/t/client.pem")));
        assert_eq!(py.get("ssl_password"), Some(&Value::from("k")));
        assert_eq!(py.get("ssl_check_hostname"), Some(&Value::Bool(false)));
        assert_eq!(py.len(), 6, "{py:?}");
    }

    #[test]
    fn stores_other_clients_cannot_read_are_errors_naming_the_way_out() {
        // Kafka's default store type is JKS.
        let jks = props(&[("ssl.truststore.location", "/t/trust.jks")]);
        assert!(translate(ClientKind::Java, &jks).is_ok());
        for client in [ClientKind::Librdkafka, ClientKind::KafkaPython] {
            let e = translate(client, &jks).unwrap_err();
            assert!(e.contains("JKS trust store"), "{e}");
            assert!(e.contains("ssl.truststore.type=PEM"), "{e}");
            assert!(e.contains(client.name()), "{e}");
        }
        let p12 = props(&[
            ("ssl.keystore.type", "PKCS12"),
            ("ssl.keystore.location", "/t/client.p12"),
            ("ssl.keystore.password", "s"),
        ]);
        let rd = translate(ClientKind::Librdkafka, &p12).unwrap();
        assert_eq!(
            rd.get("ssl.keystore.location"),
            Some(&Value::from("/t/client.p12"))
        );
        assert_eq!(rd.get("ssl.keystore.password"), Some(&Value::from("s")));
        let e = translate(ClientKind::KafkaPython, &p12).unwrap_err();
        assert!(
            e.contains("PKCS12 key store") && e.contains("PEM files only"),
            "{e}"
        );

        let pem_with_store_password = props(&[
            ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.location", "/t/client.pem"),
            ("ssl.keystore.password", "s"),
        ]);
        let e = translate(ClientKind::Librdkafka, &pem_with_store_password).unwrap_err();
        assert!(e.contains("ssl.key.password"), "{e}");
    }
}
