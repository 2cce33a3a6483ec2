//! Network distance between the clients and the embedded brokers: a Toxiproxy proxy in front
//! of each broker's client listener, with the delay, jitter and bandwidth limit of each trial
//! (`--network`, `--param network.latency=...`).
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
//! `spec` parses what users type; `toxiproxy` runs the proxy; `rtt` measures the round trip.

pub mod rtt;
pub mod spec;
pub mod toxiproxy;

use std::sync::Mutex;

use anyhow::Result;

pub use spec::{is_network_param, parse_network_option, NetworkSettings};
use toxiproxy::Toxiproxy;

/// One proxy per broker, in front of the brokers' client listeners.
#[derive(Debug)]
pub struct ClientProxies {
    server: Toxiproxy,
    /// `(proxy name, listen address)`, by broker (node id 1 first).
    proxies: Vec<(String, String)>,
    /// The proxies' addresses, comma-separated.
    bootstrap: String,
    /// The toxics in place now (changed only when a run asks for others).
    current: Mutex<Option<NetworkSettings>>,
}

/// Where a proxy points before its broker is known: nothing listens on the discard port.
const NO_UPSTREAM_YET: &str = "127.0.0.1:9";

impl ClientProxies {
    /// Starts Toxiproxy and one proxy per broker, each on a free port (which the brokers
    /// then advertise), pointing nowhere until `connect` gives the brokers' addresses.
    pub fn start(brokers: u32) -> Result<ClientProxies> {
        let server = Toxiproxy::start()?;
        let proxies = (1..=brokers.max(1))
            .map(|id| {
                let name = format!("broker-{id}");
                let listen = server.create_proxy(&name, NO_UPSTREAM_YET)?;
                Ok((name, listen))
            })
            .collect::<Result<Vec<_>>>()?;
        let bootstrap = proxies
            .iter()
            .map(|(_, listen)| listen.as_str())
            .collect::<Vec<_>>()
            .join(",");
        Ok(ClientProxies {
            server,
            proxies,
            bootstrap,
            current: Mutex::new(None),
        })
    }

    /// The port each broker is to advertise, by broker.
    pub fn listen_ports(&self) -> Vec<u16> {
        self.proxies
            .iter()
            .filter_map(|(_, listen)| listen.rsplit(':').next()?.parse().ok())
            .collect()
    }

    /// Points each proxy at its broker's client listener (`127.0.0.1:PORT`), by broker.
    pub fn connect(&self, upstreams: &[String]) -> Result<()> {
        for ((name, listen), upstream) in self.proxies.iter().zip(upstreams) {
            self.server.set_upstream(name, listen, upstream)?;
        }
        Ok(())
    }

    /// The proxies' addresses, comma-separated: what clients bootstrap from.
    pub fn bootstrap(&self) -> &str {
        &self.bootstrap
    }

    /// Puts `settings` on every proxy, unless they are there already.
    pub fn apply(&self, settings: &NetworkSettings) -> Result<()> {
        let mut current = self.current.lock().expect("not poisoned");
        if current.as_ref() == Some(settings) {
            return Ok(());
        }
        *current = None;
        for (name, _) in &self.proxies {
            self.server.set_toxics(name, settings)?;
        }
        *current = Some(*settings);
        Ok(())
    }
}
