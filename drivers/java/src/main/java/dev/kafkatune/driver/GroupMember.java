package dev.kafkatune.driver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Subscribe mode: this consumer's part in the group (docs/driver-protocol.md, "Several
 * consumers"). It times the join and counts assignments; starts a newly assigned partition
 * that the group has no committed offset for at the spec's start offset; counts only
 * records below each partition's end offset and pauses a partition once it reaches it;
 * commits its positions when partitions are revoked and when its partitions are done, so a
 * rebalance hands a partition over exactly where this consumer stopped; holds its
 * partitions paused until the start file exists, and reports when the stop file exists.
 *
 * <p>Callbacks run inside poll() on the consuming thread, like every other method here.
 */
final class GroupMember implements ConsumerRebalanceListener {
    /** The start and stop files are looked at no more often than this. */
    private static final long FILE_CHECK_NS = 20_000_000L;

    private final String topic;
    private final Map<Integer, Long> startOffsets = new HashMap<>();
    private final Map<Integer, Long> endOffsets = new HashMap<>();
    /** The offset after the last record this consumer was handed, per partition it held. */
    private final Map<Integer, Long> next = new HashMap<>();
    private final Set<Integer> held = new TreeSet<>();
    private final Path startFile;
    private final Path stopFile;
    private final java.util.function.Consumer<String> events;
    private Consumer<byte[], byte[]> consumer;

    private boolean started;
    private boolean stopRequested;
    private long nextFileCheckNanos;
    private boolean wasDone;
    /** Something changed that may have finished this consumer's share: look again. */
    private boolean recheck;

    /** When subscribe() was called: join_s counts from here. */
    volatile long subscribeNanos;
    volatile boolean assigned;
    volatile long firstAssignmentNanos;
    volatile int rebalances;
    /**
     * Times the client said this member lost its partitions: the classic protocol resets the
     * member when its poll interval passed max.poll.interval.ms (the heartbeat thread leaves
     * the group), KIP-848 fences it; either way the next poll calls onPartitionsLost.
     */
    volatile long partitionsLost;
    /** The offset after the last record counted, per partition: a redelivered record is not counted twice. */
    private final Map<Integer, Long> countedTo = new HashMap<>();

    GroupMember(Spec spec, java.util.function.Consumer<String> events) {
        this.topic = spec.topic();
        for (Spec.PartitionStart p : spec.partitions()) {
            startOffsets.put(p.partition(), p.startOffset());
            if (p.endOffset() != null) {
                endOffsets.put(p.partition(), p.endOffset());
            }
        }
        this.startFile = spec.startFile() == null ? null : Path.of(spec.startFile());
        this.stopFile = spec.stopFile() == null ? null : Path.of(spec.stopFile());
        this.started = startFile == null;
        this.events = events;
    }

    /** Subscribes {@code consumer} to the topic with this member as its listener. */
    void subscribe(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
        subscribeNanos = System.nanoTime();
        consumer.subscribe(List.of(topic), this);
    }

    /** Live: the warm-up's end the start file gave (0: none), read when it appeared. */
    private volatile long warmupEndUs;

    /** Live: the warm-up's end from the start file, 0 when it gave none (yet). */
    long warmupEndUs() {
        return warmupEndUs;
    }

