//! Workers on a secured cluster: a group sweep over mutual TLS, one over SASL/SCRAM whose
//! password appears in no output, no file and no message of the fleet's topics; and a
//! worker refusing runs on a topic the coordinator did not create.

use std::path::Path;
use std::time::{Duration, Instant};

use kafkatune::clients::protocol::{Assignment, ProduceSpec, Spec, PROTOCOL_VERSION};
use kafkatune::results::{Mode, Status};
use kafkatune::sweep::remote::bus::{self, Bus, Reader};
use kafkatune::sweep::remote::messages::{Message, PayloadRecipe, Slot};
use kafkatune::workload::payload::PayloadKind;

use super::tls::tls_properties;
use super::workers::{fleet, WorkerProcess};
use super::{out_dir, records, scram_jaas, shared, topic, SCRAM_PASSWORD};

/// Every file under `dir`, as text.
fn all_text(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&all_text(&path));
        } else if let Ok(t) = std::fs::read_to_string(&path) {
            text.push_str(&t);
        }
    }
    text
}

/// Every message on the fleet's two topics, as JSON text (read on the plaintext listener).
fn fleet_messages(fleet: &str) -> String {
    let topics = bus::topics(fleet);
    let mut text = String::new();
    for t in [&topics.control, &topics.results] {
        let reader = Reader::from_start(&shared().bootstrap, &Default::default(), t).unwrap();
        for m in reader.drain(Duration::from_secs(2), Duration::from_secs(20)) {
            text.push_str(&match m {
                Ok(e) => serde_json::to_string(&e).unwrap(),
                Err(e) => e.to_string(),
            });
        }
    }
    assert!(
        text.contains("assign"),
        "the fleet's messages were read: {text}"
    );
    text
}

/// A group sweep of `consumers` on the workers of `fleet`, on the listener `bootstrap`.
fn secured_sweep(
    bootstrap: &str,
    fleet: &str,
    workers: &str,
    consumers: &str,
    admin: &Path,
    props: &[String],
    dir: &Path,
) -> std::process::Output {
    let t = topic(&format!("workers-secure-{fleet}"));
    let mut sweep = super::kafkatune();
    sweep
        .args(["sweep", "--bootstrap-servers", bootstrap, "--topic", &t])
        .args(["--prepare", "--partitions", "2", "--messages", "2000"])
        .args([
            "--param",
            &format!("consumers={consumers}"),
            "--repeat",
            "1",
        ])
        .args(["--no-report", "--workers", workers, "--fleet", fleet])
        .args(["--workers-timeout", "60", "--command-config"])
        .arg(admin)
        .arg("--out")
        .arg(dir);
    for p in props {
        sweep.arg("-X").arg(p);
    }
    sweep.output().unwrap()
}

#[test]
fn two_workers_run_a_group_sweep_over_mutual_tls_with_the_sweeps_settings() {
    let (tmp, dir) = out_dir();
    let config = tmp.path().join("tls.properties");
    std::fs::write(&config, tls_properties(true).join("\n")).unwrap();
    let fleet = fleet("tls");
    let extra = ["--command-config", config.to_str().unwrap()];
    let ws: Vec<WorkerProcess> = ["tls1", "tls2"]
        .iter()
        .map(|n| WorkerProcess::start_on(&shared().tls_bootstrap, &fleet, n, &extra))
        .collect();
    let out = secured_sweep(
        &shared().tls_bootstrap,
        &fleet,
        "2",
        "2",
        &config,
        &tls_properties(true),
        &dir,
    );
    let printed = String::from_utf8_lossy(&out.stderr).into_owned();
    let logs: Vec<String> = ws.iter().map(|w| w.log()).collect();
    assert!(out.status.success(), "{printed}\n{logs:#?}");
    let recs = records(&dir);
    assert_eq!(recs[0].status, Some(Status::Ok), "{:?}", recs[0].error);
    assert_eq!(recs[0].messages, 2000);
    assert_eq!(recs[0].params["security.protocol"], "SSL");
    let used: std::collections::BTreeSet<_> = recs[0]
        .per_consumer
        .iter()
        .map(|c| c.worker.clone().unwrap())
        .collect();
    assert_eq!(used.len(), 2, "{used:?}");
    let everything = all_text(&dir) + &printed + &logs.concat();
    assert!(!everything.contains("PRIVATE KEY"));
}

