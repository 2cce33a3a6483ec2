//! Share group sweeps (issue 17) for the report's tests: a consumer group beside a share
//! group on a 2-partition topic, drained and live.

use std::path::Path;

use kafkatune::results::*;

use super::{base_meta, noise, record, strings, write};

const GROUP_TYPES: [&str; 2] = ["consumer", "share"];
const CONSUMERS: [&str; 4] = ["1", "2", "4", "8"];
const PARTITIONS: u32 = 2;

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The share fields a run records: every record delivered once plus `redeliveries`, an
/// acceptance sent for each delivery, the failed ones counted.
fn share_fields(r: &mut RunRecord, redeliveries: u64, lock_ms: Option<&str>) {
    r.group_type = Some("share".into());
    let deliveries = r.messages + redeliveries;
    r.deliveries = Some(deliveries);
    r.redeliveries = Some(redeliveries);
    r.acknowledgements = Some(Acknowledgements {
        accept: deliveries,
        release: 0,
        reject: 0,
    });
    r.acknowledgement_errors = Some(redeliveries);
    r.acquisition_errors = Some(0);
    r.group_config = [("share.auto.offset.reset", "earliest")]
        .into_iter()
        .chain(lock_ms.map(|l| ("share.record.lock.duration.ms", l)))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
}

/// Drained: group.type × consumers 1, 2, 4, 8, 3 runs each, Java. The consumer group grows
/// to the 2 partitions and stays there (the extra members idle); the share group keeps
/// growing to 8 consumers, its fetches slower with more members.
pub fn share_drain_sweep(dir: &Path) {
    let grid = vec![
        ("group.type".to_string(), strings(&GROUP_TYPES)),
        ("consumers".to_string(), strings(&CONSUMERS)),
    ];
    let mut meta = base_meta("share-drain-fixture", Mode::Drain, grid);
    meta.command = "kafkatune sweep --param group.type=consumer,share --partitions 2 --param consumers=1,2,4,8 --client java".into();
    meta.clients = vec!["java".into()];
    meta.workload.partitions = PARTITIONS;
    meta.workload.topic = "kafkatune-100000x100B-p2".into();
    meta.host.cpu_count = 16;
    let mut records = Vec::new();
    let mut trial = 0;
    for kind in GROUP_TYPES {
        for n in CONSUMERS {
            let consumers: u32 = n.parse().unwrap();
            let p = params(&[("group.type", kind), ("consumers", n)]);
            let (tput, fetch_ms) = match kind {
                "consumer" => (60_000.0 * consumers.min(PARTITIONS) as f64, 21.0),
                _ => (40_000.0 * consumers as f64, 30.0 + 6.0 * consumers as f64),
            };
            for run in 0..3 {
                let mut r = record(&meta, trial, run, "java", "4.4.0", &p);
                let f = noise(trial, run);
                r.throughput_msgs_per_s = Some(tput * f);
                r.consume_s = Some(r.messages as f64 / (tput * f));
                r.wall_s = r.consume_s.unwrap() + 2.0;
                r.startup_s = Some(0.45);
                r.cpu_s_per_million_msgs = Some(1.6 * consumers as f64 * (2.0 - f));
                r.fetch_latency_avg_ms = Some(fetch_ms * f);
                r.fetch_latency_max_ms = Some(fetch_ms * 8.0);
                r.fetch_requests = Some(400.0);
                r.group_id = Some(format!("kafkatune-share-drain-fixture-t{trial:02}-r{run}"));
                if kind == "share" {
                    share_fields(&mut r, 0, None);
                } else {
                    r.group_type = Some("consumer".into());
                    r.idle_consumers = (PARTITIONS..consumers).collect();
                }
                records.push(r);
            }
            trial += 1;
        }
    }
    write(dir, &meta, &records);
}

