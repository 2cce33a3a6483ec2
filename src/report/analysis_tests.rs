use super::*;
use crate::report::load::Sweep;
use crate::report::test_support::{meta, summary, trial};
use crate::results::Mode;

const T: &str = "throughput_msgs_per_s";

fn sweep() -> (SweepMeta, SummaryFile) {
    let meta = meta(
        Mode::Drain,
        &["librdkafka"],
        &[
            ("max.poll.records", &["10", "500"]),
            ("fetch.min.bytes", &["1", "1024"]),
            ("check.crcs", &["true"]),
        ],
    );
    // max.poll.records matters (100 vs 200), fetch.min.bytes does not (within noise).
    let trials = vec![
        trial(
            "t1",
            "librdkafka",
            &[("max.poll.records", "10"), ("fetch.min.bytes", "1")],
            &[(T, &[99.0, 100.0, 101.0])],
        ),
        trial(
            "t2",
            "librdkafka",
            &[("max.poll.records", "10"), ("fetch.min.bytes", "1024")],
            &[(T, &[100.0, 101.0, 102.0])],
        ),
        trial(
            "t3",
            "librdkafka",
            &[("max.poll.records", "500"), ("fetch.min.bytes", "1")],
            &[(T, &[198.0, 200.0, 202.0])],
        ),
        trial(
            "t4",
            "librdkafka",
            &[("max.poll.records", "500"), ("fetch.min.bytes", "1024")],
            &[(T, &[199.0, 201.0, 203.0])],
        ),
    ];
    (meta, summary(Mode::Drain, trials))
}

#[test]
fn levels_are_medians_of_trial_medians() {
    let (meta, summary) = sweep();
    let effects = main_effects(&meta, &summary);
    assert_eq!(effects.len(), 2, "single-valued check.crcs is not swept");
    let mpr = &effects[0];
    assert_eq!(mpr.property, "max.poll.records");
    let medians: Vec<f64> = mpr.levels.iter().map(|l| l.median).collect();
    assert_eq!(medians, [100.5, 200.5]);
    assert_eq!(mpr.levels[0].trials, 2);
}

/// The same sweep as runs: each trial's three values are three runs.
fn runs() -> Sweep {
    let (meta, summary) = sweep();
    let values: [(&str, &str, [f64; 3]); 4] = [
        ("10", "1", [99.0, 100.0, 101.0]),
        ("10", "1024", [100.0, 101.0, 102.0]),
        ("500", "1", [198.0, 200.0, 202.0]),
        ("500", "1024", [199.0, 201.0, 203.0]),
    ];
    let records = values
        .iter()
        .enumerate()
        .flat_map(|(i, (mpr, fmb, runs))| {
            runs.iter().map(move |v| crate::results::RunRecord {
                trial_id: format!("t{}", i + 1),
                client: "librdkafka".into(),
                params: [("max.poll.records", *mpr), ("fetch.min.bytes", *fmb)]
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                throughput_msgs_per_s: Some(*v),
                ..Default::default()
            })
        })
        .collect();
    Sweep {
        dir: "/x".into(),
        meta,
        records,
        summary,
    }
}

#[test]
fn sentences_say_the_outcome_and_the_mechanism() {
    let findings = findings(&runs());
    assert_eq!(findings.len(), 2);
    assert!(findings[0].sentence.starts_with(
        "`max.poll.records` made a measurable difference (pooled over 6 runs per value, the other swept properties balanced out): throughput 100% higher at 500 than at 10 (95% CI "
    ), "{}", findings[0].sentence);
    assert!(
        findings[0]
            .sentence
            .contains("medians of the runs 100 at 10, 200 at 500 msg/s)."),
        "{}",
        findings[0].sentence
    );
    assert!(findings[1].sentence.starts_with("`fetch.min.bytes` made no measurable difference given the noise (pooled over 6 runs per value, the other swept properties balanced out: throughput 150"), "{}", findings[1].sentence);
    assert!(findings[1]
        .sentence
        .contains("cannot matter while draining a backlog"));
}

#[test]
fn lower_is_better_picks_the_minimum() {
    let e = Effect {
        property: "p".into(),
        client: "c".into(),
        levels: vec![
            Level {
                value: "a".into(),
                median: 5.0,
                ci_low: 4.0,
                ci_high: 6.0,
                trials: 1,
            },
            Level {
                value: "b".into(),
                median: 1.0,
                ci_low: 0.5,
                ci_high: 1.5,
                trials: 1,
            },
        ],
    };
    let (best, worst) = e.best_and_worst(false).unwrap();
    assert_eq!((best.value.as_str(), worst.value.as_str()), ("b", "a"));
}
