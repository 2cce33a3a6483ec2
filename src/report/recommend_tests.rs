use super::*;
use crate::report::test_support::{meta, summary, trial};

const T: &str = "throughput_msgs_per_s";
const CPU: &str = "cpu_s_per_million_msgs";

fn drain() -> (SweepMeta, SummaryFile) {
    let meta = meta(
        Mode::Drain,
        &["librdkafka", "java"],
        &[("fetch.min.bytes", &["1", "1024", "51200"])],
    );
    let trials = vec![
        trial(
            "t1",
            "librdkafka",
            &[("fetch.min.bytes", "1")],
            &[(T, &[1000.0, 1010.0, 1020.0, 1010.0]), (CPU, &[0.5; 4])],
        ),
        trial(
            "t2",
            "librdkafka",
            &[("fetch.min.bytes", "1024")],
            &[(T, &[1005.0, 1015.0, 1025.0, 1015.0]), (CPU, &[0.6; 4])],
        ),
        trial(
            "t3",
            "librdkafka",
            &[("fetch.min.bytes", "51200")],
            &[
                (T, &[500.0, 505.0, 510.0, 505.0]),
                (CPU, &[0.4, 0.41, 0.42, 0.41]),
            ],
        ),
        trial(
            "t4",
            "java",
            &[("fetch.min.bytes", "1")],
            &[(T, &[300.0, 301.0, 302.0, 301.0]), (CPU, &[2.0; 4])],
        ),
    ];
    (meta, summary(Mode::Drain, trials))
}

#[test]
fn throughput_names_the_best_its_ties_and_other_clients() {
    let (meta, summary) = drain();
    let recs = recommend(&meta, &summary);
    let Recommendation::Best {
        best,
        tied,
        other_clients,
        ..
    } = &recs[0]
    else {
        panic!("{:?}", recs[0])
    };
    assert_eq!(best.trial.trial_id, "t2");
    assert_eq!(
        tied.iter()
            .map(|p| p.trial.trial_id.as_str())
            .collect::<Vec<_>>(),
        ["t1"]
    );
    assert_eq!(other_clients[0].trial.trial_id, "t4");
    let text = recs[0].sentences(&meta);
    assert_eq!(text[0], "Best: `t2` librdkafka (fetch.min.bytes=1024), median 1015 msg/s (87.5% interval [1005, 1025], 4 runs, CV 1%).");
    assert_eq!(text[1], "The same trial measured: 0.600 CPU s/M msgs.");
    assert!(text[2].starts_with("Cannot be told apart from it (1 trial; a two-sided Mann-Whitney U test of the runs does not separate them at p <= 0.05): `t1` librdkafka (fetch.min.bytes=1): 1010 msg/s [1000, 1020]."), "{}", text[2]);
    assert!(text[3].starts_with("Best for java: `t4`"), "{}", text[3]);
}

#[test]
fn drain_cannot_answer_latency_and_names_the_run() {
    let (meta, summary) = drain();
    let recs = recommend(&meta, &summary);
    assert!(matches!(&recs[1], Recommendation::CannotAnswer { run, .. } if run == LIVE_RUN));
    assert_eq!(
        recs[1].sentences(&meta)[1],
        format!("Run `{LIVE_RUN}` to answer it.")
    );
}

#[test]
fn efficiency_prefers_less_cpu_and_says_when_clearly_ahead() {
    let (meta, summary) = drain();
    let recs = recommend(&meta, &summary);
    let Recommendation::Best { best, tied, .. } = &recs[2] else {
        panic!()
    };
    assert_eq!((best.trial.trial_id.as_str(), tied.len()), ("t3", 0));
    assert_eq!(
        recs[2].sentences(&meta)[1],
        "The same trial measured: throughput 505 msg/s."
    );
    assert!(
        recs[2].sentences(&meta)[2].starts_with("Every other trial is behind it beyond the noise")
    );
}

#[test]
fn live_cannot_answer_throughput_nor_unmeasured_cpu() {
    let meta = meta(Mode::Live, &["librdkafka"], &[]);
    let s = summary(
        Mode::Live,
        vec![trial(
            "t1",
            "librdkafka",
            &[],
            &[("latency_p99_ms", &[4.0, 5.0, 6.0])],
        )],
    );
    let recs = recommend(&meta, &s);
    assert!(matches!(&recs[0], Recommendation::CannotAnswer { run, .. } if run == DRAIN_RUN));
    assert!(matches!(&recs[1], Recommendation::Best { .. }));
    assert!(
        matches!(&recs[2], Recommendation::CannotAnswer { reason, .. } if reason.contains("no run recorded `cpu_s_per_million_msgs`"))
    );
}