/// Live at 300 msg/s with 10 ms of processing a record: group.type × consumers 1, 2, 4 ×
/// share.record.lock.duration.ms 1000, 30000 (a consumer group ignores the lock). A lock
/// shorter than a poll's processing brings records back; each waits out the lock first,
/// which sets the share group's p99. One share run with the short lock and one consumer
/// failed (records archived past the delivery limit).
pub fn share_live_sweep(dir: &Path) {
    let locks = ["1000", "30000"];
    let consumers = ["1", "2", "4"];
    let grid = vec![
        ("group.type".to_string(), strings(&GROUP_TYPES)),
        ("consumers".to_string(), strings(&consumers)),
        ("share.record.lock.duration.ms".to_string(), strings(&locks)),
    ];
    let mut meta = base_meta("share-live-fixture", Mode::Live, grid);
    meta.command = "kafkatune sweep --mode live --rate 300 --processing sleep:10ms --param group.type=consumer,share --partitions 2 --param consumers=1,2,4 --param share.record.lock.duration.ms=1000,30000 --client java".into();
    meta.clients = vec!["java".into()];
    meta.workload.partitions = PARTITIONS;
    meta.workload.topic = "kafkatune-live-p2".into();
    meta.host.cpu_count = 16;
    meta.live = Some(LiveMeta {
        rate_msgs_per_s: 300.0,
        duration_s: 30.0,
        warmup_s: 5.0,
    });
    meta.fixed.insert("processing".into(), "sleep:10ms".into());
    // 30 s at 300 msg/s.
    meta.workload.messages = 9000;
    let mut records = Vec::new();
    let mut trial = 0;
    for kind in GROUP_TYPES {
        for n in consumers {
            for lock in locks {
                let members: u32 = n.parse().unwrap();
                let p = params(&[
                    ("group.type", kind),
                    ("consumers", n),
                    ("share.record.lock.duration.ms", lock),
                ]);
                let short_lock = kind == "share" && lock == "1000";
                // 10 ms a record at 300 msg/s needs 3 busy members; a consumer group has 2.
                let working = if kind == "consumer" {
                    members.min(PARTITIONS)
                } else {
                    members
                };
                let backlog_ms = if working >= 3 {
                    0.0
                } else {
                    400.0 / working as f64
                };
                for run in 0..3 {
                    let mut r = record(&meta, trial, run, "java", "4.4.0", &p);
                    let f = noise(trial, run);
                    let p99 = (12.0 + backlog_ms + if short_lock { 1010.0 } else { 0.0 }) * f;
                    r.latency_p50_ms = Some((10.5 + backlog_ms / 2.0) * f);
                    r.latency_p90_ms = Some(p99 * 0.8);
                    r.latency_p99_ms = Some(p99);
                    r.latency_p999_ms = Some(p99 * 1.1);
                    r.latency_max_ms = Some(p99 * 1.4);
                    r.latency_samples = Some(9000);
                    r.produce_rate_msgs_per_s = Some(300.0);
                    r.consume_rate_msgs_per_s = Some(300.0 * (2.0 - f));
                    r.throughput_msgs_per_s = r.consume_rate_msgs_per_s;
                    r.kept_up = Some(working >= 3);
                    r.processing_s = Some(90.0);
                    r.cpu_s_per_million_msgs = Some(30.0 * members as f64 * (2.0 - f));
                    r.fetch_latency_avg_ms = Some(8.0 * f);
                    r.wall_s = 36.0;
                    r.startup_s = Some(0.45);
                    if kind == "share" {
                        let red = if short_lock {
                            600 + 100 * run as u64
                        } else {
                            0
                        };
                        share_fields(&mut r, red, Some(lock));
                        if short_lock && members == 1 && run == 2 {
                            r.status = Some(Status::Failed);
                            r.error = Some("8874 of 9000 records accepted: 126 archived past share.delivery.count.limit".into());
                            r.throughput_msgs_per_s = None;
                        }
                    } else {
                        r.group_type = Some("consumer".into());
                        r.idle_consumers = (PARTITIONS..members).collect();
                    }
                    records.push(r);
                }
                trial += 1;
            }
        }
    }
    write(dir, &meta, &records);
}
