//! `report.html`: one self-contained file. Charts are inline SVG, the style sheet is inline,
//! there is no script, and nothing refers to another file or host, so it opens the same
//! offline, attached to an e-mail or from an archive.

use std::fmt::Write;

use super::analysis::findings;
use super::charts::Chart;
use super::format::capitalised;
use super::load::Sweep;
use super::presets::lab_presets;
use super::recommend::{recommend, Recommendation};
use super::sections::{ranked_table, setup, warnings};
use super::tradeoffs::{sentences, subject, tradeoffs};

/// The page's style sheet (the capacity report's page too).
pub(super) const STYLE: &str = "
body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
code { background: #f2f2f2; padding: 0 .25em; border-radius: 3px; font-size: .92em; }
table { border-collapse: collapse; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
table.ranked td { text-align: right; white-space: nowrap; }
table.ranked tr.tied td { background: #eef7ee; }
ul.warnings li { color: #8a4b00; }
section.goal { border: 1px solid #ddd; border-radius: 6px; padding: .2em 1em; margin: 1em 0; }
section.goal.unanswered { background: #fafafa; color: #555; }
figure { margin: 1.5em 0; }
svg { max-width: 100%; height: auto; }
";

/// The HTML report of a loaded sweep, with `charts` inline.
pub fn render(sweep: &Sweep, charts: &[Chart]) -> String {
    let mut h = String::new();
    let mode = sweep.meta.mode.name();
    let title = format!("kafkatune {mode} sweep {}", sweep.meta.sweep_id);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );

    h.push_str("<h2 id=\"setup\">Set-up</h2>\n<table class=\"setup\">\n");
    for (what, value) in setup(sweep) {
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td>{}</td></tr>",
            inline(&what),
            inline(&value)
        );
    }
    h.push_str("</table>\n");

    let warnings = warnings(sweep);
    if !warnings.is_empty() {
        h.push_str("<h2 id=\"warnings\">Warnings</h2>\n<ul class=\"warnings\">\n");
        for w in warnings {
            let _ = writeln!(h, "<li>{}</li>", inline(&w));
        }
        h.push_str("</ul>\n");
    }

    h.push_str("<h2 id=\"recommendations\">Recommendations</h2>\n");
    for rec in recommend(&sweep.meta, &sweep.summary) {
        let class = match rec {
            Recommendation::Best { .. } => "goal",
            Recommendation::CannotAnswer { .. } => "goal unanswered",
        };
        let _ = writeln!(
            h,
            "<section class=\"{class}\">\n<h3>{}</h3>",
            escape(rec.goal().title())
        );
        for sentence in rec.sentences(&sweep.meta) {
            let _ = writeln!(h, "<p>{}</p>", inline(&sentence));
        }
        h.push_str("</section>\n");
    }

    let presets = lab_presets(&sweep.summary);
    if !presets.is_empty() {
        h.push_str("<h3>The lab's guessed presets, measured</h3>\n<ul class=\"presets\">\n");
        for p in presets {
            let _ = writeln!(h, "<li>{}</li>", inline(&p));
        }
        h.push_str("</ul>\n");
    }

    let findings = findings(sweep);
    if !findings.is_empty() {
        h.push_str(
            "<h2 id=\"analysis\">What each swept property did</h2>\n<ul class=\"analysis\">\n",
        );
        for f in findings {
            let _ = writeln!(h, "<li>{}</li>", inline(&f.sentence));
        }
        h.push_str("</ul>\n");
        let _ = writeln!(
            h,
            "<p class=\"method\">{}</p>",
            inline(&super::effect_sentences::threshold_note())
        );
    }

    let physics = super::physics::physics(sweep);
    if !physics.is_empty() {
        h.push_str("<h2 id=\"physics\">What bound each trial at this network distance</h2>\n<ul class=\"analysis\">\n");
        for p in physics {
            let _ = writeln!(h, "<li>{}</li>", inline(&p));
        }
        h.push_str("</ul>\n");
    }

    let share = super::share::sentences(sweep);
    if !share.is_empty() {
        h.push_str("<h2 id=\"share\">Share groups</h2>\n<ul class=\"analysis\">\n");
        for s in share {
            let _ = writeln!(h, "<li>{}</li>", inline(&s));
        }
        h.push_str("</ul>\n");
        if let Some((header, rows)) = super::share_redelivery::table(sweep) {
            h.push_str("<p>Redeliveries by lock duration and processing (share runs):</p>\n");
            table(&mut h, "redeliveries", &header, &rows);
        }
    }

    let tradeoffs = tradeoffs(&sweep.meta, &sweep.summary);
    if !tradeoffs.is_empty() {
        h.push_str("<h2 id=\"tradeoffs\">Trade-offs</h2>\n");
        for t in &tradeoffs {
            let _ = writeln!(
                h,
                "<section class=\"tradeoff\">\n<h3>{}</h3>",
                escape(&capitalised(&subject(t)))
            );
            for sentence in sentences(&sweep.meta, t) {
                let _ = writeln!(h, "<p>{}</p>", inline(&sentence));
            }
            h.push_str("</section>\n");
        }
    }

    let processing = super::poll_risk::sentences(sweep);
    if !processing.is_empty() {
        h.push_str("<h2 id=\"processing\">Processing time and max.poll.interval.ms</h2>\n<ul class=\"processing\">\n");
        for s in processing {
            let _ = writeln!(h, "<li>{}</li>", inline(&s));
        }
        h.push_str("</ul>\n");
    }

    ranked(&mut h, sweep);

    if let Some((header, rows)) = super::workers::table(sweep) {
        h.push_str("<h2 id=\"workers\">Workers</h2>\n<p>What each host ran over the measured runs; a worker's timestamps are shifted by its clock offset.</p>\n");
        table(&mut h, "workers", &header, &rows);
    }

    if !charts.is_empty() {
        h.push_str("<h2 id=\"charts\">Charts</h2>\n");
        for chart in charts {
            let kind = chart.file_name.split('-').next().unwrap_or("chart");
            let id = chart.file_name.trim_end_matches(".svg");
            let _ = writeln!(
                h,
                "<figure class=\"chart {}\" id=\"{}\" aria-label=\"{}\">\n{}\n</figure>",
                escape(kind),
                escape(id),
                escape(&chart.title),
                inline_svg(&chart.svg)
            );
        }
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// A plain table of text cells.
fn table(h: &mut String, class: &str, header: &[String], rows: &[Vec<String>]) {
    let _ = write!(h, "<table class=\"{}\">\n<tr>", escape(class));
    for c in header {
        let _ = write!(h, "<th>{}</th>", inline(c));
    }
    h.push_str("</tr>\n");
    for row in rows {
        h.push_str("<tr>");
        for c in row {
            let _ = write!(h, "<td>{}</td>", inline(c));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

fn ranked(h: &mut String, sweep: &Sweep) {
    let (header, rows) = ranked_table(sweep);
    h.push_str("<h2 id=\"trials\">Trials, best first</h2>\n<table class=\"ranked\">\n<tr>");
    for c in &header {
        let _ = write!(h, "<th>{}</th>", inline(c));
    }
    h.push_str("</tr>\n");
    for (row, trial) in rows.iter().zip(&sweep.summary.trials) {
        let class = if trial.tied_with_best {
            " class=\"tied\""
        } else {
            ""
        };
        let _ = write!(h, "<tr{class}>");
        for c in row {
            let _ = write!(h, "<td>{}</td>", inline(c));
        }
        h.push_str("</tr>\n");
    }
    let _ = writeln!(
        h,
        "</table>\n<p>{} Tied rows are shaded.</p>",
        inline(&super::sections::table_note(&sweep.summary))
    );
}

/// An SVG as an element of the page: the XML namespace is implied in HTML, and leaving it
/// out keeps every URL out of the file.
pub(super) fn inline_svg(svg: &str) -> String {
    svg.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes text and turns `code` spans into `<code>` elements.
pub fn inline(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_and_escaping() {
        assert_eq!(inline("`a<b` & c"), "<code>a&lt;b</code> &amp; c");
    }

    #[test]
    fn svg_loses_its_namespace_url() {
        let svg = "<svg width=\"1\" xmlns=\"http://www.w3.org/2000/svg\"><text>x</text></svg>";
        assert_eq!(inline_svg(svg), "<svg width=\"1\"><text>x</text></svg>");
    }
}