const ACK: &str = "ack_latency_p99_ms";
const RATIO: &str = "compression_ratio";

fn produce(grid: &[(&str, &[&str])], codec: &str) -> (SweepMeta, SummaryFile) {
    let meta = meta(Mode::Produce, &["librdkafka"], grid);
    let t = |id: &str, linger: &str, tput: f64, ack: f64, cpu: f64, ratio: f64| {
        let params = [("linger.ms", linger), ("compression.type", codec)];
        let params = if grid.len() == 2 {
            &params[..]
        } else {
            &params[..1]
        };
        trial(
            id,
            "librdkafka",
            params,
            &[
                (T, &[tput * 0.99, tput, tput * 1.01, tput]),
                (ACK, &[ack * 0.99, ack, ack * 1.01, ack]),
                (CPU, &[cpu * 0.99, cpu, cpu * 1.01, cpu]),
                (RATIO, &[ratio; 4]),
            ],
        )
    };
    let trials = vec![
        t("t1", "0", 400e3, 3.0, 1.5, 0.65),
        t("t2", "5", 820e3, 8.0, 1.0, 0.54),
        t("t3", "50", 860e3, 24.0, 0.95, 0.53),
    ];
    (meta, summary(Mode::Produce, trials))
}

#[test]
fn produce_is_judged_on_throughput_ack_latency_cpu_and_bytes() {
    let (meta, summary) = produce(
        &[
            ("linger.ms", &["0", "5", "50"]),
            ("compression.type", &["lz4"]),
        ],
        "lz4",
    );
    let recs = recommend(&meta, &summary);
    let goals: Vec<Goal> = recs.iter().map(Recommendation::goal).collect();
    assert_eq!(
        goals,
        [
            Goal::Throughput,
            Goal::AckLatency,
            Goal::Efficiency,
            Goal::Bytes
        ]
    );
    let best = |i: usize| match &recs[i] {
        Recommendation::Best { best, .. } => best.trial.trial_id.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        [best(0), best(1), best(2), best(3)],
        ["t3", "t1", "t3", "t3"]
    );
    let text = recs[1].sentences(&meta);
    assert_eq!(
        text[0],
        "Best: `t1` librdkafka (linger.ms=0), median 3.00 ms (87.5% interval [2.97, 3.03], 4 runs, CV 1%)."
    );
    assert_eq!(
        text[1],
        "The same trial measured: throughput 400k msg/s, 1.50 CPU s/M msgs, wire/payload 0.650."
    );
    // compression.type was given one value: the bytes say what batching did, and which run
    // would show the codecs.
    let bytes = recs[3].sentences(&meta);
    assert_eq!(
        bytes[2],
        format!("Every trial compressed with `lz4`, so the bytes differ by batching alone; run `{CODEC_RUN}` (with this sweep's other settings) to see what a codec saves.")
    );
    assert!(
        bytes[3].starts_with("Every other trial is behind it beyond the noise"),
        "{}",
        bytes[3]
    );
}

#[test]
fn a_produce_sweep_with_codecs_swept_gets_no_codec_hint() {
    let (mut meta, summary) = produce(&[("linger.ms", &["0", "5", "50"])], "none");
    meta.grid.push((
        "compression.type".into(),
        vec!["none".into(), "zstd".into()],
    ));
    let recs = recommend(&meta, &summary);
    assert!(recs[3]
        .sentences(&meta)
        .iter()
        .all(|s| !s.contains(CODEC_RUN)));
}

#[test]
fn produce_cannot_answer_points_at_a_produce_run() {
    let meta = meta(Mode::Produce, &["java"], &[]);
    let s = summary(
        Mode::Produce,
        vec![trial("t1", "java", &[], &[(T, &[5e5]), (ACK, &[2.0])])],
    );
    let recs = recommend(&meta, &s);
    let Recommendation::CannotAnswer { reason, run, .. } = &recs[2] else {
        panic!("{:?}", recs[2])
    };
    assert!(reason.contains("the producer's CPU time"), "{reason}");
    assert_eq!(run, PRODUCE_RUN);
    assert!(
        matches!(&recs[3], Recommendation::CannotAnswer { run, .. } if run == PRODUCE_RUN),
        "{:?}",
        recs[3]
    );
}
