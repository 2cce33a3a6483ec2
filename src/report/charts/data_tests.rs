use super::*;
use crate::report::test_support::{meta, summary, trial};
use crate::results::Mode;

const T: &str = "throughput_msgs_per_s";

fn grid_sweep() -> (SweepMeta, SummaryFile) {
    let meta = meta(
        Mode::Drain,
        &["librdkafka", "java"],
        &[
            ("max.poll.records", &["10", "500"]),
            ("fetch.min.bytes", &["1", "1024"]),
            ("fetch.max.wait.ms", &["100", "500"]),
        ],
    );
    let mut trials = Vec::new();
    let mut id = 0;
    for (client, base) in [("librdkafka", 1000.0), ("java", 100.0)] {
        for mpr in ["10", "500"] {
            for fmb in ["1", "1024"] {
                for fmw in ["100", "500"] {
                    id += 1;
                    let v =
                        base + mpr.len() as f64 * 10.0 + fmb.len() as f64 + fmw.len() as f64 / 10.0;
                    let params = [
                        ("max.poll.records", mpr),
                        ("fetch.min.bytes", fmb),
                        ("fetch.max.wait.ms", fmw),
                    ];
                    trials.push(trial(
                        &format!("t{id:02}"),
                        client,
                        &params,
                        &[(T, &[v, v, v])],
                    ));
                }
            }
        }
    }
    (meta, summary(Mode::Drain, trials))
}

#[test]
fn axes_prefer_the_fetch_pair_else_the_first_two() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let lab = s(&["max.poll.records", "fetch.min.bytes", "fetch.max.wait.ms"]);
    assert_eq!(
        heatmap_axes(&lab),
        Some(("fetch.min.bytes".into(), "fetch.max.wait.ms".into()))
    );
    let other = s(&["max.poll.records", "fetch.max.bytes"]);
    assert_eq!(
        heatmap_axes(&other),
        Some(("max.poll.records".into(), "fetch.max.bytes".into()))
    );
    assert_eq!(heatmap_axes(&s(&["check.crcs"])), None);
}

#[test]
fn producer_axes_pair_the_batching_properties() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let pair = |x: &str, y: &str| Some((x.to_string(), y.to_string()));
    // Whatever order they were given in, linger.ms is the x axis.
    let grid = s(&["compression.type", "acks", "linger.ms"]);
    assert_eq!(heatmap_axes(&grid), pair("linger.ms", "compression.type"));
    let grid = s(&["compression.type", "batch.size", "linger.ms"]);
    assert_eq!(heatmap_axes(&grid), pair("linger.ms", "batch.size"));
    let grid = s(&["acks", "batch.size", "compression.type"]);
    assert_eq!(heatmap_axes(&grid), pair("batch.size", "compression.type"));
    // librdkafka's own spellings of the batching pair.
    let grid = s(&["librdkafka.queue.buffering.max.ms", "batch.num.messages"]);
    assert_eq!(
        heatmap_axes(&grid),
        pair("librdkafka.queue.buffering.max.ms", "batch.num.messages")
    );
    // No known pair: the first two, as given.
    let grid = s(&["acks", "enable.idempotence", "retries"]);
    assert_eq!(heatmap_axes(&grid), pair("acks", "enable.idempotence"));
}

#[test]
fn one_heatmap_per_client_and_facet() {
    let (meta, summary) = grid_sweep();
    let maps = heatmaps(&meta, &summary, T);
    assert_eq!(maps.len(), 4);
    let m = &maps[1];
    assert_eq!(m.client, "librdkafka");
    assert_eq!(
        m.facet,
        vec![("max.poll.records".to_string(), "500".to_string())]
    );
    assert_eq!(
        (m.x_values.clone(), m.y_values.clone()),
        (
            vec!["1".to_string(), "1024".into()],
            vec!["100".to_string(), "500".into()]
        )
    );
    // y = fetch.max.wait.ms rows, x = fetch.min.bytes columns.
    assert_eq!(
        m.cells,
        vec![
            vec![Some(1031.3), Some(1034.3)],
            vec![Some(1031.3), Some(1034.3)]
        ]
    );
}

#[test]
fn spread_rows_follow_the_summary_order_and_carry_runs() {
    let (meta, summary) = grid_sweep();
    let records = vec![RunRecord {
        trial_id: "t01".into(),
        throughput_msgs_per_s: Some(5.0),
        ..Default::default()
    }];
    let rows = run_spread(&meta, &summary, &records, T);
    assert_eq!(rows.len(), 16);
    assert_eq!(rows[0].label, "t01 10/1/100");
    assert_eq!(rows[0].runs, vec![5.0]);
    assert!(rows[1].runs.is_empty());
}

#[test]
fn clients_side_by_side_needs_two_clients() {
    let (meta, summary) = grid_sweep();
    let per_client = clients_side_by_side(&summary, &meta.clients, T);
    assert_eq!(per_client.len(), 2);
    assert_eq!(per_client[1].1.len(), 8);
    assert!(clients_side_by_side(&summary, &meta.clients[..1], T).is_empty());
}

#[test]
fn live_charts_need_latency() {
    let (meta, summary) = grid_sweep();
    assert!(latency_percentiles(&meta, &summary).is_empty());
    let lat = trial(
        "t1",
        "java",
        &[],
        &[
            ("latency_p50_ms", &[1.0]),
            ("latency_p99_ms", &[4.0]),
            (T, &[300.0]),
        ],
    );
    let live = crate::report::test_support::summary(Mode::Live, vec![lat]);
    assert_eq!(
        latency_percentiles(&meta, &live)[0],
        (
            "t1 java -/-/-".to_string(),
            vec![Some(1.0), None, Some(4.0), None]
        )
    );
}
