//! `kafkatune compare` of two capacity folders: each trial's capacity before and after (the
//! trials matched by client and settings), the ratio, and whether the change is beyond the
//! searches' brackets (a capacity lies between its last passing and first failing rate).

use std::fmt::Write;

use crate::capacity::search::show;
use crate::capacity_file::{CapacityFile, TrialCapacity};

fn key(t: &TrialCapacity) -> (String, Vec<(String, String)>) {
    (
        t.client.clone(),
        t.params
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

fn settings(t: &TrialCapacity) -> String {
    let p: Vec<String> = t.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{} {}", t.client, p.join(" "))
}

/// The bracket a capacity lies in: [capacity, first failing) (an open top at the ceiling).
fn bracket(t: &TrialCapacity) -> Option<(f64, f64)> {
    let c = t.capacity_msgs_per_s?;
    Some((c, t.first_failing_msgs_per_s.unwrap_or(f64::INFINITY)))
}

/// The comparison as Markdown.
pub fn compare(a: &CapacityFile, b: &CapacityFile, names: (&str, &str)) -> String {
    let mut out = String::new();
    let slo = |f: &CapacityFile| {
        f.settings
            .slo
            .iter()
            .map(|c| c.text.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "# kafkatune compare: capacity `{}` (A) → `{}` (B)\n",
        names.0, names.1
    );
    if slo(a) != slo(b) {
        let _ = writeln!(
            out,
            "The service levels differ (A: {}, B: {}): the capacities answer different questions.\n",
            slo(a),
            slo(b)
        );
    } else {
        let _ = writeln!(out, "Service level: {}.\n", slo(a));
    }
    out.push_str(
        "| trial | A msg/s | B msg/s | B / A | verdict |\n| --- | ---: | ---: | ---: | --- |\n",
    );
    for ta in &a.trials {
        let Some(tb) = b.trials.iter().find(|t| key(t) == key(ta)) else {
            let _ = writeln!(out, "| {} | {} | | | only in A |", settings(ta), cap(ta));
            continue;
        };
        let verdict = match (bracket(ta), bracket(tb)) {
            (Some((la, _)), Some((_, hb))) if hb <= la => {
                format!(
                    "lower in B (B fails at {}, A carried {})",
                    show(hb),
                    show(la)
                )
            }
            (Some((_, ha)), Some((lb, _))) if lb >= ha => {
                format!(
                    "higher in B (B carried {}, A failed at {})",
                    show(lb),
                    show(ha)
                )
            }
            (Some(_), Some(_)) => "within the searches' brackets: no change shown".into(),
            (None, None) => "no capacity in either".into(),
            (Some(_), None) => "B kept the service level at no rate".into(),
            (None, Some(_)) => "A kept the service level at no rate".into(),
        };
        let ratio = match (ta.capacity_msgs_per_s, tb.capacity_msgs_per_s) {
            (Some(x), Some(y)) if x > 0.0 => format!("{:.2}", y / x),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {ratio} | {verdict} |",
            settings(ta),
            cap(ta),
            cap(tb)
        );
    }
    for tb in b
        .trials
        .iter()
        .filter(|t| !a.trials.iter().any(|x| key(x) == key(t)))
    {
        let _ = writeln!(out, "| {} | | {} | | only in B |", settings(tb), cap(tb));
    }
    out
}

fn cap(t: &TrialCapacity) -> String {
    match (t.done, t.capacity_msgs_per_s) {
        (false, _) => "not finished".into(),
        (true, Some(c)) => show(c),
        (true, None) => "none".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(caps: &[(&str, Option<f64>, Option<f64>)]) -> CapacityFile {
        let text = r#"{"schema_version":1,"settings":{"slo":[{"text":"p99<20ms","percentile":99.0,"below_ms":20.0,"metric":"latency_p99_ms"}],"rate_low_msgs_per_s":1000.0,"rate_high_msgs_per_s":1e6,"resolution":0.05,"warmup_s":5.0,"step_duration_s":10.0,"min_records":1000,"min_achieved_ratio":0.99},"trials":[],"steps":0}"#;
        let mut f: CapacityFile = serde_json::from_str(text).unwrap();
        for (linger, c, fail) in caps {
            f.trials.push(TrialCapacity {
                trial_id: "t001".into(),
                client: "librdkafka".into(),
                params: [("linger.ms".to_string(), linger.to_string())].into(),
                capacity_msgs_per_s: *c,
                capacity_mib_per_s: None,
                first_failing_msgs_per_s: *fail,
                binding: None,
                limit: None,
                done: true,
                notes: Vec::new(),
                steps: Vec::new(),
            });
        }
        f
    }

    #[test]
    fn a_change_counts_only_beyond_both_brackets() {
        let a = file(&[
            ("0", Some(10_000.0), Some(10_400.0)),
            ("5", Some(20_000.0), Some(21_000.0)),
            ("50", None, None),
        ]);
        let b = file(&[
            ("0", Some(10_200.0), Some(10_700.0)),
            ("5", Some(30_000.0), Some(31_000.0)),
        ]);
        let text = compare(&a, &b, ("a", "b"));
        assert!(
            text.contains(
                "| librdkafka linger.ms=0 | 10000 | 10200 | 1.02 | within the searches' brackets"
            ),
            "{text}"
        );
        assert!(text.contains("| librdkafka linger.ms=5 | 20000 | 30000 | 1.50 | higher in B (B carried 30000, A failed at 21000) |"), "{text}");
        assert!(
            text.contains("linger.ms=50 | none | | | only in A"),
            "{text}"
        );
        assert!(text.contains("Service level: p99<20ms."));
    }
}
