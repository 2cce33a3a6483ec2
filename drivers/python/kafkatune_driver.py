#!/usr/bin/env python3
"""kafkatune's kafka-python client driver (driver protocol version 1).

Run as ``PYTHON kafkatune_driver.py SPEC_PATH RESULT_PATH`` with the venv that kafkatune
builds from requirements.txt. It reads one trial spec, consumes exactly ``spec.messages``
records with ``KafkaConsumer.poll(timeout_ms, max_records)`` and writes one result document.
The contract (every field, every rule) is docs/driver-protocol.md; this file implements it.

A spec with ``"mode": "produce"`` is a producer run instead: kafkatune_producer.py.

The hot loop does per-poll bookkeeping only (len() of each partition's record list); the
only per-record work is summing value sizes with C-level iterators and, in live mode,
decoding the 8-byte send time. kafka-python itself costs tens of microseconds per record,
so the driver stays within noise of the lab's bare ``for message in consumer`` loop.
"""

import time

# The run's time limit counts from here, before the slow kafka-python import, so that
# it is as close as the driver can see to the orchestrator's spawn time.
_STARTED = time.monotonic()

import json  # noqa: E402 (after the start time on purpose)
import logging
import os
import struct
import sys
import threading
from operator import attrgetter

import kafkatune_producer  # producer runs ("mode": "produce")
from kafkatune_common import (  # shared with the producer runs
    CLOSE_TIMEOUT_MS,
    HIST_HIGHEST_US,
    PROGRESS_INTERVAL_S,
    PROTOCOL_VERSION,
    PollIntervals,
    Processing,
    client_level_metrics,
    emit,
    encode_histogram,
    finite_number,
    new_histogram,
    one_line,
    resolved_config,
    timeout_error,
)

try:  # imported here so that a broken venv still yields a written, failed result
    import kafka
    from kafka import AsyncConsumerRebalanceListener, KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    _KAFKA_IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover - exercised only with a broken venv
    kafka = None
    KafkaConsumer = TopicPartition = OffsetAndMetadata = None
    AsyncConsumerRebalanceListener = object
    _KAFKA_IMPORT_ERROR = exc

POLL_API = "poll(timeout_ms, max_records)"

GROUP_PROGRESS_INTERVAL_S = 0.2  # a group's remaining messages are sampled from these lines
FILE_CHECK_INTERVAL_S = 0.02  # the start and stop files are looked at no more often
METADATA_RETRY_S = 0.1  # how often to ask again for a topic the metadata lacks (await_topic_metadata)
# The watchdog is the last resort when the main thread is stuck somewhere that does not
# return (e.g. inside the constructor); the main loop itself never polls past the deadline.
WATCHDOG_GRACE_S = 1.0

FETCH_GROUP = "consumer-fetch-manager-metrics"
# The consumer's own client-level metric groups (kafka-python 3.0.12: "consumer-metrics"
# from the network client, "consumer-coordinator-metrics" when a group is joined).
CONSUMER_GROUPS = ("consumer-metrics", "consumer-coordinator-metrics")
# Result field <- kafka-python metric name in consumer-fetch-manager-metrics.
# kafka-python 3.0.12 has no "fetch-total" (Java has it): install_fetch_counter adds one.
FETCH_FIELDS = (
    ("fetch_requests", "fetch-total"),
    ("fetch_latency_avg_ms", "fetch-latency-avg"),
    ("fetch_latency_max_ms", "fetch-latency-max"),
    ("fetch_bytes_avg", "fetch-size-avg"),
    ("records_lag_max", "records-lag-max"),
)

_SEND_TIME = struct.Struct(">Q")  # payload: intended send time, u64 big-endian, us since epoch
_VALUE = attrgetter("value")

log = logging.getLogger("kafkatune.driver")


