//! Sweeps on workers (`kafkatune worker`, `sweep --workers`): three workers started as
//! separate processes, each in its own working directory with its own name, coordinated
//! through the shared broker alone. Each test has its own fleet (its own topics).

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use kafkatune::results::{RunRecord, Status};

use super::{kafkatune_on, out_dir, processes_with, records, shared, topic};

const MESSAGES: u64 = 6_000;

/// A worker process, killed when the test ends.
pub struct WorkerProcess {
    pub name: String,
    child: Child,
    /// Its working directory (its runs' files are under it) and its stderr.
    dir: tempfile::TempDir,
}

impl WorkerProcess {
    pub fn start(fleet: &str, name: &str, extra: &[&str]) -> WorkerProcess {
        Self::start_on(&shared().bootstrap, fleet, name, extra)
    }

    /// A worker of the cluster at `bootstrap` (a secured listener, with `extra` giving its
    /// `--command-config`).
    pub fn start_on(bootstrap: &str, fleet: &str, name: &str, extra: &[&str]) -> WorkerProcess {
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("worker.log")).unwrap();
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kafkatune"))
            .args(["worker", "--bootstrap-servers", bootstrap])
            .args(["--fleet", fleet, "--name", name])
            // An absolute folder, so that its drivers' command lines name it.
            .arg("--dir")
            .arg(dir.path().join("runs"))
            .args(extra)
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        WorkerProcess {
            name: name.to_string(),
            child,
            dir,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("worker.log")).unwrap_or_default()
    }

    /// The driver processes it runs now (their specs are under its working directory).
    fn drivers(&self) -> Vec<u32> {
        processes_with(&self.dir.path().display().to_string())
            .into_iter()
            .filter(|(pid, cmd)| *pid != self.child.id() && cmd.contains(" driver "))
            .map(|(pid, _)| pid)
            .collect()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn fleet(test: &str) -> String {
    format!("{test}-{}", std::process::id())
}

pub fn workers(fleet: &str, names: &[&str]) -> Vec<WorkerProcess> {
    names
        .iter()
        .map(|n| WorkerProcess::start(fleet, n, &[]))
        .collect()
}

/// The arguments of `kafkatune sweep` of group runs on `topic` (6 partitions), on `fleet`'s
/// workers.
fn group_sweep_args(
    topic: &str,
    fleet: &str,
    workers: &str,
    consumers: &str,
    repeat: &str,
) -> Vec<String> {
    group_sweep_args_waiting(topic, fleet, workers, consumers, repeat, "60")
}

/// [`group_sweep_args`], waiting `timeout_s` for the workers.
fn group_sweep_args_waiting(
    topic: &str,
    fleet: &str,
    workers: &str,
    consumers: &str,
    repeat: &str,
    timeout_s: &str,
) -> Vec<String> {
    let messages = MESSAGES.to_string();
    let consumers = format!("consumers={consumers}");
    [
        "sweep",
        "--bootstrap-servers",
        &shared().bootstrap,
        "--topic",
        topic,
        "--prepare",
        "--partitions",
        "6",
        "--messages",
        &messages,
        "--param",
        &consumers,
        "--repeat",
        repeat,
        "--no-report",
        "--seed",
        "1",
        "--workers",
        workers,
        "--fleet",
        fleet,
        "--workers-timeout",
        timeout_s,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// `kafkatune sweep` of those arguments.
fn group_sweep(
    topic: &str,
    fleet: &str,
    workers: &str,
    consumers: &str,
    repeat: &str,
) -> assert_cmd::Command {
    let mut cmd = super::kafkatune();
    cmd.args(group_sweep_args(topic, fleet, workers, consumers, repeat));
    cmd
}

/// The files of a sweep folder, by path inside it.
fn files(dir: &Path) -> BTreeSet<String> {
    fn walk(d: &Path, root: &Path, out: &mut BTreeSet<String>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().is_dir() {
                walk(&e.path(), root, out);
            } else {
                out.insert(e.path().strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// A record's field names, and its consumers' (without `worker` and its clock offset, which
/// only a sweep on workers has).
fn shape(r: &RunRecord) -> (BTreeSet<String>, BTreeSet<String>) {
    let v = serde_json::to_value(r).unwrap();
    let keys = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_object()
            .unwrap()
            .keys()
            .filter(|k| !k.starts_with("worker"))
            .cloned()
            .collect()
    };
    (keys(&v), keys(&v["per_consumer"][0]))
}

fn check_exact(r: &RunRecord) {
    assert_eq!(r.status, Some(Status::Ok), "{:?}", r.error);
    assert_eq!(r.messages, MESSAGES, "exactly the messages asked for");
    assert_eq!(
        r.per_consumer.iter().map(|c| c.messages).sum::<u64>(),
        MESSAGES,
        "per_consumer adds up"
    );
}

#[test]
fn three_workers_run_a_group_sweep_of_1_3_and_6_consumers_as_a_local_sweep_would() {
    let fleet = fleet("three");
    let ws = workers(&fleet, &["w1", "w2", "w3"]);
    let t = topic("workers-three");
    let (_tmp, dir) = out_dir();
    let out = group_sweep(&t, &fleet, "3", "1,3,6", "1")
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    let logs: Vec<String> = ws.iter().map(|w| w.log()).collect();
    assert!(
        out.status.success(),
        "{}\n{logs:#?}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = records(&dir);
    assert_eq!(recs.len(), 3);
    let names: BTreeSet<String> = ws.iter().map(|w| w.name.clone()).collect();
    for r in &recs {
        check_exact(r);
        let n: usize = r.params["consumers"].parse().unwrap();
        assert_eq!(r.per_consumer.len(), n);
        let used: BTreeSet<String> = r
            .per_consumer
            .iter()
            .map(|c| c.worker.clone().expect("each consumer names its worker"))
            .collect();
        assert!(used.is_subset(&names), "{used:?}");
        assert_eq!(
            used.len(),
            n.min(3),
            "{n} consumers spread over the workers: {used:?}"
        );
        if n == 6 {
            for c in &r.per_consumer {
                assert!(c.messages > 0, "consumer #{} got no share", c.consumer);
            }
        }
    }
    for (w, log) in ws.iter().zip(&logs) {
        assert!(log.contains("working for sweep"), "{}: {log}", w.name);
    }
    // The same sweep here: the same files, the same fields.
    let (_tmp2, local) = out_dir();
    let out = kafkatune_on("sweep", &shared().bootstrap, &t)
        .args(["--partitions", "6", "--messages", &MESSAGES.to_string()])
        .args([
            "--param",
            "consumers=1,3,6",
            "--repeat",
            "1",
            "--no-report",
            "--seed",
            "1",
        ])
        .arg("--out")
        .arg(&local)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(files(&dir), files(&local));
    let here = records(&local);
    let key = |r: &RunRecord| r.params["consumers"].clone();
    for r in &recs {
        let l = here.iter().find(|l| key(l) == key(r)).unwrap();
        assert_eq!(shape(r), shape(l), "consumers={}", key(r));
        assert!(l.per_consumer.iter().all(|c| c.worker.is_none()));
    }
}

#[test]
fn a_missing_worker_is_named_after_the_timeout_with_exit_3() {
    let fleet = fleet("missing");
    let mut ws = workers(&fleet, &["here", "gone"]);
    let t = topic("workers-missing");
    // Both answer once (so both announced themselves), then one stops.
    let (_tmp, dir) = out_dir();
    group_sweep(&t, &fleet, "2", "2", "1")
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    ws[1].kill();
    std::thread::sleep(Duration::from_secs(1));
    for (workers, named) in [("2", "gone, "), ("here,gone", "missing: gone")] {
        let (_tmp, dir) = out_dir();
        let started = Instant::now();
        let out = super::kafkatune()
            .args(group_sweep_args_waiting(&t, &fleet, workers, "2", "1", "5"))
            .arg("--out")
            .arg(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(stderr.contains(named), "--workers {workers}: {stderr}");
        assert!(stderr.contains("1 answered (here)"), "{stderr}");
        assert!(started.elapsed() < Duration::from_secs(60));
    }
}

#[test]
fn a_worker_of_another_control_protocol_version_is_refused_by_name() {
    let fleet = fleet("version");
    let old = WorkerProcess::start(&fleet, "old", &["--control-version", "99"]);
    let t = topic("workers-version");
    let (_tmp, dir) = out_dir();
    let out = super::kafkatune()
        .args(group_sweep_args_waiting(&t, &fleet, "old", "1", "1", "8"))
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("missing: old"), "{stderr}");
    assert!(stderr.contains("old refused"), "{stderr}");
    assert!(stderr.contains("control protocol version 99"), "{stderr}");
    assert!(old.log().contains("refusing"), "{}", old.log());
}

/// Waits until one of `ws` runs a driver; its index.
fn wait_for_a_driver(ws: &[WorkerProcess], only: Option<usize>) -> usize {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        for (i, w) in ws.iter().enumerate() {
            if only.is_none_or(|o| o == i) && !w.drivers().is_empty() {
                return i;
            }
        }
        assert!(Instant::now() < deadline, "no worker started a driver");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_worker_killed_mid_run_fails_that_run_and_the_sweep_goes_on_without_it() {
    let fleet = fleet("killed");
    let mut ws = workers(&fleet, &["k1", "k2", "k3"]);
    let t = topic("workers-killed");
    let (_tmp, dir) = out_dir();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kafkatune"))
        .args(group_sweep_args(&t, &fleet, "k1,k2,k3", "3", "3"))
        .arg("--out")
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_a_driver(&ws, Some(2));
    ws[2].kill();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a run failed: {stderr}");
    let recs = records(&dir);
    assert_eq!(recs.len(), 3, "the sweep went on: {stderr}");
    let failed: Vec<&RunRecord> = recs
        .iter()
        .filter(|r| r.status == Some(Status::Failed))
        .collect();
    assert_eq!(failed.len(), 1, "{stderr}");
    assert!(
        failed[0].error.as_deref().unwrap().contains("worker k3"),
        "{:?}",
        failed[0].error
    );
    for r in recs.iter().filter(|r| r.status == Some(Status::Ok)) {
        check_exact(r);
        assert!(
            r.per_consumer
                .iter()
                .all(|c| c.worker.as_deref() != Some("k3")),
            "the runs after it do without k3"
        );
    }
}

#[test]
fn ctrl_c_on_the_coordinator_leaves_no_driver_on_any_worker_and_resume_repeats_nothing() {
    let fleet = fleet("ctrlc");
    let ws = workers(&fleet, &["c1", "c2", "c3"]);
    let t = topic("workers-ctrlc");
    let (_tmp, dir) = out_dir();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kafkatune"))
        .args(group_sweep_args(&t, &fleet, "3", "3", "3"))
        .arg("--out")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Let a run finish first, then interrupt the next one as its drivers run.
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::fs::read_to_string(dir.join("results.jsonl")).map_or(0, |t| t.lines().count()) < 1 {
        assert!(Instant::now() < deadline, "no run finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    wait_for_a_driver(&ws, None);
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    let deadline = Instant::now() + Duration::from_secs(15);
    while ws.iter().any(|w| !w.drivers().is_empty()) {
        assert!(
            Instant::now() < deadline,
            "a driver is left running on a worker"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let before = records(&dir).len();
    assert!(before < 3, "{stderr}");
    let out = kafkatune_on("sweep", &shared().bootstrap, &t)
        .arg("--resume")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = records(&dir);
    assert_eq!(recs.len(), 3, "every run once");
    let runs: HashSet<(String, u32)> = recs
        .iter()
        .map(|r| (r.trial_id.clone(), r.run_index))
        .collect();
    assert_eq!(runs.len(), 3, "nothing repeated");
    for r in &recs {
        check_exact(r);
        assert!(r.per_consumer.iter().all(|c| c.worker.is_some()));
    }
}
