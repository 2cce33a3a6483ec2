//! Toxiproxy (Shopify's TCP proxy that adds latency, jitter and bandwidth limits, the
//! "toxics"), run as a child process of kafkatune and steered through its HTTP API.
//!
//! Why Toxiproxy and not the `noxious` crate (a Rust port that would run in process):
//! noxious 1.0.4 is edition 2018, its last release dates from 2021 and its repository has
//! had no release since, while Toxiproxy is maintained by Shopify (v2.12.0, March 2025) and
//! is what the measurements that motivated this feature used. A proxy of our own would
//! repeat what Toxiproxy's latency and bandwidth toxics already do, tested.
//!
//! It is installed once, from the Go module proxy with the machine's Go, into the cache
//! (`go install` with `GOBIN`), like Kafka's jars (`broker::jars`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{json, Value};

use super::spec::NetworkSettings;
use crate::{cache, error, process};

/// The Toxiproxy release kafkatune installs (the Go module's version).
pub const TOXIPROXY_VERSION: &str = "v2.12.0";

/// The Go package of Toxiproxy's server.
const SERVER_PACKAGE: &str = "github.com/Shopify/toxiproxy/v2/cmd/server";

/// How long the server may take to answer its API after its start.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// Where the pinned server lives in the cache.
fn installed_path() -> PathBuf {
    cache::dir()
        .join(format!("toxiproxy-{TOXIPROXY_VERSION}"))
        .join("toxiproxy-server")
}

/// The server binary: `KAFKATUNE_TOXIPROXY` if set, else the cached one, installed on first
/// use (printing a line, since the build takes about a minute).
pub fn locate() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("KAFKATUNE_TOXIPROXY").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let path = installed_path();
    if !path.is_file() {
        install(&path)?;
    }
    Ok(path)
}

/// Builds the pinned server with `go install` into a staging folder, then moves it in place.
fn install(path: &Path) -> Result<()> {
    let go = process::find("go")
        .or_else(|| process::find("/usr/local/go/bin/go"))
        .ok_or_else(|| {
            error::UserError::env("`go` was not found on PATH (kafkatune builds Toxiproxy, the delay proxy of --network, with it)")
                .with_hint("install Go 1.23 or later (Debian: apt-get install -y golang-go), or set KAFKATUNE_TOXIPROXY to a toxiproxy-server binary")
        })?;
    let dir = path.parent().expect("a folder");
    let staging = dir.join("bin.partial");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).with_context(|| format!("creating {}", staging.display()))?;
    eprintln!(
        "kafkatune: building Toxiproxy {TOXIPROXY_VERSION} with {} into {} (first use only)",
        go.display(),
        dir.display()
    );
    process::run_setup(
        Command::new(&go)
            .arg("install")
            .arg(format!("{SERVER_PACKAGE}@{TOXIPROXY_VERSION}"))
            .env("GOBIN", &staging)
            .env("CGO_ENABLED", "0"),
        "building Toxiproxy with go install",
    )?;
    std::fs::rename(staging.join("server"), path)
        .with_context(|| format!("moving Toxiproxy's server to {}", path.display()))?;
    let _ = std::fs::remove_dir_all(&staging);
    Ok(())
}

/// A running `toxiproxy-server`; killed when dropped (and by the kernel if kafkatune dies).
#[derive(Debug)]
pub struct Toxiproxy {
    child: Child,
    api: String,
    agent: ureq::Agent,
}

impl Toxiproxy {
    /// Starts the server on a free loopback port and waits until its API answers.
    pub fn start() -> Result<Toxiproxy> {
        let binary = locate()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut cmd = Command::new(&binary);
        cmd.args(["-host", "127.0.0.1", "-port", &port.to_string()])
            .env("LOG_LEVEL", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        process::isolate(&mut cmd, true);
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        let mut server = Toxiproxy {
            child,
            api: format!("http://127.0.0.1:{port}"),
            agent,
        };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(error::env(format!(
                    "Toxiproxy's server exited at start ({status})"
                )));
            }
            if self
                .agent
                .get(format!("{}/version", self.api))
                .call()
                .is_ok()
            {
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(error::env(format!(
                    "Toxiproxy's server did not answer at {} within {} s",
                    self.api,
                    READY_TIMEOUT.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Creates a proxy listening on a free loopback port towards `upstream`; its address.
    pub fn create_proxy(&self, name: &str, upstream: &str) -> Result<String> {
        let created: Value = self
            .agent
            .post(format!("{}/proxies", self.api))
            .send_json(json!({"name": name, "listen": "127.0.0.1:0", "upstream": upstream, "enabled": true}))
            .with_context(|| format!("creating the Toxiproxy proxy {name}"))?
            .body_mut()
            .read_json()?;
        created["listen"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| {
                anyhow::anyhow!("Toxiproxy answered without a listen address: {created}")
            })
    }

    /// Points the proxy `name` (listening at `listen`) at `upstream`.
    pub fn set_upstream(&self, name: &str, listen: &str, upstream: &str) -> Result<()> {
        self.agent
            .patch(format!("{}/proxies/{name}", self.api))
            .send_json(json!({"listen": listen, "upstream": upstream, "enabled": true}))
            .with_context(|| format!("pointing the Toxiproxy proxy {name} at {upstream}"))?;
        Ok(())
    }

    /// Replaces the proxy's toxics by those of `settings`: a latency toxic on each direction
    /// (one-way latency and jitter) and a bandwidth toxic on each, as asked.
    pub fn set_toxics(&self, name: &str, settings: &NetworkSettings) -> Result<()> {
        let url = format!("{}/proxies/{name}/toxics", self.api);
        let existing: Value = self.agent.get(&url).call()?.body_mut().read_json()?;
        for toxic in existing.as_array().into_iter().flatten() {
            if let Some(toxic_name) = toxic["name"].as_str() {
                self.agent.delete(format!("{url}/{toxic_name}")).call()?;
            }
        }
        for stream in ["upstream", "downstream"] {
            if settings.latency_one_way_ms > 0 || settings.jitter_ms > 0 {
                self.agent.post(&url).send_json(json!({
                    "name": format!("latency_{stream}"),
                    "type": "latency",
                    "stream": stream,
                    "toxicity": 1.0,
                    "attributes": {"latency": settings.latency_one_way_ms, "jitter": settings.jitter_ms},
                }))?;
            }
            if let Some(bytes_per_s) = settings.bandwidth_bytes_per_s {
                // The bandwidth toxic's rate is in KB/s (1000 bytes: `len * ms / rate`).
                self.agent.post(&url).send_json(json!({
                    "name": format!("bandwidth_{stream}"),
                    "type": "bandwidth",
                    "stream": stream,
                    "toxicity": 1.0,
                    "attributes": {"rate": (bytes_per_s / 1000).max(1)},
                }))?;
            }
        }
        Ok(())
    }
}

impl Drop for Toxiproxy {
    fn drop(&mut self) {
        process::kill_group(self.child.id(), libc::SIGKILL);
        let _ = self.child.wait();
    }
}
