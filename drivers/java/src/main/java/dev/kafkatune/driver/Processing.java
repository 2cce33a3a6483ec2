package dev.kafkatune.driver;

import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The spec's {@code processing} (docs/driver-protocol.md, "Processing"): the work the
 * application does with what one poll handed it, before it polls again. Per record
 * ({@code per: "record"}: the poll's counted records times {@code duration_us}) or per poll
 * ({@code per: "poll"}: {@code duration_us} for a poll that handed any record); busy (a spin
 * on the monotonic clock: the thread stays occupied) or sleep.
 */
record Processing(boolean perRecord, long durationUs, boolean busy) {

    /** The spec's object, or null (absent or null: no processing). */
    static Processing parse(Object o) {
        if (o == null) {
            return null;
        }
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("processing must be a JSON object or null");
        }
        Object per = m.get("per");
        Object work = m.get("work");
        Object duration = m.get("duration_us");
        if (!"record".equals(per) && !"poll".equals(per)) {
            throw new IllegalArgumentException("processing.per must be \"record\" or \"poll\", got " + per);
        }
        if (!"busy".equals(work) && !"sleep".equals(work)) {
            throw new IllegalArgumentException("processing.work must be \"busy\" or \"sleep\", got " + work);
        }
        if (!(duration instanceof Long d) || d < 0) {
            throw new IllegalArgumentException("processing.duration_us must be a whole number >= 0");
        }
        return new Processing("record".equals(per), d, "busy".equals(work));
    }

    /** The processing of one poll that handed over {@code records} records, in nanoseconds. */
    long nanosFor(long records) {
        if (records <= 0) {
            return 0;
        }
        return (perRecord ? durationUs * records : durationUs) * 1_000L;
    }

    /** Does the work of one poll; returns the nanoseconds it took (monotonic clock). */
    long apply(long records) {
        long work = nanosFor(records);
        long start = System.nanoTime();
        if (work == 0) {
            return 0;
        }
        long end = start + work;
        if (busy) {
            while (System.nanoTime() - end < 0) {
                Thread.onSpinWait();
            }
        } else {
            for (long left = work; left > 0; left = end - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
        return System.nanoTime() - start;
    }
}
