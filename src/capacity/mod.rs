//! `kafkatune capacity`: the highest load each trial sustains within a latency service level.
//!
//! The load is an open model: a fixed-rate schedule whose latencies count from each record's
//! intended send time (coordinated-omission safe, as wrk2 and HdrHistogram's corrected
//! recording). Each trial's search (`search`) brackets the limit from a low rate and bisects
//! it to `--resolution`; a step passes when every clause of `--slo` holds (`slo`), the
//! achieved rate is at least 99% of the offered one and the consumers keep up (the lag's
//! regression slope, as Theodolite judges a load step). A search runs on the sweep's
//! scheduler (`sweep::run_scheduled`): the same folder, every step one record of
//! results.jsonl, resume and Ctrl-C as a sweep's. Its schedule (`schedule`) writes
//! `capacity.json` (`crate::capacity_file`) after every step.

pub mod options;
mod schedule;
pub mod search;
pub mod slo;
mod tussle;

use anyhow::Result;

pub use options::CapacityOptions;

use crate::capacity_file::{CapacityFile, Limit};
use crate::sweep::{self, SweepOutcome};

/// Runs every trial's search; its outcome as a sweep's, and `capacity.json` as it ended.
pub fn run(opts: &CapacityOptions) -> Result<(SweepOutcome, Option<CapacityFile>)> {
    let points = crate::grid::points(&opts.sweep.grid);
    let trials = sweep::plan::trials(&opts.sweep.clients, &points, &opts.sweep.fixed);
    let message_bytes = f64::from(opts.sweep.workload.message_size);
    let outcome = sweep::run_scheduled(&opts.sweep, &trials, |meta| {
        Ok(Box::new(schedule::CapacitySchedule::new(
            &trials,
            opts.settings.clone(),
            opts.sweep.mode,
            meta.payload
                .as_ref()
                .map_or(message_bytes, |p| p.value_bytes_avg),
            meta.seed,
            opts.sweep.out.clone(),
        )))
    })?;
    let file = crate::capacity_file::load(&opts.sweep.out)?;
    Ok((outcome, file))
}

/// The answer for the terminal: each trial's capacity with its bracket, the clause that
/// broke first and what limited it, best first.
pub fn describe(file: &CapacityFile) -> String {
    let slo: Vec<&str> = file.settings.slo.iter().map(|c| c.text.as_str()).collect();
    let mut out = format!(
        "capacity within {} ({} steps; resolution {:.0}%):\n",
        slo.join(", "),
        file.steps,
        file.settings.resolution * 100.0
    );
    for t in &file.trials {
        let params: Vec<String> = t.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let what = match (t.capacity_msgs_per_s, t.first_failing_msgs_per_s) {
            _ if !t.done => "search not finished (resume to finish it)".to_string(),
            (Some(c), Some(f)) => format!(
                "{} msg/s ({:.2} MiB/s; {} passed, {} failed: {})",
                search::show(c),
                t.capacity_mib_per_s.unwrap_or(0.0),
                search::show(c),
                search::show(f),
                t.binding.as_deref().unwrap_or("?")
            ),
            (Some(c), None) => format!("at least {} msg/s", search::show(c)),
            (None, _) => format!(
                "none within the service level (broke: {})",
                t.binding.as_deref().unwrap_or("?")
            ),
        };
        out.push_str(&format!(
            "  {} {} {}: {what}\n",
            t.trial_id,
            t.client,
            if params.is_empty() {
                "(defaults)".to_string()
            } else {
                params.join(" ")
            }
        ));
        match t.limit {
            Some(Limit::Generator) => out.push_str("      limit: the load generator could not send the rate; the figure is the generator's, not the system's\n"),
            Some(Limit::Host) => out.push_str("      limit: this host's CPUs were saturated (generator, consumers and brokers share them); the figure is this host's\n"),
            _ => {}
        }
        for note in &t.notes {
            out.push_str(&format!("      note: {note}\n"));
        }
    }
    out
}
