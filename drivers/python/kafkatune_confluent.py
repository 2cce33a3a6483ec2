#!/usr/bin/env python3
"""kafkatune's confluent-kafka-python client driver (driver protocol version 1).

Run as ``PYTHON kafkatune_confluent.py SPEC_PATH RESULT_PATH`` with the venv kafkatune builds
from requirements.txt (the same venv as kafka-python's driver). It reads one trial spec,
consumes exactly ``spec.messages`` records with ``Consumer.consume()`` (one logical poll: the
first record with a timeout, then up to ``max.poll.records`` already queued) and writes one result document. A spec
with ``"mode": "produce"`` is a producer run: kafkatune_confluent_producer.py.

confluent-kafka is librdkafka (bundled in its wheel) under a thin C extension, so properties
come in librdkafka's spelling, as text, and the client's own figures come from librdkafka's
statistics JSON (``statistics.interval.ms``, ``stats_cb``). The result writer, the watchdog,
the group bookkeeping's wording and the helpers are kafka-python's driver's where the two
clients behave the same.
"""

import time

# The run's time limit counts from here, before the import of the C extension.
_STARTED = time.monotonic()

import json  # noqa: E402 (after the start time on purpose)
import logging
import os
import sys

import kafkatune_confluent_producer as producer_runs
from kafkatune_common import (
    CLOSE_TIMEOUT_MS,
    PROGRESS_INTERVAL_S,
    PROTOCOL_VERSION,
    PollIntervals,
    Processing,
    emit,
    new_histogram,
    one_line,
    timeout_error,
)
from kafkatune_driver import (  # the same rules as kafka-python's driver
    ResultWriter,
    consumer_fields,
    record_latencies,
    read_warmup_end,
    start_watchdog,
)
from kafkatune_rdstats import (STATISTICS_INTERVAL_MS, Statistics, await_next,
                              librdkafka_config)

try:  # imported here so that a broken venv still yields a written, failed result
    import confluent_kafka
    from confluent_kafka import Consumer, KafkaError, TopicPartition
    _IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover - exercised only with a broken venv
    confluent_kafka = Consumer = KafkaError = TopicPartition = None
    _IMPORT_ERROR = exc

CLIENT = "confluent-kafka-python"
POLL_API = "consume(1, timeout) then consume(max.poll.records - 1, 0)"
GROUP_PROGRESS_INTERVAL_S = 0.2
FILE_CHECK_INTERVAL_S = 0.02

log = logging.getLogger("kafkatune.confluent")


class State:
    """What has been measured so far; read by the result builder and by the watchdog."""

    def __init__(self, spec):
        self.spec = spec
        self.messages = 0
        self.bytes = 0
        self.polls = 0
        self.empty_polls = 0
        self.records_per_poll_max = 0
        self.per_partition = {}
        self.assigned_partitions = []
        self.join_s = None
        self.rebalances = 0
        self.partitions_lost = 0
        self.processing = None
        self.processing_s = 0.0
        self.intervals = PollIntervals()
        self.ready_unix_us = None
        self.first_record_unix_us = None
        self.last_record_unix_us = None
        self.first_perf = None
        self.last_perf = None
        self.histogram = None
        self.stats = Statistics()
        self.config = None  # the configuration the client was made with
        self.consumer = None
        self.producer = None
        self.produce = None  # producer runs: the counts
        self.group = None
        self.phase = "starting"


def consumer_config(spec, stats):
    """The driver's own settings, then spec.properties on top, unchanged (librdkafka
    names, text values)."""
    config = {
        "bootstrap.servers": spec["bootstrap_servers"],
        "enable.auto.commit": "false",
        "auto.offset.reset": "earliest",
        "enable.partition.eof": "false",
        "statistics.interval.ms": STATISTICS_INTERVAL_MS,
    }
    if spec.get("assignment") == "subscribe":
        config["group.id"] = spec["group_id"]
    else:
        # confluent-kafka refuses a consumer without group.id; an assign()ed consumer that
        # never commits never talks to this group's coordinator.
        config["group.id"] = "kafkatune-assign-%d" % os.getpid()
    config.update(spec.get("properties") or {})
    config["stats_cb"] = stats.on_stats
    return config


