//! The embedded broker (and cluster) starts, answers, and stops cleanly, leaving no Java
//! process behind.

use std::time::Duration;

use kafkatune::broker::admin;
use kafkatune::broker::embedded::{BrokerSetup, EmbeddedBroker};
use kafkatune::broker::jars;
use predicates::prelude::*;

use super::{java_processes_with, kafkatune, kafkatune_on, out_dir, prepare_topic, records};

#[test]
fn starts_answers_and_stops_without_leftovers() {
    let mut broker =
        EmbeddedBroker::start(&jars::locate().unwrap(), &BrokerSetup::default()).unwrap();
    assert!(broker.bootstrap.starts_with("127.0.0.1:"));
    assert_ne!(
        broker.bootstrap, "127.0.0.1:9092",
        "a free port, not Kafka's default"
    );
    assert!(admin::metadata_ok(
        &broker.bootstrap,
        &Default::default(),
        Duration::from_secs(5)
    ));
    let dir = broker.dir.clone();
    let needle = dir.to_string_lossy().into_owned();
    assert_eq!(java_processes_with(&needle).len(), 1);
    broker.stop();
    assert!(
        java_processes_with(&needle).is_empty(),
        "no Java process left"
    );
    assert!(!dir.exists(), "its folder is removed");
}

/// `key=value` of a properties file.
fn property(text: &str, key: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_string())
}

