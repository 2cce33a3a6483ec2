"""Unit tests of kafkatune_driver's pure helpers (no broker needed): ``pytest drivers/python``."""

import json
import math
import struct
from collections import namedtuple

import pytest

import kafkatune_driver as drv

TP = namedtuple("TP", "topic partition")
Rec = namedtuple("Rec", "partition value")


def recs(partition, n, size=10):
    return [Rec(partition, b"x" * size) for _ in range(n)]


def test_decode_send_us_reads_big_endian_u64():
    value = struct.pack(">Q", 1_764_000_000_123_456) + b"filler"
    assert drv.decode_send_us(value) == 1_764_000_000_123_456


def test_decode_send_us_short_or_missing_value():
    assert drv.decode_send_us(b"1234567") is None
    assert drv.decode_send_us(None) is None
    assert drv.decode_send_us(b"\x00" * 8) == 0


def test_take_records_under_remaining_keeps_all():
    records = {TP("t", 0): recs(0, 3), TP("t", 1): recs(1, 2)}
    returned, batches = drv.take_records(records, 10)
    assert returned == 5
    assert [(p, len(r)) for p, r in batches] == [(0, 3), (1, 2)]


def test_take_records_cuts_an_overshooting_poll_exactly():
    records = {TP("t", 0): recs(0, 4), TP("t", 1): recs(1, 4), TP("t", 2): recs(2, 4)}
    returned, batches = drv.take_records(records, 6)
    assert returned == 12  # what the poll handed over, for records_per_poll_max
    assert [(p, len(r)) for p, r in batches] == [(0, 4), (1, 2)]
    assert sum(len(r) for _, r in batches) == 6


def test_take_records_exact_fit():
    returned, batches = drv.take_records({TP("t", 0): recs(0, 5)}, 5)
    assert returned == 5 and len(batches[0][1]) == 5


def test_value_bytes_counts_values_and_tolerates_tombstones():
    assert drv.value_bytes(recs(0, 3, size=100)) == 300
    assert drv.value_bytes([Rec(0, None), Rec(0, b"abc"), Rec(0, b"")]) == 3


class FakeHistogram:
    def __init__(self):
        self.values = []

    def record_value(self, value):
        self.values.append(value)


def payload(send_us):
    return struct.pack(">Q", send_us) + b"x" * 92


def test_record_latencies_warmup_clamp_and_short_values():
    hist = FakeHistogram()
    now = 10_000_000
    batch = [
        Rec(0, payload(now - 1500)),  # after warm-up: 1.5 ms
        Rec(0, payload(4_000_000)),  # before warm-up end: skipped
        Rec(0, payload(now + 50)),  # sent "in the future" (clock step): clamps to 0
        Rec(0, b"short"),  # not a kafkatune payload: skipped
        Rec(0, payload(5_000_000)),  # exactly at warm-up end: recorded
    ]
    drv.record_latencies(hist, batch, now, warmup_end_us=5_000_000)
    assert hist.values == [1500, 0, 5_000_000]


def test_record_latencies_into_real_hdr_histogram_encodes_v2_compressed():
    from hdrh.histogram import HdrHistogram

    hist = drv.new_histogram()
    now = 1_764_000_000_000_000
    drv.record_latencies(hist, [Rec(0, payload(now - 2000)) for _ in range(10)], now, 0)
    encoded = drv.encode_histogram(hist)
    assert encoded.startswith("HISTF")  # base64 of the V2 compressed cookie 0x1c849314
    back = HdrHistogram.decode(encoded)
    assert back.get_total_count() == 10
    assert back.get_value_at_percentile(50) == pytest.approx(2000, rel=1e-3)


METRICS = {
    "consumer-fetch-manager-metrics": {
        "fetch-size-avg": 1018880.0,
        "fetch-size-max": 1018880.0,
        "fetch-latency-avg": 16.6,
        "fetch-latency-max": 75.0,
        "fetch-rate": 0.32,
        "records-lag-max": 199500.0,
        "records-per-request-avg": float("nan"),
    },
    "consumer-metrics": {"connection-count": 1.0, "request-latency-max": float("-inf")},
    "consumer-coordinator-metrics": {"assigned-partitions": 1.0},
    "kafka-metrics-count": {"count": 99.0},
}