class RunState:
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
        self.join_empty = False  # join_s so far is from an empty assignment
        self.rebalances = 0
        self.partitions_lost = 0  # subscribe: the member overran max.poll.interval.ms and left
        self.processing = Processing.from_spec(spec.get("processing")) if spec else None
        self.processing_s = 0.0
        self.intervals = PollIntervals()
        self.ready_unix_us = None
        self.first_record_unix_us = None
        self.last_record_unix_us = None
        self.first_perf = None
        self.last_perf = None
        self.histogram = None
        self.metrics = {}  # nested {group: {name: value}} captured at the end
        self.consumer = None
        self.producer = None  # producer runs: the KafkaProducer
        self.produce = None  # producer runs: the kafkatune_producer.Producing with the counts
        self.group = None  # subscribe only: the GroupMember
        self.phase = "starting"  # where the run is, for the watchdog's error message


# ---------------------------------------------------------------- pure helpers (tested)

def decode_send_us(value):
    """Intended send time (us since epoch) from a payload's first 8 bytes; None if too short."""
    if value is None or len(value) < 8:
        return None
    return _SEND_TIME.unpack_from(value)[0]


def take_records(records, remaining):
    """Cut one poll's ``{TopicPartition: [records]}`` to at most ``remaining`` records.

    Returns (returned, batches): how many records the poll handed over, and the
    (partition, records) pairs to count. Records past ``remaining`` are dropped, never
    counted (the protocol's exact-count rule), in the poll's own partition order.
    """
    returned = 0
    batches = []
    for tp, recs in records.items():
        n = len(recs)
        returned += n
        if remaining <= 0:
            continue
        if n > remaining:
            recs = recs[:remaining]
            n = remaining
        batches.append((tp.partition, recs))
        remaining -= n
    return returned, batches


def value_bytes(recs):
    """Sum of value sizes; a None value (tombstone) counts 0. C-level iteration only."""
    return sum(map(len, filter(None, map(_VALUE, recs))))


def read_warmup_end(start_file):
    """Live groups: the warm-up's end a start file carries (microseconds since the epoch as
    decimal text, docs/driver-protocol.md); None for an empty one."""
    try:
        with open(start_file) as f:
            text = f.read().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None


def record_latencies(histogram, recs, now_us, warmup_end_us):
    """Record ``now - send`` for records sent at or after the warm-up end.

    ``now_us`` is taken once per poll return: the records of one poll reach the
    application at the same instant. Negative latencies (clock steps) clamp to 0, and
    values past the histogram's range clamp to its top so nothing is silently lost.
    """
    for rec in recs:
        send_us = decode_send_us(rec.value)
        if send_us is None or send_us < warmup_end_us:
            continue
        latency = now_us - send_us
        if latency < 0:
            latency = 0
        elif latency > HIST_HIGHEST_US:
            latency = HIST_HIGHEST_US
        histogram.record_value(latency)


def extract_metrics(nested):
    """Result fields and the flat ``client_metrics`` from ``{group: {name: value}}``.

    Fetch-manager metrics win on a name clash: they are the ones the protocol names.
    Max stats with no sample are -inf in kafka-python and are omitted like NaN.
    """
    nested = nested or {}
    fetch = nested.get(FETCH_GROUP, {})
    fields = {field: finite_number(fetch.get(name)) for field, name in FETCH_FIELDS}
    flat = {}
    for group in CONSUMER_GROUPS + (FETCH_GROUP,):
        for name, value in nested.get(group, {}).items():
            number = finite_number(value)
            if number is not None:
                flat[name] = number
    fields["client_metrics"] = flat
    return fields


def install_fetch_counter(consumer):
    """Adds a cumulative ``fetch-total`` to kafka-python's ``fetch-latency`` sensor.

    kafka-python 3.0.12 records that sensor once per fetch response but only exposes a
    windowed rate; Java's client has ``fetch-total``. This reaches into private attributes
    (``_fetcher._sensors``), so on any other kafka-python it quietly does nothing and the
    field stays null.
    """
    try:
        from kafka.metrics.measurable_stat import AbstractMeasurableStat

        class CumulativeCount(AbstractMeasurableStat):
            def __init__(self):
                self.count = 0

            def record(self, config, value, time_ms):
                self.count += 1

            def measure(self, config, now):
                return float(self.count)

        sensors = consumer._fetcher._sensors
        name = consumer._metrics.metric_name(
            "fetch-total", sensors.group_name, "The total number of fetch requests.")
        sensors.fetch_latency.add(name, CumulativeCount())
    except Exception:  # noqa: BLE001 (best effort: a missing metric is reported as null)
        pass


