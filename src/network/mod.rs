//! Network distance between the clients and the embedded brokers: kafkatune's delay proxy in
//! front of each broker's client listener, with the delay, jitter and bandwidth limit of each
//! trial (`--network`, `--param network.latency=...`).
//!
//! The brokers advertise the proxies' addresses on their client listener (PLAINTEXT), so
//! every client, kafkatune's drivers included, reaches a broker through its proxy and never
//! around it, without any change to the clients. What stays direct: replication between
//! brokers and kafkatune's own admin requests and topic fill (a second listener, INTERNAL,
//! advertised at the broker's own port), and the controller quorum (CONTROLLER). Live and
//! pipeline runs' paced producer goes through the proxy like the consumer: their end-to-end
//! latency crosses the distance twice, as an application's would with producer and consumer
//! both away from the brokers.
//!
//! `spec` parses what users type; `proxy` is the proxy (and says why it is our own); `rtt`
//! measures the round trip.

pub mod proxy;
pub mod rtt;
pub mod spec;

use std::sync::Arc;

use anyhow::Result;

pub use spec::{is_network_param, parse_network_option, NetworkSettings};

/// One proxy per broker, in front of the brokers' client listeners, sharing one setting.
#[derive(Debug)]
pub struct ClientProxies {
    shared: Arc<proxy::Shared>,
    /// By broker (node id 1 first).
    proxies: Vec<proxy::Proxy>,
    /// The proxies' addresses, comma-separated.
    bootstrap: String,
}

impl ClientProxies {
    /// Starts one proxy per broker, each on a free port (which the brokers then advertise),
    /// closing every connection until `connect` gives the brokers' addresses.
    pub fn start(brokers: u32) -> Result<ClientProxies> {
        let shared = proxy::Shared::new();
        let proxies = (0..brokers.max(1))
            .map(|_| proxy::Proxy::start(shared.clone()))
            .collect::<Result<Vec<_>>>()?;
        let bootstrap = proxies
            .iter()
            .map(|p| p.listen().to_string())
            .collect::<Vec<_>>()
            .join(",");
        Ok(ClientProxies {
            shared,
            proxies,
            bootstrap,
        })
    }

    /// The port each broker is to advertise, by broker.
    pub fn listen_ports(&self) -> Vec<u16> {
        self.proxies.iter().map(|p| p.listen().port()).collect()
    }

    /// Points each proxy at its broker's client listener (`127.0.0.1:PORT`), by broker.
    pub fn connect(&self, upstreams: &[String]) -> Result<()> {
        for (proxy, upstream) in self.proxies.iter().zip(upstreams) {
            proxy.set_upstream(upstream)?;
        }
        Ok(())
    }

    /// The proxies' addresses, comma-separated: what clients bootstrap from.
    pub fn bootstrap(&self) -> &str {
        &self.bootstrap
    }

    /// Puts `settings` on every proxy, for the connections opened from now on.
    pub fn apply(&self, settings: &NetworkSettings) -> Result<()> {
        self.shared.set(*settings);
        Ok(())
    }
}
