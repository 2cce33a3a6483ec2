//! A scripted stand-in client, so the orchestration (plan, runner, time-outs, crashes,
//! resume, Ctrl-C, exit codes, group start and stop files, the table) is tested in seconds
//! without Kafka, as hyperfine tests its scheduler with a mock executor. It is a real driver
//! process speaking the real protocol (`kafkatune driver fake SPEC RESULT`); only the
//! consuming is made up, and reported exactly as the script says. Hidden from users.
//!
//! The script comes in the spec's properties, given as `fake.NAME=VALUE` (`-X` or
//! `--param`, so a sweep can vary it):
//! - `rate` (msg/s, default 1,000,000): the run reports `consume_s = messages / rate`;
//! - `noise` (a fraction, default 0): the rate varies by up to this much from run to run,
//!   the same for the same run id;
//! - `peak` (`NAME@VALUE`, several joined by `;`): the rate is `rate` where the property
//!   NAME (by Kafka name) is VALUE, and falls off away from it, times 1 / (1 + |log2(v /
//!   VALUE)|) for each, so a search has a known best (numbers only);
//! - `fluke` (`NAME@VALUE*FACTOR`, several joined by `;`): the first run (run index 0) of a
//!   trial whose property NAME is VALUE reports FACTOR times its rate, its later runs the rate:
//!   one lucky run, as a busy machine gives (a search must not crown it unconfirmed);
//! - `startup_ms`, `run_ms`: wall time spent before `ready`, and while "consuming";
//! - `crash_after` (messages): print progress up to that count, then exit with no result;
//! - `hang=true`: never finish (the orchestrator kills it at its time-out);
//! - `malformed=true`: write a result document that is not JSON;
//! - `fail=REASON`: write a failed result with that reason.
//!
//! In a group run (`assignment: subscribe`) each member takes the next free member number
//! (a file beside the start file), holds the partitions `p % members == number`, reports
//! them, waits for the start file, counts its partitions' ranges, and finishes when the
//! stop file appears.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::Value;

use super::descriptor::{Descriptor, Pace};
use super::properties;
use super::properties::{no_rules, ClientProperties, Tls, Values};
use super::protocol::{
    self, now_unix_us, Assignment, DriverResult, Processing, Spec, PROTOCOL_VERSION,
};
use super::ClientKind;
use crate::results::{Params, Status};

/// The fake client: never in `--client all`, hidden from help.
pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: ClientKind::Fake,
    name: "fake",
    about: "A scripted stand-in for tests of the orchestration (no Kafka): see clients/fake.rs",
    hidden: true,
    needs: &[],
    prepare: || super::built_in("fake"),
    version: || None,
    properties: ClientProperties {
        spelling: |p, _| properties::Spelling::Name(p.kafka),
        values: Values::Text,
        tls: Tls::AsGiven,
        takes_names_of: None,
        rules: no_rules,
        own_translation: None,
    },
    no_share_consumer: Some("the fake client has none"),
    pace: Pace {
        consume_msgs_per_s: 1_000_000.0,
        produce_msgs_per_s: 1_000_000.0,
        start_s: 0.1,
    },
    first_use: None,
};

/// A trial's properties as the fake takes them: its own without the prefix, every other
/// property by its Kafka name (the fake honours all of them by ignoring them), and the
/// number of group members it needs to split partitions.
pub fn translate(params: &Params) -> BTreeMap<String, Value> {
    params
        .iter()
        // kafkatune's own, in the spec: never a client property, the fake's neither.
        .filter(|(k, _)| *k != crate::workload::processing::PROCESSING)
        .map(|(k, v)| {
            let name = match properties::scoped(k) {
                Some((ClientKind::Fake, own)) => own.to_string(),
                _ if k == properties::CONSUMERS => "members".to_string(),
                _ => k.clone(),
            };
            (name, Value::String(v.clone()))
        })
        .collect()
}

