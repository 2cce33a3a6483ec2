//! The ranked table printed at the end of a sweep: medians with their intervals (each at
//! the level it holds) and the trials a test of the runs cannot tell from the best.

use crate::results::{Mode, SummaryFile, SweepMeta, TrialSummary};

/// Warnings shown under the table; the rest are in summary.json and the report.
const MAX_WARNINGS: usize = 5;

/// A metric column: the summary field, its header, and how a value is written.
type Column = (&'static str, &'static str, fn(f64) -> String);

/// The table as text, best trial first.
pub fn render(meta: &SweepMeta, summary: &SummaryFile) -> String {
    let swept: Vec<&str> = meta.grid.iter().map(|(n, _)| n.as_str()).collect();
    let mut header: Vec<String> = vec!["rank".into(), "client".into()];
    header.extend(swept.iter().map(|s| s.to_string()));
    let metric_cols: &[Column] = match meta.mode {
        Mode::Drain => &[
            ("throughput_msgs_per_s", "msg/s (median)", |v| {
                format!("{v:.0}")
            }),
            ("throughput_mib_per_s", "MiB/s", |v| format!("{v:.1}")),
            ("startup_s", "startup s", |v| format!("{v:.2}")),
            ("cpu_s_per_million_msgs", "CPU s/M msg", |v| {
                format!("{v:.2}")
            }),
            ("polls", "polls", |v| format!("{v:.0}")),
        ],
        Mode::Produce => &[
            ("throughput_msgs_per_s", "msg/s (median)", |v| {
                format!("{v:.0}")
            }),
            ("throughput_mib_per_s", "MiB/s", |v| format!("{v:.1}")),
            ("ack_latency_p50_ms", "ack p50 ms", |v| format!("{v:.1}")),
            ("ack_latency_p99_ms", "ack p99 ms", |v| format!("{v:.1}")),
            ("compression_ratio", "wire/payload", |v| format!("{v:.2}")),
            ("cpu_s_per_million_msgs", "CPU s/M msg", |v| {
                format!("{v:.2}")
            }),
        ],
        Mode::Pipeline => &[
            ("throughput_msgs_per_s", "e2e msg/s (median)", |v| {
                format!("{v:.0}")
            }),
            ("latency_p50_ms", "p50 ms", |v| format!("{v:.1}")),
            ("latency_p99_ms", "p99 ms", |v| format!("{v:.1}")),
            ("cpu_s_per_million_msgs", "CPU s/M msg", |v| {
                format!("{v:.2}")
            }),
        ],
        Mode::Live => &[
            ("latency_p99_ms", "p99 ms (median)", |v| format!("{v:.1}")),
            ("latency_p50_ms", "p50 ms", |v| format!("{v:.1}")),
            ("fetch_requests_per_s", "fetch/s", |v| format!("{v:.0}")),
            ("cpu_s_per_million_msgs", "CPU s/M msg", |v| {
                format!("{v:.1}")
            }),
        ],
    };
    header.push(metric_cols[0].1.into());
    header.push(crate::stats::claims::interval_header(summary));
    header.push("CV".into());
    header.extend(metric_cols[1..].iter().map(|c| c.1.to_string()));
    header.push("runs".into());

    let mut rows = vec![header];
    for t in &summary.trials {
        rows.push(row(t, &swept, metric_cols, summary));
    }
    let mut out = format_rows(&rows);
    if let Some(note) = crate::stats::claims::tied_note(summary) {
        out.push_str(&format!("\n= : {note}"));
    }
    for note in crate::stats::claims::runs_notes(summary) {
        out.push_str(&format!("\nnote: {note}"));
    }
    let warnings: Vec<String> = summary
        .trials
        .iter()
        .flat_map(|t| {
            t.warnings
                .iter()
                .map(move |w| format!("warning: {} ({}): {w}", t.trial_id, t.client))
        })
        .collect();
    for w in warnings.iter().take(MAX_WARNINGS) {
        out.push_str(&format!("\n{w}"));
    }
    if warnings.len() > MAX_WARNINGS {
        out.push_str(&format!(
            "\n... and {} more warnings: see summary.json or report.html",
            warnings.len() - MAX_WARNINGS
        ));
    }
    if summary.runs_missing > 0 {
        out.push_str(&format!(
            "\n{} planned runs are missing",
            summary.runs_missing
        ));
    }
    out
}

type Col = (&'static str, &'static str, fn(f64) -> String);

fn row(t: &TrialSummary, swept: &[&str], cols: &[Col], summary: &SummaryFile) -> Vec<String> {
    let rank = match t.rank {
        Some(r) if t.tied_with_best => format!("={r}"),
        Some(r) => r.to_string(),
        None => "-".into(),
    };
    let mut cells = vec![rank, t.client.clone()];
    cells.extend(
        swept
            .iter()
            .map(|s| t.params.get(*s).cloned().unwrap_or_default()),
    );
    let (name, _, fmt) = cols[0];
    match t.metrics.get(name) {
        Some(m) => {
            cells.push(fmt(m.median));
            // One run is a point, not an interval (the column's level is 0): a dash, as the
            // header says, rather than "4.2 .. 4.2"; its spread is unknown too.
            if m.ci_level > 0.0 {
                cells.push(format!(
                    "{} .. {}{}",
                    fmt(m.ci_low),
                    fmt(m.ci_high),
                    crate::stats::claims::cell_level(summary, m)
                ));
                cells.push(format!("{:.1}%", m.cv * 100.0));
            } else {
                cells.extend(["-".into(), "-".into()]);
            }
        }
        None => cells.extend(["-".into(), "-".into(), "-".into()]),
    }
    for (name, _, fmt) in &cols[1..] {
        cells.push(t.metrics.get(*name).map_or("-".into(), |m| fmt(m.median)));
    }
    cells.push(if t.runs_failed > 0 {
        format!("{} ok, {} failed", t.runs_ok, t.runs_failed)
    } else {
        t.runs_ok.to_string()
    });
    cells
}

fn format_rows(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (n, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if n == 0 {
            out.push_str(
                &widths
                    .iter()
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("  "),
            );
            out.push('\n');
        }
    }
    out.pop();
    out
}