def test_extract_metrics_maps_fetch_manager_names():
    fields = drv.extract_metrics(METRICS)
    assert fields["fetch_requests"] is None  # kafka-python 3.0.12 has no fetch-total
    assert fields["fetch_latency_avg_ms"] == 16.6
    assert fields["fetch_latency_max_ms"] == 75.0
    assert fields["fetch_bytes_avg"] == 1018880.0
    assert fields["records_lag_max"] == 199500.0


def test_extract_metrics_uses_fetch_total_when_present():
    nested = {"consumer-fetch-manager-metrics": {"fetch-total": 42.0}}
    assert drv.extract_metrics(nested)["fetch_requests"] == 42.0


def test_extract_metrics_flat_client_metrics_are_finite_numbers_only():
    flat = drv.extract_metrics(METRICS)["client_metrics"]
    assert flat["fetch-rate"] == 0.32
    assert flat["connection-count"] == 1.0
    assert flat["assigned-partitions"] == 1.0
    assert "records-per-request-avg" not in flat  # NaN omitted
    assert "request-latency-max" not in flat  # -inf (no sample) omitted
    assert "count" not in flat  # not a consumer group
    json.dumps(flat, allow_nan=False)


def test_extract_metrics_missing_or_empty():
    fields = drv.extract_metrics(None)
    assert fields["client_metrics"] == {}
    assert all(fields[f] is None for f, _ in drv.FETCH_FIELDS)


def test_finite_number():
    assert drv.finite_number(3) == 3
    assert drv.finite_number(2.5) == 2.5
    assert drv.finite_number(math.inf) is None
    assert drv.finite_number(True) is None
    assert drv.finite_number("1") is None


def test_one_line_error_messages():
    assert drv.one_line(ValueError("bad\nvalue")) == "ValueError: bad value"
    assert drv.one_line(struct.error("x")) == "struct.error: x"
    assert drv.one_line(TimeoutError()) == "TimeoutError"


def test_one_line_keeps_a_message_that_names_its_class():
    class NotLeaderForPartitionError(Exception):  # kafka-python's errors say "[Error 6] Name: ..."
        pass

    exc = NotLeaderForPartitionError("[Error 6] NotLeaderForPartitionError: leader moved")
    assert drv.one_line(exc) == "[Error 6] NotLeaderForPartitionError: leader moved"


def test_timeout_error_wording():
    state = drv.RunState({"timeout_s": 120.0, "messages": 100000})
    state.messages = 51234
    assert drv.timeout_error(state.spec, state) == "timed out after 120 s with 51234 of 100000 messages"


def test_consumer_config_properties_override_and_assign_has_no_group():
    import time

    spec = {"bootstrap_servers": "h:1", "max_poll_records": 100, "assignment": "assign",
            "properties": {"fetch_min_bytes": 1024, "fetch_max_wait_ms": 500}}
    config = drv.consumer_config(spec, time.monotonic() + 10)
    assert config["group_id"] is None
    assert config["enable_auto_commit"] is False
    assert config["auto_offset_reset"] == "earliest"
    assert config["max_poll_records"] == 100
    assert config["fetch_min_bytes"] == 1024 and config["fetch_max_wait_ms"] == 500
    assert 0 < config["bootstrap_timeout_ms"] <= 10_000


def test_resolved_config_is_text_with_secrets_masked():
    class Deserializer:
        pass

    config = drv.resolved_config({
        "fetch_min_bytes": 1024,
        "check_crcs": True,
        "group_id": None,
        "api_version": (2, 5, 0),
        "key_deserializer": Deserializer,
        "sasl_plain_password": "s3cret",
        "ssl_password": "k",
        "ssl_keyfile": "/k.pem",
        "sasl_oauth_token_provider": None,
    })
    assert config["fetch_min_bytes"] == "1024"
    assert config["check_crcs"] == "true"
    assert config["group_id"] == "null"
    assert config["api_version"] == "2,5,0"
    assert config["key_deserializer"].endswith("Deserializer")
    assert config["sasl_plain_password"] == "*****" and config["ssl_password"] == "*****"
    assert config["ssl_keyfile"] == "/k.pem"
    assert config["sasl_oauth_token_provider"] == "null"
    assert list(config) == sorted(config)


