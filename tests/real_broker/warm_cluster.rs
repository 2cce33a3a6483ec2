//! A fresh embedded cluster is warmed before the first run, so that a run's place in the
//! order no longer decides its result. Without the warm-up, this very sweep's first run had
//! a p99 of 1,499 ms and the four after it 12 to 71 ms (2026-12-07, this machine); warmed,
//! 35 to 40 ms against 13 to 40 ms in three runs of this test. The other real-broker tests
//! leave the warm-up out (`KAFKATUNE_CLUSTER_WARMUP_S=0`): it would add about 7 s to each.

use kafkatune::results::SweepMeta;

use super::kafkatune;

#[test]
fn the_first_run_on_a_fresh_cluster_is_not_the_outlier_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("warm");
    let out = kafkatune()
        .env_remove("KAFKATUNE_CLUSTER_WARMUP_S")
        .args(["sweep", "--mode", "pipeline", "--brokers", "3"])
        .args(["--rate", "20000", "--messages", "100000", "--repeat", "4"])
        .args([
            "--client",
            "librdkafka",
            "-X",
            "acks=all",
            "-X",
            "linger.ms=5",
        ])
        .args(["--no-report", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warmed the cluster up"), "{stderr}");
    let meta: SweepMeta =
        serde_json::from_slice(&std::fs::read(dir.join("sweep.json")).unwrap()).unwrap();
    let warm = meta.cluster_warmup.expect("the warm-up is recorded");
    assert!(warm.rounds_msgs_per_s.len() >= 4, "{warm:?}");
    assert!(warm.consumed > 0, "the fetch path was warmed too: {warm:?}");
    let mut recs = super::records(&dir);
    recs.sort_by_key(|r| r.run_index);
    let p99: Vec<f64> = recs.iter().map(|r| r.latency_p99_ms.unwrap()).collect();
    let mut later = p99[1..].to_vec();
    later.sort_by(f64::total_cmp);
    let median_later = (later[1] + later[2]) / 2.0;
    eprintln!("warm-up {:?}; p99 by run {p99:?}", warm.rounds_msgs_per_s);
    // Unwarmed, the first run was 60 times the others' median; warmed, about twice on a quiet
    // machine. With another real-broker test on the other core (CI, 2026-12-08) the warm-up
    // was still climbing at its end and the first run was 9.1 times (181 ms against 20 ms):
    // the bound is an order of magnitude, which the unwarmed cluster breaks sixfold. Alone the
    // same day: 70.7 ms against 14.3 ms (4.9 times), the warm-up stopped after 7 rounds at its
    // first round within 10% while the rate still climbed: a warm-up to look at again.
    assert!(
        p99[0] <= 10.0 * median_later,
        "first run p99 {} ms against {median_later} ms after it: {p99:?}",
        p99[0]
    );
}
