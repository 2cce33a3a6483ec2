"""kafkatune's kafka-python producer runs (docs/driver-protocol.md, "Producer runs").

kafkatune_driver.py hands a spec with ``"mode": "produce"`` to ``run()``: it reads the
payload file once, creates a ``KafkaProducer``, fetches the topic's metadata, prints
``ready`` and sends exactly ``spec.messages`` records, record ``i`` to
``partitions[i % len]`` (set explicitly: no key, no partitioner) with the value
``send time (u64 big-endian us since epoch) + body[i % bodies]``, as fast as ``send()``
returns or at ``produce.rate_msgs_per_s``. Then ``flush()`` until every record is
acknowledged or the run's time limit is reached.

Each record's acknowledgement latency runs from just before ``send()`` to its future's
callback (kafka-python calls it on its sender thread); an errback counts a delivery error
and keeps the first, which fails the run. The counts live in ``Producing``, whose
``result_fields()`` give the producer part of the result document.
"""

import struct
import threading
import time

from kafkatune_common import (
    CLOSE_TIMEOUT_MS,
    HIST_HIGHEST_US,
    PROGRESS_INTERVAL_S,
    emit,
    encode_histogram,
    finite_number,
    log,
    new_histogram,
    one_line,
    timeout_error,
)

_LENGTH = struct.Struct(">I")  # payload file: each body's length, u32 big-endian
_SEND_TIME = struct.Struct(">Q")  # value: send time, u64 big-endian, us since epoch

PRODUCER_GROUP = "producer-metrics"
# Result field <- kafka-python 3.0.12 metric in producer-metrics (windowed averages:
# metrics_sample_window_ms x metrics_num_samples, 30 s x 2 by default).
PRODUCER_FIELDS = (
    ("records_per_request_avg", "records-per-request-avg"),
    ("batch_size_avg_bytes", "batch-size-avg"),
    ("compression_ratio", "compression-rate-avg"),  # compressed / uncompressed batch bytes
)
# kafka-python 3.0.12 has only rates for these (record-retry-rate, request-rate,
# outgoing-byte-rate), no count: null, as the protocol says.
UNCOUNTED_FIELDS = ("retries", "produce_requests", "bytes_on_wire")
# Consumer fields a producer run has no use for.
CONSUMER_ONLY_FIELDS = ("consume_s", "polls", "empty_polls", "records_per_poll_max",
                        "latency_histogram", "poll_api")

_PROGRESS_NS = int(PROGRESS_INTERVAL_S * 1e9)


class PayloadError(ValueError):
    """A payload file that is not a sequence of length-prefixed bodies."""


def parse_payload(data, name="payload file"):
    """The bodies of a length-prefixed payload: a 4-byte big-endian length, then that many
    bytes, repeated to the end. A truncated prefix or body is an error naming its offset."""
    bodies = []
    offset = 0
    size = len(data)
    while offset < size:
        if size - offset < _LENGTH.size:
            raise PayloadError("%s is truncated at offset %d: a length prefix needs 4 bytes, "
                               "%d left" % (name, offset, size - offset))
        (length,) = _LENGTH.unpack_from(data, offset)
        start = offset + _LENGTH.size
        if start + length > size:
            raise PayloadError("%s is truncated at offset %d: the body there is %d bytes long, "
                               "%d left" % (name, offset, length, size - start))
        bodies.append(bytes(data[start:start + length]))
        offset = start + length
    if not bodies:
        raise PayloadError("%s holds no record body (it is empty)" % name)
    return bodies


def read_payload_file(path):
    """The record bodies of ``produce.payload_file``, read once."""
    with open(path, "rb") as f:
        return parse_payload(f.read(), "payload file %s" % path)


def producer_config(spec, deadline):
    """The driver's own settings, then spec.properties on top, unchanged. No serializers:
    values are bytes already."""
    config = {
        "bootstrap_servers": spec["bootstrap_servers"],
        # The constructor blocks until a broker answers (default 30 s); keep that inside
        # the run's deadline so a missing broker ends as a failed result, not a kill.
        "bootstrap_timeout_ms": max(1, int((deadline - time.monotonic()) * 1000)),
    }
    config.update(spec.get("properties") or {})
    return config


