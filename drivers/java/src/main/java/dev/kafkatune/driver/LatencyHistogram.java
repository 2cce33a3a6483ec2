package dev.kafkatune.driver;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import org.HdrHistogram.Histogram;

/**
 * The protocol's latency histograms (live end-to-end, producer acknowledgement): microseconds,
 * 1 µs to one hour, 3 significant digits, reported as HdrHistogram V2 compressed, base64.
 */
final class LatencyHistogram {
    static final long HIGHEST_US = 3_600_000_000L;
    static final int DIGITS = 3;

    private LatencyHistogram() {}

    static Histogram create() {
        return new Histogram(HIGHEST_US, DIGITS);
    }

    /** Clock steps can make a latency negative; an hour is the ceiling. */
    static void record(Histogram h, long us) {
        h.recordValue(us < 0 ? 0 : Math.min(us, HIGHEST_US));
    }

    static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int len = h.encodeIntoCompressedByteBuffer(buf);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buf.array(), len));
    }
}
