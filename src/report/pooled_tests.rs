use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::report::test_support::{meta, summary};
use crate::results::{Params, RunRecord};
use crate::stats::summary::summarize_runs;

const MPR: [&str; 3] = ["10", "100", "500"];
const FMB: [&str; 3] = ["1024", "10240", "51200"];
const FMW: [&str; 3] = ["100", "500", "1000"];

/// The seed sweep's grid, 3 runs a trial: throughput `base[max.poll.records]` and CPU per
/// million messages `cpu[max.poll.records]`, each run times a noise factor of up to ±`noise`.
fn seed_like(seed: u64, base: [f64; 3], cpu: [f64; 3], noise: f64) -> Sweep {
    let grid: &[(&str, &[&str])] = &[
        ("max.poll.records", &MPR),
        ("fetch.min.bytes", &FMB),
        ("fetch.max.wait.ms", &FMW),
    ];
    let meta = meta(Mode::Drain, &["librdkafka"], grid);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut records = Vec::new();
    let mut trial = 0;
    for (i, mpr) in MPR.iter().enumerate() {
        for fmb in FMB {
            for fmw in FMW {
                trial += 1;
                let params: Params = [
                    ("max.poll.records", *mpr),
                    ("fetch.min.bytes", fmb),
                    ("fetch.max.wait.ms", fmw),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
                for run in 0..3 {
                    let mut factor = || 1.0 + noise * rng.random_range(-1.0..1.0);
                    records.push(RunRecord {
                        trial_id: format!("t{trial:03}"),
                        run_index: run,
                        client: "librdkafka".into(),
                        params: params.clone(),
                        status: Some(Status::Ok),
                        throughput_msgs_per_s: Some(base[i] * factor()),
                        cpu_s_per_million_msgs: Some(cpu[i] * factor()),
                        ..RunRecord::default()
                    });
                }
            }
        }
    }
    let summary = summarize_runs(&meta, &records);
    Sweep {
        dir: "/x".into(),
        meta,
        records,
        summary,
    }
}

const NOISE: f64 = 0.5;

#[test]
fn a_planted_effect_is_named_with_its_size() {
    let sweep = seed_like(1, [1.58e6, 1.94e6, 2.05e6], [0.8, 0.7, 0.6], NOISE);
    let pooled = pooled(&sweep);
    let mpr = pooled.of("max.poll.records");
    assert_eq!(
        mpr.len(),
        2,
        "throughput and CPU: drain measures no latency"
    );
    let throughput = mpr[0];
    assert_eq!(throughput.metric, "throughput_msgs_per_s");
    assert!(throughput.test.significant(), "{throughput:?}");
    assert_eq!(
        (throughput.best.as_str(), throughput.worst.as_str()),
        ("500", "10")
    );
    let planted = 2.05 / 1.58 - 1.0;
    let c = throughput.change;
    assert!(
        c.ci95_low > 0.0 && c.ci95_low < planted && planted < c.ci95_high,
        "{c:?}"
    );
    assert_eq!(
        throughput.values.iter().map(|v| v.runs).collect::<Vec<_>>(),
        [27, 27, 27]
    );
    let cpu = mpr[1];
    assert!(cpu.test.significant() && !cpu.higher_is_better);
    assert_eq!((cpu.best.as_str(), cpu.worst.as_str()), ("500", "10"));
    assert!(cpu.change.estimate < 0.0);
    for quiet in ["fetch.min.bytes", "fetch.max.wait.ms"] {
        assert!(
            pooled.of(quiet).iter().all(|e| !e.test.significant()),
            "{quiet}"
        );
    }
}

#[test]
fn pure_noise_has_no_measurable_effect() {
    let sweep = seed_like(1, [1.8e6; 3], [0.7; 3], NOISE);
    let pooled = pooled(&sweep);
    assert_eq!(pooled.effects.len(), 6, "3 properties × 2 metrics");
    for e in &pooled.effects {
        assert!(!e.test.significant(), "{e:?}");
    }
    assert!(pooled.interactions.iter().all(|i| !i.test.significant()));
    assert_eq!(pooled.interactions.len(), 6, "3 pairs × 2 metrics");
}

/// Warm-up and failed runs do not count; a run without the metric is left out.
#[test]
fn only_measured_runs_count() {
    let mut sweep = seed_like(2, [1.58e6, 1.94e6, 2.05e6], [0.8, 0.7, 0.6], NOISE);
    sweep.records[0].warmup = true;
    sweep.records[1].status = Some(Status::Failed);
    sweep.records[2].throughput_msgs_per_s = None;
    let pooled = pooled(&sweep);
    let throughput = pooled.of("max.poll.records")[0];
    assert_eq!(throughput.values[0].runs, 24);
    // The three runs were trial t001's, so its cell is empty: 78 runs in 26 cells.
    assert_eq!(throughput.test.df_error, 78 - 26);
}

/// A sweep of one value per property, or no runs, has nothing to pool.
#[test]
fn nothing_to_pool() {
    let meta = meta(Mode::Drain, &["librdkafka"], &[("fetch.min.bytes", &["1"])]);
    let sweep = Sweep {
        dir: "/x".into(),
        meta,
        records: vec![],
        summary: summary(Mode::Drain, vec![]),
    };
    assert_eq!(pooled(&sweep), Pooled::default());
}

#[test]
fn goal_metrics_follow_the_mode() {
    assert_eq!(
        goal_metrics(Mode::Live)
            .iter()
            .map(|(m, _)| *m)
            .collect::<Vec<_>>(),
        [
            "throughput_msgs_per_s",
            "latency_p99_ms",
            "cpu_s_per_million_msgs"
        ]
    );
    assert!(goal_metrics(Mode::Produce).contains(&("ack_latency_p99_ms", false)));
}

/// The sentence names the effect with its size, interval and p-value, and keeps "no
/// measurable difference" for the properties the pooled test cleared.
#[test]
fn sentences_name_the_pooled_effect() {
    let sweep = seed_like(1, [1.58e6, 1.94e6, 2.05e6], [0.8, 0.7, 0.6], NOISE);
    let findings = crate::report::analysis::findings(&sweep);
    let mpr = &findings[0].sentence;
    assert!(
        mpr.starts_with(
            "`max.poll.records` made a measurable difference (pooled over 27 runs per value, \
             the other swept properties balanced out): throughput "
        ),
        "{mpr}"
    );
    assert!(mpr.contains("higher at 500 than at 10 (95% CI "), "{mpr}");
    assert!(mpr.contains("CPU per million messages "), "{mpr}");
    assert!(mpr.contains("lower at 500 than at 10"), "{mpr}");
    assert!(mpr.contains("F(2, 54) = "), "{mpr}");
    for quiet in &findings[1..] {
        assert!(
            quiet
                .sentence
                .contains("made no measurable difference given the noise (pooled over 27 runs"),
            "{}",
            quiet.sentence
        );
    }
}
