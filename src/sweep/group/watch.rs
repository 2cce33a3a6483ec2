//! The orchestrator's view of a group while it runs: what each consumer holds and has
//! counted, when to create the start and stop files, the messages left over time.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;

use super::ranges::{balanced, covered};
use super::Hook;
use crate::clients::protocol::Event;
use crate::sweep::runner::RunOutcome;

/// How long a consumer that reported no assignment must have been subscribed before it is
/// taken as idle (librdkafka with `group.protocol=consumer` reports no empty assignment).
const QUIET: Duration = Duration::from_secs(3);
/// How long the assignments may cover every partition without balancing (an assignor that
/// does not balance counts) before counting starts anyway. Longer than two heartbeats of
/// `group.protocol=consumer` (5 s each by default), which a hand-over takes there.
const SETTLE: Duration = Duration::from_secs(30);
/// How often the group's remaining messages are sampled.
const LAG_INTERVAL: Duration = Duration::from_millis(250);
/// Samples kept at most; past it every other one is dropped and the interval doubles.
const MAX_LAG_SAMPLES: usize = 240;

pub enum Note {
    Event(usize, Event),
    Exited(usize, Box<Result<RunOutcome>>),
}

/// The orchestrator's view of the group while it runs: what each consumer holds and has
/// counted, when to create the start and stop files, the remaining messages over time.
pub struct Watch {
    partitions: Vec<i32>,
    messages: u64,
    held: Vec<Option<Vec<i32>>>,
    ready: Vec<Option<Instant>>,
    counted: Vec<u64>,
    exited: Vec<Option<Result<RunOutcome>>>,
    start_file: PathBuf,
    stop_file: PathBuf,
    pub t0: Instant,
    last_change: Instant,
    pub started: Option<Instant>,
    stopped: bool,
    pub lag: Vec<(f64, u64)>,
    lag_interval: Duration,
    next_sample: Instant,
    /// A share group: members hold no partitions, so counting starts once every one is ready.
    share: bool,
    /// Why the run could not start once the group was complete (the hook's `on_start`).
    pub start_failure: Option<String>,
    /// The hook's figure of the messages not consumed yet, at the latest step.
    outstanding: Option<u64>,
}

impl Watch {
    pub fn new(
        n: usize,
        partitions: Vec<i32>,
        messages: u64,
        start_file: PathBuf,
        stop_file: PathBuf,
    ) -> Watch {
        let now = Instant::now();
        Watch {
            partitions,
            messages,
            held: vec![None; n],
            ready: vec![None; n],
            counted: vec![0; n],
            exited: (0..n).map(|_| None).collect(),
            start_file,
            stop_file,
            t0: now,
            last_change: now,
            started: None,
            stopped: false,
            lag: Vec::new(),
            lag_interval: LAG_INTERVAL,
            next_sample: now,
            share: false,
            start_failure: None,
            outstanding: None,
        }
    }

    /// The watch of a share group (KIP-932): its members report no assignment (the share
    /// consumer has none to show), and wait without polling, so the start file comes once
    /// every member has subscribed.
    pub fn share_group(mut self) -> Watch {
        self.share = true;
        self
    }

