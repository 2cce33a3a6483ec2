//! The report's sentences about the pooled effects ([`super::pooled`]): what a property did
//! to each goal metric, with its size, 95% interval and p-value, or that the pooled test
//! found no difference beyond the noise.

use crate::results::Mode;
use crate::stats::effects::{FTest, SIGNIFICANCE};

use super::format::{metric_label, metric_unit, short, significant};
use super::kafka_terms::mechanism;
use super::pooled::{PooledEffect, PooledInteraction};

/// The sentence about one swept property: measurable effects first, each with its evidence,
/// then the metrics it made no measurable difference to, then the mechanism.
pub fn property(property: &str, effects: &[&PooledEffect], mode: Mode) -> String {
    if effects.is_empty() {
        return format!(
            "`{property}`: no client measured two of its values, so nothing can be said."
        );
    }
    let pooled_over = format!(
        "pooled over {} per value, the other swept properties balanced out",
        runs_per_value(effects)
    );
    let measurable: Vec<&&PooledEffect> = effects.iter().filter(|e| e.test.significant()).collect();
    let quiet: Vec<String> = effects
        .iter()
        .filter(|e| !e.test.significant())
        .map(|e| no_difference(e, effects))
        .collect();
    if measurable.is_empty() {
        return format!(
            "`{property}` made no measurable difference given the noise ({pooled_over}: {}). {}",
            quiet.join("; "),
            mechanism(property, mode, false)
        );
    }
    let mut parts: Vec<String> = measurable.iter().map(|e| difference(e, effects)).collect();
    if !quiet.is_empty() {
        parts.push(format!("no measurable difference to {}", quiet.join("; ")));
    }
    format!(
        "`{property}` made a measurable difference ({pooled_over}): {}. {}",
        parts.join("; "),
        mechanism(property, mode, true)
    )
}

/// The sentence about one pair of properties that interact measurably: each metric, and
/// each client it showed for, with the F test.
pub fn interaction(of_pair: &[&PooledInteraction]) -> String {
    let Some(first) = of_pair.first() else {
        return String::new();
    };
    let (a, b) = &first.properties;
    let mut metrics: Vec<&str> = Vec::new();
    for i in of_pair {
        if !metrics.contains(&i.metric.as_str()) {
            metrics.push(&i.metric);
        }
    }
    let parts: Vec<String> = metrics
        .iter()
        .map(|metric| {
            let clients: Vec<String> = of_pair
                .iter()
                .filter(|i| i.metric == *metric)
                .map(|i| format!("{} ({})", i.client, evidence(&i.test)))
                .collect();
            format!("on {} for {}", noun(metric), clients.join(" and "))
        })
        .collect();
    format!(
        "`{a}` and `{b}` interact, pooled over every run: {}. The effect of one depends on the \
         value of the other, so choose the two together.",
        parts.join("; ")
    )
}

/// `27 runs`, or `25 to 27 runs` when failed runs left the values unequal.
fn runs_per_value(effects: &[&PooledEffect]) -> String {
    let counts = effects.iter().flat_map(|e| e.values.iter().map(|v| v.runs));
    let (lo, hi) = counts.fold((usize::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)));
    match (lo, hi) {
        (1, 1) => "1 run".to_string(),
        (lo, hi) if lo == hi => format!("{lo} runs"),
        (lo, hi) => format!("{lo} to {hi} runs"),
    }
}

/// The client, when the sentence covers more than one.
fn whose(e: &PooledEffect, all: &[&PooledEffect]) -> String {
    if all.iter().any(|o| o.client != e.client) {
        format!("{}: ", e.client)
    } else {
        String::new()
    }
}

/// `throughput 30% higher at 500 than at 10 (95% CI 18..41%, p<0.001; all values: p<0.001,
/// F(2, 54) = 9.1; medians of the runs 1.58M at 10, 1.94M at 100, 2.05M at 500 msg/s)`.
fn difference(e: &PooledEffect, all: &[&PooledEffect]) -> String {
    let c = e.change;
    let (direction, size, low, high) = if c.estimate >= 0.0 {
        ("higher", c.estimate, c.ci95_low, c.ci95_high)
    } else {
        ("lower", -c.estimate, -c.ci95_high, -c.ci95_low)
    };
    format!(
        "{}{} {}% {direction} at {} than at {} (95% CI {}..{}%, {}; all values: {}; {})",
        whose(e, all),
        noun(&e.metric),
        whole_percent(size),
        e.best,
        e.worst,
        whole_percent(low),
        whole_percent(high),
        p_value(c.p),
        evidence(&e.test),
        medians(e)
    )
}

/// `throughput 1.65M to 1.66M msg/s, p=0.62`.
fn no_difference(e: &PooledEffect, all: &[&PooledEffect]) -> String {
    let by = |a: &&super::pooled::ValueRuns, b: &&super::pooled::ValueRuns| {
        a.median.total_cmp(&b.median)
    };
    let (lo, hi) = match (e.values.iter().min_by(by), e.values.iter().max_by(by)) {
        (Some(lo), Some(hi)) => (short(lo.median), short(hi.median)),
        _ => ("-".to_string(), "-".to_string()),
    };
    let unit = unit(&e.metric);
    let range = if lo == hi {
        format!("{lo}{unit} at every value")
    } else {
        format!("{lo} to {hi}{unit}")
    };
    format!(
        "{}{} {range}, {}",
        whose(e, all),
        noun(&e.metric),
        p_value(e.test.p)
    )
}

/// `medians of the runs 1.58M at 10, 1.94M at 100, 2.05M at 500 msg/s`.
fn medians(e: &PooledEffect) -> String {
    let each: Vec<String> = e
        .values
        .iter()
        .map(|v| format!("{} at {}", short(v.median), v.value))
        .collect();
    format!("medians of the runs {}{}", each.join(", "), unit(&e.metric))
}

/// The F test as a reader checks it: `p<0.001, F(2, 54) = 9.1`.
fn evidence(test: &FTest) -> String {
    format!(
        "{}, F({}, {}) = {}",
        p_value(test.p),
        test.df_term,
        test.df_error,
        significant(test.f, 2)
    )
}

/// `p<0.001`, `p=0.012`, `p=0.62`.
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "p<0.001".to_string()
    } else {
        format!("p={}", significant(p, 2))
    }
}

/// A whole percentage from a fraction, `-0` written as `0`.
fn whole_percent(fraction: f64) -> String {
    let rounded = (fraction * 100.0).round();
    format!("{}", if rounded == 0.0 { 0.0 } else { rounded })
}

/// ` msg/s`: a metric's unit after a number, with its space.
fn unit(metric: &str) -> String {
    match metric_unit(metric) {
        "" => String::new(),
        unit => format!(" {unit}"),
    }
}

/// How a sentence names a goal metric.
fn noun(metric: &str) -> String {
    match metric {
        "throughput_msgs_per_s" => "throughput".to_string(),
        "cpu_s_per_million_msgs" => "CPU per million messages".to_string(),
        "latency_p99_ms" => "p99 latency".to_string(),
        "ack_latency_p99_ms" => "p99 acknowledgement latency".to_string(),
        "compression_ratio" => "bytes on the wire per payload byte".to_string(),
        other => metric_label(other),
    }
}

/// The threshold the sentences apply, for the report's notes.
pub fn threshold_note() -> String {
    format!(
        "An effect is measurable when its pooled F test gives p<{SIGNIFICANCE} (an n-way \
         analysis of variance of the logarithm of each goal metric over every run, every swept \
         property a factor; the error is the spread of a trial's runs around their \
         mean). Its interval compares the best value with the worst, not adjusted for \
         picking that pair."
    )
}
