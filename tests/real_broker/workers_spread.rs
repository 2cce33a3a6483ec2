//! Producers on workers, the workers' host facts and clocks in sweep.json, and the clock
//! rule's refusal: three (or one) worker processes on the shared broker.

use std::collections::BTreeSet;

use kafkatune::results::{Status, SweepMeta};

use super::workers::{fleet, workers};
use super::{out_dir, records, shared, topic};

use super::produce::end_count;

fn sweep_meta(dir: &std::path::Path) -> SweepMeta {
    serde_json::from_str(&std::fs::read_to_string(dir.join("sweep.json")).unwrap()).unwrap()
}

#[test]
fn three_workers_each_run_one_of_three_producers_and_the_topic_gains_exactly_the_acknowledged() {
    let fleet = fleet("producers");
    let ws = workers(&fleet, &["p1", "p2", "p3"]);
    let t = format!("kafkatune-t-workers-producers-{}", std::process::id());
    let (_tmp, dir) = out_dir();
    let out = super::kafkatune()
        .args([
            "sweep",
            "--bootstrap-servers",
            &shared().bootstrap,
            "--topic",
            &t,
        ])
        .args(["--mode", "produce", "--allow-write", "--partitions", "3"])
        .args([
            "--messages",
            "9001",
            "--param",
            "producers=3",
            "--repeat",
            "1",
        ])
        .args([
            "-X",
            "acks=all",
            "-X",
            "enable.idempotence=true",
            "--no-report",
        ])
        .args([
            "--workers",
            "3",
            "--fleet",
            &fleet,
            "--workers-timeout",
            "60",
        ])
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    let logs: Vec<String> = ws.iter().map(|w| w.log()).collect();
    assert!(
        out.status.success(),
        "{}\n{logs:#?}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = records(&dir);
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.status, Some(Status::Ok), "{:?}", r.error);
    assert_eq!(r.messages, 9001);
    assert_eq!(
        end_count(&t),
        9001,
        "the topic holds exactly the acknowledged"
    );
    assert_eq!(r.per_producer.len(), 3);
    assert_eq!(
        r.per_producer
            .iter()
            .map(|p| p.messages_asked)
            .collect::<Vec<_>>(),
        [3001, 3000, 3000]
    );
    let used: BTreeSet<String> = r
        .per_producer
        .iter()
        .map(|p| p.worker.clone().expect("each producer names its worker"))
        .collect();
    assert_eq!(
        used,
        BTreeSet::from(["p1".into(), "p2".into(), "p3".into()])
    );
    for p in &r.per_producer {
        assert_eq!(p.status, Some(Status::Ok), "{:?}", p.error);
        assert_eq!(p.messages, p.messages_asked);
        assert!(p.ack_latency_p50_ms.is_some() && p.throughput_msgs_per_s.is_some());
    }
    // Merged, not averaged: the run's p50 lies within the producers' p50s, its p99 is at
    // least the smallest of theirs.
    let p50s: Vec<f64> = r
        .per_producer
        .iter()
        .filter_map(|p| p.ack_latency_p50_ms)
        .collect();
    let (lo, hi) = (
        p50s.iter().copied().fold(f64::MAX, f64::min),
        p50s.iter().copied().fold(0.0, f64::max),
    );
    let p50 = r.ack_latency_p50_ms.unwrap();
    assert!(
        lo * 0.99 <= p50 && p50 <= hi * 1.01,
        "{p50} outside {p50s:?}"
    );
    // The run's throughput spans all of them: no producer's own is above the sum.
    let tput = r.throughput_msgs_per_s.unwrap();
    let own_sum: f64 = r
        .per_producer
        .iter()
        .filter_map(|p| p.throughput_msgs_per_s)
        .sum();
    assert!(tput <= own_sum * 1.0001, "{tput} > {own_sum}");

    // sweep.json: each worker with its host, its clients and its clock. On one host the
    // true offset is 0, so the measured one lies within its uncertainty (the NTP bound).
    let meta = sweep_meta(&dir);
    assert_eq!(meta.workers.len(), 3);
    for w in &meta.workers {
        assert!(w.host.cpu_count > 0);
        assert!(w.client_versions.contains_key("librdkafka"), "{w:?}");
        assert!(w.client_versions.contains_key("java"), "{w:?}");
        assert!(w.client_versions.contains_key("kafka-python"), "{w:?}");
        assert!(w.round_trip_ms > 0.0 && w.round_trip_ms < 5_000.0, "{w:?}");
        assert!(
            (w.clock_uncertainty_ms * 2.0 - w.round_trip_ms).abs() <= 0.002,
            "{w:?}"
        );
        assert!(
            w.clock_offset_ms.abs() <= w.clock_uncertainty_ms + 0.001,
            "{w:?}"
        );
        let p = r
            .per_producer
            .iter()
            .find(|p| p.worker.as_deref() == Some(w.name.as_str()))
            .unwrap();
        assert_eq!(p.worker_clock_offset_ms, Some(w.clock_offset_ms));
    }

    // The report's Workers section: each worker's row with the one producer it ran and the
    // records it saw acknowledged (3001, 3000, 3000 between them, in some order).
    let out = super::kafkatune().arg("report").arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    let section = md.split("## Workers").nth(1).expect("a Workers section");
    let mut produced = Vec::new();
    for w in &meta.workers {
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| {} |", w.name)))
            .unwrap_or_else(|| panic!("no row for {}: {section}", w.name));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | name | machine | clock | consumers | producers | consumed | produced | ...
        assert_eq!((cells[4], cells[5]), ("0", "1"), "{row}");
        produced.push(cells[7].parse::<u64>().unwrap());
    }
    produced.sort_unstable();
    assert_eq!(produced, [3000, 3000, 3001], "{section}");
}

#[test]
fn a_worker_whose_clock_may_be_off_more_than_allowed_is_refused_and_stays_free() {
    let fleet = fleet("clock");
    let ws = workers(&fleet, &["c1"]);
    let t = topic("workers-clock");
    let args = |dir: &std::path::Path| {
        let mut cmd = super::kafkatune();
        cmd.args([
            "sweep",
            "--bootstrap-servers",
            &shared().bootstrap,
            "--topic",
            &t,
        ])
        .args(["--prepare", "--partitions", "2", "--messages", "2000"])
        .args(["--param", "consumers=1", "--repeat", "1", "--no-report"])
        .args([
            "--workers",
            "1",
            "--fleet",
            &fleet,
            "--workers-timeout",
            "60",
        ])
        .arg("--out")
        .arg(dir);
        cmd
    };
    let (_tmp, dir) = out_dir();
    let out = args(&dir)
        .args(["--max-clock-error", "0.001"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("worker c1's clock"), "{stderr}");
    assert!(stderr.contains("0.001 ms"), "{stderr}");
    assert!(stderr.contains("--max-clock-error"), "{stderr}");
    assert!(
        !ws[0].log().contains("working for sweep"),
        "refused before it was taken"
    );
    // Not taken, so free for the next sweep.
    let (_tmp2, dir2) = out_dir();
    let out = args(&dir2).output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        ws[0].log()
    );
    let recs = records(&dir2);
    assert_eq!(recs[0].status, Some(Status::Ok), "{:?}", recs[0].error);
    let c = &recs[0].per_consumer[0];
    assert_eq!(c.worker.as_deref(), Some("c1"));
    let meta = sweep_meta(&dir2);
    assert_eq!(
        c.worker_clock_offset_ms,
        Some(meta.workers[0].clock_offset_ms)
    );
}