def send_rate(spec):
    """``produce.rate_msgs_per_s`` as a positive float, or None for "as fast as possible"."""
    rate = (spec.get("produce") or {}).get("rate_msgs_per_s")
    if rate is None:
        return None
    rate = float(rate)
    if not rate > 0:
        raise ValueError("produce.rate_msgs_per_s must be positive or null, not %r" % rate)
    return rate


class Producing:
    """One producer run's sends and acknowledgements.

    ``send_all`` runs on the main thread; ``on_ack`` and ``on_error`` run on kafka-python's
    sender thread (or on the main thread when a future is already done as its callback is
    added), hence the lock. Times are ``perf_counter_ns`` (monotonic) except the two wall
    clock anchors of the first send.
    """

    def __init__(self, spec, bodies):
        self.spec = spec
        self.topic = spec["topic"]
        self.partitions = [int(p["partition"]) for p in spec.get("partitions") or []]
        if not self.partitions:
            raise ValueError("the spec names no partition to send to")
        self.target = int(spec["messages"])
        self.rate = send_rate(spec)
        produce = spec.get("produce") or {}
        # A capacity step's warm-up records are counted, not timed; its latency counts from
        # each record's intended send time (coordinated omission) when paced.
        self.warmup_records = int(produce.get("warmup_records") or 0)
        self.from_intended = bool(produce.get("latency_from_intended")) and self.rate is not None
        self.bodies = bodies
        # Acknowledgement latencies (us) -> how many: a dict update costs a sixth of an
        # HdrHistogram record_value in Python; the histogram is made from it at the end.
        self.latency_counts = {}
        self.lock = threading.Lock()
        self.all_acknowledged = threading.Event()
        self.sending_done = False
        self.sent = 0
        self.acked = 0
        self.bytes = 0
        self.errors = 0
        self.first_error = None  # (record index, exception)
        self.per_partition = {p: 0 for p in self.partitions}
        self.first_send_ns = None
        self.first_send_unix_us = None
        self.last_ack_ns = None
        self.queue_full_waits = 0  # kafka-python 3.0.12 has no bounded buffer: send() never waits
        self.next_progress_ns = 0

    # ---- callbacks (sender thread)

    def on_ack(self, start_ns, metadata):
        now = time.perf_counter_ns()
        latency = None if start_ns is None else (now - start_ns) // 1000
        counts = self.latency_counts
        with self.lock:
            self.acked += 1
            self.bytes += metadata.serialized_value_size
            partition = metadata.partition
            self.per_partition[partition] = self.per_partition.get(partition, 0) + 1
            if self.last_ack_ns is None or now > self.last_ack_ns:
                self.last_ack_ns = now
            if latency is not None:
                counts[latency] = counts.get(latency, 0) + 1
            if self.sending_done and self.acked + self.errors >= self.sent:
                self.all_acknowledged.set()

    def on_error(self, index, exc):
        with self.lock:
            self.errors += 1
            if self.first_error is None:
                self.first_error = (index, exc)
            if self.sending_done and self.acked + self.errors >= self.sent:
                self.all_acknowledged.set()

    # ---- main thread

    def progress(self, now_ns, force=False):
        if force or now_ns >= self.next_progress_ns:
            emit({"event": "progress", "messages": self.acked})
            self.next_progress_ns = now_ns + _PROGRESS_NS

    def send_all(self, producer, deadline):
        """Sends records 0 .. target-1; stops early at the deadline or once a delivery has
        failed (the run fails then anyway). Returns True if the deadline stopped it."""
        send = producer.send
        topic = self.topic
        partitions = self.partitions
        n_partitions = len(partitions)
        bodies = self.bodies
        n_bodies = len(bodies)
        pack = _SEND_TIME.pack
        on_ack = self.on_ack
        on_error = self.on_error
        perf_ns = time.perf_counter_ns
        wall_ns = time.time_ns
        sleep = time.sleep
        t0_ns = perf_ns()
        t0_us = wall_ns() // 1000
        deadline_ns = t0_ns + int((deadline - time.monotonic()) * 1e9)
        period_ns = 1e9 / self.rate if self.rate is not None else None
        self.next_progress_ns = t0_ns + _PROGRESS_NS
        timed_out = False
        for i in range(self.target):
            if period_ns is None:
                stamp_us = wall_ns() // 1000
            else:
                # Record i is due at t0 + i / rate and stamped with that intended time;
                # a late send goes at once (the schedule is absolute, so it catches up).
                due_ns = t0_ns + int(i * period_ns)
                wait_ns = due_ns - perf_ns()
                if wait_ns > 0:
                    sleep(wait_ns / 1e9)
                stamp_us = t0_us + (due_ns - t0_ns) // 1000
            start_ns = perf_ns()
            if start_ns >= deadline_ns:
                timed_out = True
                break
            if self.first_error is not None:
                break
            if i == 0:
                self.first_send_ns = start_ns
                self.first_send_unix_us = stamp_us
            future = send(topic, value=pack(stamp_us) + bodies[i % n_bodies],
                          partition=partitions[i % n_partitions])
            self.sent = i + 1
            if i < self.warmup_records:
                future.add_callback(on_ack, None)
            elif self.from_intended:
                future.add_callback(on_ack, due_ns)
            else:
                future.add_callback(on_ack, start_ns)
            future.add_errback(on_error, i)
            if start_ns >= self.next_progress_ns:
                self.progress(start_ns)
        with self.lock:
            self.sending_done = True
            if self.acked + self.errors >= self.sent:
                self.all_acknowledged.set()
        return timed_out

    def await_acknowledgements(self, producer, deadline):
        """``flush()`` (on a helper thread, so that the main thread keeps the deadline and
        the progress lines) until every record sent is acknowledged. True if it was."""
        def flush():
            try:
                producer.flush()
            except Exception as exc:  # the counts tell what was acknowledged
                log.warning("flush failed: %s", one_line(exc))

        threading.Thread(target=flush, name="kafkatune-flush", daemon=True).start()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return self.all_acknowledged.is_set()
            if self.all_acknowledged.wait(min(PROGRESS_INTERVAL_S, left)):
                return True
            self.progress(time.perf_counter_ns())

    def histogram(self):
        """The acknowledgement latencies as an HdrHistogram (the protocol's bounds; a value
        past the top clamps to it, so that nothing is lost); None before any."""
        if not self.latency_counts:
            return None
        histogram = new_histogram()
        for latency, count in list(self.latency_counts.items()):
            histogram.record_value(min(max(latency, 0), HIST_HIGHEST_US), count)
        return histogram

    def delivery_error(self):
        """The run's error for failed deliveries, naming the first; None if there was none."""
        if self.first_error is None:
            return None
        index, exc = self.first_error
        partition = self.partitions[index % len(self.partitions)]
        return ("%d of %d records failed delivery; the first, record %d to partition %d: %s"
                % (self.errors, self.target, index, partition, one_line(exc)))

    def result_fields(self, nested_metrics):
        """The producer's part of the result document (over the consumer fields)."""
        locked = self.lock.acquire(timeout=1.0)  # the watchdog must not hang on a stuck callback
        if not locked:
            log.warning("result read without the lock")
        try:
            send_s = last_unix_us = None
            if self.first_send_ns is not None and self.last_ack_ns is not None:
                elapsed_ns = self.last_ack_ns - self.first_send_ns
                send_s = elapsed_ns / 1e9
                last_unix_us = self.first_send_unix_us + elapsed_ns // 1000
            fields = {
                "messages": self.acked,
                "bytes": self.bytes,
                "first_record_unix_us": self.first_send_unix_us,
                "last_record_unix_us": last_unix_us,
                "send_s": send_s,
                "ack_latency_histogram": encode_histogram(self.histogram()),
                "produce_errors": self.errors,
                "queue_full_waits": self.queue_full_waits,
                "per_partition": {str(p): n for p, n in sorted(self.per_partition.items())},
                "assigned_partitions": sorted(set(self.partitions)),
                "join_s": None,
                "rebalances": 0,
            }
        finally:
            if locked:
                self.lock.release()
        return result_fields(None, nested_metrics, fields)


