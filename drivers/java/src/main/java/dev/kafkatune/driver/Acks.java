package dev.kafkatune.driver;

import java.util.SortedMap;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.Callback;

/**
 * The delivery reports of a producer run: how many records were acknowledged (per
 * partition, and their value bytes), the acknowledgement latencies, and the errors.
 *
 * <p>KafkaProducer calls back on its I/O thread, but a send that fails at once calls back on
 * the sending thread, and Main's watchdog may read at any time: everything is under this
 * object's monitor (uncontended almost always, so about as cheap as plain fields). The two
 * counts the send loop reads per record are volatile as well, so it reads them without it.
 */
final class Acks {
    private final int[] partitions;
    private final long[] perIndex;
    private final Histogram latency = LatencyHistogram.create();

    private volatile long acked;
    private volatile String firstError;
    private long errors;
    private long bytes;
    private long lastAckNanos;
    /** The report count the waiting thread is after; Long.MAX_VALUE while records are still being sent. */
    private long awaited = Long.MAX_VALUE;

    /** {@code partitions}: the spec's, in its order; records name theirs by index into it. */
    Acks(int[] partitions) {
        this.partitions = partitions.clone();
        this.perIndex = new long[partitions.length];
    }

    /** The send time of a record whose acknowledgement is counted but not timed (a warm-up's). */
    static final long NOT_TIMED = Long.MIN_VALUE;

    /** The callback for record {@code index}, sent to {@code partitions[partitionIndex]} at {@code sendNanos}. */
    Callback callback(long index, int partitionIndex, int valueBytes, long sendNanos) {
        return (metadata, exception) -> report(index, partitionIndex, valueBytes, sendNanos, exception);
    }

    private void report(long index, int partitionIndex, int valueBytes, long sendNanos, Exception exception) {
        long now = System.nanoTime();
        synchronized (this) {
            if (exception == null) {
                acked++;
                bytes += valueBytes;
                perIndex[partitionIndex]++;
                if (now - lastAckNanos > 0 || acked == 1) {
                    lastAckNanos = now;
                }
                if (sendNanos != NOT_TIMED) {
                    LatencyHistogram.record(latency, (now - sendNanos) / 1_000);
                }
            } else {
                errors++;
                if (firstError == null) {
                    firstError = "record " + index + " to partition " + partitions[partitionIndex] + ": " + Main.oneLine(exception);
                }
            }
            if (exception != null || acked + errors >= awaited) {
                notifyAll();
            }
        }
    }

    /**
     * Waits until {@code sent} reports are in, an error came, {@link #wake()} is called, or
     * {@code untilNanos}: one wait, the caller loops. True when all {@code sent} are in.
     */
    synchronized boolean awaitUntil(long sent, long untilNanos) throws InterruptedException {
        awaited = sent;
        long left = untilNanos - System.nanoTime();
        if (acked + errors < sent && firstError == null && left > 0) {
            wait(left / 1_000_000, (int) (left % 1_000_000));
        }
        return acked + errors >= sent;
    }

    synchronized void wake() {
        notifyAll();
    }

    long acked() {
        return acked;
    }

    boolean failed() {
        return firstError != null;
    }

    /** "record I to partition P: the exception", the first delivery error; null if none. */
    String firstError() {
        return firstError;
    }

    synchronized long errors() {
        return errors;
    }

    synchronized long bytes() {
        return bytes;
    }

    /** The monotonic instant of the last acknowledgement; meaningless while {@link #acked()} is 0. */
    synchronized long lastAckNanos() {
        return lastAckNanos;
    }

    /** Acknowledged records by partition number, every spec partition present. */
    synchronized SortedMap<Integer, Long> perPartition() {
        SortedMap<Integer, Long> out = new TreeMap<>();
        for (int i = 0; i < partitions.length; i++) {
            out.merge(partitions[i], perIndex[i], Long::sum);
        }
        return out;
    }

    synchronized String encodedLatency() {
        return LatencyHistogram.encode(latency);
    }
}
