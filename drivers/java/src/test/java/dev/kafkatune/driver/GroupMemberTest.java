package dev.kafkatune.driver;

import static dev.kafkatune.driver.TestSupport.TOPIC;
import static dev.kafkatune.driver.TestSupport.bytes;
import static dev.kafkatune.driver.TestSupport.drainSpec;
import static dev.kafkatune.driver.TestSupport.partition;
import static dev.kafkatune.driver.TestSupport.record;
import static dev.kafkatune.driver.TestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscribe mode (docs/driver-protocol.md, "Several consumers") over a MockConsumer: the
 * start offset or the committed one, ranges up to end_offset, pausing, hand-over commits,
 * the start and stop files, and a whole group member's run.
 */
class GroupMemberTest {
    private static final TopicPartition TP0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition TP1 = new TopicPartition(TOPIC, 1);
    private static final TopicPartition TP2 = new TopicPartition(TOPIC, 2);

    @TempDir
    Path dir;

    /** Every offset this member committed (synchronously), by partition: the hand-over. */
    private final Map<TopicPartition, Long> commits = new HashMap<>();
    private final MockConsumer<byte[], byte[]> mock = new MockConsumer<>("earliest") {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
            super.commitSync(offsets);
        }
    };
    private final List<String> events = new ArrayList<>();

    @SafeVarargs
    private static Map<String, Object> groupSpec(Path startFile, Path stopFile, long messages, Map<String, Object>... partitions) {
        Map<String, Object> s = drainSpec();
        s.put("assignment", "subscribe");
        s.put("group_id", "kafkatune-test-group");
        s.put("messages", messages);
        s.put("partitions", List.of(partitions));
        s.put("properties", Map.of());
        if (startFile != null) {
            s.put("start_file", startFile.toString());
        }
        if (stopFile != null) {
            s.put("stop_file", stopFile.toString());
        }
        return s;
    }

    @SafeVarargs
    private GroupMember member(Path startFile, Path stopFile, Map<String, Object>... partitions) {
        GroupMember m = new GroupMember(spec(groupSpec(startFile, stopFile, 100, partitions)), events::add);
        m.subscribe(mock);
        assertEquals(Set.of(TOPIC), mock.subscription());
        return m;
    }

    private static List<ConsumerRecord<byte[], byte[]>> records(int partition, long from, long toExclusive) {
        List<ConsumerRecord<byte[], byte[]>> l = new ArrayList<>();
        for (long o = from; o < toExclusive; o++) {
            l.add(record(partition, o, bytes(10)));
        }
        return l;
    }

    /** What this member committed last for {@code tp} (MockConsumer.committed says 0 once unassigned). */
    private Long committed(TopicPartition tp) {
        return commits.get(tp);
    }

    /** The group's commit from an earlier member. */
    private void committedBefore(TopicPartition tp, long offset) {
        mock.commitAsync(Map.of(tp, new OffsetAndMetadata(offset)), null);
    }

    private String lastEvent() {
        return events.get(events.size() - 1);
    }

    @Test
    void aNewPartitionStartsAtItsStartOffsetACommittedOneResumes() {
        GroupMember m = member(null, null, partition(0, 5, 20L), partition(1, 7, 20L));
        committedBefore(TP1, 9);
        assertFalse(m.assigned);
        mock.rebalance(List.of(TP0, TP1));
        assertEquals(5, mock.position(TP0));
        assertEquals(9, mock.position(TP1), "resumed at the group's commit, not the spec's start_offset 7");
        assertTrue(m.assigned);
        assertEquals(1, m.rebalances);
        assertTrue(m.firstAssignmentNanos >= m.subscribeNanos);
        assertEquals(Set.of(), mock.paused(), "no start file: reading starts at once");
        assertTrue(m.started());
        assertEquals("{\"event\":\"assigned\",\"partitions\":[0,1]}", lastEvent());
        // Handing both back untouched commits where each stood: the start and the commit.
        mock.rebalance(List.of());
        assertEquals(5L, committed(TP0));
        assertEquals(9L, committed(TP1));
        assertEquals("{\"event\":\"assigned\",\"partitions\":[]}", lastEvent());
        assertEquals(2, m.rebalances, "an empty assignment counts too");
    }

    @Test
    void onlyRecordsBelowTheEndOffsetCountAndTheFinishedPartitionIsPaused() {
        GroupMember m = member(null, null, partition(0, 0, 10L), partition(1, 0, null));
        mock.rebalance(List.of(TP0, TP1));
        assertEquals(2, m.countable(0, records(0, 0, 5), 2), "the poll's cut comes first");
        assertEquals(Set.of(), mock.paused(), "5 < 10: not done");
        assertEquals(3, m.countable(0, records(0, 7, 13), 6), "7, 8, 9 of 7..12");
        assertEquals(Set.of(TP0), mock.paused());
        assertEquals(5, m.countable(1, records(1, 0, 5), 5), "no end_offset: no bound");
        assertEquals(4, m.countable(1, List.of(), 4));
        assertEquals(Set.of(TP0), mock.paused());
        assertEquals(0, m.countable(0, records(0, 10, 12), 2), "at the end already");
    }

    @Test
    void finishingEveryHeldPartitionIsReportedOnceAndCommitted() {
        GroupMember m = member(null, null, partition(0, 0, 3L), partition(1, 0, 2L));
        mock.rebalance(List.of(TP0, TP1));
        assertFalse(m.justFinished(), "nothing read yet");
        assertEquals(3, m.countable(0, records(0, 0, 3), 3));
        assertFalse(m.justFinished(), "partition 1 is not done");
        assertNull(committed(TP0));
        assertEquals(2, m.countable(1, records(1, 0, 4), 4));
        assertTrue(m.justFinished());
        // The offset after the last record it was handed, even one beyond the end.
        assertEquals(3L, committed(TP0));
        assertEquals(4L, committed(TP1));
        assertFalse(m.justFinished(), "once");
        assertEquals(Set.of(TP0, TP1), mock.paused());
    }

    @Test
    void revokedPartitionsAreHandedOverLostOnesAreNot() {
        GroupMember m = member(null, null, partition(0, 0, 10L), partition(1, 0, 10L), partition(2, 0, 10L));
        mock.rebalance(List.of(TP0, TP1, TP2));
        m.countable(0, records(0, 0, 2), 2);
        m.countable(1, records(1, 0, 3), 3);
        mock.rebalance(List.of(TP1, TP2));
        assertEquals(2L, committed(TP0));
        assertNull(committed(TP1), "still held: not committed");
        assertEquals("{\"event\":\"assigned\",\"partitions\":[1,2]}", lastEvent());
        mock.losePartitions(List.of(TP1));
        assertNull(committed(TP1), "lost: another member may own it already");
        assertEquals("{\"event\":\"assigned\",\"partitions\":[2]}", lastEvent());
        m.commitHeld();
        assertNull(committed(TP1));
        assertEquals(0L, committed(TP2), "held, never read: its start");
        // A partition handed back resumes where this member committed it.
        mock.rebalance(List.of(TP0, TP2));
        assertEquals(2, mock.position(TP0));
    }

    @Test
    void aPartitionAssignedAtItsEndIsPausedAndDone() {
        GroupMember m = member(null, null, partition(0, 0, 5L));
        committedBefore(TP0, 5);
        mock.rebalance(List.of(TP0));
        assertEquals(Set.of(TP0), mock.paused());
        assertTrue(m.justFinished());
    }

    @Test
    void theStartFileHoldsPartitionsPausedUntilItExists() throws IOException {
        Path start = dir.resolve("start");
        GroupMember m = member(start, null, partition(0, 0, 10L), partition(1, 0, 10L));
        assertFalse(m.started());
        mock.rebalance(List.of(TP0, TP1));
        assertEquals(Set.of(TP0, TP1), mock.paused());
        long t = 1_000_000_000L;
        assertFalse(m.checkFiles(t));
        assertFalse(m.started());
        Files.createFile(start);
        assertFalse(m.checkFiles(t + 10_000_000L));
        assertFalse(m.started(), "looked at no more than every 20 ms");
        assertFalse(m.checkFiles(t + 20_000_000L));
        assertTrue(m.started());
        assertEquals(Set.of(), mock.paused());
        // Once started, a new assignment is not held.
        mock.rebalance(List.of(TP0));
        assertEquals(Set.of(), mock.paused());
    }

    @Test
    void aPartitionDoneBeforeTheStartStaysPaused() throws IOException {
        Path start = dir.resolve("start");
        GroupMember m = member(start, null, partition(0, 0, 2L), partition(1, 0, 10L));
        mock.rebalance(List.of(TP0, TP1));
        m.countable(0, records(0, 0, 2), 2);
        Files.createFile(start);
        m.checkFiles(0);
        assertEquals(Set.of(TP0), mock.paused());
    }

    @Test
    void theStopFileIsSeenAtMostEvery20Ms() throws IOException {
        Path stop = dir.resolve("stop");
        GroupMember m = member(null, stop, partition(0, 0, 10L));
        long t = 5_000_000_000L;
        assertFalse(m.checkFiles(t));
        Files.createFile(stop);
        assertFalse(m.checkFiles(t + 19_999_999L));
        assertTrue(m.checkFiles(t + 20_000_000L));
        assertTrue(m.checkFiles(t + 20_000_001L), "and stays seen");
        Files.delete(stop);
        assertTrue(m.checkFiles(t + 60_000_000L));
    }

    // A whole member's run through DrainOrLiveConsumer.

    private Result runMember(Map<String, Object> specMap, TestSupport.Events out, long deadlineNanos) {
        DrainOrLiveConsumer d = new DrainOrLiveConsumer(spec(specMap), deadlineNanos, out.stream);
        d.run(config -> {
            assertEquals("kafkatune-test-group", config.get("group.id"));
            return mock;
        });
        Result r = new Result();
        d.fill(r);
        d.snapshotClient(r);
        return r;
    }

    @Test
    void aMemberCountsExactlyItsRangesAndCommitsWhereItStopped() {
        mock.schedulePollTask(() -> mock.rebalance(List.of(TP0, TP1)));
        mock.schedulePollTask(() -> {
            for (long o = 0; o < 6; o++) {
                mock.addRecord(record(0, o, bytes(10)));
                mock.addRecord(record(1, o, bytes(10)));
            }
        });
        TestSupport.Events out = new TestSupport.Events();
        Result r = runMember(groupSpec(null, null, 7, partition(0, 0, 4L), partition(1, 0, 3L)), out,
                System.nanoTime() + 10_000_000_000L);
        assertEquals("ok", r.status);
        assertEquals(7, r.messages);
        assertEquals(70, r.bytes);
        assertEquals(Map.of(0, 4L, 1, 3L), r.perPartition, "records at or past end_offset are not counted");
        assertEquals(2, r.polls, "the assignment's empty poll counts: no start file");
        assertEquals(1, r.emptyPolls);
        assertEquals(12, r.recordsPerPollMax);
        assertEquals(1, r.rebalances);
        assertNotNull(r.joinS);
        assertTrue(r.joinS >= 0 && r.joinS < 10, "join_s " + r.joinS);
        assertEquals(List.of(0, 1), r.assignedPartitions);
        assertEquals(6L, committed(TP0));
        assertEquals(6L, committed(TP1));
        assertEquals(List.of(
                "{\"event\":\"ready\"}",
                "{\"event\":\"assigned\",\"partitions\":[0,1]}",
                "{\"event\":\"progress\",\"messages\":7}",
                "{\"event\":\"progress\",\"messages\":7}"), out.lines());
    }

    @Test
    void pollsBeforeTheStartFileAreNotCounted() {
        Path start = dir.resolve("start");
        mock.schedulePollTask(() -> mock.rebalance(List.of(TP0)));
        mock.schedulePollTask(() -> {
            for (long o = 0; o < 5; o++) {
                mock.addRecord(record(0, o, bytes(10)));
            }
            try {
                Files.createFile(start);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        Result r = runMember(groupSpec(start, null, 5, partition(0, 0, 5L)), new TestSupport.Events(),
                System.nanoTime() + 10_000_000_000L);
        assertEquals("ok", r.status);
        assertEquals(5, r.messages);
        assertEquals(1, r.polls, "only the poll after the start file");
        assertEquals(0, r.emptyPolls);
    }

    @Test
    void theStopFileEndsTheRunWithWhatWasCounted() throws IOException {
        Path stop = dir.resolve("stop");
        Files.createFile(stop);
        long start = System.nanoTime();
        Result r = runMember(groupSpec(null, stop, 100, partition(0, 0, 100L)), new TestSupport.Events(), start + 10_000_000_000L);
        assertTrue(System.nanoTime() - start < 5_000_000_000L);
        assertEquals("ok", r.status);
        assertNull(r.error);
        assertEquals(0, r.messages);
        assertEquals(0, r.polls);
        assertEquals(0, r.rebalances);
        assertNull(r.joinS, "never assigned");
    }
}
