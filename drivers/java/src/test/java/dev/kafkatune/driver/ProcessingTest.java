package dev.kafkatune.driver;

import static dev.kafkatune.driver.TestSupport.bytes;
import static dev.kafkatune.driver.TestSupport.partition;
import static dev.kafkatune.driver.TestSupport.record;
import static dev.kafkatune.driver.TestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.junit.jupiter.api.Test;

/** The spec's processing between polls: parsed, applied per record or per poll, measured. */
class ProcessingTest {
    private final MockConsumer<byte[], byte[]> mock = new MockConsumer<>("earliest");
    private final TestSupport.Events events = new TestSupport.Events();

    private static Map<String, Object> processing(String per, long us, String work) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("per", per);
        p.put("duration_us", us);
        p.put("work", work);
        return p;
    }

    private Result run(Map<String, Object> processing, long messages, int maxPollRecords) {
        Map<String, Object> s = DrainOrLiveConsumerTest.specFor(messages, partition(0, 0, null));
        s.put("processing", processing);
        mock.setMaxPollRecords(maxPollRecords);
        mock.schedulePollTask(() -> {
            for (int i = 0; i < messages; i++) {
                mock.addRecord(record(0, i, bytes(10)));
            }
        });
        DrainOrLiveConsumer d = new DrainOrLiveConsumer(spec(s), System.nanoTime() + 30_000_000_000L, events.stream);
        d.run(config -> mock);
        Result r = new Result();
        d.fill(r);
        return r;
    }

    @Test
    void perRecordBusyWorkTakesItsTimeAndCountsInConsumeTime() {
        // 200 records x 500 us = 0.1 s, in 4 polls of 50.
        Result r = run(processing("record", 500, "busy"), 200, 50);
        assertEquals("ok", r.status);
        assertEquals(200, r.messages);
        assertNotNull(r.processingS);
        assertTrue(r.processingS >= 0.1, "processing_s " + r.processingS);
        assertTrue(r.consumeS >= 0.1 - 0.5 * 50 * 500e-6,
                "consume_s spans the first poll's records to the last one processed: " + r.consumeS);
        assertNotNull(r.pollIntervalMaxMs);
        assertTrue(r.pollIntervalMaxMs >= 25.0, "a poll waits for the previous 50 x 500 us: " + r.pollIntervalMaxMs);
        assertTrue(r.pollIntervalAvgMs <= r.pollIntervalMaxMs);
    }

    @Test
    void perPollSleepCostsOnePollEach() {
        // 100 records in 4 polls of 25: 4 x 20 ms, whatever the records.
        Result r = run(processing("poll", 20_000, "sleep"), 100, 25);
        assertEquals(100, r.messages);
        assertTrue(r.processingS >= 0.08, "processing_s " + r.processingS);
        assertTrue(r.processingS < 0.08 + 0.5, "per poll, not per record: " + r.processingS);
    }

    @Test
    void withoutProcessingNoProcessingTimeIsReported() {
        Result r = run(null, 10, 5);
        assertEquals(10, r.messages);
        assertNull(r.processingS);
    }

    @Test
    void theSpecObjectIsCheckedFieldByField() {
        Processing p = Processing.parse(processing("record", 200, "busy"));
        assertEquals(new Processing(true, 200, true), p);
        assertEquals(200_000L * 3, p.nanosFor(3));
        assertEquals(0, p.nanosFor(0));
        assertEquals(5_000_000L, Processing.parse(processing("poll", 5000, "sleep")).nanosFor(500));
        assertNull(Processing.parse(null));
        assertThrows(IllegalArgumentException.class, () -> Processing.parse(processing("message", 1, "busy")));
        assertThrows(IllegalArgumentException.class, () -> Processing.parse(processing("record", 1, "nap")));
        assertThrows(IllegalArgumentException.class, () -> Processing.parse("200us"));
    }
}
