//! Waiting for the workers: the coordinator pings on the control topic; every idle worker of
//! the fleet answers on the results topic with its host and its clock. A worker busy with
//! another sweep, or of another kafkatune version, is not taken (the second is named).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::bus::{Bus, Reader, Topics};
use super::messages::{Message, Unreadable};
use super::Worker;
use crate::broker::ClientProps;
use crate::error::UserError;
use crate::options::{WorkerSet, WorkersOptions};

/// How often the coordinator pings while it waits.
const PING_EVERY: Duration = Duration::from_millis(200);
/// Round trips measured per worker before it is taken (the shortest one gives its clock:
/// the least time for the worker's stamp to be off the midpoint).
const ROUND_TRIPS: usize = 5;

/// What the pings found so far.
#[derive(Default)]
struct Found {
    /// Idle workers (or this sweep's): name -> (facts, round trips (ms, offset ms)).
    answered: BTreeMap<String, (super::WorkerFacts, Vec<(f64, f64)>)>,
    busy: BTreeMap<String, String>,
    refused: BTreeMap<String, String>,
}

/// Pings until the workers `opts` asks for answered, or its timeout (exit 3).
pub fn wait_for_workers(
    opts: &WorkersOptions,
    bootstrap: &str,
    props: &ClientProps,
    topics: &Topics,
    bus: &Bus,
    results: &Reader,
    sweep_id: &str,
) -> Result<Vec<Worker>> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(opts.timeout_s);
    let mut sent: BTreeMap<u64, u64> = BTreeMap::new();
    let mut found = Found::default();
    let mut next_ping = started;
    let mut said_waiting = false;
    loop {
        if let Some(workers) = chosen(&opts.set, &found) {
            return Ok(workers);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(missing(opts, bootstrap, props, topics, &found).into());
        }
        crate::interrupt::check(|| "interrupted while waiting for the workers".into())?;
        if now >= next_ping {
            let ping_id = sent.len() as u64;
            let sent_unix_us = crate::clock::now_unix_us();
            bus.send(
                &topics.control,
                Message::Ping {
                    sweep_id: sweep_id.to_string(),
                    ping_id,
                    sent_unix_us,
                },
            )?;
            sent.insert(ping_id, sent_unix_us);
            next_ping = now + PING_EVERY;
            if !said_waiting && now.duration_since(started) > Duration::from_secs(2) {
                eprintln!(
                    "kafkatune: waiting for {} on fleet {} (up to {:.0} s)...",
                    describe(&opts.set),
                    opts.fleet,
                    opts.timeout_s
                );
                said_waiting = true;
            }
        }
        match results.next(Duration::from_millis(50)) {
            None => {}
            Some(Err(e @ Unreadable::Version { .. })) => {
                let Unreadable::Version { sender, .. } = &e else {
                    continue;
                };
                let (sender, err) = (sender.clone(), e.to_string());
                if !found.refused.contains_key(&sender) {
                    eprintln!("kafkatune: warning: worker {sender} refused: {err}");
                }
                found.refused.insert(sender, err);
            }
            Some(Err(_)) => {}
            Some(Ok(envelope)) => {
                let received = crate::clock::now_unix_us();
                if let Message::Pong {
                    sweep_id: s,
                    ping_id,
                    received_unix_us,
                    facts,
                    busy_with,
                } = envelope.message
                {
                    let Some(&sent_us) = sent.get(&ping_id).filter(|_| s == sweep_id) else {
                        continue;
                    };
                    match busy_with.filter(|b| b != sweep_id) {
                        Some(other) => {
                            found.busy.insert(envelope.sender, other);
                        }
                        None => {
                            // NTP-style: t1 sent here, t2 the worker's clock, t3 back here;
                            // offset t2 - (t1 + t3) / 2, off by at most (t3 - t1) / 2.
                            let (rtt_ms, offset_ms) =
                                super::clock::offset(sent_us, received_unix_us, received);
                            found.busy.remove(&envelope.sender);
                            found
                                .answered
                                .entry(envelope.sender)
                                .or_insert_with(|| (facts, Vec::new()))
                                .1
                                .push((rtt_ms, offset_ms));
                        }
                    }
                }
            }
        }
    }
}

fn describe(set: &WorkerSet) -> String {
    match set {
        WorkerSet::Count(1) => "1 worker".into(),
        WorkerSet::Count(n) => format!("{n} workers"),
        WorkerSet::Names(names) => format!("the workers {}", names.join(", ")),
    }
}

/// The workers to take, once enough answered (each with `ROUND_TRIPS` round trips).
fn chosen(set: &WorkerSet, found: &Found) -> Option<Vec<Worker>> {
    let ready: Vec<&String> = found
        .answered
        .iter()
        .filter(|(_, (_, trips))| trips.len() >= ROUND_TRIPS)
        .map(|(name, _)| name)
        .collect();
    let names: Vec<String> = match set {
        WorkerSet::Count(n) if ready.len() >= *n as usize => ready
            .iter()
            .take(*n as usize)
            .map(|s| s.to_string())
            .collect(),
        WorkerSet::Names(names) if names.iter().all(|n| ready.contains(&n)) => names.clone(),
        _ => return None,
    };
    Some(
        names
            .into_iter()
            .map(|name| {
                let (facts, trips) = &found.answered[&name];
                let (rtt, offset) = trips
                    .iter()
                    .copied()
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .unwrap_or_default();
                Worker {
                    name,
                    facts: facts.clone(),
                    round_trip_ms: (rtt * 1000.0).round() / 1000.0,
                    clock_offset_ms: (offset * 1000.0).round() / 1000.0,
                    clock_uncertainty_ms: (rtt / 2.0 * 1000.0).round() / 1000.0,
                }
            })
            .collect(),
    )
}

