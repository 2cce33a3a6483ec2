"""The driver's processing between polls (docs/driver-protocol.md, "Processing"), on a
stand-in consumer: no broker needed (``pytest drivers/python``)."""

import time
from collections import namedtuple

import pytest

import kafkatune_driver as drv
from kafkatune_common import PollIntervals, Processing

TP = namedtuple("TP", "topic partition")
Rec = namedtuple("Rec", "partition offset value")


class PollingConsumer:
    """Hands out ``batch`` records of partition 0 per poll, offsets counting up."""

    def __init__(self, batch):
        self.batch = batch
        self.offset = 0
        self.paused = []

    def poll(self, timeout_ms, max_records):
        n = min(self.batch, max_records)
        recs = [Rec(0, self.offset + i, b"x" * 10) for i in range(n)]
        self.offset += n
        return {TP("t", 0): recs}

    def pause(self, *tps):
        self.paused.extend(tps)


def spec(messages, processing, max_poll_records=50):
    return {
        "topic": "t",
        "messages": messages,
        "max_poll_records": max_poll_records,
        "poll_timeout_ms": 100,
        "mode": "drain",
        "assignment": "assign",
        "partitions": [{"partition": 0, "start_offset": 0}],
        "processing": processing,
    }


def run(s, batch=50):
    # As main() does: the state first, the spec read after.
    state = drv.RunState({})
    state.spec = s
    error = drv.consume(PollingConsumer(batch), s, state, time.monotonic() + 30)
    assert error is None
    return state


def test_per_record_busy_work_is_spent_and_counts_in_consume_time():
    # 200 records x 500 us = 0.1 s in four polls of 50.
    state = run(spec(200, {"per": "record", "duration_us": 500, "work": "busy"}))
    doc = drv.build_result(state, "ok", None)
    assert doc["messages"] == 200
    assert doc["processing_s"] >= 0.1
    # first record handed to the last one processed: all four polls' work
    assert doc["consume_s"] >= 0.1
    assert doc["poll_interval_max_ms"] >= 25.0  # each poll waits for 50 x 500 us
    assert doc["poll_interval_avg_ms"] <= doc["poll_interval_max_ms"]
    assert doc["max_poll_exceeded"] is None  # assign: no group to leave


def test_per_poll_sleep_costs_once_per_poll_whatever_the_records():
    state = run(spec(100, {"per": "poll", "duration_us": 20_000, "work": "sleep"}), batch=25)
    assert state.messages == 100
    assert 0.08 <= state.processing_s < 0.08 + 0.5


def test_without_processing_none_is_reported():
    state = run(spec(10, None), batch=5)
    doc = drv.build_result(state, "ok", None)
    assert doc["processing_s"] is None
    assert doc["poll_interval_avg_ms"] is not None


def test_the_spec_object_is_checked_field_by_field():
    p = Processing.from_spec({"per": "record", "duration_us": 200, "work": "busy"})
    assert p.seconds_for(3) == pytest.approx(600e-6)
    assert p.seconds_for(0) == 0.0
    q = Processing.from_spec({"per": "poll", "duration_us": 5000, "work": "sleep"})
    assert q.seconds_for(500) == pytest.approx(0.005)
    assert Processing.from_spec(None) is None
    for bad in ({"per": "message", "duration_us": 1, "work": "busy"},
                {"per": "record", "duration_us": 1, "work": "nap"},
                {"per": "record", "duration_us": -1, "work": "busy"},
                "200us"):
        with pytest.raises(ValueError):
            Processing.from_spec(bad)


def test_sleeping_work_sleeps_until_its_end_on_the_given_clock():
    now = [0.0]
    slept = []

    def sleep(s):
        # the first sleep wakes early, half-way: the loop sleeps the rest
        now[0] += s / 2 if not slept else s
        slept.append(s)

    took = Processing(False, 10_000, False).apply(7, clock=lambda: now[0], sleep=sleep)
    assert took >= 0.01
    assert len(slept) > 1


def test_poll_intervals_are_start_to_start():
    i = PollIntervals()
    assert i.avg_ms() is None
    for t in (0.0, 0.010, 0.040):
        i.poll_starts(t)
    assert i.max_ms() == pytest.approx(30.0)
    assert i.avg_ms() == pytest.approx(20.0)


def test_a_group_member_counts_a_redelivered_record_once():
    s = spec(100, None)
    s["assignment"] = "subscribe"
    s["partitions"] = [{"partition": 0, "start_offset": 0, "end_offset": 100}]
    state = drv.RunState(s)
    member = drv.GroupMember(PollingConsumer(10), s, state, 0.0)
    first = member.countable(0, [Rec(0, o, b"") for o in range(0, 10)])
    assert len(first) == 10
    # The partition was lost without a commit: the next owner (this one) reads from 5 again.
    again = member.countable(0, [Rec(0, o, b"") for o in range(5, 15)])
    assert [r.offset for r in again] == list(range(10, 15))


class OneBatchThenRevoked(PollingConsumer):
    """One poll of records, then nothing: the partition went to another member."""

    def poll(self, timeout_ms, max_records):
        if self.offset == 0:
            return super().poll(timeout_ms, max_records)
        time.sleep(0.01)
        return {}


class StartedGroup:
    """A group member past its start whose partitions went elsewhere; the orchestrator's
    stop file comes after ``polls`` file checks."""

    started = True
    warmup_end_us = None

    def __init__(self, polls):
        self.polls = polls

    def check_files(self, now):
        self.polls -= 1
        return self.polls <= 0

    def countable(self, partition, recs):
        return recs

    def just_finished(self):
        return False


def test_a_member_that_lost_its_partitions_still_reports_what_it_counted(capsys):
    state = drv.RunState({})
    s = spec(1000, None)
    state.spec = s
    state.group = StartedGroup(polls=60)  # about 0.6 s of empty polls, past the interval
    error = drv.consume(OneBatchThenRevoked(50), s, state, time.monotonic() + 30)
    assert error is None
    assert state.messages == 50
    lines = [line for line in capsys.readouterr().out.splitlines() if '"progress"' in line]
    assert lines and '"messages": 50' in lines[-1], lines
