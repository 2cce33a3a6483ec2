//! The embedded broker: a real Apache Kafka broker (KRaft combined mode, one node) started
//! from Maven Central's jars on the machine's Java, on free ports, in a scratch folder.
//!
//! Start-up is kept short (it precedes every command): the controller quorum is static
//! (`controller.quorum.voters`), so a data folder formatted once by StorageTool is copied
//! instead of formatting at every start (`storage.rs`), and the JVMs map a class-data-sharing
//! archive of the broker's classes (`class_archive.rs`).

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::admin;
use super::class_archive::{self, PendingArchive};
use super::jars::KafkaJars;
use super::storage;
use crate::{cache, error, process};

/// How long a broker may take to answer a metadata request after its start.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// How long a broker may take for its controlled shutdown before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(15);

/// The broker JVM's heap.
const BROKER_HEAP: &str = "1G";

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
    /// Its JVM was reaped (it exited, was stopped or killed): no signal goes to its pid.
    exited: bool,
    /// Stopped and its folder removed.
    stopped: bool,
    /// The class archive its JVM writes at exit.
    archive: Option<PendingArchive>,
}

impl EmbeddedBroker {
    /// Starts the broker and waits until it answers a metadata request.
    pub fn start(jars: &KafkaJars, setup: &BrokerSetup) -> Result<EmbeddedBroker> {
        super::java::require_java()?;
        let template = storage::template(jars, setup.scram.as_ref())?;
        let dir = scratch_dir()?;
        let ports = free_ports(PORTS)?;
        let node = Node {
            id: 1,
            ports: &ports,
            voters: &format!("1@127.0.0.1:{}", ports[1]),
        };
        let spawned = spawn_broker(jars, setup, &template, &storage::random_uuid(), &dir, &node);
        let mut broker = spawned.inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&dir);
        })?;
        // A failed start stops what it started, detached or not.
        if let Err(e) = broker.wait_ready() {
            broker.stop();
            return Err(e);
        }
        Ok(broker)
    }

    /// Waits until a metadata request (a real one, through librdkafka) succeeds.
    fn wait_ready(&mut self) -> Result<()> {
        let started = Instant::now();
        let probe = admin::MetadataProbe::new(&self.bootstrap, &Default::default())?;
        loop {
            crate::interrupt::check(|| "interrupted while the embedded broker started".into())?;
            if let Some(e) = self.exit_error() {
                return Err(error::env(e));
            }
            if probe.brokers(Duration::from_millis(500)).is_some() {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(error::env(format!(
                    "the embedded broker did not answer a metadata request within {} s; see {}",
                    READY_TIMEOUT.as_secs(),
                    self.dir.join("broker.log").display()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the broker: SIGTERM (a controlled shutdown), then SIGKILL after a grace period.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.terminate();
        self.wait_exit(Instant::now() + STOP_GRACE);
        self.clean_up();
    }

    /// Kills the broker at once, as a crash would (fault tests).
    pub fn kill(&mut self) {
        if self.exited {
            return;
        }
        process::kill_group(self.pid, libc::SIGKILL);
        match self.child.as_mut() {
            Some(c) => {
                let _ = c.wait();
                self.exited = true;
            }
            None => wait_gone(self.pid, Instant::now() + STOP_GRACE),
        }
    }

    /// Whether its JVM still runs (reaping it if it exited).
    fn running(&mut self) -> bool {
        if self.exited {
            return false;
        }
        match self.child.as_mut() {
            Some(c) => match c.try_wait() {
                Ok(None) => true,
                _ => {
                    self.exited = true;
                    false
                }
            },
            None => process::alive(self.pid),
        }
    }

    /// SIGTERM to its process group: Kafka's controlled shutdown.
    fn terminate(&mut self) {
        if self.running() {
            process::kill_group(self.pid, libc::SIGTERM);
        }
    }

    /// Waits for its JVM to exit until `deadline`, then kills it.
    fn wait_exit(&mut self, deadline: Instant) {
        while self.running() {
            if Instant::now() > deadline {
                self.kill();
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// After its JVM exited: keeps the class archive it wrote, removes its folder.
    fn clean_up(&mut self) {
        if let Some(archive) = self.archive.take() {
            archive.finish();
        }
        self.child = None;
        let _ = std::fs::remove_dir_all(&self.dir);
        self.stopped = true;
    }

    fn exit_error(&mut self) -> Option<String> {
        let status = self.child.as_mut()?.try_wait().ok().flatten()?;
        self.exited = true;
        let log = std::fs::read_to_string(self.dir.join("broker.log")).unwrap_or_default();
        Some(format!(
            "the embedded broker exited at start ({status}); its log ends:\n{}",
            process::tail(&log, 20)
        ))
    }
}

impl Drop for EmbeddedBroker {
    fn drop(&mut self) {
        if !self.detached {
            self.stop();
        }
    }
}

/// Ports per broker: PLAINTEXT, CONTROLLER, then each of `SECURED`.
const PORTS: usize = 2 + SECURED.len();

/// The node a broker is.
struct Node<'a> {
    id: u32,
    /// PLAINTEXT, CONTROLLER, then the secured listeners' ports.
    ports: &'a [u16],
    /// `controller.quorum.voters`.
    voters: &'a str,
}

/// Writes a broker's folder (properties, logging, data) and starts its JVM.
fn spawn_broker(
    jars: &KafkaJars,
    setup: &BrokerSetup,
    template: &Path,
    cluster_id: &str,
    dir: &Path,
    node: &Node,
) -> Result<EmbeddedBroker> {
    std::fs::create_dir_all(dir)?;
    let secured = secured_listeners(setup, node.ports);
    let address_of = |protocol: &str| {
        secured
            .iter()
            .find(|(l, _)| l.protocol == protocol)
            .map(|(_, port)| format!("127.0.0.1:{port}"))
    };
    std::fs::write(
        dir.join("server.properties"),
        server_properties(dir, node, setup),
    )?;
    std::fs::write(dir.join("log4j2.yaml"), LOG4J2)?;
    storage::install(template, &dir.join("data"), cluster_id, node.id)?;

    // The broker writes the class archive when there is none, at its exit (only a broker
    // kafkatune stops itself: a detached one's exit is not waited for).
    let archive = class_archive::for_broker(jars, !setup.detached);
    let log = std::fs::File::create(dir.join("broker.log"))?;
    let mut cmd = Command::new("java");
    cmd.arg(format!("-Xms{BROKER_HEAP}"))
        .arg(format!("-Xmx{BROKER_HEAP}"))
        .args([
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
        ])
        .args(&archive.jvm_args)
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
    Ok(EmbeddedBroker {
        pid: child.id(),
        child: Some(child),
        dir: dir.to_path_buf(),
        bootstrap: format!("127.0.0.1:{}", node.ports[0]),
        scram_bootstrap: address_of("SASL_PLAINTEXT"),
        tls_bootstrap: address_of("SSL"),
        sasl_tls_bootstrap: address_of("SASL_SSL"),
        version: jars.version.clone(),
        detached: setup.detached,
        exited: false,
        stopped: false,
        archive: archive.pending,
    })
}

/// SIGTERM to the broker's process group, up to 15 s for its controlled shutdown, then SIGKILL.
pub fn stop_pid(pid: u32, child: Option<&mut Child>) {
    process::kill_group(pid, libc::SIGTERM);
    let deadline = Instant::now() + STOP_GRACE;
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
        None => wait_gone(pid, deadline),
    }
}

/// Waits for a process that is not our child to be gone until `deadline`, then SIGKILLs its
/// group (and waits a moment for that).
fn wait_gone(pid: u32, deadline: Instant) {
    while process::alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    if process::alive(pid) {
        process::kill_group(pid, libc::SIGKILL);
        let until = Instant::now() + Duration::from_secs(5);
        while process::alive(pid) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
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
        // A detached broker writes its pid there (`daemon.rs`).
        let running = std::fs::read_to_string(entry.path().join("broker.pid"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse::<u32>().ok())
            .any(process::alive);
        if owner.is_some_and(|pid| !process::alive(pid)) && !running {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .subsec_nanos();
    let dir = base.join(format!("{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
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

fn server_properties(dir: &Path, node: &Node, setup: &BrokerSetup) -> String {
    let (broker, controller) = (node.ports[0], node.ports[1]);
    let secured = secured_listeners(setup, node.ports);
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
    // A static quorum (`controller.quorum.voters`, kraft.version 0), not a dynamic one
    // (`controller.quorum.bootstrap.servers` and `StorageTool format --standalone`): the
    // standalone format writes the controller's host and port into the bootstrap snapshot
    // (`Formatter.writeBootstrapSnapshot`'s voter set, from `--standalone`'s
    // `createStandaloneDynamicVoters`), so a formatted folder would fit one port only.
    // With static voters the format is port-free and is done once (see `storage.rs`). A
    // static quorum cannot add or remove controllers at run time, which a test cluster never
    // does. (apache/kafka core/src/main/scala/kafka/tools/StorageTool.scala,
    // metadata/src/main/java/org/apache/kafka/metadata/storage/Formatter.java.)
    let _ = write!(
        text,
        "process.roles=broker,controller\n\
         node.id={}\n\
         controller.quorum.voters={}\n\
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
        node.id,
        node.voters,
        dir.join("data").display()
    );
    if setup.scram.is_some() {
        text.push_str("sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN\n");
    }
    for (l, _) in &secured {
        let name = l.protocol.to_ascii_lowercase();
        if let (true, Some(user)) = (l.sasl, &setup.scram) {
            // The same user for SCRAM (credentials in the metadata log, see `storage.rs`)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_broker_is_a_one_voter_static_quorum() {
        let ports = [9092, 9093, 1, 2, 3];
        let node = Node {
            id: 1,
            ports: &ports,
            voters: "1@127.0.0.1:9093",
        };
        let text = server_properties(Path::new("/x"), &node, &BrokerSetup::default());
        assert!(text.contains("process.roles=broker,controller\n"));
        assert!(text.contains("controller.quorum.voters=1@127.0.0.1:9093\n"));
        assert!(!text.contains("controller.quorum.bootstrap.servers"));
        assert!(text.contains("listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\n"));
        assert!(text.contains("log.dirs=/x/data\n"));
    }
}
