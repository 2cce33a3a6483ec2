//! What an embedded broker is set up with: its secured listeners for the tests of secured
//! clusters, whether it outlives kafkatune, and its logging.

use std::path::PathBuf;

/// A SASL/SCRAM listener to add beside PLAINTEXT (tests of secured clusters).
#[derive(Debug, Clone)]
pub struct ScramUser {
    pub user: String,
    pub password: String,
}

/// A TLS listener to add beside PLAINTEXT (tests of secured clusters).
#[derive(Debug, Clone)]
pub struct TlsListener {
    /// The broker's PEM key store: its private key (PKCS#8, unencrypted) and certificate chain.
    pub keystore_pem: PathBuf,
    /// For mutual TLS: the PEM CA certificate that clients' certificates must chain to.
    pub client_ca_pem: Option<PathBuf>,
}

/// What to start. (How many brokers is an argument of `EmbeddedCluster::start`, not a field
/// here, so that code building a `BrokerSetup { .. }` literal keeps compiling.)
#[derive(Debug, Clone, Default)]
pub struct BrokerSetup {
    /// Keep running after kafkatune exits (`kafkatune broker start`).
    pub detached: bool,
    pub scram: Option<ScramUser>,
    pub tls: Option<TlsListener>,
    /// `--network`: the port each broker (by node id, 1 first) advertises on its client
    /// listener (PLAINTEXT), a proxy's in front of it (`crate::network`). Replication then
    /// goes over a listener of its own, INTERNAL, advertised at the broker's own port.
    pub client_advertised_ports: Vec<u16>,
}

/// The brokers' logging: warnings, and the line that says the server started.
pub(super) const LOG4J2: &str = "Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        Pattern: \"[%d] %p %m (%c)%n\"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
";
