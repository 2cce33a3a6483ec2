//! The space a search explores: the clients, the swept properties' values (`--param`, the
//! preset) and the integer ranges (`--range`). A point is one client and one value per
//! dimension.

use rand::rngs::StdRng;
use rand::Rng;

use crate::clients::ClientKind;
use crate::results::Params;
use crate::tune_file::RangeSetting;

/// One dimension of the space.
#[derive(Debug, Clone, PartialEq)]
pub enum Dim {
    /// A property with listed values (`--param NAME=V1,V2`).
    Values { name: String, values: Vec<String> },
    /// An integer property between two bounds (`--range NAME=LO..HI[:log]`).
    Range(RangeSetting),
}

impl Dim {
    pub fn name(&self) -> &str {
        match self {
            Dim::Values { name, .. } => name,
            Dim::Range(r) => &r.name,
        }
    }

    /// The dimension's value at `u` in [0, 1): a listed value, or an integer of the range
    /// (on a log scale when the range says so).
    pub fn at(&self, u: f64) -> String {
        let u = u.clamp(0.0, 1.0);
        match self {
            Dim::Values { values, .. } => {
                values[((u * values.len() as f64) as usize).min(values.len() - 1)].clone()
            }
            Dim::Range(r) => range_value(r, u).to_string(),
        }
    }

    /// The two ends: the first and last listed value, or the range's bounds.
    fn ends(&self) -> [String; 2] {
        match self {
            Dim::Values { values, .. } => [values[0].clone(), values[values.len() - 1].clone()],
            Dim::Range(r) => [r.low.to_string(), r.high.to_string()],
        }
    }

    /// The values next to `value`: the listed ones beside it, or a step of an eighth of the
    /// range (a factor 2 on a log scale) either way.
    fn beside(&self, value: &str) -> Vec<String> {
        match self {
            Dim::Values { values, .. } => {
                let Some(i) = values.iter().position(|v| v == value) else {
                    return Vec::new();
                };
                let mut out = Vec::new();
                if i > 0 {
                    out.push(values[i - 1].clone());
                }
                if i + 1 < values.len() {
                    out.push(values[i + 1].clone());
                }
                out
            }
            Dim::Range(r) => {
                let Ok(v) = value.parse::<i64>() else {
                    return Vec::new();
                };
                let (down, up) = if r.log_scale {
                    (v / 2, v.saturating_mul(2))
                } else {
                    let step = ((r.high - r.low) / 8).max(1);
                    (v - step, v + step)
                };
                [down.max(r.low), up.min(r.high)]
                    .into_iter()
                    .filter(|n| *n != v)
                    .map(|n| n.to_string())
                    .collect()
            }
        }
    }
}

fn range_value(r: &RangeSetting, u: f64) -> i64 {
    let value = if r.log_scale {
        let (lo, hi) = ((r.low.max(1)) as f64, r.high.max(1) as f64);
        (lo.ln() + u * (hi.ln() - lo.ln())).exp()
    } else {
        r.low as f64 + u * (r.high - r.low) as f64
    };
    (value.round() as i64).clamp(r.low, r.high)
}

/// One candidate's coordinates: a client and one value per dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Point {
    pub client: ClientKind,
    pub values: Vec<String>,
}

/// The space: clients x dimensions, and the properties fixed for every point.
#[derive(Debug, Clone)]
pub struct Space {
    pub clients: Vec<ClientKind>,
    pub dims: Vec<Dim>,
}

impl Space {
    /// A point's properties by Kafka name (the fixed ones are added by the trial).
    pub fn params(&self, point: &Point) -> Params {
        self.dims
            .iter()
            .zip(&point.values)
            .map(|(d, v)| (d.name().to_string(), v.clone()))
            .collect()
    }

    /// The point at `u` (one coordinate in [0, 1) per dimension, then one for the client).
    pub fn at(&self, u: &[f64]) -> Point {
        let client_u = u.get(self.dims.len()).copied().unwrap_or(0.0);
        let c = ((client_u * self.clients.len() as f64) as usize).min(self.clients.len() - 1);
        Point {
            client: self.clients[c],
            values: self.dims.iter().zip(u).map(|(d, x)| d.at(*x)).collect(),
        }
    }

    /// Coordinates per point (the dimensions, and the client when there are several).
    pub fn coordinates(&self) -> usize {
        self.dims.len() + usize::from(self.clients.len() > 1)
    }

