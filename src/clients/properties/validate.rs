//! Checks what users type, before anything runs: property names (with a suggestion for a
//! near miss), values against the table, and the names kafkatune sets itself.

use super::scope::scoped;
use super::table::{lookup, Property, ValueType, PROPERTIES};

/// Properties kafkatune sets itself for every run: the measurement depends on them.
pub const MANAGED: &[(&str, &str)] = &[
    ("bootstrap.servers", "use --bootstrap-servers"),
    ("group.id", "kafkatune assigns partitions itself (the lab's group_id=None); group mode names its own kafkatune- group"),
    ("enable.auto.commit", "kafkatune never commits offsets"),
    ("auto.offset.reset", "drain runs read from the log start and live runs from the end, exactly"),
    ("key.deserializer", "kafkatune reads raw bytes"),
    ("value.deserializer", "kafkatune reads raw bytes"),
    ("share.auto.offset.reset", "a share group's run reads the workload from the log start, set on the group by kafkatune"),
];

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
    if let Some(own) = super::own::lookup(name) {
        return Err(own.not_a_property(name));
    }
    if let Some((_, why)) = MANAGED.iter().find(|(n, _)| *n == name) {
        return Err(format!("`{name}` is set by kafkatune itself: {why}"));
    }
    let Some(prop) = lookup(name) else {
        return Err(unknown(name));
    };
    check_value(prop, value).map_err(|why| format!("`{name}={value}`: {why}"))
}

/// The error for a name neither in the table nor scoped: the nearest known name if one is
/// close (a typo), and where the names are listed.
pub(super) fn unknown(name: &str) -> String {
    let nearest = PROPERTIES
        .iter()
        .map(|p| (strsim::levenshtein(name, p.kafka), p.kafka))
        .min()
        .filter(|(d, _)| *d <= name.len().max(4) / 2);
    let mut msg = format!("unknown consumer property `{name}`");
    if let Some((_, candidate)) = nearest {
        msg.push_str(&format!("; did you mean `{candidate}`?"));
    }
    msg.push_str(" (kafkatune takes Kafka's Java property names; `kafkatune properties` lists them; pass a client's own setting as librdkafka.NAME, java.NAME, kafka-python.NAME, confluent-kafka-python.NAME or kafkajs.NAME)");
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

#[cfg(test)]
mod tests {
    use super::*;

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
    }
}