    /**
     * Live groups: the warm-up's end a start file carries (microseconds since the epoch as
     * decimal text, docs/driver-protocol.md), 0 for an empty one.
     */
    static long readWarmupEnd(Path startFile) {
        try {
            String text = Files.readString(startFile).trim();
            return text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (Exception e) {
            return 0;
        }
    }

    /** Counting has begun (no start file, or it exists). */
    boolean started() {
        return started;
    }

    /** Looks at the start and stop files (rate-limited); true once the stop file exists. */
    boolean checkFiles(long nowNanos) {
        if (nowNanos < nextFileCheckNanos) {
            return stopRequested;
        }
        nextFileCheckNanos = nowNanos + FILE_CHECK_NS;
        if (!started && Files.exists(startFile)) {
            warmupEndUs = readWarmupEnd(startFile);
            started = true;
            consumer.resume(partitions(notDone()));
        }
        if (stopFile != null && !stopRequested && Files.exists(stopFile)) {
            stopRequested = true;
        }
        return stopRequested;
    }

    /**
     * How many of the first {@code take} records of one partition's list to count: those
     * below the partition's end offset. Remembers the position, and pauses the partition
     * once it reached its end.
     */
    int countable(int partition, List<ConsumerRecord<byte[], byte[]>> list, int take) {
        return countable(partition, list, 0, take);
    }

    /** {@link #countable(int, List, int)} for the records from index {@code from} on. */
    int countable(int partition, List<ConsumerRecord<byte[], byte[]>> list, int from, int take) {
        if (list.isEmpty()) {
            return take;
        }
        next.put(partition, list.get(list.size() - 1).offset() + 1);
        Long end = endOffsets.get(partition);
        if (end != null) {
            while (take > 0 && list.get(from + take - 1).offset() >= end) {
                take--;
            }
        }
        if (take > 0) {
            countedTo.put(partition, list.get(from + take - 1).offset() + 1);
        }
        if (end == null) {
            return take;
        }
        if (done(partition)) {
            consumer.pause(partitions(List.of(partition)));
            recheck = true;
        }
        return take;
    }

    /**
     * How many records at the head of one partition's list this consumer counted already
     * (redelivered after it lost the partition without committing): they are skipped.
     */
    int alreadyCounted(int partition, List<ConsumerRecord<byte[], byte[]>> list) {
        Long counted = countedTo.get(partition);
        int skip = 0;
        while (counted != null && skip < list.size() && list.get(skip).offset() < counted) {
            skip++;
        }
        return skip;
    }

    /** True once, when every partition held has reached its end: the moment to report. */
    boolean justFinished() {
        if (!recheck) {
            return false;
        }
        recheck = false;
        boolean now = !held.isEmpty() && notDone().isEmpty();
        boolean fresh = now && !wasDone;
        wasDone = now;
        if (fresh) {
            commit(held);
        }
        return fresh;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (!assigned) {
            firstAssignmentNanos = System.nanoTime();
            assigned = true;
        }
        rebalances++;
        if (!partitions.isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata c = committed.get(tp);
                Long start = startOffsets.get(tp.partition());
                if (c != null) {
                    next.put(tp.partition(), c.offset());
                } else if (start != null) {
                    consumer.seek(tp, start);
                    next.put(tp.partition(), start);
                }
                held.add(tp.partition());
            }
            List<Integer> pause = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                if (!started || done(tp.partition())) {
                    pause.add(tp.partition());
                }
            }
            consumer.pause(partitions(pause));
        }
        wasDone = false;
        recheck = true;
        report();
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        List<Integer> gone = partitions.stream().map(TopicPartition::partition).toList();
        commit(gone);
        held.removeAll(gone);
        recheck = true;
        report();
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        // Another member may own them already: committing now would overwrite its progress.
        partitionsLost++;
        held.removeAll(partitions.stream().map(TopicPartition::partition).toList());
        report();
    }

    /** Commits where this consumer stands on {@code ps} (those it read from). */
    void commit(Collection<Integer> ps) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p : ps) {
            Long n = next.get(p);
            if (n != null) {
                offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(n));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (RuntimeException e) {
            // The next owner then re-reads from the last commit: the counts will not add up,
            // and the orchestrator says so; the run itself goes on.
            System.err.println("kafkatune java driver: commit failed: " + Main.oneLine(e));
        }
    }

    /** Commits everything held: the run is over. */
    void commitHeld() {
        commit(held);
    }

    private boolean done(int partition) {
        Long end = endOffsets.get(partition);
        Long n = next.get(partition);
        return end != null && n != null && n >= end;
    }

    private List<Integer> notDone() {
        return held.stream().filter(p -> !done(p)).toList();
    }

    private List<TopicPartition> partitions(Collection<Integer> ps) {
        return ps.stream().map(p -> new TopicPartition(topic, p)).toList();
    }

    private void report() {
        StringBuilder sb = new StringBuilder("{\"event\":\"assigned\",\"partitions\":[");
        int i = 0;
        for (int p : held) {
            sb.append(i++ == 0 ? "" : ",").append(p);
        }
        events.accept(sb.append("]}").toString());
    }
}
