//! Faults during a run (`--fault`, `--param fault=none,kill-leader@3s`; issue 29): what a
//! setting loses, duplicates and stalls when a broker fails. Only on the embedded cluster
//! kafkatune started (never on a user's), in produce runs of the built-in librdkafka client.
//!
//! - `spec.rs`: what users type, checked before anything starts;
//! - `apply.rs`: the fault's thread (steady state, the fault's time, the act, the pause's
//!   end on every path) and [`Brokers`], what it needs of the cluster;
//! - `embedded.rs`: [`Brokers`] for the embedded cluster (kill, restart on the same data,
//!   SIGSTOP/SIGCONT, DeleteRecords, the cluster restored after the run);
//! - `keys.rs`: the producer id and sequence number every record's key carries;
//! - `accounting.rs`: the topic read back and every record sent accounted for
//!   (`fault_file::FaultRecord` in the run record).

pub mod accounting;
pub mod apply;
pub mod embedded;
pub mod keys;
pub mod spec;

pub use apply::{Brokers, Running};
pub use spec::{parse, Fault, FAULT};
