//! The embedded broker: a real Apache Kafka broker (KRaft combined mode, one node) started
//! from Maven Central's jars on the machine's Java, on free ports, in a scratch folder; or a
//! cluster of several such brokers, one JVM each (`EmbeddedCluster`).
//!
//! Start-up is kept short (it precedes every command): the controller quorum is static
//! (`controller.quorum.voters`), so a data folder formatted once by StorageTool is copied
//! instead of formatting at every start (`storage.rs`), and the JVMs map a class-data-sharing
//! archive of the broker's classes (`class_archive.rs`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::admin;
use super::class_archive::{self, PendingArchive};
use super::jars::KafkaJars;
use super::server_config::{secured_listeners, server_properties, Node, INTERNAL_PORT, SECURED};
use super::setup::LOG4J2;
pub use super::setup::{BrokerSetup, ScramUser, TlsListener};
use super::storage;
use crate::{cache, error, process};

/// How long a broker may take to answer a metadata request after its start.
const READY_TIMEOUT: Duration = Duration::from_secs(90);

/// How long a broker may take for its controlled shutdown before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(15);

/// The heap of each broker JVM. 1 GiB is plenty for a test broker (a handful of topics,
/// messages of a few hundred bytes; Kafka's own start script uses the same), and three of
/// them, with about 0.3 GiB each beyond the heap (metaspace, code cache, threads, buffers),
/// take about 4 GiB of a 24 GiB machine: the clients under test (a JVM for the Java driver,
/// a Python process, librdkafka) and the page cache, which serves the consumers' reads, keep
/// the rest. `-Xms` equal to `-Xmx` so the heap is not resized during a measurement.
const BROKER_HEAP: &str = "1G";

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
    /// `127.0.0.1:PORT` of the INTERNAL listener (direct, for replication and kafkatune's
    /// admin), when clients go through a proxy (`BrokerSetup::client_advertised_ports`).
    pub internal_bootstrap: Option<String>,
    pub version: String,
    /// Its `node.id` (1 for a single broker; 1..=N in a cluster).
    pub node_id: u32,
    /// Whether it is also a controller (a voter of the controller quorum).
    pub controller: bool,
    detached: bool,
    /// Its JVM was reaped (it exited, was stopped or killed): no signal goes to its pid.
    exited: bool,
    /// Stopped and its folder removed.
    stopped: bool,
    /// The class archive its JVM writes at exit.
    archive: Option<PendingArchive>,
}

