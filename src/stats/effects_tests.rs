use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

fn observations(groups: &[&[f64]]) -> Vec<Observation> {
    groups
        .iter()
        .enumerate()
        .flat_map(|(level, values)| {
            values.iter().map(move |&value| Observation {
                levels: vec![level],
                value,
            })
        })
        .collect()
}

/// R's `PlantGrowth` (Dobson 1983): `anova(lm(weight ~ group))` gives F(2, 27) = 4.846,
/// p = 0.01591; `summary(lm(...))` gives trt2 - ctrl = 0.494 (SE 0.2788, p = 0.0877).
#[test]
fn one_way_anova_matches_plant_growth() {
    let ctrl = [4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14];
    let trt1 = [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69];
    let trt2 = [6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26];
    let anova = Anova::fit(&[3], &observations(&[&ctrl, &trt1, &trt2])).unwrap();
    assert_eq!(anova.error_term, ErrorTerm::PureError);
    let test = anova.main_effects[0].unwrap();
    assert_eq!((test.df_term, test.df_error), (2, 27));
    assert!(close(test.sum_of_squares, 3.76634, 1e-4), "{test:?}");
    assert!(close(test.f, 4.846, 1e-3), "{test:?}");
    assert!(close(test.p, 0.01591, 1e-5), "{test:?}");
    let (mean_square, df) = anova.error_mean_square().unwrap();
    assert!(close(mean_square, 0.38859, 1e-5) && df == 27);
    let trt2_vs_ctrl = anova.contrast(0, 2, 0).unwrap();
    assert!(close(trt2_vs_ctrl.estimate, 0.494, 1e-9));
    assert!(close(trt2_vs_ctrl.p, 0.0877, 1e-4), "{trt2_vs_ctrl:?}");
    // The 95% interval is the estimate ± t(0.975, 27) × SE = 0.494 ± 2.0518 × 0.27878.
    assert!(close(trt2_vs_ctrl.ci95_low, 0.494 - 0.57201, 1e-4));
    assert!(close(trt2_vs_ctrl.ci95_high, 0.494 + 0.57201, 1e-4));
    assert!(close(anova.level_effect(0, 1).unwrap(), -0.371, 1e-9));
    assert!(anova.interactions.is_empty());
}

/// R's `warpbreaks` (Tippett 1950), breaks ~ wool * tension: wool F(1, 48) = 3.765,
/// p = 0.0582; tension F(2, 48) = 8.498, p = 0.000693; wool:tension F(2, 48) = 4.189,
/// p = 0.0210.
#[test]
fn two_way_anova_with_interaction_matches_warpbreaks() {
    let cells: [(usize, usize, [f64; 9]); 6] = [
        (0, 0, [26., 30., 54., 25., 70., 52., 51., 26., 67.]),
        (0, 1, [18., 21., 29., 17., 12., 18., 35., 30., 36.]),
        (0, 2, [36., 21., 24., 18., 10., 43., 28., 15., 26.]),
        (1, 0, [27., 14., 29., 19., 29., 31., 41., 20., 44.]),
        (1, 1, [42., 26., 19., 16., 39., 28., 21., 39., 29.]),
        (1, 2, [20., 21., 24., 17., 13., 15., 15., 16., 28.]),
    ];
    let runs: Vec<Observation> = cells
        .iter()
        .flat_map(|(wool, tension, values)| {
            values.iter().map(move |&value| Observation {
                levels: vec![*wool, *tension],
                value,
            })
        })
        .collect();
    let anova = Anova::fit(&[2, 3], &runs).unwrap();
    let wool = anova.main_effects[0].unwrap();
    let tension = anova.main_effects[1].unwrap();
    assert_eq!((wool.df_term, wool.df_error), (1, 48));
    assert!(close(wool.f, 3.765, 1e-3) && close(wool.p, 0.05821, 1e-4));
    assert_eq!(tension.df_term, 2);
    assert!(close(tension.f, 8.498, 1e-3) && close(tension.p, 0.000693, 1e-5));
    assert!(close(tension.sum_of_squares, 2034.26, 0.01));
    let [((a, b), interaction)] = anova.interactions.as_slice() else {
        panic!("one pair: {:?}", anova.interactions)
    };
    assert_eq!(
        (*a, *b, interaction.df_term, interaction.df_error),
        (0, 1, 2, 48)
    );
    assert!(close(interaction.f, 4.189, 1e-3) && close(interaction.p, 0.02104, 1e-4));
    assert!(interaction.significant() && !wool.significant() && tension.significant());
}

