//! `report.md`: the essentials of the report in Markdown, for an issue or a wiki. Charts are
//! linked (`charts/*.svg`, beside the file), not embedded.

use std::fmt::Write;

use super::analysis::findings;
use super::charts::Chart;
use super::format::capitalised;
use super::load::Sweep;
use super::presets::lab_presets;
use super::recommend::recommend;
use super::sections::{ranked_table, setup, warnings};
use super::tradeoffs::{sentences, subject, tradeoffs};

/// The Markdown report of a loaded sweep.
pub fn render(sweep: &Sweep, charts: &[Chart]) -> String {
    let mut md = String::new();
    let mode = sweep.meta.mode.name();
    let _ = writeln!(md, "# kafkatune {mode} sweep `{}`\n", sweep.meta.sweep_id);

    md.push_str("## Set-up\n\n| | |\n| --- | --- |\n");
    for (what, value) in setup(sweep) {
        let _ = writeln!(md, "| {} | {} |", cell(&what), cell(&value));
    }

    let warnings = warnings(sweep);
    if !warnings.is_empty() {
        md.push_str("\n## Warnings\n\n");
        for w in warnings {
            let _ = writeln!(md, "- {w}");
        }
    }

    md.push_str("\n## Recommendations\n");
    for rec in recommend(&sweep.meta, &sweep.summary) {
        let _ = writeln!(md, "\n### {}\n", rec.goal().title());
        for sentence in rec.sentences(&sweep.meta) {
            let _ = writeln!(md, "- {sentence}");
        }
    }

    let presets = lab_presets(&sweep.summary);
    if !presets.is_empty() {
        md.push_str("\n### The lab's guessed presets, measured\n\n");
        for p in presets {
            let _ = writeln!(md, "- {p}");
        }
    }

    let findings = findings(sweep);
    if !findings.is_empty() {
        md.push_str("\n## What each swept property did\n\n");
        for f in findings {
            let _ = writeln!(md, "- {}", f.sentence);
        }
        let _ = writeln!(md, "\n{}", super::effect_sentences::threshold_note());
    }

    let physics = super::physics::physics(sweep);
    if !physics.is_empty() {
        md.push_str("\n## What bound each trial at this network distance\n\n");
        for p in physics {
            let _ = writeln!(md, "- {p}");
        }
    }

    let share = super::share::sentences(sweep);
    if !share.is_empty() {
        md.push_str("\n## Share groups\n\n");
        for s in share {
            let _ = writeln!(md, "- {s}");
        }
        if let Some((header, rows)) = super::share_redelivery::table(sweep) {
            md.push_str("\nRedeliveries by lock duration and processing (share runs):\n\n");
            table(&mut md, &header, &rows);
        }
    }

    let tradeoffs = tradeoffs(&sweep.meta, &sweep.summary);
    if !tradeoffs.is_empty() {
        md.push_str("\n## Trade-offs\n");
        for t in &tradeoffs {
            let _ = writeln!(md, "\n### {}\n", capitalised(&subject(t)));
            for sentence in sentences(&sweep.meta, t) {
                let _ = writeln!(md, "- {sentence}");
            }
        }
    }

    let processing = super::poll_risk::sentences(sweep);
    if !processing.is_empty() {
        md.push_str("\n## Processing time and max.poll.interval.ms\n\n");
        for s in processing {
            let _ = writeln!(md, "- {s}");
        }
    }

    let (header, rows) = ranked_table(sweep);
    md.push_str("\n## Trials, best first\n\n");
    table(&mut md, &header, &rows);
    md.push_str(&format!(
        "\n{}\n",
        super::sections::table_note(&sweep.summary)
    ));

    if let Some((header, rows)) = super::workers::table(sweep) {
        md.push_str("\n## Workers\n\nWhat each host ran over the measured runs; a worker's timestamps are shifted by its clock offset.\n\n");
        table(&mut md, &header, &rows);
    }

    if !charts.is_empty() {
        md.push_str("\n## Charts\n\n");
        for chart in charts {
            let _ = writeln!(md, "![{}](charts/{})\n", chart.title, chart.file_name);
        }
    }
    md
}

/// A Markdown table.
fn table(md: &mut String, header: &[String], rows: &[Vec<String>]) {
    let _ = writeln!(
        md,
        "| {} |",
        header
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(md, "|{}", " --- |".repeat(header.len()));
    for row in rows {
        let _ = writeln!(
            md,
            "| {} |",
            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
}

/// A table cell: pipes and line breaks would end the cell or the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