def consumer_fields(state, consume_s):
    """The result fields both Python drivers (kafka-python's and confluent-kafka-python's)
    measure alike, from their run states' same-named attributes."""
    spec = state.spec
    return {
        "messages": state.messages,
        "bytes": state.bytes,
        "ready_unix_us": state.ready_unix_us,
        "first_record_unix_us": state.first_record_unix_us,
        "last_record_unix_us": state.last_record_unix_us,
        "consume_s": consume_s,
        "polls": state.polls,
        "empty_polls": state.empty_polls,
        "records_per_poll_max": state.records_per_poll_max,
        "per_partition": {str(p): n for p, n in sorted(state.per_partition.items())},
        "assigned_partitions": sorted(state.assigned_partitions),
        "join_s": state.join_s,
        "rebalances": state.rebalances,
        "processing_s": state.processing_s if state.processing is not None else None,
        "poll_interval_avg_ms": state.intervals.avg_ms(),
        "poll_interval_max_ms": state.intervals.max_ms(),
        "max_poll_exceeded": (state.partitions_lost
                              if spec.get("assignment") == "subscribe" else None),
        "gc_count": None,  # JVM only, per the protocol
        "gc_time_ms": None,
        "latency_histogram": encode_histogram(state.histogram),
    }


def build_result(state, status, error):
    spec = state.spec
    client = state.consumer if state.consumer is not None else state.producer
    consume_s = None
    if state.first_perf is not None and state.last_perf is not None:
        consume_s = state.last_perf - state.first_perf
    doc = {
        "protocol_version": PROTOCOL_VERSION,
        "status": status,
        "error": error,
        "client": spec.get("client", "kafka-python"),
        "client_version": getattr(kafka, "__version__", None),
        **consumer_fields(state, consume_s),
        "poll_api": POLL_API,
        "client_config": resolved_config(client.config) if client is not None else None,
    }
    doc.update(extract_metrics(state.metrics))
    if spec.get("mode") == "produce":
        doc.update(kafkatune_producer.result_fields(state.produce, state.metrics))
    return doc


class ResultWriter:
    """Writes the one result document exactly once, from the main thread or the watchdog."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.written = False

    def write(self, doc):
        with self.lock:
            if self.written:
                return True
            tmp = self.path + ".tmp"
            # allow_nan=False: NaN is not JSON; every float has been made finite already.
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(json.dumps(doc, allow_nan=False))
                f.write("\n")
            os.replace(tmp, self.path)  # atomic: a half-written result is never read
            self.written = True
            return True


def start_watchdog(state, writer, deadline, build=None):
    """After the deadline (plus grace) write a failed result if none exists, then exit 0.
    ``build`` makes the result (the confluent-kafka driver passes its own)."""
    build = build or build_result

    def fire():
        try:
            if not writer.written:
                if state.produce is not None:  # a producer run counts acknowledgements
                    state.messages = state.produce.acked
                error = "%s (stuck while %s)" % (timeout_error(state.spec, state), state.phase)
                writer.write(build(state, "failed", error))
        except Exception as exc:
            log.error("watchdog could not write the result: %s", one_line(exc))
            os._exit(1)
        sys.stderr.flush()
        os._exit(0)

    delay = max(0.0, deadline - time.monotonic()) + WATCHDOG_GRACE_S
    timer = threading.Timer(delay, fire)
    timer.daemon = True
    timer.start()
    return timer


# ---------------------------------------------------------------- the run

def consumer_config(spec, deadline):
    """The driver's own settings, then spec.properties on top, unchanged."""
    config = {
        "bootstrap_servers": spec["bootstrap_servers"],
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "max_poll_records": int(spec["max_poll_records"]),
        # The constructor blocks until a broker answers (default 30 s); keep that inside
        # the run's deadline so a missing broker ends as a failed result, not a kill.
        "bootstrap_timeout_ms": max(1, int((deadline - time.monotonic()) * 1000)),
    }
    if spec.get("assignment") == "subscribe":
        config["group_id"] = spec["group_id"]
    else:
        config["group_id"] = None  # the lab's case: no group, no coordinator, no commits
    config.update(spec.get("properties") or {})
    return config


