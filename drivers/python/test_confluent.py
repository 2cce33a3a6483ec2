"""Unit tests of the confluent-kafka-python driver's helpers (no broker needed): the cut of an
overshooting consume(), the statistics turned into result fields (lag from the high
watermark, absent figures as None), the resolved configuration, the producer adapter."""

import json

import pytest

import kafkatune_confluent as drv
import kafkatune_confluent_producer as prod
import kafkatune_rdstats as rd


class Err:
    def __init__(self, fatal=False, retriable=True, text="boom"):
        self._fatal, self._retriable, self._text = fatal, retriable, text

    def fatal(self):
        return self._fatal

    def retriable(self):
        return self._retriable

    def str(self):
        return self._text


class Msg:
    def __init__(self, partition=0, offset=0, value=b"x" * 10, error=None):
        self._p, self._o, self._v, self._e = partition, offset, value, error

    def partition(self):
        return self._p

    def offset(self):
        return self._o

    def value(self):
        return self._v

    def error(self):
        return self._e


def test_take_cuts_an_overshooting_consume_exactly():
    msgs = [Msg(offset=i) for i in range(7)]
    returned, counted = drv.take(msgs, 5)
    assert returned == 7
    assert [m.offset() for m in counted] == [0, 1, 2, 3, 4]


def test_take_skips_a_retriable_error_and_raises_on_a_fatal_one():
    returned, counted = drv.take([Msg(offset=0), Msg(error=Err()), Msg(offset=1)], 10)
    assert (returned, len(counted)) == (2, 2)
    with pytest.raises(RuntimeError, match="consume failed: dead"):
        drv.take([Msg(error=Err(fatal=True, text="dead"))], 10)


def test_value_size_counts_a_tombstone_as_zero():
    assert drv.value_size(Msg(value=None)) == 0
    assert drv.value_size(Msg(value=b"abc")) == 3


def stats_doc(fetches, rx, rtt_cnt, rtt_sum, rtt_max, hi, app, ls=-1):
    return {
        "msg_cnt": 3,
        "brokers": {
            "127.0.0.1:9092/1": {"nodeid": 1, "req": {"Fetch": fetches, "Produce": 0},
                                 "rxbytes": rx, "txbytes": 5, "txretries": 0,
                                 "rtt": {"cnt": rtt_cnt, "sum": rtt_sum, "max": rtt_max}},
            # the bootstrap entry: never counted
            "127.0.0.1:9092/bootstrap": {"nodeid": -1, "req": {"Fetch": 99}, "rxbytes": 99},
        },
        "topics": {"t": {"partitions": {
            "0": {"hi_offset": hi, "ls_offset": ls, "app_offset": app, "consumer_lag": -1},
            "-1": {"hi_offset": 10**9, "app_offset": 0},
        }}},
    }


def test_statistics_give_fetch_figures_and_the_lag_from_the_high_watermark():
    s = rd.Statistics()
    s.on_stats(json.dumps(stats_doc(4, 4000, 2, 3000, 2000, hi=100_000, app=500)))
    s.on_stats(json.dumps(stats_doc(10, 10000, 2, 1000, 900, hi=100_000, app=90_000)))
    f = s.consumer_fields()
    assert f["fetch_requests"] == 10  # cumulative: the last document's
    assert f["fetch_bytes_avg"] == 1000.0
    assert f["fetch_latency_avg_ms"] == pytest.approx(4000 / 4 / 1000)  # windows added up
    assert f["fetch_latency_max_ms"] == 2.0
    # consumer_lag is -1 (no commits); the lag is hi_offset - app_offset, its largest.
    assert f["records_lag_max"] == 99_500
    assert f["client_metrics"]["brokers.req.Fetch"] == 10


def test_no_statistics_leave_every_figure_absent_not_zero():
    f = rd.Statistics().consumer_fields()
    for field in ("fetch_requests", "fetch_latency_avg_ms", "fetch_latency_max_ms",
                  "fetch_bytes_avg", "records_lag_max"):
        assert f[field] is None, field


def test_partition_lag_unknown_offsets_are_absent_and_read_committed_uses_ls_offset():
    assert rd.partition_lag({"hi_offset": 50, "app_offset": -1001}) is None
    assert rd.partition_lag({"hi_offset": -1, "app_offset": 3}) is None
    assert rd.partition_lag({"hi_offset": 50, "ls_offset": 40, "app_offset": 10}) == 30
    assert rd.partition_lag({"hi_offset": 50, "app_offset": 50}) == 0


