package dev.kafkatune.driver;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.internals.AppInfoParser;

/**
 * A share group member (KIP-932; docs/driver-protocol.md, "Share groups"): one
 * {@link KafkaShareConsumer} in the spec's share group, counting records exactly although
 * delivery is at-least-once.
 *
 * <p>A record counts once the broker has confirmed its acceptance (the acknowledgement
 * commit callback, which runs inside poll() and commitSync() on this thread): a record
 * handed out again after its acquisition lock expired is then not counted twice, and one
 * whose acceptance failed (the lock had expired, another member took it) is not counted at
 * all. Which offsets this member saw accepted is reported as ranges, so that the
 * orchestrator can check that over all members every record of the run was accepted exactly
 * once. Records outside the spec's ranges (the topic holds more than the run asks for) are
 * accepted and not counted.
 *
 * <p>The share consumer has no assignment to wait for: the member subscribes, says ready,
 * and polls nothing until the start file exists (a poll would acquire records), so that
 * every member starts together; it finishes once the stop file exists.
 */
final class ShareRun implements DriverRun {
    private static final long PROGRESS_INTERVAL_NS = 200_000_000L;
    private static final long FILE_CHECK_NS = 20_000_000L;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration FINAL_COMMIT_TIMEOUT = Duration.ofSeconds(5);
    /** A poll that keeps failing is not a measurement. */
    private static final int MAX_ACQUISITION_ERRORS = 100;

    private final Spec spec;
    private final long deadlineNanos;
    /** The counters and result fields every consumer run shares (DrainOrLiveConsumer too). */
    private final PollTally tally;
    private final String version = AppInfoParser.getVersion();
    private final boolean explicit;
    private final Map<Integer, ShareAccounting.Partition> ranges = new HashMap<>();
    /** Offsets released and not yet confirmed, per partition: their confirmation is no acceptance. */
    private final Map<Integer, Set<Long>> releasing = new HashMap<>();
    private final Path startFile;
    private final Path stopFile;

    private ShareConsumer<byte[], byte[]> consumer;
    private volatile Map<String, Object> configUsed;
    private long releaseLeft;

    private volatile long deliveries;
    private volatile long redeliveries;
    private volatile long acceptsSent;
    private volatile long releasesSent;
    private volatile long rejectsSent;
    private volatile long acknowledgementErrors;
    private volatile long acquisitionErrors;
    private volatile long duplicateAccepts;
    private volatile long outsideRange;
    private volatile long processingNanos;
    private volatile String firstAcknowledgementError;
    private volatile long joinNanos;
    /** When polling began (the start file): a share member joins the group on its first poll. */
    private volatile long pollStartNanos;

    ShareRun(Spec spec, long deadlineNanos, PrintStream events) {
        this.spec = spec;
        this.deadlineNanos = deadlineNanos;
        this.tally = new PollTally(spec, events, PROGRESS_INTERVAL_NS);
        String mode = spec.properties().getOrDefault(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "implicit");
        this.explicit = "explicit".equalsIgnoreCase(mode);
        for (Spec.PartitionStart p : spec.partitions()) {
            ranges.put(p.partition(), new ShareAccounting.Partition(p.startOffset(),
                    p.endOffset() == null ? Long.MAX_VALUE : p.endOffset()));
        }
        this.releaseLeft = spec.share().releaseFirstRecords();
        this.startFile = spec.startFile() == null ? null : Path.of(spec.startFile());
        this.stopFile = spec.stopFile() == null ? null : Path.of(spec.stopFile());
    }

