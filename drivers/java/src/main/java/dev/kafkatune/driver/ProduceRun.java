package dev.kafkatune.driver;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.internals.AppInfoParser;

/**
 * A producer run (docs/driver-protocol.md, "Producer runs"): read the payload file, create
 * the producer and fetch the topic's metadata, send exactly {@code spec.messages} records
 * round-robin over the spec's partitions (paced if a rate is given), flush, and wait for
 * every acknowledgement or the deadline. The delivery reports are tallied by {@link Acks}.
 */
final class ProduceRun implements DriverRun {
    private static final long PROGRESS_INTERVAL_NS = 500_000_000L;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);
    /** The producer's total time spent waiting for buffer memory (send() blocks while the buffer is full). */
    static final String BUFFER_WAIT_METRIC = "bufferpool-wait-time-ns-total";
    /** A send() at least this slow may have waited for buffer memory: only then is the metric read. */
    private static final long SLOW_SEND_NS = 5_000L;

    private final Spec spec;
    private final long deadlineNanos;
    private final PrintStream events;
    private final String version = AppInfoParser.getVersion();
    private final int[] partitions;
    private final Acks acks;

    private Producer<byte[], byte[]> producer;
    /** What the producer was created with; resolved only for the result (not in start-up). */
    private volatile Map<String, Object> configUsed;
    private volatile Long readyUnixUs;
    private volatile long sent;
    private volatile boolean sentAny;
    private volatile long firstSendNanos;
    private volatile long firstSendUnixUs;
    private volatile boolean timedOut;
    private volatile String failure;
    /** Null when the client has no such metric (then queue_full_waits is null too). */
    private Metric bufferWait;
    private double bufferWaitSeen;
    private volatile long queueFullWaits;

    ProduceRun(Spec spec, long deadlineNanos, PrintStream events) {
        this.spec = spec;
        this.deadlineNanos = deadlineNanos;
        this.events = events;
        this.partitions = spec.partitions().stream().mapToInt(Spec.PartitionStart::partition).toArray();
        this.acks = new Acks(partitions);
    }

    @Override
    public void run() {
        run(KafkaProducer::new);
    }

    /** {@link #run()} with the producer made by {@code create} from the config (tests: a MockProducer). */
    void run(Function<Map<String, Object>, Producer<byte[], byte[]>> create) {
        try {
            PayloadFile payload = PayloadFile.read(Path.of(spec.produce().payloadFile()));
            Map<String, Object> config = config();
            producer = create.apply(config);
            configUsed = config;
            // Metadata first: the sends then measure the cluster, not the metadata fetch.
            List<PartitionInfo> infos = partitionsWithinDeadline();
            if (infos == null) {
                return;
            }
            String missing = missingPartitions(infos);
            if (missing != null) {
                failure = missing;
                return;
            }
            bufferWait = metric(producer.metrics(), BUFFER_WAIT_METRIC);
            bufferWaitSeen = bufferWait == null ? 0 : value(bufferWait);
            readyUnixUs = PollTally.wallMicros();
            event("{\"event\":\"ready\"}");
            send(payload);
            if (!timedOut && !acks.failed() && failure == null) {
                awaitAcks();
            }
            event("{\"event\":\"progress\",\"messages\":" + acks.acked() + "}");
        } catch (Exception e) {
            failure = Main.oneLine(e);
            e.printStackTrace();
        }
    }

    /** The driver's own settings, the spec's properties on top (names checked first). */
    Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, spec.bootstrapServers());
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        ClientConfig.checkNames(spec.properties().keySet(), ProducerConfig.configNames(), "producer", version);
        c.putAll(spec.properties());
        return c;
    }

    /** The producer's whole configuration as {@link ProducerConfig} resolves it; passwords print as {@code [hidden]}. */
    static SortedMap<String, String> resolved(Map<String, Object> config) {
        return ClientConfig.text(new ProducerConfig(config).values());
    }

    /**
     * partitionsFor() waits up to max.block.ms (60 s by default) for a topic that does not
     * exist: wait for it on a helper thread, only until the deadline. Null (and the failure
     * set) when it did not answer in time.
     */
    private List<PartitionInfo> partitionsWithinDeadline() throws Exception {
        FutureTask<List<PartitionInfo>> task = new FutureTask<>(() -> producer.partitionsFor(spec.topic()));
        Thread t = new Thread(task, "kafkatune-metadata");
        t.setDaemon(true);
        t.start();
        try {
            return task.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            failure = "no metadata for topic '" + spec.topic() + "' within the timeout of " + Main.seconds(spec.timeoutS())
                    + " s (does the topic exist?)";
            return null;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private String missingPartitions(List<PartitionInfo> infos) {
        Set<Integer> have = infos.stream().map(PartitionInfo::partition).collect(Collectors.toSet());
        int[] missing = Arrays.stream(partitions).filter(p -> !have.contains(p)).distinct().toArray();
        if (missing.length == 0) {
            return null;
        }
        return "topic '" + spec.topic() + "' has " + have.size() + " partitions, not partition(s) "
                + Arrays.toString(missing) + " of the spec";
    }

    private void send(PayloadFile payload) {
        final long target = spec.messages();
        final int n = partitions.length;
        final String topic = spec.topic();
        final Double rate = spec.produce().rateMsgsPerS();
        final boolean paced = rate != null;
        final double nanosPerRecord = paced ? 1e9 / rate : 0;
        final double microsPerRecord = paced ? 1e6 / rate : 0;
        long t0 = 0;
        long t0Us = 0;
        long lastProgressNanos = System.nanoTime();
        long lastProgressCount = 0;

        for (long i = 0; i < target; i++) {
            // Record i is due at t0 + i / rate; unpaced, it goes as soon as send() returns.
            long now = paced && i > 0 ? waitUntil(t0 + (long) (i * nanosPerRecord)) : System.nanoTime();
            if (now - deadlineNanos >= 0) {
                timedOut = true;
                return;
            }
            if (acks.failed()) {
                return; // the run has failed: sending the rest would only add to the error count
            }
            if (i == 0) {
                t0 = now;
                t0Us = PollTally.wallMicros();
                firstSendNanos = t0;
                firstSendUnixUs = t0Us;
                sentAny = true;
            }
            // Paced: stamped with the intended time (coordinated omission); else the send's own,
            // from the monotonic clock already read (one clock reading per record).
            long stampUs = paced ? t0Us + (long) (i * microsPerRecord) : t0Us + (now - t0) / 1_000;
            int p = (int) (i % n);
            byte[] value = payload.value(i, stampUs);
            // The latency's start: the send, or (capacity steps) the time the record was due.
            long start = i < spec.produce().warmupRecords() ? Acks.NOT_TIMED
                    : paced && spec.produce().latencyFromIntended() ? t0 + (long) (i * nanosPerRecord) : now;
            producer.send(new ProducerRecord<>(topic, partitions[p], null, value), acks.callback(i, p, value.length, start));
            sent = i + 1;
            if (bufferWait != null && System.nanoTime() - now >= SLOW_SEND_NS) {
                noteBufferWait();
            }
            if (now - lastProgressNanos >= PROGRESS_INTERVAL_NS) {
                lastProgressNanos = now;
                long a = acks.acked();
                if (a != lastProgressCount) {
                    lastProgressCount = a;
                    event("{\"event\":\"progress\",\"messages\":" + a + "}");
                }
            }
        }
    }

    /** Sleeps until {@code due} (or the deadline, if that comes first); returns the time then. */
    private long waitUntil(long due) {
        long until = due - deadlineNanos < 0 ? due : deadlineNanos;
        long now;
        while ((now = System.nanoTime()) - until < 0) {
            LockSupport.parkNanos(until - now);
        }
        return now;
    }

    /** A slow send found the buffer full if the producer's buffer wait time grew during it. */
    private void noteBufferWait() {
        double v = value(bufferWait);
        if (v > bufferWaitSeen) {
            bufferWaitSeen = v;
            queueFullWaits++;
        }
    }

    /**
     * After the last send: flush (on a helper thread, since KafkaProducer.flush() has no
     * timeout) while this thread waits for the reports up to the deadline and prints progress.
     */
    private void awaitAcks() throws InterruptedException {
        Thread flusher = new Thread(() -> {
            try {
                producer.flush();
            } catch (Exception e) {
                failure = "flush failed: " + Main.oneLine(e);
                acks.wake();
            }
        }, "kafkatune-flush");
        flusher.setDaemon(true);
        flusher.start();
        final long total = sent;
        long lastProgressNanos = System.nanoTime();
        long lastProgressCount = acks.acked();
        while (true) {
            long now = System.nanoTime();
            if (acks.failed() || failure != null) {
                return;
            }
            if (now - deadlineNanos >= 0) {
                timedOut = true;
                return;
            }
            long until = Math.min(deadlineNanos - now, PROGRESS_INTERVAL_NS) + now;
            if (acks.awaitUntil(total, until)) {
                // Every report is in, so flush() is returning: let it, within the deadline.
                flusher.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
                return;
            }
            now = System.nanoTime();
            long a = acks.acked();
            if (now - lastProgressNanos >= PROGRESS_INTERVAL_NS && a != lastProgressCount) {
                lastProgressNanos = now;
                lastProgressCount = a;
                event("{\"event\":\"progress\",\"messages\":" + a + "}");
            }
        }
    }

    @Override
    public void fill(Result r) {
        r.produceRun = true;
        r.clientVersion = version;
        r.clientConfig = configUsed == null ? null : resolvedOrNull(configUsed);
        long acked = acks.acked();
        String error;
        if (acks.firstError() != null) {
            error = "delivery failed: " + acks.firstError();
        } else if (failure != null) {
            error = failure;
        } else if (timedOut) {
            error = "timed out after " + Main.seconds(spec.timeoutS()) + " s with " + acked + " of " + spec.messages()
                    + " messages acknowledged (" + sent + " sent)";
        } else if (acked != spec.messages()) {
            error = "only " + acked + " of " + spec.messages() + " messages acknowledged"; // not expected: a safety net
        } else {
            error = null;
        }
        r.status = error == null ? "ok" : "failed";
        r.error = error;
        r.messages = acked;
        r.bytes = acks.bytes();
        r.readyUnixUs = readyUnixUs;
        if (sentAny) {
            r.firstRecordUnixUs = firstSendUnixUs;
            if (acked > 0) {
                long lastAck = acks.lastAckNanos();
                // From the monotonic clock, so that it agrees with send_s exactly.
                r.lastRecordUnixUs = firstSendUnixUs + (lastAck - firstSendNanos) / 1_000;
                r.sendS = (lastAck - firstSendNanos) / 1e9;
            }
        }
        r.perPartition = acks.perPartition();
        r.assignedPartitions = Arrays.stream(partitions).distinct().sorted().boxed().toList();
        r.ackLatencyHistogram = acks.encodedLatency();
        r.produceErrors = acks.errors();
        r.queueFullWaits = bufferWait == null ? null : queueFullWaits;
    }

    /** A config the producer accepted resolves; one a stand-in accepted may not (then no client_config). */
    private static SortedMap<String, String> resolvedOrNull(Map<String, Object> config) {
        try {
            return resolved(config);
        } catch (RuntimeException e) {
            System.err.println("kafkatune java driver: cannot resolve the producer config: " + e);
            return null;
        }
    }

    @Override
    public void snapshotClient(Result r) {
        if (producer != null) {
            Metrics.snapshotProducer(producer, r);
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(CLOSE_TIMEOUT);
        }
    }

    @Override
    public double timeoutS() {
        return spec.timeoutS();
    }

    private static Metric metric(Map<MetricName, ? extends Metric> metrics, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().name().equals(name) && "producer-metrics".equals(e.getKey().group())) {
                return e.getValue();
            }
        }
        return null;
    }

    private static double value(Metric m) {
        return m.metricValue() instanceof Number n ? n.doubleValue() : 0;
    }

    private void event(String json) {
        events.println(json);
        events.flush();
    }
}
