//! The embedded broker: a real Apache Kafka broker (KRaft combined mode, one node) started
//! from Maven Central's jars on the machine's Java, on free ports, in a scratch folder.

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::admin;
use super::jars::KafkaJars;
use crate::{cache, error, process};

/// How long a broker may take to answer a metadata request after its start.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

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

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct BrokerSetup {
    /// Keep running after kafkatune exits (`kafkatune broker start`).
    pub detached: bool,
    pub scram: Option<ScramUser>,
    pub tls: Option<TlsListener>,
}

/// A running embedded broker; stopped (and its folder removed) when dropped unless detached.
#[derive(Debug)]
pub struct EmbeddedBroker {
    child: Option<Child>,
    pub pid: u32,
    pub dir: PathBuf,
    pub bootstrap: String,
    /// `127.0.0.1:PORT` of the SASL_PLAINTEXT listener, when one was asked for.
    pub scram_bootstrap: Option<String>,
    /// `127.0.0.1:PORT` of the SSL listener, when one was asked for.
    pub tls_bootstrap: Option<String>,
    /// `127.0.0.1:PORT` of the SASL_SSL listener (SASL over TLS, no client certificate),
    /// when both SASL and TLS were asked for.
    pub sasl_tls_bootstrap: Option<String>,
    pub version: String,
    detached: bool,
}

