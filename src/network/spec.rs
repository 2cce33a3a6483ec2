//! What users type for the network between the clients and the brokers: `--network
//! latency=20ms,jitter=2ms,bandwidth=100mbit`, and the same settings swept one by one
//! (`--param network.latency=0ms,2ms,20ms`). Both become the pseudo-properties
//! `network.latency`, `network.jitter`, `network.bandwidth` of every trial, which are never
//! passed to a client (like `consumers`).
//!
//! `latency` is **one way**: the proxy delays each direction by it, so `latency=10ms` gives a round trip of about 20 ms (measured and
//! recorded as `network_rtt_ms` with every run). The figures speak of round trips:
//! "20 ms round trip" is `latency=10ms` here.

use crate::results::Params;

/// The pseudo-properties, by the name `--param` takes.
pub const LATENCY: &str = "network.latency";
pub const JITTER: &str = "network.jitter";
pub const BANDWIDTH: &str = "network.bandwidth";

/// Every network pseudo-property.
pub const PARAMS: [&str; 3] = [LATENCY, JITTER, BANDWIDTH];

/// The largest one-way delay taken, in ms (a minute's round trip is no network a Kafka
/// client is deployed over).
pub const MAX_LATENCY_MS: u64 = 30_000;

/// The smallest bandwidth taken, 1 KB/s (8 kbit/s): below it a Kafka request of a few KB
/// would take seconds to leave, slower than any link a Kafka client is deployed over.
pub const MIN_BANDWIDTH_BYTES_PER_S: u64 = 1000;

/// Whether `name` is one of kafkatune's network pseudo-properties (or looks like one).
pub fn is_network_param(name: &str) -> bool {
    name.starts_with("network.")
}

/// The network of one trial: what the proxy in front of every broker adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NetworkSettings {
    /// Added to each direction (client to broker, broker to client), in ms.
    pub latency_one_way_ms: u64,
    /// Each chunk's delay varies by up to this much either side of the latency, in ms.
    pub jitter_ms: u64,
    /// Each direction of each connection is held to this rate, in bytes per second.
    pub bandwidth_bytes_per_s: Option<u64>,
}

impl NetworkSettings {
    /// The settings a trial's properties carry (absent ones: none added).
    pub fn from_params(params: &Params) -> Result<NetworkSettings, String> {
        let mut s = NetworkSettings::default();
        if let Some(v) = params.get(LATENCY) {
            s.latency_one_way_ms = parse_millis(v).map_err(|e| format!("{LATENCY}={v}: {e}"))?;
        }
        if let Some(v) = params.get(JITTER) {
            s.jitter_ms = parse_millis(v).map_err(|e| format!("{JITTER}={v}: {e}"))?;
        }
        if let Some(v) = params.get(BANDWIDTH) {
            s.bandwidth_bytes_per_s =
                parse_bandwidth(v).map_err(|e| format!("{BANDWIDTH}={v}: {e}"))?;
        }
        if s.jitter_ms > s.latency_one_way_ms {
            return Err(format!(
                "{JITTER} ({} ms) is larger than {LATENCY} ({} ms): a delay cannot go below zero; give a jitter of at most the latency",
                s.jitter_ms, s.latency_one_way_ms
            ));
        }
        Ok(s)
    }

    /// Whether it adds nothing (the proxy passes bytes through as they come).
    pub fn is_direct(&self) -> bool {
        self.latency_one_way_ms == 0 && self.jitter_ms == 0 && self.bandwidth_bytes_per_s.is_none()
    }
}

/// `--network latency=20ms,jitter=2ms,bandwidth=100mbit` as pseudo-properties, checked.
pub fn parse_network_option(spec: &str) -> Result<Params, String> {
    let mut params = Params::new();
    for item in spec.split(',').map(str::trim) {
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!(
                "`{item}`: expected KEY=VALUE, e.g. --network latency=10ms,jitter=1ms,bandwidth=100mbit"
            ));
        };
        let name = match key.trim() {
            "latency" => LATENCY,
            "jitter" => JITTER,
            "bandwidth" => BANDWIDTH,
            other => {
                return Err(format!(
                    "`{other}` is not a network setting: use latency, jitter or bandwidth"
                ))
            }
        };
        validate_value(name, value.trim())?;
        if params
            .insert(name.to_string(), value.trim().to_string())
            .is_some()
        {
            return Err(format!("`{}` is given twice: keep one", key.trim()));
        }
    }
    NetworkSettings::from_params(&params)?;
    Ok(params)
}

/// Checks one value of a network pseudo-property; the error says what is allowed.
pub fn validate_value(name: &str, value: &str) -> Result<(), String> {
    match name {
        LATENCY | JITTER => parse_millis(value).map(|_| ()),
        BANDWIDTH => parse_bandwidth(value).map(|_| ()),
        other => Err(format!(
            "`{other}` is not a network setting: kafkatune knows {}",
            PARAMS.join(", ")
        )),
    }
}

