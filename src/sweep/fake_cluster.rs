//! The stand-in cluster of the orchestration tests (`--fake-cluster`, hidden): it holds any
//! workload asked of it, and answers or not as scripted. It goes with the fake client
//! (`clients/fake.rs`), which reads nothing from it.

use std::cell::Cell;
use std::time::Duration;

use anyhow::Result;

use super::cluster::SweepCluster;
use crate::broker::admin::PartitionOffsets;
use crate::cli::FakeCluster;
use crate::error::UserError;
use crate::results::BrokerMeta;
use crate::workload::live::{LiveProducer, Schedule};
use crate::workload::prepare::Prepared;
use crate::workload::Workload;

/// The address the fake gives its clients (they never connect).
pub const BOOTSTRAP: &str = "fake:9092";

pub struct Fake {
    behaviour: FakeCluster,
    /// A run failed, and the fake was told to die then.
    dead: Cell<bool>,
}

impl Fake {
    /// Connects, or fails as an unreachable cluster does (exit 3).
    pub fn connect(behaviour: FakeCluster) -> Result<Fake> {
        if behaviour == FakeCluster::Unreachable {
            return Err(UserError::env(format!("the Kafka cluster at {BOOTSTRAP} did not answer within 15 s (the fake cluster is unreachable, as asked)"))
                .with_hint("check --bootstrap-servers")
                .into());
        }
        Ok(Fake {
            behaviour,
            dead: Cell::new(false),
        })
    }
}

impl SweepCluster for Fake {
    fn bootstrap(&self) -> &str {
        BOOTSTRAP
    }

    fn meta(&self) -> BrokerMeta {
        BrokerMeta {
            bootstrap_servers: BOOTSTRAP.into(),
            kind: "fake".into(),
            version: None,
            brokers: Some(1),
        }
    }

    fn prepare(&self, workload: &Workload, _allow_write: bool, _fill: bool) -> Result<Prepared> {
        let n = u64::from(workload.partitions);
        let partitions = (0..workload.partitions)
            .map(|p| PartitionOffsets {
                partition: p as i32,
                low: 0,
                high: (workload.messages / n + u64::from(u64::from(p) < workload.messages % n))
                    as i64,
            })
            .collect();
        Ok(Prepared {
            partitions,
            produced: 0,
            produce_s: None,
            batch_size_avg_bytes: None,
        })
    }

    fn offsets(&self, _topic: &str) -> Result<Vec<PartitionOffsets>> {
        anyhow::bail!("the fake cluster has no live producer")
    }

    fn truncate(&self, _topic: &str) -> Result<Vec<PartitionOffsets>> {
        anyhow::bail!("the fake cluster runs no producer")
    }

    fn start_live_producer(
        &self,
        _schedule: Schedule,
        _props: &crate::broker::ClientProps,
    ) -> Result<LiveProducer> {
        anyhow::bail!("the fake cluster has no live producer")
    }

    fn answers(&self, _timeout: Duration) -> bool {
        if self.behaviour == FakeCluster::DiesOnFailure {
            self.dead.set(true);
        }
        !self.dead.get()
    }

    fn patience(&self) -> Duration {
        Duration::from_millis(100)
    }

    fn delete_group(&self, _group: &str) -> Result<()> {
        Ok(())
    }
}
