//! `kafkatune broker start|status|stop`: an embedded broker that outlives the command, for
//! several sweeps in a row against one broker (`--bootstrap-servers ADDRESS`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::embedded::{stop_pid, BrokerSetup, EmbeddedBroker};
use super::{admin, jars};
use crate::{cache, error, process};

/// What `broker start` leaves for `status` and `stop`.
#[derive(Debug, Serialize, Deserialize)]
pub struct State {
    pub pid: u32,
    pub bootstrap: String,
    pub dir: PathBuf,
    pub version: String,
}

fn state_path() -> PathBuf {
    cache::dir().join("broker.json")
}

/// The state of a broker that still runs; a stale file is removed.
pub fn running() -> Option<State> {
    let state: State = serde_json::from_slice(&std::fs::read(state_path()).ok()?).ok()?;
    if process::alive(state.pid) {
        Some(state)
    } else {
        let _ = std::fs::remove_file(state_path());
        None
    }
}

pub fn start() -> Result<()> {
    if let Some(s) = running() {
        println!(
            "A kafkatune broker already runs at {} (pid {}).",
            s.bootstrap, s.pid
        );
        println!(
            "Use it with --bootstrap-servers {}; stop it with `kafkatune broker stop`.",
            s.bootstrap
        );
        return Ok(());
    }
    let jars = jars::locate()?;
    let broker = EmbeddedBroker::start(
        &jars,
        &BrokerSetup {
            detached: true,
            ..Default::default()
        },
    )?;
    std::fs::write(broker.dir.join("broker.pid"), broker.pid.to_string())?;
    let state = State {
        pid: broker.pid,
        bootstrap: broker.bootstrap.clone(),
        dir: broker.dir.clone(),
        version: broker.version.clone(),
    };
    std::fs::write(state_path(), serde_json::to_vec_pretty(&state)?)?;
    println!(
        "Apache Kafka {} broker running at {} (pid {}).",
        state.version, state.bootstrap, state.pid
    );
    println!(
        "Use it with --bootstrap-servers {}; stop it with `kafkatune broker stop`.",
        state.bootstrap
    );
    Ok(())
}

pub fn status() -> Result<()> {
    match running() {
        Some(s) => {
            let answers =
                admin::metadata_ok(&s.bootstrap, &Default::default(), Duration::from_secs(5));
            println!(
                "running: Apache Kafka {} at {} (pid {}){}",
                s.version,
                s.bootstrap,
                s.pid,
                if answers {
                    ""
                } else {
                    ", but it does not answer metadata requests"
                }
            );
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
            stop_pid(s.pid, None);
            let _ = std::fs::remove_dir_all(&s.dir);
            let _ = std::fs::remove_file(state_path());
            println!("stopped the broker at {} (pid {})", s.bootstrap, s.pid);
            Ok(())
        }
        None => {
            println!("no kafkatune broker is running");
            Ok(())
        }
    }
}
