"""What kafkatune's kafka-python driver shares between its consumer runs
(kafkatune_driver.py) and its producer runs (kafkatune_producer.py): the protocol's
constants, progress lines, error wording, metric and configuration helpers.

Nothing here imports kafka-python, so the unit tests can load it anywhere.
"""

import json
import logging
import math
import sys

PROTOCOL_VERSION = 1

# Latency histogram bounds fixed by the protocol: 1 us .. 1 h, 3 significant digits.
HIST_LOWEST_US = 1
HIST_HIGHEST_US = 3_600_000_000
HIST_SIGNIFICANT_DIGITS = 3

PROGRESS_INTERVAL_S = 0.5  # "at most a few times a second"
CLOSE_TIMEOUT_MS = 1000  # close() would otherwise wait up to request_timeout_ms (30 s)

log = logging.getLogger("kafkatune.driver")


def new_histogram():
    """An empty latency histogram with the protocol's bounds (``hdrhistogram``, import
    name ``hdrh``; imported only when a run needs one)."""
    from hdrh.histogram import HdrHistogram
    return HdrHistogram(HIST_LOWEST_US, HIST_HIGHEST_US, HIST_SIGNIFICANT_DIGITS)


def encode_histogram(histogram):
    """HdrHistogram V2 compressed, base64, as text; None for no histogram."""
    return None if histogram is None else histogram.encode().decode("ascii")


def finite_number(value):
    """The value as a JSON-safe number, or None for NaN/inf/non-numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def client_level_metrics(client):
    """``client.metrics()``'s shape (a KafkaConsumer or KafkaProducer), but client-level
    metrics only.

    ``metrics()`` folds metrics by (group, name) and drops tags, so a per-topic
    ``fetch-size-avg`` (tag ``topic``) or per-node metric can overwrite the client-wide
    one. Keeping only metrics tagged with nothing but ``client-id`` avoids that.
    """
    nested = {}
    raw = client.metrics(raw=True) or {}
    for metric_name, metric in raw.items():
        if set(metric_name.tags or {}) - {"client-id"}:
            continue
        try:
            value = metric.value()
        except Exception:  # a metric that cannot be measured is simply left out
            continue
        nested.setdefault(metric_name.group, {})[metric_name.name] = value
    return nested


def timeout_error(spec, state):
    return "timed out after %g s with %d of %d messages" % (
        float(spec.get("timeout_s", 0)), state.messages, int(spec.get("messages", 0)))


def one_line(exc):
    """A one-line, self-explaining error from an exception: ``Type: message``."""
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    if name.islower():  # e.g. struct.error: the bare name says nothing
        name = "%s.%s" % (type(exc).__module__, name)
    if not text:
        return name
    # kafka-python's errors already name their class ("[Error 6] NotLeaderForPartitionError: ...").
    return text if type(exc).__name__ in text else "%s: %s" % (name, text)


SECRET_WORDS = ("password", "passphrase", "private", "jaas", "secret", "token")


def is_secret(name):
    """Names whose values never leave the driver (the rule kafkatune's own masking follows)."""
    name = name.lower()
    return any(word in name for word in SECRET_WORDS) or name.endswith("key") or "key.pem" in name


def config_text(value):
    """A configuration value as text: Java's spelling for booleans and None, names for
    classes and functions, comma-separated lists."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ",".join(config_text(v) for v in value)
    if isinstance(value, type) or callable(value):
        return getattr(value, "__qualname__", None) or type(value).__name__
    return type(value).__name__


def resolved_config(config):
    """kafka-python's whole configuration (KafkaConsumer.config or KafkaProducer.config:
    defaults included) as text, secrets masked (an unset one shows as unset)."""
    return {
        name: "*****" if is_secret(name) and value not in (None, "") else config_text(value)
        for name, value in sorted(config.items())
    }


_stdout_open = True


def emit(event):
    """One progress line on stdout, flushed at once.

    stdout is optional: if the reader has gone (broken pipe), stop writing instead of
    failing the run; the result file is the channel that matters.
    """
    global _stdout_open
    if not _stdout_open:
        return
    try:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()
    except (OSError, ValueError):
        _stdout_open = False
        log.warning("stdout closed; no more progress lines")


# ---------------------------------------------------------------- processing between polls

class Processing:
    """The spec's ``processing`` (docs/driver-protocol.md, "Processing"): the work the
    application does with what one poll handed it, before it polls again. Per record
    (``per: "record"``: the poll's counted records times ``duration_us``) or per poll
    (``per: "poll"``: ``duration_us`` for a poll that handed any record); busy (a spin on
    the monotonic clock, the thread stays occupied) or sleep."""

    def __init__(self, per_record, duration_us, busy):
        self.per_record = per_record
        self.duration_us = duration_us
        self.busy = busy

    @staticmethod
    def from_spec(obj):
        """The spec's object, or None (absent or null: no processing); ValueError names
        the field that is wrong."""
        if obj is None:
            return None
        if not isinstance(obj, dict):
            raise ValueError("processing must be a JSON object or null")
        per, work, duration = obj.get("per"), obj.get("work"), obj.get("duration_us")
        if per not in ("record", "poll"):
            raise ValueError('processing.per must be "record" or "poll", got %r' % (per,))
        if work not in ("busy", "sleep"):
            raise ValueError('processing.work must be "busy" or "sleep", got %r' % (work,))
        if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
            raise ValueError("processing.duration_us must be a whole number >= 0")
        return Processing(per == "record", duration, work == "busy")

    def seconds_for(self, records):
        """The processing of one poll that handed over ``records`` records, in seconds."""
        if records <= 0:
            return 0.0
        us = self.duration_us * records if self.per_record else self.duration_us
        return us / 1e6

    def apply(self, records, clock=None, sleep=None):
        """Does the work of one poll; returns the seconds it took (monotonic clock)."""
        import time
        clock = clock or time.perf_counter
        work = self.seconds_for(records)
        start = clock()
        if work <= 0:
            return 0.0
        end = start + work
        if self.busy:
            while clock() < end:
                pass
        else:
            sleep = sleep or time.sleep
            left = work
            while left > 0:
                sleep(left)
                left = end - clock()
        return clock() - start


class PollIntervals:
    """Time between successive counted polls, start to start (Java's
    ``time-between-poll``): the mean and the longest, in milliseconds."""

    def __init__(self):
        self.last = None
        self.count = 0
        self.total = 0.0
        self.longest = 0.0

    def poll_starts(self, now):
        if self.last is not None:
            gap = now - self.last
            self.count += 1
            self.total += gap
            self.longest = max(self.longest, gap)
        self.last = now

    def avg_ms(self):
        return self.total * 1000.0 / self.count if self.count else None

    def max_ms(self):
        return self.longest * 1000.0 if self.count else None
