//! Effects pooled over every run of a factorial design: an n-way analysis of variance
//! (a linear model fitted by least squares), its F tests and t intervals.
//!
//! An observation is one run: the level of each factor (each swept property) and a value
//! (the report passes the logarithm of a metric, so that effects are ratios). The model of
//! the main effects has an intercept and one indicator column per level of each factor but
//! its first (its reference). A factor's main effect is tested by comparing the model with
//! and without the factor's columns: the F statistic is the residual sum of squares the
//! factor removes, per degree of freedom, over the error mean square. For a balanced design
//! these are the textbook ANOVA sums of squares; for an unbalanced one (failed or missing
//! runs), the "type II" ones (each factor after all the others). A two-way interaction is
//! tested the same way: the main-effects model against the same model plus the products of
//! the two factors' indicator columns.
//!
//! The error term: when some cell (a combination of levels, a trial) holds more than one
//! run, the pure error, the spread of the runs around their own cell's mean, which assumes
//! nothing about which effects or interactions exist; otherwise (one run per cell) the
//! residual of the model being tested. Every fit solves least squares by a singular value
//! decomposition (nalgebra), so an empty level or an inestimable interaction lowers a rank
//! instead of breaking the fit; the F and t distributions come from statrs.

use std::collections::BTreeMap;

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ContinuousCDF, FisherSnedecor, StudentsT};

/// The p-value below which an effect is called measurable: the usual 5%. The report tests
/// each swept property on each goal metric separately and says so with the p-value, so a
/// reader can apply a stricter threshold when many are tested.
pub const SIGNIFICANCE: f64 = 0.05;

/// One run: the level index of every factor, in the design's order, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub levels: Vec<usize>,
    pub value: f64,
}

/// An F test of one term of the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FTest {
    /// The degrees of freedom of the term (the columns it adds, as a rank).
    pub df_term: usize,
    pub df_error: usize,
    /// The residual sum of squares the term removes.
    pub sum_of_squares: f64,
    pub f: f64,
    pub p: f64,
}

impl FTest {
    /// Whether the term is measurable at [`SIGNIFICANCE`].
    pub fn significant(&self) -> bool {
        self.p < SIGNIFICANCE
    }
}

/// A difference between two levels of one factor on the model's scale, with its 95%
/// t interval and the two-sided p-value of "no difference".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contrast {
    pub estimate: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub p: f64,
    pub df: usize,
}

/// Where the error mean square came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorTerm {
    /// Runs of one cell around their cell's mean: the design was replicated.
    PureError,
    /// The residual of the model tested: one run per cell.
    Residual,
}

/// The analysis of a design: a test per factor and per pair of factors, and contrasts.
#[derive(Debug, Clone)]
pub struct Anova {
    level_counts: Vec<usize>,
    /// `main_effects[f]`: `None` when the runs hold fewer than two levels of factor `f`.
    pub main_effects: Vec<Option<FTest>>,
    /// Every pair of factors `(a, b)`, `a < b`, whose interaction could be tested.
    pub interactions: Vec<((usize, usize), FTest)>,
    pub error_term: ErrorTerm,
    /// Runs at each level of each factor: `runs_per_level[f][level]`.
    pub runs_per_level: Vec<Vec<usize>>,
    main: Fit,
    error: Option<(f64, usize)>,
}

/// A least-squares fit.
#[derive(Debug, Clone)]
struct Fit {
    coefficients: DVector<f64>,
    /// `(X'X)⁺`: the coefficients' covariance over the error variance.
    unscaled_covariance: DMatrix<f64>,
    residual_sum_of_squares: f64,
    rank: usize,
    n: usize,
}

impl Fit {
    fn residual_df(&self) -> usize {
        self.n - self.rank
    }
}

/// A term of the model: a factor's main effect or the interaction of two.
#[derive(Debug, Clone, Copy)]
enum Term {
    Main(usize),
    Pair(usize, usize),
}

