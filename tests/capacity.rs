//! `kafkatune capacity`'s bad input, without a broker: every mistake in `--slo`, `--rates`,
//! `--resolution` and the options a search decides itself is refused with a message that
//! says what to write, exit 2, before anything starts (an empty cache, so nothing could be
//! fetched or started), nothing written.

use assert_cmd::Command;
use predicates::prelude::*;

fn rejects(args: &[&str], message: &str) {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("capacity");
    Command::cargo_bin("kafkatune")
        .unwrap()
        .env(
            "KAFKATUNE_CACHE",
            std::env::temp_dir().join("kafkatune-bad-input-cache"),
        )
        .timeout(std::time::Duration::from_secs(20))
        .arg("capacity")
        .args(args)
        .arg("--out")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message))
        .stderr(predicate::str::contains("panicked").not());
    assert!(!dir.exists(), "nothing may be written for a bad input");
}

#[test]
fn an_slo_needs_a_mode_with_latency() {
    rejects(
        &["--mode", "drain", "--slo", "p99<20ms"],
        "a drain run does not measure",
    );
    rejects(
        &["--preset", "seed", "--slo", "p99<20ms"],
        "add --mode live",
    );
    rejects(&[], "capacity needs a service level: --slo 'p99<20ms'");
}

#[test]
fn slo_clauses_that_do_not_parse_say_what_to_write() {
    rejects(&["--slo", "p99>20ms"], "write a clause as pQ<BOUND");
    rejects(&["--slo", "p99<20"], "with a unit");
    rejects(&["--slo", "p101<20ms"], "between 0 and 100");
    rejects(&["--slo", "p95<20ms"], "p50, p90, p99, p99.9 and max");
    rejects(&["--slo", "p99<20ms,p99<5ms"], "same percentile");
    rejects(&["--slo", "p99<20ms,"], "empty clause");
    rejects(&["--mode", "produce", "--slo", "p90<5ms"], "not p90");
}

#[test]
fn rates_inverted_zero_or_too_high_are_refused() {
    rejects(
        &["--slo", "p99<20ms", "--rates", "5000..1000"],
        "must be above the lowest",
    );
    rejects(
        &["--slo", "p99<20ms", "--rates", "0..1000"],
        "above 0 msg/s",
    );
    rejects(&["--slo", "p99<20ms", "--rates", "1000"], "LO..HI");
    rejects(
        &["--slo", "p99<20ms", "--rates", "1k..5M"],
        "at most 1000000 msg/s",
    );
}

#[test]
fn a_resolution_of_zero_or_above_half_is_refused() {
    for r in ["0", "0%", "51%", "0.6", "five"] {
        rejects(&["--slo", "p99<20ms", "--resolution", r], "at most 50%");
    }
}

#[test]
fn what_the_search_decides_cannot_be_given() {
    rejects(&["--slo", "p99<20ms", "--rate", "1000"], "--rates LO..HI");
    rejects(
        &["--slo", "p99<20ms", "--repeat", "3"],
        "repeats the steps near the limit",
    );
    rejects(
        &["--slo", "p99<20ms", "--messages", "1000"],
        "rate x (--warmup-s + --duration)",
    );
    rejects(
        &["--slo", "p99<20ms", "--duration", "0"],
        "between 0 and 3600",
    );
    rejects(
        &["--slo", "p99<20ms", "--workers", "2"],
        "leave out --workers",
    );
}

#[test]
fn a_resume_of_a_folder_without_a_capacity_search_is_refused() {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("kafkatune")
        .unwrap()
        .args(["capacity", "--resume"])
        .arg(out.path().join("nothing-here"))
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn a_capacity_folder_is_not_compared_with_a_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("capacity.json"), r#"{"schema_version":1,"settings":{"slo":[],"rate_low_msgs_per_s":1000.0,"rate_high_msgs_per_s":1e6,"resolution":0.05,"warmup_s":5.0,"step_duration_s":10.0,"min_records":1000,"min_achieved_ratio":0.99},"trials":[],"steps":0}"#).unwrap();
    Command::cargo_bin("kafkatune")
        .unwrap()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "cannot compare a capacity search with a sweep",
        ))
        .stderr(predicate::str::contains("panicked").not());
}
