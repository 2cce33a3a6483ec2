//! Random pieces of records (ids, hex, prices, words, a clock that moves as a stream's
//! timestamps do), drawn from a seeded generator: what the JSON and text generators share.

use std::fmt::Write as _;

use rand::rngs::StdRng;
use rand::{Rng, RngCore};

use super::vocab::WORDS;

/// 2025-03-01T00:00:00Z in milliseconds: a fixed start, so the bytes depend only on the seed.
const CLOCK_START_MS: i64 = 1_740_787_200_000;

/// Event time that moves forward a few milliseconds per record, as in a live stream.
pub(super) struct Clock {
    ms: i64,
}

impl Clock {
    pub(super) fn new() -> Clock {
        Clock { ms: CLOCK_START_MS }
    }

    /// Advances 1..=20 ms (so no two bodies of a pool share a time, and small events,
    /// which keep little else, stay distinct) and returns the time as ISO 8601 UTC with milliseconds
    /// (`2025-03-01T00:00:00.123Z`, 24 bytes).
    pub(super) fn tick(&mut self, rng: &mut StdRng) -> String {
        self.ms += rng.random_range(1..=20);
        let t = chrono::DateTime::from_timestamp_millis(self.ms).expect("the clock stays in range");
        t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    }
}

/// A random (version 4) UUID in its 36-character text form.
pub(super) fn uuid(rng: &mut StdRng) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        write!(s, "{byte:02x}").expect("writing to a String");
    }
    s
}

/// `n` random lowercase hex digits.
pub(super) fn hex(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).expect("a hex digit"))
        .collect()
}

/// One of `items`, drawn with the weights given: real enums are skewed, and the skew is part
/// of why they compress.
pub(super) fn weighted<'a>(rng: &mut StdRng, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total);
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    items[items.len() - 1].0
}

/// One of `items`, uniformly.
pub(super) fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// A price in a currency's usual form, e.g. `129.99`.
pub(super) fn price(rng: &mut StdRng) -> String {
    let cents: u32 = rng.random_range(199..=49_999);
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Exactly `len` bytes of English words separated by spaces (the last one cut to fit).
pub(super) fn words(rng: &mut StdRng, len: usize, out: &mut String) {
    let end = out.len() + len;
    while out.len() < end {
        out.push_str(pick(rng, WORDS));
        out.push(' ');
    }
    out.truncate(end);
}
