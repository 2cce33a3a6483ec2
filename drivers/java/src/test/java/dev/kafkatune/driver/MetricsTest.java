package dev.kafkatune.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/** Metrics.snapshotClient and snapshotProducer on clients whose metrics the test sets. */
class MetricsTest {
    private final Map<MetricName, Metric> metrics = new HashMap<>();

    private void put(String group, String name, Object value, String... tags) {
        Map<String, String> t = new HashMap<>();
        for (int i = 0; i < tags.length; i += 2) {
            t.put(tags[i], tags[i + 1]);
        }
        t.put("client-id", "consumer-1");
        MetricName mn = new MetricName(name, group, "", t);
        metrics.put(mn, new Metric() {
            @Override
            public MetricName metricName() {
                return mn;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }

    private Result snapshot() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
            @Override
            public synchronized Map<MetricName, ? extends Metric> metrics() {
                return metrics;
            }
        };
        Result r = new Result();
        Metrics.snapshotClient(consumer, r);
        return r;
    }

    private Result snapshotProducer() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>() {
            @Override
            public Map<MetricName, Metric> metrics() {
                return metrics;
            }
        };
        Result r = new Result();
        Metrics.snapshotProducer(producer, r);
        return r;
    }

    @Test
    void producerMetricsFillTheProducerFields() {
        put("producer-metrics", "record-retry-total", 2.0);
        put("producer-metrics", "request-total", 1204.0);
        put("producer-metrics", "records-per-request-avg", 83.1);
        put("producer-metrics", "batch-size-avg", 8302.5);
        put("producer-metrics", "compression-rate-avg", 0.42);
        put("producer-metrics", "outgoing-byte-total", 10950000.4);
        put("producer-metrics", "record-error-rate", Double.NaN);
        put("producer-metrics", "client-software-name", "apache-kafka-java");
        put("producer-node-metrics", "request-total", 99.0, "node-id", "node-1");
        put("producer-topic-metrics", "record-send-total", 5.0, "topic", "t");
        put("consumer-metrics", "request-total", 7.0);
        Result r = snapshotProducer();
        assertEquals(2L, r.retries);
        assertEquals(1204L, r.produceRequests);
        assertEquals(83.1, r.recordsPerRequestAvg);
        assertEquals(8302.5, r.batchSizeAvgBytes);
        assertEquals(0.42, r.compressionRatio);
        assertEquals(10950000L, r.bytesOnWire);
        assertEquals(Map.of("record-retry-total", 2.0, "request-total", 1204.0, "records-per-request-avg", 83.1,
                "batch-size-avg", 8302.5, "compression-rate-avg", 0.42, "outgoing-byte-total", 10950000.4), r.clientMetrics);
    }

    @Test
    void aProducerWithoutMetricsLeavesTheFieldsNull() {
        Result r = snapshotProducer();
        assertNull(r.retries);
        assertNull(r.produceRequests);
        assertNull(r.recordsPerRequestAvg);
        assertNull(r.batchSizeAvgBytes);
        assertNull(r.compressionRatio);
        assertNull(r.bytesOnWire);
        assertEquals(Map.of(), r.clientMetrics);
    }

    @Test
    void clientWideFetchMetricsFillTheirFields() {
        put("consumer-fetch-manager-metrics", "fetch-total", 200.0);
        put("consumer-fetch-manager-metrics", "fetch-latency-avg", 3.1);
        put("consumer-fetch-manager-metrics", "fetch-latency-max", 40.0);
        put("consumer-fetch-manager-metrics", "fetch-size-avg", 52000.0);
        put("consumer-fetch-manager-metrics", "records-lag-max", 99499.6);
        Result r = snapshot();
        assertEquals(200L, r.fetchRequests);
        assertEquals(3.1, r.fetchLatencyAvgMs);
        assertEquals(40.0, r.fetchLatencyMaxMs);
        assertEquals(52000.0, r.fetchBytesAvg);
        assertEquals(99500L, r.recordsLagMax, "rounded to a whole count");
    }

    @Test
    void perTopicAndPerPartitionFiguresOtherGroupsAndNonNumbersAreLeftOut() {
        put("consumer-fetch-manager-metrics", "fetch-rate", 250.1);
        put("consumer-fetch-manager-metrics", "fetch-size-avg", 1.0, "topic", "t");
        put("consumer-fetch-manager-metrics", "records-lag-max", 7.0, "topic", "t", "partition", "0");
        put("consumer-metrics", "connection-count", 2.0);
        put("consumer-metrics", "last-poll-seconds-ago", Double.NaN);
        put("consumer-metrics", "io-wait-ratio", Double.POSITIVE_INFINITY);
        put("app-info", "version", "4.4.0");
        put("consumer-coordinator-metrics", "commit-rate", 1.5);
        put("consumer-metrics", "commit-id", "abc");
        Result r = snapshot();
        assertEquals(Map.of("fetch-rate", 250.1, "connection-count", 2.0), r.clientMetrics);
        assertNull(r.fetchBytesAvg);
        assertNull(r.recordsLagMax);
        assertNull(r.fetchRequests);
        assertNull(r.fetchLatencyAvgMs);
    }

    @Test
    void withoutAClientWideFetchSizeItIsBytesOverFetches() {
        put("consumer-fetch-manager-metrics", "fetch-total", 4.0);
        put("consumer-fetch-manager-metrics", "bytes-consumed-total", 1000.0);
        put("consumer-fetch-manager-metrics", "fetch-size-avg", 9.0, "topic", "t");
        assertEquals(250.0, snapshot().fetchBytesAvg);
    }

    @Test
    void noFetchesNoFetchSize() {
        put("consumer-fetch-manager-metrics", "fetch-total", 0.0);
        put("consumer-fetch-manager-metrics", "bytes-consumed-total", 0.0);
        Result r = snapshot();
        assertNull(r.fetchBytesAvg);
        assertEquals(0L, r.fetchRequests);
    }

    @Test
    void gcSumsAreNeverNegative() {
        Result r = new Result();
        Metrics.snapshotGc(r);
        // The test JVM has collectors that count: their sums are present and not the -1 of "cannot count".
        assertEquals(true, r.gcCount != null && r.gcCount >= 0, "gc_count " + r.gcCount);
        assertEquals(true, r.gcTimeMs != null && r.gcTimeMs >= 0, "gc_time_ms " + r.gcTimeMs);
    }
}
