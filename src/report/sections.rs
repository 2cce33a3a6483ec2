//! The content shared by `report.md` and `report.html`: the set-up, the warnings and the
//! ranked table, as text cells (backticks mark code). Each exporter only lays them out.

use crate::results::{Mode, TrialSummary};

use super::format::{interval, metric_label, percent, short, significant};
use super::load::{shown_value, Sweep};

/// The sweep's set-up as (what, value) rows.
pub fn setup(sweep: &Sweep) -> Vec<(String, String)> {
    let m = &sweep.meta;
    let mut rows = vec![
        (
            "mode".to_string(),
            match m.mode {
                Mode::Drain => "drain: a backlog read as fast as possible".to_string(),
                Mode::Live => "live: a paced producer and a caught-up consumer".to_string(),
                Mode::Produce => "produce: producers send the messages as fast as they can, every one acknowledged".to_string(),
                Mode::Pipeline => "pipeline: a producer as fast as it can and a consumer reading concurrently".to_string(),
            },
        ),
        (
            "broker".into(),
            format!(
                "`{}` ({}, Apache Kafka {})",
                m.broker.bootstrap_servers,
                m.broker.kind,
                m.broker.version.as_deref().unwrap_or("version unknown")
            ),
        ),
        ("clients".into(), client_versions(sweep).join(", ")),
        (
            "workload".into(),
            format!(
                "{} messages of {} B on `{}` ({} partition{})",
                m.workload.messages,
                m.workload.message_size_bytes,
                m.workload.topic,
                m.workload.partitions,
                if m.workload.partitions == 1 { "" } else { "s" }
            ),
        ),
    ];
    if let Some(p) = &m.payload {
        rows.push(("payload".into(), payload(p)));
    }
    if let Some(live) = &m.live {
        rows.push((
            "live load".into(),
            format!(
                "{} msg/s for {} s, the first {} s not measured",
                live.rate_msgs_per_s, live.duration_s, live.warmup_s
            ),
        ));
    }
    for (key, values) in &m.grid {
        let shown: Vec<&str> = values.iter().map(|v| shown_value(key, v)).collect();
        rows.push((format!("swept `{key}`"), shown.join(", ")));
    }
    for (key, value) in &m.fixed {
        rows.push((
            format!("fixed `{key}`"),
            shown_value(key, value).to_string(),
        ));
    }
    rows.push((
        "runs".into(),
        format!(
            "{} per trial after {} warm-up run{}, in an order shuffled with seed {}, timeout {} s",
            m.repeat,
            m.warmup_runs,
            if m.warmup_runs == 1 { "" } else { "s" },
            m.seed,
            m.run_timeout_s
        ),
    ));
    if let Some(w) = &m.cluster_warmup {
        let last = w.rounds_msgs_per_s.last().copied().unwrap_or(0.0);
        rows.push((
            "cluster warm-up".into(),
            format!(
                "{:.0} s at full speed before the first run, {:.0} msg/s in its first second and {:.0} in its last{}",
                w.seconds,
                w.rounds_msgs_per_s.first().copied().unwrap_or(0.0),
                last,
                if w.steady { "" } else { " (not steady yet)" }
            ),
        ));
    }
    let h = &m.host;
    let mut host = vec![h.os.clone()];
    host.extend(h.kernel.clone());
    host.extend(h.cpu_model.clone());
    host.push(format!("{} CPUs", h.cpu_count));
    host.extend(
        h.memory_bytes
            .map(|b| format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64)),
    );
    rows.push(("host".into(), host.join(", ")));
    rows.push((
        "kafkatune".into(),
        match &m.kafkatune_git_revision {
            Some(rev) => format!("{} ({rev})", m.kafkatune_version),
            None => m.kafkatune_version.clone(),
        },
    ));
    rows.push(("started".into(), m.started_at.clone()));
    rows.push(("command".into(), format!("`{}`", m.command)));
    rows
}

/// The record bodies and how well they compress on their own.
fn payload(p: &crate::workload::payload::PayloadInfo) -> String {
    let source = match (&p.source_file, p.seed) {
        (Some(file), _) => format!("from `{file}`"),
        (None, Some(seed)) => format!("`{}`, generated with seed {seed}", p.kind),
        (None, None) => format!("`{}`", p.kind),
    };
    format!(
        "{source}: {} distinct bodies of {} B on average; on their own, in {}-byte batches, lz4 \
         compresses them to {:.2} of their size and zstd to {:.2}",
        p.records_in_pool,
        significant(p.value_bytes_avg, 3),
        p.batch_bytes,
        p.lz4_ratio,
        p.zstd_ratio
    )
}

/// Each client with the version its runs reported.
fn client_versions(sweep: &Sweep) -> Vec<String> {
    sweep
        .meta
        .clients
        .iter()
        .map(|c| {
            let version = sweep
                .summary
                .trials
                .iter()
                .filter(|t| &t.client == c)
                .find_map(|t| t.client_version.clone());
            match version {
                Some(v) => format!("{c} {v}"),
                None => c.clone(),
            }
        })
        .collect()
}

