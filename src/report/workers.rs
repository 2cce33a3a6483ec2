//! The report's "Workers" section (`sweep --workers`): each worker's host, its clock against
//! the coordinator's, and what its processes carried over the sweep's measured runs, beside
//! the processes that ran on the coordinator's own host. A sweep without workers has none.

use std::collections::BTreeMap;

use crate::results::{RunRecord, Status, WorkerMeta};
use crate::stats::median;

use super::format::short;
use super::load::Sweep;

/// What kafkatune's own host is called in the table (processes with no worker).
pub const COORDINATOR: &str = "coordinator (this host)";

/// What the processes of one host did over the measured runs.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Share {
    pub consumers: usize,
    pub producers: usize,
    /// Records its consumers counted and its producers saw acknowledged.
    pub consumed: u64,
    pub produced: u64,
    /// Each process's own throughput, consumers' and producers' apart.
    consumer_rates: Vec<f64>,
    producer_rates: Vec<f64>,
    pub cpu_s: f64,
    pub failed: usize,
}

impl Share {
    fn add(
        &mut self,
        consumer: bool,
        messages: u64,
        rate: Option<f64>,
        cpu: Option<f64>,
        ok: bool,
    ) {
        if consumer {
            self.consumers += 1;
            self.consumed += messages;
            self.consumer_rates.extend(rate);
        } else {
            self.producers += 1;
            self.produced += messages;
            self.producer_rates.extend(rate);
        }
        self.cpu_s += cpu.unwrap_or(0.0);
        self.failed += usize::from(!ok);
    }

    /// The median of its consumers' own throughputs (msg/s).
    pub fn consumer_rate(&self) -> Option<f64> {
        (!self.consumer_rates.is_empty()).then(|| median(&self.consumer_rates))
    }

    /// The median of its producers' own throughputs (msg/s).
    pub fn producer_rate(&self) -> Option<f64> {
        (!self.producer_rates.is_empty()).then(|| median(&self.producer_rates))
    }
}

/// Each host's share, by worker name ([`COORDINATOR`] for kafkatune's own host), over the
/// measured runs' processes.
pub fn shares(records: &[RunRecord]) -> BTreeMap<String, Share> {
    let mut out: BTreeMap<String, Share> = BTreeMap::new();
    let host = |w: &Option<String>| w.clone().unwrap_or_else(|| COORDINATOR.to_string());
    for r in records.iter().filter(|r| !r.warmup) {
        for c in &r.per_consumer {
            let ok = c.status == Some(Status::Ok);
            out.entry(host(&c.worker)).or_default().add(
                true,
                c.messages,
                c.throughput_msgs_per_s,
                c.cpu_s,
                ok,
            );
        }
        for p in &r.per_producer {
            let ok = p.status == Some(Status::Ok);
            out.entry(host(&p.worker)).or_default().add(
                false,
                p.messages,
                p.throughput_msgs_per_s,
                p.cpu_s,
                ok,
            );
        }
    }
    out
}

fn host_facts(w: &WorkerMeta) -> String {
    let memory = w
        .host
        .memory_bytes
        .map(|b| format!(", {:.0} GiB", b as f64 / (1u64 << 30) as f64))
        .unwrap_or_default();
    let name = w.hostname.as_deref().unwrap_or("?");
    format!("{name}: {} CPUs{memory}, {}", w.host.cpu_count, w.host.os)
}

fn rate(r: Option<f64>) -> String {
    r.map(|v| short(v.round())).unwrap_or_else(|| "-".into())
}

/// The workers table: `None` for a sweep that ran on no worker.
pub fn table(sweep: &Sweep) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    if sweep.meta.workers.is_empty() {
        return None;
    }
    let shares = shares(&sweep.records);
    let header = [
        "host",
        "machine",
        "clock vs coordinator",
        "consumers",
        "producers",
        "records consumed",
        "records produced",
        "consumer msg/s (median)",
        "producer msg/s (median)",
        "CPU s",
        "failed",
    ]
    .map(String::from)
    .to_vec();
    let row = |name: &str, machine: String, clock: String, s: Option<&Share>| {
        let s = s.cloned().unwrap_or_default();
        vec![
            name.to_string(),
            machine,
            clock,
            s.consumers.to_string(),
            s.producers.to_string(),
            s.consumed.to_string(),
            s.produced.to_string(),
            rate(s.consumer_rate()),
            rate(s.producer_rate()),
            format!("{:.1}", s.cpu_s),
            s.failed.to_string(),
        ]
    };
    let mut rows: Vec<Vec<String>> = sweep
        .meta
        .workers
        .iter()
        .map(|w| {
            let clock = format!(
                "{:+.2} ms ± {:.2} (round trip {:.2} ms)",
                w.clock_offset_ms, w.clock_uncertainty_ms, w.round_trip_ms
            );
            row(&w.name, host_facts(w), clock, shares.get(&w.name))
        })
        .collect();
    if let Some(own) = shares.get(COORDINATOR) {
        let machine = format!("{} CPUs, {}", sweep.meta.host.cpu_count, sweep.meta.host.os);
        rows.push(row(COORDINATOR, machine, "the reference".into(), Some(own)));
    }
    Some((header, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ConsumerRun, ProducerRun};

    fn consumer(worker: Option<&str>, messages: u64, rate: f64) -> ConsumerRun {
        ConsumerRun {
            status: Some(Status::Ok),
            messages,
            throughput_msgs_per_s: Some(rate),
            cpu_s: Some(0.5),
            worker: worker.map(String::from),
            ..Default::default()
        }
    }

    #[test]
    fn each_host_gets_what_its_processes_carried_and_warm_ups_are_left_out() {
        let run = |warmup: bool| RunRecord {
            warmup,
            per_consumer: vec![
                consumer(Some("w1"), 600, 1000.0),
                consumer(Some("w2"), 400, 3000.0),
                consumer(Some("w1"), 500, 2000.0),
            ],
            per_producer: vec![ProducerRun {
                status: Some(Status::Failed),
                messages: 1500,
                throughput_msgs_per_s: Some(5000.0),
                ..Default::default()
            }],
            ..Default::default()
        };
        let s = shares(&[run(true), run(false)]);
        let w1 = &s["w1"];
        assert_eq!((w1.consumers, w1.consumed, w1.producers), (2, 1100, 0));
        assert_eq!(w1.consumer_rate(), Some(1500.0));
        assert!((w1.cpu_s - 1.0).abs() < 1e-9);
        assert_eq!(s["w2"].consumed, 400);
        let own = &s[COORDINATOR];
        assert_eq!((own.producers, own.produced, own.failed), (1, 1500, 1));
        assert_eq!(own.producer_rate(), Some(5000.0));
        assert_eq!(own.consumer_rate(), None, "absent, not 0");
    }
}