/// The single broker's start-up, from the start call to a metadata request that succeeded:
/// printed (`--nocapture` shows it), not asserted, since it depends on what else the machine
/// runs. Each start is a cluster of its own (a fresh cluster id and directory id in a copy
/// of the formatted folder) on a static one-voter quorum.
#[test]
fn a_single_broker_is_ready_in_a_few_seconds_with_its_own_ids() {
    let jars = jars::locate().unwrap();
    let mut times = Vec::new();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let mut broker = EmbeddedBroker::start(&jars, &BrokerSetup::default()).unwrap();
        times.push(started.elapsed().as_secs_f64());
        assert!(admin::metadata_ok(
            &broker.bootstrap,
            &Default::default(),
            Duration::from_secs(5)
        ));
        let config = std::fs::read_to_string(broker.dir.join("server.properties")).unwrap();
        let voters = property(&config, "controller.quorum.voters").unwrap();
        assert!(
            voters.starts_with("1@127.0.0.1:") && !voters.contains(','),
            "{voters}"
        );
        let meta = std::fs::read_to_string(broker.dir.join("data/meta.properties")).unwrap();
        assert_eq!(property(&meta, "node.id").as_deref(), Some("1"));
        assert_eq!(property(&meta, "version").as_deref(), Some("1"));
        ids.push((
            property(&meta, "cluster.id").unwrap(),
            property(&meta, "directory.id").unwrap(),
        ));
        broker.stop();
    }
    assert!(
        ids[0].0 != ids[1].0 && ids[1].0 != ids[2].0 && ids[0].1 != ids[1].1,
        "every start has its own cluster and directory ids: {ids:?}"
    );
    eprintln!(
        "embedded broker ready in {} s (start call to a successful metadata request; load average {})",
        times
            .iter()
            .map(|t| format!("{t:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or("?")
    );
}

/// A cluster of three brokers, one JVM each: its metadata lists the three, a topic created
/// with three replicas has them all in sync and takes `acks=all` writes, and nothing is
/// left running once it is dropped. Its start-up time is printed, not asserted.
#[test]
fn a_three_broker_cluster_replicates_and_leaves_nothing_behind() {
    use kafkatune::broker::Cluster;
    use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

    let started = std::time::Instant::now();
    let cluster = Cluster::embedded_with(3).unwrap();
    let ready_in = started.elapsed().as_secs_f64();
    assert_eq!(cluster.broker_count(), 3);
    assert!(cluster.is_embedded());
    assert_eq!(cluster.kind(), "embedded");
    let pids = cluster.embedded_pids();
    let embedded = cluster.embedded_cluster.as_ref().unwrap().lock().unwrap();
    assert_eq!(embedded.controllers, 3);
    let dir = embedded.dir.clone();
    let needle = dir.to_string_lossy().into_owned();
    assert_eq!(pids.len(), 3);
    let mut java = java_processes_with(&needle);
    java.sort_unstable();
    let mut expected = pids.clone();
    expected.sort_unstable();
    assert_eq!(
        java, expected,
        "one JVM per broker, each in the cluster's folder"
    );
    assert_eq!(cluster.bootstrap.split(',').count(), 3);

    let props = admin::ClientProps::new();
    let timeout = Duration::from_secs(30);
    // Each broker answers for the whole cluster.
    for broker in &embedded.brokers {
        assert_eq!(
            admin::broker_count(&broker.bootstrap, &props, timeout).unwrap(),
            3,
            "metadata from broker {}",
            broker.node_id
        );
        let meta = std::fs::read_to_string(broker.dir.join("data/meta.properties")).unwrap();
        assert_eq!(property(&meta, "node.id"), Some(broker.node_id.to_string()));
        assert_eq!(
            property(&meta, "cluster.id").as_deref(),
            Some(embedded.cluster_id.as_str())
        );
    }

    let replication = cluster.replication();
    assert_eq!(replication.factor, 3);
    assert_eq!(replication.min_insync_replicas, Some(2));
    let t = super::topic("rf3");
    admin::create_topic_replicated(&cluster.bootstrap, &props, &t, 3, replication, timeout)
        .unwrap();
    let deadline = std::time::Instant::now() + timeout;
    let partitions = loop {
        let partitions = admin::topic_replicas(&cluster.bootstrap, &props, &t, timeout).unwrap();
        let all_in_sync =
            partitions.len() == 3 && partitions.iter().all(|p| p.isr.len() == 3 && p.leader > 0);
        if all_in_sync || std::time::Instant::now() > deadline {
            break partitions;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(partitions.len(), 3, "{partitions:?}");
    for p in &partitions {
        let mut replicas = p.replicas.clone();
        replicas.sort_unstable();
        assert_eq!(replicas, vec![1, 2, 3], "{p:?}");
        let mut isr = p.isr.clone();
        isr.sort_unstable();
        assert_eq!(isr, vec![1, 2, 3], "all in sync: {p:?}");
    }
    // Writes that every in-sync replica acknowledges (acks=all, min.insync.replicas=2).
    let producer: BaseProducer = admin::client_config(&cluster.bootstrap, &props)
        .set("acks", "all")
        .create()
        .unwrap();
    for i in 0..300 {
        let key = i.to_string();
        producer
            .send(BaseRecord::to(&t).key(&key).payload("x"))
            .unwrap();
    }
    producer.flush(timeout).unwrap();
    let offsets = admin::topic_offsets(&cluster.bootstrap, &props, &t, timeout)
        .unwrap()
        .unwrap();
    assert_eq!(offsets.iter().map(|p| p.high - p.low).sum::<i64>(), 300);

    let stopping = std::time::Instant::now();
    drop(producer);
    drop(embedded);
    drop(cluster);
    let stopped_in = stopping.elapsed().as_secs_f64();
    assert!(
        java_processes_with(&needle).is_empty(),
        "no broker left running"
    );
    assert!(pids
        .iter()
        .all(|&pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()));
    assert!(!dir.exists(), "its folder is removed");
    eprintln!(
        "embedded cluster of 3 brokers ready in {ready_in:.2} s, stopped in {stopped_in:.2} s (load average {})",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or("?")
    );
}

#[test]
fn the_default_sweep_runs_on_an_embedded_broker_and_stops_it() {
    let cache = tempfile::tempdir().unwrap();
    let kafka_home = jars::locate().unwrap().libs.parent().unwrap().to_path_buf();
    let (_tmp, dir) = out_dir();
    kafkatune()
        .args([
            "sweep",
            "--messages",
            "5000",
            "--repeat",
            "1",
            "--no-report",
        ])
        .arg("--out")
        .arg(&dir)
        .env("KAFKATUNE_CACHE", cache.path())
        .env("KAFKA_HOME", &kafka_home)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "embedded Apache Kafka 4.4.0 broker ready at 127.0.0.1:",
        ));
    let recs = records(&dir);
    assert_eq!(recs[0].messages, 5000);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(meta["broker"]["kind"], "embedded");
    assert_eq!(meta["broker"]["version"], "4.4.0");
    assert!(
        java_processes_with(&cache.path().to_string_lossy()).is_empty(),
        "the embedded broker is gone"
    );
}

#[test]
fn broker_start_status_stop() {
    let cache = tempfile::tempdir().unwrap();
    let kafka_home = jars::locate().unwrap().libs.parent().unwrap().to_path_buf();
    let run = |args: &[&str]| {
        let mut cmd = kafkatune();
        cmd.args(args)
            .env("KAFKATUNE_CACHE", cache.path())
            .env("KAFKA_HOME", &kafka_home);
        cmd
    };
    run(&["broker", "status"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no kafkatune broker is running"));
    let out = run(&["broker", "start"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}");
    let address = stdout
        .split_whitespace()
        .find(|w| w.starts_with("127.0.0.1:"))
        .unwrap()
        .to_string();
    assert!(
        stdout.contains("kafkatune broker stop"),
        "says how to stop it: {stdout}"
    );
    run(&["broker", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "running: Apache Kafka 4.4.0 at {address}"
        )));
    run(&["broker", "stop"]).assert().success();
    assert!(java_processes_with(&cache.path().to_string_lossy()).is_empty());
    run(&["broker", "status"]).assert().code(3);
}

#[test]
fn an_unreachable_cluster_is_reported_within_the_timeout() {
    let started = std::time::Instant::now();
    kafkatune()
        .args([
            "sweep",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "--repeat",
            "1",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "no answer from the Kafka cluster at 127.0.0.1:1 within 15 s",
        ));
    assert!(started.elapsed() < Duration::from_secs(40));
}

#[test]
fn a_missing_topic_on_a_users_cluster_is_not_created_without_allow_write() {
    let b = super::shared();
    kafkatune_on("sweep", &b.bootstrap, "no-such-topic-here")
        .args(["--repeat", "1"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("topic no-such-topic-here does not exist")
                .and(predicate::str::contains("--allow-write")),
        );
}

#[test]
fn a_topic_with_too_few_messages_is_an_error_before_measuring() {
    let b = super::shared();
    let t = super::topic("few");
    prepare_topic(&t, 100);
    let (_tmp, dir) = out_dir();
    kafkatune_on("sweep", &b.bootstrap, &t)
        .args(["--messages", "1000", "--repeat", "1", "--no-report"])
        .arg("--out")
        .arg(&dir)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "topic {t} holds 100 messages, fewer than the 1000 asked for"
        )));
    let offsets = admin::topic_offsets(
        &b.bootstrap,
        &admin::ClientProps::new(),
        &t,
        Duration::from_secs(10),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        offsets.iter().map(|p| p.high - p.low).sum::<i64>(),
        100,
        "nothing was written to a topic kafkatune did not fill in this command"
    );
    // Nothing was measured: the same folder takes the corrected command.
    kafkatune_on("sweep", &b.bootstrap, &t)
        .args(["--messages", "100", "--repeat", "1", "--no-report"])
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(records(&dir).len(), 1);
}

#[test]
fn a_sweep_commits_no_offset_in_any_group() {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::{ClientConfig, Offset, TopicPartitionList};

    let b = super::shared();
    let t = super::topic("nocommit");
    let (_tmp, dir) = out_dir();
    kafkatune_on("sweep", &b.bootstrap, &t)
        .args([
            "--prepare",
            "--messages",
            "2000",
            "--repeat",
            "1",
            "--client",
            "librdkafka,java,kafka-python",
            "--no-report",
        ])
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    assert_eq!(records(&dir).len(), 3);
    // Every group on the broker (other tests' included): none holds an offset of the topic.
    let config = |group: &str| {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &b.bootstrap)
            .set("group.id", group);
        c
    };
    let mut partition = TopicPartitionList::new();
    partition.add_partition(&t, 0);
    for (group, _) in super::groups(&b.bootstrap) {
        let c: BaseConsumer = config(&group).create().unwrap();
        let committed = c
            .committed_offsets(partition.clone(), Duration::from_secs(10))
            .unwrap();
        let offset = committed.find_partition(&t, 0).unwrap().offset();
        assert_eq!(
            offset,
            Offset::Invalid,
            "group {group} committed {offset:?}"
        );
    }
}