def test_a_torn_statistics_document_is_skipped():
    s = rd.Statistics()
    s.on_stats("{not json")
    assert s.documents == 0


def test_resolved_config_has_librdkafka_defaults_and_masks_secrets():
    config = rd.librdkafka_config({"fetch.min.bytes": "1024", "sasl.password": "s3cret",
                                   "stats_cb": print})
    if rd.bundled_librdkafka() is None:
        pytest.skip("confluent-kafka is not installed in this venv")
    assert config["fetch.min.bytes"] == "1024"
    assert int(config["socket.timeout.ms"]) > 0  # a default nobody set
    assert config["sasl.password"] == "*****"
    assert "stats_cb" not in config


class FakeProducer:
    """confluent's Producer as far as Sender uses it: a queue of two, reports on poll."""

    def __init__(self, fail_partition=None):
        self.queue = []
        self.polls = 0
        self.fail_partition = fail_partition

    def produce(self, topic, value, partition, on_delivery):
        if len(self.queue) >= 2:
            raise BufferError("Local: Queue full")
        self.queue.append((value, partition, on_delivery))

    def poll(self, timeout):
        self.polls += 1
        done, self.queue = self.queue, []
        for value, partition, report in done:
            err = Err(text="Broker: not leader") if partition == self.fail_partition else None
            report(err, Msg(partition=partition, value=value))
        return len(done)

    def flush(self, timeout):
        self.poll(timeout)
        return 0


def test_sender_acknowledges_through_callbacks_and_counts_a_full_queue():
    fake = FakeProducer()
    sender = prod.Sender(fake)
    acked, failed = [], []
    for i in range(3):
        d = sender.send("t", value=b"v%d" % i, partition=i % 2)
        d.add_callback(lambda arg, meta: acked.append((arg, meta.partition,
                                                       meta.serialized_value_size)), i)
        d.add_errback(lambda arg, exc: failed.append(arg), i)
    sender.flush()
    assert sorted(acked) == [(0, 0, 2), (1, 1, 2), (2, 0, 2)]
    assert failed == []
    assert sender.queue_full_waits == 0  # poll(0) after each send keeps the queue short


def test_sender_retries_a_full_queue_and_reports_delivery_errors():
    fake = FakeProducer(fail_partition=1)
    fake.poll = lambda timeout, _poll=fake.poll: 0 if timeout == 0 else _poll(timeout)
    sender = prod.Sender(fake)
    errors = []
    for i in range(3):  # the third finds the queue full: served by poll(timeout), retried
        d = sender.send("t", value=b"v", partition=i % 2)
        d.add_callback(lambda arg, meta: None, i)
        d.add_errback(lambda arg, exc: errors.append((arg, str(exc))), i)
    sender.flush()
    assert sender.queue_full_waits == 1
    assert [e[1] for e in errors] == ["Broker: not leader"]


class _FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


class _StatsOnThirdPoll:
    """A client whose poll() delivers a statistics document on its third call."""

    def __init__(self, stats, clock):
        self.stats, self.clock, self.polls = stats, clock, 0

    def poll(self, timeout):
        self.polls += 1
        self.clock.t += timeout
        if self.polls == 3:
            self.stats.on_stats(json.dumps({"brokers": {}}))


def test_await_next_polls_until_one_more_document_and_gives_up_after_two_intervals():
    clock, stats = _FakeClock(), rd.Statistics()
    client = _StatsOnThirdPoll(stats, clock)
    assert rd.await_next(client, stats, {"statistics.interval.ms": "200"}, 100.0, now=clock)
    assert client.polls == 3 and stats.documents == 1
    # No document ever: bounded by two intervals (plus 0.1 s), not by the run's deadline.
    quiet = _StatsOnThirdPoll(rd.Statistics(), _FakeClock())
    quiet.polls = 10
    assert not rd.await_next(quiet, rd.Statistics(), {"statistics.interval.ms": "200"}, 100.0,
                          now=quiet.clock)
    assert 0.5 <= quiet.clock.t <= 0.52
    # Statistics switched off by the spec: no wait at all.
    off = _StatsOnThirdPoll(rd.Statistics(), _FakeClock())
    assert not rd.await_next(off, rd.Statistics(), {"statistics.interval.ms": "0"}, 100.0,
                          now=off.clock)
    assert off.polls == 0
