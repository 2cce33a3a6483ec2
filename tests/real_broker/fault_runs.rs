//! `--fault` on the embedded three-broker cluster (issue 29): Kafka's promise under a leader
//! that dies (acks=all, idempotence, min.insync.replicas=2: nothing lost, duplicated or
//! reordered), the accounting adding up when acks=1 may lose, the accounting shown exact by a
//! test fault that deletes a known number of records, and nothing left running afterwards
//! (no broker, no stopped process), also after Ctrl-C during a pause.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use kafkatune::fault_file::FaultRecord;
use kafkatune::results::{RunRecord, Status};

use super::{processes_with, records};

/// Runs `kafkatune sweep --mode produce --brokers 3 ARGS --out DIR` to its end; its records,
/// once no process of its cluster is left (checked by its pid in the brokers' folder name).
fn fault_sweep(args: &[&str], dir: &Path) -> Vec<RunRecord> {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kafkatune"));
    cmd.args([
        "sweep",
        "--mode",
        "produce",
        "--brokers",
        "3",
        "--client",
        "librdkafka",
    ])
    .args(["--repeat", "1", "--no-report"])
    .args(args)
    .arg("--out")
    .arg(dir)
    .env("KAFKATUNE_CLUSTER_WARMUP_S", "0")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let printed = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    assert_nothing_left(pid);
    let recs = records(dir);
    for r in &recs {
        assert_eq!(r.status, Some(Status::Ok), "{:?}\n{printed}", r.error);
        assert!(
            printed.contains(&r.fault.as_ref().unwrap().line()),
            "one line per run: {printed}"
        );
    }
    recs
}

/// No process of the kafkatune of `pid` is left: no broker (its folder is
/// `brokers/PID-...`), nothing stopped.
fn assert_nothing_left(pid: u32) {
    let needle = format!("brokers/{pid}-");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = processes_with(&needle);
        if left.is_empty() {
            return;
        }
        let stopped: Vec<u32> = left
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| {
                std::fs::read_to_string(format!("/proc/{p}/stat"))
                    .unwrap_or_default()
                    .rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('T'))
            })
            .collect();
        assert!(
            Instant::now() < deadline,
            "left running: {left:?} (stopped: {stopped:?})"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The run record of the trial whose fault is `spec`.
fn of<'a>(recs: &'a [RunRecord], spec: &str) -> &'a FaultRecord {
    recs.iter()
        .filter_map(|r| r.fault.as_ref())
        .find(|f| f.spec == spec)
        .unwrap_or_else(|| panic!("no run with fault {spec}: {recs:?}"))
}

#[test]
fn kafkas_promise_holds_when_the_leader_dies() {
    let (_tmp, dir) = super::out_dir();
    let messages = 20_000;
    let recs = fault_sweep(
        &[
            "--param",
            "fault=none,kill-leader@2s,restart-leader@2s",
            "--messages",
            &messages.to_string(),
            "--rate",
            "4000",
            "-X",
            "acks=all",
            "-X",
            "enable.idempotence=true",
        ],
        &dir,
    );
    assert_eq!(recs.len(), 3);
    for spec in ["none", "kill-leader@2s", "restart-leader@2s"] {
        let f = of(&recs, spec);
        assert!(f.adds_up(), "{f:?}");
        assert_eq!(f.records_sent, messages, "{f:?}");
        assert_eq!(
            f.records_acked, messages,
            "every record acknowledged: {f:?}"
        );
        assert_eq!(f.records_read, messages, "{f:?}");
        assert_eq!(
            (
                f.records_lost,
                f.records_duplicated,
                f.records_out_of_order,
                f.records_ambiguous
            ),
            (0, 0, 0, 0),
            "{f:?}"
        );
        assert_eq!(f.not_applied, None, "{f:?}");
    }
    assert!(of(&recs, "none").events.is_empty());
    let kill = &of(&recs, "kill-leader@2s").events;
    assert_eq!(kill.len(), 1, "{kill:?}");
    assert_eq!(kill[0].action, "kill");
    assert!(kill[0].at_s >= 2.0 && kill[0].at_s < 3.0, "{kill:?}");
    let restart = &of(&recs, "restart-leader@2s").events;
    let actions: Vec<&str> = restart.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["kill", "start"], "{restart:?}");
    assert_eq!(
        restart[0].broker, restart[1].broker,
        "the same broker started again"
    );
}

#[test]
fn with_acks_1_a_pause_and_a_kill_complete_and_the_accounting_adds_up() {
    let (_tmp, dir) = super::out_dir();
    let messages = 15_000;
    let recs = fault_sweep(
        &[
            "--param",
            "fault=pause-leader@1s:2s,kill-leader@1s,delete-records@1s:500",
            "--messages",
            &messages.to_string(),
            "--rate",
            "3000",
            "-X",
            "acks=1",
            "-X",
            "enable.idempotence=false",
        ],
        &dir,
    );
    assert_eq!(recs.len(), 3);
    for spec in ["pause-leader@1s:2s", "kill-leader@1s"] {
        let f = of(&recs, spec);
        assert!(f.adds_up(), "{f:?}");
        assert_eq!(f.records_sent, messages, "{f:?}");
        assert_eq!(f.not_applied, None, "{f:?}");
        // Whatever was lost was acknowledged; whatever is there was sent.
        assert!(f.records_lost <= f.records_acked, "{f:?}");
    }
    let pause = &of(&recs, "pause-leader@1s:2s").events;
    let actions: Vec<&str> = pause.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["stop", "continue"], "{pause:?}");
    assert!(pause[1].at_s - pause[0].at_s >= 1.9, "{pause:?}");
    // The exactness test: the 500 records deleted at 1 s (3,000 sent by then), all of them
    // acknowledged, are exactly the records lost.
    let deleted = of(&recs, "delete-records@1s:500");
    assert!(
        deleted.events[0].detail.starts_with("deleted 500 records"),
        "{deleted:?}"
    );
    assert_eq!(deleted.records_acked, messages, "{deleted:?}");
    assert_eq!(deleted.records_lost, 500, "{deleted:?}");
    assert_eq!(deleted.records_read, messages - 500, "{deleted:?}");
    assert_eq!(
        (deleted.records_duplicated, deleted.records_ambiguous),
        (0, 0),
        "{deleted:?}"
    );
    assert!(deleted.adds_up());
}

#[test]
fn ctrl_c_during_a_pause_leaves_no_broker_and_nothing_stopped() {
    let (_tmp, dir) = super::out_dir();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kafkatune"));
    cmd.args([
        "sweep",
        "--mode",
        "produce",
        "--brokers",
        "3",
        "--client",
        "librdkafka",
    ])
    .args([
        "--repeat",
        "1",
        "--no-report",
        "--fault",
        "pause-leader@1s:60s",
    ])
    .args(["--messages", "200000", "--rate", "2000", "-X", "acks=all"])
    .arg("--out")
    .arg(&dir)
    .env("KAFKATUNE_CLUSTER_WARMUP_S", "0")
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let pid = child.id();
    // Wait for the pause: a broker of this kafkatune in state T.
    let deadline = Instant::now() + Duration::from_secs(120);
    let needle = format!("brokers/{pid}-");
    loop {
        let stopped = processes_with(&needle).iter().any(|(p, _)| {
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .unwrap_or_default()
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('T'))
        });
        if stopped {
            break;
        }
        assert!(Instant::now() < deadline, "no broker was paused");
        std::thread::sleep(Duration::from_millis(100));
    }
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(pid as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_nothing_left(pid);
}
