package dev.kafkatune.driver;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The record bodies of a producer run (docs/driver-protocol.md, "Producer runs"): a file of
 * 4-byte big-endian lengths, each followed by that many bytes, to its end. Read once, before
 * the run; the bodies stay slices of the one array the file was read into.
 */
final class PayloadFile {
    /** The send time's 8 bytes at the start of every value. */
    static final int STAMP_BYTES = 8;

    private static final VarHandle BE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] data;
    private final int[] offsets;
    private final int[] lengths;

    private PayloadFile(byte[] data, int[] offsets, int[] lengths) {
        this.data = data;
        this.offsets = offsets;
        this.lengths = lengths;
    }

    static PayloadFile read(Path path) throws IOException {
        return parse(Files.readAllBytes(path), path.toString());
    }

    /** {@code name} is for the error messages: they say which file and at which byte offset it goes wrong. */
    static PayloadFile parse(byte[] data, String name) throws IOException {
        if (data.length == 0) {
            throw new IOException("payload file " + name + " is empty: it needs at least one length-prefixed body");
        }
        int[] offsets = new int[16];
        int[] lengths = new int[16];
        int n = 0;
        int at = 0;
        while (at < data.length) {
            if (data.length - at < 4) {
                throw new IOException("payload file " + name + " is truncated at offset " + at + ": a 4-byte length prefix, "
                        + (data.length - at) + " bytes left");
            }
            int len = (int) BE_INT.get(data, at);
            if (len < 0 || len > data.length - at - 4) {
                throw new IOException("payload file " + name + " is truncated at offset " + at + ": the body there is "
                        + Integer.toUnsignedString(len) + " bytes, " + (data.length - at - 4) + " bytes left");
            }
            if (n == offsets.length) {
                offsets = Arrays.copyOf(offsets, n * 2);
                lengths = Arrays.copyOf(lengths, n * 2);
            }
            offsets[n] = at + 4;
            lengths[n] = len;
            n++;
            at += 4 + len;
        }
        return new PayloadFile(data, Arrays.copyOf(offsets, n), Arrays.copyOf(lengths, n));
    }

    int bodies() {
        return lengths.length;
    }

    int bodyLength(int i) {
        return lengths[i];
    }

    byte[] body(int i) {
        return Arrays.copyOfRange(data, offsets[i], offsets[i] + lengths[i]);
    }

    /** Record {@code index}'s value: the send time (unsigned 64-bit big-endian), then body {@code index % bodies}. */
    byte[] value(long index, long sendUnixUs) {
        int b = (int) (index % lengths.length);
        byte[] v = new byte[STAMP_BYTES + lengths[b]];
        BE_LONG.set(v, 0, sendUnixUs);
        System.arraycopy(data, offsets[b], v, STAMP_BYTES, lengths[b]);
        return v;
    }
}