struct Script {
    rate: f64,
    noise: f64,
    startup: Duration,
    run: Duration,
    crash_after: Option<u64>,
    hang: bool,
    malformed: bool,
    fail: Option<String>,
    members: usize,
    /// What `peak` makes of the rate at this run's properties (1 without it).
    peak_factor: f64,
    /// What `fluke` makes of the rate of this trial's first run (1 without it).
    fluke_factor: f64,
}

/// `fake.fluke=NAME@VALUE*FACTOR;...`: the factor of the first run's rate at the spec's
/// properties (1 when no item names them).
fn fluke_factor(spec: &Spec) -> Result<f64> {
    let Some(flukes) = spec.properties.get("fluke").and_then(Value::as_str) else {
        return Ok(1.0);
    };
    let mut factor = 1.0;
    for item in flukes.split(';').filter(|i| !i.trim().is_empty()) {
        let parsed = item.split_once('@').and_then(|(name, rest)| {
            let (value, f) = rest.split_once('*')?;
            Some((name.trim(), value.trim(), f.trim().parse::<f64>().ok()?))
        });
        let (name, value, f) = parsed
            .with_context(|| format!("fake.fluke={flukes}: expected NAME@VALUE*FACTOR;..."))?;
        if spec.properties.get(name).and_then(Value::as_str) == Some(value) {
            factor *= f;
        }
    }
    Ok(factor)
}

/// `fake.peak=NAME@VALUE;...`: the rate's factor at the spec's properties.
fn peak_factor(spec: &Spec) -> Result<f64> {
    let Some(peaks) = spec.properties.get("peak").and_then(Value::as_str) else {
        return Ok(1.0);
    };
    let mut factor = 1.0;
    for item in peaks.split(';').filter(|i| !i.trim().is_empty()) {
        let (name, best) = item
            .split_once('@')
            .with_context(|| format!("fake.peak={peaks}: expected NAME@VALUE;..."))?;
        let best: f64 = best
            .trim()
            .parse()
            .with_context(|| format!("fake.peak: {best} is not a number"))?;
        let value: f64 = match spec.properties.get(name.trim()).and_then(Value::as_str) {
            Some(v) => v
                .parse()
                .with_context(|| format!("fake.peak: {name}={v} is not a number"))?,
            None if name.trim() == "max.poll.records" => spec.max_poll_records as f64,
            None => anyhow::bail!("fake.peak: the run has no property {name}"),
        };
        factor /= 1.0 + (value.max(1e-9) / best.max(1e-9)).log2().abs();
    }
    Ok(factor)
}

impl Script {
    fn read(spec: &Spec) -> Result<Script> {
        let get = |k: &str| spec.properties.get(k).and_then(Value::as_str);
        let num = |k: &str, default: f64| -> Result<f64> {
            get(k).map_or(Ok(default), |v| {
                v.parse()
                    .with_context(|| format!("fake.{k}={v}: not a number"))
            })
        };
        let ms = |k: &str| num(k, 0.0).map(|v| Duration::from_secs_f64(v.max(0.0) / 1e3));
        Ok(Script {
            rate: num("rate", 1e6)?,
            noise: num("noise", 0.0)?,
            startup: ms("startup_ms")?,
            run: ms("run_ms")?,
            crash_after: get("crash_after").map(str::parse).transpose()?,
            hang: get("hang") == Some("true"),
            malformed: get("malformed") == Some("true"),
            fail: get("fail").map(str::to_string),
            members: num("members", 1.0)? as usize,
            peak_factor: peak_factor(spec)?,
            fluke_factor: fluke_factor(spec)?,
        })
    }

    /// The rate of this run: `rate` times a factor in [1 - noise, 1 + noise] drawn from the
    /// run id, so every repetition of a sweep reports the same figures (and the first run,
    /// `-r0`, times the fluke's factor).
    fn rate_of(&self, run_id: &str) -> f64 {
        let mut h = run_id.bytes().fold(0xcbf29ce484222325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100000001b3)
        });
        // splitmix64's finaliser: ids that differ in their last character land far apart.
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d049bb133111eb);
        h ^= h >> 31;
        let unit = (h >> 11) as f64 / (1u64 << 53) as f64;
        let fluke = if run_id.ends_with("-r0") {
            self.fluke_factor
        } else {
            1.0
        };
        self.rate * self.peak_factor * fluke * (1.0 + self.noise * (2.0 * unit - 1.0))
    }
}