/// The timeout's error: who answered, who is missing, who was there once (the control
/// topic keeps each worker's latest announcement), who is busy or refused.
fn missing(
    opts: &WorkersOptions,
    bootstrap: &str,
    props: &ClientProps,
    topics: &Topics,
    found: &Found,
) -> UserError {
    let answered: Vec<&String> = found.answered.keys().collect();
    let mut text = format!(
        "waited {:.0} s for {} on fleet {} ({}): {} answered{}",
        opts.timeout_s,
        describe(&opts.set),
        opts.fleet,
        topics.control,
        answered.len(),
        if answered.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                answered
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    match &opts.set {
        WorkerSet::Names(names) => {
            let absent: Vec<&str> = names
                .iter()
                .filter(|n| !found.answered.contains_key(*n))
                .map(String::as_str)
                .collect();
            text.push_str(&format!("; missing: {}", absent.join(", ")));
        }
        WorkerSet::Count(n) => {
            text.push_str(&format!(
                "; missing: {} more",
                (*n as usize).saturating_sub(answered.len())
            ));
            let silent = announced_but_silent(bootstrap, props, topics, found);
            if !silent.is_empty() {
                text.push_str(&format!(
                    " (announced before, silent now: {})",
                    silent.join(", ")
                ));
            }
        }
    }
    for (w, other) in &found.busy {
        text.push_str(&format!("; {w} works for another sweep ({other})"));
    }
    for (w, why) in &found.refused {
        text.push_str(&format!("; {w} refused: {why}"));
    }
    UserError::env(text).with_hint(format!(
        "start the missing workers (kafkatune worker --bootstrap-servers {bootstrap} --fleet {} --name NAME) or give fewer with --workers",
        opts.fleet
    ))
}

/// Workers whose announcement the control topic holds but that did not answer, with how
/// long ago they announced themselves.
fn announced_but_silent(
    bootstrap: &str,
    props: &ClientProps,
    topics: &Topics,
    found: &Found,
) -> Vec<String> {
    let Ok(reader) = Reader::from_start(bootstrap, props, &topics.control) else {
        return Vec::new();
    };
    let mut last: BTreeMap<String, u64> = BTreeMap::new();
    let reads = reader.drain(Duration::from_millis(500), Duration::from_secs(5));
    for e in reads.into_iter().flatten() {
        if let Message::Announce { sent_unix_us, .. } = e.message {
            last.insert(e.sender, sent_unix_us);
        }
    }
    let now = crate::clock::now_unix_us();
    last.into_iter()
        .filter(|(w, _)| !found.answered.contains_key(w) && !found.busy.contains_key(w))
        .map(|(w, t)| format!("{w}, {:.0} s ago", now.saturating_sub(t) as f64 / 1e6))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::HostMeta;

    fn facts() -> super::super::WorkerFacts {
        super::super::WorkerFacts {
            host: HostMeta {
                os: "linux".into(),
                kernel: None,
                cpu_model: None,
                cpu_count: 2,
                memory_bytes: None,
            },
            hostname: None,
            client_versions: Default::default(),
        }
    }

    #[test]
    fn workers_are_taken_once_each_answered_enough_pings_with_the_shortest_round_trip() {
        let mut found = Found::default();
        found.answered.insert(
            "b".into(),
            (
                facts(),
                vec![(4.0, 10.0), (2.0, 3.0), (9.0, -5.0), (5.0, 1.0), (6.0, 2.0)],
            ),
        );
        found
            .answered
            .insert("a".into(), (facts(), vec![(1.0, 0.5)]));
        assert!(
            chosen(&WorkerSet::Count(2), &found).is_none(),
            "a answered once"
        );
        let one = chosen(&WorkerSet::Count(1), &found).unwrap();
        assert_eq!(one[0].name, "b");
        assert_eq!(
            (
                one[0].round_trip_ms,
                one[0].clock_offset_ms,
                one[0].clock_uncertainty_ms
            ),
            (2.0, 3.0, 1.0)
        );
        assert!(chosen(&WorkerSet::Names(vec!["a".into()]), &found).is_none());
        found.answered.get_mut("a").unwrap().1.extend([
            (1.0, 0.5),
            (1.0, 0.5),
            (1.0, 0.5),
            (1.0, 0.5),
        ]);
        let named = chosen(&WorkerSet::Names(vec!["b".into(), "a".into()]), &found).unwrap();
        assert_eq!(
            named.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(),
            ["b", "a"],
            "in the order given"
        );
    }
}
