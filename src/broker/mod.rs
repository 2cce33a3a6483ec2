//! The cluster a sweep measures: an embedded broker kafkatune starts and stops itself (the
//! default), or the user's own (`--bootstrap-servers`).

pub mod admin;
mod class_archive;
pub mod daemon;
pub mod embedded;
pub mod jars;
pub mod java;
mod server_config;
pub mod setup;
mod storage;

use std::time::Duration;

use anyhow::Result;

pub use admin::ClientProps;
use embedded::{BrokerSetup, EmbeddedBroker, EmbeddedCluster};

/// A cluster to measure against. An embedded broker (or cluster) stops when this is dropped.
#[derive(Debug)]
pub struct Cluster {
    pub bootstrap: String,
    pub version: Option<String>,
    /// librdkafka settings for admin and producer connections (`--command-config`).
    pub admin_props: ClientProps,
    /// The embedded broker, when kafkatune started one (`embedded()`).
    pub embedded: Option<EmbeddedBroker>,
    /// The embedded brokers, when kafkatune started several (`embedded_with(n)`, n > 1);
    /// shared with a fault run's thread (`--fault`), which kills and restarts them.
    pub embedded_cluster: Option<std::sync::Arc<std::sync::Mutex<EmbeddedCluster>>>,
    /// How many brokers it has: those kafkatune started, or those an external cluster's
    /// metadata listed when it was checked.
    pub brokers: u32,
    /// `--network`: the proxies in front of the embedded brokers' client listeners. Then
    /// `bootstrap` is the brokers' direct (INTERNAL) listeners, for kafkatune's admin
    /// requests and the topic fill, and clients bootstrap from the proxies.
    pub network: Option<crate::network::ClientProxies>,
}

impl Cluster {
    /// Starts an embedded broker (printing a line, since it takes a few seconds).
    pub fn embedded() -> Result<Cluster> {
        Cluster::embedded_with(1)
    }

    /// Starts an embedded cluster of `brokers` brokers (1 if 0), one JVM each, and waits
    /// until a metadata request lists them all (printing a line). See `EmbeddedCluster` for
    /// its controller quorum, `admin::Replication::for_brokers` for how its topics are
    /// replicated.
    pub fn embedded_with(brokers: u32) -> Result<Cluster> {
        Cluster::embedded_behind(brokers, None)
    }

    /// An embedded cluster whose clients reach each broker through a proxy
    /// (`crate::network`): the proxies are started first, on ports the brokers then
    /// advertise, and pointed at the brokers once these listen.
    pub fn embedded_behind_proxies(brokers: u32) -> Result<Cluster> {
        let proxies = crate::network::ClientProxies::start(brokers.max(1))?;
        Cluster::embedded_behind(brokers, Some(proxies))
    }

    fn embedded_behind(
        brokers: u32,
        network: Option<crate::network::ClientProxies>,
    ) -> Result<Cluster> {
        let jars = jars::locate()?;
        let started = std::time::Instant::now();
        let setup = BrokerSetup {
            client_advertised_ports: network
                .as_ref()
                .map(|n| n.listen_ports())
                .unwrap_or_default(),
            ..Default::default()
        };
        let cluster = EmbeddedCluster::start(&jars, &setup, brokers)?;
        let version = cluster.version.clone();
        let mut bootstrap = cluster.bootstrap.clone();
        if let Some(proxies) = &network {
            let upstreams: Vec<String> = cluster
                .brokers
                .iter()
                .map(|b| b.bootstrap.clone())
                .collect();
            proxies.connect(&upstreams)?;
            bootstrap = cluster
                .brokers
                .iter()
                .filter_map(|b| b.internal_bootstrap.clone())
                .collect::<Vec<_>>()
                .join(",");
        }
        let count = cluster.broker_count();
        if count == 1 {
            eprintln!(
                "kafkatune: embedded Apache Kafka {version} broker ready at {bootstrap} in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        } else {
            eprintln!(
                "kafkatune: embedded Apache Kafka {version} cluster of {count} brokers ready at {bootstrap} in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        let (embedded, embedded_cluster) = if count == 1 {
            (cluster.into_brokers().pop(), None)
        } else {
            (
                None,
                Some(std::sync::Arc::new(std::sync::Mutex::new(cluster))),
            )
        };
        if let Some(proxies) = &network {
            eprintln!(
                "kafkatune: clients reach the brokers through kafkatune's delay proxy at {}",
                proxies.bootstrap()
            );
        }
        Ok(Cluster {
            bootstrap,
            version: Some(version),
            admin_props: ClientProps::new(),
            embedded,
            embedded_cluster,
            brokers: count,
            network,
        })
    }

    /// The address clients bootstrap from: the proxies' with `--network`, else `bootstrap`.
    pub fn client_bootstrap(&self) -> &str {
        self.network
            .as_ref()
            .map_or(self.bootstrap.as_str(), |n| n.bootstrap())
    }

    /// The user's cluster; checks that it answers within `timeout`.
    pub fn external(
        bootstrap: &str,
        admin_props: ClientProps,
        timeout: Duration,
    ) -> Result<Cluster> {
        admin::check_reachable(bootstrap, &admin_props, timeout)?;
        let brokers = admin::broker_count(bootstrap, &admin_props, timeout)?;
        Ok(Cluster {
            bootstrap: bootstrap.to_string(),
            version: None,
            admin_props,
            embedded: None,
            embedded_cluster: None,
            brokers: u32::try_from(brokers).unwrap_or(u32::MAX).max(1),
            network: None,
        })
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some() || self.embedded_cluster.is_some()
    }

    /// `embedded` or `external`, as recorded in the results.
    pub fn kind(&self) -> &'static str {
        if self.is_embedded() {
            "embedded"
        } else {
            "external"
        }
    }

    /// How many brokers it has.
    pub fn broker_count(&self) -> u32 {
        self.brokers
    }

    /// How topics kafkatune creates on it are best replicated: `min(3, brokers)` replicas,
    /// `min.insync.replicas=2` with three (see `admin::Replication::for_brokers`).
    pub fn replication(&self) -> admin::Replication {
        admin::Replication::for_brokers(self.brokers)
    }

    /// The process ids of the brokers kafkatune started (none for an external cluster).
    pub fn embedded_pids(&self) -> Vec<u32> {
        match (&self.embedded, &self.embedded_cluster) {
            (Some(b), _) => vec![b.pid],
            (None, Some(c)) => c.lock().unwrap().pids(),
            (None, None) => Vec::new(),
        }
    }
}
