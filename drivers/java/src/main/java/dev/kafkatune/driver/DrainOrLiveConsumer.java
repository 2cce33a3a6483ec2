package dev.kafkatune.driver;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.internals.AppInfoParser;

/**
 * One run: create the consumer, assign or subscribe, then poll until exactly
 * {@code spec.messages} records are counted or the deadline passes.
 *
 * <p>The counters are fields rather than locals (most in {@link PollTally}, shared with
 * {@link ShareRun}) so that {@link #fill(Result)} can report partial numbers after a
 * failure, and so that Main's watchdog can still write a result if this thread gets stuck.
 * The ones updated once per poll are volatile for that watchdog; the per-record work only
 * touches locals.
 */
final class DrainOrLiveConsumer implements DriverRun {
    private static final long PROGRESS_INTERVAL_NS = 500_000_000L;
    /** A group's remaining messages are sampled from these lines: a finer grain. */
    private static final long GROUP_PROGRESS_INTERVAL_NS = 200_000_000L;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

    private final Spec spec;
    private final long deadlineNanos;
    private final PollTally tally;
    private final String version = AppInfoParser.getVersion();

    private Consumer<byte[], byte[]> consumer;
    /** Indexed by partition number; grown if the group hands out a partition the spec did not list. */
    private long[] perPartition;

    private volatile long processingNanos;
    /** Counted polls, start to start: how many gaps, their sum and the longest. */
    private volatile long pollGaps;
    private volatile long pollGapNanosSum;
    private volatile long pollGapNanosMax;
    /** What the consumer was created with; resolved only for the result (not in start-up). */
    private volatile Map<String, Object> configUsed;

    /** Subscribe only. */
    private final GroupMember group;

    DrainOrLiveConsumer(Spec spec, long deadlineNanos, PrintStream events) {
        this.spec = spec;
        this.deadlineNanos = deadlineNanos;
        this.tally = new PollTally(spec, events, spec.subscribe() ? GROUP_PROGRESS_INTERVAL_NS : PROGRESS_INTERVAL_NS);
        int maxPartition = spec.partitions().stream().mapToInt(Spec.PartitionStart::partition).max().orElse(0);
        this.perPartition = new long[maxPartition + 1];
        this.group = spec.subscribe() ? new GroupMember(spec, tally::event) : null;
    }

    @Override
    public void run() {
        run(KafkaConsumer::new);
    }

    /** {@link #run()} with the consumer made by {@code create} from the config (tests: a MockConsumer). */
    void run(Function<Map<String, Object>, Consumer<byte[], byte[]>> create) {
        try {
            Map<String, Object> config = config();
            consumer = create.apply(config);
            configUsed = config;
            if (group != null) {
                group.subscribe(consumer);
            } else {
                List<TopicPartition> tps = new ArrayList<>();
                for (Spec.PartitionStart p : spec.partitions()) {
                    tps.add(new TopicPartition(spec.topic(), p.partition()));
                }
                consumer.assign(tps);
                for (Spec.PartitionStart p : spec.partitions()) {
                    consumer.seek(new TopicPartition(spec.topic(), p.partition()), p.startOffset());
                }
            }
            tally.ready();
            consume();
            if (group != null) {
                group.commitHeld();
            }
            tally.progress();
        } catch (Exception e) {
            tally.failure = Main.oneLine(e);
            e.printStackTrace();
        }
    }

