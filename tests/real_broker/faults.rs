//! Faults that need Kafka: a broker that dies under a driver or a sweep, Ctrl-C during a
//! group run and during a topic fill. Nothing is left running. (Faults of the orchestration
//! alone, on the fake client, are in tests/scheduler.rs.)

use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use kafkatune::broker::admin;
use kafkatune::broker::embedded::{BrokerSetup, EmbeddedBroker};
use kafkatune::broker::jars;
use kafkatune::clients::ClientKind;
use kafkatune::results::Status;

use super::contract::{fill, run, spec};
use super::{
    drivers_of, java_processes_with, kafkatune, no_drivers_left, out_dir, records, shared, topic,
};

/// A driver whose broker is killed mid-run ends within its timeout with a failed result.
pub fn driver_survives_broker_death(client: ClientKind) {
    let mut broker =
        EmbeddedBroker::start(&jars::locate().unwrap(), &BrokerSetup::default()).unwrap();
    let t = topic(&format!("death-{}", client.name()));
    let parts = fill(&broker.bootstrap, &t, 1, 100, 100);
    let mut s = spec(client, &broker.bootstrap, &t, parts, 1_000_000, 500);
    s.timeout_s = 10.0;
    let started = Instant::now();
    let handle = std::thread::spawn(move || run(client, &s));
    std::thread::sleep(Duration::from_secs(3));
    broker.kill();
    let outcome = handle.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "bounded: {:?}",
        started.elapsed()
    );
    let r = outcome
        .result
        .as_ref()
        .unwrap_or_else(|| panic!("no result: {:?} {}", outcome.failure, outcome.stderr_tail));
    assert_eq!(r.status, Some(Status::Failed));
    assert!(r.messages <= 100);
}

/// `kafkatune ARGS --out DIR`, to start in the background with its output captured.
fn in_background<S: AsRef<std::ffi::OsStr>>(args: &[S], dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kafkatune"));
    cmd.args(args)
        .arg("--out")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Waits until the sweep writing to `dir` has finished `runs` runs.
fn wait_for_runs(dir: &Path, runs: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::fs::read_to_string(dir.join("results.jsonl")).map_or(0, |t| t.lines().count()) < runs
    {
        assert!(Instant::now() < deadline, "the sweep made no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits (a bounded time) for kafkatune to stop after `what`; its output.
fn stopped(mut child: Child, what: &str) -> Output {
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "kafkatune did not stop after {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn ctrl_c_during_a_group_run_stops_every_consumer_and_deletes_the_group() {
    let b = shared();
    let t = topic("sigint-group");
    let tmp = tempfile::tempdir().unwrap();
    // The folder's name is the sweep id, which the run's group name carries.
    let sweep_id = format!("sigint-group-{}", std::process::id());
    let dir = tmp.path().join(&sweep_id);
    let args: Vec<String> = [
        "sweep",
        "--bootstrap-servers",
        &b.bootstrap,
        "--topic",
        &t,
        "--prepare",
        "--partitions",
        "2",
        "--messages",
        "500000",
        "--consumers",
        "2",
        "--param",
        "fetch.min.bytes=1,2",
        "--repeat",
        "1",
        "--no-report",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let child = in_background(&args, &dir).spawn().unwrap();
    // This sweep's groups on the broker, with their members.
    let groups = || {
        let prefix = format!("kafkatune-{sweep_id}-");
        let mut mine = super::groups(&b.bootstrap);
        mine.retain(|(name, _)| name.starts_with(&prefix));
        mine
    };
    // The first run's two consumers have joined their group: interrupt now.
    let deadline = Instant::now() + Duration::from_secs(120);
    while drivers_of(&dir).len() < 2 || !groups().iter().any(|(_, members)| *members == 2) {
        assert!(Instant::now() < deadline, "the group run did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = stopped(child, "Ctrl-C");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    assert!(no_drivers_left(&dir), "no consumer process is left running");
    assert!(
        std::fs::read_to_string(dir.join("results.jsonl")).map_or(true, |t| t.is_empty()),
        "the interrupted run is not recorded as if it had finished"
    );
    assert!(groups().is_empty(), "groups left behind: {:?}", groups());

    let mut resume = kafkatune();
    resume
        .args(&args)
        .arg("--resume")
        .arg(&dir)
        .assert()
        .success();
    let recs = records(&dir);
    assert_eq!(recs.len(), 2);
    for r in &recs {
        assert_eq!(r.status, Some(Status::Ok), "{:?}", r.error);
        assert_eq!(r.messages, 500_000);
    }
}

#[test]
fn ctrl_c_while_a_topic_fills_stops_at_once_and_the_same_command_tops_it_up() {
    let b = shared();
    let t = topic("sigint-fill");
    let args = |messages: u64| {
        [
            "prepare",
            "--bootstrap-servers",
            &b.bootstrap,
            "--topic",
            &t,
            "--prepare",
            "--messages",
            &messages.to_string(),
        ]
        .map(String::from)
    };
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kafkatune"))
        .args(args(50_000_000))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let held = || {
        admin::topic_offsets(
            &b.bootstrap,
            &admin::ClientProps::new(),
            &t,
            Duration::from_secs(10),
        )
        .unwrap()
        .map_or(0, |parts| parts.iter().map(|p| p.high - p.low).sum::<i64>())
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while held() == 0 {
        assert!(Instant::now() < deadline, "the topic is never filled");
        std::thread::sleep(Duration::from_millis(50));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let signalled = Instant::now();
    let out = stopped(child, "Ctrl-C");
    assert!(
        signalled.elapsed() < Duration::from_secs(10),
        "stopped at once, not after 50 M messages: {:?}",
        signalled.elapsed()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains(&format!("interrupted while filling {t}"))
            && stderr.contains("the same command tops the topic up"),
        "{stderr}"
    );
    let partial = held() as u64;
    assert!(partial < 50_000_000);
    let out = kafkatune().args(args(partial + 1000)).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("(1000 produced now)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_broker_killed_mid_sweep_stops_it_cleanly_with_nothing_left_running() {
    // An embedded broker of its own: a scratch cache, the shared cache's jars as KAFKA_HOME.
    let cache = tempfile::tempdir().unwrap();
    let kafka_home = jars::locate().unwrap().libs.parent().unwrap().to_path_buf();
    let (_tmp, dir) = out_dir();
    let args = [
        "sweep",
        "--messages",
        "50000",
        "--param",
        "fetch.min.bytes=1,2,3,4",
        "--repeat",
        "3",
        "--no-report",
    ];
    let child = in_background(&args, &dir)
        .env("KAFKATUNE_CACHE", cache.path())
        .env("KAFKA_HOME", &kafka_home)
        .spawn()
        .unwrap();
    let needle = cache.path().to_string_lossy().into_owned();
    wait_for_runs(&dir, 2);
    for pid in java_processes_with(&needle) {
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    }
    let out = stopped(child, "its broker died");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("stopped answering") && stderr.contains("resume with:"),
        "{stderr}"
    );
    let recs = records(&dir);
    assert!(recs.len() >= 2, "finished runs kept");
    assert!(recs.iter().filter(|r| r.status == Some(Status::Ok)).count() >= 2);
    assert!(
        java_processes_with(&needle).is_empty(),
        "no broker left behind"
    );
    assert!(no_drivers_left(&dir), "no driver left behind");
}
