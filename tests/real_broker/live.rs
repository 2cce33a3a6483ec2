//! Live mode's physical sanity test: at a low rate, with fetch.min.bytes far above what
//! arrives within fetch.max.wait.ms, every fetch waits the full wait, so latencies spread
//! from 0 to about the wait (median near half of it, p99 near all of it); with
//! fetch.min.bytes=1 the median is a few milliseconds.

use kafkatune::results::Status;

use super::{kafkatune_on, out_dir, records, shared, topic};

#[test]
fn fetch_min_bytes_holds_fetches_for_the_full_wait() {
    let b = shared();
    let t = topic("live");
    let (_tmp, dir) = out_dir();
    kafkatune_on("sweep", &b.bootstrap, &t)
        .args([
            "--mode",
            "live",
            "--rate",
            "300",
            "--duration",
            "6",
            "--warmup",
            "2",
            "--prepare",
        ])
        .args([
            "--param",
            "fetch.min.bytes=1,1048576",
            "-X",
            "fetch.max.wait.ms=400",
            "--repeat",
            "1",
            "--no-report",
        ])
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    let recs = records(&dir);
    assert_eq!(recs.len(), 2);
    for r in &recs {
        assert_eq!(r.status, Some(Status::Ok), "{:?}", r.error);
        assert_eq!(r.messages, 2400, "300 msg/s x (2 + 6) s");
        let rate = r.produce_rate_msgs_per_s.unwrap();
        assert!(
            (rate - 300.0).abs() / 300.0 < 0.01,
            "producer on schedule: {rate}"
        );
        assert!(
            r.latency_samples.unwrap() >= 1700,
            "the warm-up is left out, the rest counted"
        );
    }
    let by = |v: &str| {
        recs.iter()
            .find(|r| r.params["fetch.min.bytes"] == v)
            .unwrap()
    };
    let eager = by("1");
    let held = by("1048576");
    let (p50, p99) = (held.latency_p50_ms.unwrap(), held.latency_p99_ms.unwrap());
    assert!(
        (150.0..=260.0).contains(&p50),
        "held fetches: median near 200 ms, got {p50}"
    );
    // The upper bound leaves room for a busy 2-core machine: a scheduling delay adds to the tail.
    assert!(
        (340.0..=650.0).contains(&p99),
        "held fetches: p99 near 400 ms, got {p99}"
    );
    assert!(
        eager.latency_p50_ms.unwrap() < 20.0,
        "eager fetches: median a few ms, got {}",
        eager.latency_p50_ms.unwrap()
    );
    assert!(
        held.fetch_requests_per_s.unwrap() < eager.fetch_requests_per_s.unwrap(),
        "holding fetches means fewer of them"
    );
}

#[test]
fn every_client_measures_end_to_end_latency() {
    let b = shared();
    let t = topic("live-all");
    let (_tmp, dir) = out_dir();
    kafkatune_on("sweep", &b.bootstrap, &t)
        .args([
            "--mode",
            "live",
            "--rate",
            "200",
            "--duration",
            "3",
            "--warmup",
            "5",
            "--prepare",
        ])
        .args([
            "--client",
            "librdkafka,java,kafka-python",
            "-X",
            "fetch.max.wait.ms=100",
            "--repeat",
            "1",
            "--no-report",
        ])
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    let recs = records(&dir);
    assert_eq!(recs.len(), 3);
    for r in &recs {
        assert_eq!(r.status, Some(Status::Ok), "{}: {:?}", r.client, r.error);
        assert_eq!(r.messages, 1600, "{}: 200 msg/s x (5 + 3) s", r.client);
        assert!(
            r.latency_samples.unwrap() >= 550,
            "{}: the measured 3 s are counted",
            r.client
        );
        let p50 = r.latency_p50_ms.unwrap();
        assert!(
            p50 > 0.0 && p50 < 50.0,
            "{}: a caught-up consumer with fetch.min.bytes=1 answers within ms, got {p50}",
            r.client
        );
        assert!(r.latency_p50_ms <= r.latency_p99_ms && r.latency_p99_ms <= r.latency_max_ms);
        assert!(r.fetch_requests_per_s.unwrap() > 0.0 && r.consume_rate_msgs_per_s.unwrap() > 0.0);
    }
}
