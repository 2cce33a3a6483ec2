//! The cluster a sweep measures: an embedded broker kafkatune starts and stops itself (the
//! default), or the user's own (`--bootstrap-servers`).

pub mod admin;
mod class_archive;
pub mod daemon;
pub mod embedded;
pub mod jars;
pub mod java;
mod storage;

use std::time::Duration;

use anyhow::Result;

pub use admin::ClientProps;
use embedded::{BrokerSetup, EmbeddedBroker};

/// A cluster to measure against. An embedded broker stops when this is dropped.
#[derive(Debug)]
pub struct Cluster {
    pub bootstrap: String,
    pub version: Option<String>,
    /// librdkafka settings for admin and producer connections (`--command-config`).
    pub admin_props: ClientProps,
    pub embedded: Option<EmbeddedBroker>,
}

impl Cluster {
    /// Starts an embedded broker (printing a line, since it takes a few seconds).
    pub fn embedded() -> Result<Cluster> {
        let jars = jars::locate()?;
        let started = std::time::Instant::now();
        let broker = EmbeddedBroker::start(&jars, &BrokerSetup::default())?;
        eprintln!(
            "kafkatune: embedded Apache Kafka {} broker ready at {} in {:.1} s",
            broker.version,
            broker.bootstrap,
            started.elapsed().as_secs_f64()
        );
        Ok(Cluster {
            bootstrap: broker.bootstrap.clone(),
            version: Some(broker.version.clone()),
            admin_props: ClientProps::new(),
            embedded: Some(broker),
        })
    }

    /// The user's cluster; checks that it answers within `timeout`.
    pub fn external(
        bootstrap: &str,
        admin_props: ClientProps,
        timeout: Duration,
    ) -> Result<Cluster> {
        admin::check_reachable(bootstrap, &admin_props, timeout)?;
        Ok(Cluster {
            bootstrap: bootstrap.to_string(),
            version: None,
            admin_props,
            embedded: None,
        })
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// `embedded` or `external`, as recorded in the results.
    pub fn kind(&self) -> &'static str {
        if self.is_embedded() {
            "embedded"
        } else {
            "external"
        }
    }
}
