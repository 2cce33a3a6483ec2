//! A recommendation per goal for sweeps that ran share groups: throughput, p99 latency and
//! CPU per million messages, each the best trial on the goal's metric with its evidence and
//! the best of the other group type beside it. The goals, metrics, order and cannot-answer
//! cases are [`recommend`](super::recommend)'s, so the two never name different winners.

use crate::clients::properties::share::GROUP_TYPE;
use crate::clients::properties::CONSUMERS;
use crate::results::Mode;
use crate::stats::indistinguishable;

use super::format::{interval, with_unit};
use super::load::Sweep;
use super::recommend::{evidence, Goal, Pick};

/// The run that answers the latency goal for share groups.
pub const SHARE_LIVE_RUN: &str = "kafkatune sweep --mode live --param group.type=consumer,share --param consumers=1,2,4,8 --client java";

/// One sentence per goal; empty unless some trial ran a share group.
pub fn recommendations(sweep: &Sweep) -> Vec<String> {
    let trials = || {
        sweep
            .summary
            .trials
            .iter()
            .filter(|t| t.params.contains_key(GROUP_TYPE))
    };
    if !trials().any(|t| t.params.get(GROUP_TYPE).is_some_and(|v| v == "share")) {
        return vec![];
    }
    let mode = sweep.meta.mode;
    let mut out = Vec::new();
    for goal in [Goal::Throughput, Goal::Latency, Goal::Efficiency] {
        let (metric, higher) = goal.metric();
        let head = format!("Recommended for {}", goal.title().to_lowercase());
        if let Some(reason) = cannot(goal, mode) {
            out.push(format!("{head}: this sweep cannot answer it: {reason}."));
            continue;
        }
        let mut picks: Vec<Pick> = trials()
            .filter_map(|t| {
                Some(Pick {
                    trial: t.clone(),
                    value: t.metrics.get(metric)?.clone(),
                })
            })
            .collect();
        picks.sort_by(|a, b| {
            let order = a.value.median.total_cmp(&b.value.median);
            if higher { order.reverse() } else { order }
                .then_with(|| a.trial.trial_id.cmp(&b.trial.trial_id))
        });
        let Some(best) = picks.first() else {
            out.push(format!(
                "{head}: no share sweep trial measured `{metric}` (none finished, or every one failed)."
            ));
            continue;
        };
        let kind = |p: &Pick| p.trial.params.get(GROUP_TYPE).cloned().unwrap_or_default();
        let swept = crate::grid::varied(&sweep.meta.grid);
        let mut text = format!(
            "{head}: {}, {}.",
            name(best, &kind(best), &swept),
            evidence(best, metric)
        );
        if let Some(other) = picks.iter().find(|p| kind(p) != kind(best)) {
            let verdict = if other.value.n < 2 || best.value.n < 2 {
                "one run of either gives no interval, so whether the gap is beyond the noise is not known: repeat (--repeat 3 or more)"
            } else if indistinguishable(&other.value, &best.value) {
                "the two cannot be told apart within their noise"
            } else {
                "behind beyond the noise"
            };
            text.push_str(&format!(
                " The best {} group: {}, {} {}: {verdict}.",
                kind(other),
                name(other, &kind(other), &swept),
                with_unit(other.value.median, metric),
                interval(&other.value)
            ));
        }
        out.push(text);
    }
    out
}

/// Why a sweep of `mode` cannot answer `goal`, as [`recommend`](super::recommend) says it.
fn cannot(goal: Goal, mode: Mode) -> Option<String> {
    match (goal, mode) {
        (Goal::Throughput, Mode::Live) => Some(
            "a live sweep paces the producer, so throughput is set by its rate, not by the group"
                .into(),
        ),
        (Goal::Latency, Mode::Drain) => Some(format!(
            "a drain sweep reads a backlog as fast as it can: no end-to-end latency is measured \
             (the chart's latency is the client's average fetch latency); run `{SHARE_LIVE_RUN}`"
        )),
        _ => None,
    }
}

/// `a share group with 4 consumers (share.acquire.mode=record_limit), trial `t003``.
fn name(p: &Pick, kind: &str, swept: &[String]) -> String {
    let consumers = p
        .trial
        .params
        .get(CONSUMERS)
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let others = super::format::group_facet(&p.trial.params, kind, swept);
    format!(
        "a {kind} group with {}{}, trial `{}`",
        super::format::consumers(consumers),
        if others.is_empty() {
            String::new()
        } else {
            format!(" ({others})")
        },
        p.trial.trial_id
    )
}
