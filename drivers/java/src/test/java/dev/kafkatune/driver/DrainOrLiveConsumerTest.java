package dev.kafkatune.driver;

import static dev.kafkatune.driver.TestSupport.TOPIC;
import static dev.kafkatune.driver.TestSupport.bytes;
import static dev.kafkatune.driver.TestSupport.drainSpec;
import static dev.kafkatune.driver.TestSupport.partition;
import static dev.kafkatune.driver.TestSupport.payload;
import static dev.kafkatune.driver.TestSupport.record;
import static dev.kafkatune.driver.TestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Assign mode, drain and live, over a MockConsumer: the counting rules of the poll loop
 * (exactly {@code messages}, a poll beyond the count cut, empty polls, bytes, latency).
 */
class DrainOrLiveConsumerTest {
    private static final long TEST_DEADLINE_NS = 10_000_000_000L;

    private final MockConsumer<byte[], byte[]> mock = new MockConsumer<>("earliest");
    private final TestSupport.Events events = new TestSupport.Events();

    @SafeVarargs
    static Map<String, Object> specFor(long messages, Map<String, Object>... partitions) {
        Map<String, Object> s = drainSpec();
        s.put("messages", messages);
        s.put("partitions", List.of(partitions));
        s.put("properties", Map.of());
        return s;
    }

    private Result run(Map<String, Object> specMap, long deadlineNanos) {
        DrainOrLiveConsumer d = new DrainOrLiveConsumer(spec(specMap), deadlineNanos, events.stream);
        d.run(config -> mock);
        Result r = new Result();
        d.fill(r);
        return r;
    }

    private Result run(Map<String, Object> specMap) {
        return run(specMap, System.nanoTime() + TEST_DEADLINE_NS);
    }

    /** Adds records at the next poll (MockConsumer takes records for assigned partitions only). */
    private void atNextPoll(int partition, long fromOffset, int count, int size) {
        mock.schedulePollTask(() -> {
            for (int i = 0; i < count; i++) {
                mock.addRecord(record(partition, fromOffset + i, bytes(size)));
            }
        });
    }

    private void emptyPoll() {
        mock.schedulePollTask(() -> {});
    }

    @Test
    void exactlyMessagesAreCountedAndAnOverflowingPollIsCut() {
        mock.schedulePollTask(() -> {
            for (int i = 0; i < 6; i++) {
                mock.addRecord(record(0, i, bytes(100)));
                mock.addRecord(record(1, i, bytes(100)));
            }
        });
        Result r = run(specFor(10, partition(0, 0, null), partition(1, 0, null)));
        assertEquals("ok", r.status);
        assertNull(r.error);
        assertEquals(10, r.messages);
        assertEquals(1000, r.bytes, "only the counted records' values");
        assertEquals(1, r.polls);
        assertEquals(0, r.emptyPolls);
        assertEquals(12, r.recordsPerPollMax, "what the poll returned, cut or not");
        List<Long> perPartition = new ArrayList<>(r.perPartition.values());
        perPartition.sort(null);
        assertEquals(List.of(4L, 6L), perPartition, "one partition whole, the other cut: " + r.perPartition);
        assertEquals(List.of(0, 1), r.assignedPartitions);
        assertEquals(0, r.rebalances);
        assertNull(r.joinS);
        assertEquals(0.0, r.consumeS, "one poll: first and last record at the same instant");
        assertEquals(r.firstRecordUnixUs, r.lastRecordUnixUs);
        assertNull(r.latencyHistogram, "drain mode");
    }

    @Test
    void theCountIsExactOverManyPolls() {
        mock.setMaxPollRecords(3);
        atNextPoll(0, 0, 12, 10);
        Result r = run(specFor(10, partition(0, 0, null)));
        assertEquals(10, r.messages);
        assertEquals(100, r.bytes);
        assertEquals(4, r.polls, "3 + 3 + 3 + 1 of the fourth poll's 3");
        assertEquals(3, r.recordsPerPollMax);
        assertEquals(Map.of(0, 10L), r.perPartition);
        assertEquals(List.of("{\"event\":\"ready\"}", "{\"event\":\"progress\",\"messages\":10}"), events.lines());
        // The consumer stopped: the two records beyond the count were polled but not counted.
        assertEquals(12, mock.position(new TopicPartition(TOPIC, 0)));
    }

