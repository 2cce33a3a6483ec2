"""librdkafka's own figures for the confluent-kafka-python driver: the statistics JSON
(``stats_cb``) turned into the protocol's fields, and the whole resolved configuration read
from the librdkafka the wheel bundles. Nothing here needs a broker; the unit tests feed it
statistics documents.
"""

import ctypes
import glob
import json
import os
import time

from kafkatune_common import finite_number, is_secret


# Statistics five times a second unless the spec sets its own: one document for one broker
# and a few partitions parses in well under a millisecond, and it is the client's only
# source of request counts, latencies and lag; the end of a run waits for one more
# (``await_next``), so a short interval keeps that wait short.
STATISTICS_INTERVAL_MS = "200"


class Statistics:
    """Accumulates librdkafka's statistics over a run.

    ``brokers.*.req``, ``rxbytes`` and ``txbytes`` are cumulative (the last document holds
    the run's totals); ``rtt`` is a window since the previous document, so its sums and
    counts are added up and its maximum kept. The lag is the partition's high watermark
    against the application's position (``hi_offset - app_offset``), its largest over the
    run: librdkafka's own ``consumer_lag`` is -1 for a consumer that never commits, and
    kafkatune's consumers never commit in drain and live runs. A figure never seen stays
    None: absent, never 0.
    """

    def __init__(self):
        self.documents = 0
        self.last = None
        self.rtt_sum_us = 0
        self.rtt_cnt = 0
        self.rtt_max_us = None
        self.lag_max = None
        self.batch_size_avg = None

    def on_stats(self, text):
        """The ``stats_cb``: runs inside consume()/poll() on the application's thread."""
        try:
            self.add(json.loads(text))
        except ValueError:
            pass  # a torn document is skipped; the next one carries the totals

    def add(self, doc):
        self.documents += 1
        self.last = doc
        for broker in brokers(doc):
            rtt = broker.get("rtt") or {}
            if rtt.get("cnt", 0) > 0:
                self.rtt_sum_us += rtt.get("sum", 0)
                self.rtt_cnt += rtt["cnt"]
                self.rtt_max_us = max(self.rtt_max_us or 0, rtt.get("max", 0))
        for topic in (doc.get("topics") or {}).values():
            batch = topic.get("batchsize") or {}
            if batch.get("cnt", 0) > 0:
                self.batch_size_avg = batch.get("avg")
            for name, part in (topic.get("partitions") or {}).items():
                if name == "-1":  # librdkafka's internal UA partition
                    continue
                lag = partition_lag(part)
                if lag is not None:
                    self.lag_max = lag if self.lag_max is None else max(self.lag_max, lag)

    def total(self, field, key=None):
        """The sum over brokers of a cumulative counter in the last document, or None."""
        if self.last is None:
            return None
        values = [(b.get(field) or {}).get(key, 0) if key else b.get(field, 0)
                  for b in brokers(self.last)]
        return sum(values) if values else None

    def consumer_fields(self):
        fetches = self.total("req", "Fetch")
        rx = self.total("rxbytes")
        fields = {
            "fetch_requests": fetches,
            "fetch_latency_avg_ms": (self.rtt_sum_us / self.rtt_cnt / 1000.0
                                     if self.rtt_cnt else None),
            "fetch_latency_max_ms": (self.rtt_max_us / 1000.0
                                     if self.rtt_max_us is not None else None),
            "fetch_bytes_avg": rx / fetches if fetches and rx is not None else None,
            "records_lag_max": self.lag_max,
        }
        fields["client_metrics"] = self.flat()
        return fields

    def producer_fields(self, acked):
        requests = self.total("req", "Produce")
        return {
            "retries": self.total("txretries"),
            "produce_requests": requests,
            "records_per_request_avg": acked / requests if requests else None,
            "batch_size_avg_bytes": self.batch_size_avg,
            "compression_ratio": None,  # librdkafka has none; kafkatune computes its own
            "bytes_on_wire": self.total("txbytes"),
            "client_metrics": self.flat(),
        }

    def flat(self):
        """A few raw figures by librdkafka's names (numbers only), for the curious."""
        out = {"statistics_documents": self.documents}
        if self.last is not None:
            for name in ("msg_cnt", "msg_size", "tx", "rx", "txmsgs", "rxmsgs", "replyq"):
                number = finite_number(self.last.get(name))
                if number is not None:
                    out[name] = number
            for field, key in (("req", "Fetch"), ("req", "Produce"), ("rxbytes", None),
                               ("txbytes", None)):
                value = self.total(field, key)
                if value is not None:
                    out["brokers.%s%s" % (field, "." + key if key else "")] = value
        return out


