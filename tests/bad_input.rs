//! Bad input is rejected before any work starts: a message that says what to do, exit code 2,
//! no panic, no broker started, nothing written.

use assert_cmd::Command;
use predicates::prelude::*;

fn kafkatune() -> Command {
    let mut cmd = Command::cargo_bin("kafkatune").unwrap();
    // A cache with nothing in it: a bad input must fail before anything is fetched or started.
    cmd.env(
        "KAFKATUNE_CACHE",
        std::env::temp_dir().join("kafkatune-bad-input-cache"),
    )
    .timeout(std::time::Duration::from_secs(20));
    cmd
}

/// Runs `kafkatune sweep ARGS` and checks exit 2, the message, and no panic.
fn rejects(args: &[&str], message: &str) {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("sweep");
    let mut cmd = kafkatune();
    cmd.arg("sweep").args(args);
    if !args.iter().any(|a| *a == "--out" || *a == "--resume") {
        cmd.arg("--out").arg(&dir);
    }
    cmd.assert()
        .code(2)
        .stderr(predicate::str::contains(message))
        .stderr(predicate::str::contains("panicked").not());
    assert!(
        !dir.join("results.jsonl").exists(),
        "nothing may be written for a bad input"
    );
}

#[test]
fn unknown_property_suggests_the_nearest_name() {
    rejects(
        &["--param", "fetch.min.byte=1,2"],
        "did you mean `fetch.min.bytes`?",
    );
    rejects(
        &["-X", "fetch.max.wait=100"],
        "did you mean `fetch.max.wait.ms`?",
    );
}

#[test]
fn wrong_type_or_range_is_named() {
    rejects(
        &["--param", "fetch.min.bytes=1,ten"],
        "must be a whole number",
    );
    rejects(&["-X", "fetch.max.wait.ms=-5"], "must be between 0 and");
    rejects(&["-X", "check.crcs=maybe"], "must be true or false");
}

#[test]
fn empty_or_duplicated_grids_are_refused() {
    rejects(&["--param", "fetch.min.bytes="], "a value is empty");
    rejects(&["--param", "fetch.min.bytes=1,,2"], "a value is empty");
    rejects(&["--param", "fetch.min.bytes=1,1"], "given twice");
    rejects(
        &[
            "--param",
            "fetch.min.bytes=1",
            "--param",
            "fetch.min.bytes=2",
        ],
        "given twice",
    );
    rejects(&["--param", "fetch.min.bytes"], "expected NAME=V1,V2,...");
}

#[test]
fn a_large_grid_needs_yes() {
    rejects(
        &[
            "--param",
            "fetch.min.bytes=1,2,3,4,5,6,7,8,9,10",
            "--param",
            "fetch.max.wait.ms=1,2,3,4,5,6,7,8,9,10",
            "--repeat",
            "5",
        ],
        "pass --yes to run it",
    );
}

#[test]
fn unknown_preset_client_or_mode() {
    rejects(
        &["--preset", "fast"],
        "invalid value 'fast' for '--preset <NAME>'\n  [possible values: seed, seed-live,",
    );
    rejects(
        &["--client", "go"],
        "[possible values: librdkafka, java, kafka-python, confluent-kafka-python, franz-go, kafkajs, all]",
    );
    rejects(
        &["--mode", "turbo"],
        "[possible values: drain, live, produce, pipeline]",
    );
}

#[test]
fn conflicting_options() {
    rejects(
        &["--param", "fetch.min.bytes=1,2", "-X", "fetch.min.bytes=3"],
        "both swept (--param) and fixed (-X)",
    );
    rejects(
        &["--rate", "100"],
        "--rate is for the modes with a producer: add --mode live, pipeline or produce",
    );
    rejects(
        &["--mode", "produce", "--duration", "5"],
        "--duration and --warmup-s are for live mode",
    );
    rejects(
        &["--mode", "live", "--duration", "5"],
        "live mode needs --rate",
    );
    rejects(&["-X", "group.id=mine"], "set by kafkatune itself");
    rejects(
        &["--client", "java", "-X", "queued.min.messages=10"],
        "java client cannot honour `queued.min.messages`",
    );
}

