//! The few things the scheduler asks of the cluster, behind one trait: the real cluster
//! (embedded or the user's) and the fake of the orchestration tests both answer them, so the
//! scheduler is tested end to end without Kafka (hyperfine's `Executor` and `MockExecutor`).

use std::time::Duration;

use anyhow::Result;

use crate::broker::admin::{self, PartitionOffsets};
use crate::broker::{ClientProps, Cluster};
use crate::network::NetworkSettings;
use crate::results::{BrokerMeta, ClusterWarmup};
use crate::workload::live::{LiveProducer, Schedule};
use crate::workload::prepare::{self, Prepared};
use crate::workload::Workload;

/// What a sweep needs of its cluster.
pub trait SweepCluster {
    /// The address clients connect to.
    fn bootstrap(&self) -> &str;
    /// What `sweep.json` records of the cluster.
    fn meta(&self) -> BrokerMeta;
    /// Makes sure the topic holds the workload (`fill`: drain; live brings its own).
    fn prepare(&self, workload: &Workload, allow_write: bool, fill: bool) -> Result<Prepared>;
    /// The topic's partitions with their offsets now (live runs start at the end).
    fn offsets(&self, topic: &str) -> Result<Vec<PartitionOffsets>>;
    /// Empties kafkatune's own topic before a producer run; its offsets after.
    fn truncate(&self, topic: &str) -> Result<Vec<PartitionOffsets>>;
    /// Starts the paced producer of a live run, with the trial's producer settings
    /// (librdkafka names) on top of the cluster's.
    fn start_live_producer(&self, schedule: Schedule, props: &ClientProps) -> Result<LiveProducer>;
    /// Whether the cluster still answers, after a failed run.
    fn answers(&self, timeout: Duration) -> bool;
    /// How long to wait for it to answer again before the sweep stops: an embedded broker
    /// that died does not come back; a cluster of the user's may be restarting.
    fn patience(&self) -> Duration;
    /// Deletes a run's consumer group, retrying while its members leave.
    fn delete_group(&self, group: &str) -> Result<()>;
    /// Puts a trial's network between the clients and the brokers (`--network`) and
    /// measures the round trip through it, in ms; `None` when the cluster has no proxy.
    fn set_network(&self, _settings: &NetworkSettings) -> Result<Option<f64>> {
        Ok(None)
    }
    /// Warms a freshly started cluster for at most `max` before the first run
    /// (`crate::workload::warm_cluster`), on a topic of its own when `own_topic` (a drain's
    /// topic holds an exact count), else on the sweep's; `None` when it is not warmed (the user's cluster,
    /// the fake, or `max` zero).
    /// The brokers a fault (`--fault`) may harm: the embedded cluster's; `None` elsewhere.
    fn fault_brokers(&self) -> Option<std::sync::Arc<dyn crate::fault::Brokers>> {
        None
    }
    fn warm_up(
        &self,
        _workload: &Workload,
        _own_topic: bool,
        _max: Duration,
    ) -> Result<Option<ClusterWarmup>> {
        Ok(None)
    }
}

impl SweepCluster for Cluster {
    fn bootstrap(&self) -> &str {
        self.client_bootstrap()
    }

    fn meta(&self) -> BrokerMeta {
        BrokerMeta {
            bootstrap_servers: self.client_bootstrap().to_string(),
            kind: self.kind().to_string(),
            version: self.version.clone(),
            brokers: Some(self.broker_count()),
        }
    }

    fn prepare(&self, workload: &Workload, allow_write: bool, fill: bool) -> Result<Prepared> {
        prepare::prepare(self, workload, allow_write, fill)
    }

    fn offsets(&self, topic: &str) -> Result<Vec<PartitionOffsets>> {
        Ok(admin::topic_offsets(
            &self.bootstrap,
            &self.admin_props,
            topic,
            prepare::ADMIN_TIMEOUT,
        )?
        .unwrap_or_default())
    }

    fn truncate(&self, topic: &str) -> Result<Vec<PartitionOffsets>> {
        admin::truncate_topic(
            &self.bootstrap,
            &self.admin_props,
            topic,
            prepare::ADMIN_TIMEOUT,
        )
    }

    fn start_live_producer(&self, schedule: Schedule, props: &ClientProps) -> Result<LiveProducer> {
        let mut all = self.admin_props.clone();
        all.extend(props.clone());
        // Through the proxies, like the consumer under test (see `crate::network`).
        LiveProducer::start(self.client_bootstrap(), &all, schedule)
    }

    fn answers(&self, timeout: Duration) -> bool {
        admin::metadata_ok(&self.bootstrap, &self.admin_props, timeout)
    }

    fn patience(&self) -> Duration {
        Duration::from_secs(if self.is_embedded() { 5 } else { 60 })
    }

    fn delete_group(&self, group: &str) -> Result<()> {
        admin::delete_groups(
            &self.bootstrap,
            &self.admin_props,
            &[group.to_string()],
            Duration::from_secs(15),
        )
    }

    fn warm_up(
        &self,
        workload: &Workload,
        own_topic: bool,
        max: Duration,
    ) -> Result<Option<ClusterWarmup>> {
        if !self.is_embedded() || max.is_zero() {
            return Ok(None);
        }
        let w = crate::workload::warm_cluster::warm_up(
            self,
            (!own_topic).then_some(workload.topic.as_str()),
            workload.partitions,
            workload.message_size,
            max,
        )?;
        let rounds: Vec<String> = w
            .rounds_msgs_per_s
            .iter()
            .map(|r| format!("{:.0}k", r / 1000.0))
            .collect();
        eprintln!(
            "kafkatune: warmed the cluster up for {:.0} s at full speed ({} msg/s by second){}",
            w.seconds,
            rounds.join(", "),
            if w.steady {
                ""
            } else {
                "; not steady yet when --cluster-warmup-s ran out"
            }
        );
        Ok(Some(w))
    }

    fn fault_brokers(&self) -> Option<std::sync::Arc<dyn crate::fault::Brokers>> {
        let cluster = self.embedded_cluster.as_ref()?.clone();
        Some(std::sync::Arc::new(crate::fault::embedded::Embedded {
            cluster,
            bootstrap: self.bootstrap.clone(),
            props: self.admin_props.clone(),
        }))
    }

    fn set_network(&self, settings: &NetworkSettings) -> Result<Option<f64>> {
        let Some(proxies) = &self.network else {
            return Ok(None);
        };
        proxies.apply(settings)?;
        let timeout =
            Duration::from_secs(10) + Duration::from_millis(40 * settings.latency_one_way_ms);
        crate::network::rtt::measure_rtt_ms(proxies.bootstrap(), &self.admin_props, timeout)
            .map(Some)
    }
}