/// `kafkatune driver fake SPEC RESULT`.
pub fn run_driver(spec_path: &Path, result_path: &Path) -> Result<()> {
    let spec: Spec = serde_json::from_slice(&std::fs::read(spec_path)?)?;
    let script = Script::read(&spec)?;
    std::thread::sleep(script.startup);
    let ready = now_unix_us();
    let held = match spec.assignment {
        Assignment::Assign => spec.partitions.iter().map(|p| p.partition).collect(),
        Assignment::Subscribe => join(&spec, script.members)?,
    };
    println!(r#"{{"event":"ready"}}"#);
    if spec.assignment == Assignment::Subscribe {
        println!(r#"{{"event":"assigned","partitions":{held:?}}}"#);
        wait_for(spec.start_file.as_deref());
    }
    if script.hang {
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let mut per_partition = BTreeMap::new();
    for p in spec
        .partitions
        .iter()
        .filter(|p| held.contains(&p.partition))
    {
        let n = match p.end_offset {
            Some(end) => (end - p.start_offset).max(0) as u64,
            None => spec.messages / spec.partitions.len() as u64,
        };
        per_partition.insert(p.partition.to_string(), n);
    }
    if spec.assignment == Assignment::Assign {
        // Assign reads every partition: the whole count, however it splits.
        let n = per_partition.len().max(1) as u64;
        for (i, v) in per_partition.values_mut().enumerate() {
            *v = spec.messages / n + u64::from((i as u64) < spec.messages % n);
        }
    }
    let messages: u64 = per_partition.values().sum();
    if let Some(k) = script.crash_after {
        println!(r#"{{"event":"progress","messages":{}}}"#, k.min(messages));
        eprintln!("fake: crashing after {k} messages, as scripted");
        std::process::exit(70);
    }
    let first = now_unix_us();
    std::thread::sleep(script.run);
    println!(r#"{{"event":"progress","messages":{messages}}}"#);
    if spec.assignment == Assignment::Subscribe {
        wait_for(spec.stop_file.as_deref());
    }
    if script.malformed {
        std::fs::write(result_path, b"{ this is not json")?;
        return Ok(());
    }
    let consume_s = if messages == 0 {
        None
    } else {
        Some(messages as f64 / script.rate_of(spec.run_id.as_deref().unwrap_or("")))
    };
    let mut result = DriverResult {
        protocol_version: PROTOCOL_VERSION,
        status: Some(Status::Ok),
        client: "fake".into(),
        client_version: Some(env!("CARGO_PKG_VERSION").into()),
        messages,
        bytes: messages * 100,
        ready_unix_us: Some(ready),
        first_record_unix_us: (messages > 0).then_some(first),
        last_record_unix_us: consume_s.map(|s| first + (s * 1e6) as u64),
        consume_s,
        polls: Some(messages.div_ceil(spec.max_poll_records.max(1))),
        empty_polls: Some(0),
        records_per_poll_max: Some(messages.min(spec.max_poll_records)),
        per_partition,
        assigned_partitions: held,
        join_s: (spec.assignment == Assignment::Subscribe).then_some(0.0),
        rebalances: Some(u64::from(spec.assignment == Assignment::Subscribe)),
        poll_api: Some("fake".into()),
        ..Default::default()
    };
    if let Some(p) = &spec.processing {
        add_processing(
            &mut result,
            &spec,
            p,
            script.rate_of(spec.run_id.as_deref().unwrap_or("")),
        );
    }
    if let Some(reason) = script.fail {
        result.status = Some(Status::Failed);
        result.error = Some(reason);
    }
    protocol::write_result(result_path, &result)?;
    Ok(())
}

/// The processing the spec asks for, as figures (the fake does no work): every poll hands
/// over `max_poll_records` (the last one the rest) and is processed before the next; in a
/// group, a poll whose interval passes the `max.poll.interval.ms` property counts as an
/// exceeded poll and a rebalance, as a real member would be thrown out and rejoin.
fn add_processing(result: &mut DriverResult, spec: &Spec, p: &Processing, rate: f64) {
    let (messages, batch) = (result.messages, spec.max_poll_records.max(1));
    if messages == 0 {
        return;
    }
    let polls = messages.div_ceil(batch);
    let last = messages - (polls - 1) * batch;
    let processing_s =
        (polls - 1) as f64 * p.for_poll(batch).as_secs_f64() + p.for_poll(last).as_secs_f64();
    let consume_s = result.consume_s.unwrap_or(0.0) + processing_s;
    let longest_ms = (batch as f64 / rate + p.for_poll(batch).as_secs_f64()) * 1000.0;
    result.processing_s = Some(processing_s);
    result.consume_s = Some(consume_s);
    result.last_record_unix_us = result
        .first_record_unix_us
        .map(|f| f + (consume_s * 1e6) as u64);
    result.poll_interval_avg_ms = Some(consume_s * 1000.0 / polls as f64);
    result.poll_interval_max_ms = Some(longest_ms);
    if spec.assignment == Assignment::Subscribe {
        let limit_ms = spec
            .properties
            .get("max.poll.interval.ms")
            .and_then(Value::as_str)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(300_000.0);
        let exceeded = if longest_ms > limit_ms { polls - 1 } else { 0 };
        result.max_poll_exceeded = Some(exceeded);
        result.rebalances = result.rebalances.map(|r| r + exceeded);
    }
}

/// Takes the next free member number and returns the partitions that member holds.
fn join(spec: &Spec, members: usize) -> Result<Vec<i32>> {
    let members = members.max(1);
    let dir: PathBuf = spec
        .start_file
        .as_deref()
        .and_then(Path::parent)
        .context("a group spec without a start file")?
        .to_path_buf();
    let number = (0..)
        .find(|i| {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(dir.join(format!("fake-member-{i}")))
                .is_ok()
        })
        .expect("a free member number");
    Ok(spec
        .partitions
        .iter()
        .map(|p| p.partition)
        .filter(|p| number < members && *p as usize % members == number)
        .collect())
}

/// Waits until `file` exists (at most a minute: the orchestrator kills a stuck member).
fn wait_for(file: Option<&Path>) {
    let Some(file) = file else { return };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn its_own_settings_lose_the_prefix_and_consumers_become_members() {
        let t = translate(&Params::from([
            ("fake.rate".into(), "10".into()),
            ("consumers".into(), "3".into()),
            ("fetch.min.bytes".into(), "1".into()),
        ]));
        assert_eq!(t["rate"], "10");
        assert_eq!(t["members"], "3");
        assert_eq!(t["fetch.min.bytes"], "1");
    }

    #[test]
    fn noise_is_bounded_and_the_same_for_the_same_run() {
        let s = Script {
            rate: 1000.0,
            noise: 0.2,
            startup: Duration::ZERO,
            run: Duration::ZERO,
            crash_after: None,
            hang: false,
            malformed: false,
            fail: None,
            members: 1,
            peak_factor: 1.0,
            fluke_factor: 1.0,
        };
        let rates: Vec<f64> = (0..50).map(|i| s.rate_of(&format!("t001-r{i}"))).collect();
        assert!(
            rates.iter().all(|r| (800.0..=1200.0).contains(r)),
            "{rates:?}"
        );
        assert!(rates.iter().any(|r| *r != rates[0]));
        assert_eq!(s.rate_of("t001-r3"), s.rate_of("t001-r3"));
        // A fluke multiplies the first run's rate only.
        let lucky = Script {
            fluke_factor: 10.0,
            fail: None,
            ..s
        };
        let ratio = lucky.rate_of("t001-r0") / s.rate_of("t001-r0");
        assert!((ratio - 10.0).abs() < 1e-9, "{ratio}");
        assert_eq!(lucky.rate_of("t001-r1"), s.rate_of("t001-r1"));
    }
}
