//! KafkaJS on the real broker beyond the contract suite: live latency from the record
//! stamps, a producer sweep's exact count in calls of `sendRecords`, and the throwaway group
//! a drain joins (KafkaJS always joins a group to consume) deleted after the run.

use kafkatune::results::Status;

use super::{groups, kafkatune_on, out_dir, records, shared, sweep_ok, topic};

#[test]
fn live_latency_comes_from_the_record_stamps() {
    let b = shared();
    let t = topic("kafkajs-live");
    let (_tmp, dir) = out_dir();
    kafkatune_on("sweep", &b.bootstrap, &t)
        .args(["--mode", "live", "--rate", "200", "--duration", "3"])
        .args(["--warmup", "5", "--prepare", "--client", "kafkajs"])
        .args(["--repeat", "1", "--no-report", "--out"])
        .arg(&dir)
        .assert()
        .success();
    let recs = records(&dir);
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.status, Some(Status::Ok), "{:?}", r.error);
    assert_eq!(r.messages, 1600, "200 msg/s x (5 + 3) s");
    assert!(r.latency_samples.unwrap() >= 550, "the measured 3 s");
    let p50 = r.latency_p50_ms.unwrap();
    assert!(
        p50 > 0.0 && p50 < 50.0,
        "minBytes=1: the broker answers a caught-up fetch at once, got {p50} ms"
    );
    assert!(r.latency_p50_ms <= r.latency_p99_ms && r.latency_p99_ms <= r.latency_max_ms);
    assert!(r.gc_count.is_some() && r.gc_time_ms.is_some(), "Node's GC");
    let (polls, empty) = (r.polls.unwrap(), r.empty_polls.unwrap());
    assert!(empty < polls, "empty fetch rounds {empty} of {polls} polls");
}

#[test]
fn a_producer_sweep_sends_exactly_the_messages_in_calls_of_send_records() {
    let (_tmp, dir) = out_dir();
    let t = format!("kafkatune-t-kafkajs-produce-{}", std::process::id());
    let (recs, _) = sweep_ok(
        kafkatune_on("sweep", &shared().bootstrap, &t)
            .args(["--mode", "produce", "--allow-write", "--messages", "20000"])
            .args(["--partitions", "2", "--client", "kafkajs", "--repeat", "1"])
            .args(["-X", "acks=all", "-X", "enable.idempotence=true"])
            .args(["--param", "kafkajs.sendRecords=100,1000", "--no-report"]),
        &dir,
        20_000,
    );
    assert_eq!(recs.len(), 2, "one run per sendRecords");
    for r in &recs {
        assert!(r.send_s.unwrap() > 0.0);
        assert_eq!(r.produce_errors, Some(0));
        let requests = r.produce_requests.unwrap();
        assert!(
            requests >= 20.0,
            "at least one request per call: {requests}"
        );
        assert!(r.ack_latency_p50_ms.unwrap() > 0.0);
        assert_eq!(
            r.per_partition.as_ref().unwrap().values().sum::<u64>(),
            20_000
        );
    }
    let calls = |n: &str| {
        recs.iter()
            .find(|r| r.params.get("kafkajs.sendRecords").map(String::as_str) == Some(n))
            .and_then(|r| r.client_metrics.get("send_calls").copied())
            .unwrap()
    };
    assert_eq!(calls("100"), 200.0, "20,000 records in calls of 100");
    assert_eq!(calls("1000"), 20.0, "20,000 records in calls of 1,000");
    assert_eq!(
        super::produce::end_count(&t),
        20_000,
        "each run found the topic emptied and left exactly its records"
    );
}

#[test]
fn a_drain_leaves_no_group_behind() {
    let b = shared();
    let t = topic("kafkajs-drain");
    let (_tmp, dir) = out_dir();
    let throwaway = || {
        groups(&b.bootstrap)
            .into_iter()
            .filter(|(g, _)| g.starts_with("kafkatune-kafkajs-"))
            .collect::<Vec<_>>()
    };
    let before = throwaway();
    sweep_ok(
        kafkatune_on("sweep", &b.bootstrap, &t)
            .args(["--prepare", "--messages", "5000", "--partitions", "3"])
            .args(["--client", "kafkajs", "--repeat", "2", "--no-report"]),
        &dir,
        5_000,
    );
    let left: Vec<_> = throwaway()
        .into_iter()
        .filter(|g| !before.contains(g))
        .collect();
    assert!(left.is_empty(), "throwaway groups left: {left:?}");
}

#[test]
fn a_live_group_of_two_reads_exactly_what_was_sent() {
    use super::group_live::{assert_latency_of_every_member, live_group, MESSAGES};
    let recs = live_group(
        "kafkajs-group-live",
        &[
            "--client",
            "kafkajs",
            "--partitions",
            "2",
            "--consumers",
            "2",
        ],
    );
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.per_consumer.len(), 2);
    assert!(
        r.per_consumer
            .iter()
            .all(|c| c.status == Some(Status::Ok) && c.messages > 0),
        "both members read: {:?}",
        r.per_consumer
    );
    assert_eq!(
        r.per_consumer.iter().map(|c| c.messages).sum::<u64>(),
        MESSAGES
    );
    let per_partition = r.per_partition.as_ref().unwrap();
    assert_eq!(per_partition["0"], MESSAGES / 2);
    assert_eq!(per_partition["1"], MESSAGES / 2);
    assert_latency_of_every_member(r);
    super::group::assert_gone(r.group_id.as_deref().unwrap());
}

#[test]
fn kafkajs_reads_through_mutual_tls_and_scram() {
    let b = shared();
    // Mutual TLS from the same PEM files as the other clients (ssl.ca, ssl.cert, ssl.key).
    let (_tmp, dir) = out_dir();
    let mut sweep = kafkatune_on("sweep", &b.tls_bootstrap, &topic("kafkajs-tls"));
    sweep.args(["--prepare", "--messages", "2000", "--repeat", "1"]);
    sweep.args(["--client", "kafkajs", "--no-report"]);
    for p in super::tls::tls_properties(true) {
        sweep.arg("-X").arg(p);
    }
    let (recs, _) = sweep_ok(&mut sweep, &dir, 2000);
    assert_eq!(recs[0].params["security.protocol"], "SSL");

    // SASL/SCRAM: the JAAS line's user and password become KafkaJS's sasl object.
    let tmp = tempfile::tempdir().unwrap();
    let jaas = super::scram_jaas(super::SCRAM_PASSWORD);
    let admin = tmp.path().join("admin.properties");
    let lines = [
        "security.protocol=SASL_PLAINTEXT",
        "sasl.mechanism=SCRAM-SHA-256",
        &jaas,
    ];
    std::fs::write(&admin, lines.join("\n")).unwrap();
    let (_tmp2, dir) = out_dir();
    let mut sweep = kafkatune_on("sweep", &b.scram_bootstrap, &topic("kafkajs-scram"));
    sweep.args(["--prepare", "--messages", "2000", "--repeat", "1"]);
    sweep.args(["--client", "kafkajs", "--no-report", "--command-config"]);
    sweep.arg(&admin);
    for p in lines {
        sweep.arg("-X").arg(p);
    }
    let (recs, printed) = sweep_ok(&mut sweep, &dir, 2000);
    assert_eq!(recs[0].params["sasl.jaas.config"], "*****");
    assert!(!printed.contains(super::SCRAM_PASSWORD));
    let config = serde_json::to_string(&recs[0].client_config).unwrap();
    assert!(config.contains("scram-sha-256") && !config.contains(super::SCRAM_PASSWORD));
}