#[test]
fn zero_messages_and_bad_numbers() {
    rejects(&["--messages", "0"], "--messages must be at least 1");
    rejects(&["--repeat", "0"], "--repeat must be at least 1");
    rejects(&["--partitions", "0"], "--partitions must be between 1");
    rejects(&["--run-timeout=-1"], "--run-timeout must be a positive");
    rejects(&["--bootstrap-servers", "localhost"], "expected HOST:PORT");
    rejects(&["--topic", "bad topic!"], "is not a valid topic name");
}

#[test]
fn a_missing_properties_file_is_named() {
    rejects(
        &["--consumer.config", "/nonexistent/consumer.properties"],
        "cannot read the properties file /nonexistent/consumer.properties",
    );
}

#[test]
fn an_output_folder_that_cannot_be_written() {
    let file = tempfile::NamedTempFile::new().unwrap();
    // A folder inside a regular file cannot be created.
    let out = file.path().join("sub");
    rejects(
        &["--out", out.to_str().unwrap()],
        "cannot write the output folder",
    );
}

#[test]
fn resume_of_a_folder_that_is_not_a_sweep() {
    let dir = tempfile::tempdir().unwrap();
    rejects(
        &["--resume", dir.path().to_str().unwrap()],
        "not a kafkatune sweep folder",
    );
}

#[test]
fn clap_errors_exit_2_too() {
    kafkatune()
        .args(["sweep", "--no-such-option"])
        .assert()
        .code(2);
    kafkatune().arg("frobnicate").assert().code(2);
}

