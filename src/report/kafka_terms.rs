//! Why a consumer or producer property matters or not, in Kafka's terms: the mechanism
//! behind a measured effect, for the properties whose mechanism kafkatune knows (producers:
//! [`producer`]).
//!
//! Sources (Apache Kafka): `ReplicaManager.fetchMessages` answers a fetch at once when the
//! readable bytes reach `fetch.min.bytes`, else parks a `DelayedFetch` in purgatory for up to
//! `fetch.max.wait.ms`; `max.poll.records` caps what `poll()` hands out of the fetch buffer
//! and does not change fetch sizes.

mod producer;

use crate::results::Mode;

/// A client's own spelling of a property kafkatune models, as its Kafka (Java) name:
/// `librdkafka.queue.buffering.max.ms` is `linger.ms`.
const ALIASES: &[(&str, &str)] = &[
    ("queue.buffering.max.ms", "linger.ms"),
    ("compression.codec", "compression.type"),
    ("request.required.acks", "acks"),
    ("max.in.flight", "max.in.flight.requests.per.connection"),
    ("fetch.wait.max.ms", "fetch.max.wait.ms"),
];

/// The Kafka name of a swept property: a client scope (`librdkafka.`) dropped and the
/// client's own spelling ([`ALIASES`]) translated.
pub fn kafka_name(property: &str) -> &str {
    let native = crate::clients::properties::scoped(property).map_or(property, |(_, n)| n);
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == native)
        .map_or(native, |(_, kafka)| kafka)
}

/// One or two sentences on how `property` acts in a sweep of `mode`, given whether it made a
/// measurable difference. Properties kafkatune knows nothing about get a generic sentence.
pub fn mechanism(property: &str, mode: Mode, measurable: bool) -> String {
    let named = kafka_name(property);
    let known = match (named, mode) {
        (p, Mode::Produce) => producer::mechanism(p, measurable),
        ("fetch.min.bytes", Mode::Drain) => Some(if measurable {
            "The broker answers a fetch once it holds `fetch.min.bytes` for it, and a backlog \
             holds far more, so a difference here means the larger values exceed what one \
             response can carry (`max.partition.fetch.bytes`, `fetch.max.bytes`): then every \
             fetch waits the full `fetch.max.wait.ms`."
        } else {
            "`fetch.min.bytes` cannot matter while draining a backlog, because the broker \
             already holds more than that when the fetch arrives and answers at once."
        }),
        ("fetch.min.bytes", Mode::Live) => Some(
            "When the consumer is caught up, the broker holds each fetch until \
             `fetch.min.bytes` have arrived or `fetch.max.wait.ms` passes: larger values mean \
             fewer, fuller fetches and, at low rates, up to `fetch.max.wait.ms` more latency.",
        ),
        ("fetch.max.wait.ms", Mode::Drain) => Some(if measurable {
            "`fetch.max.wait.ms` only bounds how long the broker holds a fetch short of \
             `fetch.min.bytes`; a difference while draining means fetches did wait, which \
             happens when `fetch.min.bytes` exceeds what one response can carry."
        } else {
            "`fetch.max.wait.ms` bounds how long the broker holds a fetch short of \
             `fetch.min.bytes`; while draining a backlog the bytes are already there, so \
             fetches return at once and the wait is never used."
        }),
        ("fetch.max.wait.ms", Mode::Live) => Some(
            "When caught up, a fetch that finds fewer than `fetch.min.bytes` waits up to \
             `fetch.max.wait.ms` in the broker's purgatory, so this bounds the latency added \
             by batching; with `fetch.min.bytes=1` any new record completes the fetch and the \
             wait hardly matters.",
        ),
        ("max.poll.records", Mode::Drain) => Some(
            "`max.poll.records` caps how many records one `poll()` hands out of the client's \
             fetch buffer (for librdkafka, the batch taken per call); it does not change fetch \
             sizes, so it acts only through per-poll overhead: small values mean many more \
             `poll()` calls for the same messages.",
        ),
        ("max.poll.records", Mode::Live) => Some(
            "When caught up, each `poll()` returns what arrived since the last one, usually \
             fewer records than the cap, so `max.poll.records` rarely binds; it does not \
             change fetch sizes.",
        ),
        ("max.partition.fetch.bytes", Mode::Drain) => Some(
            "`max.partition.fetch.bytes` caps the bytes one fetch response carries per \
             partition: with a backlog, larger values mean fewer round trips per message, \
             until the client's own processing rather than the round trip is the limit.",
        ),
        ("fetch.max.bytes", Mode::Drain) => Some(
            "`fetch.max.bytes` caps one fetch response across all partitions (the broker \
             still returns at least one batch): with a backlog, larger values mean fewer \
             round trips, until the client's own processing is the limit.",
        ),
        ("max.partition.fetch.bytes" | "fetch.max.bytes", Mode::Live) => Some(
            "When caught up, a fetch carries only what arrived during the wait, far below \
             this cap, so it rarely matters.",
        ),
        _ => None,
    };
    match known {
        Some(text) => text.to_string(),
        None => format!(
            "kafkatune has no model of how `{property}` acts; the measurements above are the \
             whole evidence."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_properties() {
        let drain = mechanism("fetch.min.bytes", Mode::Drain, false);
        assert!(drain.contains("cannot matter while draining a backlog"));
        let live = mechanism("fetch.max.wait.ms", Mode::Live, true);
        assert!(live.contains("purgatory"));
        let other = mechanism("check.crcs", Mode::Drain, true);
        assert!(other.contains("no model of how `check.crcs` acts"));
    }

    #[test]
    fn client_spellings_are_the_kafka_property() {
        assert_eq!(kafka_name("librdkafka.queue.buffering.max.ms"), "linger.ms");
        assert_eq!(kafka_name("queue.buffering.max.ms"), "linger.ms");
        assert_eq!(kafka_name("java.compression.type"), "compression.type");
        assert_eq!(kafka_name("batch.num.messages"), "batch.num.messages");
        assert_eq!(kafka_name("fetch.wait.max.ms"), "fetch.max.wait.ms");
    }

    #[test]
    fn producer_properties_in_a_produce_sweep() {
        let linger = mechanism("linger.ms", Mode::Produce, true);
        assert!(linger.contains("`RecordAccumulator`") && linger.contains("Kafka 4.0"));
        let alias = mechanism("librdkafka.queue.buffering.max.ms", Mode::Produce, true);
        assert_eq!(alias, linger);
        let acks = mechanism("acks", Mode::Produce, false);
        assert!(acks.contains("every replica in the in-sync set"), "{acks}");
        assert!(
            acks.contains("not the number it waits for")
                || acks.contains("smallest set it accepts")
        );
        for p in [
            "batch.size",
            "batch.num.messages",
            "compression.type",
            "max.in.flight.requests.per.connection",
            "enable.idempotence",
        ] {
            for measurable in [true, false] {
                let text = mechanism(p, Mode::Produce, measurable);
                assert!(!text.contains("no model"), "{p}: {text}");
            }
        }
        // A property kafkatune has no model of, and a consumer property, get the generic one.
        assert!(mechanism("retries", Mode::Produce, true).contains("no model of how `retries`"));
        assert!(mechanism("fetch.min.bytes", Mode::Produce, true).contains("no model"));
    }
}
