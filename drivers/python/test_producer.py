"""Unit tests of kafkatune_producer (producer runs) with a fake producer: no broker needed.

The fake hands out kafka-python's own ``Future`` and ``RecordMetadata``, so callbacks and
errbacks behave as they do on the real sender thread.
"""

import json
import struct
import threading
import time

import pytest

kafka = pytest.importorskip("kafka", reason="needs kafka-python (the driver's venv)")
from kafka.errors import KafkaTimeoutError, NotLeaderForPartitionError  # noqa: E402
from kafka.future import Future  # noqa: E402
from kafka.producer.future import RecordMetadata  # noqa: E402

import kafkatune_driver as drv  # noqa: E402
import kafkatune_producer as kp  # noqa: E402


def payload_file(bodies):
    return b"".join(struct.pack(">I", len(b)) + b for b in bodies)


def spec(messages=10, partitions=(0, 1, 2), rate=None, timeout_s=30.0, properties=None):
    return {
        "protocol_version": 1, "client": "kafka-python", "bootstrap_servers": "h:9092",
        "topic": "t", "assignment": "assign", "mode": "produce", "messages": messages,
        "partitions": [{"partition": p, "start_offset": 0} for p in partitions],
        "max_poll_records": 500, "poll_timeout_ms": 100, "properties": properties or {},
        "timeout_s": timeout_s, "live": None,
        "produce": {"payload_file": "/unused", "rate_msgs_per_s": rate},
    }


class FakeProducer:
    """send() records what it was given and returns a kafka-python Future; the futures are
    resolved by flush() (on the driver's flush thread), or already during sending when
    ``ack_lag`` is set (each send resolves the one ``ack_lag`` sends before it)."""

    def __init__(self, fail=(), ack_lag=None, flush_acks=True):
        self.sent = []  # (topic, value, partition, perf_counter_ns at send)
        self.pending = []
        self.fail = set(fail)
        self.ack_lag = ack_lag
        self.flush_acks = flush_acks
        self.lock = threading.Lock()
        self.flushes = 0

    def send(self, topic, value=None, key=None, partition=None, **kwargs):
        assert key is None and not kwargs, "no key, no headers, no timestamp"
        assert isinstance(value, bytes)
        future = Future()
        with self.lock:
            self.sent.append((topic, value, partition, time.perf_counter_ns()))
            self.pending.append((len(self.sent) - 1, future))
            if self.ack_lag is not None and len(self.pending) > self.ack_lag:
                self.resolve(*self.pending.pop(0))
        return future

    def resolve(self, index, future):
        topic, value, partition, _ = self.sent[index]
        if index in self.fail:
            future.failure(NotLeaderForPartitionError("leader moved"))
        else:
            future.success(RecordMetadata(topic, partition, None, index, -1, None, -1,
                                          len(value), -1))

    def flush(self, timeout=None):
        self.flushes += 1
        if not self.flush_acks:
            raise KafkaTimeoutError("Timeout waiting for future")
        with self.lock:
            pending, self.pending = self.pending, []
        for index, future in pending:
            self.resolve(index, future)


def run_fake(producer, run_spec, bodies, deadline_s=10.0):
    state = drv.RunState(run_spec)
    status, error = kp.produce(producer, run_spec, state, time.monotonic() + deadline_s, bodies)
    doc = drv.build_result(state, status, error)
    json.dumps(doc, allow_nan=False)
    return state, doc


# ---------------------------------------------------------------- the payload file

def test_parse_payload_reads_each_length_prefixed_body():
    bodies = [b"", b"abc", b"x" * 100, bytes(range(256))]
    assert kp.parse_payload(payload_file(bodies)) == bodies


def test_read_payload_file(tmp_path):
    path = tmp_path / "payload.bin"
    path.write_bytes(payload_file([b"one", b"two!"]))
    assert kp.read_payload_file(str(path)) == [b"one", b"two!"]


def test_truncated_body_is_an_error_naming_its_offset():
    data = payload_file([b"abcd", b"efgh"])[:-1]  # the second body (at offset 8) lost a byte
    with pytest.raises(kp.PayloadError, match=r"truncated at offset 8: the body there is 4 "
                                              r"bytes long, 3 left"):
        kp.parse_payload(data, "payload file p.bin")


def test_truncated_length_prefix_is_an_error_naming_its_offset():
    data = payload_file([b"abcd"]) + b"\x00\x00"
    with pytest.raises(kp.PayloadError, match=r"truncated at offset 8: a length prefix needs "
                                              r"4 bytes, 2 left"):
        kp.parse_payload(data)


def test_empty_payload_file_is_an_error(tmp_path):
    path = tmp_path / "empty.bin"
    path.write_bytes(b"")
    with pytest.raises(kp.PayloadError, match="holds no record body"):
        kp.read_payload_file(str(path))


# ---------------------------------------------------------------- sending