#[test]
fn a_scram_worker_sweep_prints_and_sends_its_password_nowhere() {
    let (tmp, dir) = out_dir();
    let config = tmp.path().join("scram.properties");
    std::fs::write(
        &config,
        format!(
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n{}\n",
            scram_jaas(SCRAM_PASSWORD)
        ),
    )
    .unwrap();
    let fleet = fleet("scram");
    let extra = ["--command-config", config.to_str().unwrap()];
    let w = WorkerProcess::start_on(&shared().scram_bootstrap, &fleet, "sc1", &extra);
    // The sweep's consumers take the non-secret settings; the worker brings the JAAS line.
    let props = [
        "security.protocol=SASL_PLAINTEXT".to_string(),
        "sasl.mechanism=SCRAM-SHA-256".to_string(),
    ];
    let out = secured_sweep(
        &shared().scram_bootstrap,
        &fleet,
        "1",
        "1",
        &config,
        &props,
        &dir,
    );
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}\n{}", w.log());
    let recs = records(&dir);
    assert_eq!(recs[0].status, Some(Status::Ok), "{:?}", recs[0].error);
    assert_eq!(recs[0].per_consumer[0].worker.as_deref(), Some("sc1"));
    for (what, text) in [
        ("the coordinator's output", printed),
        ("the sweep folder", all_text(&dir)),
        ("the worker's log", w.log()),
        ("the fleet's topics", fleet_messages(&fleet)),
    ] {
        assert!(
            !text.contains(SCRAM_PASSWORD),
            "the password appears in {what}"
        );
    }
}

fn spec(topic: &str, mode: Mode) -> Spec {
    Spec {
        protocol_version: PROTOCOL_VERSION,
        client: "librdkafka".into(),
        run_id: Some("t01-r0".into()),
        bootstrap_servers: shared().bootstrap.clone(),
        topic: topic.into(),
        assignment: Assignment::Subscribe,
        group_id: (mode == Mode::Drain).then(|| "kafkatune-handmade-t01-r0-1".into()),
        partitions: Vec::new(),
        messages: 10,
        mode,
        max_poll_records: 500,
        poll_timeout_ms: 100,
        properties: Default::default(),
        timeout_s: 10.0,
        live: None,
        start_file: None,
        stop_file: None,
        produce: (mode == Mode::Produce).then(|| ProduceSpec {
            payload_file: "/tmp/payload.bin".into(),
            rate_msgs_per_s: None,
            warmup_records: 0,
            latency_from_intended: false,
            accounting: None,
        }),
        share: None,
        processing: None,
    }
}

#[test]
fn a_worker_refuses_runs_reading_or_writing_a_topic_the_coordinator_did_not_create() {
    let fleet = fleet("refuse");
    let b = &shared().bootstrap;
    let topics = bus::topics(&fleet);
    bus::create_topics(b, &Default::default(), &topics, Duration::from_secs(30)).unwrap();
    let w = WorkerProcess::start(&fleet, "r1", &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !w.log().contains("waiting for a sweep") {
        assert!(Instant::now() < deadline, "{}", w.log());
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let results = Reader::from_start(b, &Default::default(), &topics.results).unwrap();
    let coordinator = Bus::new(b, &Default::default(), "coordinator").unwrap();
    let sweep_id = format!("handmade-{}", std::process::id());
    let send = |m: Message| coordinator.send(&topics.control, m).unwrap();
    // The sweep's topic is a user's: read it only; kafkatune's own: write it too.
    send(Message::Attach {
        sweep_id: sweep_id.clone(),
        workers: vec!["r1".into()],
        topic: "orders".into(),
    });
    send(Message::Heartbeat {
        sweep_id: sweep_id.clone(),
        sent_unix_us: kafkatune::clock::now_unix_us(),
    });
    let recipe = PayloadRecipe {
        kind: PayloadKind::Json,
        message_size: 100,
        seed: 1,
    };
    let cases = [
        (0, spec("payments", Mode::Drain), None, "`payments`"),
        (
            1,
            spec("orders", Mode::Produce),
            Some(recipe),
            "did not create",
        ),
    ];
    for (i, spec, payload, _) in &cases {
        send(Message::Assign {
            sweep_id: sweep_id.clone(),
            worker: "r1".into(),
            slot: Slot {
                group_id: "handmade".into(),
                consumer: *i,
            },
            spec: Box::new(spec.clone()),
            timeout_s: 10.0,
            payload: *payload,
        });
    }
    coordinator.flush(Duration::from_secs(10)).unwrap();
    let mut refused = std::collections::BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while refused.len() < cases.len() && Instant::now() < deadline {
        if let Some(Ok(e)) = results.next(Duration::from_millis(200)) {
            if let Message::Refused {
                sweep_id: s,
                slot,
                reason,
            } = e.message
            {
                if s == sweep_id {
                    refused.insert(slot.consumer, reason);
                }
            }
        }
    }
    for (i, _, _, says) in &cases {
        let reason = refused
            .get(i)
            .unwrap_or_else(|| panic!("run {i} was not refused: {refused:?}\n{}", w.log()));
        assert!(reason.contains(says), "{reason}");
    }
    assert!(w.log().contains("refusing a run"), "{}", w.log());
    for started in ["t01-r0 consumer", "t01-r0 producer"] {
        assert!(!w.log().contains(started), "no driver started: {}", w.log());
    }
}
