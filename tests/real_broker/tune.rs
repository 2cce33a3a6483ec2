//! `kafkatune tune` on the real broker: a small search keeps to its budget and writes its
//! report; an interrupted one resumes and repeats no run.

use std::process::Stdio;
use std::time::{Duration, Instant};

use super::{kafkatune_on, out_dir, records, shared, topic};

fn tune_json(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("tune.json")).unwrap()).unwrap()
}

#[test]
fn a_small_search_keeps_to_its_budget_and_reports_its_winner() {
    let b = shared();
    let (_tmp, dir) = out_dir();
    let t = topic("tune");
    let out = kafkatune_on("tune", &b.bootstrap, &t)
        .args(["--allow-write", "--messages", "20000", "--seed", "3"])
        .args([
            "--param",
            "max.poll.records=10,500",
            "--param",
            "fetch.min.bytes=1,51200",
        ])
        .args(["--goal", "throughput", "--budget", "9"])
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("winner: t0"), "{stdout}");
    let recs = records(&dir);
    assert!(!recs.is_empty() && recs.len() <= 9, "{} runs", recs.len());
    for r in &recs {
        assert_eq!(
            r.status,
            Some(kafkatune::results::Status::Ok),
            "{:?}",
            r.error
        );
        assert_eq!(r.messages, 20_000);
    }
    let file = tune_json(&dir);
    assert_eq!(file["runs_spent"], recs.len() as u64);
    assert!(file["winner"]["median"].as_f64().unwrap() > 0.0);
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        report.contains("## Search") && report.contains("**Winner"),
        "{report}"
    );
    assert!(dir.join("charts/search-best-so-far.svg").exists());
}

#[test]
fn an_interrupted_search_resumes_on_the_broker_without_repeating_a_run() {
    let b = shared();
    let (_tmp, dir) = out_dir();
    let t = topic("tune-resume");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kafkatune"))
        .args(["tune", "--bootstrap-servers", &b.bootstrap, "--topic", &t])
        .args([
            "--allow-write",
            "--messages",
            "20000",
            "--seed",
            "5",
            "--no-report",
        ])
        .args(["--param", "max.poll.records=10,100,500", "--budget", "8"])
        .arg("--out")
        .arg(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while Instant::now() < deadline
        && std::fs::read_to_string(dir.join("results.jsonl")).map_or(0, |t| t.lines().count()) < 3
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let kept = records(&dir).len();
    assert!((3..8).contains(&kept), "{kept}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kafkatune"))
        .args(["tune", "--resume"])
        .arg(&dir)
        .args(["--bootstrap-servers", &b.bootstrap])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let all = records(&dir);
    let mut runs: Vec<(String, u32)> = all
        .iter()
        .map(|r| (r.trial_id.clone(), r.run_index))
        .collect();
    runs.sort();
    runs.dedup();
    assert_eq!(runs.len(), all.len(), "a run was repeated: {stderr}");
    assert!(all.len() > kept && all.len() <= 8);
    assert_eq!(tune_json(&dir)["runs_spent"], all.len() as u64);
}
