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
use std::sync::mpsc;

use anyhow::Result;
use serde_json::Value;

use super::ranges::partition_ranges;
use super::watch::{Note, Watch};
use super::{merge, GroupOutcome, GroupRun, ShareOutcome};
use crate::clients::properties::share::group_configs;
use crate::clients::protocol::{Assignment, ShareSpec, Spec};
use crate::clients::DriverCommand;
use crate::results::Params;
use crate::sweep::runner::{self, RunOutcome};

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

/// Runs the share group on `spec` (the run's assign spec, made a share member's spec here).
/// `translated`: the trial's Java properties, whose security settings the admin takes too.
pub fn run(
    g: &GroupRun,
    spec: &Spec,
    config: &BTreeMap<String, String>,
    translated: &BTreeMap<String, Value>,
    release_first: u64,
) -> Result<GroupOutcome> {
    let ranges = partition_ranges(g.partitions, spec.messages).ok_or_else(|| {
        anyhow::anyhow!(
            "the topic holds fewer than the {} messages asked for",
            spec.messages
        )
    })?;
    std::fs::create_dir_all(g.scratch)?;
    let group_id = g.group_id.as_str();
    if let Err(refused) = configure(
        g.driver,
        g.cluster.bootstrap(),
        translated,
        group_id,
        config,
        g.scratch,
    ) {
        return Ok(GroupOutcome {
            group_id: group_id.to_string(),
            combined: RunOutcome {
                failure: Some(refused),
                ..Default::default()
            },
            delete_warning: g
                .cluster
                .delete_group(group_id)
                .err()
                .map(|e| format!("{e:#}")),
            share: Some(ShareOutcome {
                ranges,
                config: config.clone(),
            }),
            ..Default::default()
        });
    }
    let (start_file, stop_file) = (g.scratch.join("start"), g.scratch.join("stop"));
    for f in [&start_file, &stop_file] {
        let _ = std::fs::remove_file(f);
    }
    let mut member = spec.clone();
    member.assignment = Assignment::Subscribe;
    member.group_id = Some(group_id.to_string());
    member.partitions = ranges.clone();
    member.start_file = Some(start_file.clone());
    member.stop_file = Some(stop_file.clone());
    member.share = Some(ShareSpec {
        release_first_records: release_first,
    });
    let partitions: Vec<i32> = g.partitions.iter().map(|p| p.partition).collect();
    let n = g.consumers as usize;
    let (tx, rx) = mpsc::channel::<Note>();
    let mut watch = Watch::new(n, partitions, spec.messages, start_file, stop_file).share_group();
    let (driver, timeout) = (g.driver, g.timeout);
    let results = std::thread::scope(|s| {
        for i in 0..n {
            let (tx, spec, dir) = (tx.clone(), &member, g.scratch.join(format!("c{i}")));
            s.spawn(move || {
                let events = tx.clone();
                let out = runner::run_with_events(driver, spec, &dir, timeout, |e| {
                    let _ = events.send(Note::Event(i, e.clone()));
                });
                let _ = tx.send(Note::Exited(i, Box::new(out)));
            });
        }
        drop(tx);
        watch.follow(&rx)
    });
    let delete_warning = g
        .cluster
        .delete_group(group_id)
        .err()
        .map(|e| format!("{e:#}"));
    let consumers = results.into_iter().collect::<Result<Vec<RunOutcome>>>()?;
    let combined = merge::combine(&consumers);
    Ok(GroupOutcome {
        group_id: group_id.to_string(),
        group_stable_s: watch
            .started
            .map(|t| t.duration_since(watch.t0).as_secs_f64()),
        lag_samples: watch.lag,
        consumers,
        combined,
        delete_warning,
        share: Some(ShareOutcome {
            ranges,
            config: config.clone(),
        }),
    })
}

/// Sets the group's configuration with the Java driver's admin; the error is the broker's
/// own message.
fn configure(
    driver: &DriverCommand,
    bootstrap: &str,
    translated: &BTreeMap<String, Value>,
    group_id: &str,
    config: &BTreeMap<String, String>,
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
    cmd.args(&args)
        .arg("configure")
        .arg(&file)
        .arg(group_id)
        .args(config.iter().map(|(k, v)| format!("{k}={v}")))
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