/// `20ms`, `1s`, `0` (whole milliseconds: finer delays are below what the proxy's sleeping
/// threads hold on a busy machine).
pub fn parse_millis(value: &str) -> Result<u64, String> {
    let v = value.trim();
    let hint = "give whole milliseconds such as 0ms, 2ms, 20ms (or seconds: 1s)";
    if v.starts_with('-') {
        return Err(format!("a delay cannot be negative; {hint}"));
    }
    let (number, scale) = if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else if v == "0" {
        ("0", 1.0)
    } else {
        return Err(format!("`{v}` has no unit; {hint}"));
    };
    let x: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{v}` is not a duration; {hint}"))?;
    let ms = x * scale;
    if !ms.is_finite() || ms < 0.0 {
        return Err(format!("`{v}` is not a duration; {hint}"));
    }
    if ms.fract() != 0.0 {
        return Err(format!(
            "`{v}` is not a whole number of milliseconds; {hint}"
        ));
    }
    if ms > MAX_LATENCY_MS as f64 {
        return Err(format!("`{v}` is more than {MAX_LATENCY_MS} ms; {hint}"));
    }
    Ok(ms as u64)
}

/// `100mbit`, `1gbit`, `500kbit` (bits per second, powers of 1000, as `tc` spells them),
/// or `none` (no limit). In bytes per second.
pub fn parse_bandwidth(value: &str) -> Result<Option<u64>, String> {
    let v = value.trim().to_ascii_lowercase();
    let hint = "give bits per second such as 500kbit, 100mbit, 1gbit, or none for no limit";
    if v == "none" {
        return Ok(None);
    }
    if v.starts_with('-') {
        return Err(format!("a bandwidth cannot be negative; {hint}"));
    }
    let units = [("kbit", 1e3), ("mbit", 1e6), ("gbit", 1e9)];
    let Some((number, bits)) = units
        .iter()
        .find_map(|(unit, scale)| v.strip_suffix(unit).map(|n| (n, *scale)))
    else {
        return Err(format!("`{value}` has no unit; {hint}"));
    };
    let x: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{value}` is not a bandwidth; {hint}"))?;
    let bytes = (x * bits / 8.0).round();
    if !bytes.is_finite() || bytes < MIN_BANDWIDTH_BYTES_PER_S as f64 {
        return Err(format!(
            "`{value}` is below the smallest rate taken (1 KB/s = 8kbit); {hint}"
        ));
    }
    Ok(Some(bytes as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millis_take_whole_ms_and_seconds() {
        assert_eq!(parse_millis("20ms"), Ok(20));
        assert_eq!(parse_millis("0ms"), Ok(0));
        assert_eq!(parse_millis("0"), Ok(0));
        assert_eq!(parse_millis("1.5s"), Ok(1500));
        assert!(parse_millis("-1ms").unwrap_err().contains("negative"));
        assert!(parse_millis("20").unwrap_err().contains("no unit"));
        assert!(parse_millis("0.5ms").unwrap_err().contains("whole number"));
        assert!(parse_millis("fast").unwrap_err().contains("no unit"));
        assert!(parse_millis("xms").unwrap_err().contains("not a duration"));
        assert!(parse_millis("31s").unwrap_err().contains("more than"));
    }

    #[test]
    fn bandwidth_in_bits_per_second() {
        assert_eq!(parse_bandwidth("100mbit"), Ok(Some(12_500_000)));
        assert_eq!(parse_bandwidth("1Gbit"), Ok(Some(125_000_000)));
        assert_eq!(parse_bandwidth("8kbit"), Ok(Some(1000)));
        assert_eq!(parse_bandwidth("none"), Ok(None));
        assert!(parse_bandwidth("4kbit").unwrap_err().contains("smallest"));
        assert!(parse_bandwidth("100").unwrap_err().contains("no unit"));
        assert!(parse_bandwidth("-1mbit").unwrap_err().contains("negative"));
    }

    #[test]
    fn the_option_becomes_pseudo_properties() {
        let p = parse_network_option("latency=10ms, jitter=1ms,bandwidth=100mbit").unwrap();
        assert_eq!(p.get(LATENCY).map(String::as_str), Some("10ms"));
        assert_eq!(p.get(JITTER).map(String::as_str), Some("1ms"));
        let s = NetworkSettings::from_params(&p).unwrap();
        assert_eq!(
            s,
            NetworkSettings {
                latency_one_way_ms: 10,
                jitter_ms: 1,
                bandwidth_bytes_per_s: Some(12_500_000)
            }
        );
        assert!(!s.is_direct());
        assert!(parse_network_option("latency=-1ms")
            .unwrap_err()
            .contains("negative"));
        assert!(parse_network_option("delay=1ms")
            .unwrap_err()
            .contains("latency, jitter or bandwidth"));
        assert!(parse_network_option("latency")
            .unwrap_err()
            .contains("KEY=VALUE"));
        assert!(parse_network_option("latency=1ms,latency=2ms")
            .unwrap_err()
            .contains("twice"));
        assert!(parse_network_option("latency=1ms,jitter=2ms")
            .unwrap_err()
            .contains("at most the latency"));
        assert!(NetworkSettings::from_params(&Params::new())
            .unwrap()
            .is_direct());
    }
}