def await_next(client, stats, config, deadline, now=time.monotonic):
    """Serves ``client.poll`` until one more statistics document has arrived (bounded by
    two statistics intervals and the run's deadline), so the totals cover the whole run:
    librdkafka emits a document only once an interval has passed, and a run of under one
    interval would otherwise end with none. A consumer's partitions must be paused first
    (nothing is consumed here). Returns whether a document came."""
    try:
        interval_s = float(config.get("statistics.interval.ms") or 0) / 1000.0
    except ValueError:
        return False
    if interval_s <= 0:
        return False  # statistics switched off by the spec: the figures stay absent
    seen = stats.documents
    stop = min(deadline, now() + 2 * interval_s + 0.1)
    while stats.documents == seen:
        left = stop - now()
        if left <= 0:
            return False
        client.poll(min(0.02, left))
    return True


def brokers(doc):
    """The real brokers of a statistics document (not the bootstrap or internal entries,
    whose ``nodeid`` is -1)."""
    return [b for b in (doc.get("brokers") or {}).values() if b.get("nodeid", -1) >= 0]


def partition_lag(part):
    """High watermark (or last stable offset under read_committed) minus the application's
    position; None when either is unknown (-1, -1001) or the partition is not consumed."""
    app = part.get("app_offset", -1)
    high = part.get("hi_offset", -1)
    stable = part.get("ls_offset", -1)
    end = stable if 0 <= stable < high else high
    if app is None or app < 0 or end is None or end < 0:
        return None
    return max(0, end - app)


def config_text(value):
    return value if isinstance(value, str) else str(value)


def librdkafka_config(config):
    """The whole configuration as the bundled librdkafka resolves it (defaults included,
    librdkafka names, text, secrets masked): ``rd_kafka_conf_dump`` of a configuration set
    the way the client's was. confluent-kafka has no call for it, so this loads the
    library its wheel ships (the one the client runs on) with ctypes. Without it, what the
    driver set (no defaults)."""
    text = {k: config_text(v) for k, v in config.items() if not callable(v)}
    dumped = conf_dump(text)
    resolved = dumped if dumped is not None else text
    return {k: "*****" if is_secret(k) and v not in ("", None) else v
            for k, v in sorted(resolved.items())}


def bundled_librdkafka():
    try:
        import confluent_kafka
    except Exception:  # noqa: BLE001
        return None
    here = os.path.dirname(os.path.dirname(confluent_kafka.__file__))
    found = sorted(glob.glob(os.path.join(here, "confluent_kafka.libs", "librdkafka*.so*")))
    return found[0] if found else None


def conf_dump(settings):
    """``rd_kafka_conf_dump`` after setting ``settings``; None if the library cannot be
    loaded. A setting librdkafka refuses here was refused by the client already."""
    path = bundled_librdkafka()
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                      ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_conf_dump.restype = ctypes.POINTER(ctypes.c_char_p)
    lib.rd_kafka_conf_dump.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_size_t)]
    lib.rd_kafka_conf_dump_free.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t]
    lib.rd_kafka_conf_destroy.argtypes = [ctypes.c_void_p]
    conf = lib.rd_kafka_conf_new()
    err = ctypes.create_string_buffer(512)
    for name, value in settings.items():
        lib.rd_kafka_conf_set(conf, name.encode(), value.encode(), err, len(err))
    count = ctypes.c_size_t()
    arr = lib.rd_kafka_conf_dump(conf, ctypes.byref(count))
    out = {}
    for i in range(0, count.value, 2):
        out[arr[i].decode()] = (arr[i + 1] or b"").decode()
    lib.rd_kafka_conf_dump_free(arr, count)
    lib.rd_kafka_conf_destroy(conf)
    return out