/// A run of the lab's 3 × 3 × 3 design with `--repeat`, on the log scale: factor 0 shifts
/// the mean by `planted[level]`, and every run gets normal noise of `sd`.
fn lab_design(seed: u64, planted: [f64; 3], sd: f64, repeat: usize) -> Vec<Observation> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut runs = Vec::new();
    for (a, shift) in planted.iter().enumerate() {
        for b in 0..3 {
            for c in 0..3 {
                for _ in 0..repeat {
                    runs.push(Observation {
                        levels: vec![a, b, c],
                        value: 14.0 + shift + sd * standard_normal(&mut rng),
                    });
                }
            }
        }
    }
    runs
}

/// Box-Muller: a standard normal draw from two uniform ones.
fn standard_normal(rng: &mut StdRng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// The seed sweep's medians per `max.poll.records` (1.58M, 1.94M, 2.05M msg/s), as logs.
const PLANTED: [f64; 3] = [0.0, 0.2052, 0.2604];
/// About a 30% CV between runs.
const NOISE_SD: f64 = 0.3;

#[test]
fn a_planted_effect_is_found_and_its_size_estimated() {
    let anova = Anova::fit(&[3, 3, 3], &lab_design(7, PLANTED, NOISE_SD, 3)).unwrap();
    let planted = anova.main_effects[0].unwrap();
    assert!(planted.significant(), "{planted:?}");
    assert_eq!((planted.df_term, planted.df_error), (2, 54));
    for other in &anova.main_effects[1..] {
        assert!(!other.unwrap().significant(), "{other:?}");
    }
    let c = anova.contrast(0, 2, 0).unwrap();
    assert!(c.ci95_low > 0.0 && c.ci95_low < PLANTED[2] && PLANTED[2] < c.ci95_high);
    assert_eq!(anova.runs_per_level[0], [27, 27, 27]);
}

#[test]
fn pure_noise_shows_no_effect() {
    let anova = Anova::fit(&[3, 3, 3], &lab_design(7, [0.0; 3], NOISE_SD, 3)).unwrap();
    for test in &anova.main_effects {
        assert!(!test.unwrap().significant(), "{test:?}");
    }
    for (pair, test) in &anova.interactions {
        assert!(!test.significant(), "{pair:?}: {test:?}");
    }
}

/// Over many seeds the test is right about as often as theory says: about 5% false alarms
/// on noise, and the seed sweep's effect at a 30% CV found with the power of an F(2, 54)
/// test of noncentrality 27 × Σ(effect - mean effect)² / 0.3² = 11.3, about 0.85.
#[test]
fn error_rates_over_many_seeds() {
    let seeds = 200;
    let rate = |planted: [f64; 3]| {
        (0..seeds)
            .filter(|&seed| {
                let anova = Anova::fit(&[3, 3, 3], &lab_design(seed, planted, NOISE_SD, 3));
                anova.unwrap().main_effects[0].unwrap().significant()
            })
            .count() as f64
            / seeds as f64
    };
    let false_alarms = rate([0.0; 3]);
    assert!((0.01..=0.10).contains(&false_alarms), "{false_alarms}");
    let power = rate(PLANTED);
    assert!((0.75..=0.95).contains(&power), "{power}");
}

/// One run per cell: no pure error, so the residual of the main-effects model is the error.
#[test]
fn an_unreplicated_design_tests_against_the_residual() {
    let anova = Anova::fit(&[3, 3, 3], &lab_design(3, [0.0, 0.7, 1.4], 0.1, 1)).unwrap();
    assert_eq!(anova.error_term, ErrorTerm::Residual);
    let test = anova.main_effects[0].unwrap();
    assert_eq!((test.df_term, test.df_error), (2, 27 - 7));
    assert!(test.significant());
    // An interaction is tested against the residual of the model that includes it.
    let ((_, _), pair) = anova.interactions[0];
    assert_eq!((pair.df_term, pair.df_error), (4, 27 - 7 - 4));
}

/// Failed runs leave the design unbalanced, and a level no run measured has no contrast.
#[test]
fn unbalanced_and_empty_levels() {
    let mut runs = lab_design(5, PLANTED, NOISE_SD, 3);
    runs.retain(|o| o.levels[1] != 2);
    runs.remove(0);
    let anova = Anova::fit(&[3, 3, 3], &runs).unwrap();
    assert_eq!(anova.runs_per_level[1], [26, 27, 0]);
    assert_eq!(anova.main_effects[1].unwrap().df_term, 1);
    assert!(anova.contrast(1, 2, 0).is_none() && anova.level_effect(1, 2).is_none());
    assert!(anova.contrast(1, 1, 0).is_some());
    assert!(anova.main_effects[0].unwrap().significant());
}

#[test]
fn one_level_or_one_run_tests_nothing() {
    let runs = observations(&[&[1.0, 2.0, 3.0]]);
    let anova = Anova::fit(&[2], &runs).unwrap();
    assert_eq!(anova.main_effects, [None]);
    assert!(Anova::fit(&[2], &runs[..1]).is_none());
}
