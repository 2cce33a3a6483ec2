//! The search as the sweep's schedule: each call takes the records that came in into the
//! book, asks the strategy for the next run, and rewrites `tune.json`. On a resumed folder
//! it first replays the strategy over the folder's records, so it goes on where it stopped
//! and repeats no run. The budget is enforced here, before the strategy is asked: it is
//! never exceeded.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;

use super::book::Book;
use super::elimination;
use super::strategies::{Decision, Strategy};
use crate::results::RunRecord;
use crate::sweep::schedule::{NextRun, Schedule};
use crate::tune_file::{
    Budget, CandidateEntry, CandidateState, Standing, TuneFile, Winner, TUNE_FILE,
};

pub struct Tuner {
    pub book: Book,
    strategy: Box<dyn Strategy>,
    /// Records taken into the book.
    consumed: usize,
    /// The run asked for last, not yet recorded.
    pending: Option<usize>,
    pub stopped_because: Option<String>,
    out: PathBuf,
    /// When this session's search began (its first call, after any replay) and the wall time
    /// spent before it; then the last call: a wall-time budget counts the elapsed time, runs
    /// and what comes between them (round trips measured, groups deleted, processes started).
    clock: Option<SessionClock>,
}

#[derive(Clone, Copy)]
struct SessionClock {
    started: Instant,
    spent_before_s: f64,
    last_call: Instant,
}

impl Tuner {
    pub fn new(book: Book, strategy: Box<dyn Strategy>, out: PathBuf) -> Self {
        Tuner {
            book,
            strategy,
            consumed: 0,
            pending: None,
            stopped_because: None,
            out,
            clock: None,
        }
    }

    /// Counts this session's elapsed time as spent (a replayed folder's earlier sessions count
    /// their runs' own time, the only time their records keep), and the longest stretch from
    /// one call to the next as what one more run may cost.
    fn tick(&mut self) {
        let now = Instant::now();
        match &mut self.clock {
            None => {
                self.clock = Some(SessionClock {
                    started: now,
                    spent_before_s: self.book.wall_s_spent,
                    last_call: now,
                })
            }
            Some(clock) => {
                let stretch = (now - clock.last_call).as_secs_f64();
                clock.last_call = now;
                let elapsed = clock.spent_before_s + (now - clock.started).as_secs_f64();
                self.book.wall_s_spent = self.book.wall_s_spent.max(elapsed);
                self.book.wall_s_max = self.book.wall_s_max.max(stretch);
            }
        }
    }

    fn decide(&mut self) -> Option<usize> {
        if !self.book.budget_allows_a_run() {
            self.stopped_because = Some(match self.book.settings.budget {
                Budget::Runs(n) => format!("the budget of {n} runs is spent"),
                Budget::WallS(s) => format!(
                    "the budget of {s:.0} s is spent ({:.0} s, the longest run with what surrounds it {:.1} s)",
                    self.book.wall_s_spent, self.book.wall_s_max
                ),
            });
            return None;
        }
        match self.strategy.step(&mut self.book) {
            Decision::Run(i) => Some(i),
            Decision::Stop(reason) => {
                self.stopped_because = Some(reason);
                None
            }
        }
    }

    /// The ranking the winner comes from: the book's, with the candidates that have the
    /// strategy's confirmed runs (or the most any has, if fewer) ahead of the others.
    fn standings(&self) -> Vec<usize> {
        let book = &self.book;
        let ranking = book.ranking();
        let most = ranking
            .iter()
            .map(|i| book.candidates[*i].values.len())
            .max()
            .unwrap_or(0);
        let need = self.strategy.confirmed_runs().min(most);
        let (mut out, rest): (Vec<usize>, Vec<usize>) = ranking
            .into_iter()
            .partition(|i| book.candidates[*i].values.len() >= need);
        out.extend(rest);
        out
    }

