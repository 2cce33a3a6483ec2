//! Share groups (KIP-932, `--group-type share`) on the real embedded broker: more members
//! than partitions share one partition, every record accepted exactly once; a consumer group
//! of as many leaves all but one idle; a released record comes back and is counted; the
//! group is deleted afterwards; a broker's refusal reaches the user; processing that outlasts
//! the record lock makes records come back, and the run still accepts each exactly once.

use kafkatune::results::{RunRecord, Status};

use super::{kafkatune_on, out_dir, records, shared, topic};

const MESSAGES: u64 = 20_000;

/// One share or consumer group sweep of 4 consumers on a 1-partition topic.
fn sweep(name: &str, args: &[&str]) -> (Vec<RunRecord>, std::process::Output) {
    sweep_of(name, MESSAGES, 4, args)
}

/// One sweep of `consumers` members on a 1-partition topic of `messages` records.
fn sweep_of(
    name: &str,
    messages: u64,
    consumers: u32,
    args: &[&str],
) -> (Vec<RunRecord>, std::process::Output) {
    let b = shared();
    let (_tmp, dir) = out_dir();
    let out = kafkatune_on("sweep", &b.bootstrap, &topic(name))
        .args(["--prepare", "--partitions", "1"])
        .args(["--messages", &messages.to_string()])
        .args(["--consumers", &consumers.to_string()])
        .args(["--client", "java", "--repeat", "1", "--no-report"])
        .args(args)
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    (records(&dir), out)
}

/// The run's group was deleted: the broker no longer lists it.
fn assert_gone(group: &str) {
    super::group::assert_gone(group);
}

