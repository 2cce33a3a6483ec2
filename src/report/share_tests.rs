use super::*;
use crate::report::test_support::{meta, summary, trial};

const T: &str = "throughput_msgs_per_s";

/// A sweep of group.type × consumers (× share.acquire.mode) on 2 partitions, 8 CPUs.
fn sweep(mode: Mode, values: &[(&str, u32, &str, f64)]) -> Sweep {
    let mut m = meta(
        mode,
        &["java"],
        &[
            (GROUP_TYPE, &["consumer", "share"]),
            (CONSUMERS, &["1", "2", "4", "8"]),
            ("share.acquire.mode", &["batch_optimized", "record_limit"]),
        ],
    );
    m.workload.partitions = 2;
    m.host.cpu_count = 8;
    let latency = latency_metric(mode).metric;
    let trials = values
        .iter()
        .enumerate()
        .map(|(i, (kind, n, acquire, t))| {
            let n = n.to_string();
            trial(
                &format!("t{i:02}"),
                "java",
                &[
                    (GROUP_TYPE, kind),
                    (CONSUMERS, n.as_str()),
                    ("share.acquire.mode", acquire),
                ],
                &[
                    (T, &[t * 0.99, *t, t * 1.01, *t]),
                    (latency, &[5.0; 4]),
                    ("cpu_s_per_million_msgs", &[1e6 / t; 4]),
                ],
            )
        })
        .collect();
    Sweep {
        dir: "/x".into(),
        meta: m,
        records: vec![],
        summary: summary(mode, trials),
    }
}

fn scaling_sweep(mode: Mode) -> Sweep {
    sweep(
        mode,
        &[
            ("consumer", 1, "record_limit", 100.0),
            ("consumer", 1, "batch_optimized", 110.0),
            ("consumer", 2, "record_limit", 200.0),
            ("consumer", 4, "record_limit", 201.0),
            ("consumer", 8, "record_limit", 199.0),
            ("share", 1, "record_limit", 50.0),
            ("share", 2, "record_limit", 100.0),
            ("share", 4, "record_limit", 190.0),
            ("share", 4, "batch_optimized", 150.0),
            ("share", 8, "record_limit", 380.0),
        ],
    )
}

#[test]
fn each_group_type_is_one_series_of_its_best_trial_per_count() {
    let s = series(&scaling_sweep(Mode::Drain));
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].group_type, "consumer");
    let c1 = &s[0].points[0];
    assert_eq!(
        (c1.consumers, c1.throughput.median),
        (1, 110.0),
        "the better of two trials that differ only by a share setting"
    );
    assert_eq!(
        c1.facet, "",
        "share settings do not tell a consumer group apart"
    );
    let s4 = &s[1].points[2];
    assert_eq!((s4.consumers, s4.throughput.median), (4, 190.0));
    assert_eq!(s4.facet, "share.acquire.mode=record_limit");
    assert_eq!(s4.latency.as_ref().unwrap().median, 5.0);
}

#[test]
fn the_consumer_group_stops_at_the_partitions_and_the_share_group_keeps_scaling() {
    let text = sentences(&scaling_sweep(Mode::Drain));
    assert!(
        text[0].starts_with("Consumer group: msg/s by consumers (each count's best trial; average fetch latency in brackets) 1: 110 (5.00 ms), 2: 200"),
        "{}",
        text[0]
    );
    assert!(
        text[0].contains("it stopped scaling at 2 consumers (4 consumers on 2 partitions leave 2 of them without a partition)"),
        "{}",
        text[0]
    );
    assert!(
        text[1].contains("it kept scaling past the 2 partitions, still growing at 8 consumers"),
        "{}",
        text[1]
    );
    assert!(
        text[2].contains("average fetch latency (fetch-latency-avg"),
        "{}",
        text[2]
    );
    assert!(
        text[3].starts_with("Past the 2 partitions, the share group against the consumer group at the same consumer count: 4: 190 against 201 msg/s (×0.95), 8: 380 against 199 msg/s (×1.9)"),
        "{}",
        text[3]
    );
}

#[test]
fn a_share_group_that_stops_before_the_partitions_says_why() {
    let s = sweep(
        Mode::Drain,
        &[
            ("share", 1, "record_limit", 100.0),
            ("share", 2, "record_limit", 101.0),
            ("share", 4, "record_limit", 99.0),
        ],
    );
    let text = sentences(&s);
    assert!(
        text[0].contains("it stopped scaling at 1 consumer, not past the 2 partitions (2 consumers fit the partitions and the CPUs"),
        "{}",
        text[0]
    );
}

#[test]
fn recommendations_follow_the_goals_of_recommend() {
    let sweep = scaling_sweep(Mode::Drain);
    let text = super::super::share_goals::recommendations(&sweep);
    assert_eq!(text.len(), 3, "{text:?}");
    assert!(
        text[0].starts_with("Recommended for throughput (messages per second): a share group with 8 consumers (share.acquire.mode=record_limit), trial `t09`, median 380 msg/s"),
        "{}",
        text[0]
    );
    assert!(
        text[0].contains("The best consumer group: a consumer group with 4 consumers, trial `t03`, 201 msg/s [199, 203]: behind beyond the noise."),
        "{}",
        text[0]
    );
    // The general recommendation names the same trial.
    let general = crate::report::recommend::recommend(&sweep.meta, &sweep.summary);
    match &general[0] {
        crate::report::recommend::Recommendation::Best { best, .. } => {
            assert_eq!(best.trial.trial_id, "t09")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        text[1].contains("this sweep cannot answer it: a drain sweep reads a backlog"),
        "{}",
        text[1]
    );
    assert!(text[2].starts_with("Recommended for efficiency (cpu seconds per million messages): a share group with 8 consumers"), "{}", text[2]);
}

#[test]
fn live_sweeps_plot_end_to_end_p99_and_cannot_rank_throughput() {
    let sweep = scaling_sweep(Mode::Live);
    assert_eq!(latency_metric(Mode::Live).metric, "latency_p99_ms");
    let text = sentences(&sweep);
    assert!(
        text[0].contains("p99 end-to-end latency in brackets"),
        "{}",
        text[0]
    );
    let goals = super::super::share_goals::recommendations(&sweep);
    assert!(
        goals[0].contains("cannot answer it: a live sweep paces the producer"),
        "{}",
        goals[0]
    );
    assert!(
        goals[1].starts_with(
            "Recommended for latency (p99 end to end): a consumer group with 1 consumer"
        ),
        "{}",
        goals[1]
    );
}

#[test]
fn a_sweep_without_a_share_group_has_no_share_section() {
    let s = sweep(Mode::Drain, &[("consumer", 1, "record_limit", 100.0)]);
    assert!(sentences(&s).is_empty());
    assert!(super::super::share_goals::recommendations(&s).is_empty());
}
