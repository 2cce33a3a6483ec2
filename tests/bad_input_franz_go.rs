//! Bad input for franz-go: refused before any work starts, exit 2, a message that says what
//! to do, no broker started, nothing written.

use assert_cmd::Command;
use predicates::prelude::*;

fn kafkatune(cache: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("kafkatune").unwrap();
    // An empty cache: the franz-go driver is not built, so a run would need Go.
    cmd.env("KAFKATUNE_CACHE", cache)
        .timeout(std::time::Duration::from_secs(20));
    cmd
}

fn rejects(args: &[&str], message: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sweep");
    kafkatune(&tmp.path().join("cache"))
        .arg("sweep")
        .args(args)
        .arg("--out")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message))
        .stderr(predicate::str::contains("panicked").not());
    assert!(
        !dir.join("results.jsonl").exists(),
        "nothing may be written"
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
    kafkatune(&tmp.path().join("cache"))
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
