//! The grid of consumer properties a sweep varies, and the presets.

use crate::results::{Mode, Params};

/// One swept property and its values, in the order given.
pub type Axis = (String, Vec<String>);

/// Every combination of the axes, the last axis varying fastest (the lab's loop order).
pub fn combinations(axes: &[Axis]) -> Vec<Params> {
    axes.iter()
        .fold(vec![Params::new()], |combos, (name, values)| {
            combos
                .iter()
                .flat_map(|c| {
                    values.iter().map(move |v| {
                        let mut next = c.clone();
                        next.insert(name.clone(), v.clone());
                        next
                    })
                })
                .collect()
        })
}

/// A named starting point: a grid and workload defaults that options override.
#[derive(Debug, Clone)]
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    pub mode: Mode,
    pub axes: Vec<Axis>,
    pub messages: Option<u64>,
    pub repeat: u32,
    /// Live presets: rate (msg/s), duration (s), warm-up (s).
    pub live: Option<(f64, f64, f64)>,
}

fn axis(name: &str, values: &[&str]) -> Axis {
    (
        name.to_string(),
        values.iter().map(|v| v.to_string()).collect(),
    )
}

/// The presets kafkatune knows.
pub fn presets() -> Vec<Preset> {
    vec![
        Preset {
            name: "seed",
            description: "the lab's sweep: max.poll.records 10,100,500 x fetch.min.bytes 1024,10240,51200 x fetch.max.wait.ms 100,500,1000, 100,000 messages, 3 runs each",
            mode: Mode::Drain,
            axes: vec![
                axis("max.poll.records", &["10", "100", "500"]),
                axis("fetch.min.bytes", &["1024", "10240", "51200"]),
                axis("fetch.max.wait.ms", &["100", "500", "1000"]),
            ],
            messages: Some(100_000),
            repeat: 3,
            live: None,
        },
        Preset {
            name: "seed-live",
            description: "the lab's fetch settings on a caught-up consumer: fetch.min.bytes 1,1024,10240,51200 x fetch.max.wait.ms 100,500,1000 at 1000 msg/s for 10 s after a 5 s warm-up",
            mode: Mode::Live,
            axes: vec![axis("fetch.min.bytes", &["1", "1024", "10240", "51200"]), axis("fetch.max.wait.ms", &["100", "500", "1000"])],
            messages: None,
            repeat: 1,
            live: Some((1000.0, 10.0, 5.0)),
        },
    ]
}

/// Finds a preset by name.
pub fn preset(name: &str) -> Option<Preset> {
    presets().into_iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_preset_is_the_labs_27_combinations() {
        let seed = preset("seed").unwrap();
        let combos = combinations(&seed.axes);
        assert_eq!(combos.len(), 27);
        assert_eq!(combos[0]["max.poll.records"], "10");
        assert_eq!(combos[0]["fetch.max.wait.ms"], "100");
        assert_eq!(
            combos[1]["fetch.max.wait.ms"], "500",
            "the last axis varies fastest, as in the lab's loops"
        );
        assert_eq!(combos[26]["max.poll.records"], "500");
    }

    #[test]
    fn no_axes_is_one_trial_of_defaults() {
        assert_eq!(combinations(&[]), vec![Params::new()]);
    }
}