impl Anova {
    /// Analyses `observations` of a design whose factor `f` has `level_counts[f]` levels.
    /// Returns `None` with fewer than two observations. Observations whose level index is
    /// out of range are a caller's bug and are left out.
    pub fn fit(level_counts: &[usize], observations: &[Observation]) -> Option<Anova> {
        let runs: Vec<&Observation> = observations
            .iter()
            .filter(|o| {
                o.value.is_finite()
                    && o.levels.len() == level_counts.len()
                    && o.levels.iter().zip(level_counts).all(|(l, n)| l < n)
            })
            .collect();
        if runs.len() < 2 {
            return None;
        }
        let y = DVector::from_iterator(runs.len(), runs.iter().map(|o| o.value));
        let factors = level_counts.len();
        let main_terms: Vec<Term> = (0..factors).map(Term::Main).collect();
        let main = least_squares(&design_matrix(level_counts, &runs, &main_terms), &y);
        let pure_error = pure_error(&runs);
        let error_term = match pure_error {
            Some(_) => ErrorTerm::PureError,
            None => ErrorTerm::Residual,
        };
        let error = pure_error.or_else(|| residual_error(&main));
        let main_effects = (0..factors)
            .map(|f| {
                let without: Vec<Term> = main_terms
                    .iter()
                    .copied()
                    .filter(|t| !matches!(t, Term::Main(g) if *g == f))
                    .collect();
                let reduced = least_squares(&design_matrix(level_counts, &runs, &without), &y);
                f_test(&reduced, &main, error)
            })
            .collect();
        let mut interactions = Vec::new();
        for a in 0..factors {
            for b in a + 1..factors {
                let with: Vec<Term> = main_terms
                    .iter()
                    .copied()
                    .chain([Term::Pair(a, b)])
                    .collect();
                let full = least_squares(&design_matrix(level_counts, &runs, &with), &y);
                let error = pure_error.or_else(|| residual_error(&full));
                if let Some(test) = f_test(&main, &full, error) {
                    interactions.push(((a, b), test));
                }
            }
        }
        let runs_per_level = level_counts
            .iter()
            .enumerate()
            .map(|(f, &n)| {
                let mut counts = vec![0; n];
                for o in &runs {
                    counts[o.levels[f]] += 1;
                }
                counts
            })
            .collect();
        Some(Anova {
            level_counts: level_counts.to_vec(),
            main_effects,
            interactions,
            error_term,
            runs_per_level,
            main,
            error,
        })
    }

    /// The error mean square and its degrees of freedom of the main-effects tests.
    pub fn error_mean_square(&self) -> Option<(f64, usize)> {
        self.error
    }

    /// Level `level` of `factor` against its reference level on the model's scale, the other
    /// factors held at the same levels; `None` for a level without runs.
    pub fn level_effect(&self, factor: usize, level: usize) -> Option<f64> {
        if self.runs_per_level.get(factor)?.get(level).copied()? == 0 {
            return None;
        }
        Some(
            self.contrast_vector(factor, level, None)
                .dot(&self.main.coefficients),
        )
    }

    /// Level `a` of `factor` minus level `b`, the other factors balanced out, with its 95%
    /// interval and p-value (a t test on the error degrees of freedom, not adjusted for
    /// comparing several pairs). `None` when a level has no run or there is no error term.
    pub fn contrast(&self, factor: usize, a: usize, b: usize) -> Option<Contrast> {
        let runs = self.runs_per_level.get(factor)?;
        if runs.get(a).copied()? == 0 || runs.get(b).copied()? == 0 {
            return None;
        }
        let (mean_square, df) = self.error?;
        let c = self.contrast_vector(factor, a, Some(b));
        let estimate = c.dot(&self.main.coefficients);
        let variance = (c.transpose() * &self.main.unscaled_covariance * &c)[(0, 0)];
        let se = (mean_square * variance.max(0.0)).sqrt();
        let t = StudentsT::new(0.0, 1.0, df as f64).ok()?;
        let (half_width, p) = if se > 0.0 {
            (
                t.inverse_cdf(0.975) * se,
                (2.0 * t.sf((estimate / se).abs())).min(1.0),
            )
        } else {
            (0.0, if estimate == 0.0 { 1.0 } else { 0.0 })
        };
        Some(Contrast {
            estimate,
            ci95_low: estimate - half_width,
            ci95_high: estimate + half_width,
            p,
            df,
        })
    }

