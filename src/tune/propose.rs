//! New candidates near the leaders. With ranged properties, a Tree-structured Parzen
//! Estimator (the `optimizer` crate's TPE sampler, seeded) fitted on every measured
//! candidate's median proposes the next points; over listed values only (or when TPE proposes
//! what the search already has), the untried neighbours of the leader, then the runner-up.

use std::collections::HashMap;

use optimizer::prelude::*;
use optimizer::sampler::tpe::TpeSampler;

use super::book::Book;
use super::space::{Dim, Point};

/// Adds up to `n` new candidates; how many it added.
pub fn near_leaders(book: &mut Book, n: usize) -> usize {
    let mut added = 0;
    if book.space.dims.iter().any(|d| matches!(d, Dim::Range(_))) {
        for attempt in 0..(n * 4) as u64 {
            if added == n {
                break;
            }
            if let Some(point) = tpe(book, attempt) {
                if book.add(point, "tpe").is_some() {
                    added += 1;
                }
            }
        }
    }
    let ranking = book.ranking();
    for leader in ranking.iter().take(2) {
        let around = book.space.neighbours(&book.candidates[*leader].point);
        for point in around {
            if added == n {
                return added;
            }
            if book.add(point, "neighbour").is_some() {
                added += 1;
            }
        }
    }
    added
}

/// One point proposed by TPE from the candidates measured so far.
fn tpe(book: &Book, attempt: u64) -> Option<Point> {
    // optimizer 1.0.1's TPE sampler takes lower as better whatever the study's direction
    // (measured: told to maximise, it proposed the worst point again), so the study
    // minimises and a goal where higher is better is told negated.
    let sign = if book.settings.higher_is_better {
        -1.0
    } else {
        1.0
    };
    let sampler = TpeSampler::builder()
        .seed(book.seed ^ (book.runs_spent << 8) ^ attempt)
        .n_startup_trials(2)
        .build()
        .ok()?;
    let study: Study<f64> = Study::with_sampler(Direction::Minimize, sampler);
    enum P {
        Int(IntParam),
        Cat(CategoricalParam<String>),
    }
    let params: Vec<P> = book
        .space
        .dims
        .iter()
        .map(|d| match d {
            Dim::Range(r) => {
                let p = IntParam::new(r.low, r.high).name(r.name.clone());
                P::Int(if r.log_scale { p.log_scale() } else { p })
            }
            Dim::Values { name, values } => {
                P::Cat(CategoricalParam::new(values.clone()).name(name.clone()))
            }
        })
        .collect();
    for c in book
        .candidates
        .iter()
        .filter(|c| c.point.client == book.space.clients[0])
    {
        let Some(median) = c.median() else { continue };
        let mut enqueued = HashMap::new();
        for (p, (d, v)) in params
            .iter()
            .zip(book.space.dims.iter().zip(&c.point.values))
        {
            match (p, d) {
                (P::Int(p), _) => {
                    enqueued.insert(p.id(), ParamValue::Int(v.parse().ok()?));
                }
                (P::Cat(p), Dim::Values { values, .. }) => {
                    let index = values.iter().position(|x| x == v)?;
                    enqueued.insert(p.id(), ParamValue::Categorical(index));
                }
                (P::Cat(_), Dim::Range(_)) => return None,
            }
        }
        study.enqueue(enqueued);
        let mut trial = study.ask();
        for p in &params {
            match p {
                P::Int(p) => {
                    p.suggest(&mut trial).ok()?;
                }
                P::Cat(p) => {
                    p.suggest(&mut trial).ok()?;
                }
            }
        }
        study.tell(trial, Ok::<_, String>(sign * median));
    }
    let mut trial = study.ask();
    let mut values = Vec::new();
    for p in &params {
        match p {
            P::Int(p) => values.push(p.suggest(&mut trial).ok()?.to_string()),
            P::Cat(p) => values.push(p.suggest(&mut trial).ok()?),
        }
    }
    Some(Point {
        client: book.space.clients[0],
        values,
    })
}
