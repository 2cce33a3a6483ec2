//! `kafkatune broker start|status|stop`: an embedded broker (or cluster) that outlives the
//! command, for several sweeps in a row against one broker (`--bootstrap-servers ADDRESS`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::embedded::{stop_pids, BrokerSetup, EmbeddedCluster};
use super::{admin, jars};
use crate::{cache, error, process};

/// What `broker start` leaves for `status` and `stop`.
#[derive(Debug, Serialize, Deserialize)]
pub struct State {
    /// The first broker's JVM.
    pub pid: u32,
    pub bootstrap: String,
    pub dir: PathBuf,
    pub version: String,
    /// Every broker's JVM, by node id (empty in a file of an older kafkatune: `pid` only).
    #[serde(default)]
    pub pids: Vec<u32>,
    #[serde(default = "one")]
    pub brokers: u32,
}

fn one() -> u32 {
    1
}

impl State {
    /// Every broker's pid.
    pub fn all_pids(&self) -> Vec<u32> {
        if self.pids.is_empty() {
            vec![self.pid]
        } else {
            self.pids.clone()
        }
    }

    /// `broker at ADDRESS (pid P)`, or `cluster of N brokers at ADDRESSES (pids P, Q, R)`.
    fn describe(&self) -> String {
        if self.brokers <= 1 {
            format!("broker at {} (pid {})", self.bootstrap, self.pid)
        } else {
            format!(
                "cluster of {} brokers at {} (pids {})",
                self.brokers,
                self.bootstrap,
                self.all_pids()
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

fn state_path() -> PathBuf {
    cache::dir().join("broker.json")
}

/// The state of a broker (or cluster: any of its brokers) that still runs; a stale file is
/// removed.
pub fn running() -> Option<State> {
    let state: State = serde_json::from_slice(&std::fs::read(state_path()).ok()?).ok()?;
    if state.all_pids().into_iter().any(process::alive) {
        Some(state)
    } else {
        let _ = std::fs::remove_file(state_path());
        None
    }
}

/// `kafkatune broker start`: one broker.
pub fn start() -> Result<()> {
    start_with(1)
}

/// `kafkatune broker start` with `brokers` brokers (a cluster of one JVM per broker when more
/// than one; see `EmbeddedCluster`).
pub fn start_with(brokers: u32) -> Result<()> {
    if let Some(s) = running() {
        println!("A kafkatune {} already runs.", s.describe());
        println!(
            "Use it with --bootstrap-servers {}; stop it with `kafkatune broker stop`.",
            s.bootstrap
        );
        return Ok(());
    }
    let jars = jars::locate()?;
    let cluster = EmbeddedCluster::start(
        &jars,
        &BrokerSetup {
            detached: true,
            ..Default::default()
        },
        brokers,
    )?;
    let pids = cluster.pids();
    // Keeps the folder from the clean-up of folders left by dead kafkatunes.
    let pid_list: Vec<String> = pids.iter().map(u32::to_string).collect();
    std::fs::write(cluster.dir.join("broker.pid"), pid_list.join("\n"))?;
    let state = State {
        pid: pids[0],
        bootstrap: cluster.bootstrap.clone(),
        dir: cluster.dir.clone(),
        version: cluster.version.clone(),
        pids: pids.clone(),
        brokers: cluster.broker_count(),
    };
    std::fs::write(state_path(), serde_json::to_vec_pretty(&state)?)?;
    if state.brokers <= 1 {
        println!(
            "Apache Kafka {} broker running at {} (pid {}).",
            state.version, state.bootstrap, state.pid
        );
    } else {
        println!(
            "Apache Kafka {} {} running.",
            state.version,
            state.describe()
        );
    }
    println!(
        "Use it with --bootstrap-servers {}; stop it with `kafkatune broker stop`.",
        state.bootstrap
    );
    Ok(())
}

pub fn status() -> Result<()> {
    match running() {
        Some(s) => {
            let seen =
                admin::broker_count(&s.bootstrap, &Default::default(), Duration::from_secs(5));
            let health = match seen {
                Err(_) => ", but it does not answer metadata requests".to_string(),
                Ok(n) if (n as u32) < s.brokers => {
                    format!(", but its metadata lists {n} of its {} brokers", s.brokers)
                }
                Ok(_) => String::new(),
            };
            if s.brokers <= 1 {
                println!(
                    "running: Apache Kafka {} at {} (pid {}){health}",
                    s.version, s.bootstrap, s.pid
                );
            } else {
                println!(
                    "running: Apache Kafka {} {}{health}",
                    s.version,
                    s.describe()
                );
            }
            Ok(())
        }
        None => Err(error::UserError::env("no kafkatune broker is running")
            .with_hint("start one with `kafkatune broker start`")
            .into()),
    }
}

pub fn stop() -> Result<()> {
    match running() {
        Some(s) => {
            stop_pids(&s.all_pids(), None);
            let _ = std::fs::remove_dir_all(&s.dir);
            let _ = std::fs::remove_file(state_path());
            println!("stopped the {}", s.describe());
            Ok(())
        }
        None => {
            println!("no kafkatune broker is running");
            Ok(())
        }
    }
}