class GroupMember(AsyncConsumerRebalanceListener):
    """Subscribe mode: this consumer's part in the group (docs/driver-protocol.md,
    "Several consumers").

    Times the join and counts assignments; starts a newly assigned partition the group has
    no committed offset for at the spec's start offset; counts only records below each
    partition's end offset and pauses a partition once it reaches it; commits its positions
    when partitions are revoked and when its partitions are done, so that a rebalance hands
    a partition over exactly where this consumer stopped; holds its partitions paused until
    the start file exists, and reports when the stop file exists.

    kafka-python runs listeners on its IO thread while the user thread waits in poll(), so a
    blocking consumer call here would deadlock: the callbacks are coroutines and await the
    coordinator's own async calls (private in kafka-python 3.0.12, which requirements.txt pins).
    """

    def __init__(self, consumer, spec, state, subscribed_perf):
        self.consumer = consumer
        self.state = state
        self.topic = spec["topic"]
        self.subscribed_perf = subscribed_perf
        partitions = spec.get("partitions") or []
        self.starts = {int(p["partition"]): int(p.get("start_offset", 0)) for p in partitions}
        self.ends = {int(p["partition"]): int(p["end_offset"])
                     for p in partitions if p.get("end_offset") is not None}
        self.next = {}  # partition -> the offset after the last record this consumer was handed
        # partition -> the offset after the last record counted: a record redelivered after
        # the member lost its partitions without committing is not counted twice
        self.counted_to = {}
        self.held = set()
        self.start_file = spec.get("start_file")
        self.stop_file = spec.get("stop_file")
        self.started = self.start_file is None
        self.warmup_end_us = None  # live: the warm-up's end, as the start file says
        self.stop_requested = False
        self.next_file_check = 0.0
        self.was_done = False
        self.recheck = False  # something changed that may have finished this share

    def tp(self, partition):
        return TopicPartition(self.topic, partition)

    def done(self, partition):
        end = self.ends.get(partition)
        position = self.next.get(partition)
        return end is not None and position is not None and position >= end

    def not_done(self):
        return [p for p in sorted(self.held) if not self.done(p)]

    def check_files(self, now):
        """Looks at the start and stop files (rate-limited); True once the stop file exists."""
        if now < self.next_file_check:
            return self.stop_requested
        self.next_file_check = now + FILE_CHECK_INTERVAL_S
        if not self.started and os.path.exists(self.start_file):
            self.warmup_end_us = read_warmup_end(self.start_file)
            self.started = True
            self.consumer.resume(*[self.tp(p) for p in self.not_done()])
        if self.stop_file and not self.stop_requested and os.path.exists(self.stop_file):
            self.stop_requested = True
        return self.stop_requested

    def countable(self, partition, recs):
        """The records of one partition's batch to count: those below its end offset.
        Remembers the position and pauses the partition once it reached its end."""
        if not recs:
            return recs
        self.next[partition] = recs[-1].offset + 1
        counted = self.counted_to.get(partition)
        if counted is not None and recs[0].offset < counted:
            recs = [r for r in recs if r.offset >= counted]
        end = self.ends.get(partition)
        if end is not None and recs and recs[-1].offset >= end:
            recs = [r for r in recs if r.offset < end]
        if recs:
            self.counted_to[partition] = recs[-1].offset + 1
        if end is None:
            return recs
        if self.done(partition):
            self.consumer.pause(self.tp(partition))
            self.recheck = True
        return recs

    def just_finished(self):
        """True once, when every partition held has reached its end: the moment to report."""
        if not self.recheck:
            return False
        self.recheck = False
        now = bool(self.held) and not self.not_done()
        fresh = now and not self.was_done
        self.was_done = now
        if fresh:
            self.commit_sync(self.held)
        return fresh

    def offsets(self, partitions):
        return {self.tp(p): OffsetAndMetadata(self.next[p], "", -1)
                for p in partitions if p in self.next}

    def commit_sync(self, partitions):
        """Commits where this consumer stands (from the user thread)."""
        offsets = self.offsets(partitions)
        if offsets:
            try:
                self.consumer.commit(offsets)
            except Exception as exc:  # the orchestrator sees the counts not add up
                log.warning("commit failed: %s", one_line(exc))

    def report(self):
        self.state.assigned_partitions = sorted(self.held)
        emit({"event": "assigned", "partitions": self.state.assigned_partitions})

    async def on_partitions_revoked(self, revoked):
        gone = [tp.partition for tp in revoked]
        offsets = self.offsets(gone)
        if offsets:
            try:
                await self.consumer._coordinator._commit_offsets_sync_async(offsets)
            except Exception as exc:
                log.warning("commit on revocation failed: %s", one_line(exc))
        self.held.difference_update(gone)
        self.recheck = True
        self.report()

    async def on_partitions_lost(self, lost):
        # Another member may own them already: committing would overwrite its progress.
        # kafka-python calls this when its generation was lost: the heartbeat thread left
        # the group because the poll interval passed max_poll_interval_ms.
        self.state.partitions_lost += 1
        self.held.difference_update(tp.partition for tp in lost)
        self.report()

    async def on_partitions_assigned(self, assigned):
        state = self.state
        state.rebalances += 1
        # join_s is the time until the consumer can read: kafka-python's leader sometimes
        # hands out an empty first assignment ("No partition metadata for topic") and
        # rejoins at once, so an empty assignment only counts if no other one comes.
        if state.join_s is None or (state.join_empty and assigned):
            state.join_s = time.perf_counter() - self.subscribed_perf
            state.join_empty = not assigned
        if assigned:
            committed = await self.consumer._coordinator.fetch_committed_offsets_async(
                set(assigned))
            for tp in assigned:
                c = committed.get(tp)
                if c is not None and c.offset >= 0:
                    self.next[tp.partition] = c.offset
                elif tp.partition in self.starts:
                    self.consumer.seek(tp, self.starts[tp.partition])
                    self.next[tp.partition] = self.starts[tp.partition]
                self.held.add(tp.partition)
                state.per_partition.setdefault(tp.partition, 0)
            pause = [tp for tp in assigned if not self.started or self.done(tp.partition)]
            if pause:
                self.consumer.pause(*pause)
        self.was_done = False
        self.recheck = True
        self.report()