def result_fields(producing, nested_metrics, counted=None):
    """The producer's part of the result document, to lay over the consumer one: the counts
    of ``producing`` (a Producing, or None if the run failed before sending), the producer
    metrics, and null for what a producer run does not have."""
    if producing is not None and counted is None:
        return producing.result_fields(nested_metrics)
    fields = {"send_s": None, "ack_latency_histogram": None, "produce_errors": 0,
              "queue_full_waits": 0, "join_s": None, "rebalances": 0}
    fields.update(dict.fromkeys(CONSUMER_ONLY_FIELDS))
    fields.update(dict.fromkeys(UNCOUNTED_FIELDS))
    fields.update(counted or {})
    fields.update(producer_metric_fields(nested_metrics))
    return fields


def producer_metric_fields(nested):
    """Result fields and the flat ``client_metrics`` from ``{group: {name: value}}``."""
    group = (nested or {}).get(PRODUCER_GROUP, {})
    fields = {field: finite_number(group.get(name)) for field, name in PRODUCER_FIELDS}
    flat = {}
    for name, value in group.items():
        number = finite_number(value)
        if number is not None:
            flat[name] = number
    fields["client_metrics"] = flat
    return fields


def check_partitions(producer, spec):
    """Fetches the topic's metadata (send nothing before it) and checks that every
    partition to send to exists, so that a wrong spec fails before ``ready``."""
    topic = spec["topic"]
    known = producer.partitions_for(topic) or set()
    missing = sorted({int(p["partition"]) for p in spec["partitions"]} - set(known))
    if missing:
        raise ValueError("topic %s has no partition %s (it has %s)" % (
            topic, ",".join(map(str, missing)), ",".join(map(str, sorted(known))) or "none"))


