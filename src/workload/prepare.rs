//! Makes sure the topic holds the workload before any trial, and checks its end offsets.
//!
//! kafkatune never writes to a topic it did not create unless asked (`--allow-write`, or `kafkatune prepare`): on the
//! user's cluster a topic named with `--topic` is only read.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::{producer, Workload};
use crate::broker::admin::{self, PartitionOffsets};
use crate::broker::Cluster;
use crate::error::UserError;

/// How long one admin request may take.
pub const ADMIN_TIMEOUT: Duration = Duration::from_secs(15);

/// The topic as the trials will find it.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub partitions: Vec<PartitionOffsets>,
    /// Messages kafkatune produced now (0 when the topic was reused).
    pub produced: u64,
    pub produce_s: Option<f64>,
    /// The fill's mean record batch in bytes (`None` when the topic was reused).
    pub batch_size_avg_bytes: Option<f64>,
}

impl Prepared {
    /// Messages readable from the log start.
    pub fn available(&self) -> u64 {
        self.partitions
            .iter()
            .map(|p| (p.high - p.low).max(0) as u64)
            .sum()
    }
}

/// Ensures `workload.topic` exists and holds at least `workload.messages` messages (when
/// `fill`; live runs bring their own messages and only need the topic).
pub fn prepare(
    cluster: &Cluster,
    workload: &Workload,
    allow_write: bool,
    fill: bool,
) -> Result<Prepared> {
    let (bootstrap, props) = (&cluster.bootstrap, &cluster.admin_props);
    let may_write = cluster.is_embedded() || allow_write;
    let mut created = false;
    let mut partitions =
        match admin::topic_offsets(bootstrap, props, &workload.topic, ADMIN_TIMEOUT)? {
            Some(p) => p,
            None if may_write || !workload.topic_given => {
                // An embedded cluster replicates as production does (three replicas,
                // min.insync.replicas 2 with three brokers); a user's, by its own defaults.
                let replication = if cluster.is_embedded() {
                    cluster.replication()
                } else {
                    admin::Replication::BROKER_DEFAULT
                };
                admin::create_topic_replicated(
                    bootstrap,
                    props,
                    &workload.topic,
                    workload.partitions as i32,
                    replication,
                    ADMIN_TIMEOUT,
                )?;
                created = true;
                wait_for_partitions(cluster, workload)?
            }
            None => {
                return Err(UserError::env(format!(
                    "topic {} does not exist on {bootstrap}",
                    workload.topic
                ))
                .with_hint(
                    "check --topic, or pass --allow-write to let kafkatune create and fill it",
                )
                .into())
            }
        };
    let mut prepared = Prepared {
        partitions: partitions.clone(),
        produced: 0,
        produce_s: None,
        batch_size_avg_bytes: None,
    };
    let available = prepared.available();
    if !fill || available >= workload.messages {
        return Ok(prepared);
    }
    if !(created || may_write) {
        return Err(UserError::env(format!(
            "topic {} holds {available} messages, fewer than the {} asked for",
            workload.topic, workload.messages
        ))
        .with_hint(
            "lower --messages, or pass --allow-write to let kafkatune produce the missing messages",
        )
        .into());
    }
    let missing = workload.messages - available;
    let ids: Vec<i32> = partitions.iter().map(|p| p.partition).collect();
    eprintln!(
        "kafkatune: producing {missing} messages of {} B to {}",
        workload.message_size, workload.topic
    );
    let timeout = Duration::from_secs(120 + missing / 10_000);
    let payload = workload.payload.load(workload.message_size)?;
    let filled = producer::produce(
        bootstrap,
        props,
        &producer::Fill {
            topic: &workload.topic,
            partitions: &ids,
            count: missing,
            payload: &payload,
            settings: &workload.fill.native,
            timeout,
        },
    )?;
    prepared.produce_s = Some(filled.produce_s);
    prepared.batch_size_avg_bytes = filled.batch_size_avg_bytes;
    prepared.produced = missing;
    partitions =
        admin::topic_offsets(bootstrap, props, &workload.topic, ADMIN_TIMEOUT)?.unwrap_or_default();
    prepared.partitions = partitions;
    let now = prepared.available();
    if now < workload.messages {
        return Err(crate::error::env(format!(
            "after producing, topic {} holds {now} messages, fewer than {}: the broker lost acknowledged messages, or another producer deletes them",
            workload.topic, workload.messages
        )));
    }
    Ok(prepared)
}

/// A new topic's partitions answer offsets once their leaders are elected.
fn wait_for_partitions(cluster: &Cluster, workload: &Workload) -> Result<Vec<PartitionOffsets>> {
    let deadline = Instant::now() + ADMIN_TIMEOUT;
    loop {
        match admin::topic_offsets(
            &cluster.bootstrap,
            &cluster.admin_props,
            &workload.topic,
            Duration::from_secs(5),
        ) {
            Ok(Some(p)) if p.len() == workload.partitions as usize => return Ok(p),
            Ok(_) | Err(_) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100))
            }
            Ok(_) => {
                return Err(crate::error::env(format!(
                    "topic {} was created but its partitions did not come up within {} s",
                    workload.topic,
                    ADMIN_TIMEOUT.as_secs()
                )))
            }
            Err(e) => return Err(e),
        }
    }
}