def await_topic_metadata(consumer, spec, deadline, sleep=time.sleep):
    """Before joining a group: waits until this client's metadata lists every partition of
    the spec's topic. The group's leader assigns from its own metadata, and a topic made a
    moment before (``--prepare``) can still be missing there: kafka-python's range assignor
    then hands out nothing ("No partition metadata for topic") and the group stays stable
    without a partition until the next refresh, ``metadata_max_age_ms`` (5 minutes) later.
    Seen in the real-broker tests: both members of a live group, and the one member of a
    processing run, counted nothing in their whole run time. Gives up at the deadline, where
    the run's own time-out says what is missing."""
    topic = spec["topic"]
    want = {int(p["partition"]) for p in spec.get("partitions") or []}
    while True:
        consumer.topics()  # a fresh metadata request, whatever the cache holds
        known = consumer.partitions_for_topic(topic) or set()
        if known and want <= known:
            return True
        if time.monotonic() >= deadline:
            return False
        sleep(METADATA_RETRY_S)


def attach(consumer, spec, state):
    """assign()+seek() or subscribe(), as the spec says."""
    topic = spec["topic"]
    if spec.get("assignment") == "subscribe":
        state.group = GroupMember(consumer, spec, state, time.perf_counter())
        consumer.subscribe([topic], listener=state.group)
        return
    partitions = spec.get("partitions") or []
    tps = [TopicPartition(topic, int(p["partition"])) for p in partitions]
    consumer.assign(tps)
    for tp, p in zip(tps, partitions):
        consumer.seek(tp, int(p.get("start_offset", 0)))
    state.assigned_partitions = [tp.partition for tp in tps]
    for tp in tps:
        state.per_partition.setdefault(tp.partition, 0)


