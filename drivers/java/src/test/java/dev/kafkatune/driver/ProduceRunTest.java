package dev.kafkatune.driver;

import static dev.kafkatune.driver.PayloadFileTest.file;
import static dev.kafkatune.driver.PayloadFileTest.text;
import static dev.kafkatune.driver.TestSupport.TOPIC;
import static dev.kafkatune.driver.TestSupport.partition;
import static dev.kafkatune.driver.TestSupport.produceSpec;
import static dev.kafkatune.driver.TestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Producer runs over a MockProducer: the count, the partitions, the values, errors, latency, pacing, the deadline. */
@SuppressWarnings("unchecked")
class ProduceRunTest {
    private static final long TEST_DEADLINE_NS = 10_000_000_000L;

    @TempDir
    Path dir;

    private final TestSupport.Events events = new TestSupport.Events();

    /** A cluster where {@link TestSupport#TOPIC} has {@code n} partitions. */
    static Cluster cluster(int n) {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> infos = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            infos.add(new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}));
        }
        return new Cluster("test", List.of(node), infos, Set.of(), Set.of());
    }

    /** autoComplete: every send is acknowledged at once, on the sending thread. */
    static MockProducer<byte[], byte[]> mock(boolean autoComplete) {
        return new MockProducer<>(cluster(3), autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private String payload(byte[]... bodies) throws IOException {
        Path f = dir.resolve("payload.bin");
        Files.write(f, file(bodies));
        return f.toString();
    }

    private Map<String, Object> specFor(long messages, Double rate, int... partitions) throws IOException {
        Map<String, Object> s = produceSpec(payload(new byte[92]), rate);
        s.put("messages", messages);
        List<Object> ps = new ArrayList<>();
        for (int p : partitions) {
            ps.add(partition(p, 0, null));
        }
        s.put("partitions", ps);
        return s;
    }

    private Result run(Map<String, Object> specMap, long deadlineNanos, Function<Map<String, Object>, Producer<byte[], byte[]>> create) {
        ProduceRun d = new ProduceRun(spec(specMap), deadlineNanos, events.stream);
        d.run(create);
        Result r = new Result();
        d.fill(r);
        d.snapshotClient(r);
        return r;
    }

    private Result run(Map<String, Object> specMap, Producer<byte[], byte[]> producer) {
        return run(specMap, System.nanoTime() + TEST_DEADLINE_NS, config -> producer);
    }

    private static long stamp(byte[] value) {
        return ByteBuffer.wrap(value, 0, 8).getLong();
    }

    private static Histogram histogram(String encoded) throws DataFormatException {
        return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
    }

    @Test
    void exactlyMessagesGoRoundRobinToTheSpecsPartitionsSetExplicitly() throws IOException {
        MockProducer<byte[], byte[]> mock = mock(true);
        Result r = run(specFor(10, null, 2, 0, 1), mock);
        assertEquals("ok", r.status, r.error);
        assertNull(r.error);
        List<ProducerRecord<byte[], byte[]>> sent = mock.history();
        assertEquals(10, sent.size());
        int[] order = {2, 0, 1};
        for (int i = 0; i < sent.size(); i++) {
            ProducerRecord<byte[], byte[]> rec = sent.get(i);
            assertEquals(TOPIC, rec.topic());
            assertEquals(order[i % 3], rec.partition(), "record " + i);
            assertNull(rec.key());
        }
        assertEquals(10, r.messages);
        assertEquals(10 * 100, r.bytes, "8 bytes of send time + a 92-byte body each");
        assertEquals(Map.of(0, 3L, 1, 3L, 2, 4L), r.perPartition);
        assertEquals(List.of(0, 1, 2), r.assignedPartitions);
        assertEquals(0, r.produceErrors);
        assertTrue(mock.flushed());
        List<String> lines = events.lines();
        assertEquals("{\"event\":\"ready\"}", lines.get(0));
        assertEquals("{\"event\":\"progress\",\"messages\":10}", lines.get(lines.size() - 1));
        assertTrue(r.readyUnixUs <= r.firstRecordUnixUs && r.firstRecordUnixUs <= r.lastRecordUnixUs);
        assertTrue(r.sendS >= 0 && r.sendS < 5, "send_s " + r.sendS);
    }

    @Test
    void eachValueIsTheSendTimeThenTheBodiesInTurn() throws IOException {
        Map<String, Object> s = specFor(7, null, 0);
        ((Map<String, Object>) s.get("produce")).put("payload_file", payload(text("aa"), text("bbb"), text("c")));
        MockProducer<byte[], byte[]> mock = mock(true);
        long before = PollTally.wallMicros();
        Result r = run(s, mock);
        long after = PollTally.wallMicros();
        assertEquals("ok", r.status, r.error);
        String[] bodies = {"aa", "bbb", "c"};
        long previous = 0;
        for (int i = 0; i < 7; i++) {
            byte[] v = mock.history().get(i).value();
            assertArrayEquals(text(bodies[i % 3]), Arrays.copyOfRange(v, 8, v.length), "record " + i);
            long t = stamp(v);
            assertTrue(t >= before - 1_000 && t <= after + 1_000, "stamp " + t + " not in [" + before + ", " + after + "]");
            assertTrue(t >= previous, "stamps never go back");
            previous = t;
        }
        assertEquals(stamp(mock.history().get(0).value()), r.firstRecordUnixUs);
        assertEquals(7 * 8 + 2 + 3 + 1 + 2 + 3 + 1 + 2, r.bytes);
    }

    @Test
    void aDeliveryErrorFailsTheRunWithTheFirstErrorAndStopsSending() throws IOException {
        MockProducer<byte[], byte[]> mock = new MockProducer<>(cluster(3), false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                Future<RecordMetadata> f = super.send(record, callback);
                int n = history().size();
                if (n == 4 || n == 5) {
                    errorNext(new NetworkException("broker gone " + n));
                } else {
                    completeNext();
                }
                return f;
            }
        };
        Result r = run(specFor(1000, null, 0, 1), mock);
        assertEquals("failed", r.status);
        assertEquals("delivery failed: record 3 to partition 1: org.apache.kafka.common.errors.NetworkException: broker gone 4", r.error);
        assertEquals(1, r.produceErrors, "sending stops at the first error");
        assertEquals(4, mock.history().size());
        assertEquals(3, r.messages, "acknowledged without error");
        assertEquals(Map.of(0, 2L, 1, 1L), r.perPartition);
    }

    @Test
    void acknowledgementLatencyIsRecordedPerRecord() throws IOException, DataFormatException {
        // Acknowledged only by flush(): every record waits from its send to the end of the loop.
        MockProducer<byte[], byte[]> mock = new MockProducer<>(cluster(3), false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized void flush() {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                super.flush();
            }
        };
        Result r = run(specFor(50, null, 0, 1, 2), mock);
        assertEquals("ok", r.status, r.error);
        assertNotNull(r.ackLatencyHistogram);
        Histogram h = histogram(r.ackLatencyHistogram);
        assertEquals(50, h.getTotalCount());
        assertEquals(LatencyHistogram.HIGHEST_US, h.getHighestTrackableValue());
        assertEquals(LatencyHistogram.DIGITS, h.getNumberOfSignificantValueDigits());
        assertTrue(h.getMinValue() >= 19_000, "at least the 20 ms flush, in µs: " + h.getMinValue());
        assertTrue(h.getMaxValue() < 5_000_000, "max " + h.getMaxValue());
        assertTrue(r.sendS >= 0.019, "send_s runs to the last acknowledgement: " + r.sendS);
    }

    @Test
    void aRateSpacesTheSendsAndStampsTheIntendedTimes() throws IOException {
        List<Long> sendNanos = new ArrayList<>();
        MockProducer<byte[], byte[]> mock = new MockProducer<>(cluster(3), true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                sendNanos.add(System.nanoTime());
                return super.send(record, callback);
            }
        };
        Result r = run(specFor(21, 200.0, 0), mock);
        assertEquals("ok", r.status, r.error);
        // The stamps are the schedule itself: exactly 1/200 s apart.
        long t0 = stamp(mock.history().get(0).value());
        for (int i = 0; i < 21; i++) {
            assertEquals(t0 + i * 5_000L, stamp(mock.history().get(i).value()), "record " + i);
        }
        // The sends follow it (sleeping may overshoot on a busy machine, never undershoot).
        double spanS = (sendNanos.get(20) - sendNanos.get(0)) / 1e9;
        assertTrue(spanS >= 0.099 && spanS < 2.0, "20 intervals of 5 ms took " + spanS + " s");
        for (int i = 1; i < 21; i++) {
            assertTrue(sendNanos.get(i) - sendNanos.get(0) >= i * 5_000_000L - 100_000, "record " + i + " sent early");
        }
        assertTrue(r.sendS >= 0.099, "send_s " + r.sendS);
    }

    @Test
    void withoutARateTheSendsAreNotPaced() throws IOException {
        MockProducer<byte[], byte[]> mock = mock(true);
        long start = System.nanoTime();
        Result r = run(specFor(2000, null, 0), mock);
        assertEquals("ok", r.status, r.error);
        assertTrue(System.nanoTime() - start < 5_000_000_000L);
        long first = stamp(mock.history().get(0).value());
        long last = stamp(mock.history().get(1999).value());
        assertTrue(last >= first && last - first < 5_000_000, "stamps from the send times: " + first + ".." + last);
    }

    @Test
    void theDeadlineFailsTheRunWithWhatWasMeasured() throws IOException {
        // Nothing is ever acknowledged: flush returns without completing anything.
        MockProducer<byte[], byte[]> mock = new MockProducer<>(cluster(3), false, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized void flush() {}
        };
        Map<String, Object> s = specFor(5, null, 0);
        s.put("timeout_s", 0.3);
        long start = System.nanoTime();
        Result r = run(s, start + 300_000_000L, config -> mock);
        double took = (System.nanoTime() - start) / 1e9;
        assertTrue(took >= 0.25 && took < 3, "waited for the deadline: " + took);
        assertEquals("failed", r.status);
        assertEquals("timed out after 0.3 s with 0 of 5 messages acknowledged (5 sent)", r.error);
        assertEquals(0, r.messages);
        assertNotNull(r.firstRecordUnixUs);
        assertNull(r.lastRecordUnixUs);
        assertNull(r.sendS);
        assertNotNull(r.clientConfig);
    }

    @Test
    void aPacedRunPastTheDeadlineStopsThere() throws IOException {
        List<Long> sendNanos = new ArrayList<>();
        MockProducer<byte[], byte[]> mock = new MockProducer<>(cluster(3), true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                sendNanos.add(System.nanoTime());
                return super.send(record, callback);
            }
        };
        Map<String, Object> s = specFor(1000, 10.0, 0);
        s.put("timeout_s", 0.35);
        long start = System.nanoTime();
        long deadline = start + 350_000_000L;
        Result r = run(s, deadline, config -> mock);
        double took = (System.nanoTime() - start) / 1e9;
        assertTrue(took >= 0.34 && took < 3, "stopped at the deadline, not before it nor after 100 s of sends: " + took);
        assertEquals("failed", r.status);
        // Sent at t0, t0 + 100 ms, ... while before the deadline. t0 comes after the run's set-up
        // (payload, producer, metadata), which on a loaded machine can take most of the 350 ms:
        // count what was due between t0 and the deadline instead of assuming t0 near the start.
        int n = sendNanos.size();
        assertTrue(n >= 1, "sends " + n);
        long t0 = sendNanos.get(0);
        long due = 1 + (deadline - t0) / 100_000_000L;
        assertTrue(n <= due, n + " sends, only " + due + " due before the deadline");
        for (int i = 0; i < n; i++) {
            assertTrue(sendNanos.get(i) - deadline < 0, "record " + i + " sent after the deadline");
            assertTrue(sendNanos.get(i) - t0 >= i * 100_000_000L - 100_000, "record " + i + " sent early");
        }
        assertEquals(n, mock.history().size());
        assertEquals("timed out after 0.35 s with " + n + " of 1000 messages acknowledged (" + n + " sent)", r.error);
    }

    @Test
    void aPartitionTheTopicLacksFailsBeforeAnySend() throws IOException {
        MockProducer<byte[], byte[]> mock = mock(true);
        Result r = run(specFor(10, null, 0, 5, 7), mock);
        assertEquals("failed", r.status);
        assertEquals("topic 'kafkatune-test' has 3 partitions, not partition(s) [5, 7] of the spec", r.error);
        assertEquals(0, mock.history().size());
        assertTrue(events.lines().stream().noneMatch(l -> l.contains("ready")), events.lines().toString());
        assertNull(r.readyUnixUs);
    }

    @Test
    void metadataThatDoesNotComeByTheDeadlineFailsTheRun() throws IOException {
        MockProducer<byte[], byte[]> mock = new MockProducer<>(cluster(3), true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public List<PartitionInfo> partitionsFor(String topic) {
                sleepMs(5_000); // as KafkaProducer waits max.block.ms for a topic that does not exist
                return super.partitionsFor(topic);
            }
        };
        Map<String, Object> s = specFor(10, null, 0);
        s.put("timeout_s", 0.2);
        long start = System.nanoTime();
        Result r = run(s, start + 200_000_000L, config -> mock);
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "gave up at the deadline");
        assertEquals("no metadata for topic 'kafkatune-test' within the timeout of 0.2 s (does the topic exist?)", r.error);
        assertEquals(0, mock.history().size());
    }

    @Test
    void aMetadataErrorIsTheRunsError() throws IOException {
        MockProducer<byte[], byte[]> mock = mock(true);
        mock.partitionsForException = new org.apache.kafka.common.errors.AuthorizationException("not allowed to describe");
        Result r = run(specFor(10, null, 0), mock);
        assertEquals("org.apache.kafka.common.errors.AuthorizationException: not allowed to describe", r.error);
    }

    @Test
    void aBadPayloadFileFailsBeforeTheProducerIsCreated() throws IOException {
        Map<String, Object> s = specFor(10, null, 0);
        Path bad = dir.resolve("bad.bin");
        Files.write(bad, new byte[] {0, 0, 0, 9, 1, 2});
        ((Map<String, Object>) s.get("produce")).put("payload_file", bad.toString());
        Result r = run(s, System.nanoTime() + TEST_DEADLINE_NS, config -> {
            throw new AssertionError("no producer without a payload");
        });
        assertEquals("failed", r.status);
        assertEquals("java.io.IOException: payload file " + bad + " is truncated at offset 0: the body there is 9 bytes, 2 bytes left", r.error);
        assertNull(r.clientConfig);
    }

    @Test
    void aPropertyTheProducerRejectsIsAFailedResultNamingIt() throws IOException {
        Map<String, Object> s = specFor(10, null, 0);
        s.put("properties", Map.of("linger.ms", "soon"));
        // The real KafkaProducer: it checks its configuration before it connects anywhere.
        ProduceRun d = new ProduceRun(spec(s), System.nanoTime() + TEST_DEADLINE_NS, events.stream);
        d.run();
        Result r = new Result();
        d.fill(r);
        assertEquals("failed", r.status);
        assertEquals("org.apache.kafka.common.config.ConfigException: Invalid value soon for configuration linger.ms:"
                + " Not a number of type LONG", r.error);
        assertNull(r.clientConfig);

        s.put("properties", Map.of("linger.msec", "5"));
        r = run(s, mock(true));
        assertEquals("org.apache.kafka.common.config.ConfigException: unknown producer property 'linger.msec':"
                + " not a kafka-clients 4.4.0 producer config (the client would ignore it silently)", r.error);
    }

    @Test
    void aSlowSendThatWaitedForBufferMemoryIsAQueueFullWait() throws IOException {
        AtomicLong waitedNs = new AtomicLong();
        MetricName name = new MetricName(ProduceRun.BUFFER_WAIT_METRIC, "producer-metrics", "", Map.of("client-id", "p-1"));
        MockProducer<byte[], byte[]> mock = new MockProducer<>(cluster(3), true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                int n = history().size();
                if (n == 3 || n == 7) {
                    sleepMs(2);
                    waitedNs.addAndGet(2_000_000); // as BufferPool records a wait for memory
                } else if (n == 5) {
                    sleepMs(2); // slow, but not for memory (a GC pause, say)
                }
                return super.send(record, callback);
            }
        };
        mock.setMockMetrics(name, new Metric() {
            @Override
            public MetricName metricName() {
                return name;
            }

            @Override
            public Object metricValue() {
                return (double) waitedNs.get();
            }
        });
        Result r = run(specFor(10, null, 0), mock);
        assertEquals("ok", r.status, r.error);
        assertEquals(2L, r.queueFullWaits);
        assertEquals(4_000_000.0, r.clientMetrics.get(ProduceRun.BUFFER_WAIT_METRIC));
        // A client without the metric cannot say: null, not 0.
        assertNull(run(specFor(10, null, 0), mock(true)).queueFullWaits);
    }

    @Test
    void zeroMessagesIsAnEmptyOkRun() throws IOException, DataFormatException {
        MockProducer<byte[], byte[]> mock = mock(true);
        Result r = run(specFor(0, null, 0), mock);
        assertEquals("ok", r.status, r.error);
        assertEquals(0, mock.history().size());
        assertNull(r.firstRecordUnixUs);
        assertNull(r.sendS);
        assertEquals(0, histogram(r.ackLatencyHistogram).getTotalCount());
    }

    @Test
    void theDriversOwnSettingsThenTheSpecsProperties() throws IOException {
        Map<String, Object> s = specFor(1, null, 0);
        s.put("properties", Map.of("acks", "1", "key.serializer", "org.apache.kafka.common.serialization.StringSerializer"));
        Map<String, Object> c = new ProduceRun(spec(s), Long.MAX_VALUE, events.stream).config();
        assertEquals(Map.of(
                "bootstrap.servers", "127.0.0.1:40123",
                "key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer",
                "acks", "1"), c);
    }

    @Test
    void theClientConfigIsTheResolvedProducerConfigWithSecretsHidden() throws IOException {
        Map<String, Object> s = specFor(3, null, 0);
        s.put("properties", Map.of("linger.ms", "5", "security.protocol", "SASL_SSL",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"s3cr3t\";",
                "ssl.truststore.password", "s3cr3t"));
        Result r = run(s, mock(true));
        assertEquals("ok", r.status, r.error);
        assertEquals("5", r.clientConfig.get("linger.ms"));
        assertEquals("[hidden]", r.clientConfig.get("sasl.jaas.config"));
        assertEquals("[hidden]", r.clientConfig.get("ssl.truststore.password"));
        assertEquals("-1", r.clientConfig.get("acks"), "the default, all, as ProducerConfig resolves it");
        assertEquals("16384", r.clientConfig.get("batch.size"), "a default");
        assertTrue(r.clientConfig.values().stream().noneMatch(v -> v.contains("s3cr3t")));
        assertTrue(r.clientConfig.size() > 50);
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
