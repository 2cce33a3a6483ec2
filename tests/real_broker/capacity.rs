//! `kafkatune capacity` on a real broker: the physics a capacity must obey. A consumer that
//! spends 500 µs of busy work on every record cannot carry more than 2,000 msg/s, and two of
//! them on two partitions carry more; a service level below the network's latency floor has
//! no capacity at any rate, said so, while the other trials of the same command are measured.

use kafkatune::capacity_file::{CapacityFile, Limit, TrialCapacity};

use super::{kafkatune, kafkatune_on, shared, topic};

fn capacity_file(dir: &std::path::Path) -> CapacityFile {
    kafkatune::capacity_file::load(dir)
        .unwrap()
        .expect("capacity.json is written")
}

fn run(cmd: &mut assert_cmd::Command, dir: &std::path::Path) -> (CapacityFile, String) {
    let out = cmd.arg("--out").arg(dir).output().unwrap();
    let printed = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    (capacity_file(dir), printed)
}

fn trial<'f>(file: &'f CapacityFile, key: &str, value: &str) -> &'f TrialCapacity {
    file.trials
        .iter()
        .find(|t| t.params.get(key).map(String::as_str) == Some(value))
        .unwrap_or_else(|| panic!("no trial with {key}={value}: {file:?}"))
}

#[test]
fn busy_processing_bounds_the_capacity_and_a_second_consumer_raises_it() {
    let dir = tempfile::tempdir().unwrap();
    let (file, printed) = run(
        kafkatune_on(
            "capacity",
            &shared().bootstrap,
            &topic("capacity-processing"),
        )
        .args([
            "--allow-write",
            "--partitions",
            "2",
            "--processing",
            "500us",
        ])
        .args(["--param", "consumers=1,2", "--slo", "p99<500ms"])
        .args(["--rates", "500..8000", "--resolution", "10%"])
        .args(["--duration", "4", "--warmup-s", "3", "--no-report"]),
        &dir.path().join("c"),
    );
    eprintln!("{printed}");
    let one = trial(&file, "consumers", "1");
    let two = trial(&file, "consumers", "2");
    let c1 = one
        .capacity_msgs_per_s
        .expect("one consumer has a capacity");
    // 1 / 500 µs = 2,000 msg/s: the capacity is at most that, and close (the driver's own
    // cost per record and the shared cores take the rest). Exactly 2,000 can pass: a
    // consumer busy all the time falls behind only by its own per-record cost, which over a
    // 4 s step stayed within the lag's tolerance once in CI (2000 passed, 2181 failed).
    assert!(c1 <= 2000.0, "one busy consumer carried {c1} msg/s");
    assert!(c1 >= 1000.0, "one busy consumer carried only {c1} msg/s");
    assert!(one.first_failing_msgs_per_s.unwrap() <= 2200.0);
    assert!(
        matches!(one.binding.as_deref(), Some("lag" | "p99<500ms")),
        "{one:?}"
    );
    let c2 = two
        .capacity_msgs_per_s
        .expect("two consumers have a capacity");
    assert!(c2 > c1, "two consumers {c2} against one {c1}");
    assert!(one.done && two.done);
    assert!(one.steps.iter().all(|s| s.achieved_msgs_per_s.is_some()));
    assert!(printed.contains("capacity within p99<500ms"), "{printed}");
}

#[test]
fn an_slo_below_the_latency_floor_has_no_capacity_and_the_other_trial_is_measured() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = kafkatune();
    cmd.args(["capacity", "--param", "network.latency=0ms,25ms"])
        .args(["--slo", "p99<40ms", "--rates", "1000..4000"])
        .args(["--duration", "2", "--warmup-s", "2"]);
    let (file, printed) = run(&mut cmd, &dir.path().join("c"));
    let far = trial(&file, "network.latency", "25ms");
    assert_eq!(far.capacity_msgs_per_s, None, "{far:?}");
    assert!(far.done);
    assert_eq!(far.binding.as_deref(), Some("p99<40ms"));
    assert!(
        far.notes.iter().any(|n| n.contains("latency floor")),
        "{:?}",
        far.notes
    );
    // 25 ms each way: a p99 of at least the 50 ms round trip at every step.
    assert!(far.steps.iter().all(|s| s.latency_p99_ms.unwrap() >= 40.0));
    let near = trial(&file, "network.latency", "0ms");
    assert!(near.capacity_msgs_per_s.is_some(), "{near:?}");
    // Near the broker the latency floor is far below 40 ms, so the trial carries well above
    // the 1,000 msg/s the far one cannot: every step passed (the rate ceiling), or a step
    // failed with this host's CPUs saturated (CI once), or, with another test beside it on
    // the 2 cores (CI once: 3,084 passed, 3,221 broke p99<40ms), the system bent above
    // 2,000 msg/s.
    let carried = near.capacity_msgs_per_s.unwrap();
    assert!(
        matches!(near.limit, Some(Limit::RateCeiling | Limit::Host))
            || (near.limit == Some(Limit::System) && carried >= 2000.0),
        "{near:?}"
    );
    assert!(
        printed.contains("none within the service level"),
        "{printed}"
    );
    // The report of a capacity folder is its own, with a load curve per trial.
    let md = std::fs::read_to_string(dir.path().join("c/report.md")).unwrap();
    assert!(
        md.contains("## Capacity") && md.contains("latency floor"),
        "{md}"
    );
    assert!(dir.path().join("c/charts/capacity-t002.svg").exists());
}
