//! Kafka's names and values as each client takes them: native names from the table, the
//! escape hatch's settings to their client only, typed values for kafka-python.

use std::collections::BTreeMap;

use serde_json::Value;

use super::client::Values;
use super::jaas::parse_jaas;
use super::scope::{reaches, scoped};
use super::share;
use super::table::ShareScope;
use super::table::{lookup, Spelling, ValueType};
use super::tls::stores;
use super::validate::unknown;
use crate::clients::ClientKind;
use Spelling::{JaasCredentials, Name, Rule, Unsupported};

/// The properties (Kafka names, validated) as `client` takes them: native names, and for
/// kafka-python typed JSON values. `max.poll.records` is left out: it travels in the spec;
/// so are `consumers` and `processing`, which are kafkatune's own.
pub fn translate(
    client: ClientKind,
    props: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, String> {
    let mut out = stores(client, props)?;
    let share_trial = share::is_share(props);
    for (name, value) in props {
        // kafkatune's own settings (`own`) act on the run, never on a client.
        if name == "max.poll.records" || super::own::lookup(name).is_some() {
            continue;
        }
        // The group's own settings go to the group (sweep::group::share); a share consumer's
        // to share trials only (a consumer group's trial of a group.type sweep ignores them).
        match share::share_scope(name) {
            ShareScope::Group => continue,
            ShareScope::Member if !share_trial => continue,
            _ => {}
        }
        if let Some(why) = share_trial
            .then(|| share::refused_by_share_consumer(name))
            .flatten()
        {
            return Err(format!("a share consumer refuses `{name}`: {why}"));
        }
        if let Some((scope, native)) = scoped(name) {
            if reaches(scope, client) {
                out.insert(native.to_string(), native_value(client, None, value));
            }
            continue;
        }
        let prop = lookup(name).ok_or_else(|| unknown(name))?;
        if let Some(own) = client.descriptor().properties.own_translation {
            out.extend(own(prop, value)?);
            continue;
        }
        let spelling = (client.descriptor().properties.spelling)(prop, value);
        match spelling {
            Unsupported(why) => {
                return Err(format!(
                    "the {} client cannot honour `{name}` ({why}); leave it out, or run only the clients that have it (--client)",
                    client.name()
                ))
            }
            Rule(_) => {}
            JaasCredentials { username, password } => {
                let (user, secret) = parse_jaas(value)?;
                out.insert(username.to_string(), Value::String(user));
                out.insert(password.to_string(), Value::String(secret));
            }
            Name(native) => {
                out.insert(native.to_string(), native_value(client, Some(prop.value), value));
            }
        }
    }
    (client.descriptor().properties.rules)(&out)
        .map_err(|why| format!("the {} client: {why}", client.name()))?;
    Ok(out)
}

/// Strings as typed, or typed values for Python keyword arguments (kafka-python's).
fn native_value(client: ClientKind, value_type: Option<ValueType>, value: &str) -> Value {
    if client.descriptor().properties.values != Values::Typed {
        return Value::String(value.to_string());
    }
    match value_type {
        Some(ValueType::Int { .. }) => value
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(value.to_string())),
        Some(ValueType::Bool) => Value::Bool(value == "true"),
        // kafka-python takes `acks` as 0, 1, -1 or 'all', and no codec as None.
        Some(ValueType::Enum(_)) if value.parse::<i64>().is_ok() => {
            Value::from(value.parse::<i64>().unwrap_or(0))
        }
        Some(ValueType::Enum(_)) if value.eq_ignore_ascii_case("none") => Value::Null,
        Some(_) => Value::String(value.to_string()),
        // Scoped kafka-python settings: take JSON literals (numbers, true/false) as typed.
        None => serde_json::from_str::<Value>(value)
            .ok()
            .filter(|v| !v.is_string() && !v.is_object() && !v.is_array())
            .unwrap_or_else(|| Value::String(value.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::props;
    use super::*;

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
    fn confluent_kafka_python_takes_librdkafkas_names_and_its_scoped_settings() {
        let p = props(&[
            ("fetch.max.wait.ms", "500"),
            ("librdkafka.queued.min.messages", "5000"),
            ("confluent-kafka-python.queued.max.messages.kbytes", "1024"),
        ]);
        let out = translate(ClientKind::ConfluentKafkaPython, &p).unwrap();
        assert_eq!(out.get("fetch.wait.max.ms"), Some(&Value::from("500")));
        assert_eq!(out.get("queued.min.messages"), Some(&Value::from("5000")));
        assert_eq!(
            out.get("queued.max.messages.kbytes"),
            Some(&Value::from("1024"))
        );
        let rd = translate(ClientKind::Librdkafka, &p).unwrap();
        assert!(
            !rd.contains_key("queued.max.messages.kbytes"),
            "confluent-kafka-python's own prefix stays its own: {rd:?}"
        );
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
}
