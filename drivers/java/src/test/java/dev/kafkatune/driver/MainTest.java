package dev.kafkatune.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void secondsAreWrittenTheWayAUserWritesThem() {
        assertEquals("120", Main.seconds(120.0));
        assertEquals("0.5", Main.seconds(0.5));
        assertEquals("0.2", Main.seconds(0.2));
        assertEquals("1", Main.seconds(1));
        assertEquals("1.0E15", Main.seconds(1e15));
    }

    @Test
    void oneLineNamesTheClassAndTheRootCause() {
        Exception e = new IllegalStateException("outer\n  second line",
                new RuntimeException("middle", new IOException("Connection refused")));
        assertEquals("java.lang.IllegalStateException: outer second line (caused by java.io.IOException: Connection refused)",
                Main.oneLine(e));
    }

    @Test
    void oneLineWithoutMessageOrCause() {
        assertEquals("java.lang.NullPointerException", Main.oneLine(new NullPointerException()));
        assertEquals("java.lang.RuntimeException", Main.oneLine(new RuntimeException(" ")));
    }
}
