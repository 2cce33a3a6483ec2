"""confluent-kafka-python producer runs (docs/driver-protocol.md, "Producer runs").

The sends, pacing, stamps, counts and the wait for acknowledgements are kafka-python's
driver's (``kafkatune_producer.Producing``), so both Python clients are measured by the same
loop; ``Sender`` gives confluent's ``Producer`` the ``send()``-with-a-future shape that loop
drives. confluent-kafka hands delivery reports to ``poll()``/``flush()`` on the calling
thread, so ``send`` polls once per ``produce()`` (its documentation's own loop), and a
full local queue (``BufferError``) is served by polling and counted in ``queue_full_waits``.
"""

import time

from kafkatune_common import emit
from kafkatune_producer import Producing, read_payload_file, send_rate
from kafkatune_rdstats import STATISTICS_INTERVAL_MS, await_next, librdkafka_config

QUEUE_FULL_POLL_S = 0.001  # how long to serve delivery reports before retrying a full queue


class DeliveryError(Exception):
    """A delivery report's error, named as librdkafka names it."""


class Delivery:
    """One record's pending acknowledgement, as a future with callbacks."""

    __slots__ = ("on_ack", "ack_arg", "on_error", "error_arg")

    def __init__(self):
        self.on_ack = self.on_error = None
        self.ack_arg = self.error_arg = None

    def add_callback(self, fn, arg):
        self.on_ack, self.ack_arg = fn, arg

    def add_errback(self, fn, arg):
        self.on_error, self.error_arg = fn, arg

    def report(self, err, msg):
        if err is not None:
            if self.on_error is not None:
                self.on_error(self.error_arg, DeliveryError(err.str()))
        elif self.on_ack is not None:
            self.on_ack(self.ack_arg, Acknowledged(msg))


class Acknowledged:
    """What Producing.on_ack reads of a delivered record."""

    __slots__ = ("partition", "serialized_value_size")

    def __init__(self, msg):
        self.partition = msg.partition()
        value = msg.value()
        self.serialized_value_size = len(value) if value is not None else 0


class Sender:
    """confluent's Producer behind ``send(topic, value=, partition=)`` and ``flush()``."""

    def __init__(self, producer):
        self.producer = producer
        self.queue_full_waits = 0

    def send(self, topic, value, partition):
        delivery = Delivery()
        produce, poll = self.producer.produce, self.producer.poll
        # Reports of the records before this one (their callbacks are set by now); never
        # after this produce(), whose callbacks Producing sets once send() has returned.
        poll(0)
        while True:
            try:
                produce(topic, value=value, partition=partition, on_delivery=delivery.report)
                break
            except BufferError:  # queue.buffering.max.messages/kbytes reached
                self.queue_full_waits += 1
                poll(QUEUE_FULL_POLL_S)
        return delivery

    def flush(self):
        while self.producer.flush(1.0) > 0:
            pass


def producer_config(spec, stats):
    config = {
        "bootstrap.servers": spec["bootstrap_servers"],
        "statistics.interval.ms": STATISTICS_INTERVAL_MS,
    }
    config.update(spec.get("properties") or {})
    config["stats_cb"] = stats.on_stats
    return config


def check_partitions(producer, spec, deadline):
    """Fetches the topic's metadata and checks that every partition to send to exists."""
    topic = spec["topic"]
    metadata = producer.list_topics(topic, timeout=max(0.1, deadline - time.monotonic()))
    t = metadata.topics.get(topic)
    known = set(t.partitions) if t is not None and t.error is None else set()
    missing = sorted({int(p["partition"]) for p in spec["partitions"]} - known)
    if missing:
        raise ValueError("topic %s has no partition %s (it has %s)" % (
            topic, ",".join(map(str, missing)), ",".join(map(str, sorted(known))) or "none"))


def run(spec, state, deadline):
    """A whole producer run; the producer is kept in ``state.producer``."""
    from confluent_kafka import Producer

    state.phase = "reading the payload file"
    bodies = read_payload_file(spec["produce"]["payload_file"])
    send_rate(spec)
    state.phase = "creating the producer"
    state.config = producer_config(spec, state.stats)
    state.producer = Producer(state.config)
    state.phase = "fetching the topic's metadata"
    check_partitions(state.producer, spec, deadline)
    state.ready_unix_us = time.time_ns() // 1000
    emit({"event": "ready"})
    sender = Sender(state.producer)
    run_ = state.produce = Producing(spec, bodies)
    state.phase = "sending"
    timed_out = run_.send_all(sender, deadline)
    if not timed_out:
        state.phase = "waiting for acknowledgements"
        timed_out = not run_.await_acknowledgements(sender, deadline)
    run_.queue_full_waits = sender.queue_full_waits
    # One last statistics document after the flush, so the totals cover every request.
    state.phase = "waiting for the last statistics"
    await_next(state.producer, state.stats, state.config, deadline)
    run_.progress(0, force=True)
    state.messages = run_.acked
    error = run_.delivery_error()
    if error is None and timed_out:
        from kafkatune_common import timeout_error
        error = timeout_error(spec, state)
    return ("failed" if error else "ok"), error


def build_result(state, status, error, doc):
    """The producer run's result: the common fields, then Producing's counts and the
    statistics' producer figures; the consumer-only fields null."""
    from kafkatune_producer import result_fields

    doc.update(result_fields(state.produce, {}))
    acked = state.produce.acked if state.produce is not None else 0
    doc.update(state.stats.producer_fields(acked))
    doc["client_config"] = librdkafka_config(state.config) if state.config else None
    for field in ("fetch_requests", "fetch_latency_avg_ms", "fetch_latency_max_ms",
                  "fetch_bytes_avg", "records_lag_max"):
        doc.setdefault(field, None)
    return doc