def test_result_document_is_strict_json(tmp_path):
    state = drv.RunState({"client": "kafka-python", "messages": 10})
    state.metrics = METRICS
    doc = drv.build_result(state, "ok", None)
    path = str(tmp_path / "result.json")
    drv.ResultWriter(path).write(doc)
    back = json.load(open(path))
    assert back["poll_api"] == "poll(timeout_ms, max_records)"
    assert back["latency_histogram"] is None and back["join_s"] is None
    assert not (tmp_path / "result.json.tmp").exists()


class FakeConsumer:
    """What GroupMember asks of a KafkaConsumer, recorded."""

    def __init__(self):
        self.paused, self.resumed, self.commits = [], [], []

    def pause(self, *tps):
        self.paused.extend(tps)

    def resume(self, *tps):
        self.resumed.extend(tps)

    def commit(self, offsets):
        self.commits.append({tp.partition: o.offset for tp, o in offsets.items()})


@pytest.mark.skipif(drv.kafka is None, reason="needs kafka-python (the driver's venv)")
def test_group_member_counts_below_end_offsets_and_reports_once_done(tmp_path):
    Off = namedtuple("Off", "offset value")
    spec = {"topic": "t", "start_file": str(tmp_path / "start"),
            "partitions": [{"partition": 0, "start_offset": 0, "end_offset": 5},
                           {"partition": 1, "start_offset": 0, "end_offset": 2}]}
    consumer = FakeConsumer()
    member = drv.GroupMember(consumer, spec, drv.RunState(spec), 0.0)
    member.held.update([0, 1])
    assert member.check_files(1.0) is False and not member.started
    (tmp_path / "start").touch()
    member.check_files(2.0)
    assert member.started and sorted(tp.partition for tp in consumer.resumed) == [0, 1]

    kept = member.countable(0, [Off(3, b"x"), Off(4, b"x"), Off(5, b"x")])
    assert [r.offset for r in kept] == [3, 4], "offset 5 is past the end: not counted"
    assert member.next[0] == 6 and [tp.partition for tp in consumer.paused] == [0]
    assert member.just_finished() is False, "partition 1 is not done yet"
    assert member.countable(1, [Off(1, b"x")]) != []
    assert member.just_finished() is True
    assert consumer.commits == [{0: 6, 1: 2}], "positions committed for the next owner"
    assert member.just_finished() is False, "reported once"


def test_a_live_group_s_start_file_carries_the_warm_up_end(tmp_path):
    start = tmp_path / "start"
    start.write_text("1764000000000000\n")
    assert drv.read_warmup_end(str(start)) == 1764000000000000
    start.write_text("")
    assert drv.read_warmup_end(str(start)) is None
    assert drv.read_warmup_end(str(tmp_path / "absent")) is None


class MetadataConsumer:
    """Knows the topic's partitions only after ``known_after`` metadata requests."""

    def __init__(self, known_after, partitions=(0, 1)):
        self.requests = 0
        self.known_after = known_after
        self.partitions = set(partitions)

    def topics(self):
        self.requests += 1
        return {"t"} if self.requests > self.known_after else set()

    def partitions_for_topic(self, topic):
        return self.partitions if self.requests > self.known_after else None


def test_await_topic_metadata_asks_again_until_every_partition_is_known():
    consumer = MetadataConsumer(known_after=3)
    spec = {"topic": "t", "partitions": [{"partition": 0}, {"partition": 1}]}
    slept = []
    assert drv.await_topic_metadata(consumer, spec, float("inf"), sleep=slept.append)
    assert consumer.requests == 4
    assert slept == [drv.METADATA_RETRY_S] * 3


def test_await_topic_metadata_gives_up_at_the_deadline():
    consumer = MetadataConsumer(known_after=10**9)
    spec = {"topic": "t", "partitions": [{"partition": 0}]}
    assert not drv.await_topic_metadata(consumer, spec, 0.0, sleep=lambda s: None)
    assert consumer.requests == 1


def test_await_topic_metadata_waits_for_a_partition_the_metadata_lacks():
    consumer = MetadataConsumer(known_after=0, partitions=(0,))
    spec = {"topic": "t", "partitions": [{"partition": 0}, {"partition": 1}]}
    assert not drv.await_topic_metadata(consumer, spec, 0.0, sleep=lambda s: None)
