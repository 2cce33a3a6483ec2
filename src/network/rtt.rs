//! The round trip through the proxy, measured before each run: a Kafka metadata request on
//! an established connection (librdkafka), which the proxy delays both ways, so it is what a
//! client's fetch pays on top of the broker's own time.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Result;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};

/// Metadata requests timed (after the warm-up ones that open the connections).
const TIMED_REQUESTS: usize = 5;

/// Requests that open the connections (bootstrap, then the broker's advertised address).
const WARMUP_REQUESTS: usize = 2;

/// The median of `TIMED_REQUESTS` metadata round trips to `bootstrap`, in ms.
pub fn measure_rtt_ms(
    bootstrap: &str,
    props: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<f64> {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    for (k, v) in props {
        config.set(k, v);
    }
    config.set("log_level", "3");
    let consumer: BaseConsumer = config.create()?;
    for _ in 0..WARMUP_REQUESTS {
        consumer.fetch_metadata(None, timeout)?;
    }
    let mut samples = Vec::with_capacity(TIMED_REQUESTS);
    for _ in 0..TIMED_REQUESTS {
        let started = Instant::now();
        consumer.fetch_metadata(None, timeout)?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(f64::total_cmp);
    Ok((samples[TIMED_REQUESTS / 2] * 1000.0).round() / 1000.0)
}
