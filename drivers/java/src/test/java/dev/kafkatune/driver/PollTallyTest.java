package dev.kafkatune.driver;

import static dev.kafkatune.driver.TestSupport.drainSpec;
import static dev.kafkatune.driver.TestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The counting and reporting rules both consumer runs (DrainOrLiveConsumer, ShareRun) share. */
class PollTallyTest {
    private final TestSupport.Events events = new TestSupport.Events();

    private PollTally tally(Map<String, Object> s) {
        return new PollTally(spec(s), events.stream, 1_000_000_000L);
    }

    @Test
    void aPollNeverOutlastsTheDeadline() {
        PollTally t = tally(drainSpec()); // poll_timeout_ms 100
        assertEquals(Duration.ofMillis(100), t.pollTimeout(5_000_000_000L));
        assertEquals(Duration.ofNanos(30_000_000L), t.pollTimeout(30_000_000L));
    }

    @Test
    void pollsEmptyPollsAndTheLargestPollAreCounted() {
        PollTally t = tally(drainSpec());
        t.polled(0);
        t.polled(7);
        t.polled(3);
        Result r = new Result();
        t.fill(r);
        assertEquals(3, r.polls);
        assertEquals(1, r.emptyPolls);
        assertEquals(7, r.recordsPerPollMax);
        assertEquals("ok", r.status);
        assertNull(r.firstRecordUnixUs, "no record seen: no record clock");
        assertNull(r.latencyHistogram, "drain mode");
    }

    @Test
    void theRecordClockStartsAtTheFirstRecordsOnly() {
        PollTally t = tally(drainSpec());
        t.firstRecords(1_000_000_000L, 5_000_000L);
        t.firstRecords(9_000_000_000L, 9_000_000L); // a later poll: ignored
        t.lastNanos = 1_500_000_000L;
        Result r = new Result();
        t.fill(r);
        assertEquals(0.5, r.consumeS);
        assertEquals(5_000_000L, (long) r.firstRecordUnixUs);
        assertEquals(5_500_000L, (long) r.lastRecordUnixUs, "from the monotonic clock");
    }

    @Test
    void aTimeOutNamesTheCountAndAFailureWins() {
        PollTally t = tally(drainSpec());
        t.counted = 42;
        t.timedOut = true;
        Result r = new Result();
        t.fill(r);
        assertEquals("failed", r.status);
        assertEquals("timed out after 120 s with 42 of 100000 messages", r.error);
        t.failure = "boom";
        Result r2 = new Result();
        t.fill(r2);
        assertEquals("boom", r2.error);
    }

    @Test
    void progressLinesComeOnlyWhenDueAndTheCountMoved() {
        PollTally t = tally(drainSpec());
        t.startProgress();
        long start = System.nanoTime();
        t.counted = 5;
        t.progressIfDue(start); // not due yet
        t.progressIfDue(start + 2_000_000_000L);
        t.progressIfDue(start + 4_000_000_000L); // due, but the count did not move
        t.progressNow(start + 4_100_000_000L);
        assertEquals(List.of("{\"event\":\"progress\",\"messages\":5}", "{\"event\":\"progress\",\"messages\":5}"), events.lines());
    }

    @Test
    void liveLatencySkipsTheWarmUpAndForeignValues() {
        Map<String, Object> s = drainSpec();
        s.put("mode", "live");
        s.put("live", Map.of("warmup_end_unix_us", 1_000L));
        PollTally t = tally(s);
        assertTrue(t.live());
        t.recordLatency(TestSupport.payload(999L, 16), 2_000L);
        t.recordLatency(new byte[] {1, 2}, 2_000L);
        t.recordLatency(TestSupport.payload(1_500L, 16), 2_000L);
        Result r = new Result();
        t.fill(r);
        assertTrue(r.latencyHistogram != null && !r.latencyHistogram.isEmpty());
    }
}
