package dev.kafkatune.driver;

import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import org.HdrHistogram.Histogram;

/**
 * What every consumer run (a consumer group member or an assigned consumer, and a share
 * group member) counts poll by poll, and how it writes that into the result and the
 * progress lines: one copy of the rules, so that the two runs cannot drift apart.
 *
 * <p>The counters are volatile because Main's watchdog may fill a result from another
 * thread while the run's thread is stuck; each is written by the run's thread only, and at
 * most once per poll (the per-record work stays in the run's locals).
 */
final class PollTally {
    /** Reads the payload's 8-byte big-endian send time in place, without a ByteBuffer per record. */
    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final Spec spec;
    private final PrintStream events;
    private final long progressIntervalNanos;
    /** Live mode only: end-to-end latency from the payload's send time. */
    private final Histogram latency;
    private long warmupEndUs;
    private final long pollTimeoutNanos;
    private final Duration pollTimeout;
    private long lastProgressNanos;
    private long lastProgressCount;

    volatile Long readyUnixUs;
    volatile boolean sawRecord;
    volatile long firstNanos;
    volatile long firstUnixUs;
    volatile long lastNanos;
    volatile long counted;
    volatile long bytes;
    volatile long polls;
    volatile long emptyPolls;
    volatile int recordsPerPollMax;
    volatile boolean timedOut;
    volatile String failure;

    PollTally(Spec spec, PrintStream events, long progressIntervalNanos) {
        this.spec = spec;
        this.events = events;
        this.progressIntervalNanos = progressIntervalNanos;
        this.latency = spec.liveMode() ? LatencyHistogram.create() : null;
        this.warmupEndUs = spec.liveMode() ? spec.live().warmupEndUnixUs() : 0;
        this.pollTimeoutNanos = spec.pollTimeoutMs() * 1_000_000L;
        this.pollTimeout = Duration.ofMillis(spec.pollTimeoutMs());
    }

    boolean live() {
        return latency != null;
    }

    /** The consumer is subscribed or assigned: stamps the time and says ready. */
    void ready() {
        readyUnixUs = wallMicros();
        event("{\"event\":\"ready\"}");
    }

    /** The spec's poll timeout, shortened so that no poll carries the run past its deadline. */
    Duration pollTimeout(long remainingNanos) {
        return remainingNanos >= pollTimeoutNanos ? pollTimeout : Duration.ofNanos(remainingNanos);
    }

    /** One counted poll that returned {@code n} records. */
    void polled(int n) {
        polls++;
        if (n == 0) {
            emptyPolls++;
        } else if (n > recordsPerPollMax) {
            recordsPerPollMax = n;
        }
    }

    /** The first poll with records: the clock of consume_s starts at {@code afterPoll}. */
    void firstRecords(long afterPoll, long unixUs) {
        if (!sawRecord) {
            firstNanos = afterPoll;
            firstUnixUs = unixUs;
            sawRecord = true;
        }
    }

    /** Live mode: the warm-up ends at {@code us} instead (a live group's start file says when). */
    void warmupEndsAt(long us) {
        warmupEndUs = us;
    }

    /** Live mode: one record's latency, if its value carries a send time past the warm-up. */
    void recordLatency(byte[] value, long nowUs) {
        if (value == null || value.length < 8) {
            return; // not a kafkatune payload: no send time to measure from
        }
        long sendUs = (long) BE_LONG.get(value, 0);
        if (sendUs >= warmupEndUs) {
            LatencyHistogram.record(latency, nowUs - sendUs);
        }
    }

    /** Progress lines are measured from now (the loop starts). */
    void startProgress() {
        lastProgressNanos = System.nanoTime();
        lastProgressCount = 0;
    }

    /** A progress line if the interval has passed and the count moved. */
    void progressIfDue(long now) {
        if (now - lastProgressNanos >= progressIntervalNanos && counted != lastProgressCount) {
            progressNow(now);
        }
    }

    /** A progress line at once (a group member that just finished its share). */
    void progressNow(long now) {
        lastProgressNanos = now;
        lastProgressCount = counted;
        progress();
    }

    /** The final count, after the loop. */
    void progress() {
        event("{\"event\":\"progress\",\"messages\":" + counted + "}");
    }

    void event(String json) {
        events.println(json);
        events.flush();
    }

    /**
     * The fields every consumer run reports alike: status and error, counts, the record
     * clock, poll counts, the latency histogram. From the watchdog, values may be a poll behind.
     */
    void fill(Result r) {
        if (failure != null) {
            r.error = failure;
        } else if (timedOut) {
            r.error = "timed out after " + Main.seconds(spec.timeoutS()) + " s with " + counted + " of " + spec.messages() + " messages";
        } else {
            r.status = "ok";
            r.error = null;
        }
        if (r.error != null) {
            r.status = "failed";
        }
        r.messages = counted;
        r.bytes = bytes;
        r.readyUnixUs = readyUnixUs;
        if (sawRecord) {
            r.firstRecordUnixUs = firstUnixUs;
            // Derived from the monotonic clock so that it agrees with consume_s exactly.
            r.lastRecordUnixUs = firstUnixUs + (lastNanos - firstNanos) / 1_000;
            r.consumeS = (lastNanos - firstNanos) / 1e9;
        }
        r.polls = polls;
        r.emptyPolls = emptyPolls;
        r.recordsPerPollMax = recordsPerPollMax;
        if (latency != null) {
            r.latencyHistogram = LatencyHistogram.encode(latency);
        }
    }

    static long wallMicros() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }
}
