//! Subscribe mode: this consumer's part in the group (docs/driver-protocol.md, "Several
//! consumers"). It starts a newly assigned partition the group has no committed offset for
//! at the spec's start offset; counts only records below each partition's end offset and
//! pauses a partition once it reaches it; commits its positions when partitions are revoked
//! and when its partitions are done, so a rebalance hands a partition over exactly where this
//! consumer stopped; holds its partitions paused until the start file exists, and reports
//! when the stop file exists.
//!
//! The rebalance callbacks run inside `BaseConsumer::poll`, on the polling thread; the loop
//! publishes its positions here after every logical poll, before the next `poll` call.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, RebalanceProtocol};
use rdkafka::{Offset, TopicPartitionList};

use super::super::protocol::Spec;

/// The start and stop files are looked at no more often than this.
const FILE_CHECK: Duration = Duration::from_millis(20);
/// How long the committed-offset lookup of a new assignment may take.
const COMMITTED_TIMEOUT: Duration = Duration::from_secs(10);

/// What this consumer knows about its part in the group.
pub struct Member {
    topic: String,
    starts: BTreeMap<i32, i64>,
    /// By partition number: the offset to stop counting at (`i64::MAX`: no bound).
    ends: Vec<i64>,
    start_file: Option<PathBuf>,
    stop_file: Option<PathBuf>,
    state: Mutex<State>,
}

struct State {
    /// The offset after the last record this consumer was handed, per partition it read.
    positions: BTreeMap<i32, i64>,
    held: BTreeSet<i32>,
    paused: BTreeSet<i32>,
    started: bool,
    /// Live: the warm-up's end, as the start file says (docs/driver-protocol.md).
    warmup_end_us: Option<u64>,
    stop: bool,
    next_file_check: Instant,
    was_done: bool,
}

impl Member {
    /// The member of a subscribe spec; `None` for assign.
    pub fn new(spec: &Spec) -> Option<Member> {
        if spec.assignment != super::Assignment::Subscribe {
            return None;
        }
        let top = spec
            .partitions
            .iter()
            .map(|p| p.partition)
            .max()
            .unwrap_or(0);
        let mut ends = vec![i64::MAX; top.max(0) as usize + 1];
        for p in &spec.partitions {
            if let (Some(end), Ok(i)) = (p.end_offset, usize::try_from(p.partition)) {
                ends[i] = end;
            }
        }
        Some(Member {
            topic: spec.topic.clone(),
            starts: spec
                .partitions
                .iter()
                .map(|p| (p.partition, p.start_offset))
                .collect(),
            ends,
            start_file: spec.start_file.clone(),
            stop_file: spec.stop_file.clone(),
            state: Mutex::new(State {
                positions: BTreeMap::new(),
                held: BTreeSet::new(),
                paused: BTreeSet::new(),
                started: spec.start_file.is_none(),
                warmup_end_us: None,
                stop: false,
                next_file_check: Instant::now(),
                was_done: false,
            }),
        })
    }

    /// The offset to stop counting at in `partition`.
    #[inline]
    pub fn end(&self, partition: i32) -> i64 {
        self.ends
            .get(partition as usize)
            .copied()
            .unwrap_or(i64::MAX)
    }

    /// Counting has begun (no start file, or it exists).
    pub fn started(&self) -> bool {
        self.state.lock().unwrap().started
    }

    /// Live: the warm-up's end the start file gave, once it exists.
    pub fn warmup_end_us(&self) -> Option<u64> {
        self.state.lock().unwrap().warmup_end_us
    }

    /// Looks at the start and stop files (rate-limited); true once the stop file exists.
    pub fn check_files<C: ConsumerContext>(&self, consumer: &BaseConsumer<C>) -> bool {
        let mut s = self.state.lock().unwrap();
        let now = Instant::now();
        if now < s.next_file_check {
            return s.stop;
        }
        s.next_file_check = now + FILE_CHECK;
        if let Some(f) = self
            .start_file
            .as_ref()
            .filter(|f| !s.started && f.exists())
        {
            s.started = true;
            s.warmup_end_us = crate::clients::protocol::start_file_warmup_end(f);
            let resume: Vec<i32> = s
                .paused
                .iter()
                .copied()
                .filter(|p| !self.done(&s, *p))
                .collect();
            let _ = consumer.resume(&self.list(&resume));
            s.paused.retain(|p| !resume.contains(p));
        }
        if !s.stop && self.stop_file.as_ref().is_some_and(|f| f.exists()) {
            s.stop = true;
        }
        s.stop
    }

    /// Takes the loop's positions (by partition number, -1: none) for the next commit: due
    /// before every `poll` call, where a rebalance callback may run.
    pub fn publish(&self, positions: &[i64]) {
        Self::take_positions(&mut self.state.lock().unwrap(), positions);
    }

    fn take_positions(s: &mut State, positions: &[i64]) {
        for (p, &next) in positions.iter().enumerate() {
            if next >= 0 {
                s.positions.insert(p as i32, next);
            }
        }
    }

