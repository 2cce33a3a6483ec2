//! Racing (after irace's iterated racing and F-race): a space-filling start, one run per
//! candidate, then more runs for the ones still in contention (the better half of the
//! ranking); a candidate is dropped when the one-sided Mann-Whitney U test (`elimination`)
//! over the runs so far finds it worse than the leader, or when its medians break a
//! constraint. While the first 70% of the budget lasts, once every contender has two runs,
//! new candidates come in near the leaders (`propose`); then the finalists (leader and
//! runner-up) get the confirmation runs until the winner is separated from the runner-up
//! (every other candidate dropped) or the budget is spent. A candidate measured once does
//! not win over one measured twice or more.

use super::book::Book;
use super::elimination::{self, ALPHA, MIN_RUNS};
use super::propose;
use super::strategies::{Decision, Strategy};
use crate::tune_file::DropEvidence;

/// The share of the budget during which new candidates may come in; the rest confirms the
/// finalists.
const EXPLORE_SHARE: f64 = 0.7;

/// The candidates the confirmation runs go to: the leader and the runner-up.
const FINALISTS: usize = 2;

/// Runs a candidate needs to win over one measured more often (a single run, however good,
/// does not beat a candidate measured twice or more).
pub const CONFIRMED_RUNS: usize = 2;

#[derive(Default)]
pub struct Race {
    started: bool,
    /// Candidates the pool is kept at while exploring.
    pool: usize,
}

impl Strategy for Race {
    fn confirmed_runs(&self) -> usize {
        CONFIRMED_RUNS
    }

    fn step(&mut self, book: &mut Book) -> Decision {
        if !self.started {
            self.started = true;
            self.pool = start(book);
        }
        eliminate(book);
        if let Some(i) = book
            .candidates
            .iter()
            .position(|c| c.alive() && c.runs == 0)
        {
            return Decision::Run(i);
        }
        let alive = alive(book);
        let ranking = book.ranking();
        let exploring = (book.runs_spent as f64) < EXPLORE_SHARE * book.budget_runs() as f64;
        let contenders_measured = ranking
            .iter()
            .take(ranking.len().div_ceil(2).max(2))
            .all(|i| book.candidates[*i].values.len() >= 2);
        if exploring && (contenders_measured || alive.len() < self.pool.max(2)) {
            let wanted = self.pool.saturating_sub(alive.len()).max(1);
            if propose::near_leaders(book, wanted) > 0 {
                if let Some(i) = book
                    .candidates
                    .iter()
                    .position(|c| c.alive() && c.runs == 0)
                {
                    return Decision::Run(i);
                }
            }
        }
        match (ranking.len(), alive.len()) {
            (_, 0) => return Decision::Stop("every candidate was dropped".into()),
            (1, 1) if book.candidates[ranking[0]].values.len() >= MIN_RUNS => {
                return Decision::Stop(
                    "the winner is separated: every other candidate was dropped".into(),
                )
            }
            _ => {}
        }
        // The contenders: while exploring, the better half of the ranking (at least two);
        // then the finalists, the leader and the runner-up, so that the budget's last runs
        // confirm the candidate that would win rather than spread over the better half (a
        // lucky run would win on one more run each: tests/tune.rs, a_lucky_first_run...). A
        // finalist that falls back is replaced by the one that overtook it. And any alive
        // candidate not yet measured (all its runs failed so far).
        let racing = if exploring {
            ranking.len().div_ceil(2).max(2)
        } else {
            FINALISTS
        };
        let contenders: Vec<usize> = ranking
            .iter()
            .copied()
            .take(racing)
            .chain(alive.iter().copied().filter(|i| !ranking.contains(i)))
            .collect();
        let pick = contenders
            .iter()
            .copied()
            .min_by_key(|i| {
                (
                    book.candidates[*i].runs,
                    contenders.iter().position(|c| c == i),
                )
            })
            .expect("a contender");
        Decision::Run(pick)
    }
}

