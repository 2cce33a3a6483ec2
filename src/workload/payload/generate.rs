//! The built-in generators' shared parts: the pool builder, a clock for timestamps close
//! to each other, ids, weighted enums and English words.

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

use super::{json, text, PayloadKind};

/// `n` bodies of `body_len` bytes each, back to back, and their `n + 1` offsets.
pub(super) fn bodies(
    kind: PayloadKind,
    body_len: usize,
    n: usize,
    seed: u64,
) -> (Vec<u8>, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut data = Vec::with_capacity(body_len * n);
    let mut offsets = Vec::with_capacity(n + 1);
    offsets.push(0);
    match kind {
        PayloadKind::Json => {
            let mut gen = json::Events::new(&mut rng);
            for _ in 0..n {
                gen.body(&mut rng, body_len, &mut data);
                offsets.push(data.len());
            }
        }
        PayloadKind::Text => {
            let mut gen = text::Logs::new();
            for _ in 0..n {
                gen.body(&mut rng, body_len, &mut data);
                offsets.push(data.len());
            }
        }
        PayloadKind::Random => {
            data.resize(body_len * n, 0);
            rng.fill_bytes(&mut data);
            offsets.extend((1..=n).map(|i| i * body_len));
        }
        PayloadKind::Zeros => {
            data.resize(body_len * n, 0);
            offsets.extend((1..=n).map(|i| i * body_len));
        }
    }
    (data, offsets)
}