    /// Follows the consumers until every one has exited; their outcomes by index.
    pub fn follow(
        &mut self,
        rx: &mpsc::Receiver<Note>,
        hook: &mut dyn Hook,
    ) -> Vec<Result<RunOutcome>> {
        while self.exited.iter().any(Option::is_none) {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(Note::Event(i, Event::Assigned { partitions })) => {
                    self.held[i] = Some(partitions);
                    self.last_change = Instant::now();
                }
                Ok(Note::Event(i, Event::Progress { messages })) => {
                    self.counted[i] = self.counted[i].max(messages)
                }
                Ok(Note::Event(i, Event::Ready)) => self.ready[i] = Some(Instant::now()),
                Ok(Note::Exited(i, out)) => {
                    if let Ok(o) = out.as_ref() {
                        // The result is the last word on what a consumer counted.
                        if let Some(r) = &o.result {
                            self.counted[i] = r.messages;
                        }
                    }
                    self.exited[i] = Some(*out);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            self.step(hook);
        }
        self.outstanding = hook.outstanding(self.counted.iter().sum());
        self.sample(Instant::now());
        self.exited
            .iter_mut()
            .map(|o| {
                o.take()
                    .unwrap_or_else(|| Err(anyhow::anyhow!("lost track of a consumer")))
            })
            .collect()
    }

    fn step(&mut self, hook: &mut dyn Hook) {
        let now = Instant::now();
        let any_exited = self.exited.iter().any(Option::is_some);
        // Every consumer subscribed, and reported an assignment or has long been quiet.
        let complete = self.held.iter().zip(&self.ready).all(|(held, ready)| {
            held.is_some() || ready.is_some_and(|t| now.duration_since(t) >= QUIET)
        });
        let all_ready = self.ready.iter().all(Option::is_some);
        let formed = (self.share && all_ready)
            || (!self.share && complete && balanced(&self.held, &self.partitions))
            || (covered(&self.held, &self.partitions)
                && now.duration_since(self.last_change) >= SETTLE);
        if self.started.is_none() && self.start_failure.is_none() && !formed && any_exited {
            // A member ended (its time-out, an error) before the group was ever complete:
            // the run has failed, and starting it now (a live run's producer) would only
            // blame what came after. The others are told to stop.
            touch(&self.start_file);
            self.start_failure = Some(format!(
                "the group was never complete: a member ended {:.1} s after the start, the assignments then {}",
                now.duration_since(self.t0).as_secs_f64(),
                self.assignments()
            ));
        }
        if self.started.is_none() && self.start_failure.is_none() && formed {
            match hook.on_start() {
                Ok(content) => write_atomically(&self.start_file, &content),
                Err(why) => {
                    touch(&self.start_file);
                    self.start_failure = Some(why);
                }
            }
            self.started = Some(now);
        }
        let total: u64 = self.counted.iter().sum();
        self.outstanding = hook.outstanding(total);
        let failed = self.start_failure.is_some();
        if !self.stopped && (total >= self.messages || any_exited || failed) {
            touch(&self.stop_file);
            self.stopped = true;
        }
        if now >= self.next_sample {
            self.sample(now);
        }
    }

    /// What each member reported holding, for a message: `#0 [0, 1], #1 none`.
    fn assignments(&self) -> String {
        let each: Vec<String> = self
            .held
            .iter()
            .enumerate()
            .map(|(i, h)| match h {
                Some(p) => format!("#{i} {p:?}"),
                None => format!("#{i} none reported"),
            })
            .collect();
        each.join(", ")
    }

    /// Records the messages not consumed yet.
    fn sample(&mut self, now: Instant) {
        let lag = self
            .outstanding
            .unwrap_or_else(|| self.messages.saturating_sub(self.counted.iter().sum()));
        self.lag
            .push((round_ms(now.duration_since(self.t0).as_secs_f64()), lag));
        if self.lag.len() >= MAX_LAG_SAMPLES {
            self.lag = self.lag.iter().step_by(2).copied().collect();
            self.lag_interval *= 2;
        }
        self.next_sample = now + self.lag_interval;
    }
}

pub(super) fn round_ms(s: f64) -> f64 {
    (s * 1000.0).round() / 1000.0
}

/// Writes the start file whole: a driver that sees it reads all of its content.
fn write_atomically(path: &Path, content: &[u8]) {
    let tmp = path.with_extension("tmp");
    if let Err(e) = std::fs::write(&tmp, content).and_then(|()| std::fs::rename(&tmp, path)) {
        eprintln!("kafkatune: cannot create {}: {e}", path.display());
    }
}

fn touch(path: &Path) {
    if let Err(e) = std::fs::write(path, b"") {
        eprintln!("kafkatune: cannot create {}: {e}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(dir: &Path, n: usize) -> Watch {
        Watch::new(n, vec![0, 1], 10, dir.join("start"), dir.join("stop"))
    }

    fn note(w: &mut Watch, i: usize, event: Event) {
        match event {
            Event::Assigned { partitions } => w.held[i] = Some(partitions),
            Event::Progress { messages } => w.counted[i] = messages,
            Event::Ready => w.ready[i] = Some(Instant::now()),
        }
        w.step(&mut super::super::Drain);
    }

    #[test]
    fn counting_starts_once_the_group_is_complete_and_balanced() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = watch(dir.path(), 2);
        note(&mut w, 0, Event::Ready);
        note(
            &mut w,
            0,
            Event::Assigned {
                partitions: vec![0, 1],
            },
        );
        assert!(
            !dir.path().join("start").exists(),
            "the second consumer has not joined"
        );
        note(&mut w, 1, Event::Ready);
        note(&mut w, 1, Event::Assigned { partitions: vec![] });
        assert!(
            !dir.path().join("start").exists(),
            "the first still holds everything"
        );
        note(
            &mut w,
            0,
            Event::Assigned {
                partitions: vec![0],
            },
        );
        note(
            &mut w,
            1,
            Event::Assigned {
                partitions: vec![1],
            },
        );
        assert!(dir.path().join("start").exists());
        assert!(w.started.is_some());
    }

    #[test]
    fn the_stop_file_comes_when_the_counts_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = watch(dir.path(), 2);
        note(&mut w, 0, Event::Progress { messages: 6 });
        assert!(!dir.path().join("stop").exists());
        note(&mut w, 1, Event::Progress { messages: 4 });
        assert!(dir.path().join("stop").exists());
        w.sample(Instant::now());
        assert_eq!(w.lag.last().unwrap().1, 0, "nothing left to consume");
    }

    #[test]
    fn a_consumer_that_exits_starts_and_stops_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = watch(dir.path(), 2);
        w.held[1] = Some(vec![0, 1]);
        w.exited[0] = Some(Err(anyhow::anyhow!("crashed")));
        let mut hook = Starts(0);
        w.step(&mut hook);
        assert!(dir.path().join("start").exists() && dir.path().join("stop").exists());
        // The run is not started (a live run's producer would send for nothing), and its
        // failure says the group never formed, with what each member held.
        assert_eq!(hook.0, 0);
        assert_eq!(w.started, None);
        let why = w.start_failure.as_deref().unwrap();
        assert!(
            why.contains("never complete") && why.contains("#0 none reported, #1 [0, 1]"),
            "{why}"
        );
    }

    /// A hook that counts its starts.
    struct Starts(usize);
    impl Hook for Starts {
        fn on_start(&mut self) -> std::result::Result<Vec<u8>, String> {
            self.0 += 1;
            Ok(Vec::new())
        }
    }

    #[test]
    fn a_share_group_starts_once_every_member_is_ready() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = watch(dir.path(), 2).share_group();
        note(&mut w, 0, Event::Ready);
        assert!(
            !dir.path().join("start").exists(),
            "one member is not ready"
        );
        note(&mut w, 1, Event::Ready);
        assert!(dir.path().join("start").exists());
    }

    #[test]
    fn lag_samples_stay_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = watch(dir.path(), 1);
        let t = Instant::now();
        for i in 0..10 * MAX_LAG_SAMPLES {
            w.sample(t + Duration::from_millis(i as u64));
        }
        assert!(w.lag.len() < MAX_LAG_SAMPLES);
        assert!(w.lag_interval > LAG_INTERVAL);
    }
}
