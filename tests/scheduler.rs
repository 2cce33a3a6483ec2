//! The scheduler end to end, without Kafka: the hidden fake client (a real driver process,
//! scripted) on the hidden fake cluster. Resume, failures, time-outs, exit codes, Ctrl-C,
//! group runs, and the whole terminal output of a sweep, in seconds.

#[path = "common/folders.rs"]
mod folders;
#[path = "common/processes.rs"]
mod processes;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use folders::{out_dir_named as out_dir, records};
use kafkatune::results::Status;
use processes::no_drivers_left;

fn kafkatune() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("kafkatune"))
}

/// `kafkatune sweep --client fake --fake-cluster ok ARGS --out DIR`.
fn fake_sweep(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = kafkatune();
    cmd.args([
        "sweep",
        "--client",
        "fake",
        "--fake-cluster",
        "ok",
        "--no-report",
    ])
    .args(args)
    .arg("--out")
    .arg(dir)
    .stdin(Stdio::null());
    cmd
}

fn output(mut cmd: Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Nine runs of about 150 ms each: long enough to be interrupted half-way.
const SLOW: &[&str] = &[
    "--param",
    "fetch.min.bytes=1,2,3",
    "--repeat",
    "3",
    "--seed",
    "11",
    "-X",
    "fake.run_ms=150",
];

fn start(dir: &Path, args: &[&str]) -> Child {
    let mut cmd = fake_sweep(dir, args);
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

fn wait_for_runs(dir: &Path, runs: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while records(dir).len() < runs {
        assert!(Instant::now() < deadline, "the sweep made no progress");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn stopped(mut child: Child) -> Output {
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "kafkatune did not stop");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn interrupt_after(dir: &Path, runs: usize, signal: i32) -> Output {
    let child = start(dir, SLOW);
    wait_for_runs(dir, runs);
    // SAFETY: signals our own child.
    unsafe { libc::kill(child.id() as i32, signal) };
    stopped(child)
}

/// Every run of the grid once, all ok.
fn complete_without_repeats(dir: &Path, runs: usize) {
    let recs = records(dir);
    let keys: Vec<(String, u32)> = recs
        .iter()
        .map(|r| (r.trial_id.clone(), r.run_index))
        .collect();
    let unique: HashSet<_> = keys.iter().cloned().collect();
    assert_eq!(keys.len(), unique.len(), "no run repeated: {keys:?}");
    assert_eq!(unique.len(), runs);
    assert!(recs
        .iter()
        .all(|r| r.status == Some(Status::Ok) && r.messages == 100_000));
}

#[test]
fn a_whole_sweep_prints_its_table_and_progress() {
    let (_tmp, dir) = out_dir("whole");
    let (code, stdout, stderr) = output(fake_sweep(
        &dir,
        &[
            "--param",
            "fake.rate=1000000,2000000",
            "--param",
            "max.poll.records=10,500",
            "-X",
            "fake.noise=0.2",
            "--repeat",
            "3",
            "--seed",
            "7",
        ],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    let text = format!("{stdout}--- stderr ---\n{stderr}");
    insta::with_settings!({filters => vec![
        (dir.display().to_string().as_str(), "[OUT]"),
        // Start-up and CPU come from the clock and the kernel: the rest is scripted.
        (r"(?m)(\.\d +)\d+\.\d\d( +)\d+\.\d\d( +\d+ +\d+)$", "$1[s]$2[cpu]$3"),
    ]}, {
        insta::assert_snapshot!(text);
    });
    assert_eq!(records(&dir).len(), 12);
}

#[test]
fn a_crash_is_recorded_and_the_sweep_goes_on() {
    let (_tmp, dir) = out_dir("crash");
    let (code, _, stderr) = output(fake_sweep(
        &dir,
        &[
            "--param",
            "fake.crash_after=none,500",
            "--repeat",
            "2",
            "--seed",
            "3",
        ],
    ));
    // `none` is no number: that trial's driver fails at once with a reason.
    assert_eq!(code, Some(1), "some runs failed: exit 1\n{stderr}");
    assert!(
        stderr.contains("4 runs failed") || stderr.contains("of 4 runs failed"),
        "{stderr}"
    );
    let recs = records(&dir);
    assert_eq!(recs.len(), 4, "every run was made");
    let crashed: Vec<_> = recs
        .iter()
        .filter(|r| r.params.get("fake.crash_after").map(String::as_str) == Some("500"))
        .collect();
    assert_eq!(crashed.len(), 2);
    for r in crashed {
        assert_eq!(r.status, Some(Status::Failed));
        let e = r.error.as_deref().unwrap();
        assert!(
            e.contains("without a result") && e.contains("crashing after 500"),
            "{e}"
        );
        let log = dir
            .join("logs")
            .join(format!("{}-r{}.stderr.txt", r.trial_id, r.run_index));
        assert!(std::fs::read_to_string(log)
            .unwrap()
            .contains("crashing after 500"));
    }
    assert!(no_drivers_left(&dir));
}

#[test]
fn an_empty_value_is_refused_and_a_scripted_failure_keeps_its_reason() {
    let (_tmp, dir) = out_dir("one-crash");
    let (code, _, stderr) = output(fake_sweep(
        &dir,
        &[
            "--param",
            "fetch.min.bytes=1,2",
            "-X",
            "fake.noise=0",
            "--repeat",
            "2",
            "--param",
            "fake.fail=,disk full",
        ],
    ));
    assert!(stderr.contains("a value is empty"), "{stderr}");
    assert_eq!(code, Some(2));
    let (code, _, stderr) = output(fake_sweep(
        &dir,
        &["--param", "fake.fail=no,disk full", "--repeat", "2"],
    ));
    assert_eq!(code, Some(1), "{stderr}");
    let recs = records(&dir);
    let ok = recs.iter().filter(|r| r.status == Some(Status::Ok)).count();
    let failed: Vec<_> = recs
        .iter()
        .filter(|r| r.status == Some(Status::Failed))
        .collect();
    assert_eq!(
        (ok, failed.len()),
        (0, 4),
        "fake.fail fails whatever its reason"
    );
    assert!(failed
        .iter()
        .any(|r| r.error.as_deref() == Some("disk full")));
    assert!(
        stderr.contains("failed: disk full"),
        "the failure is shown as it happens: {stderr}"
    );
}

#[test]
fn a_hung_driver_is_killed_at_the_run_timeout() {
    let (_tmp, dir) = out_dir("hang");
    let started = Instant::now();
    let (code, _, stderr) = output(fake_sweep(
        &dir,
        &[
            "--param",
            "fake.hang=true,false",
            "--repeat",
            "1",
            "--run-timeout",
            "1",
        ],
    ));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let recs = records(&dir);
    let hung = recs
        .iter()
        .find(|r| r.params["fake.hang"] == "true")
        .unwrap();
    assert_eq!(hung.status, Some(Status::Failed));
    assert!(
        hung.error.as_deref().unwrap().contains("--run-timeout"),
        "{:?}",
        hung.error
    );
    let fine = recs
        .iter()
        .find(|r| r.params["fake.hang"] == "false")
        .unwrap();
    assert_eq!(fine.status, Some(Status::Ok));
    assert!(no_drivers_left(&dir));
}

#[test]
fn a_malformed_result_fails_the_run_with_the_parse_error() {
    let (_tmp, dir) = out_dir("malformed");
    let (code, _, _) = output(fake_sweep(
        &dir,
        &["-X", "fake.malformed=true", "--repeat", "1"],
    ));
    assert_eq!(code, Some(1));
    let e = records(&dir)[0].error.clone().unwrap();
    assert!(e.contains("unreadable result"), "{e}");
}

#[test]
fn exit_codes_say_what_happened() {
    let (_tmp, dir) = out_dir("codes");
    let (code, stdout, _) = output(fake_sweep(&dir, &["--repeat", "1"]));
    assert_eq!(code, Some(0));
    // One run is a point: the interval column (headed "no interval") and the CV show dashes.
    assert!(stdout.contains("no interval"), "{stdout}");
    assert!(!stdout.contains(" .. "), "{stdout}");
    let (_tmp2, dir2) = out_dir("codes2");
    let (code, _, stderr) = output(fake_sweep(&dir2, &["-X", "no.such.property=1"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        !dir2.join("sweep.json").exists(),
        "rejected before any work"
    );
    let mut unreachable = kafkatune();
    unreachable
        .args([
            "sweep",
            "--client",
            "fake",
            "--fake-cluster",
            "unreachable",
            "--out",
        ])
        .arg(&dir2);
    let (code, _, stderr) = output(unreachable);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("did not answer"), "{stderr}");
}

#[test]
fn a_cluster_that_stops_answering_stops_the_sweep_with_exit_3() {
    let (_tmp, dir) = out_dir("dies");
    let mut cmd = kafkatune();
    cmd.args([
        "sweep",
        "--client",
        "fake",
        "--fake-cluster",
        "dies-on-failure",
        "--no-report",
    ])
    .args([
        "-X",
        "fake.fail=boom",
        "--param",
        "fetch.min.bytes=1,2,3",
        "--out",
    ])
    .arg(&dir);
    let (code, _, stderr) = output(cmd);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("stopped answering") && stderr.contains("resume with:"),
        "{stderr}"
    );
    assert_eq!(
        records(&dir).len(),
        1,
        "the sweep stopped after the first failure"
    );
}

#[test]
fn ctrl_c_keeps_finished_runs_and_a_bare_resume_finishes_the_sweep() {
    let (_tmp, dir) = out_dir("sigint");
    let out = interrupt_after(&dir, 2, libc::SIGINT);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("resume with:") && stderr.contains("--resume"),
        "{stderr}"
    );
    let kept = records(&dir);
    assert!(
        (2..9).contains(&kept.len()),
        "finished runs kept: {}",
        kept.len()
    );
    assert!(no_drivers_left(&dir), "no driver is left running");
    // Only the folder: the configuration is stored there.
    let mut resume = kafkatune();
    resume.args(["sweep", "--resume"]).arg(&dir);
    let (code, _, stderr) = output(resume);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("{} runs done", kept.len())),
        "{stderr}"
    );
    complete_without_repeats(&dir, 9);
    let after = records(&dir);
    assert_eq!(
        &after[..kept.len()],
        &kept[..],
        "the runs kept are untouched"
    );
}

#[test]
fn a_killed_kafkatune_leaves_no_driver_and_resumes_without_repeating_runs() {
    let (_tmp, dir) = out_dir("sigkill");
    interrupt_after(&dir, 3, libc::SIGKILL);
    assert!(
        no_drivers_left(&dir),
        "the driver of a killed kafkatune dies with it"
    );
    let mut resume = fake_sweep(&dir, SLOW);
    // The full command works too: what is given agrees with the folder.
    let args: Vec<_> = resume.get_args().map(|a| a.to_owned()).collect();
    resume = kafkatune();
    for a in &args {
        if a == "--out" {
            resume.arg("--resume");
        } else {
            resume.arg(a);
        }
    }
    let (code, _, stderr) = output(resume);
    assert_eq!(code, Some(0), "{stderr}");
    complete_without_repeats(&dir, 9);
}

#[test]
fn the_printed_resume_command_works_when_pasted_even_with_spaces_and_quotes() {
    let (_tmp, dir) = out_dir("it's a sweep");
    let out = interrupt_after(&dir, 1, libc::SIGINT);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find_map(|l| l.split("resume with: ").nth(1))
        .unwrap_or_else(|| panic!("no resume command: {stderr}"));
    let pasted = Command::new("sh")
        .arg("-c")
        .arg(line)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        pasted.status.code(),
        Some(0),
        "{line}\n{}",
        String::from_utf8_lossy(&pasted.stderr)
    );
    complete_without_repeats(&dir, 9);
}

#[test]
fn resume_refuses_options_that_disagree_with_the_folder() {
    let (_tmp, dir) = out_dir("refuse");
    interrupt_after(&dir, 1, libc::SIGINT);
    let mut other = kafkatune();
    other
        .args(["sweep", "--param", "fetch.min.bytes=1,2", "--resume"])
        .arg(&dir);
    let (code, _, stderr) = output(other);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("holds a sweep of another configuration") && stderr.contains("grid"),
        "{stderr}"
    );
    assert!(
        stderr.contains("sweep --resume"),
        "the way out is named: {stderr}"
    );
    let mut repeat = kafkatune();
    repeat
        .args(["sweep", "--repeat", "5", "--resume"])
        .arg(&dir);
    let (code, _, stderr) = output(repeat);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--repeat"), "{stderr}");
}

#[test]
fn a_group_run_counts_exactly_and_names_its_idle_consumer() {
    let (_tmp, dir) = out_dir("group");
    let (code, _, stderr) = output(fake_sweep(
        &dir,
        &[
            "--partitions",
            "2",
            "--messages",
            "1000",
            "--param",
            "consumers=1,3",
            "--repeat",
            "1",
        ],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    let recs = records(&dir);
    assert_eq!(recs.len(), 2);
    for r in &recs {
        assert_eq!(r.messages, 1000, "{r:?}");
        assert_eq!(r.per_consumer.iter().map(|c| c.messages).sum::<u64>(), 1000);
        assert!(r.group_id.as_deref().unwrap().starts_with("kafkatune-"));
    }
    let three = recs.iter().find(|r| r.params["consumers"] == "3").unwrap();
    assert_eq!(three.per_consumer.len(), 3);
    assert_eq!(
        three.idle_consumers.len(),
        1,
        "two partitions, three consumers: {three:?}"
    );
    assert!(three.group_stable_s.is_some());
    assert!(!three.lag_samples.is_empty());
    assert_eq!(
        three.lag_samples.last().unwrap().1,
        0,
        "the lag ends at zero"
    );
}

#[test]
fn a_folder_holding_a_sweep_is_not_overwritten() {
    let (_tmp, dir) = out_dir("twice");
    assert_eq!(output(fake_sweep(&dir, &["--repeat", "1"])).0, Some(0));
    let before = std::fs::read(dir.join("results.jsonl")).unwrap();
    let (code, _, stderr) = output(fake_sweep(&dir, &["--repeat", "1"]));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("already holds a sweep") && stderr.contains("--resume"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(dir.join("results.jsonl")).unwrap(),
        before,
        "nothing lost"
    );
}

#[test]
fn processing_time_reaches_the_records_and_a_batch_past_max_poll_interval_is_reported() {
    let (_tmp, dir) = out_dir("processing");
    let (code, _, stderr) = output(fake_sweep(
        &dir,
        &[
            "--messages",
            "1000",
            "--consumers",
            "2",
            "--partitions",
            "2",
            "--param",
            "processing=0us,1ms",
            "-X",
            "max.poll.records=100",
            "-X",
            "max.poll.interval.ms=50",
            "--repeat",
            "1",
        ],
    ));
    assert_eq!(code, Some(0), "{stderr}");
    let recs = records(&dir);
    assert_eq!(recs.len(), 2);
    let with = recs
        .iter()
        .find(|r| r.params["processing"] == "1ms")
        .unwrap();
    let without = recs
        .iter()
        .find(|r| r.params["processing"] == "0us")
        .unwrap();
    // Two members of 500 records each, in polls of 100 x 1 ms: 0.5 s of processing each.
    assert!((with.processing_s.unwrap() - 1.0).abs() < 1e-9, "{with:?}");
    assert!(with.poll_interval_max_ms.unwrap() >= 100.0);
    assert_eq!(
        with.max_poll_exceeded,
        Some(8),
        "4 polls after the first, per member"
    );
    assert_eq!(with.per_consumer[0].max_poll_exceeded, Some(4));
    assert!(with.rebalances_total.unwrap() >= 10);
    assert_eq!(without.processing_s, None);
    assert_eq!(without.max_poll_exceeded, None);
    assert!(!with.effective_properties.contains_key("processing"));

    let mut report = kafkatune();
    report.arg("report").arg(&dir);
    let (code, _, stderr) = output(report);
    assert_eq!(code, Some(0), "{stderr}");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        md.contains("## Processing time and max.poll.interval.ms"),
        "{md}"
    );
    assert!(
        md.contains("the processing bound is 1000 msg/s per consumer"),
        "{md}"
    );
    assert!(md.contains("the limit was passed 8 times"), "{md}");
    assert!(
        md.contains("max.poll.records up to 25 keeps a 50% margin (this trial's does not)"),
        "{md}"
    );
}
