//! Network distance (`--network`): every client reaches the embedded broker through
//! kafkatune's delay proxy; each of these sweeps starts its own embedded broker behind one.

use kafkatune::results::RunRecord;

use crate::{kafkatune, sweep_ok};

/// The run of `client` whose `param` is `value`.
fn run_of<'a>(recs: &'a [RunRecord], client: &str, param: &str, value: &str) -> &'a RunRecord {
    recs.iter()
        .find(|r| r.client == client && r.params.get(param).map(String::as_str) == Some(value))
        .unwrap_or_else(|| panic!("no {client} run with {param}={value}"))
}

/// At 10 ms each way, on a topic written in batches of at most 16 KiB (the fill's default
/// batch.size), a 64 KiB fetch carries about 64 KiB per round trip, and a 1 MiB fetch many
/// times more: the fetch size bounds the throughput, for librdkafka and Java alike.
#[test]
fn far_from_the_broker_the_fetch_size_bounds_the_throughput() {
    let dir = tempfile::tempdir().unwrap();
    let messages = 30_000;
    let mut sweep = kafkatune();
    sweep.args([
        "sweep",
        "--network",
        "latency=10ms",
        "--param",
        "max.partition.fetch.bytes=65536,1048576",
        "--client",
        "librdkafka,java",
        "--messages",
        &messages.to_string(),
        "--repeat",
        "1",
        "--no-report",
    ]);
    let (recs, printed) = sweep_ok(&mut sweep, &dir.path().join("s"), messages);
    assert!(
        printed.contains("through kafkatune's delay proxy"),
        "{printed}"
    );
    for client in ["librdkafka", "java"] {
        let small = run_of(&recs, client, "max.partition.fetch.bytes", "65536");
        let large = run_of(&recs, client, "max.partition.fetch.bytes", "1048576");
        let rtt_ms = small.network_rtt_ms.expect("the round trip is recorded");
        assert!(
            rtt_ms >= 19.0,
            "{client}: round trip {rtt_ms} ms through 10 ms each way"
        );
        let bound_bytes_per_s = 65536.0 / (rtt_ms / 1000.0);
        let measured = small.bytes as f64 / small.consume_s.unwrap();
        let share = measured / bound_bytes_per_s;
        assert!(
            (0.55..=1.1).contains(&share),
            "{client}: 64 KiB fetches drained {measured:.0} B/s, {share:.2} of 64 KiB per {rtt_ms} ms"
        );
        let faster = large.throughput_mib_per_s.unwrap() / small.throughput_mib_per_s.unwrap();
        assert!(
            faster > 4.0,
            "{client}: 1 MiB fetches only {faster:.1} times faster"
        );
    }
}

/// At zero delay every client still goes through the proxy and consumes exact counts (the
/// sweep checks them); the measured round trip grows with the delay.
#[test]
fn every_client_reads_exactly_through_the_proxy_and_the_round_trip_follows_the_delay() {
    let dir = tempfile::tempdir().unwrap();
    let messages = 5_000;
    let mut sweep = kafkatune();
    sweep.args([
        "sweep",
        "--param",
        "network.latency=0ms,15ms",
        "--client",
        "all",
        "--messages",
        &messages.to_string(),
        "--repeat",
        "1",
        "--no-report",
    ]);
    let (recs, _) = sweep_ok(&mut sweep, &dir.path().join("s"), messages);
    assert_eq!(recs.len(), 2 * kafkatune::clients::ClientKind::ALL.len());
    for client in ["librdkafka", "java", "kafka-python"] {
        let direct = run_of(&recs, client, "network.latency", "0ms");
        let far = run_of(&recs, client, "network.latency", "15ms");
        let (near_ms, far_ms) = (direct.network_rtt_ms.unwrap(), far.network_rtt_ms.unwrap());
        assert!(near_ms < 10.0, "{client}: {near_ms} ms at zero delay");
        assert!(
            far_ms >= 29.0 && far_ms > near_ms + 25.0,
            "{client}: {far_ms} ms at 15 ms each way"
        );
        assert!(
            !far.effective_properties
                .keys()
                .any(|k| k.contains("network")),
            "{client}: the network settings reached the client: {:?}",
            far.effective_properties
        );
    }
}
