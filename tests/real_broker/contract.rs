//! The contract every client driver passes against a real broker (docs/driver-protocol.md):
//! exact counts on one and several partitions, records per poll within max.poll.records,
//! every required field with its unit, a clear error for a setting the client rejects, and
//! a bounded exit when the broker goes away.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use kafkatune::broker::admin;
use kafkatune::clients::protocol::{
    Assignment, DriverResult, PartitionStart, Spec, PROTOCOL_VERSION,
};
use kafkatune::clients::{self, ClientKind, DriverCommand};
use kafkatune::results::{Mode, Status};
use kafkatune::sweep::runner::{self, RunOutcome};
use kafkatune::workload::producer;
use serde_json::Value;

use super::{shared, topic};

/// How to start a client's driver; librdkafka's is the kafkatune binary, not this test.
pub fn driver(client: ClientKind) -> DriverCommand {
    match client {
        ClientKind::Librdkafka => DriverCommand {
            program: PathBuf::from(
                std::process::Command::cargo_bin("kafkatune")
                    .unwrap()
                    .get_program(),
            ),
            args: vec!["driver".into(), "librdkafka".into()],
        },
        other => clients::prepare(other).expect("driver set-up (run `kafkatune setup` first)"),
    }
}

/// Creates `topic` with `partitions` and `messages` of `size` bytes on `bootstrap`.
pub fn fill(
    bootstrap: &str,
    topic: &str,
    partitions: i32,
    messages: u64,
    size: u32,
) -> Vec<PartitionStart> {
    let props = BTreeMap::new();
    admin::create_topic(
        bootstrap,
        &props,
        topic,
        partitions,
        Duration::from_secs(15),
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let offsets = loop {
        match admin::topic_offsets(bootstrap, &props, topic, Duration::from_secs(5)) {
            Ok(Some(p)) if p.len() == partitions as usize => break p,
            _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            other => panic!("topic {topic} did not come up: {other:?}"),
        }
    };
    let ids: Vec<i32> = offsets.iter().map(|p| p.partition).collect();
    let payload = kafkatune::workload::payload::Payload::generate(Default::default(), size, 1);
    producer::produce(
        bootstrap,
        &props,
        &producer::Fill {
            topic,
            partitions: &ids,
            count: messages,
            payload: &payload,
            settings: &Default::default(),
            timeout: Duration::from_secs(60),
        },
    )
    .unwrap();
    ids.into_iter()
        .map(|partition| PartitionStart {
            partition,
            start_offset: 0,
            end_offset: None,
        })
        .collect()
}

pub fn spec(
    client: ClientKind,
    bootstrap: &str,
    topic: &str,
    partitions: Vec<PartitionStart>,
    messages: u64,
    mpr: u64,
) -> Spec {
    Spec {
        protocol_version: PROTOCOL_VERSION,
        client: client.name().into(),
        run_id: Some("contract-r0".into()),
        bootstrap_servers: bootstrap.into(),
        topic: topic.into(),
        assignment: Assignment::Assign,
        group_id: None,
        partitions,
        messages,
        mode: Mode::Drain,
        max_poll_records: mpr,
        poll_timeout_ms: 100,
        properties: BTreeMap::new(),
        timeout_s: 60.0,
        live: None,
        start_file: None,
        stop_file: None,
        produce: None,
        share: None,
        processing: None,
    }
}

pub fn run(client: ClientKind, spec: &Spec) -> RunOutcome {
    let scratch = tempfile::tempdir().unwrap();
    let timeout = Duration::from_secs_f64(spec.timeout_s + 15.0);
    runner::run(&driver(client), spec, scratch.path(), timeout, || {}).unwrap()
}

fn ok_result(outcome: &RunOutcome) -> &DriverResult {
    let r = outcome
        .result
        .as_ref()
        .unwrap_or_else(|| panic!("no result: {:?}\n{}", outcome.failure, outcome.stderr_tail));
    assert_eq!(
        r.status,
        Some(Status::Ok),
        "{:?}\n{}",
        r.error,
        outcome.stderr_tail
    );
    r
}

/// Fields every ok result carries, with plausible values in their units.
fn check_fields(client: ClientKind, r: &DriverResult, messages: u64, size: u64, mpr: u64) {
    assert_eq!(r.protocol_version, 1);
    assert_eq!(r.client, client.name());
    assert!(
        r.client_version
            .as_deref()
            .is_some_and(|v| v.chars().next().unwrap().is_ascii_digit()),
        "{:?}",
        r.client_version
    );
    assert_eq!(r.messages, messages);
    assert_eq!(r.bytes, messages * size);
    let (ready, first, last) = (
        r.ready_unix_us.unwrap(),
        r.first_record_unix_us.unwrap(),
        r.last_record_unix_us.unwrap(),
    );
    assert!(
        ready <= first && first <= last,
        "ready {ready} <= first {first} <= last {last} (µs)"
    );
    let consume_s = r.consume_s.unwrap();
    assert!(
        consume_s > 0.0 && consume_s < 60.0,
        "consume_s in seconds: {consume_s}"
    );
    assert!(
        ((last - first) as f64 / 1e6 - consume_s).abs() < 0.05,
        "consume_s agrees with the wall-clock stamps"
    );
    let polls = r.polls.unwrap();
    assert!(
        polls * mpr >= messages,
        "polls {polls} x {mpr} >= {messages}"
    );
    assert!(r.records_per_poll_max.unwrap() <= mpr && r.records_per_poll_max.unwrap() >= 1);
    assert!(r.empty_polls.unwrap() < polls);
    assert_eq!(r.per_partition.values().sum::<u64>(), messages);
    assert!(r.fetch_requests.unwrap() >= 1.0, "fetch requests");
    let lat = r.fetch_latency_avg_ms.unwrap();
    assert!((0.0..10_000.0).contains(&lat), "fetch latency in ms: {lat}");
    // The Java and Python clients record fetch sizes only once a fetch is drained, so a run
    // that stops inside its first fetch may have none.
    assert!(r.fetch_bytes_avg.is_none_or(|b| b >= 0.0));
    assert!(r.records_lag_max.is_some());
    assert!(r.poll_api.is_some());
    assert!(
        r.latency_histogram.is_none(),
        "drain mode carries no latency"
    );
    if client == ClientKind::Java {
        assert!(
            r.gc_count.is_some() && r.gc_time_ms.is_some(),
            "the JVM reports GC"
        );
    }
    if client == ClientKind::FranzGo {
        // Go's collector, from runtime/metrics: cycles so far and their pauses.
        assert!(r.gc_count.is_some(), "Go reports GC cycles");
        assert!(r.gc_time_ms.is_some_and(|t| t >= 0.0), "{:?}", r.gc_time_ms);
    }
    if client == ClientKind::KafkaJs {
        // Node's collections from perf_hooks: a drain of thousands of records allocates.
        assert!(
            r.gc_count.is_some_and(|n| n >= 1) && r.gc_time_ms.is_some_and(|t| t > 0.0),
            "Node reports GC: {:?} {:?}",
            r.gc_count,
            r.gc_time_ms
        );
        assert!(r.records_lag_max.is_some_and(|l| l >= 0.0));
    }
    // The client's whole resolved configuration: what kafkatune set, and the defaults.
    let config = r.client_config.as_ref().expect("client_config");
    let (auto_commit, default_only) = match client {
        ClientKind::Librdkafka | ClientKind::ConfluentKafkaPython => {
            ("enable.auto.commit", "socket.timeout.ms")
        }
        ClientKind::Java => ("enable.auto.commit", "request.timeout.ms"),
        ClientKind::KafkaPython => ("enable_auto_commit", "request_timeout_ms"),
        // An assigned franz-go consumer has no group, so nothing to commit automatically.
        ClientKind::FranzGo => ("ServerSideBalancer", "RequestRetries"),
        ClientKind::KafkaJs => ("autoCommit", "requestTimeout"),
        ClientKind::Fake => unreachable!("the contract suite runs real clients"),
    };
    assert_eq!(config[auto_commit], "false", "{config:?}");
    assert!(
        config[default_only].parse::<u64>().unwrap() > 0,
        "a default the run did not set: {config:?}"
    );
    match client {
        ClientKind::Java => assert_eq!(config["max.poll.records"], mpr.to_string()),
        ClientKind::KafkaPython => assert_eq!(config["max_poll_records"], mpr.to_string()),
        ClientKind::KafkaJs => assert_eq!(config["maxWaitTimeInMs"], "5000", "KafkaJS's default"),
        ClientKind::Librdkafka
        | ClientKind::ConfluentKafkaPython
        | ClientKind::FranzGo
        | ClientKind::Fake => {}
    }
}

fn exact_counts(client: ClientKind) {
    let b = shared();
    let t1 = topic(&format!("contract1-{}", client.name()));
    let parts = fill(&b.bootstrap, &t1, 1, 20_000, 100);
    let outcome = run(client, &spec(client, &b.bootstrap, &t1, parts, 20_000, 500));
    check_fields(client, ok_result(&outcome), 20_000, 100, 500);
    assert!(
        ok_result(&outcome).fetch_bytes_avg.unwrap() > 0.0,
        "a drained topic has fetch sizes"
    );
    assert!(outcome.usage.user_s + outcome.usage.sys_s > 0.0 && outcome.usage.peak_rss_bytes > 0);

    let t3 = topic(&format!("contract3-{}", client.name()));
    let parts = fill(&b.bootstrap, &t3, 3, 9_999, 37);
    // Fewer than the topic holds, with a small max.poll.records: exact, never one more.
    let outcome = run(
        client,
        &spec(client, &b.bootstrap, &t3, parts.clone(), 7_777, 13),
    );
    check_fields(client, ok_result(&outcome), 7_777, 37, 13);
    let outcome = run(client, &spec(client, &b.bootstrap, &t3, parts, 9_999, 500));
    let r = ok_result(&outcome);
    check_fields(client, r, 9_999, 37, 500);
    assert_eq!(r.per_partition.len(), 3);
}

fn rejected_setting(client: ClientKind) {
    let b = shared();
    let t = topic(&format!("reject-{}", client.name()));
    let parts = fill(&b.bootstrap, &t, 1, 10, 100);
    let mut s = spec(client, &b.bootstrap, &t, parts, 10, 500);
    let name = match client {
        ClientKind::KafkaPython => "no_such_setting",
        _ => "no.such.setting",
    };
    s.properties.insert(name.into(), Value::from("1"));
    let outcome = run(client, &s);
    let r = outcome
        .result
        .as_ref()
        .expect("a failed result is still a result");
    assert_eq!(r.status, Some(Status::Failed));
    let error = r.error.as_deref().unwrap();
    assert!(error.contains(name), "the error names the setting: {error}");
}

fn bounded_when_messages_never_come(client: ClientKind) {
    let b = shared();
    let t = topic(&format!("short-{}", client.name()));
    let parts = fill(&b.bootstrap, &t, 1, 100, 100);
    let mut s = spec(client, &b.bootstrap, &t, parts, 1_000, 500);
    // Long enough for a JVM to start and read the 100 messages on a busy 2-core machine.
    s.timeout_s = 12.0;
    let started = Instant::now();
    let outcome = run(client, &s);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the driver ends near its timeout"
    );
    let r = outcome.result.as_ref().expect("a result");
    assert_eq!(r.status, Some(Status::Failed));
    assert!(
        r.error.as_deref().unwrap().contains("timed out"),
        "{:?}",
        r.error
    );
    assert_eq!(r.messages, 100, "partial counts are kept");
}

macro_rules! contract {
    ($name:ident, $client:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn consumes_exact_counts_with_every_field() {
                exact_counts($client);
            }
            #[test]
            fn a_rejected_setting_is_a_clear_failure() {
                rejected_setting($client);
            }
            #[test]
            fn ends_within_its_timeout_when_messages_never_come() {
                bounded_when_messages_never_come($client);
            }
            #[test]
            fn ends_cleanly_when_the_broker_dies() {
                super::super::faults::driver_survives_broker_death($client);
            }
        }
    };
}

contract!(librdkafka, ClientKind::Librdkafka);
contract!(java, ClientKind::Java);
contract!(kafka_python, ClientKind::KafkaPython);
contract!(confluent_kafka_python, ClientKind::ConfluentKafkaPython);
contract!(franz_go, ClientKind::FranzGo);
contract!(kafkajs, ClientKind::KafkaJs);
