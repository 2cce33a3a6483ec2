//! End-to-end latency of live runs: recorded by the consumer from each message's intended
//! send time, carried in HdrHistogram's V2 compressed format (what the Java and Python
//! drivers emit too).

use anyhow::{Context, Result};
use base64::Engine;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;

/// Highest latency tracked: one hour, in microseconds.
pub const HIGHEST_US: u64 = 3_600_000_000;

/// A histogram of latencies in microseconds, 3 significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("valid bounds")
}

/// The intended send time at the head of a kafkatune payload (µs since the epoch, u64 BE).
pub fn send_time_us(payload: &[u8]) -> Option<u64> {
    payload
        .get(..8)
        .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")))
}

/// Records latencies of messages sent at or after the end of the warm-up.
pub struct LatencyRecorder {
    warmup_end_us: u64,
    histogram: Histogram<u64>,
}

impl LatencyRecorder {
    pub fn new(warmup_end_us: u64) -> Self {
        Self {
            warmup_end_us,
            histogram: new_histogram(),
        }
    }

    /// A live group's warm-up end, known once the group is complete (the start file).
    pub fn set_warmup_end(&mut self, warmup_end_us: u64) {
        self.warmup_end_us = warmup_end_us;
    }

    /// `now_us`: when the poll handed this message to the application.
    pub fn record(&mut self, payload: &[u8], now_us: u64) {
        if let Some(sent) = send_time_us(payload).filter(|s| *s >= self.warmup_end_us) {
            self.histogram
                .saturating_record(now_us.saturating_sub(sent).max(1));
        }
    }

    /// Base64 of the V2 compressed encoding.
    pub fn encode(&self) -> Result<String> {
        encode(&self.histogram)
    }
}

pub fn encode(histogram: &Histogram<u64>) -> Result<String> {
    let mut bytes = Vec::new();
    V2DeflateSerializer::new()
        .serialize(histogram, &mut bytes)
        .map_err(|e| anyhow::anyhow!("encoding the latency histogram: {e:?}"))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

pub fn decode(text: &str) -> Result<Histogram<u64>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .context("latency_histogram is not base64")?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| anyhow::anyhow!("latency_histogram is not an HdrHistogram: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_from_the_payload_timestamp_and_round_trips() {
        let mut rec = LatencyRecorder::new(1_000);
        let mut payload = 2_000u64.to_be_bytes().to_vec();
        payload.extend([0u8; 92]);
        rec.record(&payload, 2_500); // 500 µs
        rec.record(&500u64.to_be_bytes(), 9_999); // sent in the warm-up: left out
        let h = decode(&rec.encode().unwrap()).unwrap();
        assert_eq!(h.len(), 1);
        assert!((h.value_at_quantile(0.5) as i64 - 500).abs() <= 1);
    }
}
