package dev.kafkatune.driver;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** End-of-run snapshots of the client's own metrics (consumer or producer) and of the JVM's garbage collectors. */
final class Metrics {
    private static final String FETCH_GROUP = "consumer-fetch-manager-metrics";
    private static final String CONSUMER_GROUP = "consumer-metrics";
    private static final String PRODUCER_GROUP = "producer-metrics";
    /** The share consumer's own groups (kafka-clients ShareFetchMetricsRegistry, ShareConsumerMetrics). */
    private static final Set<String> SHARE_GROUPS = Set.of("consumer-share-fetch-manager-metrics", "consumer-share-metrics");

    private Metrics() {}

    /**
     * Copies the client-wide (not per-topic, not per-partition) metrics of the fetch manager
     * and the consumer into {@code result}. Must run before {@code close()}, which removes
     * the sensors, and right after the loop: rates and maxima such as records-lag-max are
     * windowed (metrics.sample.window.ms, 30 s by default), so a later snapshot would see
     * them decay.
     */
    static void snapshotClient(Consumer<?, ?> consumer, Result result) {
        Map<String, Double> flat = flatten(consumer.metrics(), Set.of(FETCH_GROUP, CONSUMER_GROUP));
        fetchFields(flat, result);
        // Kafka 4 keeps fetch-size-avg per topic only: the client-wide figure is the bytes
        // consumed over the fetches made.
        Double size = flat.get("fetch-size-avg");
        Double bytes = flat.get("bytes-consumed-total");
        Double fetches = flat.get("fetch-total");
        if (size == null && bytes != null && fetches != null && fetches > 0) {
            size = bytes / fetches;
        }
        result.fetchBytesAvg = size;
        result.recordsLagMax = asLong(flat.get("records-lag-max"));
    }

    /**
     * The share consumer's client-wide metrics ({@link #SHARE_GROUPS}) into {@code result}, like
     * {@link #snapshotClient}; the fetch size is the bytes consumed over the fetches made when
     * both are there. Before {@code close()}.
     */
    static void snapshotShare(ShareConsumer<?, ?> consumer, Result result) {
        Map<String, Double> flat = flatten(consumer.metrics(), SHARE_GROUPS);
        fetchFields(flat, result);
        Double fetches = flat.get("fetch-total");
        Double consumed = flat.get("bytes-consumed-total");
        result.fetchBytesAvg = consumed != null && fetches != null && fetches > 0 ? consumed / fetches : flat.get("fetch-size-avg");
    }

    /** The fields both consumers' metrics give alike: the flat map, fetch count and fetch latency. */
    private static void fetchFields(Map<String, Double> flat, Result result) {
        result.clientMetrics = flat;
        result.fetchRequests = asLong(flat.get("fetch-total"));
        result.fetchLatencyAvgMs = flat.get("fetch-latency-avg");
        result.fetchLatencyMaxMs = flat.get("fetch-latency-max");
    }

    /**
     * The producer's client-wide metrics ({@code producer-metrics}; not the per-node or
     * per-topic groups) into {@code result}, and the protocol's producer fields from them.
     * Before {@code close()}; the averages are windowed like the consumer's (see above).
     */
    static void snapshotProducer(Producer<?, ?> producer, Result result) {
        Map<String, Double> flat = flatten(producer.metrics(), Set.of(PRODUCER_GROUP));
        result.clientMetrics = flat;
        result.retries = asLong(flat.get("record-retry-total"));
        result.produceRequests = asLong(flat.get("request-total"));
        result.recordsPerRequestAvg = flat.get("records-per-request-avg");
        result.batchSizeAvgBytes = flat.get("batch-size-avg");
        result.compressionRatio = flat.get("compression-rate-avg");
        result.bytesOnWire = asLong(flat.get("outgoing-byte-total"));
    }

    /** Numeric metrics of {@code groups} by name, skipping the per-topic and per-partition copies. */
    static Map<String, Double> flatten(Map<MetricName, ? extends Metric> metrics, Set<String> groups) {
        Map<String, Double> flat = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName name = e.getKey();
            if (!groups.contains(name.group())) {
                continue;
            }
            // The same names exist per topic and per partition; those carry a topic tag.
            if (name.tags().containsKey("topic") || name.tags().containsKey("partition")) {
                continue;
            }
            Object value = e.getValue().metricValue();
            // Some gauges are strings; NaN and infinities (empty windows) are not JSON numbers.
            if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
                flat.putIfAbsent(name.name(), n.doubleValue());
            }
        }
        return flat;
    }

    /** Sums over every collector; a collector that cannot count reports -1 and is skipped. */
    static void snapshotGc(Result result) {
        long count = 0;
        long timeMs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            timeMs += Math.max(0, gc.getCollectionTime());
        }
        result.gcCount = count;
        result.gcTimeMs = timeMs;
    }

    private static Long asLong(Double v) {
        return v == null ? null : Math.round(v);
    }
}
