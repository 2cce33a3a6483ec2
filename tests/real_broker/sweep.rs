//! The sweep end to end on a real broker: exact counts, the physical relations every record
//! must satisfy, odd workloads on several partitions.

use kafkatune::results::{RunRecord, Status};

use super::{kafkatune_on, out_dir, prepare_topic, records, shared, topic};

/// Relations that hold for every ok run, whatever the client.
pub fn check_physics(r: &RunRecord, messages: u64) {
    assert_eq!(r.status, Some(Status::Ok), "run failed: {:?}", r.error);
    assert_eq!(r.messages, messages, "exactly the messages asked for");
    let mpr: u64 = r.params["max.poll.records"].parse().unwrap();
    let polls = r.polls.unwrap();
    assert!(
        polls * mpr >= messages,
        "polls {polls} x max.poll.records {mpr} must cover {messages}"
    );
    assert!(
        r.records_per_poll_max.unwrap() <= mpr,
        "a poll returned more than max.poll.records"
    );
    let consume_s = r.consume_s.unwrap();
    let tput = r.throughput_msgs_per_s.unwrap();
    assert!(
        (tput - messages as f64 / consume_s).abs() / tput < 1e-9,
        "throughput = messages / consume_s"
    );
    let mib = r.throughput_mib_per_s.unwrap();
    assert!((mib - r.bytes as f64 / 1048576.0 / consume_s).abs() / mib < 1e-9);
    assert!(
        r.cpu_user_s.unwrap() + r.cpu_sys_s.unwrap() > 0.0,
        "CPU > 0"
    );
    assert!(r.peak_rss_bytes.unwrap() > 1_000_000, "RSS > 1 MB");
    assert!(r.startup_s.unwrap() >= 0.0 && r.time_to_first_record_s.unwrap() >= 0.0);
    assert!(
        r.wall_s >= r.startup_s.unwrap() + consume_s,
        "phases fit in the process's life"
    );
    assert!(r.fetch_requests.unwrap() >= 1.0, "fetch requests counted");
    assert_eq!(
        r.per_partition.as_ref().unwrap().values().sum::<u64>(),
        messages
    );
}

#[test]
fn a_small_grid_consumes_exact_counts_with_physical_relations() {
    let b = shared();
    let (_tmp, dir) = out_dir();
    let t = topic("grid");
    kafkatune_on("sweep", &b.bootstrap, &t)
        .args(["--prepare", "--messages", "20000"])
        .args([
            "--param",
            "max.poll.records=10,500",
            "--param",
            "fetch.min.bytes=1,51200",
            "--repeat",
            "2",
            "--seed",
            "7",
            "--no-report",
        ])
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    let recs = records(&dir);
    assert_eq!(recs.len(), 8, "4 trials x 2 runs");
    for r in &recs {
        check_physics(r, 20_000);
        assert_eq!(r.client, "librdkafka");
        assert_eq!(r.schema_version, kafkatune::results::SCHEMA_VERSION);
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["trials"].as_array().unwrap().len(), 4);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(meta["seed"], 7);
    assert_eq!(
        meta["broker"]["version"],
        serde_json::Value::Null,
        "an external cluster's version is not guessed"
    );
    assert!(meta["host"]["cpu_count"].as_u64().unwrap() >= 1);
    let csv = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 9);
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .contains("params.fetch.min.bytes"));
}

#[test]
fn odd_counts_and_sizes_on_several_partitions_are_exact() {
    let b = shared();
    let (_tmp, dir) = out_dir();
    let t = topic("odd");
    kafkatune_on("sweep", &b.bootstrap, &t)
        .args(["--prepare", "--partitions", "3"])
        .args([
            "--messages",
            "9999",
            "--message-size",
            "37",
            "-X",
            "max.poll.records=7",
            "--repeat",
            "1",
            "--no-report",
        ])
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    let recs = records(&dir);
    assert_eq!(recs.len(), 1);
    check_physics(&recs[0], 9999);
    assert_eq!(recs[0].bytes, 9999 * 37);
    assert_eq!(
        recs[0].per_partition.as_ref().unwrap().len(),
        3,
        "every partition read"
    );
}

#[test]
fn a_topic_with_more_messages_is_read_exactly_as_far_as_asked() {
    let b = shared();
    let t = topic("more");
    prepare_topic(&t, 5000);
    let (_tmp, dir) = out_dir();
    kafkatune_on("sweep", &b.bootstrap, &t)
        .args(["--messages", "1234", "--repeat", "1", "--no-report"])
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    check_physics(&records(&dir)[0], 1234);
}

#[test]
fn a_prepared_topic_is_reused_not_refilled() {
    let b = shared();
    let t = topic("reuse");
    let first = kafkatune_on("prepare", &b.bootstrap, &t)
        .args(["--prepare", "--messages", "3000"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&first.stdout)
        .contains("3000 messages readable (3000 produced now)"));
    let second = kafkatune_on("prepare", &b.bootstrap, &t)
        .args(["--messages", "3000"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("3000 messages readable (0 produced now)"),
        "{second:?}"
    );
}
