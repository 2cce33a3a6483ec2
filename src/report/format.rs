//! How numbers, metrics and trials are written in charts, tables and sentences.

use crate::results::{MetricSummary, Params};

use super::load::shown_value;

/// A metric's name for a reader, with its unit.
pub fn metric_label(metric: &str) -> String {
    let known = match metric {
        "throughput_msgs_per_s" => "throughput (msg/s)",
        "throughput_mib_per_s" => "throughput (MiB/s)",
        "cpu_s_per_million_msgs" => "CPU s per million msgs",
        "startup_s" => "start-up (s)",
        "consume_s" => "consume time (s)",
        "latency_p50_ms" => "p50 latency (ms)",
        "latency_p90_ms" => "p90 latency (ms)",
        "latency_p99_ms" => "p99 latency (ms)",
        "latency_p999_ms" => "p99.9 latency (ms)",
        "consume_rate_msgs_per_s" => "consume rate (msg/s)",
        "fetch_requests_per_s" => "fetch requests/s",
        "peak_rss_bytes" => "peak RSS (bytes)",
        "ack_latency_p50_ms" => "p50 ack latency (ms)",
        "ack_latency_p99_ms" => "p99 ack latency (ms)",
        "ack_latency_p999_ms" => "p99.9 ack latency (ms)",
        "compression_ratio" => "wire / payload bytes",
        "batch_size_avg_bytes" => "batch size (bytes)",
        "records_per_request_avg" => "records per request",
        "send_s" => "send time (s)",
        _ => return metric.replace('_', " "),
    };
    known.to_string()
}

/// A metric's unit as written after a number (`msg/s`, `ms`).
pub fn metric_unit(metric: &str) -> &'static str {
    if metric.ends_with("_msgs_per_s") {
        "msg/s"
    } else if metric.ends_with("_mib_per_s") {
        "MiB/s"
    } else if metric.ends_with("_ms") {
        "ms"
    } else if metric == "cpu_s_per_million_msgs" {
        "CPU s/M msgs"
    } else if metric.ends_with("_s") {
        "s"
    } else if metric.ends_with("_bytes") {
        "B"
    } else {
        ""
    }
}

/// A number short enough for a heatmap cell: three significant digits with k/M/G suffixes.
pub fn short(value: f64) -> String {
    let abs = value.abs();
    let (scaled, suffix) = match abs {
        a if a >= 1e9 => (value / 1e9, "G"),
        a if a >= 1e6 => (value / 1e6, "M"),
        a if a >= 1e4 => (value / 1e3, "k"),
        _ => (value, ""),
    };
    format!("{}{suffix}", significant(scaled, 3))
}

/// `value` with `digits` significant digits, without a trailing `.0`.
pub fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    format!("{value:.decimals$}")
}

/// `1.62M msg/s`: a value with its unit.
pub fn with_unit(value: f64, metric: &str) -> String {
    match metric_unit(metric) {
        "" => short(value),
        unit => format!("{} {unit}", short(value)),
    }
}

/// `[1.60M, 1.65M]`: the interval of a summary's median (its level is said beside it).
pub fn interval(s: &MetricSummary) -> String {
    format!("[{}, {}]", short(s.ci_low), short(s.ci_high))
}

/// `75% interval [1.60M, 1.65M]`: the interval of a summary's median with its level; `no
/// interval` for one run.
pub fn interval_at_level(s: &MetricSummary) -> String {
    match s.ci_level > 0.0 {
        true => format!(
            "{} interval {}",
            crate::stats::median_interval::level_text(s.ci_level),
            interval(s)
        ),
        false => "no interval".to_string(),
    }
}

/// A percentage like `14%`.
pub fn percent(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

/// The swept properties of a trial as `key=value` pairs, secrets masked.
pub fn swept_params(params: &Params, swept: &[String]) -> String {
    let pairs: Vec<String> = swept
        .iter()
        .filter_map(|k| params.get(k).map(|v| format!("{k}={}", shown_value(k, v))))
        .collect();
    if pairs.is_empty() {
        "(defaults)".to_string()
    } else {
        pairs.join(", ")
    }
}

/// Values of the swept properties only, for a compact chart label: `500/1024/100`.
pub fn swept_values(params: &Params, swept: &[String]) -> String {
    swept
        .iter()
        .map(|k| params.get(k).map_or("-", |v| shown_value(k, v)))
        .collect::<Vec<_>>()
        .join("/")
}

/// A heading's first letter in capitals: `P99 acknowledgement latency against throughput`.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A trial's swept settings other than the group's shape, `k=v, ...`; a consumer group takes
/// no share settings, so they do not tell its trials apart.
pub fn group_facet(params: &Params, kind: &str, swept: &[String]) -> String {
    params
        .iter()
        .filter(|(k, _)| {
            swept.contains(k)
                && *k != crate::clients::properties::CONSUMERS
                && *k != crate::clients::properties::share::GROUP_TYPE
        })
        .filter(|(k, _)| kind == "share" || !k.starts_with("share."))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1 consumer`, `4 consumers`.
pub fn consumers(n: u32) -> String {
    format!("{n} consumer{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short(1_623_456.0), "1.62M");
        assert_eq!(short(29_100.0), "29.1k");
        assert_eq!(short(4_321.0), "4321");
        assert_eq!(short(0.6), "0.600");
        assert_eq!(short(12.34), "12.3");
        assert_eq!(
            with_unit(1_623_456.0, "throughput_msgs_per_s"),
            "1.62M msg/s"
        );
        assert_eq!(with_unit(3.8, "latency_p99_ms"), "3.80 ms");
    }

    #[test]
    fn params_are_masked_and_ordered_as_swept() {
        let params: Params = [("b", "2"), ("a", "1"), ("ssl.key.password", "x")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let swept = vec![
            "b".to_string(),
            "a".to_string(),
            "ssl.key.password".to_string(),
        ];
        assert_eq!(
            swept_params(&params, &swept),
            "b=2, a=1, ssl.key.password=*****"
        );
        assert_eq!(swept_values(&params, &swept), "2/1/*****");
    }
}
