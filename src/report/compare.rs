//! What changed between two sweeps (before and after an upgrade, say): trials matched by
//! client and properties, a change flagged only when it is beyond the noise.

use std::fmt::Write;
use std::path::Path;

use anyhow::{bail, Result};

use crate::results::{Mode, TrialSummary};
use crate::stats::indistinguishable;

use super::format::{interval_at_level, metric_label, short, swept_params};
use super::load::{load, shown_value, Sweep};

/// A text report (Markdown) of how sweep `b` differs from sweep `a` on the primary metric.
/// Refuses two sweeps of different modes, whose metrics are not comparable.
pub fn compare(a: &Path, b: &Path) -> Result<String> {
    match (crate::capacity_file::load(a)?, crate::capacity_file::load(b)?) {
        (Some(ca), Some(cb)) => {
            return Ok(super::capacity_compare::compare(
                &ca,
                &cb,
                (&a.display().to_string(), &b.display().to_string()),
            ))
        }
        (None, None) => {}
        _ => bail!(
            "cannot compare a capacity search with a sweep: give two capacity folders (capacity.json) or two sweeps"
        ),
    }
    let (a, b) = (load(a)?, load(b)?);
    if a.meta.mode != b.meta.mode {
        bail!(
            "cannot compare a {} sweep ({}) with a {} sweep ({}): one ranks by throughput, the \
             other by latency; compare two sweeps of the same mode",
            mode_name(a.meta.mode),
            a.dir.display(),
            mode_name(b.meta.mode),
            b.dir.display()
        );
    }
    Ok(render(&a, &b))
}

fn mode_name(mode: Mode) -> &'static str {
    mode.name()
}

fn render(a: &Sweep, b: &Sweep) -> String {
    let metric = a.summary.primary_metric.as_str();
    let higher = a.summary.higher_is_better;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# kafkatune compare: `{}` (A) → `{}` (B)\n",
        a.meta.sweep_id, b.meta.sweep_id
    );
    let _ = writeln!(
        out,
        "A started {}, B started {}. Metric: {}, {} is better; a change counts only when a \
         two-sided Mann-Whitney U test of the two trials' runs separates them at p <= {} \
         (fewer than {} runs each never do). Intervals are of the median, at the level shown.\n",
        a.meta.started_at,
        b.meta.started_at,
        metric_label(metric),
        if higher { "higher" } else { "lower" },
        crate::stats::ties::ALPHA,
        crate::stats::ties::runs_each_to_separate()
    );
    let changes = setup_changes(a, b);
    if changes.is_empty() {
        out.push_str("Set-up: the same broker, client versions, workload and fixed properties.\n");
    } else {
        out.push_str("Set-up changes:\n");
        for c in changes {
            let _ = writeln!(out, "- {c}");
        }
    }

    let mut swept = crate::grid::varied(&a.meta.grid);
    for p in crate::grid::varied(&b.meta.grid) {
        if !swept.contains(&p) {
            swept.push(p);
        }
    }
    let matched: Vec<(&TrialSummary, &TrialSummary)> = a
        .summary
        .trials
        .iter()
        .filter_map(|ta| {
            b.summary
                .trials
                .iter()
                .find(|tb| same_trial(ta, tb))
                .map(|tb| (ta, tb))
        })
        .collect();
    let (mut better, mut worse) = (0, 0);
    out.push_str("\n| trial A / B | client | properties | A median [interval] | B median [interval] | change | verdict |\n");
    out.push_str("| --- | --- | --- | ---: | ---: | ---: | --- |\n");
    for (ta, tb) in &matched {
        let (sa, sb) = (ta.metrics.get(metric), tb.metrics.get(metric));
        let show = |s: Option<&crate::results::MetricSummary>| {
            s.map_or("not measured".to_string(), |s| {
                format!("{} {}", short(s.median), interval_at_level(s))
            })
        };
        let (change, verdict) = match (sa, sb) {
            (Some(sa), Some(sb)) => {
                let change = format!(
                    "{:+.1}%",
                    (sb.median - sa.median) / sa.median.abs().max(f64::MIN_POSITIVE) * 100.0
                );
                let verdict = if indistinguishable(sa, sb) {
                    "within noise".to_string()
                } else if (sb.median > sa.median) == higher {
                    better += 1;
                    "**better**, beyond noise".to_string()
                } else {
                    worse += 1;
                    "**worse**, beyond noise".to_string()
                };
                (change, verdict)
            }
            _ => ("-".to_string(), "cannot compare".to_string()),
        };
        let _ = writeln!(
            out,
            "| `{}` / `{}` | {} | {} | {} | {} | {change} | {verdict} |",
            ta.trial_id,
            tb.trial_id,
            ta.client,
            swept_params(&ta.params, &swept),
            show(sa),
            show(sb)
        );
    }
    let _ = writeln!(
        out,
        "\n{} trial{} in both sweeps: {better} better and {worse} worse beyond the noise, {} within it or not comparable.",
        matched.len(), if matched.len() == 1 { "" } else { "s" }, matched.len() - better - worse
    );
    only_in(&mut out, "A", a, b, &swept);
    only_in(&mut out, "B", b, a, &swept);
    out
}

/// The same trial: the same client with the same properties.
fn same_trial(a: &TrialSummary, b: &TrialSummary) -> bool {
    a.client == b.client && a.params == b.params
}

fn only_in(out: &mut String, name: &str, this: &Sweep, other: &Sweep, swept: &[String]) {
    let only: Vec<&TrialSummary> = this
        .summary
        .trials
        .iter()
        .filter(|t| !other.summary.trials.iter().any(|o| same_trial(t, o)))
        .collect();
    if only.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nOnly in {name} ({}):", only.len());
    for t in only {
        let _ = writeln!(
            out,
            "- `{}` {} ({})",
            t.trial_id,
            t.client,
            swept_params(&t.params, swept)
        );
    }
}

/// What differs in the set-up: broker, client versions, workload, fixed properties.
fn setup_changes(a: &Sweep, b: &Sweep) -> Vec<String> {
    let mut out = Vec::new();
    let mut diff = |what: String, x: String, y: String| {
        if x != y {
            out.push(format!("{what}: {x} → {y}"));
        }
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".into());
    diff(
        "broker".into(),
        a.meta.broker.bootstrap_servers.clone(),
        b.meta.broker.bootstrap_servers.clone(),
    );
    diff(
        "broker version".into(),
        opt(&a.meta.broker.version),
        opt(&b.meta.broker.version),
    );
    let w = |s: &Sweep| {
        let w = &s.meta.workload;
        format!(
            "{} × {} B on {} partition(s)",
            w.messages, w.message_size_bytes, w.partitions
        )
    };
    diff("workload".into(), w(a), w(b));
    let mut clients = a.meta.clients.clone();
    clients.extend(
        b.meta
            .clients
            .iter()
            .filter(|c| !a.meta.clients.contains(c))
            .cloned(),
    );
    for c in &clients {
        let v = |s: &Sweep| {
            s.summary
                .trials
                .iter()
                .filter(|t| &t.client == c)
                .find_map(|t| t.client_version.clone())
        };
        diff(format!("{c} version"), opt(&v(a)), opt(&v(b)));
    }
    let mut keys: Vec<&String> = a.meta.fixed.keys().chain(b.meta.fixed.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let v = |s: &Sweep| {
            s.meta
                .fixed
                .get(k)
                .map_or("(unset)".to_string(), |v| shown_value(k, v).to_string())
        };
        diff(format!("fixed `{k}`"), v(a), v(b));
    }
    out
}
