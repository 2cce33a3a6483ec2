//! Message payloads that compress like real data (issue 14, item 2).
//!
//! A filler of repeated bytes compresses to nothing under every codec, so producer
//! compression could not be judged. A [`Payload`] holds a pool of distinct bodies, either
//! generated ([`PayloadKind`]: JSON events, log text, random bytes, zeros) or read from the
//! user's sample file ([`FileFormat`]), and stamps each value with its send time:
//! every value starts with the intended send time, 8 bytes, big-endian microseconds since
//! the Unix epoch (`docs/driver-protocol.md`, "Message payload"), and the body follows.
//!
//! The pool is built once, before any message is sent; [`Payload::fill`] only copies, so the
//! producer's hot path (over a million messages per second) allocates nothing.

mod compress;
mod draw;
mod file;
mod generate;
mod info;
mod json;
mod text;
mod vocab;

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::{Deserialize, Serialize};

pub use compress::{Compressibility, DEFAULT_BATCH_BYTES};
pub use info::PayloadInfo;

/// Bytes of the send-time stamp at the start of every value.
pub const STAMP_BYTES: usize = 8;

/// The largest record accepted from a sample file, as the largest `--message-size`.
pub const MAX_RECORD_BYTES: usize = 10 * 1024 * 1024;

/// The seed of the built-in generators unless one is given: the same workload gives the
/// same bytes on every run, so results stay comparable.
pub const DEFAULT_SEED: u64 = 0x6b61_666b_6174_756e; // "kafkatun"

/// Bytes of distinct bodies a generated pool aims at. Above librdkafka's largest usual
/// batch (`batch.size` 1,000,000 in our producer) with margin, so one record batch never
/// holds the same body twice and compresses no better than a real stream would.
const POOL_TARGET_BYTES: usize = 4 * 1024 * 1024;
/// Fewest bodies in a generated pool (large messages: a batch holds one or two anyway).
const POOL_MIN_RECORDS: usize = 3;
/// Most bodies in a generated pool (tiny messages: distinctness stops mattering).
const POOL_MAX_RECORDS: usize = 262_143;

/// A built-in generator (`--payload-kind`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum PayloadKind {
    /// JSON events: field names, ids, timestamps, enums, numbers, a nested object.
    #[default]
    Json,
    /// Application log lines in English.
    Text,
    /// Random bytes: the incompressible bound.
    Random,
    /// Zero bytes: the constant, compressible to nothing.
    Zeros,
}

impl PayloadKind {
    /// The name used on the command line and in results.
    pub fn name(self) -> &'static str {
        match self {
            PayloadKind::Json => "json",
            PayloadKind::Text => "text",
            PayloadKind::Random => "random",
            PayloadKind::Zeros => "zeros",
        }
    }
}

/// How a sample file (`--payload FILE`) is split into records.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum FileFormat {
    /// One record per line; the line end (`\n` or `\r\n`) is stripped, empty lines skipped.
    #[default]
    Lines,
    /// Records each preceded by its length, 4 bytes big-endian.
    LengthPrefixed,
}

impl FileFormat {
    /// The name used on the command line and in results.
    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Lines => "lines",
            FileFormat::LengthPrefixed => "length-prefixed",
        }
    }
}

/// Where a payload's bodies come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadSource {
    /// A built-in generator and its seed.
    Generated { kind: PayloadKind, seed: u64 },
    /// The user's sample file, its format and the SHA-256 of its bytes (lowercase hex).
    File {
        path: PathBuf,
        format: FileFormat,
        sha256: String,
    },
}

/// A pool of distinct message bodies, cycled to any message count.
#[derive(Debug, Clone)]
pub struct Payload {
    source: PayloadSource,
    /// Stamp bytes written before each body: 8, or fewer for a generated `--message-size`
    /// below 8 (drain mode allows it; the stamp is then cut, as before this module).
    stamp_len: usize,
    /// Every body, back to back: one allocation, read sequentially.
    data: Vec<u8>,
    /// Body `i` is `data[offsets[i]..offsets[i + 1]]`; `offsets.len()` is bodies + 1.
    offsets: Vec<usize>,
}

impl Payload {
    /// Generates a pool of bodies of `kind`, each value exactly `message_size` bytes with
    /// the stamp, deterministically from `seed`.
    pub fn generate(kind: PayloadKind, message_size: u32, seed: u64) -> Payload {
        let size = message_size as usize;
        let body_len = size.saturating_sub(STAMP_BYTES);
        let records = pool_records(size);
        let (data, offsets) = generate::bodies(kind, body_len, records, seed);
        Payload {
            source: PayloadSource::Generated { kind, seed },
            stamp_len: size.min(STAMP_BYTES),
            data,
            offsets,
        }
    }

    /// Reads the user's sample records from `path`. Each value is the stamp and one record,
    /// unpadded and uncut. Errors (unreadable, empty, no records, a truncated or oversized
    /// record) are usage errors naming the file and what to do.
    pub fn from_file(path: &Path, format: FileFormat) -> Result<Payload> {
        let loaded = file::load(path, format)?;
        Ok(Payload {
            source: PayloadSource::File {
                path: path.to_path_buf(),
                format,
                sha256: loaded.sha256,
            },
            stamp_len: STAMP_BYTES,
            data: loaded.data,
            offsets: loaded.offsets,
        })
    }

