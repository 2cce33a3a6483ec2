//! Share group runs (KIP-932, `group.type=share`): `consumers` Java share consumers in one new
//! share group on the workload topic, any number of them per partition.
//!
//! Before the members start, the group gets its configuration through the Java driver's
//! `ShareGroupAdmin` (incrementalAlterConfigs on the GROUP resource; the rdkafka crate cannot
//! send it): `share.auto.offset.reset=earliest`, without which a new share group starts at
//! the end of the log and waits forever, and the trial's own group settings
//! (`share.record.lock.duration.ms`, ...). A setting the broker refuses fails the run with
//! the broker's message. Members wait for the start file without polling (a poll acquires
//! records), so they start together; each counts a record once the broker confirmed its
//! acceptance, and the run is complete when every record of the run was accepted exactly
//! once over all members (`accounting`). The group is deleted afterwards.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::Result;
use serde_json::Value;

use super::{GroupOutcome, GroupRun, Hook, ShareOutcome};
use crate::clients::properties::share::group_configs;
use crate::clients::protocol::{PartitionStart, ShareSpec, Spec};
use crate::clients::DriverCommand;
use crate::results::Params;

/// The Java driver's admin entry point (drivers/java, ShareGroupAdmin.java).
const ADMIN_CLASS: &str = "dev.kafkatune.driver.ShareGroupAdmin";
/// Where a share group starts reading: the log start, so a drain run reads the workload.
pub const AUTO_OFFSET_RESET: (&str, &str) = ("share.auto.offset.reset", "earliest");

/// The group's configuration for a trial: where it starts, then the trial's group settings.
pub fn group_config(params: &Params) -> BTreeMap<String, String> {
    let mut config = BTreeMap::from([(
        AUTO_OFFSET_RESET.0.to_string(),
        AUTO_OFFSET_RESET.1.to_string(),
    )]);
    config.extend(group_configs(params));
    config
}

/// What a share group adds to a group run ([`super::run_on`]): the group's configuration set
/// before the members start, the share member's spec, the start once every member is ready,
/// the ranges and configuration in the outcome.
pub struct Share<'a> {
    pub config: BTreeMap<String, String>,
    /// The trial's Java properties, whose security settings the admin takes too.
    pub translated: &'a BTreeMap<String, Value>,
    pub release_first: u64,
    /// Live runs: where the group starts reading (each partition's end offset), set with
    /// the configuration; `None` starts it at the log start (`share.auto.offset.reset`).
    pub start_offsets: Option<(String, Vec<(i32, i64)>)>,
    ranges: Vec<PartitionStart>,
}

impl<'a> Share<'a> {
    pub fn new(
        config: BTreeMap<String, String>,
        translated: &'a BTreeMap<String, Value>,
        release_first: u64,
    ) -> Share<'a> {
        Share {
            config,
            translated,
            release_first,
            start_offsets: None,
            ranges: Vec::new(),
        }
    }
}

impl Hook for Share<'_> {
    fn before(&mut self, g: &GroupRun) -> std::result::Result<(), String> {
        configure(
            g.driver,
            g.cluster.bootstrap(),
            self.translated,
            &g.group_id,
            &self.config,
            self.start_offsets.as_ref(),
            g.scratch,
        )
    }

    fn member(&mut self, spec: &mut Spec) {
        self.ranges = spec.partitions.clone();
        spec.share = Some(ShareSpec {
            release_first_records: self.release_first,
        });
    }

    fn share_group(&self) -> bool {
        true
    }

    fn finish(&mut self, out: &mut GroupOutcome) {
        out.share = Some(ShareOutcome {
            ranges: self.ranges.clone(),
            config: self.config.clone(),
        });
    }
}

/// Runs the share group on `spec` (the run's assign spec, made a share member's spec here).
pub fn run(g: &GroupRun, spec: &Spec, share: &mut Share) -> Result<GroupOutcome> {
    super::run_on(g, spec, &super::Local, share)
}

/// Sets the group's configuration with the Java driver's admin; the error is the broker's
/// own message.
fn configure(
    driver: &DriverCommand,
    bootstrap: &str,
    translated: &BTreeMap<String, Value>,
    group_id: &str,
    config: &BTreeMap<String, String>,
    start_offsets: Option<&(String, Vec<(i32, i64)>)>,
    scratch: &Path,
) -> std::result::Result<(), String> {
    let mut props = format!("bootstrap.servers={bootstrap}\n");
    for (k, v) in translated {
        if k.starts_with("security.") || k.starts_with("sasl.") || k.starts_with("ssl.") {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            props.push_str(&format!("{}={}\n", escape(k), escape(&v)));
        }
    }
    let file = scratch.join("admin.properties");
    std::fs::write(&file, props).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    let mut args = driver.args.clone();
    match args.last_mut() {
        Some(main) => *main = ADMIN_CLASS.to_string(),
        None => return Err("the Java driver command has no main class".into()),
    }
    let mut cmd = Command::new(&driver.program);
    cmd.args(&args).arg("configure").arg(&file).arg(group_id);
    if let Some((topic, offsets)) = start_offsets {
        let at: Vec<String> = offsets.iter().map(|(p, o)| format!("{p}={o}")).collect();
        cmd.arg("--start-offsets").arg(topic).arg(at.join(","));
    }
    cmd.args(config.iter().map(|(k, v)| format!("{k}={v}")))
        .stdin(Stdio::null());
    crate::process::isolate(&mut cmd, true);
    let out = cmd.output().map_err(|e| {
        format!(
            "cannot start the Java admin ({}): {e}",
            driver.program.display()
        )
    })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let why = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("refused: "))
        .map(str::to_string)
        .unwrap_or_else(|| stderr.lines().last().unwrap_or("no message").to_string());
    Err(format!(
        "the broker refused the share group's settings ({}): {why}",
        config
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// A value for a Java .properties file: backslashes and line breaks escaped.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_starts_at_the_log_start_with_the_trial_s_group_settings() {
        let params = Params::from([
            ("group.type".to_string(), "share".to_string()),
            (
                "share.record.lock.duration.ms".to_string(),
                "2000".to_string(),
            ),
            ("share.acquire.mode".to_string(), "record_limit".to_string()),
        ]);
        let c = group_config(&params);
        assert_eq!(c["share.auto.offset.reset"], "earliest");
        assert_eq!(c["share.record.lock.duration.ms"], "2000");
        assert!(!c.contains_key("share.acquire.mode"), "a member's setting");
        assert_eq!(escape("a\\b\nc"), "a\\\\b\\nc");
    }
}
