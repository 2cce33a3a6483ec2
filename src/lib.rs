//! kafkatune: tune Apache Kafka consumers by measurement.
//!
//! The folders follow the flow of a sweep: `broker` (the embedded broker or the user's
//! cluster), `workload` (the topic and its messages), `clients` (one driver per client,
//! behind one protocol), `sweep` (the grid, the plan and the runs), `stats`, `export`,
//! `output` (terminal) and `report` (charts, HTML, Markdown, recommendations).

pub mod broker;
pub mod cache;
pub mod capacity;
pub mod capacity_file;
pub mod cli;
pub mod clients;
pub mod clock;
pub mod commands;
pub mod defaults;
pub mod dry_run;
pub mod error;
pub mod export;
pub mod fault;
pub mod fault_file;
pub mod grid;
pub mod interrupt;
pub mod network;
pub mod options;
pub mod output;
pub mod process;
pub mod report;
pub mod results;
pub mod stats;
pub mod sweep;
pub mod tune;
pub mod tune_file;
pub mod worker;
pub mod workload;
