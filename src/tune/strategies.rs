//! What a strategy decides, and the baselines racing is measured against: the grid in a
//! shuffled order, random search, and one setting at a time (KafkaOptimize's greedy method).

use rand::seq::SliceRandom;

use super::book::Book;

/// A strategy's next step.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// One more run of candidate `i`.
    Run(usize),
    /// The search is over, and why.
    Stop(String),
}

/// Chooses the search's runs from its book. `step` is called once per run, and must decide
/// from the book alone (and its own state, itself built by earlier steps), so a resumed
/// search replays to the same place.
pub trait Strategy {
    fn step(&mut self, book: &mut Book) -> Decision;

    /// Runs a candidate needs to win over a candidate measured more often (up to the most
    /// runs any candidate has): 1 ranks every measured candidate by its median alone.
    fn confirmed_runs(&self) -> usize {
        1
    }
}

/// The points of the grid (`--param` values; a range's ends and middle) in a shuffled order,
/// one run each, then a second round, and so on.
#[derive(Default)]
pub struct Grid {
    order: Vec<usize>,
}

impl Strategy for Grid {
    fn step(&mut self, book: &mut Book) -> Decision {
        if self.order.is_empty() {
            let mut points = book.space.grid();
            points.shuffle(&mut book.rng);
            for p in points {
                if let Some(i) = book.add(p, "grid") {
                    self.order.push(i);
                }
            }
        }
        least_run(book, &self.order)
    }
}

/// The candidate of `among` with the fewest runs, the first of them on a tie.
fn least_run(book: &Book, among: &[usize]) -> Decision {
    among
        .iter()
        .copied()
        .min_by_key(|i| (book.candidates[*i].runs, among.iter().position(|c| c == i)))
        .map_or_else(
            || Decision::Stop("the space is empty".into()),
            Decision::Run,
        )
}

/// Points drawn at random, each new one run once; when the draws stop finding new points
/// (a small space), the ones drawn get another run each.
#[derive(Default)]
pub struct Random;

impl Strategy for Random {
    fn step(&mut self, book: &mut Book) -> Decision {
        for _ in 0..64 {
            let p = book.space.random(&mut book.rng);
            if let Some(i) = book.add(p, "random") {
                return Decision::Run(i);
            }
        }
        let all: Vec<usize> = (0..book.candidates.len()).collect();
        least_run(book, &all)
    }
}

/// One setting at a time: from the middle of every dimension, each value of the first
/// dimension (one run each), keep the best, then the next dimension, and round again while
/// the budget lasts (a value already measured is not measured again).
#[derive(Default)]
pub struct Greedy {
    current: Option<super::space::Point>,
    dim: usize,
    /// The candidates of the current dimension's sweep.
    trying: Vec<usize>,
    /// Full rounds over the dimensions without a change.
    idle_rounds: usize,
}

impl Strategy for Greedy {
    fn step(&mut self, book: &mut Book) -> Decision {
        let dims = book.space.dims.len();
        if self.current.is_none() {
            let client = book.space.clients[0];
            let values = (0..dims)
                .map(|d| {
                    let levels = book.space.levels(d);
                    levels[levels.len() / 2].clone()
                })
                .collect();
            self.current = Some(super::space::Point { client, values });
        }
        loop {
            if let Some(&i) = self.trying.iter().find(|i| book.candidates[**i].runs == 0) {
                return Decision::Run(i);
            }
            if !self.trying.is_empty() {
                // This dimension is measured: keep its best value.
                let best = self
                    .trying
                    .iter()
                    .copied()
                    .filter(|i| book.candidates[*i].median().is_some())
                    .max_by(|a, b| {
                        let (x, y) = (
                            book.candidates[*a].median().unwrap_or(f64::NAN),
                            book.candidates[*b].median().unwrap_or(f64::NAN),
                        );
                        let order = if book.settings.higher_is_better {
                            x.total_cmp(&y)
                        } else {
                            y.total_cmp(&x)
                        };
                        order.then(b.cmp(a))
                    });
                let current = self.current.as_mut().expect("a current point");
                if let Some(best) = best {
                    let chosen = book.candidates[best].point.clone();
                    if chosen != *current {
                        self.idle_rounds = 0;
                    }
                    *current = chosen;
                }
                self.trying.clear();
                self.dim += 1;
                if self.dim >= dims.max(1) {
                    self.dim = 0;
                    self.idle_rounds += 1;
                    if self.idle_rounds >= 2 {
                        return Decision::Stop(
                            "one setting at a time changed nothing in a whole round".into(),
                        );
                    }
                }
            }
            let current = self.current.clone().expect("a current point");
            if dims == 0 {
                return match book.add(current, "greedy") {
                    Some(i) => Decision::Run(i),
                    None => Decision::Stop("the space has one point".into()),
                };
            }
            for v in book.space.levels(self.dim) {
                let mut p = current.clone();
                p.values[self.dim] = v;
                let i = match book.candidates.iter().position(|c| c.point == p) {
                    Some(i) => i,
                    None => book.add(p, "greedy").expect("a new point"),
                };
                self.trying.push(i);
            }
        }
    }
}
