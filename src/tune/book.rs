//! The search's book: its candidates, the runs each got, what was dropped and why, and the
//! budget spent. Strategies read it and add or drop candidates; the tuner fills it from the
//! records.

use rand::rngs::StdRng;

use super::space::{Point, Space};
use crate::results::{RunRecord, Status};
use crate::sweep::plan::Trial;
use crate::tune_file::{Budget, CandidateState, DropEvidence, SearchSettings};

/// One candidate: a point of the space as a trial, and its runs so far.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub trial: Trial,
    pub point: Point,
    pub origin: &'static str,
    pub added_at_run: u64,
    /// Runs made (failed ones included).
    pub runs: usize,
    /// The goal metric of its measured runs, in order.
    pub values: Vec<f64>,
    /// Per constraint, the constraint's metric of its measured runs.
    pub constrained: Vec<Vec<f64>>,
    pub dropped: Option<DropEvidence>,
    pub state: CandidateState,
}

impl Candidate {
    pub fn alive(&self) -> bool {
        self.dropped.is_none()
    }

    pub fn median(&self) -> Option<f64> {
        (!self.values.is_empty()).then(|| crate::stats::median(&self.values))
    }
}

/// Everything a strategy decides from.
pub struct Book {
    pub settings: SearchSettings,
    pub space: Space,
    pub fixed: crate::results::Params,
    pub candidates: Vec<Candidate>,
    pub runs_spent: u64,
    pub wall_s_spent: f64,
    /// The longest run so far: what one more run may cost of a wall-time budget.
    pub wall_s_max: f64,
    /// `[runs spent, best median so far]`.
    pub best_so_far: Vec<(u64, f64)>,
    pub rng: StdRng,
    pub seed: u64,
}

impl Book {
    /// Adds a candidate at `point`, unless the search already has it; its index.
    pub fn add(&mut self, point: Point, origin: &'static str) -> Option<usize> {
        if self.candidates.iter().any(|c| c.point == point) {
            return None;
        }
        let mut params = self.fixed.clone();
        params.extend(self.space.params(&point));
        let trial = Trial {
            id: format!("t{:03}", self.candidates.len() + 1),
            client: point.client,
            params,
        };
        self.candidates.push(Candidate {
            trial,
            point,
            origin,
            added_at_run: self.runs_spent,
            runs: 0,
            values: Vec::new(),
            constrained: vec![Vec::new(); self.settings.constraints.len()],
            dropped: None,
            state: CandidateState::Racing,
        });
        Some(self.candidates.len() - 1)
    }

    /// Drops candidate `i` with its evidence.
    pub fn drop_candidate(&mut self, i: usize, evidence: DropEvidence) {
        self.candidates[i].dropped = Some(evidence);
        self.candidates[i].state = CandidateState::Dropped;
    }

    /// Whether one more run fits the budget.
    pub fn budget_allows_a_run(&self) -> bool {
        match self.settings.budget {
            Budget::Runs(n) => self.runs_spent < n,
            Budget::WallS(s) => self.wall_s_spent + self.wall_s_max <= s,
        }
    }

    /// Runs the budget still allows (for a wall-time budget, at the longest run so far).
    pub fn runs_left(&self) -> u64 {
        match self.settings.budget {
            Budget::Runs(n) => n.saturating_sub(self.runs_spent),
            Budget::WallS(s) if self.wall_s_max > 0.0 => {
                ((s - self.wall_s_spent) / self.wall_s_max).max(0.0) as u64
            }
            Budget::WallS(_) => u64::MAX,
        }
    }

    /// The budget in runs: as given, or for wall time what it allows at the longest run so
    /// far (before any run: 40).
    pub fn budget_runs(&self) -> u64 {
        match self.settings.budget {
            Budget::Runs(n) => n,
            Budget::WallS(_) if self.runs_spent == 0 => 40,
            Budget::WallS(_) => self.runs_spent + self.runs_left(),
        }
    }

    /// Whether candidate `i`'s medians keep every constraint (a candidate not yet measured
    /// on a constraint's metric keeps it).
    pub fn feasible(&self, i: usize) -> bool {
        self.settings
            .constraints
            .iter()
            .zip(&self.candidates[i].constrained)
            .all(|(c, values)| {
                values.is_empty() || {
                    let m = crate::stats::median(values);
                    if c.below {
                        m < c.bound
                    } else {
                        m > c.bound
                    }
                }
            })
    }

    /// The alive, feasible, measured candidates, best median first (ties by age).
    pub fn ranking(&self) -> Vec<usize> {
        let mut out: Vec<usize> = (0..self.candidates.len())
            .filter(|&i| {
                self.candidates[i].alive()
                    && self.feasible(i)
                    && self.candidates[i].median().is_some()
            })
            .collect();
        let key = |i: &usize| self.candidates[*i].median().unwrap_or(f64::NAN);
        out.sort_by(|a, b| {
            let (x, y) = (key(a), key(b));
            let order = if self.settings.higher_is_better {
                y.total_cmp(&x)
            } else {
                x.total_cmp(&y)
            };
            order.then(a.cmp(b))
        });
        out
    }

    /// Takes one record into the book.
    pub fn ingest(&mut self, record: &RunRecord) {
        self.runs_spent += 1;
        self.wall_s_spent += record.wall_s;
        self.wall_s_max = self.wall_s_max.max(record.wall_s);
        let Some(i) = self
            .candidates
            .iter()
            .position(|c| c.trial.id == record.trial_id)
        else {
            return;
        };
        let constraints = self.settings.constraints.clone();
        let metric = self.settings.metric.clone();
        let c = &mut self.candidates[i];
        c.runs += 1;
        if record.status != Some(Status::Failed) && !record.warmup {
            if let Some(v) = read(record, &metric) {
                c.values.push(v);
            }
            for (k, constraint) in constraints.iter().enumerate() {
                if let Some(v) = read(record, &constraint.metric) {
                    c.constrained[k].push(v);
                }
            }
        }
        if let Some(&best) = self.ranking().first() {
            let m = self.candidates[best].median().unwrap_or(f64::NAN);
            self.best_so_far.push((self.runs_spent, m));
        }
    }
}

/// A metric of a record by its `RunRecord` field name.
pub fn read(record: &RunRecord, metric: &str) -> Option<f64> {
    crate::stats::summary::METRICS
        .iter()
        .find(|(name, _)| *name == metric)
        .and_then(|(_, read)| read(record))
        .filter(|v| v.is_finite())
}