    /**
     * The client's whole configuration as {@link ConsumerConfig} resolves it, defaults
     * included; password values print as {@code [hidden]}.
     */
    static SortedMap<String, String> resolved(Map<String, Object> config) {
        return ClientConfig.text(new ConsumerConfig(config).values());
    }

    Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapServers());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(spec.maxPollRecords()));
        if (spec.subscribe()) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, spec.groupId());
        }
        ClientConfig.checkNames(spec.properties().keySet(), ConsumerConfig.configNames(), "consumer", version);
        c.putAll(spec.properties());
        return c;
    }

    private void consume() {
        final long target = spec.messages();
        final boolean live = tally.live();
        tally.startProgress();
        boolean warmupFromStartFile = false;
        final Processing processing = spec.processing();
        long lastPollStart = -1;

        while (tally.counted < target) {
            long now = System.nanoTime();
            long remaining = deadlineNanos - now;
            if (remaining <= 0) {
                tally.timedOut = true;
                return;
            }
            if (group != null && group.checkFiles(now)) {
                return; // the group as a whole is done: finish with what was counted
            }
            long pollStart = System.nanoTime();
            ConsumerRecords<byte[], byte[]> records = consumer.poll(tally.pollTimeout(remaining));
            long afterPoll = System.nanoTime();
            if (group != null && !group.started()) {
                continue; // joining: partitions are held paused, polls are not counted yet
            }
            if (live && group != null && !warmupFromStartFile) {
                // A live group's warm-up starts with the group: the start file says when it ends.
                warmupFromStartFile = true;
                if (group.warmupEndUs() > 0) {
                    tally.warmupEndsAt(group.warmupEndUs());
                }
            }
            int n = records.count();
            tally.polled(n);
            if (lastPollStart >= 0) {
                long gap = pollStart - lastPollStart;
                pollGaps++;
                pollGapNanosSum += gap;
                pollGapNanosMax = Math.max(pollGapNanosMax, gap);
            }
            lastPollStart = pollStart;
            if (n > 0) {
                // All records of one poll reach the application at the same instant, so one
                // clock reading per poll is both correct and cheaper than one per record.
                long nowUs = live ? PollTally.wallMicros() : 0;
                if (!tally.sawRecord) {
                    tally.firstRecords(afterPoll, live ? nowUs : PollTally.wallMicros());
                }
                long room = target - tally.counted;
                long taken = 0;
                long pollBytes = 0;
                for (TopicPartition tp : records.partitions()) {
                    List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
                    int from = group != null ? group.alreadyCounted(tp.partition(), list) : 0;
                    // Records beyond the requested count are cut, never counted.
                    int take = (int) Math.min(list.size() - from, room - taken);
                    if (group != null) {
                        take = group.countable(tp.partition(), list, from, take);
                    }
                    for (int i = from; i < from + take; i++) {
                        ConsumerRecord<byte[], byte[]> r = list.get(i);
                        int size = r.serializedValueSize(); // -1 for a null value
                        if (size > 0) {
                            pollBytes += size;
                        }
                        if (live) {
                            tally.recordLatency(r.value(), nowUs);
                        }
                    }
                    countPartition(tp.partition(), take);
                    taken += take;
                    if (taken == room) {
                        break;
                    }
                }
                tally.bytes += pollBytes;
                tally.counted += taken;
                tally.lastNanos = afterPoll;
                if (processing != null && taken > 0) {
                    // The application's work on this poll, before the next one; the last
                    // record counts as consumed once it is processed.
                    processingNanos += processing.apply(taken);
                    tally.lastNanos = System.nanoTime();
                }
            }
            if (group != null && group.justFinished()) {
                // Every partition this consumer holds is done: tell the orchestrator at once.
                tally.progressNow(afterPoll);
            } else {
                tally.progressIfDue(afterPoll);
            }
        }
    }

    private void countPartition(int partition, int n) {
        if (partition >= perPartition.length) {
            perPartition = Arrays.copyOf(perPartition, partition + 1);
        }
        perPartition[partition] += n;
    }

    /** {@inheritDoc} From the watchdog, values may be a poll behind. */
    @Override
    public void fill(Result r) {
        r.clientVersion = version;
        r.clientConfig = configUsed == null ? null : resolved(configUsed);
        tally.fill(r);
        if (spec.processing() != null) {
            r.processingS = processingNanos / 1e9;
        }
        if (pollGaps > 0) {
            r.pollIntervalAvgMs = pollGapNanosSum / 1e6 / pollGaps;
            r.pollIntervalMaxMs = pollGapNanosMax / 1e6;
        }
        TreeMap<Integer, Long> pp = new TreeMap<>();
        for (Spec.PartitionStart p : spec.partitions()) {
            pp.put(p.partition(), 0L);
        }
        long[] counts = perPartition;
        for (int p = 0; p < counts.length; p++) {
            if (counts[p] != 0) {
                pp.put(p, counts[p]);
            }
        }
        r.perPartition = pp;
        if (group != null) {
            r.assignedPartitions = List.of(); // until snapshotConsumer reads the real assignment
            r.rebalances = group.rebalances;
            r.maxPollExceeded = group.partitionsLost;
            r.joinS = !group.assigned ? null : (group.firstAssignmentNanos - group.subscribeNanos) / 1e9;
        } else {
            r.assignedPartitions = spec.partitions().stream().map(Spec.PartitionStart::partition).sorted().toList();
        }
    }

    /**
     * The consumer's end state: subscribe's final assignment and the client metrics. Must
     * run on the consumer's own thread (KafkaConsumer is not thread-safe) and before close.
     */
    @Override
    public void snapshotClient(Result r) {
        if (consumer == null) {
            return;
        }
        if (spec.subscribe()) {
            r.assignedPartitions = consumer.assignment().stream().map(TopicPartition::partition).sorted().toList();
        }
        Metrics.snapshotClient(consumer, r);
    }

    /** A short close: the run is over, and the orchestrator waits for the process to exit. */
    @Override
    public void close() {
        if (consumer != null) {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        }
    }

    @Override
    public double timeoutS() {
        return spec.timeoutS();
    }
}