    @Test
    void emptyPollsAreCountedAndTimingStartsAtTheFirstRecord() throws InterruptedException {
        emptyPoll();
        emptyPoll();
        mock.schedulePollTask(() -> {
            sleep(5);
            mock.addRecord(record(0, 0, bytes(1)));
        });
        mock.schedulePollTask(() -> {
            sleep(30);
            mock.addRecord(record(0, 1, bytes(1)));
        });
        long before = PollTally.wallMicros();
        Result r = run(specFor(2, partition(0, 0, null)));
        long after = PollTally.wallMicros();
        assertEquals(4, r.polls);
        assertEquals(2, r.emptyPolls);
        assertEquals(2, r.messages);
        assertNotNull(r.readyUnixUs);
        assertTrue(before <= r.readyUnixUs && r.readyUnixUs <= r.firstRecordUnixUs, r.readyUnixUs + " " + r.firstRecordUnixUs);
        assertTrue(r.lastRecordUnixUs <= after);
        // consume_s (seconds) and the record instants (microseconds) describe the same interval.
        assertTrue(r.consumeS >= 0.025 && r.consumeS < 5, "consume_s " + r.consumeS);
        assertEquals(r.consumeS * 1e6, r.lastRecordUnixUs - r.firstRecordUnixUs, 1.0);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theRunStartsAtEachPartitionsStartOffset() {
        atNextPoll(0, 0, 8, 10);
        atNextPoll(1, 0, 8, 10);
        Result r = run(specFor(7, partition(0, 3, null), partition(1, 6, null)));
        assertEquals("ok", r.status);
        assertEquals(Map.of(0, 5L, 1, 2L), r.perPartition, "offsets 3..7 and 6..7");
        assertEquals(7, r.messages);
    }

    @Test
    void nullAndEmptyValuesCountAsMessagesButAddNoBytes() {
        mock.schedulePollTask(() -> {
            mock.addRecord(record(0, 0, null));
            mock.addRecord(record(0, 1, new byte[0]));
            mock.addRecord(record(0, 2, bytes(10)));
        });
        Result r = run(specFor(3, partition(0, 0, null)));
        assertEquals(3, r.messages);
        assertEquals(10, r.bytes);
    }

    @Test
    void aTimeoutFailsTheRunWithWhatWasCounted() {
        atNextPoll(0, 0, 2, 10);
        Map<String, Object> s = specFor(5, partition(0, 0, null));
        s.put("timeout_s", 0.2);
        long start = System.nanoTime();
        Result r = run(s, start + 200_000_000L);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals("failed", r.status);
        assertEquals("timed out after 0.2 s with 2 of 5 messages", r.error);
        assertEquals(2, r.messages);
        assertEquals(20, r.bytes);
        assertTrue(r.polls > 1 && r.emptyPolls == r.polls - 1, r.polls + " polls, " + r.emptyPolls + " empty");
        assertTrue(tookMs >= 190 && tookMs < 5000, "stopped at the deadline, not later: " + tookMs + " ms");
    }

    @Test
    void aPollFailureBecomesTheError() {
        mock.setPollException(new KafkaException("broker gone"));
        Result r = run(specFor(5, partition(0, 0, null)));
        assertEquals("failed", r.status);
        assertEquals("org.apache.kafka.common.KafkaException: broker gone", r.error);
        assertEquals(0, r.messages);
        assertNotNull(r.readyUnixUs, "it failed after ready");
        assertNotNull(r.clientConfig, "the consumer had been created");
        assertNull(r.firstRecordUnixUs);
    }

    @Test
    void zeroMessagesEndsWithoutPolling() {
        Result r = run(specFor(0, partition(0, 0, null)));
        assertEquals("ok", r.status);
        assertEquals(0, r.polls);
        assertEquals(0, r.messages);
        assertNull(r.firstRecordUnixUs);
        assertEquals(0.0, r.consumeS);
    }

    @Test
    void perPartitionListsEverySpecPartitionZerosIncluded() {
        atNextPoll(1, 0, 4, 10);
        Result r = run(specFor(4, partition(2, 0, null), partition(0, 0, null), partition(1, 0, null)));
        assertEquals(Map.of(0, 0L, 1, 4L, 2, 0L), r.perPartition);
        assertEquals(List.of(0, 1, 2), new ArrayList<>(r.perPartition.keySet()));
        assertEquals(List.of(0, 1, 2), r.assignedPartitions, "sorted");
    }

    @Test
    void liveLatencyIsRecordedInMicrosecondsFromTheWarmUpEndOn() throws DataFormatException {
        long now = PollTally.wallMicros();
        long warmupEnd = now - 1_000_000;
        mock.schedulePollTask(() -> {
            mock.addRecord(record(0, 0, payload(now - 5_000, 100)));        // 5 ms (and more by the poll)
            mock.addRecord(record(0, 1, payload(warmupEnd - 1, 100)));      // before the warm-up end: not recorded
            mock.addRecord(record(0, 2, payload(warmupEnd, 100)));          // at the warm-up end: about 1 s
            mock.addRecord(record(0, 3, payload(now + 60_000_000L, 100)));  // a clock step ahead: recorded as 0
            mock.addRecord(record(0, 4, new byte[] {1, 2, 3, 4}));           // no send time: not recorded
        });
        Map<String, Object> s = specFor(5, partition(0, 0, null));
        s.put("mode", "live");
        s.put("live", Map.of("warmup_end_unix_us", warmupEnd));
        Result r = run(s);
        assertEquals(5, r.messages, "every record counts, measured or not");
        assertEquals(404, r.bytes);
        assertNotNull(r.latencyHistogram);
        Histogram h = Histogram.decodeFromCompressedByteBuffer(
                ByteBuffer.wrap(Base64.getDecoder().decode(r.latencyHistogram)), 0);
        assertEquals(3, h.getTotalCount());
        assertEquals(0, h.getMinValue());
        assertEquals(LatencyHistogram.HIGHEST_US, h.getHighestTrackableValue());
        assertEquals(LatencyHistogram.DIGITS, h.getNumberOfSignificantValueDigits());
        assertEquals(1, h.getCountBetweenValues(5_000, 500_000), "the 5 ms record");
        assertTrue(h.getMaxValue() >= 1_000_000 && h.getMaxValue() < 10_000_000, "about 1 s: " + h.getMaxValue());
    }

    @Test
    void anEmptyLiveRunStillHasAHistogram() throws DataFormatException {
        Map<String, Object> s = specFor(0, partition(0, 0, null));
        s.put("mode", "live");
        s.put("live", Map.of("warmup_end_unix_us", 1L));
        Result r = run(s);
        Histogram h = Histogram.decodeFromCompressedByteBuffer(
                ByteBuffer.wrap(Base64.getDecoder().decode(r.latencyHistogram)), 0);
        assertEquals(0, h.getTotalCount());
    }
}