def take(messages, remaining):
    """Cut one consume()'s messages to at most ``remaining``: (returned, counted), in the
    order the client handed them over. An error message raises (a fatal one) or is
    skipped (a transient one the client retries itself)."""
    counted = []
    returned = 0
    for msg in messages:
        err = msg.error()
        if err is not None:
            if err.fatal() or not err.retriable():
                raise RuntimeError("consume failed: %s" % err.str())
            continue
        returned += 1
        if len(counted) < remaining:
            counted.append(msg)
    return returned, counted


def value_size(msg):
    value = msg.value()
    return len(value) if value is not None else 0


class Member:
    """Subscribe mode (docs/driver-protocol.md, "Several consumers"): times the join,
    counts assignments, starts a partition the group has no committed offset for at its
    start offset, counts only below each end offset, pauses a finished partition, commits
    where it stands on revocation and when done, and follows the start and stop files.
    librdkafka runs the rebalance callbacks inside consume() on this thread, so they may
    call the consumer (committed, commit, assign) directly."""

    def __init__(self, consumer, spec, state):
        self.consumer = consumer
        self.state = state
        self.topic = spec["topic"]
        self.subscribed_perf = time.perf_counter()
        partitions = spec.get("partitions") or []
        self.starts = {int(p["partition"]): int(p.get("start_offset", 0)) for p in partitions}
        self.ends = {int(p["partition"]): int(p["end_offset"])
                     for p in partitions if p.get("end_offset") is not None}
        self.next = {}
        self.counted_to = {}
        self.held = set()
        self.start_file = spec.get("start_file")
        self.stop_file = spec.get("stop_file")
        self.started = self.start_file is None
        self.warmup_end_us = None
        self.stop_requested = False
        self.next_file_check = 0.0
        self.was_done = False
        self.recheck = False

    def tps(self, partitions):
        return [TopicPartition(self.topic, p) for p in partitions]

    def done(self, partition):
        end, position = self.ends.get(partition), self.next.get(partition)
        return end is not None and position is not None and position >= end

    def not_done(self):
        return [p for p in sorted(self.held) if not self.done(p)]

    def check_files(self, now):
        if now < self.next_file_check:
            return self.stop_requested
        self.next_file_check = now + FILE_CHECK_INTERVAL_S
        if not self.started and os.path.exists(self.start_file):
            self.warmup_end_us = read_warmup_end(self.start_file)
            self.started = True
            if self.not_done():
                self.consumer.resume(self.tps(self.not_done()))
        if self.stop_file and not self.stop_requested and os.path.exists(self.stop_file):
            self.stop_requested = True
        return self.stop_requested

    def countable(self, msgs):
        """The messages to count: those below their partition's end, not counted before."""
        out = []
        finished = []
        for msg in msgs:
            p, offset = msg.partition(), msg.offset()
            self.next[p] = offset + 1
            if offset < self.counted_to.get(p, -1):
                continue
            end = self.ends.get(p)
            if end is not None and offset >= end:
                continue
            self.counted_to[p] = offset + 1
            out.append(msg)
        for p in {m.partition() for m in msgs}:
            if self.done(p):
                finished.append(p)
        if finished:
            self.consumer.pause(self.tps(finished))
            self.recheck = True
        return out

    def just_finished(self):
        if not self.recheck:
            return False
        self.recheck = False
        now = bool(self.held) and not self.not_done()
        fresh = now and not self.was_done
        self.was_done = now
        if fresh:
            self.commit(self.held)
        return fresh

    def commit(self, partitions):
        offsets = [TopicPartition(self.topic, p, self.next[p])
                   for p in partitions if p in self.next]
        if offsets:
            try:
                self.consumer.commit(offsets=offsets, asynchronous=False)
            except Exception as exc:  # the orchestrator sees the counts not add up
                log.warning("commit failed: %s", one_line(exc))

    def report(self):
        self.state.assigned_partitions = sorted(self.held)
        emit({"event": "assigned", "partitions": self.state.assigned_partitions})

    def incremental(self):
        # KIP-848 (group.protocol=consumer) and cooperative-sticky assign incrementally.
        return self.consumer_protocol() == "COOPERATIVE"

    def consumer_protocol(self):
        try:
            return self.consumer.rebalance_protocol()
        except Exception:  # noqa: BLE001 (older wrappers: eager)
            return "EAGER"

    def on_assign(self, consumer, partitions):
        state = self.state
        state.rebalances += 1
        if state.join_s is None:
            state.join_s = time.perf_counter() - self.subscribed_perf
        if partitions:
            committed = {tp.partition: tp.offset
                         for tp in consumer.committed(partitions, timeout=10)}
            for tp in partitions:
                c = committed.get(tp.partition, -1001)
                if c is not None and c >= 0:
                    tp.offset = c
                    self.next[tp.partition] = c
                elif tp.partition in self.starts:
                    tp.offset = self.starts[tp.partition]
                    self.next[tp.partition] = tp.offset
                self.held.add(tp.partition)
                state.per_partition.setdefault(tp.partition, 0)
        if self.incremental():
            consumer.incremental_assign(partitions)
        else:
            consumer.assign(partitions)
        pause = [tp.partition for tp in partitions
                 if not self.started or self.done(tp.partition)]
        if pause:
            consumer.pause(self.tps(pause))
        self.was_done = False
        self.recheck = True
        self.report()

    def on_revoke(self, consumer, partitions):
        gone = [tp.partition for tp in partitions]
        self.commit(gone)
        self.held.difference_update(gone)
        if self.incremental():
            consumer.incremental_unassign(partitions)
        else:
            consumer.unassign()
        self.recheck = True
        self.report()

    def on_lost(self, consumer, partitions):
        # Another member may own them already: committing would overwrite its progress.
        self.state.partitions_lost += 1
        self.held.difference_update(tp.partition for tp in partitions)
        if self.incremental():
            consumer.incremental_unassign(partitions)
        else:
            consumer.unassign()
        self.report()


