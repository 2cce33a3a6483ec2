package dev.kafkatune.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The length-prefixed payload file of a producer run, and the values built from it. */
class PayloadFileTest {
    @TempDir
    Path dir;

    /** Bodies as a payload file: a 4-byte big-endian length before each. */
    static byte[] file(byte[]... bodies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] b : bodies) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String error(byte[] data) {
        return assertThrows(IOException.class, () -> PayloadFile.parse(data, "p.bin")).getMessage();
    }

    @Test
    void bodiesAndTheirLengthsAreReadInOrder() throws IOException {
        Path f = dir.resolve("payload.bin");
        Files.write(f, file(text("alpha"), new byte[0], new byte[300], text("z")));
        PayloadFile p = PayloadFile.read(f);
        assertEquals(4, p.bodies());
        assertEquals(5, p.bodyLength(0));
        assertEquals(0, p.bodyLength(1));
        assertEquals(300, p.bodyLength(2));
        assertEquals(1, p.bodyLength(3));
        assertArrayEquals(text("alpha"), p.body(0));
        assertArrayEquals(new byte[0], p.body(1));
        assertArrayEquals(text("z"), p.body(3));
    }

    @Test
    void manyBodiesGrowTheIndex() throws IOException {
        byte[][] bodies = new byte[1000][];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = text("body-" + i);
        }
        PayloadFile p = PayloadFile.parse(file(bodies), "p.bin");
        assertEquals(1000, p.bodies());
        assertArrayEquals(text("body-999"), p.body(999));
    }

    @Test
    void aValueIsTheBigEndianStampThenBodyIModN() throws IOException {
        PayloadFile p = PayloadFile.parse(file(text("ab"), text("cde")), "p.bin");
        long stamp = 0x0102030405060708L;
        byte[] v = p.value(0, stamp);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 'a', 'b'}, v);
        assertArrayEquals(text("cde"), Arrays.copyOfRange(p.value(5, stamp), 8, 11));
        assertArrayEquals(text("ab"), Arrays.copyOfRange(p.value(4, stamp), 8, 10));
        // Unsigned: a stamp with the top bit set keeps its bits.
        assertEquals(-1L, ByteBuffer.wrap(p.value(1, -1L)).getLong());
        // Each value is its own array: the producer may hold on to it.
        byte[] again = p.value(0, stamp);
        again[8] = 'X';
        assertArrayEquals(text("ab"), p.body(0));
    }

    @Test
    void anEmptyFileIsAnError() {
        assertEquals("payload file p.bin is empty: it needs at least one length-prefixed body", error(new byte[0]));
    }

    @Test
    void aTruncatedLengthPrefixNamesItsOffset() {
        byte[] data = Arrays.copyOf(file(text("hello")), 9 + 2); // one whole body, then 2 bytes of a prefix
        assertEquals("payload file p.bin is truncated at offset 9: a 4-byte length prefix, 2 bytes left", error(data));
    }

    @Test
    void aTruncatedBodyNamesItsOffset() {
        byte[] whole = file(text("hello"), text("world!"));
        byte[] data = Arrays.copyOf(whole, whole.length - 1);
        assertEquals("payload file p.bin is truncated at offset 9: the body there is 6 bytes, 5 bytes left", error(data));
        // A length beyond 2^31 (top bit set) is past the end of any file this can read.
        assertEquals("payload file p.bin is truncated at offset 0: the body there is 4294967295 bytes, 1 bytes left",
                error(new byte[] {-1, -1, -1, -1, 0}));
    }

    @Test
    void aMissingFileIsAnError() {
        assertThrows(NoSuchFileException.class, () -> PayloadFile.read(dir.resolve("nope.bin")));
    }
}
