//! Group mode: `consumers` driver processes of one client in one new consumer group, reading
//! the run's messages between them, exactly (the `consumers` parameter).
//!
//! How the count stays exact across processes (docs/driver-protocol.md, "Several
//! consumers"): each partition gets a range `[start_offset, end_offset)`, the ranges add up to
//! the run's messages, and a consumer counts only records inside them. Consumers commit their
//! positions when partitions are revoked, so a rebalance hands a partition over where its
//! previous owner stopped. Two files steer the consumers: the **start file**, created once the
//! group is complete and balanced, so the measurement starts with every consumer in place
//! instead of with the first one reading alone while the others still start; the **stop
//! file**, created once the consumers' counts add up to the messages (or one of them ended),
//! so that consumers left with nothing to read finish instead of waiting.

mod accepted;
pub mod live;
mod merge;
mod ranges;
pub mod share;
mod watch;

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Result;

pub use accepted::fill_share_record;
pub use merge::{fill_record, merge_histograms};
pub use ranges::{balanced, covered, partition_ranges};

use super::cluster::SweepCluster;
use super::plan::Trial;
use super::runner::{self, RunOutcome};
use crate::broker::admin::PartitionOffsets;
use crate::clients::properties::{self, CONSUMERS};
use crate::clients::protocol::{Assignment, Event, PartitionStart, Spec};
use crate::clients::DriverCommand;
use watch::{Note, Watch};

/// The number of consumers a trial asks for; `None` runs one consumer with `assign` (no group).
pub fn consumers(trial: &Trial) -> Option<u32> {
    trial
        .params
        .get(CONSUMERS)
        .and_then(|v| properties::validate_consumers(v).ok())
}

/// The run's consumer group: kafkatune's prefix, the sweep, trial and run, and the start time
/// (a resumed sweep repeats a run id, and the group of an interrupted run may linger).
pub fn group_id(sweep_id: &str, trial: &Trial, run_index: u32) -> String {
    format!(
        "kafkatune-{sweep_id}-{}-r{run_index}-{:x}",
        trial.id,
        crate::clients::protocol::now_unix_us() / 1000
    )
}

/// What one group run left behind.
#[derive(Debug, Default)]
pub struct GroupOutcome {
    pub group_id: String,
    pub consumers: Vec<RunOutcome>,
    /// The consumers as one run: counts summed, first-to-last record over all of them.
    pub combined: RunOutcome,
    pub group_stable_s: Option<f64>,
    pub lag_samples: Vec<(f64, u64)>,
    /// Why the group could not be deleted, if it could not.
    pub delete_warning: Option<String>,
    /// A share group's run: each partition's range and the group's settings.
    pub share: Option<ShareOutcome>,
}

/// What a share group's run adds (`share`).
#[derive(Debug, Default)]
pub struct ShareOutcome {
    /// Each partition's `[start_offset, end_offset)`: every offset accepted exactly once.
    pub ranges: Vec<crate::clients::protocol::PartitionStart>,
    /// The group's configuration as set before the run.
    pub config: std::collections::BTreeMap<String, String>,
}

/// One group run: `consumers` processes of `driver` in the new group `group_id`.
pub struct GroupRun<'a> {
    pub cluster: &'a dyn SweepCluster,
    /// The topic's partitions, from their log start.
    pub partitions: &'a [PartitionOffsets],
    pub driver: &'a DriverCommand,
    pub consumers: u32,
    pub group_id: String,
    /// Where the consumers' specs, results and the start and stop files go.
    pub scratch: &'a Path,
    pub timeout: Duration,
}