    /// After a logical poll: publishes the loop's positions, pauses the partitions that
    /// reached their end, and returns true once, when every partition held is done (their
    /// positions are committed then).
    pub fn after_poll<C: ConsumerContext>(
        &self,
        consumer: &BaseConsumer<C>,
        positions: &[i64],
    ) -> bool {
        let mut s = self.state.lock().unwrap();
        Self::take_positions(&mut s, positions);
        let finished: Vec<i32> = s
            .held
            .iter()
            .copied()
            .filter(|p| self.done(&s, *p) && !s.paused.contains(p))
            .collect();
        if !finished.is_empty() {
            let _ = consumer.pause(&self.list(&finished));
            s.paused.extend(finished);
        }
        let done = !s.held.is_empty() && s.held.iter().all(|p| self.done(&s, *p));
        let fresh = done && !s.was_done;
        s.was_done = done;
        if fresh {
            let held: Vec<i32> = s.held.iter().copied().collect();
            self.commit(consumer, &s, &held);
        }
        fresh
    }

    /// Commits where this consumer stands on everything it holds: the run is over.
    pub fn commit_held<C: ConsumerContext>(&self, consumer: &BaseConsumer<C>) {
        let s = self.state.lock().unwrap();
        let held: Vec<i32> = s.held.iter().copied().collect();
        self.commit(consumer, &s, &held);
    }

    /// The rebalance callback: positions new partitions, commits revoked ones, applies the
    /// change the way the group's protocol asks, and reports what is held now.
    pub fn rebalance<C: ConsumerContext>(
        &self,
        consumer: &BaseConsumer<C>,
        assign: bool,
        tpl: &mut TopicPartitionList,
    ) {
        let partitions: Vec<i32> = tpl.elements().iter().map(|e| e.partition()).collect();
        let cooperative = matches!(
            consumer.rebalance_protocol(),
            RebalanceProtocol::Cooperative
        );
        let mut s = self.state.lock().unwrap();
        if assign {
            self.position(consumer, &mut s, tpl, &partitions);
            let _ = if cooperative {
                consumer.incremental_assign(tpl)
            } else {
                consumer.assign(tpl)
            };
            if !cooperative {
                s.held.clear();
                s.paused.clear();
            }
            s.held.extend(&partitions);
            let pause: Vec<i32> = partitions
                .iter()
                .copied()
                .filter(|p| !s.started || self.done(&s, *p))
                .collect();
            if !pause.is_empty() {
                let _ = consumer.pause(&self.list(&pause));
                s.paused.extend(pause);
            }
            s.was_done = false;
        } else {
            self.commit(consumer, &s, &partitions);
            let _ = if cooperative {
                consumer.incremental_unassign(tpl)
            } else {
                consumer.unassign()
            };
            for p in &partitions {
                s.held.remove(p);
                s.paused.remove(p);
            }
        }
        let held: Vec<String> = s.held.iter().map(i32::to_string).collect();
        println!(
            r#"{{"event":"assigned","partitions":[{}]}}"#,
            held.join(",")
        );
    }

    /// The partitions held now.
    pub fn held(&self) -> Vec<i32> {
        self.state.lock().unwrap().held.iter().copied().collect()
    }

    /// New partitions start at their committed offset, else at the spec's start offset.
    fn position<C: ConsumerContext>(
        &self,
        consumer: &BaseConsumer<C>,
        s: &mut State,
        tpl: &mut TopicPartitionList,
        partitions: &[i32],
    ) {
        let committed = match consumer.committed_offsets(tpl.clone(), COMMITTED_TIMEOUT) {
            Ok(c) => c,
            Err(e) => {
                // Left unset, librdkafka itself starts from the committed offset or, with
                // none, from auto.offset.reset=earliest (the log start: drain's start).
                eprintln!("kafkatune librdkafka driver: reading committed offsets failed: {e}");
                return;
            }
        };
        for &p in partitions {
            match committed.find_partition(&self.topic, p).map(|e| e.offset()) {
                Some(Offset::Offset(o)) => {
                    s.positions.insert(p, o);
                }
                _ => {
                    if let Some(&start) = self.starts.get(&p) {
                        let _ = tpl.set_partition_offset(&self.topic, p, Offset::Offset(start));
                        s.positions.insert(p, start);
                    }
                }
            }
        }
    }

    fn done(&self, s: &State, partition: i32) -> bool {
        s.positions
            .get(&partition)
            .is_some_and(|next| *next >= self.end(partition))
    }

    fn commit<C: ConsumerContext>(
        &self,
        consumer: &BaseConsumer<C>,
        s: &State,
        partitions: &[i32],
    ) {
        let mut tpl = TopicPartitionList::new();
        for p in partitions {
            if let Some(&next) = s.positions.get(p) {
                let _ = tpl.add_partition_offset(&self.topic, *p, Offset::Offset(next));
            }
        }
        if tpl.count() == 0 {
            return;
        }
        if let Err(e) = consumer.commit(&tpl, CommitMode::Sync) {
            // The next owner then re-reads from the last commit: the counts will not add up,
            // and the orchestrator says so.
            eprintln!("kafkatune librdkafka driver: commit failed: {e}");
        }
    }

    fn list(&self, partitions: &[i32]) -> TopicPartitionList {
        let mut tpl = TopicPartitionList::new();
        for p in partitions {
            tpl.add_partition(&self.topic, *p);
        }
        tpl
    }
}