/// Everything the reader should know before trusting the numbers.
pub fn warnings(sweep: &Sweep) -> Vec<String> {
    let mut out = Vec::new();
    if sweep.summary.runs_missing > 0 {
        out.push(format!(
            "{} planned run{} did not finish (the sweep was interrupted); resume it to complete the picture.",
            sweep.summary.runs_missing,
            if sweep.summary.runs_missing == 1 { "" } else { "s" }
        ));
    }
    let swept = crate::grid::varied(&sweep.meta.grid);
    let is_noisy = |w: &String| w.starts_with("too noisy to rank");
    let noisy: Vec<String> = sweep
        .summary
        .trials
        .iter()
        .filter_map(|t| t.warnings.iter().find(|w| is_noisy(w)).map(|w| (t, w)))
        .map(|(t, w)| {
            format!(
                "`{}` ({})",
                t.trial_id,
                w.split(':')
                    .nth(1)
                    .unwrap_or("")
                    .split(" over")
                    .next()
                    .unwrap_or("")
                    .trim()
            )
        })
        .collect();
    // Many noisy trials are one finding about the machine, not one per trial.
    let group_noisy = noisy.len() > MAX_NOISY_LISTED;
    if group_noisy {
        out.push(format!(
            "{} of {} trials are too noisy to rank (CV above {:.0}% between their runs): {}; run with --repeat {} or more, close other programs, or give each run more messages.",
            noisy.len(),
            sweep.summary.trials.len(),
            crate::stats::warnings::NOISY_CV * 100.0,
            noisy.join(", "),
            crate::stats::warnings::more_runs(sweep.meta.repeat as usize)
        ));
    }
    for t in &sweep.summary.trials {
        for w in t.warnings.iter().filter(|w| !(group_noisy && is_noisy(w))) {
            out.push(format!(
                "`{}` {} ({}): {w}",
                t.trial_id,
                t.client,
                super::format::swept_params(&t.params, &swept)
            ));
        }
    }
    out
}

/// Past this many noisy trials, the report says so in one line.
const MAX_NOISY_LISTED: usize = 3;

/// The ranked table's footnote: what its interval is, and what "tied" means and rests on.
pub fn table_note(summary: &crate::results::SummaryFile) -> String {
    let mut text = "Medians over each trial's runs; the interval of the median is a pair of order \
                    statistics (distribution-free), at the level shown: the chance it holds the \
                    true median. \"Tied\" means a two-sided Mann-Whitney U test of the runs \
                    does not tell the trial from the best."
        .to_string();
    for note in crate::stats::claims::runs_notes(summary) {
        text.push_str(&format!(" Note: {note}."));
    }
    text
}

/// The ranked table: its header and one row per trial, best first.
pub fn ranked_table(sweep: &Sweep) -> (Vec<String>, Vec<Vec<String>>) {
    let swept = crate::grid::varied(&sweep.meta.grid);
    let primary = sweep.summary.primary_metric.as_str();
    let mut header: Vec<String> = ["rank", "trial", "client"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(swept.iter().map(|p| format!("`{p}`")));
    header.extend([
        metric_label(primary),
        crate::stats::claims::interval_header(&sweep.summary),
        "CV".into(),
    ]);
    let extra: &[&str] = match sweep.meta.mode {
        Mode::Drain => &["cpu_s_per_million_msgs", "startup_s"],
        Mode::Produce => &[
            "ack_latency_p99_ms",
            "compression_ratio",
            "cpu_s_per_million_msgs",
            "startup_s",
        ],
        Mode::Live | Mode::Pipeline => &[
            "latency_p50_ms",
            "throughput_msgs_per_s",
            "cpu_s_per_million_msgs",
            "startup_s",
        ],
    };
    header.extend(extra.iter().map(|m| metric_label(m)));
    header.push("runs ok/failed".into());
    let rows = sweep
        .summary
        .trials
        .iter()
        .map(|t| row(t, &swept, primary, extra, &sweep.summary))
        .collect();
    (header, rows)
}

fn row(
    t: &TrialSummary,
    swept: &[String],
    primary: &str,
    extra: &[&str],
    summary: &crate::results::SummaryFile,
) -> Vec<String> {
    let rank = match (t.rank, t.tied_with_best) {
        (Some(1), _) => "1".to_string(),
        (Some(r), true) => format!("{r} (tied)"),
        (Some(r), false) => r.to_string(),
        (None, _) => "-".to_string(),
    };
    let mut cells = vec![rank, format!("`{}`", t.trial_id), t.client.clone()];
    cells.extend(swept.iter().map(|k| {
        t.params
            .get(k)
            .map_or("-".to_string(), |v| shown_value(k, v).to_string())
    }));
    match t.metrics.get(primary) {
        Some(s) => cells.extend([
            short(s.median),
            interval(s) + &crate::stats::claims::cell_level(summary, s),
            percent(s.cv),
        ]),
        None => cells.extend(["-".to_string(), "-".into(), "-".into()]),
    }
    cells.extend(extra.iter().map(|m| {
        t.metrics.get(*m).map_or("-".to_string(), |s| match *m {
            "throughput_msgs_per_s" => short(s.median),
            _ => significant(s.median, 3),
        })
    }));
    cells.push(format!("{}/{}", t.runs_ok, t.runs_failed));
    cells
}