    /// The course of the search so far, as `tune.json` holds it.
    pub fn file(&self, finished: bool) -> TuneFile {
        let book = &self.book;
        let ranking = self.standings();
        let finalists: Vec<usize> = ranking.iter().copied().take(2).collect();
        let candidates = book
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| CandidateEntry {
                trial_id: c.trial.id.clone(),
                client: c.trial.client.name().to_string(),
                params: book.space.params(&c.point),
                origin: c.origin.to_string(),
                added_at_run: c.added_at_run,
                state: match (&c.dropped, finished && finalists.contains(&i)) {
                    (Some(_), _) => CandidateState::Dropped,
                    (None, true) => CandidateState::Finalist,
                    (None, false) => c.state,
                },
                runs: c.runs,
                median: c.median(),
                dropped: c.dropped.clone(),
            })
            .collect();
        TuneFile {
            schema_version: crate::results::SCHEMA_VERSION,
            settings: book.settings.clone(),
            alpha: elimination::ALPHA,
            runs_spent: book.runs_spent,
            wall_s_spent: book.wall_s_spent,
            finished,
            stopped_because: self
                .stopped_because
                .clone()
                .unwrap_or_else(|| "running (or interrupted)".into()),
            candidates,
            best_so_far: book.best_so_far.clone(),
            winner: self.winner(),
        }
    }

    /// The best alive candidate that keeps the constraints (among those with the strategy's
    /// confirmed runs), against the next best.
    pub fn winner(&self) -> Option<Winner> {
        let book = &self.book;
        let ranking = self.standings();
        let standing = |i: usize| {
            let c = &book.candidates[i];
            let s = crate::stats::summarize(&c.values)?;
            Some(Standing {
                trial_id: c.trial.id.clone(),
                params: c.trial.params.clone(),
                runs: c.values.len(),
                median: s.median,
                ci_low: s.ci_low,
                ci_high: s.ci_high,
                ci_level: s.ci_level,
            })
        };
        let best = standing(*ranking.first()?)?;
        let runner_up = ranking.get(1).and_then(|i| standing(*i));
        let p = ranking.get(1).and_then(|i| {
            elimination::p_worse(
                &book.candidates[*i].values,
                &book.candidates[ranking[0]].values,
                book.settings.higher_is_better,
            )
        });
        // Alone at the end, every other candidate dropped: separated by the drops.
        let separated = match &runner_up {
            None => book.candidates.len() > 1,
            Some(_) => p.is_some_and(|p| p <= elimination::ALPHA),
        };
        Some(Winner {
            trial_id: best.trial_id,
            params: best.params,
            metric: book.settings.metric.clone(),
            median: best.median,
            ci_low: best.ci_low,
            ci_high: best.ci_high,
            ci_level: best.ci_level,
            runs: best.runs,
            runner_up,
            p_value_vs_runner_up: p,
            separated,
        })
    }

    /// Writes `tune.json` (atomically: a temporary file renamed over it).
    pub fn write(&self, finished: bool) -> Result<()> {
        let path = self.out.join(TUNE_FILE);
        let tmp = self.out.join(format!("{TUNE_FILE}.tmp"));
        std::fs::write(&tmp, serde_json::to_vec_pretty(&self.file(finished))?)?;
        std::fs::rename(tmp, path)?;
        Ok(())
    }
}

impl Schedule for Tuner {
    fn runs_at_most(&self) -> usize {
        match self.book.settings.budget {
            Budget::Runs(n) => n as usize,
            Budget::WallS(_) => self.book.budget_runs() as usize,
        }
    }

    fn next(&mut self, records: &[RunRecord]) -> Result<Option<NextRun>> {
        while self.consumed < records.len() {
            let record = &records[self.consumed];
            // Replaying a resumed folder: decide as the search did when it made this run.
            let asked = match self.pending.take() {
                Some(i) => Some(i),
                None => self.decide(),
            };
            if let Some(i) = asked {
                let asked_id = &self.book.candidates[i].trial.id;
                if *asked_id != record.trial_id {
                    eprintln!(
                        "kafkatune: warning: resuming, the search asks for {asked_id} where the folder has {}; going on from the folder's runs",
                        record.trial_id
                    );
                }
            }
            self.book.ingest(record);
            self.consumed += 1;
        }
        self.tick();
        self.stopped_because = None;
        let next = self.decide();
        self.pending = next;
        self.write(next.is_none())?;
        Ok(next.map(|i| {
            let c = &self.book.candidates[i];
            NextRun {
                trial: c.trial.clone(),
                run_index: crate::sweep::schedule::next_run_index(records, &c.trial.id),
                warmup: false,
                order: records.len() as u32,
                load: None,
            }
        }))
    }
}