    /// The coefficient vector of level `a` minus level `b` (the reference when `None`).
    fn contrast_vector(&self, factor: usize, a: usize, b: Option<usize>) -> DVector<f64> {
        let offset = 1 + self.level_counts[..factor]
            .iter()
            .map(|n| n.saturating_sub(1))
            .sum::<usize>();
        let mut c = DVector::zeros(self.main.coefficients.len());
        if a > 0 {
            c[offset + a - 1] += 1.0;
        }
        if let Some(b) = b.filter(|b| *b > 0) {
            c[offset + b - 1] -= 1.0;
        }
        c
    }
}

/// The design matrix of `terms`: an intercept, then each term's indicator columns.
fn design_matrix(level_counts: &[usize], runs: &[&Observation], terms: &[Term]) -> DMatrix<f64> {
    let indicator = |o: &Observation, f: usize, level: usize| (o.levels[f] == level) as u8 as f64;
    let mut columns: Vec<Vec<f64>> = vec![vec![1.0; runs.len()]];
    for term in terms {
        match *term {
            Term::Main(f) => {
                for level in 1..level_counts[f] {
                    columns.push(runs.iter().map(|o| indicator(o, f, level)).collect());
                }
            }
            Term::Pair(a, b) => {
                for la in 1..level_counts[a] {
                    for lb in 1..level_counts[b] {
                        columns.push(
                            runs.iter()
                                .map(|o| indicator(o, a, la) * indicator(o, b, lb))
                                .collect(),
                        );
                    }
                }
            }
        }
    }
    DMatrix::from_fn(runs.len(), columns.len(), |i, j| columns[j][i])
}

fn least_squares(x: &DMatrix<f64>, y: &DVector<f64>) -> Fit {
    let svd = x.clone().svd(true, true);
    let largest = svd.singular_values.max();
    let tolerance = largest * 1e-10 * x.nrows().max(x.ncols()) as f64;
    let rank = svd.rank(tolerance);
    let pseudo_inverse = svd
        .pseudo_inverse(tolerance)
        .unwrap_or_else(|_| DMatrix::zeros(x.ncols(), x.nrows()));
    let coefficients = &pseudo_inverse * y;
    let residuals = y - x * &coefficients;
    Fit {
        unscaled_covariance: &pseudo_inverse * pseudo_inverse.transpose(),
        coefficients,
        residual_sum_of_squares: residuals.norm_squared(),
        rank,
        n: x.nrows(),
    }
}

/// The within-cell sum of squares over its degrees of freedom, when some cell has two runs.
fn pure_error(runs: &[&Observation]) -> Option<(f64, usize)> {
    let mut cells: BTreeMap<&[usize], Vec<f64>> = BTreeMap::new();
    for o in runs {
        cells.entry(o.levels.as_slice()).or_default().push(o.value);
    }
    let df = runs.len() - cells.len();
    if df == 0 {
        return None;
    }
    let sum_of_squares: f64 = cells
        .values()
        .map(|values| {
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
        })
        .sum();
    Some((sum_of_squares / df as f64, df))
}

fn residual_error(fit: &Fit) -> Option<(f64, usize)> {
    let df = fit.residual_df();
    (df > 0).then(|| (fit.residual_sum_of_squares / df as f64, df))
}

/// The F test of what `larger` adds to `smaller`, over `error`.
fn f_test(smaller: &Fit, larger: &Fit, error: Option<(f64, usize)>) -> Option<FTest> {
    let df_term = larger.rank.checked_sub(smaller.rank)?;
    let (mean_square, df_error) = error?;
    if df_term == 0 {
        return None;
    }
    let sum_of_squares =
        (smaller.residual_sum_of_squares - larger.residual_sum_of_squares).max(0.0);
    let f = sum_of_squares / df_term as f64 / mean_square;
    let p = if f.is_finite() {
        FisherSnedecor::new(df_term as f64, df_error as f64)
            .ok()?
            .sf(f)
    } else if sum_of_squares > 0.0 {
        0.0
    } else {
        1.0
    };
    Some(FTest {
        df_term,
        df_error,
        sum_of_squares,
        f,
        p,
    })
}

#[cfg(test)]
#[path = "effects_tests.rs"]
mod tests;
