//! Share groups (KIP-932) in the table's terms: the pseudo-property `group.type`, what a
//! share consumer refuses, and which of a trial's properties the share group takes.

use std::collections::BTreeMap;

use super::table::{lookup, ShareScope};

/// Not a Kafka property but swept like one: the kind of group a trial's consumers form
/// (`--group-type share`, `--param group.type=consumer,share`). Never passed to a client.
pub const GROUP_TYPE: &str = "group.type";

/// The kinds of group `group.type` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupType {
    /// A consumer group: each partition read by one member.
    Consumer,
    /// A share group (KIP-932): members acquire records, any number of them per partition.
    Share,
}

/// Checks a `group.type` value; the error says what is allowed.
pub fn validate_group_type(value: &str) -> Result<GroupType, String> {
    match value.trim() {
        "consumer" => Ok(GroupType::Consumer),
        "share" => Ok(GroupType::Share),
        _ => {
            Err("must be `consumer` (a consumer group) or `share` (a share group, KIP-932)".into())
        }
    }
}

/// Whether a trial's consumers form a share group.
pub fn is_share(params: &BTreeMap<String, String>) -> bool {
    params
        .get(GROUP_TYPE)
        .is_some_and(|v| validate_group_type(v) == Ok(GroupType::Share))
}

/// Consumer settings `KafkaShareConsumer` refuses (kafka-clients 4.4.0
/// `ShareConsumerConfig.SHARE_GROUP_UNSUPPORTED_CONFIGS`), with what to use instead.
pub const SHARE_CONSUMER_REFUSES: &[(&str, &str)] = &[
    (
        "session.timeout.ms",
        "a share group's session timeout is the group's share.session.timeout.ms",
    ),
    (
        "heartbeat.interval.ms",
        "a share group's heartbeat is the group's share.heartbeat.interval.ms",
    ),
    (
        "group.protocol",
        "share consumers speak the share group protocol only",
    ),
    (
        "group.remote.assignor",
        "the share group's assignor is the broker's",
    ),
    (
        "group.instance.id",
        "share groups have no static membership",
    ),
    (
        "isolation.level",
        "a share group reads as the group's share.isolation.level says",
    ),
    (
        "partition.assignment.strategy",
        "the share group's assignor is the broker's",
    ),
    (
        "interceptor.classes",
        "share consumers take no interceptors",
    ),
];

/// A share trial's property the share consumer cannot take, with why.
pub fn refused_by_share_consumer(name: &str) -> Option<&'static str> {
    SHARE_CONSUMER_REFUSES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, why)| *why)
}

/// Whether a property is share-specific (a share consumer's or a share group's).
pub fn share_scope(name: &str) -> ShareScope {
    lookup(name).map_or(ShareScope::None, |p| p.share)
}

/// The share group's own settings among a trial's properties, to set on the group before its
/// members start.
pub fn group_configs(params: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    params
        .iter()
        .filter(|(k, _)| share_scope(k) == ShareScope::Group)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_types_and_share_settings_are_told_apart() {
        assert_eq!(validate_group_type("share"), Ok(GroupType::Share));
        assert!(validate_group_type("queue")
            .unwrap_err()
            .contains("`share`"));
        let p = super::super::props(&[
            ("group.type", "share"),
            ("share.record.lock.duration.ms", "2000"),
            ("share.acquire.mode", "record_limit"),
            ("fetch.max.wait.ms", "100"),
        ]);
        assert!(is_share(&p));
        assert_eq!(
            group_configs(&p).into_iter().collect::<Vec<_>>(),
            [(
                "share.record.lock.duration.ms".to_string(),
                "2000".to_string()
            )]
        );
        assert_eq!(share_scope("share.acquire.mode"), ShareScope::Member);
        assert!(refused_by_share_consumer("session.timeout.ms")
            .unwrap()
            .contains("share.session.timeout.ms"));
        assert!(refused_by_share_consumer("fetch.max.wait.ms").is_none());
    }
}