impl EmbeddedBroker {
    pub fn start(jars: &KafkaJars, setup: &BrokerSetup) -> Result<EmbeddedBroker> {
        super::java::require_java()?;
        let dir = scratch_dir()?;
        let ports = free_ports(2 + SECURED.len())?;
        let bootstrap = format!("127.0.0.1:{}", ports[0]);
        let secured = secured_listeners(setup, &ports);
        let address_of = |protocol: &str| {
            secured
                .iter()
                .find(|(l, _)| l.protocol == protocol)
                .map(|(_, port)| format!("127.0.0.1:{port}"))
        };
        let scram_bootstrap = address_of("SASL_PLAINTEXT");
        let tls_bootstrap = address_of("SSL");
        let sasl_tls_bootstrap = address_of("SASL_SSL");
        std::fs::write(
            dir.join("server.properties"),
            server_properties(&dir, &ports, setup),
        )?;
        std::fs::write(dir.join("log4j2.yaml"), LOG4J2)?;
        format_storage(jars, &dir, setup.scram.as_ref())?;

        let log = std::fs::File::create(dir.join("broker.log"))?;
        let mut cmd = Command::new("java");
        cmd.args([
            "-Xms1G",
            "-Xmx1G",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
        ])
        .arg(format!(
            "-Dlog4j2.configurationFile={}",
            dir.join("log4j2.yaml").display()
        ))
        .arg("-cp")
        .arg(jars.classpath())
        .arg("kafka.Kafka")
        .arg(dir.join("server.properties"))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
        process::isolate(&mut cmd, !setup.detached);
        let child = cmd.spawn().context("starting the broker's JVM")?;
        let mut broker = EmbeddedBroker {
            pid: child.id(),
            child: Some(child),
            dir,
            bootstrap,
            scram_bootstrap,
            tls_bootstrap,
            sasl_tls_bootstrap,
            version: jars.version.clone(),
            detached: setup.detached,
        };
        broker.wait_ready()?;
        Ok(broker)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let started = Instant::now();
        loop {
            crate::interrupt::check(|| "interrupted while the embedded broker started".into())?;
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                let log = std::fs::read_to_string(self.dir.join("broker.log")).unwrap_or_default();
                return Err(error::env(format!(
                    "the embedded broker exited at start ({status}); its log ends:\n{}",
                    process::tail(&log, 20)
                )));
            }
            if admin::metadata_ok(&self.bootstrap, &Default::default(), Duration::from_secs(1)) {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(error::env(format!(
                    "the embedded broker did not answer a metadata request within {} s; see {}",
                    READY_TIMEOUT.as_secs(),
                    self.dir.join("broker.log").display()
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Stops the broker: SIGTERM (a controlled shutdown), then SIGKILL after a grace period.
    pub fn stop(&mut self) {
        stop_pid(self.pid, self.child.as_mut());
        self.child = None;
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Kills the broker at once, as a crash would (fault tests).
    pub fn kill(&mut self) {
        process::kill_group(self.pid, libc::SIGKILL);
        if let Some(c) = self.child.as_mut() {
            let _ = c.wait();
        }
    }
}

impl Drop for EmbeddedBroker {
    fn drop(&mut self) {
        if !self.detached {
            self.stop();
        }
    }
}

/// SIGTERM to the broker's process group, up to 15 s for its controlled shutdown, then SIGKILL.
pub fn stop_pid(pid: u32, child: Option<&mut Child>) {
    process::kill_group(pid, libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(15);
    match child {
        Some(child) => loop {
            if child.try_wait().ok().flatten().is_some() {
                return;
            }
            if Instant::now() > deadline {
                process::kill_group(pid, libc::SIGKILL);
                let _ = child.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        },
        None => {
            while process::alive(pid) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            process::kill_group(pid, libc::SIGKILL);
        }
    }
}

/// A fresh folder under the cache, and the removal of folders left by dead kafkatunes.
fn scratch_dir() -> Result<PathBuf> {
    let base = cache::dir().join("brokers");
    std::fs::create_dir_all(&base).with_context(|| format!("creating {}", base.display()))?;
    for entry in std::fs::read_dir(&base)?.flatten() {
        let owner = entry
            .file_name()
            .to_string_lossy()
            .split('-')
            .next()
            .and_then(|p| p.parse::<u32>().ok());
        let running = std::fs::read_to_string(entry.path().join("broker.pid"))
            .ok()
            .and_then(|p| p.trim().parse::<u32>().ok());
        if owner.is_some_and(|pid| !process::alive(pid)) && !running.is_some_and(process::alive) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .subsec_nanos();
    let dir = base.join(format!("{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(dir.join("data"))?;
    Ok(dir)
}

fn free_ports(n: usize) -> Result<Vec<u16>> {
    // Hold every listener until all ports are known, so they are distinct.
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<_>>()?;
    Ok(listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect::<std::io::Result<_>>()?)
}

/// A listener beside PLAINTEXT that a test set-up may ask for.
struct Secured {
    /// The security protocol, which is also the listener's name.
    protocol: &'static str,
    sasl: bool,
    tls: bool,
}

/// Every secured listener, each with the port after PLAINTEXT's and CONTROLLER's.
const SECURED: [Secured; 3] = [
    Secured {
        protocol: "SASL_PLAINTEXT",
        sasl: true,
        tls: false,
    },
    Secured {
        protocol: "SSL",
        sasl: false,
        tls: true,
    },
    Secured {
        protocol: "SASL_SSL",
        sasl: true,
        tls: true,
    },
];

/// The secured listeners `setup` asks for (SASL ones with a SCRAM user, TLS ones with a key
/// store), with their ports.
fn secured_listeners(setup: &BrokerSetup, ports: &[u16]) -> Vec<(&'static Secured, u16)> {
    SECURED
        .iter()
        .zip(&ports[2..])
        .filter(|(l, _)| (!l.sasl || setup.scram.is_some()) && (!l.tls || setup.tls.is_some()))
        .map(|(l, port)| (l, *port))
        .collect()
}

fn server_properties(dir: &Path, ports: &[u16], setup: &BrokerSetup) -> String {
    let (broker, controller) = (ports[0], ports[1]);
    let secured = secured_listeners(setup, ports);
    let mut listeners =
        format!("PLAINTEXT://127.0.0.1:{broker},CONTROLLER://127.0.0.1:{controller}");
    let mut advertised = format!("PLAINTEXT://127.0.0.1:{broker}");
    let mut map = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT".to_string();
    for (l, port) in &secured {
        let protocol = l.protocol;
        listeners.push_str(&format!(",{protocol}://127.0.0.1:{port}"));
        advertised.push_str(&format!(",{protocol}://127.0.0.1:{port}"));
        map.push_str(&format!(",{protocol}:{protocol}"));
    }
    let mut text = String::new();
    let _ = write!(
        text,
        "process.roles=broker,controller\n\
         node.id=1\n\
         controller.quorum.bootstrap.servers=127.0.0.1:{controller}\n\
         listeners={listeners}\n\
         advertised.listeners={advertised}\n\
         controller.listener.names=CONTROLLER\n\
         inter.broker.listener.name=PLAINTEXT\n\
         listener.security.protocol.map={map}\n\
         log.dirs={}\n\
         num.partitions=1\n\
         auto.create.topics.enable=false\n\
         offsets.topic.replication.factor=1\n\
         offsets.topic.num.partitions=1\n\
         transaction.state.log.replication.factor=1\n\
         transaction.state.log.min.isr=1\n\
         share.coordinator.state.topic.replication.factor=1\n\
         share.coordinator.state.topic.min.isr=1\n\
         group.initial.rebalance.delay.ms=0\n",
        dir.join("data").display()
    );
    if setup.scram.is_some() {
        text.push_str("sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN\n");
    }
    for (l, _) in &secured {
        let name = l.protocol.to_ascii_lowercase();
        if let (true, Some(user)) = (l.sasl, &setup.scram) {
            // The same user for SCRAM (credentials in the metadata log, see `format_storage`)
            // and PLAIN (credentials in the listener's JAAS line).
            let _ = writeln!(
                text,
                "listener.name.{name}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n\
                 listener.name.{name}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_{}=\"{}\";",
                user.user, user.password
            );
        }
        if let (true, Some(tls)) = (l.tls, &setup.tls) {
            // PEM stores (KIP-651): the same files librdkafka and kafka-python read.
            let _ = writeln!(
                text,
                "listener.name.{name}.ssl.keystore.type=PEM\n\
                 listener.name.{name}.ssl.keystore.location={}",
                tls.keystore_pem.display()
            );
        }
    }
    // Mutual TLS on the SSL listener; SASL_SSL authenticates by SASL.
    if let Some(ca) = setup.tls.as_ref().and_then(|t| t.client_ca_pem.as_ref()) {
        let _ = writeln!(
            text,
            "listener.name.ssl.ssl.client.auth=required\n\
             listener.name.ssl.ssl.truststore.type=PEM\n\
             listener.name.ssl.ssl.truststore.location={}",
            ca.display()
        );
    }
    text
}

fn format_storage(jars: &KafkaJars, dir: &Path, scram: Option<&ScramUser>) -> Result<()> {
    let cluster_id = random_cluster_id();
    let mut cmd = Command::new("java");
    cmd.arg("-cp")
        .arg(jars.classpath())
        .arg(format!(
            "-Dlog4j2.configurationFile={}",
            dir.join("log4j2.yaml").display()
        ))
        .args([
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            // One argument: a random id may start with '-', which a separate value cannot.
            &format!("--cluster-id={cluster_id}"),
            "-c",
        ])
        .arg(dir.join("server.properties"));
    if let Some(s) = scram {
        // SCRAM credentials are bootstrapped into the metadata log at format time.
        cmd.arg("--add-scram").arg(format!(
            "SCRAM-SHA-256=[name={},password={}]",
            s.user, s.password
        ));
    }
    process::run_setup(&mut cmd, "formatting the embedded broker's storage")
}

/// A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (22 characters).
fn random_cluster_id() -> String {
    use base64::Engine;
    let bytes: [u8; 16] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

const LOG4J2: &str = "Configuration:
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

#[cfg(test)]
mod tests {
    #[test]
    fn cluster_ids_are_22_url_safe_characters() {
        let id = super::random_cluster_id();
        assert_eq!(id.len(), 22);
        assert!(id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
