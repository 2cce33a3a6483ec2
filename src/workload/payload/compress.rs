//! How well a payload compresses the way Kafka compresses it: whole record batches, not
//! single records, so what repeats from one record to the next (field names, enums, close
//! timestamps) counts, as it does on the wire and on disk.

use std::io::Write as _;

use serde::{Deserialize, Serialize};

use super::Payload;

/// The Java producer's default `batch.size` (16384 bytes): the batch most Kafka data is
/// compressed in. librdkafka batches up to 1,000,000 bytes and compresses better.
pub const DEFAULT_BATCH_BYTES: usize = 16_384;

/// zstd level 3: Kafka's default `compression.zstd.level` (and zstd's own default).
const ZSTD_LEVEL: i32 = 3;

/// The most value bytes measured: enough batches for a stable ratio, quick to compress.
const MEASURE_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Send times stamped on the measured values: a fixed start, 10 µs apart (100,000 msg/s),
/// so the stamps compress as a real run's would and the figures are reproducible.
const STAMP_START_US: u64 = 1_740_787_200_000_000;
const STAMP_STEP_US: u64 = 10;

/// Compressed and uncompressed sizes of a payload's values, batch by batch.
///
/// Only the values are measured, not Kafka's per-record framing (a few varint bytes per
/// record, which compress well), so the ratios slightly understate Kafka's savings on small
/// records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compressibility {
    /// The batch size aimed at, in bytes: values are added while they fit (a value larger
    /// than this makes a batch of its own, as in Kafka).
    pub batch_bytes: usize,
    /// Batches compressed.
    pub batches: usize,
    /// Value bytes measured, stamps included.
    pub uncompressed_bytes: u64,
    /// Those bytes as lz4 frames, one per batch (lz4_flex, fast mode: librdkafka's default;
    /// the Java client defaults to the slower LZ4HC level 9 and compresses a little better).
    pub lz4_bytes: u64,
    /// Those bytes as zstd frames at level 3, one per batch.
    pub zstd_bytes: u64,
}

impl Compressibility {
    /// lz4 compressed / uncompressed bytes; below 1 compresses, above 1 grew.
    pub fn lz4_ratio(&self) -> f64 {
        self.lz4_bytes as f64 / self.uncompressed_bytes.max(1) as f64
    }

    /// zstd compressed / uncompressed bytes; below 1 compresses, above 1 grew.
    pub fn zstd_ratio(&self) -> f64 {
        self.zstd_bytes as f64 / self.uncompressed_bytes.max(1) as f64
    }
}

/// Compresses the payload's values in batches of about `batch_bytes`. Covers the pool once
/// (cycled further if it is smaller than one batch, as the topic will be), up to
/// [`MEASURE_MAX_BYTES`].
pub(super) fn measure(payload: &Payload, batch_bytes: usize) -> Compressibility {
    let batch_bytes = batch_bytes.max(1);
    let pool_bytes = payload.bytes_for(payload.records() as u64) as usize;
    let target = pool_bytes.clamp(batch_bytes.min(MEASURE_MAX_BYTES), MEASURE_MAX_BYTES);
    let mut zstd = zstd::bulk::Compressor::new(ZSTD_LEVEL).expect("a zstd context at level 3");
    let mut c = Compressibility {
        batch_bytes,
        batches: 0,
        uncompressed_bytes: 0,
        lz4_bytes: 0,
        zstd_bytes: 0,
    };
    let mut batch = Vec::with_capacity(batch_bytes + payload.max_value_len());
    let mut value = Vec::with_capacity(payload.max_value_len());
    let mut index = 0u64;
    // Values of 0 bytes (`--message-size 0`) would never fill a batch: nothing to measure.
    while pool_bytes > 0 && (c.uncompressed_bytes as usize) < target {
        batch.clear();
        // At least one value per batch, even one bigger than the batch.
        loop {
            payload.fill(index, STAMP_START_US + index * STAMP_STEP_US, &mut value);
            if !batch.is_empty() && batch.len() + value.len() > batch_bytes {
                break;
            }
            batch.extend_from_slice(&value);
            index += 1;
            if batch.len() >= batch_bytes || c.uncompressed_bytes as usize + batch.len() >= target {
                break;
            }
        }
        c.batches += 1;
        c.uncompressed_bytes += batch.len() as u64;
        c.lz4_bytes += lz4_frame_len(&batch);
        c.zstd_bytes += zstd
            .compress(&batch)
            .expect("zstd compresses into a Vec")
            .len() as u64;
    }
    c
}