    /// Every corner of the space (each dimension at one of its ends), for every client.
    pub fn corners(&self) -> Vec<Point> {
        let mut out = Vec::new();
        for client in &self.clients {
            let mut partial: Vec<Vec<String>> = vec![Vec::new()];
            for d in &self.dims {
                let ends = d.ends();
                let ends: Vec<&String> = if ends[0] == ends[1] {
                    vec![&ends[0]]
                } else {
                    ends.iter().collect()
                };
                partial = partial
                    .into_iter()
                    .flat_map(|p| {
                        ends.iter().map(move |e| {
                            let mut q = p.clone();
                            q.push((*e).clone());
                            q
                        })
                    })
                    .collect();
            }
            out.extend(partial.into_iter().map(|values| Point {
                client: *client,
                values,
            }));
        }
        out
    }

    /// `n` points of an Owen-scrambled Sobol sequence (sobol_burley), seeded.
    pub fn sobol(&self, n: usize, seed: u64) -> Vec<Point> {
        let dims = self.coordinates().max(1);
        (0..n as u32)
            .map(|i| {
                let u: Vec<f64> = (0..dims as u32)
                    .map(|d| sobol_burley::sample(i, d, seed as u32) as f64)
                    .collect();
                self.at(&u)
            })
            .collect()
    }

    /// A point drawn uniformly (a range on its own scale).
    pub fn random(&self, rng: &mut StdRng) -> Point {
        let u: Vec<f64> = (0..self.coordinates().max(1))
            .map(|_| rng.random::<f64>())
            .collect();
        self.at(&u)
    }

    /// The points one step from `point` in one dimension.
    pub fn neighbours(&self, point: &Point) -> Vec<Point> {
        let mut out = Vec::new();
        for (i, d) in self.dims.iter().enumerate() {
            for v in d.beside(&point.values[i]) {
                let mut values = point.values.clone();
                values[i] = v;
                out.push(Point {
                    client: point.client,
                    values,
                });
            }
        }
        out
    }

    /// The listed values of a dimension, or for a range its ends and middle (the values a
    /// grid or a one-at-a-time search tries).
    pub fn levels(&self, dim: usize) -> Vec<String> {
        match &self.dims[dim] {
            Dim::Values { values, .. } => values.clone(),
            Dim::Range(r) => {
                let mut out: Vec<String> = [0.0, 0.5, 1.0]
                    .iter()
                    .map(|u| range_value(r, *u).to_string())
                    .collect();
                out.dedup();
                out
            }
        }
    }

    /// How many points the space has, when it is finite (no `--range`).
    pub fn finite_size(&self) -> Option<usize> {
        self.dims
            .iter()
            .map(|d| match d {
                Dim::Values { values, .. } => Some(values.len()),
                Dim::Range(_) => None,
            })
            .product::<Option<usize>>()
            .map(|n| n * self.clients.len())
    }

    /// Every point of the grid of `levels`, for every client.
    pub fn grid(&self) -> Vec<Point> {
        let mut out = Vec::new();
        for client in &self.clients {
            let mut partial: Vec<Vec<String>> = vec![Vec::new()];
            for d in 0..self.dims.len() {
                let levels = self.levels(d);
                partial = partial
                    .into_iter()
                    .flat_map(|p| {
                        levels.iter().map(move |v| {
                            let mut q = p.clone();
                            q.push(v.clone());
                            q
                        })
                    })
                    .collect();
            }
            out.extend(partial.into_iter().map(|values| Point {
                client: *client,
                values,
            }));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn space() -> Space {
        Space {
            clients: vec![ClientKind::Librdkafka],
            dims: vec![
                Dim::Values {
                    name: "a".into(),
                    values: vec!["1".into(), "2".into(), "3".into()],
                },
                Dim::Range(RangeSetting {
                    name: "b".into(),
                    low: 1,
                    high: 1000,
                    log_scale: true,
                }),
            ],
        }
    }

    #[test]
    fn corners_sobol_and_neighbours_stay_inside_the_space() {
        let s = space();
        assert_eq!(s.corners().len(), 4);
        for p in s
            .sobol(16, 3)
            .iter()
            .chain([s.random(&mut StdRng::seed_from_u64(1))].iter())
        {
            assert!(["1", "2", "3"].contains(&p.values[0].as_str()));
            let b: i64 = p.values[1].parse().unwrap();
            assert!((1..=1000).contains(&b), "{p:?}");
        }
        let n = s.neighbours(&Point {
            client: ClientKind::Librdkafka,
            values: vec!["1".into(), "1000".into()],
        });
        assert_eq!(n.len(), 2, "{n:?}");
        assert_eq!(s.levels(1), vec!["1", "32", "1000"]);
        assert_eq!(s.grid().len(), 9);
    }
}