#[test]
fn help_names_the_commands_and_the_kafka_options() {
    kafkatune().arg("--help").assert().success().stdout(
        predicate::str::contains("sweep")
            .and(predicate::str::contains("broker"))
            .and(predicate::str::contains("report")),
    );
    kafkatune()
        .args(["sweep", "--help"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("--bootstrap-servers")
                .and(predicate::str::contains("--consumer.config"))
                .and(predicate::str::contains("-X <KEY=VALUE>")),
        );
}

#[test]
fn properties_lists_the_translation_table() {
    // A column per client that spells names its own way, `=` where it takes Kafka's.
    kafkatune().arg("properties").assert().success().stdout(
        predicate::str::is_match(
            r"fetch\.max\.wait\.ms\s+consumer\s+fetch\.wait\.max\.ms\s+=\s+fetch_max_wait_ms",
        )
        .unwrap()
        .and(predicate::str::is_match(r"Kafka name\s+side\s+librdkafka \(also confluent-kafka-python\)\s+java\s+kafka-python").unwrap())
        .and(predicate::str::is_match(r"queued\.min\.messages\s+consumer\s+=\s+-\s+-").unwrap()),
    );
}

#[test]
fn tls_stores_a_client_cannot_read_are_refused_with_the_way_out() {
    // Kafka's default store type is JKS, which only the Java client reads.
    rejects(
        &[
            "--client",
            "librdkafka",
            "-X",
            "security.protocol=SSL",
            "-X",
            "ssl.truststore.location=/etc/kafka/truststore.jks",
        ],
        "ssl.truststore.type=PEM",
    );
    // The Java client alone reads it, but kafkatune's admin and producer side is librdkafka.
    rejects(
        &[
            "--client",
            "java",
            "--bootstrap-servers",
            "127.0.0.1:1",
            "-X",
            "ssl.truststore.location=/etc/kafka/truststore.jks",
        ],
        "--command-config",
    );
}

#[test]
fn an_output_folder_that_holds_a_sweep_is_not_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sweep");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("sweep.json"), "{}").unwrap();
    std::fs::write(dir.join("results.jsonl"), "kept\n").unwrap();
    kafkatune()
        .args(["sweep", "--out"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already holds a sweep"))
        .stderr(predicate::str::contains("--resume"));
    assert_eq!(
        std::fs::read_to_string(dir.join("results.jsonl")).unwrap(),
        "kept\n"
    );
}

#[test]
fn a_setting_of_the_side_a_mode_does_not_run_is_refused() {
    rejects(&["-X", "linger.ms=5"], "`linger.ms` is a producer setting");
    rejects(
        &["--param", "compression.type=none,lz4"],
        "measure it with --mode produce",
    );
    rejects(
        &["--mode", "produce", "-X", "fetch.min.bytes=1"],
        "`fetch.min.bytes` is a consumer setting",
    );
    rejects(
        &["--mode", "produce", "--consumers", "2"],
        "a produce sweep runs producers",
    );
    rejects(
        &[
            "--mode",
            "produce",
            "--client",
            "kafka-python",
            "-X",
            "buffer.memory=1000000",
        ],
        "kafka-python client cannot honour `buffer.memory`",
    );
    rejects(&["--mode", "produce", "-X", "acks=2"], "acks");
}

#[test]
fn a_setting_kafkajs_lacks_is_refused_naming_what_it_does_instead() {
    for (args, message) in [
        (
            &["--mode", "produce", "--client", "kafkajs", "-X", "linger.ms=5"][..],
            "kafkajs client cannot honour `linger.ms=5` (KafkaJS has no linger and no batch size: it sends what each send() call is given",
        ),
        (
            &["--mode", "produce", "--client", "all", "--param", "batch.size=16384,65536"][..],
            "kafkajs client cannot honour `batch.size",
        ),
        (
            &["--client", "kafkajs", "-X", "group.protocol=consumer", "--consumers", "2"][..],
            "KafkaJS speaks only the classic group protocol",
        ),
        (
            &["--client", "kafkajs", "-X", "max.poll.interval.ms=1000"][..],
            "sessionTimeout",
        ),
        (
            &["--mode", "produce", "--client", "kafkajs", "-X", "compression.type=zstd"][..],
            "use gzip or none",
        ),
    ] {
        rejects(args, message);
    }
}

#[test]
fn kafkajs_without_node_names_the_debian_packages() {
    let empty = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    kafkatune()
        .env("PATH", empty.path())
        .args(["sweep", "--client", "kafkajs", "--out"])
        .arg(out.path().join("sweep"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--client kafkajs: its driver needs `node`, which is not on PATH",
        ))
        .stderr(predicate::str::contains("apt-get install -y nodejs npm"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn a_produce_sweep_writes_only_to_its_own_topics() {
    rejects(
        &["--mode", "produce", "--topic", "orders"],
        "only to topics kafkatune creates",
    );
}

#[test]
fn a_missing_or_empty_payload_file_is_named() {
    rejects(
        &["--payload", "/nonexistent/sample.jsonl"],
        "/nonexistent/sample.jsonl",
    );
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    rejects(&["--payload", empty.to_str().unwrap()], "empty.jsonl");
    let cut = dir.path().join("cut.bin");
    std::fs::write(&cut, [0, 0, 0, 9, b'a']).unwrap();
    rejects(
        &[
            "--payload",
            cut.to_str().unwrap(),
            "--payload-format",
            "length-prefixed",
        ],
        "cut.bin",
    );
    rejects(
        &[
            "--payload-kind",
            "json",
            "--payload",
            empty.to_str().unwrap(),
        ],
        "cannot be used with",
    );
}

#[test]
fn a_live_message_too_small_for_its_send_time_is_refused() {
    rejects(
        &[
            "--mode",
            "live",
            "--rate",
            "10",
            "--duration",
            "1",
            "--message-size",
            "7",
        ],
        "8-byte send time",
    );
}

#[test]
fn brokers_must_be_an_embedded_cluster_of_one_to_nine() {
    rejects(&["--brokers", "0"], "--brokers 0: give 1 to 9 brokers");
    rejects(
        &["--brokers", "3", "--bootstrap-servers", "b:9092"],
        "--brokers starts an embedded cluster",
    );
}

#[test]
fn the_cluster_warm_up_is_for_an_embedded_cluster_and_a_few_minutes_at_most() {
    rejects(
        &["--cluster-warmup-s=-1"],
        "--cluster-warmup-s -1: give 0 (no warm-up) to 600 seconds",
    );
    rejects(
        &["--cluster-warmup-s", "5", "--bootstrap-servers", "b:9092"],
        "your cluster is running already",
    );
}

#[test]
fn network_settings_that_cannot_be_set_are_refused_with_the_way_out() {
    rejects(
        &["--network", "latency=-1ms"],
        "a delay cannot be negative; give whole milliseconds",
    );
    rejects(&["--network", "latency=20"], "has no unit");
    rejects(
        &["--network", "latency=0.5ms"],
        "not a whole number of milliseconds",
    );
    rejects(
        &["--network", "delay=5ms"],
        "use latency, jitter or bandwidth",
    );
    rejects(
        &["--network", "latency=2ms,jitter=5ms"],
        "give a jitter of at most the latency",
    );
    rejects(
        &["--param", "network.latency=0ms,-3ms"],
        "--param network.latency=-3ms: a delay cannot be negative",
    );
    rejects(
        &["-X", "network.latency=5ms"],
        "give it as --network latency=10ms",
    );
    rejects(
        &[
            "--network",
            "latency=5ms",
            "--param",
            "network.latency=1ms,2ms",
        ],
        "both swept (--param) and fixed (--network)",
    );
    rejects(
        &[
            "--network",
            "latency=10ms",
            "--bootstrap-servers",
            "127.0.0.1:1",
        ],
        "run kafkatune where your consumers run",
    );
    // 100,000 x 100 B need 10 MB; at 8 kbit/s (1 KB/s) that is 10,000 s.
    rejects(
        &[
            "--network",
            "bandwidth=8kbit",
            "--messages",
            "100000",
            "--run-timeout",
            "60",
        ],
        "give a bandwidth of at least",
    );
}

#[test]
fn a_processing_time_that_is_not_one_is_refused_with_its_syntax() {
    rejects(
        &["--processing", "abc"],
        "--processing abc: not a processing time",
    );
    rejects(&["--processing", "abc"], "batch:5ms");
    rejects(
        &["--param", "processing=0us,fast"],
        "--param processing=fast: not a processing time",
    );
    rejects(&["--processing", "2min"], "at most 60 s");
    rejects(&["-X", "processing=1ms"], "give it as --processing 200us");
    rejects(
        &["--processing", "1ms", "--param", "processing=0us,1ms"],
        "both swept (--param) and fixed (--processing)",
    );
    rejects(
        &["--mode", "produce", "--processing", "1ms"],
        "a produce sweep runs producers",
    );
}

/// Runs `kafkatune tune ARGS` and checks exit 2, the message, no panic, nothing written.
fn rejects_tune(args: &[&str], message: &str) {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("tune");
    kafkatune()
        .arg("tune")
        .args(args)
        .arg("--out")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message))
        .stderr(predicate::str::contains("panicked").not());
    assert!(!dir.join("results.jsonl").exists());
}

#[test]
fn a_search_with_a_reversed_range_an_unknown_goal_no_budget_or_an_unmeasured_constraint_is_refused()
{
    let space = ["--preset", "seed"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        space.iter().copied().chain(extra.iter().copied()).collect()
    };
    rejects_tune(
        &with(&["--range", "fetch.max.wait.ms=1000..1", "--budget", "10"]),
        "LO is above HI",
    );
    rejects_tune(&with(&["--goal", "speed", "--budget", "10"]), "throughput");
    rejects_tune(&with(&["--budget", "0"]), "--budget 0");
    rejects_tune(&with(&["--budget", "soon"]), "give a number of runs");
    rejects_tune(&with(&[]), "tune needs a --budget");
    rejects_tune(
        &with(&["--constraint", "latency-p99<50ms", "--budget", "10"]),
        "does not measure latency-p99",
    );
    rejects_tune(
        &with(&["--goal", "latency-p99", "--budget", "10"]),
        "does not measure it",
    );
    rejects_tune(
        &with(&["--repeat", "3", "--budget", "10"]),
        "--repeat and --precision are for sweep",
    );
}

#[test]
fn repeat_auto_with_a_maximum_below_its_minimum_or_a_bad_precision_is_refused() {
    rejects(&["--repeat", "auto:5"], "give auto:6 or more");
    rejects(&["--repeat", "often"], "give a number of runs (3) or auto");
    rejects(
        &["--repeat", "auto", "--precision", "150%"],
        "--precision 150%",
    );
    rejects(
        &["--precision", "5%"],
        "--precision goes with --repeat auto",
    );
}

#[test]
fn share_groups_refuse_every_client_but_java_and_misplaced_share_settings() {
    rejects(
        &["--group-type", "share", "--client", "librdkafka"],
        "--client librdkafka: share groups (KIP-932) run on the clients with a share consumer kafkatune drives (java); librdkafka 2.12.1",
    );
    rejects(
        &["--group-type", "share", "--client", "kafka-python"],
        "--client kafka-python: share groups (KIP-932) run on the clients with a share consumer kafkatune drives (java); kafka-python has none",
    );
    rejects(
        &[
            "--group-type",
            "share",
            "--client",
            "confluent-kafka-python",
        ],
        "ShareConsumer (a preview) has no kafkatune driver yet; use --client java",
    );
    rejects(
        &["--param", "group.type=consumer,share", "--client", "all"],
        "use --client java",
    );
    rejects(
        &["--param", "group.type=queue"],
        "must be `consumer` (a consumer group) or `share`",
    );
    rejects(
        &["--client", "java", "-X", "share.acquire.mode=record_limit"],
        "is a share group setting: add --group-type share",
    );
    rejects(
        &[
            "--group-type",
            "share",
            "--client",
            "java",
            "-X",
            "session.timeout.ms=10000",
        ],
        "a share consumer refuses `session.timeout.ms`",
    );
    rejects(
        &[
            "--group-type",
            "share",
            "--client",
            "java",
            "-X",
            "share.auto.offset.reset=latest",
        ],
        "is set by kafkatune itself",
    );
    rejects(
        &[
            "--group-type",
            "share",
            "--client",
            "java",
            "--mode",
            "pipeline",
        ],
        "share groups are measured draining a backlog (--mode drain) or reading a paced producer (--mode live)",
    );
    rejects(
        &["--mode", "pipeline", "--consumers", "2"],
        "pipeline mode runs one consumer: use --mode live",
    );
    rejects(
        &[
            "--group-type",
            "share",
            "--client",
            "java",
            "--share-release-first",
            "1",
        ],
        "share.acknowledgement.mode=explicit",
    );
}

#[test]
fn sweeps_on_workers_are_checked_before_any_work() {
    rejects(&["--workers", "0", "--consumers", "2"], "--workers 0");
    rejects(
        &["--workers", "w1,w 2", "--consumers", "2"],
        "is not a worker name",
    );
    rejects(
        &["--workers", "w1,w1", "--consumers", "2"],
        "w1 is given twice",
    );
    rejects(
        &["--workers", "2"],
        "--workers spreads a consumer group's consumers",
    );
    rejects(
        &["--workers", "2", "--consumers", "2", "--fleet", "a/b"],
        "--fleet `a/b`",
    );
    rejects(
        &[
            "--workers",
            "2",
            "--consumers",
            "2",
            "--workers-timeout",
            "0",
        ],
        "--workers-timeout must be a positive number",
    );
    rejects(&["--fleet", "f"], "add --workers N");
    rejects(
        &[
            "--workers",
            "2",
            "--consumers",
            "2",
            "-X",
            "ssl.key.password=hunter2",
        ],
        "does not send secrets to workers",
    );
    rejects(
        &[
            "--workers",
            "2",
            "--consumers",
            "2",
            "--max-clock-error",
            "0",
        ],
        "--max-clock-error must be a positive number of milliseconds",
    );
    rejects(&["--max-clock-error", "5"], "add --workers N");
    let sample = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(sample.path(), "one record\nanother\n").unwrap();
    rejects(
        &[
            "--mode",
            "produce",
            "--allow-write",
            "--workers",
            "2",
            "--payload",
            sample.path().to_str().unwrap(),
        ],
        "a --payload file is on this host only",
    );
}

#[test]
fn producers_are_a_whole_number_of_a_produce_sweep() {
    rejects(
        &["--mode", "produce", "--param", "producers=0,2"],
        "--param producers=0: must be a whole number from 1 to 64",
    );
    rejects(
        &["--param", "producers=2"],
        "--param producers runs several producer processes in --mode produce",
    );
    rejects(
        &["--mode", "produce", "-X", "producers=2"],
        "`producers` is not a Kafka property",
    );
}

#[test]
fn a_consumer_setting_of_kafkatune_s_own_is_refused_in_a_produce_sweep() {
    rejects(
        &["--mode", "produce", "--group-type", "share"],
        "--group-type (and --param group.type) chooses the consumers' kind of group",
    );
    rejects(
        &["--mode", "produce", "--processing", "1ms"],
        "is the consumers' work between polls",
    );
    rejects(
        &["--mode", "produce", "--param", "consumers=1,2"],
        "run consumer groups; a produce sweep runs producers",
    );
    rejects(
        &["-X", "network.latency=1ms"],
        "`network.latency` is not a Kafka property: it is the network kafkatune puts",
    );
}

#[test]
fn a_worker_is_checked_before_it_connects() {
    for (args, message) in [
        (&["--bootstrap-servers", "nohost"][..], "expected HOST:PORT"),
        (
            &["--bootstrap-servers", "127.0.0.1:9", "--name", "a b"][..],
            "--name `a b`",
        ),
        (
            &["--bootstrap-servers", "127.0.0.1:9", "--fleet", ""][..],
            "--fleet ``",
        ),
    ] {
        kafkatune()
            .arg("worker")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn a_client_whose_toolchain_is_missing_names_the_package_before_anything_starts() {
    let out = tempfile::tempdir().unwrap();
    kafkatune()
        .env("PATH", "/nonexistent")
        .args(["sweep", "--client", "java", "--out"])
        .arg(out.path().join("r"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--client java: its driver needs `java`, which is not on PATH; install a Java 17+ runtime (Debian: apt-get install -y openjdk-17-jre-headless)",
        ));
    assert!(!out.path().join("r").exists(), "nothing written");
}

#[test]
fn setup_lists_the_debian_packages_the_drivers_need() {
    kafkatune()
        .args(["setup", "--debian-packages"])
        .assert()
        .success()
        .stdout("openjdk-17-jre-headless maven python3 python3-venv nodejs npm\n");
    kafkatune()
        .args(["setup", "--client", "librdkafka", "--debian-packages"])
        .assert()
        .success()
        .stdout("\n");
}

#[test]
fn a_combination_librdkafka_refuses_is_refused_before_anything_runs_naming_the_fix() {
    // Seen 2026-12-07: 18 runs each failed at once with librdkafka's own refusal.
    let out = tempfile::tempdir().unwrap();
    for client in ["librdkafka", "confluent-kafka-python"] {
        kafkatune()
            .args(["sweep", "--yes", "--client", client])
            .args(["--param", "fetch.max.bytes=65536,1048576", "--out"])
            .arg(out.path().join("r"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "the {client} client: librdkafka refuses `fetch.max.bytes=65536` below `message.max.bytes` (1000000, its default): lower it with -X librdkafka.message.max.bytes=65536"
            )));
        assert!(!out.path().join("r").exists(), "nothing written");
    }
}

#[test]
fn faults_are_refused_where_they_cannot_run_or_make_no_sense() {
    let produce = ["--mode", "produce", "--client", "librdkafka"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        produce
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .collect()
    };
    rejects(
        &with(&[
            "--bootstrap-servers",
            "127.0.0.1:9",
            "--fault",
            "kill-leader@3s",
        ]),
        "kafkatune never harms a cluster it did not start",
    );
    rejects(
        &with(&[
            "--param",
            "fault=none,kill-leader@3s",
            "--bootstrap-servers",
            "127.0.0.1:9",
        ]),
        "kafkatune never harms a cluster it did not start",
    );
    rejects(&with(&["--fault", "kill-leader@3s"]), "give --brokers 3");
    rejects(
        &with(&["--brokers", "1", "--fault", "pause-leader@1s:1s"]),
        "give --brokers 3",
    );
    rejects(
        &with(&["--brokers", "3", "--fault", "kil-leader@3s"]),
        "did you mean kill-leader?",
    );
    rejects(
        &with(&["--brokers", "3", "--fault", "crash@3s"]),
        "kafkatune knows none, kill-leader@T, restart-leader@T, pause-leader@T:D",
    );
    rejects(
        &with(&["--brokers", "3", "--fault", "pause-leader@3s"]),
        "a pause needs its length",
    );
    // Where the run's length is known (--messages at --rate: 10 s here).
    let timed = ["--brokers", "3", "--messages", "10000", "--rate", "1000"];
    let mut late: Vec<&str> = with(&timed);
    late.extend(["--fault", "kill-leader@12s"]);
    rejects(&late, "the run sends for about 10.0 s");
    let mut long: Vec<&str> = with(&timed);
    long.extend(["--param", "fault=none,pause-leader@5s:6s"]);
    rejects(&long, "give a shorter pause");
    rejects(
        &["--brokers", "3", "--fault", "kill-leader@3s"],
        "runs in --mode produce in this version",
    );
    rejects(
        &[
            "--mode",
            "produce",
            "--brokers",
            "3",
            "--client",
            "java",
            "--fault",
            "kill-leader@3s",
        ],
        "give --client librdkafka",
    );
    rejects(
        &with(&["--brokers", "3", "-X", "fault=kill-leader@3s"]),
        "is not a Kafka property",
    );
}

#[test]
fn settings_franz_go_lacks_are_refused_naming_its_nearest() {
    rejects(
        &["--client", "franz-go", "-X", "max.poll.interval.ms=1000"],
        "the franz-go client cannot honour `max.poll.interval.ms`",
    );
    rejects(
        &["--client", "franz-go", "-X", "max.poll.interval.ms=1000"],
        "RebalanceTimeout",
    );
    rejects(
        &["--client", "franz-go", "-X", "queued.min.messages=1000"],
        "the franz-go client cannot honour `queued.min.messages`",
    );
    rejects(
        &["--client", "franz-go", "-X", "security.protocol=SSL"],
        "no TLS yet",
    );
}

#[test]
fn share_groups_refuse_franz_go() {
    rejects(
        &["--group-type", "share", "--client", "franz-go"],
        "--client franz-go: share groups (KIP-932) run on the clients with a share consumer kafkatune drives (java); franz-go v1.22.3's share consumer (kgo.ShareGroup) has no kafkatune driver yet",
    );
}

#[test]
fn go_missing_is_refused_before_a_broker_starts_naming_what_to_install() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sweep");
    let empty_path = tmp.path().join("bin");
    std::fs::create_dir_all(&empty_path).unwrap();
    kafkatune()
        .env("KAFKATUNE_CACHE", tmp.path().join("cache"))
        .env("PATH", &empty_path)
        .args([
            "sweep",
            "--client",
            "franz-go",
            "--messages",
            "1000",
            "--out",
        ])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--client franz-go: its driver needs `go`, which is not on PATH",
        ))
        .stderr(predicate::str::contains("https://go.dev/dl/"))
        .stderr(predicate::str::contains("golang-go"))
        .stderr(predicate::str::contains("starting").not());
    // Refused with the options, before the sweep folder is made.
    assert!(!dir.exists(), "nothing may be written");
    let fetched: Vec<String> = std::fs::read_dir(tmp.path().join("cache"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("kafka-") || n == "brokers")
        .collect();
    assert!(
        fetched.is_empty(),
        "no broker may be fetched or started: {fetched:?}"
    );
}