def consume(consumer, spec, state, deadline):
    """Poll until exactly spec.messages records are counted. Returns an error or None."""
    target = int(spec["messages"])
    max_records = int(spec["max_poll_records"])
    poll_timeout_ms = int(spec["poll_timeout_ms"])
    live = spec.get("live") if spec.get("mode") == "live" else None
    histogram = state.histogram
    warmup_end_us = int(live["warmup_end_unix_us"]) if live else 0
    per_partition = state.per_partition
    poll = consumer.poll
    monotonic = time.monotonic
    perf_counter = time.perf_counter
    time_ns = time.time_ns
    group = state.group
    # main() makes the state before it has read the spec: take the processing from it here.
    processing = state.processing = Processing.from_spec(spec.get("processing"))
    interval = GROUP_PROGRESS_INTERVAL_S if group is not None else PROGRESS_INTERVAL_S
    next_progress = perf_counter() + interval
    remaining = target
    emitted = 0  # the count the last progress line gave

    def report(at):
        """A progress line with the count now; the next one is due an interval after ``at``."""
        nonlocal emitted, next_progress
        emit({"event": "progress", "messages": state.messages})
        emitted = state.messages
        next_progress = at + interval

    while remaining > 0:
        # Never let one poll cross the deadline, so a dead broker still ends on time.
        left_ms = int((deadline - monotonic()) * 1000)
        if left_ms <= 0:
            return timeout_error(spec, state)
        if group is not None and group.check_files(monotonic()):
            return None  # the group as a whole is done: finish with what was counted
        poll_start = perf_counter()
        records = poll(timeout_ms=min(poll_timeout_ms, left_ms), max_records=max_records)
        if group is not None and not group.started:
            continue  # joining: partitions are held paused, polls are not counted yet
        if live and group is not None and group.warmup_end_us is not None:
            # A live group's warm-up starts with the group: the start file says when it ends.
            warmup_end_us = group.warmup_end_us
        state.polls += 1
        state.intervals.poll_starts(poll_start)
        if not records:
            state.empty_polls += 1
            # Also a count no line has given yet: a member that counted one poll's records
            # before the interval was up and then lost its partitions in a rebalance polls
            # nothing more, and the orchestrator, summing the members' lines, would wait for
            # those records to the time-out (seen in CI: 500 records of 30,000).
            if group is not None and (group.just_finished() or (
                    state.messages != emitted and perf_counter() >= next_progress)):
                report(perf_counter())
            continue
        # One clock reading per poll return: every record of it reached us now.
        now_ns = time_ns()
        now_perf = perf_counter()
        if group is not None:
            handed = sum(map(len, records.values()))
            records = {tp: group.countable(tp.partition, recs) for tp, recs in records.items()}
        returned, batches = take_records(records, remaining)
        if group is not None:
            returned = handed
        if returned > state.records_per_poll_max:
            state.records_per_poll_max = returned
        for partition, recs in batches:
            n = len(recs)
            per_partition[partition] = per_partition.get(partition, 0) + n
            remaining -= n
            state.bytes += value_bytes(recs)
            if histogram is not None:
                record_latencies(histogram, recs, now_ns // 1000, warmup_end_us)
        counted = target - remaining - state.messages
        state.messages = target - remaining
        if state.first_perf is None:
            state.first_perf = now_perf
            state.first_record_unix_us = now_ns // 1000
        if processing is not None and counted > 0:
            # The application's work on this poll, before the next one; the last record
            # counts as consumed once it is processed.
            state.processing_s += processing.apply(counted)
            now_ns += int((perf_counter() - now_perf) * 1e9)
            now_perf = perf_counter()
        state.last_perf = now_perf
        state.last_record_unix_us = now_ns // 1000
        if group is not None and group.just_finished():
            # Every partition this consumer holds is done: tell the orchestrator at once.
            report(now_perf)
        elif now_perf >= next_progress:
            report(now_perf)
    return None


def run(spec, state, deadline):
    """Create, attach, signal ready, consume. Returns (status, error).

    The consumer is kept in ``state.consumer`` so that main() can still read its metrics,
    write the result and close it when this raises. A producer run (``"mode": "produce"``)
    is kafkatune_producer.run, which keeps its producer in ``state.producer``.
    """
    if _KAFKA_IMPORT_ERROR is not None:
        raise _KAFKA_IMPORT_ERROR
    if spec.get("mode") == "produce":
        return kafkatune_producer.run(spec, state, deadline)
    if spec.get("mode") == "live":
        # Imported only when needed: drain runs do not depend on the histogram package.
        state.histogram = new_histogram()
    state.phase = "creating the consumer"
    state.consumer = KafkaConsumer(**consumer_config(spec, deadline))
    install_fetch_counter(state.consumer)
    if spec.get("assignment") == "subscribe":
        state.phase = "reading the topic's metadata"
        await_topic_metadata(state.consumer, spec, deadline)
    state.phase = "assigning partitions"
    attach(state.consumer, spec, state)
    state.ready_unix_us = time.time_ns() // 1000
    emit({"event": "ready"})
    state.phase = "consuming"
    error = consume(state.consumer, spec, state, deadline)
    if state.group is not None:
        state.group.commit_sync(state.group.held)
    emit({"event": "progress", "messages": state.messages})
    return ("failed" if error else "ok"), error


def close_quietly(consumer):
    try:
        # autocommit=False: the driver never commits; bounded so exit stays prompt.
        consumer.close(autocommit=False, timeout_ms=CLOSE_TIMEOUT_MS)
    except Exception as exc:
        log.warning("close failed: %s", one_line(exc))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: kafkatune_driver.py SPEC_PATH RESULT_PATH\n")
        return 2
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    writer = ResultWriter(argv[2])
    state = RunState({})
    try:
        state.phase = "reading the spec"
        with open(argv[1], encoding="utf-8") as f:
            state.spec = json.load(f)
        state.phase = "starting"
        deadline = _STARTED + float(state.spec["timeout_s"])
        start_watchdog(state, writer, deadline)
        status, error = run(state.spec, state, deadline)
    except Exception as exc:
        status, error = "failed", "%s while %s" % (one_line(exc), state.phase)
    if error:
        log.error("run failed: %s", error)
    client = state.consumer if state.consumer is not None else state.producer
    if client is not None:
        state.phase = "collecting metrics"
        try:
            state.metrics = client_level_metrics(client)
        except Exception as exc:  # metrics are a bonus; the counts still go out
            log.warning("could not read metrics: %s", one_line(exc))
    try:
        # The result first, then close: a slow close must not cost the measurement.
        writer.write(build_result(state, status, error))
    except Exception as exc:
        log.error("could not write the result: %s", one_line(exc))
        return 1
    if state.consumer is not None:
        state.phase = "closing"
        close_quietly(state.consumer)
    if state.producer is not None:
        state.phase = "closing"
        flushed = state.produce is not None and state.produce.all_acknowledged.is_set()
        kafkatune_producer.close_producer(state.producer, flushed)
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    # os._exit: skip interpreter teardown (kafka-python's IO thread, big object graphs);
    # everything that matters is written and flushed.
    os._exit(code)
