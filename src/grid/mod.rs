//! The grid: the properties a sweep varies, each with its values, and its points (every
//! combination, one per trial and client). Below the options, the sweep and the output,
//! which all speak of it.

pub mod presets;

use crate::results::Params;

/// One swept property and its values, in the order given (`--param NAME=V1,V2`).
pub type SweptProperty = (String, Vec<String>);

/// Every combination of the grid's values, the last property varying fastest (the lab's
/// loop order). An empty grid has one point: the defaults.
pub fn points(grid: &[SweptProperty]) -> Vec<Params> {
    grid.iter()
        .fold(vec![Params::new()], |points, (name, values)| {
            points
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

/// The number of points, without building them.
pub fn size(grid: &[SweptProperty]) -> usize {
    grid.iter().map(|(_, v)| v.len()).product()
}

/// Whether `name` is swept.
pub fn sweeps(grid: &[SweptProperty], name: &str) -> bool {
    grid.iter().any(|(n, _)| n == name)
}

/// The properties the grid varies: those given two values or more, in the grid's order.
pub fn varied(grid: &[SweptProperty]) -> Vec<String> {
    grid.iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, _)| k.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_preset_is_the_labs_27_combinations() {
        let seed = presets::Preset::Seed.definition();
        let points = points(&seed.grid);
        assert_eq!(points.len(), 27);
        assert_eq!(size(&seed.grid), 27);
        assert_eq!(points[0]["max.poll.records"], "10");
        assert_eq!(points[0]["fetch.max.wait.ms"], "100");
        assert_eq!(
            points[1]["fetch.max.wait.ms"], "500",
            "the last property varies fastest, as in the lab's loops"
        );
        assert_eq!(points[26]["max.poll.records"], "500");
        assert!(sweeps(&seed.grid, "fetch.min.bytes"));
        assert!(!sweeps(&seed.grid, "check.crcs"));
    }

    #[test]
    fn an_empty_grid_is_one_trial_of_defaults() {
        assert_eq!(points(&[]), vec![Params::new()]);
        assert_eq!(size(&[]), 1);
    }
}
