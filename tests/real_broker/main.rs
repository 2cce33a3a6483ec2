//! Tests against a real Apache Kafka broker (the embedded one), in one test binary so they
//! share one broker. Each test uses its own topic.

mod broker;
mod capacity;
mod contract;
mod fault_runs;
mod faults;
mod group;
mod group_live;
mod kafkajs;
mod live;
mod network;
mod processing;
mod produce;
mod secure;
mod share;
mod sweep;
mod tls;
mod tune;
mod warm_cluster;
mod workers;
mod workers_secure;
mod workers_spread;

#[path = "../common/folders.rs"]
mod folders;
#[path = "../common/processes.rs"]
mod processes;
pub use folders::records;
pub use processes::{drivers_of, no_drivers_left, processes_with};

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;
use kafkatune::broker::embedded::{BrokerSetup, EmbeddedBroker, ScramUser, TlsListener};
use kafkatune::broker::jars;
use kafkatune::results::RunRecord;

pub const SCRAM_USER: &str = "kafkatune-test";
pub const SCRAM_PASSWORD: &str = "s3cret-pa55";

/// The broker every test shares, with SASL (SCRAM and PLAIN), mutual TLS and SASL over TLS
/// listeners beside PLAINTEXT.
pub struct Shared {
    pub bootstrap: String,
    pub scram_bootstrap: String,
    pub tls_bootstrap: String,
    /// SASL (SCRAM, PLAIN) over TLS, no client certificate: what managed clusters offer.
    pub sasl_tls_bootstrap: String,
    pub certificates: tls::Certificates,
}

/// Starts the shared broker once. It is started from a thread that never ends, because the
/// kernel kills it (PR_SET_PDEATHSIG) when the thread that spawned it exits; so it lives
/// exactly as long as this test process.
pub fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let certs_dir = tempfile::tempdir().unwrap();
            let certificates = tls::generate(certs_dir.path());
            let setup = BrokerSetup {
                detached: false,
                scram: Some(ScramUser {
                    user: SCRAM_USER.into(),
                    password: SCRAM_PASSWORD.into(),
                }),
                tls: Some(TlsListener {
                    keystore_pem: certificates.broker.clone(),
                    client_ca_pem: Some(certificates.ca.clone()),
                }),
                ..Default::default()
            };
            let broker = jars::locate().and_then(|j| EmbeddedBroker::start(&j, &setup));
            match broker {
                Ok(b) => {
                    tx.send(Ok(Shared {
                        bootstrap: b.bootstrap.clone(),
                        scram_bootstrap: b.scram_bootstrap.clone().unwrap(),
                        tls_bootstrap: b.tls_bootstrap.clone().unwrap(),
                        sasl_tls_bootstrap: b.sasl_tls_bootstrap.clone().unwrap(),
                        certificates,
                    }))
                    .unwrap();
                    let _keep = (b, certs_dir);
                    loop {
                        std::thread::park();
                    }
                }
                Err(e) => tx.send(Err(format!("{e:#}"))).unwrap(),
            }
        });
        rx.recv()
            .unwrap()
            .unwrap_or_else(|e| panic!("the shared test broker did not start: {e}"))
    })
}

/// The kafkatune binary, with a bounded run time.
/// Embedded clusters are not warmed (about 7 s each, in every test that starts one), but in
/// the test of the warm-up itself (`warm_cluster.rs`).
pub fn kafkatune() -> Command {
    let mut cmd = Command::cargo_bin("kafkatune").unwrap();
    cmd.timeout(Duration::from_secs(600))
        .env("KAFKATUNE_CLUSTER_WARMUP_S", "0");
    cmd
}

/// `kafkatune COMMAND --bootstrap-servers BOOTSTRAP --topic TOPIC`: how the tests' sweeps
/// and prepares start, on one of the shared broker's listeners.
pub fn kafkatune_on(command: &str, bootstrap: &str, topic: &str) -> Command {
    let mut cmd = kafkatune();
    cmd.args([command, "--bootstrap-servers", bootstrap, "--topic", topic]);
    cmd
}

/// Fills `topic` with `messages` (of 100 B) through `kafkatune prepare`, over PLAINTEXT
/// (running `prepare` is the permission to write: no flag needed).
pub fn prepare_topic(topic: &str, messages: u64) {
    kafkatune_on("prepare", &shared().bootstrap, topic)
        .args(["--messages", &messages.to_string()])
        .assert()
        .success();
}

/// Runs `sweep` with `--out dir`, checks that it succeeded and that every run is ok with
/// exactly `messages`; the records, and what kafkatune printed (stdout, then stderr).
pub fn sweep_ok(sweep: &mut Command, dir: &Path, messages: u64) -> (Vec<RunRecord>, String) {
    let out = sweep.arg("--out").arg(dir).output().unwrap();
    let printed = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() {
        // What each failed run recorded (its members' assignments, rebalances, the time the
        // group formed), and the drivers' logs: what a CI failure needs to be understood.
        let failed: Vec<String> = std::fs::read_to_string(dir.join("results.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"failed\""))
            .map(str::to_string)
            .collect();
        let logs: Vec<String> = std::fs::read_dir(dir.join("logs"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                format!("--- {}\n{text}", e.path().display())
            })
            .collect();
        panic!(
            "{printed}\nfailed runs:\n{}\n{}",
            failed.join("\n"),
            logs.join("\n")
        );
    }
    let recs = records(dir);
    for r in &recs {
        assert_eq!(
            r.status,
            Some(kafkatune::results::Status::Ok),
            "{}: {:?}",
            r.client,
            r.error
        );
        assert_eq!(r.messages, messages, "{}", r.client);
    }
    (recs, printed)
}

/// `kafkatune sweep` on `bootstrap` (the admin and producer side set up by `command_config`,
/// if any), which must end with exit 3 (the cluster refused or did not answer): its stderr.
pub fn refused_sweep(bootstrap: &str, command_config: Option<&Path>) -> String {
    let mut sweep = kafkatune();
    sweep.args(["sweep", "--bootstrap-servers", bootstrap, "--repeat", "1"]);
    if let Some(file) = command_config {
        sweep.arg("--command-config").arg(file);
    }
    let out = sweep.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    stderr
}

/// The JAAS line of the test user for SCRAM, with `password`.
pub fn scram_jaas(password: &str) -> String {
    format!(
        r#"sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="{SCRAM_USER}" password="{password}";"#
    )
}

/// A fresh folder for a sweep's output.
pub fn out_dir() -> (tempfile::TempDir, PathBuf) {
    folders::out_dir_named("sweep")
}

/// A unique topic name for one test.
pub fn topic(test: &str) -> String {
    format!("t-{test}-{}", std::process::id())
}

/// The consumer groups on the broker at `bootstrap`, with their member counts. (A broker
/// answers CoordinatorLoadInProgress while it creates its offsets topic: asked again then.)
pub fn groups(bootstrap: &str) -> Vec<(String, usize)> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let lister: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let list = loop {
        match lister.fetch_group_list(None, Duration::from_secs(10)) {
            Ok(list) => break list,
            Err(e) if std::time::Instant::now() < deadline => {
                eprintln!("listing groups: {e}; again");
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("listing groups: {e}"),
        }
    };
    list.groups()
        .iter()
        .map(|g| (g.name().to_string(), g.members().len()))
        .collect()
}

/// Java processes whose command line mentions `needle`.
pub fn java_processes_with(needle: &str) -> Vec<u32> {
    processes_with(needle)
        .into_iter()
        .filter(|(_, cmdline)| cmdline.contains("java"))
        .map(|(pid, _)| pid)
        .collect()
}