def test_exact_count_round_robin_partitions_stamps_and_cycled_bodies(capsys):
    bodies = [b"a", b"bb", b"ccc"]
    producer = FakeProducer()
    before_us = time.time_ns() // 1000
    state, doc = run_fake(producer, spec(messages=10, partitions=(0, 2, 1)), bodies)
    after_us = time.time_ns() // 1000

    assert len(producer.sent) == 10
    assert [p for _, _, p, _ in producer.sent] == [0, 2, 1, 0, 2, 1, 0, 2, 1, 0]
    assert {t for t, _, _, _ in producer.sent} == {"t"}
    stamps = []
    for i, (_, value, _, _) in enumerate(producer.sent):
        assert value[8:] == bodies[i % 3], "body i % bodies after the 8-byte stamp"
        stamps.append(struct.unpack(">Q", value[:8])[0])
    assert before_us <= stamps[0] and stamps == sorted(stamps) and stamps[-1] <= after_us

    assert doc["status"] == "ok" and doc["error"] is None
    assert doc["messages"] == 10
    assert doc["bytes"] == sum(8 + len(bodies[i % 3]) for i in range(10))
    assert doc["per_partition"] == {"0": 4, "1": 3, "2": 3}
    assert doc["assigned_partitions"] == [0, 1, 2]
    assert doc["produce_errors"] == 0 and doc["queue_full_waits"] == 0
    assert doc["first_record_unix_us"] == stamps[0]
    assert doc["first_record_unix_us"] <= doc["last_record_unix_us"] <= after_us
    assert doc["send_s"] >= 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[-1] == {"event": "progress", "messages": 10}


def test_ack_latency_histogram_holds_every_acknowledged_record():
    from hdrh.histogram import HdrHistogram

    _, doc = run_fake(FakeProducer(ack_lag=2), spec(messages=50), [b"x" * 100])
    assert doc["ack_latency_histogram"].startswith("HISTF")  # V2 compressed, base64
    hist = HdrHistogram.decode(doc["ack_latency_histogram"])
    assert hist.get_total_count() == 50
    assert 0 <= hist.get_max_value() < 10_000_000
    assert doc["latency_histogram"] is None, "the consumer's end-to-end histogram: unused"


def test_a_delivery_error_fails_the_run_naming_the_first():
    producer = FakeProducer(fail={3, 7})
    _, doc = run_fake(producer, spec(messages=10, partitions=(0, 1)), [b"body"])
    assert doc["status"] == "failed"
    assert doc["error"] == ("2 of 10 records failed delivery; the first, record 3 to "
                            "partition 1: [Error 6] NotLeaderForPartitionError: leader moved")
    assert doc["produce_errors"] == 2
    assert doc["messages"] == 8 and doc["bytes"] == 8 * 12
    assert doc["per_partition"] == {"0": 5, "1": 3}


def test_sending_stops_once_a_delivery_has_failed():
    producer = FakeProducer(fail={2}, ack_lag=1)
    _, doc = run_fake(producer, spec(messages=1000), [b"body"])
    assert doc["status"] == "failed" and "record 2 to partition 2" in doc["error"]
    assert len(producer.sent) < 10, "no point sending 1000 records into a failed run"
    assert doc["produce_errors"] == 1


def test_unacknowledged_records_at_the_deadline_fail_the_run_with_what_was_measured():
    producer = FakeProducer(ack_lag=3, flush_acks=False)  # the last 3 are never acknowledged
    started = time.monotonic()
    _, doc = run_fake(producer, spec(messages=20, timeout_s=0.3), [b"x"], deadline_s=0.3)
    assert time.monotonic() - started < 2.0
    assert doc["status"] == "failed"
    assert doc["error"] == "timed out after 0.3 s with 17 of 20 messages"
    assert doc["messages"] == 17 and len(producer.sent) == 20


def test_pacing_sends_on_schedule_stamped_with_the_intended_time():
    rate = 200.0  # one record every 5 ms
    producer = FakeProducer(ack_lag=0)
    _, doc = run_fake(producer, spec(messages=21, rate=rate), [b"x"])
    assert doc["status"] == "ok"
    stamps = [struct.unpack(">Q", v[:8])[0] for _, v, _, _ in producer.sent]
    assert [s - stamps[0] for s in stamps] == [i * 5000 for i in range(21)]
    sends_ns = [t for _, _, _, t in producer.sent]
    elapsed_s = (sends_ns[-1] - sends_ns[0]) / 1e9
    assert 0.095 <= elapsed_s < 0.5, "20 intervals of 5 ms (tolerant of a busy machine)"
    for i, t in enumerate(sends_ns):  # never early
        assert t - sends_ns[0] >= i * 5_000_000 - 1_000_000


