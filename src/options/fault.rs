//! `--fault` and the swept `fault` pseudo-property (`crate::fault::spec`): what the options
//! accept, and the sweeps they refuse before any work: a user's cluster (kafkatune never
//! harms a cluster it did not start), fewer than three brokers, another client or mode than
//! this version measures under a fault, several producers, a fault after the run's end.

use anyhow::Result;

use super::ClusterOptions;
use crate::clients::ClientKind;
use crate::error::{usage, UserError};
use crate::fault::{self, spec, Fault, FAULT};
use crate::grid::SweptProperty;
use crate::results::{Mode, Params};

/// `--fault SPEC` as a fixed pseudo-property, checked.
pub fn option_params(text: Option<&str>) -> Result<Params> {
    let mut params = Params::new();
    if let Some(t) = text {
        fault::parse(t).map_err(|e| usage(format!("--fault {}: {e}", t.trim())))?;
        params.insert(FAULT.into(), t.trim().to_string());
    }
    Ok(params)
}

/// What the sweep around a fault must be. `expected_s`: how long each run sends, when the
/// options say (`--messages` at `--rate`).
pub struct Around<'a> {
    pub cluster: &'a ClusterOptions,
    pub mode: Mode,
    pub clients: &'a [ClientKind],
    pub fixed: &'a Params,
    pub swept: &'a [SweptProperty],
    pub expected_s: Option<f64>,
    pub workers: bool,
}

/// Checks every fault of the sweep against what runs it.
pub fn check(a: &Around) -> Result<()> {
    let mut faults: Vec<(String, Fault)> = Vec::new();
    let values = a.fixed.get(FAULT).into_iter().chain(
        a.swept
            .iter()
            .filter(|(k, _)| k == FAULT)
            .flat_map(|(_, v)| v),
    );
    for v in values {
        let f = fault::parse(v).map_err(|e| usage(format!("fault={v}: {e}")))?;
        faults.push((v.clone(), f));
    }
    if faults.is_empty() {
        return Ok(());
    }
    let harms = faults.iter().find(|(_, f)| *f != Fault::None);
    if let Some((v, _)) = harms {
        if a.cluster.bootstrap.is_some() {
            return Err(UserError::usage(format!(
                "--fault {v}: kafkatune never harms a cluster it did not start, so faults run only on the embedded cluster"
            ))
            .with_hint("leave --bootstrap-servers out and give --brokers 3: kafkatune starts three brokers of its own and harms those")
            .into());
        }
        if a.cluster.fake.is_some() {
            return Err(usage(
                "--fault needs real brokers to harm: leave --fake-cluster out",
            ));
        }
    }
    if let Some((v, _)) = faults.iter().find(|(_, f)| f.harms_a_broker()) {
        if a.cluster.brokers < 3 {
            return Err(UserError::usage(format!(
                "--fault {v} harms the leader of partition 0; with {} broker{} nothing would take over",
                a.cluster.brokers,
                if a.cluster.brokers == 1 { "" } else { "s" }
            ))
            .with_hint("give --brokers 3 (three replicas, min.insync.replicas=2)")
            .into());
        }
    }
    if a.mode != Mode::Produce {
        return Err(usage(
            "--fault (and --param fault) runs in --mode produce in this version (the built-in librdkafka producer); faults in drain, live, pipeline and group runs are not built yet: add --mode produce",
        ));
    }
    if let Some(c) = a.clients.iter().find(|c| **c != ClientKind::Librdkafka) {
        return Err(usage(format!(
            "--fault measures the built-in librdkafka producer in this version, not {}: give --client librdkafka",
            c.name()
        )));
    }
    let producers = crate::clients::properties::PRODUCERS;
    let several = a.fixed.get(producers).is_some_and(|n| n != "1")
        || a.swept
            .iter()
            .any(|(k, vs)| k == producers && vs.iter().any(|n| n != "1"));
    if several || a.workers {
        return Err(usage(
            "--fault accounts for one local producer's records in this version: leave --param producers and --workers out",
        ));
    }
    if let Some(expected) = a.expected_s {
        for (v, f) in &faults {
            spec::fits(f, expected).map_err(|e| usage(format!("--fault {v}: {e}")))?;
        }
    }
    Ok(())
}