    /// Where the bodies come from.
    pub fn source(&self) -> &PayloadSource {
        &self.source
    }

    /// Distinct bodies in the pool (never 0).
    pub fn records(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The body of message `index` (the pool cycled), without the stamp.
    pub fn body(&self, index: u64) -> &[u8] {
        let i = (index % self.records() as u64) as usize;
        &self.data[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Writes message `index`'s value into `buf`: the stamp, then the body. Allocates only
    /// while `buf` is smaller than [`Payload::max_value_len`].
    #[inline]
    pub fn fill(&self, index: u64, send_time_us: u64, buf: &mut Vec<u8>) {
        buf.clear();
        buf.extend_from_slice(&send_time_us.to_be_bytes()[..self.stamp_len]);
        buf.extend_from_slice(self.body(index));
    }

    /// Writes every body, length-prefixed (4 bytes big-endian, then the bytes): the payload
    /// file a producer driver cycles through (docs/driver-protocol.md, "Producer runs").
    pub fn write_bodies(&self, path: &Path) -> std::io::Result<()> {
        let mut out = Vec::with_capacity(self.data.len() + 4 * self.records());
        for i in 0..self.records() as u64 {
            let body = self.body(i);
            out.extend_from_slice(&(body.len() as u32).to_be_bytes());
            out.extend_from_slice(body);
        }
        std::fs::write(path, out)
    }

    /// The size of message `index`'s value in bytes.
    pub fn value_len(&self, index: u64) -> usize {
        self.stamp_len + self.body(index).len()
    }

    /// The largest value in the pool: the capacity that makes [`Payload::fill`] allocation-free.
    pub fn max_value_len(&self) -> usize {
        let longest = self
            .offsets
            .windows(2)
            .map(|w| w[1] - w[0])
            .max()
            .unwrap_or(0);
        self.stamp_len + longest
    }

    /// Total bytes of the values of messages `0..count`, what the topic will hold.
    pub fn bytes_for(&self, count: u64) -> u64 {
        let n = self.records() as u64;
        let per_cycle = (self.data.len() + self.records() * self.stamp_len) as u64;
        let rest = (count % n) as usize;
        let partial = (self.offsets[rest] + rest * self.stamp_len) as u64;
        count / n * per_cycle + partial
    }

    /// Mean value size over the pool in bytes, stamp included.
    pub fn value_bytes_avg(&self) -> f64 {
        self.bytes_for(self.records() as u64) as f64 / self.records() as f64
    }

    /// Measures how the values compress in record batches of about `batch_bytes`
    /// ([`DEFAULT_BATCH_BYTES`] is the Java producer's default `batch.size`).
    pub fn compressibility(&self, batch_bytes: usize) -> Compressibility {
        compress::measure(self, batch_bytes)
    }
}

/// Bodies in a generated pool: about [`POOL_TARGET_BYTES`] of them, and an odd count, so
/// that messages dealt round-robin over a power-of-two number of partitions still visit
/// every body in each partition (an even pool would give each partition only a share).
fn pool_records(message_size: usize) -> usize {
    let n = POOL_TARGET_BYTES / message_size.max(1);
    n.clamp(POOL_MIN_RECORDS, POOL_MAX_RECORDS) | 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    const KINDS: [PayloadKind; 4] = [
        PayloadKind::Json,
        PayloadKind::Text,
        PayloadKind::Random,
        PayloadKind::Zeros,
    ];

    fn stamp(value: &[u8]) -> u64 {
        u64::from_be_bytes(value[..8].try_into().unwrap())
    }

    #[test]
    fn every_generated_value_is_exactly_the_message_size() {
        for kind in KINDS {
            // Every size the fitting logic treats differently, on a few bodies each...
            for body_len in (0..120).chain([300, 999, 4096, 65_536]) {
                let (data, offsets) = generate::bodies(kind, body_len, 20, DEFAULT_SEED);
                assert!(
                    offsets.windows(2).all(|w| w[1] - w[0] == body_len),
                    "{kind:?} body {body_len}"
                );
                assert_eq!(data.len(), 20 * body_len);
            }
            // ...and whole pools, stamp included.
            for size in [1, 8, 100, 1 << 20] {
                let p = Payload::generate(kind, size, DEFAULT_SEED);
                let mut buf = Vec::new();
                for i in 0..p.records() as u64 {
                    p.fill(i, 42, &mut buf);
                    assert_eq!(buf.len(), size as usize, "{kind:?} size {size} value {i}");
                    assert_eq!(p.value_len(i), size as usize);
                }
                assert_eq!(p.max_value_len(), size as usize);
                assert_eq!(p.value_bytes_avg(), f64::from(size));
            }
        }
    }

    #[test]
    fn the_stamp_leads_and_the_body_follows_untouched() {
        for kind in KINDS {
            let p = Payload::generate(kind, 100, DEFAULT_SEED);
            let mut buf = Vec::new();
            p.fill(5, 0x0102_0304_0506_0708, &mut buf);
            assert_eq!(&buf[..8], &[1, 2, 3, 4, 5, 6, 7, 8]);
            assert_eq!(&buf[8..], p.body(5));
            p.fill(5, u64::MAX, &mut buf);
            assert_eq!(stamp(&buf), u64::MAX);
            assert_eq!(
                &buf[8..],
                p.body(5),
                "{kind:?}: the stamp must not change the body"
            );
        }
        // Below 8 bytes the stamp is cut, as drain mode always did.
        let p = Payload::generate(PayloadKind::Json, 4, DEFAULT_SEED);
        let mut buf = Vec::new();
        p.fill(0, 0x0102_0304_0506_0708, &mut buf);
        assert_eq!(buf, [1, 2, 3, 4]);
    }

    #[test]
    fn the_seed_decides_the_bytes() {
        for kind in KINDS {
            let a = Payload::generate(kind, 1000, 1);
            assert_eq!(a.data, Payload::generate(kind, 1000, 1).data, "{kind:?}");
            if kind != PayloadKind::Zeros {
                assert_ne!(a.data, Payload::generate(kind, 1000, 2).data, "{kind:?}");
            }
        }
    }

    #[test]
    fn generated_pools_hold_megabytes_of_distinct_bodies() {
        // (Below ~50 bytes a JSON body cannot hold a distinct field, so sizes start at 100.)
        for size in [100, 1000, 100_000, 10 << 20] {
            let p = Payload::generate(PayloadKind::Json, size, DEFAULT_SEED);
            assert_eq!(
                p.records() % 2,
                1,
                "an odd pool visits every body in each of 2^k partitions"
            );
            let bodies: std::collections::HashSet<&[u8]> =
                (0..p.records() as u64).map(|i| p.body(i)).collect();
            assert_eq!(bodies.len(), p.records(), "size {size}: bodies repeat");
            assert!(
                p.bytes_for(p.records() as u64) >= (4 << 20).min(3 * u64::from(size)),
                "size {size}"
            );
        }
    }

    #[test]
    fn the_pool_cycles_and_bytes_add_up() {
        let p = Payload::generate(PayloadKind::Text, 1000, DEFAULT_SEED);
        let n = p.records() as u64;
        assert_eq!(p.body(3), p.body(3 + n));
        assert_eq!(p.body(3), p.body(3 + 7 * n));
        assert_eq!(p.bytes_for(0), 0);
        assert_eq!(p.bytes_for(2 * n + 5), (2 * n + 5) * 1000);
    }

    #[test]
    fn file_records_are_cycled_and_stamped_without_padding() {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), "{\"a\":1}\nsecond record\nz\n").unwrap();
        let p = Payload::from_file(f.path(), FileFormat::Lines).unwrap();
        assert_eq!(p.records(), 3);
        let mut buf = Vec::new();
        let expected: [&[u8]; 4] = [b"{\"a\":1}", b"second record", b"z", b"{\"a\":1}"];
        for (i, record) in expected.iter().enumerate() {
            p.fill(i as u64, 7, &mut buf);
            assert_eq!(stamp(&buf), 7);
            assert_eq!(&buf[8..], *record);
        }
        assert_eq!(p.max_value_len(), 8 + 13);
        assert_eq!(p.bytes_for(4), 8 * 4 + 7 + 13 + 1 + 7);
        assert_eq!(p.value_bytes_avg(), (15.0 + 21.0 + 9.0) / 3.0);
    }

    #[test]
    fn filling_is_far_faster_than_the_producer_sends() {
        for (kind, size) in [
            (PayloadKind::Json, 100),
            (PayloadKind::Json, 1000),
            (PayloadKind::Random, 100),
        ] {
            let started = Instant::now();
            let p = Payload::generate(kind, size, DEFAULT_SEED);
            let generated = started.elapsed();
            let mut buf = Vec::with_capacity(p.max_value_len());
            let capacity = buf.capacity();
            let n = 1_000_000u64;
            let started = Instant::now();
            let mut check = 0u64;
            for i in 0..n {
                p.fill(i, i, &mut buf);
                check = check.wrapping_add(u64::from(buf[buf.len() - 1]));
            }
            let rate = n as f64 / started.elapsed().as_secs_f64();
            println!(
                "{kind:?} {size} B: pool of {} built in {:.0} ms; fill {:.1} M values/s (checksum {check})",
                p.records(),
                generated.as_secs_f64() * 1e3,
                rate / 1e6
            );
            assert_eq!(buf.capacity(), capacity, "fill must not reallocate");
            // The producer sends ~1 M msg/s. A release build fills tens of millions per
            // second; this debug build, sharing the cores with other tests, only has to show
            // that nothing slow (an allocation, a generator) crept into the hot path.
            assert!(rate > 5e5, "{kind:?} {size} B: only {rate:.0} values/s");
        }
    }
}
