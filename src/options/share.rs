//! Share groups (KIP-932) on the command line: what a sweep with `group.type=share` needs,
//! refused before anything runs with what to do instead.

use anyhow::Result;

use crate::clients::properties::share::{self, GroupType, GROUP_TYPE};
use crate::clients::properties::ShareScope;
use crate::clients::ClientKind;
use crate::error::usage;
use crate::grid::SweptProperty;
use crate::results::{Mode, Params};

/// Why only the Java client: the words every refusal of another client uses.
const JAVA_ONLY: &str = "share groups (KIP-932) run on the Java client only (KafkaShareConsumer, kafka-clients 4.4.0): librdkafka 2.12.1 (vendored by the rdkafka crate) has no share consumer, kafka-python has none, and confluent-kafka 2.16.2's ShareConsumer (a preview) has no kafkatune driver yet, and KafkaJS 2.2.4 has no share consumer; use --client java";

/// Checks a sweep's share settings: the Java client only, drain or live mode, share settings only
/// where a share group runs, the test knob only with explicit acknowledgement.
pub fn check(
    mode: Mode,
    clients: &[ClientKind],
    fixed: &Params,
    swept: &[SweptProperty],
    release_first: Option<u64>,
) -> Result<()> {
    let values: Vec<&String> = fixed
        .get(GROUP_TYPE)
        .into_iter()
        .chain(
            swept
                .iter()
                .filter(|(n, _)| n == GROUP_TYPE)
                .flat_map(|(_, v)| v),
        )
        .collect();
    for v in &values {
        share::validate_group_type(v).map_err(|e| usage(format!("{GROUP_TYPE}={v}: {e}")))?;
    }
    let any_share = values
        .iter()
        .any(|v| share::validate_group_type(v) == Ok(GroupType::Share));
    let names = fixed.keys().chain(swept.iter().map(|(n, _)| n));
    let share_setting = names
        .clone()
        .find(|n| share::share_scope(n) != ShareScope::None);
    if !any_share {
        if let Some(name) = share_setting {
            return Err(usage(format!("`{name}` is a share group setting: add --group-type share (or --param group.type=consumer,share)")));
        }
        if release_first.is_some() {
            return Err(usage(
                "--share-release-first is for share groups: add --group-type share",
            ));
        }
        return Ok(());
    }
    if let Some(other) = clients.iter().find(|c| **c != ClientKind::Java) {
        return Err(usage(format!("--client {}: {JAVA_ONLY}", other.name())));
    }
    if !matches!(mode, Mode::Drain | Mode::Live) {
        return Err(usage(format!(
            "--mode {}: share groups are measured draining a backlog (--mode drain) or reading a paced producer (--mode live)",
            mode.name()
        )));
    }
    if let Some(name) = names
        .clone()
        .find(|n| share::refused_by_share_consumer(n).is_some())
    {
        if !swept.iter().any(|(n, _)| n == GROUP_TYPE) {
            return Err(usage(format!(
                "a share consumer refuses `{name}`: {}",
                share::refused_by_share_consumer(name).unwrap_or_default()
            )));
        }
    }
    if release_first.is_some_and(|n| n > 0) {
        let explicit = fixed
            .get("share.acknowledgement.mode")
            .is_some_and(|m| m.eq_ignore_ascii_case("explicit"));
        if !explicit {
            return Err(usage("--share-release-first needs -X share.acknowledgement.mode=explicit (implicit acknowledgement accepts every record)"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn share_groups_take_the_java_client_in_drain_mode_only() {
        let share = fixed(&[("group.type", "share")]);
        let e = check(Mode::Drain, &[ClientKind::Librdkafka], &share, &[], None).unwrap_err();
        assert!(e.to_string().contains("--client java"), "{e}");
        assert!(e.to_string().contains("librdkafka 2.12.1"), "{e}");
        let e = check(Mode::Drain, &[ClientKind::KafkaPython], &share, &[], None).unwrap_err();
        assert!(e.to_string().contains("kafka-python has none"), "{e}");
        let e = check(Mode::Drain, &[ClientKind::KafkaJs], &share, &[], None).unwrap_err();
        assert!(
            e.to_string()
                .contains("KafkaJS 2.2.4 has no share consumer"),
            "{e}"
        );
        assert!(check(Mode::Drain, &[ClientKind::Java], &share, &[], None).is_ok());
        assert!(check(Mode::Live, &[ClientKind::Java], &share, &[], None).is_ok());
        assert!(check(Mode::Pipeline, &[ClientKind::Java], &share, &[], None).is_err());
        assert!(check(Mode::Produce, &[ClientKind::Java], &share, &[], None).is_err());
        let e = check(
            Mode::Drain,
            &[ClientKind::Java],
            &fixed(&[("share.acquire.mode", "record_limit")]),
            &[],
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("--group-type share"), "{e}");
        let e = check(
            Mode::Drain,
            &[ClientKind::Java],
            &fixed(&[("group.type", "share"), ("session.timeout.ms", "10000")]),
            &[],
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("share.session.timeout.ms"), "{e}");
        let e = check(Mode::Drain, &[ClientKind::Java], &share, &[], Some(2)).unwrap_err();
        assert!(e.to_string().contains("explicit"), "{e}");
        let swept = vec![(
            "group.type".to_string(),
            vec!["consumer".to_string(), "share".to_string()],
        )];
        assert!(check(
            Mode::Drain,
            &[ClientKind::Java],
            &Params::new(),
            &swept,
            None
        )
        .is_ok());
        assert!(check(
            Mode::Drain,
            &[ClientKind::Librdkafka],
            &Params::new(),
            &swept,
            None
        )
        .is_err());
    }
}
