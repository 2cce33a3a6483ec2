use super::*;
use crate::report::test_support::{meta, summary, trial};

const T: &str = "throughput_msgs_per_s";
const ACK: &str = "ack_latency_p99_ms";
const CPU: &str = "cpu_s_per_million_msgs";
const RATIO: &str = "compression_ratio";

fn point(x: f64, y: f64) -> Point {
    noisy(x, (x, x), y, (y, y))
}

fn noisy(x: f64, x_interval: (f64, f64), y: f64, y_interval: (f64, f64)) -> Point {
    Point {
        client: "librdkafka".into(),
        trial_id: String::new(),
        label: String::new(),
        described: String::new(),
        codec: None,
        x,
        y,
        x_interval,
        y_interval,
        on_front: false,
    }
}

fn front_of(points: &[Point], x: Axis, y: Axis) -> Vec<usize> {
    pareto_front(points, x, y)
        .into_iter()
        .enumerate()
        .filter_map(|(i, on)| on.then_some(i))
        .collect()
}

#[test]
fn the_front_holds_the_trials_no_other_beats_on_both() {
    // x: throughput (higher better), y: latency (lower better).
    let points = [
        point(100.0, 2.0),  // 0: the lowest latency
        point(300.0, 5.0),  // 1: faster, slower to answer
        point(250.0, 6.0),  // 2: beaten by 1 on both
        point(500.0, 40.0), // 3: the highest throughput
        point(90.0, 2.0),   // 4: as fast to answer as 0, less throughput: beaten by 0
        point(300.0, 5.0),  // 5: equal to 1: both stay on the front
        point(400.0, 40.0), // 6: as slow as 3, less throughput: beaten by 3
    ];
    assert_eq!(front_of(&points, higher(T), lower(ACK)), [0, 1, 3, 5]);
    // Both lower-is-better (bytes against CPU): the other corner.
    let points = [
        point(1.0, 1.1),
        point(1.2, 0.5),
        point(2.0, 0.3),
        point(2.5, 0.5),
        point(0.9, 1.2),
    ];
    assert_eq!(front_of(&points, lower(CPU), lower(RATIO)), [0, 1, 2, 4]);
    // One point beating all is the front alone.
    let points = [point(1.0, 9.0), point(5.0, 1.0), point(4.0, 2.0)];
    assert_eq!(front_of(&points, higher(T), lower(ACK)), [1]);
    assert!(pareto_front(&[], higher(T), lower(ACK)).is_empty());
}

#[test]
fn a_difference_within_the_noise_keeps_no_trial_on_the_front() {
    // 1 has a lower median latency than 0, but their intervals overlap: a tie, and 0 uses
    // far less CPU, so 1 is beaten. 2 is cheaper still, but its latency is clearly worse.
    let points = [
        noisy(12.1, (12.0, 12.2), 100.0, (99.1, 101.0)),
        noisy(29.9, (29.6, 30.4), 99.5, (98.4, 101.0)),
        noisy(11.0, (10.9, 11.1), 398.0, (396.0, 401.0)),
    ];
    assert_eq!(
        front_of(&points, lower(CPU), lower("latency_p99_ms")),
        [0, 2]
    );
    // By medians alone 1 would stay on it.
    let exact: Vec<Point> = points.iter().map(|p| point(p.x, p.y)).collect();
    assert_eq!(
        front_of(&exact, lower(CPU), lower("latency_p99_ms")),
        [0, 1, 2]
    );
}

fn produce() -> (SweepMeta, SummaryFile) {
    let meta = meta(
        Mode::Produce,
        &["librdkafka"],
        &[
            ("linger.ms", &["0", "50"]),
            ("compression.type", &["none", "zstd"]),
        ],
    );
    let t = |id: &str, linger: &str, codec: &str, tput: f64, ack: f64, cpu: f64, ratio: f64| {
        trial(
            id,
            "librdkafka",
            &[("linger.ms", linger), ("compression.type", codec)],
            &[
                (T, &[tput, tput, tput]),
                (ACK, &[ack, ack, ack]),
                (CPU, &[cpu, cpu, cpu]),
                (RATIO, &[ratio, ratio, ratio]),
            ],
        )
    };
    let trials = vec![
        t("t1", "0", "none", 400e3, 3.0, 1.0, 1.10),
        t("t2", "0", "zstd", 300e3, 4.0, 1.8, 0.45),
        t("t3", "50", "none", 700e3, 55.0, 0.8, 1.08),
        t("t4", "50", "zstd", 500e3, 57.0, 1.4, 0.33),
    ];
    let mut meta = meta;
    meta.payload = Some(crate::workload::payload::PayloadInfo {
        kind: "json".into(),
        seed: Some(1),
        source_file: None,
        source_format: None,
        source_sha256: None,
        records_in_pool: 1024,
        value_bytes_avg: 100.0,
        batch_bytes: 16384,
        lz4_ratio: 0.46,
        zstd_ratio: 0.29,
    });
    (meta, summary(Mode::Produce, trials))
}