def produce(producer, spec, state, deadline, bodies):
    """Sends, then waits for the acknowledgements. Returns (status, error); the counts are
    in ``state.produce``. ``producer`` needs ``send(topic, value=, partition=)`` returning
    a future with ``add_callback``/``add_errback``, and ``flush()``."""
    run = state.produce = Producing(spec, bodies)
    state.phase = "sending"
    timed_out = run.send_all(producer, deadline)
    if not timed_out:
        state.phase = "waiting for acknowledgements"
        timed_out = not run.await_acknowledgements(producer, deadline)
    run.progress(0, force=True)
    state.messages = run.acked
    error = run.delivery_error()
    if error is None and timed_out:
        error = timeout_error(spec, state)
    if error is None and run.acked != run.target:  # cannot happen: a guard, not a path
        error = "%d of %d records acknowledged" % (run.acked, run.target)
    return ("failed" if error else "ok"), error


def run(spec, state, deadline):
    """A whole producer run: payload, producer, metadata, ``ready``, sends, flush.
    The producer is kept in ``state.producer`` for the driver to read and close."""
    from kafka import KafkaProducer

    state.phase = "reading the payload file"
    bodies = read_payload_file(spec["produce"]["payload_file"])
    send_rate(spec)  # a bad rate fails before the producer is made
    state.phase = "creating the producer"
    state.producer = KafkaProducer(**producer_config(spec, deadline))
    state.phase = "fetching the topic's metadata"
    check_partitions(state.producer, spec)
    state.ready_unix_us = time.time_ns() // 1000
    emit({"event": "ready"})
    return produce(state.producer, spec, state, deadline, bodies)


def close_producer(producer, flushed):
    """close() after the result is written: bounded, and at once when records are still
    outstanding (close() would first flush them, waiting per batch)."""
    try:
        producer.close(timeout=CLOSE_TIMEOUT_MS / 1000 if flushed else 0)
    except Exception as exc:
        log.warning("close failed: %s", one_line(exc))
