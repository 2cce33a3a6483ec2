//! The plan of a sweep: its trials (one client, one set of properties) and their runs in a
//! randomised order, so drift on the machine does not favour the trials that ran first.

use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::clients::ClientKind;
use crate::results::Params;

/// One client with one set of settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    pub id: String,
    pub client: ClientKind,
    /// Swept and fixed properties, by Kafka name.
    pub params: Params,
}

/// One planned repetition of a trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedRun {
    pub trial: usize,
    pub run_index: u32,
    pub warmup: bool,
}

/// Trials for every client and grid point; ids are stable for the same configuration.
pub fn trials(clients: &[ClientKind], points: &[Params], fixed: &Params) -> Vec<Trial> {
    let mut out = Vec::new();
    for client in clients {
        for point in points {
            let mut params = fixed.clone();
            params.extend(point.clone());
            out.push(Trial {
                id: format!("t{:03}", out.len() + 1),
                client: *client,
                params,
            });
        }
    }
    out
}

/// Every run of every trial (warm-ups first within a trial), shuffled with `seed`. A trial's
/// warm-up runs still come before its measured runs.
pub fn runs(trial_count: usize, repeat: u32, warmup_runs: u32, seed: u64) -> Vec<PlannedRun> {
    let per_trial = warmup_runs + repeat;
    let mut slots: Vec<usize> = (0..trial_count)
        .flat_map(|t| std::iter::repeat_n(t, per_trial as usize))
        .collect();
    slots.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    let mut next = vec![0u32; trial_count];
    slots
        .into_iter()
        .map(|trial| {
            let run_index = next[trial];
            next[trial] += 1;
            PlannedRun {
                trial,
                run_index,
                warmup: run_index < warmup_runs,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_once_in_a_reproducible_order() {
        let a = runs(4, 3, 1, 7);
        assert_eq!(a.len(), 16);
        assert_eq!(a, runs(4, 3, 1, 7));
        assert_ne!(a, runs(4, 3, 1, 8));
        for t in 0..4 {
            let mine: Vec<_> = a.iter().filter(|r| r.trial == t).collect();
            assert_eq!(
                mine.iter().map(|r| r.run_index).collect::<Vec<_>>(),
                vec![0, 1, 2, 3]
            );
            assert!(mine[0].warmup && !mine[1].warmup);
        }
    }

    #[test]
    fn trial_ids_are_per_client_and_combination() {
        let points = vec![
            Params::from([("a".into(), "1".into())]),
            Params::from([("a".into(), "2".into())]),
        ];
        let t = trials(
            &[ClientKind::Librdkafka, ClientKind::Java],
            &points,
            &Params::from([("b".into(), "x".into())]),
        );
        assert_eq!(t.len(), 4);
        assert_eq!(t[3].id, "t004");
        assert_eq!(t[3].client, ClientKind::Java);
        assert_eq!(t[3].params["b"], "x");
    }
}
