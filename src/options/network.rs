//! `--network` and the swept `network.*` pseudo-properties (`crate::network::spec`): what
//! the options accept, and the sweeps they refuse before any work (a user's cluster, where
//! kafkatune cannot place a proxy; a bandwidth too low for the run timeout).

use anyhow::Result;

use super::ClusterOptions;
use crate::error::{usage, UserError};
use crate::grid::{self, SweptProperty};
use crate::network::{self, spec, NetworkSettings};
use crate::results::Params;

/// `--network SPEC` as fixed pseudo-properties.
pub fn option_params(spec: Option<&str>) -> Result<Params> {
    match spec {
        None => Ok(Params::new()),
        Some(s) => {
            network::parse_network_option(s).map_err(|e| usage(format!("--network {s}: {e}")))
        }
    }
}

/// Whether the sweep sets or sweeps a network setting; if it does, that its cluster can
/// take a proxy and that every trial's bandwidth carries the workload within the run timeout.
pub fn check(
    cluster: &ClusterOptions,
    fixed: &Params,
    swept: &[SweptProperty],
    workload_bytes: u64,
    run_timeout_s: f64,
) -> Result<bool> {
    let used = fixed.keys().any(|k| network::is_network_param(k))
        || swept.iter().any(|(k, _)| network::is_network_param(k));
    if !used {
        return Ok(false);
    }
    if cluster.bootstrap.is_some() {
        return Err(UserError::usage(
            "--network (and --param network.*) puts a delay proxy in front of the brokers kafkatune starts itself; on your cluster (--bootstrap-servers) kafkatune cannot place one",
        )
        .with_hint("leave --network out and run kafkatune where your consumers run (the distance is then real), or leave --bootstrap-servers out to measure the embedded broker at the distance you give")
        .into());
    }
    if cluster.fake.is_some() {
        return Err(usage(
            "--network needs real brokers to put a proxy in front of: leave --fake-cluster out",
        ));
    }
    let mut swept_network: Vec<SweptProperty> = swept
        .iter()
        .filter(|(k, _)| network::is_network_param(k))
        .cloned()
        .collect();
    if swept_network.is_empty() {
        swept_network.push(("network.none".into(), vec![String::new()]));
    }
    for point in grid::points(&swept_network) {
        let mut params: Params = fixed
            .iter()
            .filter(|(k, _)| network::is_network_param(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        params.extend(point.into_iter().filter(|(k, _)| k != "network.none"));
        let settings = NetworkSettings::from_params(&params).map_err(usage)?;
        check_bandwidth(&settings, workload_bytes, run_timeout_s, cluster.brokers)?;
    }
    Ok(true)
}

/// A bandwidth that cannot carry the workload's bytes within the run timeout, even with
/// every broker's connection full (each connection has its own limit), is refused.
fn check_bandwidth(
    settings: &NetworkSettings,
    workload_bytes: u64,
    run_timeout_s: f64,
    brokers: u32,
) -> Result<()> {
    let Some(rate) = settings.bandwidth_bytes_per_s else {
        return Ok(());
    };
    let needed_s = workload_bytes as f64 / (rate as f64 * f64::from(brokers.max(1)));
    if needed_s > run_timeout_s {
        let fits =
            (workload_bytes as f64 / run_timeout_s / f64::from(brokers.max(1)) * 8.0 / 1e6).ceil();
        return Err(UserError::usage(format!(
            "{}={}: the workload's {workload_bytes} bytes need at least {needed_s:.0} s at that rate, more than the run timeout of {run_timeout_s:.0} s",
            spec::BANDWIDTH,
            describe_rate(rate)
        ))
        .with_hint(format!(
            "give a bandwidth of at least {fits:.0}mbit, fewer --messages, or a longer --run-timeout"
        ))
        .into());
    }
    Ok(())
}

fn describe_rate(bytes_per_s: u64) -> String {
    format!("{}kbit", bytes_per_s * 8 / 1000)
}