    @Override
    public void run() {
        try {
            if (releaseLeft > 0 && !explicit) {
                throw new IllegalArgumentException("releasing records needs share.acknowledgement.mode=explicit");
            }
            Map<String, Object> config = config();
            consumer = new KafkaShareConsumer<>(config);
            configUsed = config;
            consumer.setAcknowledgementCommitCallback(this::onAcknowledged);
            consumer.subscribe(List.of(spec.topic()));
            tally.ready();
            if (awaitStart()) {
                pollStartNanos = System.nanoTime();
                consume();
            }
            // Acknowledgements of the last poll go with the next request: send them now, and
            // let their confirmations count.
            consumer.commitSync(FINAL_COMMIT_TIMEOUT);
            tally.progress();
        } catch (Exception e) {
            tally.failure = Main.oneLine(e);
            e.printStackTrace();
        }
    }

    Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapServers());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(spec.maxPollRecords()));
        c.put(ConsumerConfig.GROUP_ID_CONFIG, spec.groupId());
        ClientConfig.checkNames(spec.properties().keySet(), ConsumerConfig.configNames(), "share consumer", version);
        c.putAll(spec.properties());
        return c;
    }

    /** Waits without polling for the start file; false if the run ended first. */
    private boolean awaitStart() throws InterruptedException {
        while (startFile != null && !Files.exists(startFile)) {
            if (System.nanoTime() >= deadlineNanos) {
                tally.timedOut = true;
                return false;
            }
            if (stopFile != null && Files.exists(stopFile)) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private void consume() {
        final long target = spec.messages();
        tally.startProgress();
        if (tally.live() && startFile != null) {
            // A live group's warm-up starts with the group: the start file says when it ends.
            long fromStartFile = GroupMember.readWarmupEnd(startFile);
            if (fromStartFile > 0) {
                tally.warmupEndsAt(fromStartFile);
            }
        }
        long nextFileCheck = 0;
        while (tally.counted < target) {
            long now = System.nanoTime();
            long remaining = deadlineNanos - now;
            if (remaining <= 0) {
                tally.timedOut = true;
                return;
            }
            if (stopFile != null && now >= nextFileCheck) {
                nextFileCheck = now + FILE_CHECK_NS;
                if (Files.exists(stopFile)) {
                    return;
                }
            }
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(tally.pollTimeout(remaining));
            } catch (KafkaException e) {
                acquisitionErrors++;
                System.err.println("kafkatune java driver: share poll failed: " + Main.oneLine(e));
                if (acquisitionErrors >= MAX_ACQUISITION_ERRORS) {
                    throw e;
                }
                continue;
            }
            long afterPoll = System.nanoTime();
            if (joinNanos == 0 && !records.isEmpty()) {
                joinNanos = afterPoll;
            }
            int n = records.count();
            tally.polled(n);
            if (n > 0) {
                handle(records, afterPoll);
            }
            tally.progressIfDue(afterPoll);
        }
    }

    /**
     * Processes one poll's records (the spec's processing, if any), then acknowledges each
     * (explicit mode; implicit accepts them with the next poll). The processing runs while the
     * records are acquired: a poll whose processing outlasts share.record.lock.duration.ms
     * loses its locks, its acknowledgements fail, and the records are delivered again.
     */
    private void handle(ConsumerRecords<byte[], byte[]> records, long afterPoll) {
        boolean live = tally.live();
        long nowUs = live || !tally.sawRecord ? PollTally.wallMicros() : 0;
        tally.firstRecords(afterPoll, nowUs);
        long doneNanos = afterPoll;
        Processing processing = spec.processing();
        if (processing != null) {
            // The run's own records only, as DrainOrLiveConsumer processes its counted ones.
            long mine = 0;
            for (ConsumerRecord<byte[], byte[]> r : records) {
                ShareAccounting.Partition range = ranges.get(r.partition());
                if (range != null && range.contains(r.offset())) {
                    mine++;
                }
            }
            processingNanos += processing.apply(mine);
            doneNanos = System.nanoTime();
        }
        long pollBytes = 0;
        long delivered = 0;
        long again = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            delivered++;
            short deliveryCount = r.deliveryCount().orElse((short) 1);
            if (deliveryCount > 1) {
                again++;
            }
            ShareAccounting.Partition range = ranges.get(r.partition());
            boolean inRange = range != null && range.contains(r.offset());
            AcknowledgeType type = AcknowledgeType.ACCEPT;
            if (inRange && releaseLeft > 0 && deliveryCount == 1) {
                type = AcknowledgeType.RELEASE;
                releaseLeft--;
                releasing.computeIfAbsent(r.partition(), p -> new HashSet<>()).add(r.offset());
            }
            if (explicit) {
                consumer.acknowledge(r, type);
            }
            if (type == AcknowledgeType.RELEASE) {
                releasesSent++;
                continue;
            }
            acceptsSent++;
            if (!inRange) {
                outsideRange++;
                continue;
            }
            int size = r.serializedValueSize();
            if (size > 0) {
                pollBytes += size;
            }
            if (live) {
                tally.recordLatency(r.value(), nowUs);
            }
            // A record counts as consumed once it is processed.
            tally.lastNanos = doneNanos;
        }
        deliveries += delivered;
        redeliveries += again;
        tally.bytes += pollBytes;
    }

    /** The broker's answer to acknowledgements; runs on this thread, inside poll() and commitSync(). */
    private void onAcknowledged(Map<TopicIdPartition, Set<Long>> offsets, Exception error) {
        for (Map.Entry<TopicIdPartition, Set<Long>> e : offsets.entrySet()) {
            int partition = e.getKey().partition();
            Set<Long> released = releasing.get(partition);
            ShareAccounting.Partition range = ranges.get(partition);
            for (long offset : e.getValue()) {
                if (released != null && released.remove(offset)) {
                    if (error != null) {
                        acknowledgementErrors++;
                    }
                    continue;
                }
                if (error != null) {
                    acknowledgementErrors++;
                    if (firstAcknowledgementError == null) {
                        firstAcknowledgementError = Main.oneLine(error);
                    }
                    continue;
                }
                if (range == null || !range.contains(offset)) {
                    continue;
                }
                if (range.accept(offset)) {
                    tally.counted++;
                } else {
                    duplicateAccepts++;
                }
            }
        }
    }

    @Override
    public void fill(Result r) {
        r.clientVersion = version;
        r.clientConfig = configUsed == null ? null : resolved(configUsed);
        tally.fill(r);
        if (spec.processing() != null) {
            r.processingS = processingNanos / 1e9;
        }
        TreeMap<Integer, Long> pp = new TreeMap<>();
        List<Integer> read = new java.util.ArrayList<>();
        Map<Integer, List<long[]>> accepted = new TreeMap<>();
        for (Map.Entry<Integer, ShareAccounting.Partition> e : new TreeMap<>(ranges).entrySet()) {
            pp.put(e.getKey(), e.getValue().acceptedCount());
            accepted.put(e.getKey(), e.getValue().acceptedRanges());
            if (e.getValue().acceptedCount() > 0) {
                read.add(e.getKey());
            }
        }
        r.perPartition = pp;
        r.assignedPartitions = read;
        r.rebalances = 0;
        // join_s of a share member: first poll to first record (joining, first acquisition).
        r.joinS = joinNanos == 0 || pollStartNanos == 0 ? null : (joinNanos - pollStartNanos) / 1e9;
        ShareAccounting.Totals t = new ShareAccounting.Totals();
        t.deliveries = deliveries;
        t.redeliveries = redeliveries;
        t.accepts = acceptsSent;
        t.releases = releasesSent;
        t.rejects = rejectsSent;
        t.acknowledgementErrors = acknowledgementErrors;
        t.firstAcknowledgementError = firstAcknowledgementError;
        t.acquisitionErrors = acquisitionErrors;
        t.duplicateAccepts = duplicateAccepts;
        t.outsideRange = outsideRange;
        t.acknowledgementMode = explicit ? "explicit" : "implicit";
        t.acceptedRanges = accepted;
        r.share = t;
    }

    /**
     * The share consumer's configuration as ConsumerConfig resolves it, defaults included.
     * ShareConsumerConfig is not public; ConsumerConfig takes the same names but refuses the
     * two share settings, so those are resolved from its ConfigDef's defaults beside it.
     */
    static java.util.SortedMap<String, String> resolved(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        Map<String, Object> share = new HashMap<>();
        for (String name : List.of(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG)) {
            Object v = c.remove(name);
            share.put(name, v != null ? v : ConsumerConfig.configDef().defaultValues().get(name));
        }
        java.util.SortedMap<String, String> out = ClientConfig.text(new ConsumerConfig(c).values());
        out.putAll(ClientConfig.text(share));
        return out;
    }

    @Override
    public void snapshotClient(Result r) {
        if (consumer == null) {
            return;
        }
        Metrics.snapshotShare(consumer, r);
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close(CLOSE_TIMEOUT);
        }
    }

    @Override
    public double timeoutS() {
        return spec.timeoutS();
    }
}
