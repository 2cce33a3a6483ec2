//! A produce run with a fault (`--fault`, `--param fault`; `crate::fault`): the producer
//! stamps every record with its id and sequence number and keeps a book of what was
//! acknowledged; the fault's thread strikes at its time after the producer's steady state
//! (its `ready` event); afterwards the cluster is restored (a killed broker started again,
//! every replica in sync) and the topic read back to account for every record.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::cluster::SweepCluster;
use super::runner::{self, RunOutcome};
use crate::clients::protocol::{ProduceAccounting, Spec};
use crate::clients::DriverCommand;
use crate::error;
use crate::fault::{self, Running};
use crate::fault_file::{FaultRecord, ProducerBook};

/// How long the cluster may take to have every replica in sync again after a fault.
const RESTORE_TIMEOUT: Duration = Duration::from_secs(120);

/// The one producer's id in a fault run's keys.
const PRODUCER_ID: u32 = 1;

/// Runs the producer of `spec` with the fault `text`; its outcome, and the accounting when
/// the producer wrote its book.
pub fn produce(
    cluster: &dyn SweepCluster,
    text: &str,
    driver: &DriverCommand,
    spec: &mut Spec,
    scratch: &Path,
    timeout: Duration,
) -> Result<(RunOutcome, Option<FaultRecord>)> {
    let fault = fault::parse(text).map_err(|e| error::usage(format!("fault={text}: {e}")))?;
    let brokers = cluster.fault_brokers().ok_or_else(|| {
        error::usage("a fault needs the embedded cluster kafkatune starts (--brokers 3)")
    })?;
    std::fs::create_dir_all(scratch)?;
    let book_file = scratch.join("producer-book.json");
    let _ = std::fs::remove_file(&book_file);
    if let Some(p) = spec.produce.as_mut() {
        p.accounting = Some(ProduceAccounting {
            producer_id: PRODUCER_ID,
            file: book_file.clone(),
        });
    }
    let topic = spec.topic.clone();
    let running = Running::start(fault, topic.clone(), brokers.clone());
    let outcome = runner::run(driver, spec, scratch, timeout, || running.steady());
    let applied = running.finish();
    let outcome = outcome?;
    if outcome.interrupted {
        // Ctrl-C: the pause is over (`finish`); the sweep ends, and the cluster with it.
        return Ok((outcome, None));
    }
    for done in brokers
        .restore(&topic, RESTORE_TIMEOUT)
        .map_err(|e| error::env(format!("after fault {text}: {e:#}")))?
    {
        eprintln!("kafkatune: after fault {text}: {done}");
    }
    let Some(book) = std::fs::read(&book_file)
        .ok()
        .and_then(|b| serde_json::from_slice::<ProducerBook>(&b).ok())
    else {
        eprintln!(
            "kafkatune: fault {text}: the producer wrote no book, so this run has no accounting"
        );
        return Ok((outcome, None));
    };
    let mut record = brokers.account(&topic, vec![book])?;
    record.spec = text.to_string();
    record.events = applied.events;
    record.not_applied = applied.not_applied;
    eprintln!("kafkatune: {}", record.line());
    Ok((outcome, Some(record)))
}