fn alive(book: &Book) -> Vec<usize> {
    (0..book.candidates.len())
        .filter(|&i| book.candidates[i].alive())
        .collect()
}

/// The start: the corners of the space (at most half the pool), then a scrambled Sobol
/// sample; the pool is about a third of the budget's runs, 4 to 16 candidates, or every
/// point of a finite space that the budget covers 1.2 times over (one run each first, so
/// the best point cannot be missed; the runs left race the better half).
fn start(book: &mut Book) -> usize {
    let budget = book.budget_runs() as usize;
    let pool = match book.space.finite_size() {
        Some(n) if n * 6 <= budget * 5 => n,
        _ => (budget / 3).clamp(4, 16),
    };
    let mut corners = book.space.corners();
    use rand::seq::SliceRandom;
    corners.shuffle(&mut book.rng);
    for point in corners.into_iter().take(pool.div_ceil(2)) {
        book.add(point, "corner");
    }
    let sample = book.space.sobol(pool * 4, book.seed);
    for point in sample {
        if book.candidates.len() >= pool {
            break;
        }
        book.add(point, "sobol");
    }
    if book.candidates.len() < pool && book.space.finite_size().is_some() {
        let mut rest = book.space.grid();
        rest.shuffle(&mut book.rng);
        for point in rest {
            if book.candidates.len() >= pool {
                break;
            }
            book.add(point, "grid");
        }
    }
    book.candidates.len()
}

/// Drops the candidates that break a constraint (median of at least 2 measured runs), that
/// failed every one of at least 2 runs, or that the rank test finds worse than the leader.
fn eliminate(book: &mut Book) {
    for i in 0..book.candidates.len() {
        let c = &book.candidates[i];
        if !c.alive() {
            continue;
        }
        if c.runs >= 2 && c.values.is_empty() {
            let evidence = DropEvidence {
                at_run: book.runs_spent,
                test: "failed".into(),
                leader: None,
                p_value: None,
                runs: c.runs,
                leader_runs: None,
                median: f64::NAN,
                leader_median: None,
                reason: format!("every one of its {} runs failed", c.runs),
            };
            book.drop_candidate(i, evidence);
            continue;
        }
        let broken = book
            .settings
            .constraints
            .iter()
            .zip(&c.constrained)
            .find(|(k, values)| {
                values.len() >= 2 && {
                    let m = crate::stats::median(values);
                    !(if k.below { m < k.bound } else { m > k.bound })
                }
            });
        if let Some((k, values)) = broken {
            let median = crate::stats::median(values);
            let evidence = DropEvidence {
                at_run: book.runs_spent,
                test: "constraint".into(),
                leader: None,
                p_value: None,
                runs: values.len(),
                leader_runs: None,
                median,
                leader_median: None,
                reason: format!("breaks {}: median {} = {median:.4}", k.text, k.metric),
            };
            book.drop_candidate(i, evidence);
        }
    }
    let Some(&leader) = book.ranking().first() else {
        return;
    };
    let leader_values = book.candidates[leader].values.clone();
    for i in book.ranking().into_iter().skip(1) {
        let c = &book.candidates[i];
        let Some(p) = elimination::worse(&c.values, &leader_values, book.settings.higher_is_better)
        else {
            continue;
        };
        let evidence = DropEvidence {
            at_run: book.runs_spent,
            test: "mann-whitney-u".into(),
            leader: Some(book.candidates[leader].trial.id.clone()),
            p_value: Some(p),
            runs: c.values.len(),
            leader_runs: Some(leader_values.len()),
            median: c.median().unwrap_or(f64::NAN),
            leader_median: book.candidates[leader].median(),
            reason: format!(
                "worse than {} (one-sided Mann-Whitney U, p = {p:.3} <= {ALPHA})",
                book.candidates[leader].trial.id
            ),
        };
        book.drop_candidate(i, evidence);
    }
}