def attach(consumer, spec, state):
    topic = spec["topic"]
    if spec.get("assignment") == "subscribe":
        state.group = Member(consumer, spec, state)
        consumer.subscribe([topic], on_assign=state.group.on_assign,
                           on_revoke=state.group.on_revoke, on_lost=state.group.on_lost)
        return
    partitions = spec.get("partitions") or []
    consumer.assign([TopicPartition(topic, int(p["partition"]), int(p.get("start_offset", 0)))
                     for p in partitions])
    state.assigned_partitions = [int(p["partition"]) for p in partitions]
    for p in state.assigned_partitions:
        state.per_partition.setdefault(p, 0)


def consume(consumer, spec, state, deadline):
    """consume() until exactly spec.messages records are counted. Returns an error or None."""
    target = int(spec["messages"])
    batch = int(spec["max_poll_records"])
    poll_timeout_s = int(spec["poll_timeout_ms"]) / 1000.0
    live = spec.get("live") if spec.get("mode") == "live" else None
    warmup_end_us = int(live["warmup_end_unix_us"]) if live else 0
    group = state.group
    processing = state.processing = Processing.from_spec(spec.get("processing"))
    interval = GROUP_PROGRESS_INTERVAL_S if group is not None else PROGRESS_INTERVAL_S
    next_progress = time.perf_counter() + interval
    remaining = target
    emitted = 0
    per_partition = state.per_partition

    def report(at):
        nonlocal emitted, next_progress
        emit({"event": "progress", "messages": state.messages})
        emitted = state.messages
        next_progress = at + interval

    while remaining > 0:
        left_s = deadline - time.monotonic()
        if left_s <= 0:
            return timeout_error(spec, state)
        if group is not None and group.check_files(time.monotonic()):
            return None
        poll_start = time.perf_counter()
        # One logical poll as Java's poll() and the librdkafka driver's: block for the first
        # record, then take only what is already queued, up to max.poll.records. A single
        # consume(num_messages=batch, timeout) waits for a full batch or its timeout, which
        # held a live run's p50 at ~50 ms (the 100 ms timeout) at rates below a batch.
        msgs = consumer.consume(num_messages=1, timeout=min(poll_timeout_s, left_s))
        if msgs and batch > 1:
            msgs.extend(consumer.consume(num_messages=batch - 1, timeout=0))
        if group is not None and not group.started:
            continue  # joining: partitions held paused, polls not counted yet
        if live and group is not None and group.warmup_end_us is not None:
            warmup_end_us = group.warmup_end_us
        state.polls += 1
        state.intervals.poll_starts(poll_start)
        now_ns = time.time_ns()
        now_perf = time.perf_counter()
        returned, counted = take(msgs, remaining)
        if group is not None:
            counted = group.countable(counted)
        if returned > state.records_per_poll_max:
            state.records_per_poll_max = returned
        if not counted:
            if returned == 0:
                state.empty_polls += 1
            if group is not None and (group.just_finished() or (
                    state.messages != emitted and now_perf >= next_progress)):
                report(now_perf)
            continue
        for msg in counted:
            p = msg.partition()
            per_partition[p] = per_partition.get(p, 0) + 1
        state.bytes += sum(map(value_size, counted))
        if state.histogram is not None:
            record_latencies(state.histogram, [_Value(m) for m in counted],
                             now_ns // 1000, warmup_end_us)
        remaining -= len(counted)
        state.messages = target - remaining
        if state.first_perf is None:
            state.first_perf = now_perf
            state.first_record_unix_us = now_ns // 1000
        if processing is not None:
            state.processing_s += processing.apply(len(counted))
            now_ns += int((time.perf_counter() - now_perf) * 1e9)
            now_perf = time.perf_counter()
        state.last_perf = now_perf
        state.last_record_unix_us = now_ns // 1000
        if group is not None and group.just_finished():
            report(now_perf)
        elif now_perf >= next_progress:
            report(now_perf)
    return None


class _Value:
    """A confluent message as record_latencies reads it (``.value``, an attribute)."""

    __slots__ = ("value",)

    def __init__(self, msg):
        self.value = msg.value()


def build_result(state, status, error):
    spec = state.spec
    if spec.get("mode") == "produce":
        return producer_runs.build_result(state, status, error, common_fields(state, status,
                                                                                error))
    doc = common_fields(state, status, error)
    doc.update(state.stats.consumer_fields())
    return doc


def common_fields(state, status, error):
    spec = state.spec
    consume_s = None
    if state.first_perf is not None and state.last_perf is not None:
        consume_s = state.last_perf - state.first_perf
    return {
        "protocol_version": PROTOCOL_VERSION,
        "status": status,
        "error": error,
        "client": spec.get("client", CLIENT),
        "client_version": confluent_kafka.version()[0] if confluent_kafka else None,
        **consumer_fields(state, consume_s),
        "poll_api": POLL_API,
        "client_config": librdkafka_config(state.config) if state.config else None,
    }


def run(spec, state, deadline):
    if _IMPORT_ERROR is not None:
        raise _IMPORT_ERROR
    if spec.get("mode") == "produce":
        return producer_runs.run(spec, state, deadline)
    if spec.get("mode") == "live":
        state.histogram = new_histogram()
    state.phase = "creating the consumer"
    state.config = consumer_config(spec, state.stats)
    state.consumer = Consumer(state.config)
    state.phase = "assigning partitions"
    attach(state.consumer, spec, state)
    state.ready_unix_us = time.time_ns() // 1000
    emit({"event": "ready"})
    state.phase = "consuming"
    error = consume(state.consumer, spec, state, deadline)
    if state.group is not None:
        state.group.commit(state.group.held)
    state.phase = "waiting for the last statistics"
    try:
        state.consumer.pause(state.consumer.assignment())
        await_next(state.consumer, state.stats, state.config, deadline)
    except Exception as exc:  # the run's counts stand; only the client's figures may lack
        log.warning("no last statistics: %s", one_line(exc))
    emit({"event": "progress", "messages": state.messages})
    return ("failed" if error else "ok"), error


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: kafkatune_confluent.py SPEC_PATH RESULT_PATH\n")
        return 2
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    writer = ResultWriter(argv[2])
    state = State({})
    try:
        state.phase = "reading the spec"
        with open(argv[1], encoding="utf-8") as f:
            state.spec = json.load(f)
        state.phase = "starting"
        deadline = _STARTED + float(state.spec["timeout_s"])
        start_watchdog(state, writer, deadline, build=build_result)
        status, error = run(state.spec, state, deadline)
    except Exception as exc:
        status, error = "failed", "%s while %s" % (one_line(exc), state.phase)
    if error:
        log.error("run failed: %s", error)
    try:
        writer.write(build_result(state, status, error))
    except Exception as exc:
        log.error("could not write the result: %s", one_line(exc))
        return 1
    if state.consumer is not None:
        try:
            # A group member leaves its group at once; bounded by the socket timeouts.
            state.consumer.close()
        except Exception as exc:
            log.warning("close failed: %s", one_line(exc))
    if state.producer is not None:
        state.producer.flush(CLOSE_TIMEOUT_MS / 1000)
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
