//! Processing time between polls (`--processing`), in every client: the work is really
//! done on the consumer's thread, and a member whose batch outlasts max.poll.interval.ms is
//! thrown out of its group, which the run records instead of hanging.

use kafkatune::results::Status;

use super::{kafkatune_on, out_dir, records, shared, sweep_ok, topic};

#[test]
fn a_hundred_microseconds_a_record_makes_20000_messages_take_two_seconds_in_every_client() {
    let (_tmp, dir) = out_dir();
    let mut sweep = kafkatune_on("sweep", &shared().bootstrap, &topic("processing-busy"));
    sweep
        .args(["--prepare", "--messages", "20000", "--client", "all"])
        .args(["--processing", "100us", "--repeat", "1", "--no-report"]);
    let (recs, _) = sweep_ok(&mut sweep, &dir, 20_000);
    assert_eq!(recs.len(), kafkatune::clients::ClientKind::ALL.len());
    for r in &recs {
        let consume_s = r.consume_s.unwrap();
        let processing_s = r.processing_s.unwrap();
        assert!(
            consume_s >= 2.0,
            "{}: 20,000 x 100 µs of busy work, consumed in {consume_s} s",
            r.client
        );
        assert!(
            processing_s >= 2.0,
            "{}: processing_s {processing_s}",
            r.client
        );
        assert!(processing_s <= consume_s + 0.1, "{}", r.client);
        let (avg, max) = (
            r.poll_interval_avg_ms.unwrap(),
            r.poll_interval_max_ms.unwrap(),
        );
        assert!(avg > 0.0 && avg <= max, "{}: {avg} <= {max} ms", r.client);
        assert_eq!(r.params["processing"], "100us");
        assert!(
            !r.effective_properties.contains_key("processing"),
            "{}: never passed to the client",
            r.client
        );
    }
}

#[test]
fn a_batch_longer_than_max_poll_interval_ms_is_recorded_as_exceeded_not_waited_for() {
    // The broker's group.min.session.timeout.ms is 6 s, and librdkafka wants
    // max.poll.interval.ms >= session.timeout.ms: 6 s each, 10 s of work per poll, one
    // record per poll, two records. kafka-python notices the overrun on its heartbeat
    // thread, which must get the GIL from the busy work between 6 s and the poll's end:
    // with 7 s of work that window was 1 s, and a loaded CI machine once missed it.
    let (_tmp, dir) = out_dir();
    kafkatune_on("sweep", &shared().bootstrap, &topic("processing-exceeded"))
        .args(["--prepare", "--messages", "2", "--consumers", "1"])
        .args([
            "--client",
            "librdkafka,java,kafka-python",
            "--processing",
            "batch:10s",
        ])
        .args(["-X", "max.poll.records=1", "-X", "session.timeout.ms=6000"])
        .args([
            "-X",
            "max.poll.interval.ms=6000",
            "-X",
            "heartbeat.interval.ms=1000",
        ])
        .args(["--repeat", "1", "--no-report", "--run-timeout", "120"])
        .arg("--out")
        .arg(&dir)
        .assert()
        .success();
    let recs = records(&dir);
    assert_eq!(recs.len(), 3);
    for r in &recs {
        assert!(
            r.max_poll_exceeded.unwrap_or(0) >= 1,
            "{}: the 10 s batch passed max.poll.interval.ms: {:?} ({:?})",
            r.client,
            r.max_poll_exceeded,
            r.error
        );
        assert!(
            r.rebalances_total.unwrap_or(0) >= 2,
            "{}: thrown out, then assigned again: {:?}",
            r.client,
            r.rebalances_total
        );
        assert_eq!(
            r.per_consumer[0].max_poll_exceeded, r.max_poll_exceeded,
            "{}",
            r.client
        );
        assert!(
            r.poll_interval_max_ms.unwrap() >= 10000.0,
            "{}: {:?}",
            r.client,
            r.poll_interval_max_ms
        );
        assert!(r.wall_s < 100.0, "{}: the run ended on its own", r.client);
        assert_eq!(
            (r.status, r.messages),
            (Some(Status::Ok), 2),
            "{}: a redelivered record is not counted twice: {:?}",
            r.client,
            r.error
        );
    }
}