/// The size of `data` as one lz4 frame (the format Kafka's lz4 codec writes).
fn lz4_frame_len(data: &[u8]) -> u64 {
    let mut enc = lz4_flex::frame::FrameEncoder::new(Vec::with_capacity(data.len() / 2 + 64));
    enc.write_all(data).expect("lz4 writes into a Vec");
    enc.finish().expect("lz4 finishes into a Vec").len() as u64
}

#[cfg(test)]
mod tests {
    use super::super::{PayloadKind, DEFAULT_SEED};
    use super::*;

    fn ratios(kind: PayloadKind, size: u32) -> Compressibility {
        Payload::generate(kind, size, DEFAULT_SEED).compressibility(DEFAULT_BATCH_BYTES)
    }

    #[test]
    fn batches_are_about_the_batch_size() {
        let c = ratios(PayloadKind::Json, 100);
        assert!(c.uncompressed_bytes >= MEASURE_MAX_BYTES as u64 - 16_384);
        let per_batch = c.uncompressed_bytes / c.batches as u64;
        assert!(
            (16_000..=16_384).contains(&per_batch),
            "{per_batch} bytes per batch"
        );
        // A value bigger than the batch is a batch of its own.
        let big = ratios(PayloadKind::Random, 100_000);
        assert_eq!(big.uncompressed_bytes / big.batches as u64, 100_000);
    }

    #[test]
    fn compression_follows_the_content() {
        println!(
            "kind     size    lz4    zstd   (ratio = compressed / uncompressed, 16 KiB batches)"
        );
        for size in [100, 300, 1000] {
            let [zeros, text, json, random] = [
                PayloadKind::Zeros,
                PayloadKind::Text,
                PayloadKind::Json,
                PayloadKind::Random,
            ]
            .map(|k| ratios(k, size));
            for (name, c) in [
                ("zeros", zeros),
                ("text", text),
                ("json", json),
                ("random", random),
            ] {
                println!(
                    "{name:<8} {size:>5}  {:.3}  {:.3}",
                    c.lz4_ratio(),
                    c.zstd_ratio()
                );
            }
            for r in [Compressibility::lz4_ratio, Compressibility::zstd_ratio] {
                assert!(r(&zeros) < r(&json) && r(&json) < r(&random), "size {size}");
                assert!(r(&zeros) < r(&text) && r(&text) < r(&random), "size {size}");
                // Random bodies are incompressible; only the 8-byte stamps shrink (their
                // high bytes barely change), so the bound is 1 less the stamps' share.
                let bound = 0.98 - 8.0 / f64::from(size);
                assert!(
                    r(&random) >= bound,
                    "size {size}: random compressed to {}",
                    r(&random)
                );
            }
            assert!(zeros.zstd_ratio() < 0.03, "size {size}");
            if size >= 1000 {
                assert!(
                    random.lz4_ratio() >= 0.98 && random.zstd_ratio() >= 0.98,
                    "{random:?}"
                );
            }
            // Event streams: zstd keeps 10-50 % of JSON events at 16 KiB batches, lz4 more.
            assert!(
                (0.1..0.5).contains(&json.zstd_ratio()),
                "size {size}: json zstd {}",
                json.zstd_ratio()
            );
            assert!(
                (0.15..0.7).contains(&json.lz4_ratio()),
                "size {size}: json lz4 {}",
                json.lz4_ratio()
            );
            assert!(json.zstd_ratio() < json.lz4_ratio(), "size {size}");
        }
    }
}