#[test]
fn four_share_consumers_on_one_partition_accept_every_record_once_between_them() {
    let (recs, out) = sweep("share-four", &["--group-type", "share"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = &recs[0];
    assert_eq!(r.status, Some(Status::Ok), "{:?}", r.error);
    assert_eq!(r.group_type.as_deref(), Some("share"));
    assert_eq!(r.messages, MESSAGES, "every record accepted, once");
    assert_eq!(
        r.per_consumer.iter().map(|c| c.messages).sum::<u64>(),
        MESSAGES
    );
    let reading = r.per_consumer.iter().filter(|c| c.messages > 0).count();
    assert!(
        reading > 1,
        "more than one member received records: {:?}",
        r.per_consumer
    );
    assert_eq!(r.acknowledgements.unwrap().accept, r.deliveries.unwrap());
    assert_eq!(r.redeliveries, Some(0));
    assert_eq!(r.group_config["share.auto.offset.reset"], "earliest");
    assert_gone(r.group_id.as_deref().unwrap());
}

#[test]
fn a_consumer_group_of_four_on_one_partition_leaves_three_idle() {
    let (recs, out) = sweep("share-vs-group", &["--group-type", "consumer"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = &recs[0];
    assert_eq!(r.status, Some(Status::Ok), "{:?}", r.error);
    assert_eq!(r.group_type.as_deref(), Some("consumer"));
    assert_eq!(r.messages, MESSAGES);
    // One partition, one reader at a time: one member reads everything, three read nothing.
    let readers: Vec<u64> = r
        .per_consumer
        .iter()
        .map(|c| c.messages)
        .filter(|n| *n > 0)
        .collect();
    assert_eq!(readers, vec![MESSAGES], "{:?}", r.per_consumer);
    // Idle: never assigned the partition. A member that joins after the reader has read
    // everything can still be handed the partition in the rebalance that its arrival or the
    // reader's leaving starts (seen in CI: the reader done in 0.05 s, two members joining 2 s
    // later, one of them assigned an exhausted partition), so two or three are idle.
    assert!(
        (2..=3).contains(&r.idle_consumers.len()),
        "{:?}",
        r.per_consumer
    );
    for i in &r.idle_consumers {
        assert_eq!(r.per_consumer[*i as usize].messages, 0);
    }
}

#[test]
fn a_record_released_once_is_delivered_again_and_counted() {
    let (recs, out) = sweep(
        "share-release",
        &[
            "--group-type",
            "share",
            "-X",
            "share.acknowledgement.mode=explicit",
            "--share-release-first",
            "2",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = &recs[0];
    assert_eq!(r.status, Some(Status::Ok), "{:?}", r.error);
    assert_eq!(
        r.messages, MESSAGES,
        "released records were accepted in the end"
    );
    let acks = r.acknowledgements.unwrap();
    // Each of the 4 members releases its first 2 records of the run once.
    let released: u64 = acks.release;
    assert!((2..=8).contains(&released), "{acks:?}");
    assert!(
        r.redeliveries.unwrap() >= released,
        "{:?} {acks:?}",
        r.redeliveries
    );
    assert_eq!(acks.accept, MESSAGES, "each record accepted once");
    assert_gone(r.group_id.as_deref().unwrap());
}

#[test]
fn a_group_setting_the_broker_refuses_fails_the_run_with_the_broker_s_message() {
    let (recs, _out) = sweep(
        "share-refused",
        &[
            "--group-type",
            "share",
            "-X",
            "share.record.lock.duration.ms=10",
        ],
    );
    let r = &recs[0];
    assert_eq!(r.status, Some(Status::Failed));
    let e = r.error.as_deref().unwrap();
    assert!(
        e.contains("the broker refused the share group's settings"),
        "{e}"
    );
    assert!(e.contains("share.record.lock.duration.ms"), "{e}");
    assert!(e.contains("at least 1000"), "the broker's own words: {e}");
}

/// Issue 17's physics: with explicit acknowledgement, a poll's processing that outlasts
/// share.record.lock.duration.ms loses its locks, its acceptances fail, and the records are
/// delivered again; the run still ends with each record accepted exactly once.
///
/// `share.acquire.mode=record_limit` holds each acquisition to max.poll.records=50 whatever
/// the producer's batches, so at 25 ms a record a poll takes 1.25 s against the 1 s lock (the
/// embedded broker's floor, group.share.min.record.lock.duration.ms): every early delivery
/// fails. What ends it is the broker: records delivered more than half
/// share.delivery.count.limit times (10 here, so 5) are acquired in halved sets
/// (SharePartition's throttled delivery), whose processing fits in the lock. Measured here
/// with the default limit of 5: 100 records, 500 deliveries (each record on its 5th and
/// last delivery, too close to the limit to test on), 12.6 s of processing.
#[test]
fn processing_longer_than_the_record_lock_makes_records_come_back_and_each_is_accepted_once() {
    let messages = 100;
    let (recs, out) = sweep_of(
        "share-lock-expiry",
        messages,
        1,
        &[
            "--group-type",
            "share",
            "-X",
            "share.acknowledgement.mode=explicit",
            "-X",
            "share.acquire.mode=record_limit",
            "-X",
            "share.record.lock.duration.ms=1000",
            "-X",
            "share.delivery.count.limit=10",
            "-X",
            "max.poll.records=50",
            "--processing",
            "sleep:25ms",
            // 12.5 s of processing at the least (500 deliveries of 25 ms); the default 60 s
            // left too little room on a loaded machine.
            "--run-timeout",
            "180",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = &recs[0];
    assert_eq!(r.status, Some(Status::Ok), "{:?}", r.error);
    assert_eq!(r.messages, messages, "every record accepted in the end");
    let redeliveries = r.redeliveries.unwrap();
    assert!(redeliveries > 0, "the lock expired under processing: {r:?}");
    assert_eq!(r.deliveries, Some(messages + redeliveries));
    let c = &r.per_consumer[0];
    assert!(
        c.acknowledgement_errors.unwrap_or(0) > 0,
        "an acceptance after the lock expired fails: {c:?}"
    );
    assert_eq!(
        r.acknowledgements.unwrap().accept,
        r.deliveries.unwrap(),
        "every delivery was answered with an acceptance (explicit mode)"
    );
    let processing = r.processing_s.unwrap();
    assert!(
        processing >= r.deliveries.unwrap() as f64 * 0.025,
        "ShareRun processed every delivery between acquiring and acknowledging: {processing} s"
    );
    assert_eq!(r.group_config["share.record.lock.duration.ms"], "1000");
    assert_gone(r.group_id.as_deref().unwrap());
}