#[test]
fn a_produce_sweep_trades_latency_for_throughput_and_cpu_for_bytes() {
    let (meta, summary) = produce();
    let all = tradeoffs(&meta, &summary);
    let kinds: Vec<Kind> = all.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [Kind::Acknowledgement, Kind::Compression]);

    let ack = &all[0];
    assert_eq!((ack.x.metric, ack.y.metric), (T, ACK));
    let front: Vec<&str> = ack.front().iter().map(|p| p.trial_id.as_str()).collect();
    assert_eq!(front, ["t1", "t3"], "zstd is slower on both");
    let text = sentences(&meta, ack);
    assert_eq!(
        text[0],
        "The Pareto front of throughput (higher is better) and p99 acknowledgement latency (lower is better): the 2 trials that no other trial matches on both and beats on one (beyond the noise: intervals of the median apart), from the best on p99 acknowledgement latency to the best on throughput: `t1` librdkafka (linger.ms=0, compression.type=none): 400k msg/s, 3.00 ms; `t3` librdkafka (linger.ms=50, compression.type=none): 700k msg/s, 55.0 ms."
    );
    assert_eq!(
        text[1],
        "The other 2 trials are each matched on both and beaten on one by another trial."
    );

    let bytes = &all[1];
    let front: Vec<&str> = bytes.front().iter().map(|p| p.label.as_str()).collect();
    // Lingering longer costs less CPU and compresses better: t3 beats t1, t4 beats t2.
    assert_eq!(front, ["t4 zstd", "t3 none"]);
    let text = sentences(&meta, bytes);
    assert_eq!(
        text[2],
        "librdkafka, each `compression.type` (median of its trials): `none` 0.900 CPU s/M msgs, 1.09 wire/payload; `zstd` 1.60 CPU s/M msgs, 0.390 wire/payload."
    );
    assert!(
        text[3].contains("comes to 0.46 of its size with lz4 and 0.29 with zstd"),
        "{}",
        text[3]
    );
}

#[test]
fn one_trial_best_on_both_is_no_trade_off() {
    let meta = meta(Mode::Produce, &["java"], &[("acks", &["1", "all"])]);
    let t = |id: &str, acks: &str, tput: f64, ack: f64| {
        trial(
            id,
            "java",
            &[("acks", acks)],
            &[(T, &[tput]), (ACK, &[ack])],
        )
    };
    let s = summary(
        Mode::Produce,
        vec![t("t1", "1", 500e3, 2.0), t("t2", "all", 450e3, 2.5)],
    );
    let all = tradeoffs(&meta, &s);
    assert_eq!(
        all.len(),
        1,
        "no CPU nor ratio measured: no compression chart"
    );
    assert_eq!(
        sentences(&meta, &all[0]),
        [
            "No trade-off to make between throughput (higher is better) and p99 acknowledgement latency (lower is better): `t1` java (acks=1) is, within the noise, the best on both: 500k msg/s, 2.00 ms (medians of its runs).",
            "The other trial is matched on both and beaten on one by a trial on the front."
        ]
    );
}

#[test]
fn live_latency_is_traded_against_throughput_only_when_it_varied() {
    let t = |id: &str, tput: f64, p99: f64| {
        trial(
            id,
            "java",
            &[],
            &[(T, &[tput]), (CPU, &[1.0]), ("latency_p99_ms", &[p99])],
        )
    };
    let paced = summary(Mode::Live, vec![t("t1", 300.0, 4.0), t("t2", 295.0, 9.0)]);
    assert_eq!(live_metric(&paced), Some(lower(CPU)));
    let varied = summary(Mode::Live, vec![t("t1", 300.0, 4.0), t("t2", 3000.0, 9.0)]);
    assert_eq!(live_metric(&varied), Some(higher(T)));
    assert_eq!(live_metric(&summary(Mode::Live, vec![])), None);

    let meta = meta(Mode::Live, &["java"], &[]);
    let all = tradeoffs(&meta, &varied);
    assert_eq!(all[0].kind, Kind::EndToEnd);
    assert_eq!(all[0].file_stem(), "tradeoff-latency");
    assert!(all[0].points.iter().all(|p| p.on_front));
    // A drain sweep measures no latency to trade.
    let drain = meta_of(Mode::Drain);
    assert!(tradeoffs(&drain, &summary(Mode::Drain, vec![t("t1", 1.0, 1.0)])).is_empty());
}

fn meta_of(mode: Mode) -> SweepMeta {
    meta(mode, &["java"], &[])
}

#[test]
fn without_a_recorded_payload_the_report_says_so() {
    let (mut meta, _) = produce();
    meta.payload = None;
    assert!(payload_sentence(&meta).contains("`sweep.json` has no `payload`"));
}