/// Where a group run's consumers run: here, one driver process each ([`Local`]), or on the
/// workers of a fleet (`sweep::remote`). One call runs consumer `index` to its end, handing
/// its driver's events to `on_event` as they come.
pub trait Launch: Sync {
    fn consumer(
        &self,
        index: usize,
        driver: &DriverCommand,
        spec: &Spec,
        scratch: &Path,
        timeout: Duration,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<RunOutcome>;
}

/// Every consumer a driver process on this machine.
pub struct Local;

impl Launch for Local {
    fn consumer(
        &self,
        _index: usize,
        driver: &DriverCommand,
        spec: &Spec,
        scratch: &Path,
        timeout: Duration,
        on_event: &mut dyn FnMut(&Event),
    ) -> Result<RunOutcome> {
        runner::run_with_events(driver, spec, scratch, timeout, on_event)
    }
}

/// What a kind of group run adds to the common one ([`run_on`]): a share group's
/// configuration, a live run's paced producer. Every method has a default that adds nothing.
pub trait Hook {
    /// Each partition's range to count; by default from the log start ([`partition_ranges`]).
    fn ranges(&self, g: &GroupRun, messages: u64) -> Option<Vec<PartitionStart>> {
        partition_ranges(g.partitions, messages)
    }
    /// Before the members start; `Err` fails the run with that reason (no member starts).
    fn before(&mut self, _g: &GroupRun) -> std::result::Result<(), String> {
        Ok(())
    }
    /// The members' spec, once it is a subscribe spec with its ranges and files.
    fn member(&mut self, _spec: &mut Spec) {}
    /// A share group: members hold no partitions, so counting starts once all are ready.
    fn share_group(&self) -> bool {
        false
    }
    /// The group is complete: called as the start file is made; returns the file's content.
    /// `Err` ends the run (the stop file follows at once) with that reason.
    fn on_start(&mut self) -> std::result::Result<Vec<u8>, String> {
        Ok(Vec::new())
    }
    /// The messages not consumed yet, given what the consumers counted in all; `None`: the
    /// run's messages less that count (a backlog).
    fn outstanding(&self, _counted: u64) -> Option<u64> {
        None
    }
    /// After the group was deleted: what the run adds to the outcome.
    fn finish(&mut self, _out: &mut GroupOutcome) {}
}

/// A consumer group draining a backlog: nothing added.
pub struct Drain;

impl Hook for Drain {}

/// Runs the group on `spec` (the run's assign spec, made a subscribe spec here).
pub fn run(g: &GroupRun, spec: &Spec) -> Result<GroupOutcome> {
    run_on(g, spec, &Local, &mut Drain)
}

/// [`run`], its consumers started by `launch`, with what `hook` adds.
pub fn run_on(
    g: &GroupRun,
    spec: &Spec,
    launch: &dyn Launch,
    hook: &mut dyn Hook,
) -> Result<GroupOutcome> {
    let GroupRun {
        cluster,
        partitions: parts,
        driver,
        consumers: n,
        scratch,
        timeout,
        ..
    } = *g;
    let group_id = g.group_id.as_str();
    let ranges = hook.ranges(g, spec.messages).ok_or_else(|| {
        anyhow::anyhow!(
            "the topic holds fewer than the {} messages asked for",
            spec.messages
        )
    })?;
    std::fs::create_dir_all(scratch)?;
    let delete = || {
        cluster
            .delete_group(group_id)
            .err()
            .map(|e| format!("{e:#}"))
    };
    if let Err(refused) = hook.before(g) {
        let mut out = GroupOutcome {
            group_id: group_id.to_string(),
            combined: RunOutcome {
                failure: Some(refused),
                ..Default::default()
            },
            delete_warning: delete(),
            ..Default::default()
        };
        hook.finish(&mut out);
        return Ok(out);
    }
    let (start_file, stop_file) = (scratch.join("start"), scratch.join("stop"));
    for f in [&start_file, &stop_file] {
        let _ = std::fs::remove_file(f);
    }
    let mut group_spec = spec.clone();
    group_spec.assignment = Assignment::Subscribe;
    group_spec.group_id = Some(group_id.to_string());
    group_spec.partitions = ranges;
    group_spec.start_file = Some(start_file.clone());
    group_spec.stop_file = Some(stop_file.clone());
    hook.member(&mut group_spec);
    let partitions: Vec<i32> = parts.iter().map(|p| p.partition).collect();

    let (tx, rx) = mpsc::channel::<Note>();
    let mut watch = Watch::new(n as usize, partitions, spec.messages, start_file, stop_file);
    if hook.share_group() {
        watch = watch.share_group();
    }
    let results = std::thread::scope(|s| {
        for i in 0..n as usize {
            let (tx, spec, dir) = (tx.clone(), &group_spec, scratch.join(format!("c{i}")));
            s.spawn(move || {
                let events = tx.clone();
                let out = launch.consumer(i, driver, spec, &dir, timeout, &mut |e| {
                    let _ = events.send(Note::Event(i, e.clone()));
                });
                let _ = tx.send(Note::Exited(i, Box::new(out)));
            });
        }
        drop(tx);
        watch.follow(&rx, &mut *hook)
    });
    // The group goes whatever became of its consumers (an error, Ctrl-C).
    let delete_warning = delete();
    let consumers = results.into_iter().collect::<Result<Vec<RunOutcome>>>()?;
    let mut combined = merge::combine(&consumers);
    if let Some(why) = watch.start_failure.take() {
        combined.failure = Some(match combined.failure.take() {
            Some(other) => format!("{why}; {other}"),
            None => why,
        });
    }
    let mut out = GroupOutcome {
        group_id: group_id.to_string(),
        group_stable_s: watch
            .started
            .map(|t| t.duration_since(watch.t0).as_secs_f64()),
        lag_samples: std::mem::take(&mut watch.lag),
        consumers,
        combined,
        delete_warning,
        share: None,
    };
    hook.finish(&mut out);
    Ok(out)
}