def test_warm_up_records_are_counted_but_not_timed():
    from hdrh.histogram import HdrHistogram

    run_spec = spec(messages=30, rate=1000.0)
    run_spec["produce"]["warmup_records"] = 10
    run_spec["produce"]["latency_from_intended"] = True
    _, doc = run_fake(FakeProducer(ack_lag=0), run_spec, [b"x"])
    assert doc["status"] == "ok" and doc["messages"] == 30
    assert HdrHistogram.decode(doc["ack_latency_histogram"]).get_total_count() == 20


def test_rate_must_be_positive_or_null():
    assert kp.send_rate(spec(rate=None)) is None
    assert kp.send_rate(spec(rate=1000)) == 1000.0
    with pytest.raises(ValueError, match="positive or null"):
        kp.send_rate(spec(rate=0))


# ---------------------------------------------------------------- the result document

NESTED = {
    "producer-metrics": {
        "batch-size-avg": 16000.5, "compression-rate-avg": 0.25,
        "records-per-request-avg": 160.0, "record-retry-rate": 0.0,
        "request-latency-max": float("-inf"),
    },
    "producer-topic-metrics.t": {"byte-rate": 5.0},
}


def test_result_takes_producer_metrics_and_nulls_what_kafka_python_lacks():
    state, _ = run_fake(FakeProducer(), spec(messages=3), [b"x"])
    state.metrics = NESTED
    doc = drv.build_result(state, "ok", None)
    assert doc["batch_size_avg_bytes"] == 16000.5
    assert doc["compression_ratio"] == 0.25
    assert doc["records_per_request_avg"] == 160.0
    assert doc["retries"] is None and doc["produce_requests"] is None
    assert doc["bytes_on_wire"] is None
    assert doc["client_metrics"]["record-retry-rate"] == 0.0
    assert "request-latency-max" not in doc["client_metrics"]  # -inf: no sample
    assert "byte-rate" not in doc["client_metrics"]  # per-topic copy
    for field in ("consume_s", "polls", "empty_polls", "records_per_poll_max", "poll_api",
                  "fetch_requests", "fetch_latency_avg_ms", "join_s"):
        assert doc[field] is None, field
    json.dumps(doc, allow_nan=False)


def test_result_of_a_run_that_failed_before_sending(tmp_path):
    state = drv.RunState(spec())
    doc = drv.build_result(state, "failed", "PayloadError: ... while reading the payload file")
    assert doc["messages"] == 0 and doc["send_s"] is None
    assert doc["ack_latency_histogram"] is None and doc["poll_api"] is None
    assert doc["client_config"] is None
    path = str(tmp_path / "result.json")
    drv.ResultWriter(path).write(doc)
    assert json.load(open(path))["status"] == "failed"


def test_client_config_is_the_producers_resolved_config_secrets_masked():
    class Producer:
        config = {"acks": -1, "compression_type": "lz4", "sasl_plain_password": "s3cret",
                  "ssl_password": None, "retries": float("inf")}

    state = drv.RunState(spec())
    state.producer = Producer()
    config = drv.build_result(state, "ok", None)["client_config"]
    assert config["acks"] == "-1" and config["compression_type"] == "lz4"
    assert config["sasl_plain_password"] == "*****"
    assert config["ssl_password"] == "null"
    assert config["retries"] == "inf"


def test_producer_config_applies_properties_over_the_drivers_own():
    config = kp.producer_config(spec(properties={"acks": "all", "linger_ms": 5,
                                                 "compression_type": "zstd"}),
                                time.monotonic() + 10)
    assert config["bootstrap_servers"] == "h:9092"
    assert config["acks"] == "all" and config["linger_ms"] == 5
    assert config["compression_type"] == "zstd"
    assert 0 < config["bootstrap_timeout_ms"] <= 10_000
    assert "value_serializer" not in config, "values are bytes already"


def test_check_partitions_names_the_missing_ones():
    class Producer:
        def partitions_for(self, topic):
            return {0, 1}

    kp.check_partitions(Producer(), spec(partitions=(0, 1)))
    with pytest.raises(ValueError, match="topic t has no partition 2,5 \\(it has 0,1\\)"):
        kp.check_partitions(Producer(), spec(partitions=(0, 2, 5)))


# ---------------------------------------------------------------- the venv's codecs

@pytest.mark.parametrize("codec", ["lz4", "zstd", "snappy", "gzip"])
def test_each_codec_kafka_python_needs_is_installed(codec):
    from kafka import codec as kc

    assert getattr(kc, "has_" + codec)(), "kafka-python finds no %s library" % codec
    data = b"kafkatune " * 1000
    encode, decode = getattr(kc, codec + "_encode"), getattr(kc, codec + "_decode")
    packed = encode(data)
    assert len(packed) < len(data) and decode(packed) == data


def test_codec_packages_import():
    import lz4.frame
    import snappy
    import zstandard

    data = b"abc" * 10
    assert lz4.frame.decompress(lz4.frame.compress(data)) == data
    assert zstandard.ZstdDecompressor().decompress(zstandard.ZstdCompressor().compress(data)) == data
    assert snappy.decompress(snappy.compress(data)) == data