impl EmbeddedBroker {
    /// Starts one broker (broker and controller in one JVM, a one-voter quorum) and waits
    /// until it answers a metadata request.
    pub fn start(jars: &KafkaJars, setup: &BrokerSetup) -> Result<EmbeddedBroker> {
        let cluster = EmbeddedCluster::start(jars, setup, 1)?;
        Ok(cluster
            .into_brokers()
            .pop()
            .expect("a cluster of one has a broker"))
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

    /// Starts a killed broker again on its folder and data (a `restart-leader` fault). The
    /// calling thread must last: the kernel kills the JVM when the thread that started it ends
    /// (`process::isolate`).
    pub fn restart(&mut self, jars: &KafkaJars) -> Result<()> {
        anyhow::ensure!(!self.running(), "broker {} still runs", self.node_id);
        let log = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(self.dir.join("broker.log"))?;
        let archive = class_archive::for_broker(jars, false);
        let child = jvm(jars, &self.dir, &archive.jvm_args, self.detached, log)?;
        self.pid = child.id();
        self.child = Some(child);
        self.exited = false;
        Ok(())
    }

    /// Whether its JVM still runs (reaping it if it exited).
    pub fn running(&mut self) -> bool {
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
            None => runs(self.pid),
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
            "the embedded broker{} exited at start ({status}); its log ends:\n{}",
            if self.node_id == 1 && !self.dir.ends_with("node-1") {
                String::new()
            } else {
                format!(" {}", self.node_id)
            },
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

/// Several embedded brokers forming one KRaft cluster: one JVM per broker, each with its own
/// folder (`node-ID/`, holding its properties, log and data) under one scratch folder, on
/// free ports. Stopped (all brokers at once) and removed when dropped, unless detached.
///
/// The controller quorum: with three brokers or more, brokers 1, 2 and 3 are controllers as
/// well (combined mode) and form a quorum of three; further brokers are brokers only. Three
/// voters, as in a production cluster, so that any one broker may die (a fault test kills
/// one) and the other two still make a majority that elects new partition leaders, while
/// `acks=all` writes go on with `min.insync.replicas=2`; with one controller, losing broker 1
/// would freeze the cluster's metadata (no leader elections, no new topics). The price is an
/// election among the three at start, which overlaps the brokers' own start-up (on this
/// 2-core machine, where start-up is CPU-bound, three brokers took 12.3-12.8 s of CPU until
/// ready with three voters and 10.3-13.0 s with one: no clear difference), and a few MiB of
/// heap each. With two brokers there is one controller (broker 1): two voters
/// would need both for every metadata change, tolerating no more failures than one.
///
/// Each broker has the same heap as a single one (`BROKER_HEAP`); the JVMs share the
/// class archive's pages.
#[derive(Debug)]
pub struct EmbeddedCluster {
    /// Broker `i` has node id `i + 1`.
    pub brokers: Vec<EmbeddedBroker>,
    /// Every broker's PLAINTEXT address, comma-separated.
    pub bootstrap: String,
    /// The cluster's folder; each broker's folder is inside it (a single broker's is it).
    pub dir: PathBuf,
    pub version: String,
    pub cluster_id: String,
    /// How many brokers are controllers too (the controller quorum's voters).
    pub controllers: u32,
    detached: bool,
    /// Its brokers were handed out (`into_brokers`): each stops on its own.
    released: bool,
    /// The jars it runs, to start a broker again.
    pub jars: KafkaJars,
}

/// Ports per broker: PLAINTEXT, CONTROLLER, each of `SECURED`, then INTERNAL.
const PORTS_PER_BROKER: usize = 3 + SECURED.len();

impl EmbeddedCluster {
    /// Starts `brokers` brokers (at least 1) and waits until a metadata request lists them
    /// all. Every JVM is started from the calling thread: with `process::isolate` the kernel
    /// kills them when that thread ends (unless detached).
    pub fn start(jars: &KafkaJars, setup: &BrokerSetup, brokers: u32) -> Result<EmbeddedCluster> {
        let brokers = brokers.max(1);
        super::java::require_java()?;
        let template = storage::template(jars, setup.scram.as_ref())?;
        let dir = scratch_dir()?;
        let mut cluster = EmbeddedCluster {
            brokers: Vec::new(),
            bootstrap: String::new(),
            dir,
            version: jars.version.clone(),
            cluster_id: storage::random_uuid(),
            controllers: if brokers >= 3 { 3 } else { 1 },
            detached: setup.detached,
            released: false,
            jars: jars.clone(),
        };
        // A failed start stops what it started, detached or not.
        match cluster.launch(jars, setup, &template, brokers) {
            Ok(()) => Ok(cluster),
            Err(e) => {
                cluster.stop();
                Err(e)
            }
        }
    }

    fn launch(
        &mut self,
        jars: &KafkaJars,
        setup: &BrokerSetup,
        template: &Path,
        brokers: u32,
    ) -> Result<()> {
        let ports = free_ports(brokers as usize * PORTS_PER_BROKER)?;
        let ports: Vec<&[u16]> = ports.chunks(PORTS_PER_BROKER).collect();
        let voters = (1..=self.controllers)
            .map(|id| format!("{id}@127.0.0.1:{}", ports[id as usize - 1][1]))
            .collect::<Vec<_>>()
            .join(",");
        let replication = admin::Replication::for_brokers(brokers);
        for node_id in 1..=brokers {
            let node_dir = if brokers == 1 {
                self.dir.clone()
            } else {
                self.dir.join(format!("node-{node_id}"))
            };
            let node = Node {
                id: node_id,
                controller: node_id <= self.controllers,
                ports: ports[node_id as usize - 1],
                voters: &voters,
                brokers,
                replication,
            };
            let broker = spawn_broker(jars, setup, template, &self.cluster_id, &node_dir, &node)?;
            self.brokers.push(broker);
        }
        self.bootstrap = self
            .brokers
            .iter()
            .map(|b| b.bootstrap.as_str())
            .collect::<Vec<_>>()
            .join(",");
        self.wait_ready(brokers as usize)
    }

    /// Waits until a metadata request (a real one, through librdkafka) lists `brokers`
    /// brokers: each has registered with the controller and been unfenced, and answers.
    fn wait_ready(&mut self, brokers: usize) -> Result<()> {
        let started = Instant::now();
        let probe = admin::MetadataProbe::new(&self.bootstrap, &Default::default())?;
        loop {
            crate::interrupt::check(|| "interrupted while the embedded broker started".into())?;
            if let Some(e) = self.brokers.iter_mut().find_map(|b| b.exit_error()) {
                return Err(error::env(e));
            }
            let seen = probe.brokers(Duration::from_millis(500));
            if seen.is_some_and(|n| n >= brokers) {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(error::env(format!(
                    "the embedded {} did not answer a metadata request{} within {} s; see {}",
                    if brokers == 1 { "broker" } else { "cluster" },
                    if brokers == 1 {
                        String::new()
                    } else {
                        format!(" listing its {brokers} brokers")
                    },
                    READY_TIMEOUT.as_secs(),
                    self.brokers
                        .iter()
                        .map(|b| b.dir.join("broker.log").display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Its brokers, each then stopped on its own when dropped (unless detached). A single
    /// broker's folder is the cluster's; with several, the emptied cluster folder is left to
    /// the clean-up of folders of dead kafkatunes (`scratch_dir`).
    pub fn into_brokers(mut self) -> Vec<EmbeddedBroker> {
        self.released = true;
        std::mem::take(&mut self.brokers)
    }

    /// How many brokers it has.
    pub fn broker_count(&self) -> u32 {
        self.brokers.len() as u32
    }

    /// The process ids of its JVMs, by node id.
    pub fn pids(&self) -> Vec<u32> {
        self.brokers.iter().map(|b| b.pid).collect()
    }

    /// Stops every broker and removes the cluster's folder. A single broker gets a
    /// controlled shutdown (SIGTERM, then SIGKILL after the grace period). The brokers of a
    /// larger cluster are killed (SIGKILL): their data is removed right after, so a
    /// controlled shutdown would keep nothing, while stopping every voter of a KRaft quorum
    /// gracefully takes more than 5 s (the raft leader's graceful shutdown waits that long for
    /// followers already gone: `KafkaRaftClientDriver` calls `client.shutdown(5000)`, and
    /// `KafkaRaftClient` logs "Graceful shutdown timed out after 5000ms"). Only a broker that
    /// writes the class archive at its exit is stopped gracefully, first, while the others
    /// still make a quorum for its controlled shutdown.
    pub fn stop(&mut self) {
        if self.brokers.len() <= 1 {
            for b in &mut self.brokers {
                b.stop();
            }
        } else {
            for b in &mut self.brokers {
                if b.archive.is_some() {
                    b.stop();
                }
            }
            for b in &mut self.brokers {
                if !b.stopped {
                    b.kill();
                    b.clean_up();
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for EmbeddedCluster {
    fn drop(&mut self) {
        if !self.detached && !self.released {
            self.stop();
        }
    }
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

    // One broker writes the class archive when there is none, at its exit (only a broker
    // kafkatune stops itself: a detached one's exit is not waited for).
    let archive = class_archive::for_broker(jars, !setup.detached && node.id == 1);
    let log = std::fs::File::create(dir.join("broker.log"))?;
    let child = jvm(jars, dir, &archive.jvm_args, setup.detached, log)?;
    Ok(EmbeddedBroker {
        pid: child.id(),
        child: Some(child),
        dir: dir.to_path_buf(),
        bootstrap: format!("127.0.0.1:{}", node.ports[0]),
        scram_bootstrap: address_of("SASL_PLAINTEXT"),
        tls_bootstrap: address_of("SSL"),
        sasl_tls_bootstrap: address_of("SASL_SSL"),
        internal_bootstrap: (!setup.client_advertised_ports.is_empty())
            .then(|| format!("127.0.0.1:{}", node.ports[INTERNAL_PORT])),
        version: jars.version.clone(),
        node_id: node.id,
        controller: node.controller,
        detached: setup.detached,
        exited: false,
        stopped: false,
        archive: archive.pending,
    })
}

/// Starts a broker's JVM on its folder (properties, logging and data in place).
fn jvm(
    jars: &KafkaJars,
    dir: &Path,
    archive_args: &[String],
    detached: bool,
    log: std::fs::File,
) -> Result<Child> {
    let mut cmd = Command::new("java");
    cmd.arg(format!("-Xms{BROKER_HEAP}"))
        .arg(format!("-Xmx{BROKER_HEAP}"))
        .args([
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
        ])
        .args(archive_args)
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
    process::isolate(&mut cmd, !detached);
    cmd.spawn().context("starting the broker's JVM")
}

/// SIGTERM to the broker's process group, up to 15 s for its controlled shutdown, then SIGKILL.
pub fn stop_pid(pid: u32, child: Option<&mut Child>) {
    stop_pids(&[pid], child);
}

/// `stop_pid` for the brokers of a cluster (`child`: the first one's, if ours): a single
/// broker gets its controlled shutdown; several are killed at once, as
/// `EmbeddedCluster::stop` explains.
pub fn stop_pids(pids: &[u32], mut child: Option<&mut Child>) {
    let signal = if pids.len() > 1 {
        libc::SIGKILL
    } else {
        libc::SIGTERM
    };
    for &pid in pids {
        process::kill_group(pid, signal);
    }
    let deadline = Instant::now() + STOP_GRACE;
    for (i, &pid) in pids.iter().enumerate() {
        match (i, child.as_deref_mut()) {
            (0, Some(child)) => loop {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                if Instant::now() > deadline {
                    process::kill_group(pid, libc::SIGKILL);
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            },
            _ => wait_gone(pid, deadline),
        }
    }
}

/// Waits for a process that is not our child to be gone until `deadline`, then SIGKILLs its
/// group (and waits a moment for that).
fn wait_gone(pid: u32, deadline: Instant) {
    while runs(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    if runs(pid) {
        process::kill_group(pid, libc::SIGKILL);
        let until = Instant::now() + Duration::from_secs(5);
        while runs(pid) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether `pid` exists and has not exited: a zombie (exited, not yet reaped by a parent
/// that still holds it, as a detached broker's starter may) does not run.
fn runs(pid: u32) -> bool {
    if !process::alive(pid) {
        return false;
    }
    // `PID (COMM) STATE ...`; COMM may hold spaces and parentheses, STATE follows the last ')'.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next());
    !matches!(state, Some("Z") | Some("X"))
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
        // A detached broker (or cluster) writes its pids there (`daemon.rs`).
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
