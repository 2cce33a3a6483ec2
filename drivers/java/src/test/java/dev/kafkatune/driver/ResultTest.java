package dev.kafkatune.driver;

import static dev.kafkatune.driver.TestSupport.parseObject;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ResultTest {
    /** The result example of docs/driver-protocol.md, read from the document itself. */
    static Map<String, Object> protocolExample() throws IOException {
        // Surefire runs with the working directory and "basedir" at drivers/java.
        Path doc = Path.of(System.getProperty("basedir", ".")).resolve("../../docs/driver-protocol.md");
        String text = Files.readString(doc);
        int section = text.indexOf("## Result (output)");
        assertTrue(section >= 0, "no Result section in " + doc);
        int start = text.indexOf("```json\n", section) + "```json\n".length();
        int end = text.indexOf("```", start);
        return parseObject(text.substring(start, end).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void fieldsAreTheProtocolDocsInItsOrder() throws IOException {
        List<String> documented = new ArrayList<>(protocolExample().keySet());
        assertEquals(29, documented.size(), "the doc's example changed: " + documented);
        assertEquals(documented, new ArrayList<>(parseObject(new Result().toJson()).keySet()));
        Result full = filled();
        assertEquals(documented, new ArrayList<>(parseObject(full.toJson()).keySet()));
    }

    /** The field names of the "Producer runs" section's result table, read from the document itself. */
    static List<String> documentedProducerFields() throws IOException {
        Path doc = Path.of(System.getProperty("basedir", ".")).resolve("../../docs/driver-protocol.md");
        String text = Files.readString(doc);
        int section = text.indexOf("## Producer runs");
        int table = text.indexOf("| `send_s` |", section);
        int end = text.indexOf("\n\n", table);
        assertTrue(section >= 0 && table > section && end > table, "no producer result table in " + doc);
        List<String> names = new ArrayList<>();
        for (String line : text.substring(table, end).split("\n")) {
            names.add(line.substring(line.indexOf('`') + 1, line.indexOf('`', line.indexOf('`') + 1)));
        }
        return names;
    }

    @Test
    void aProducerResultIsTheConsumerOneThenTheProducerTablesFields() throws IOException {
        List<String> producer = documentedProducerFields();
        assertEquals(List.of("send_s", "ack_latency_histogram", "produce_errors", "retries", "produce_requests",
                "records_per_request_avg", "batch_size_avg_bytes", "compression_ratio", "bytes_on_wire",
                "queue_full_waits", "client_config"), producer, "the doc's table changed");
        List<String> expected = new ArrayList<>(protocolExample().keySet());
        producer.stream().filter(f -> !expected.contains(f)).forEach(expected::add);
        Result r = new Result();
        r.produceRun = true;
        assertEquals(expected, new ArrayList<>(parseObject(r.toJson()).keySet()));
        r = filledProducer();
        assertEquals(expected, new ArrayList<>(parseObject(r.toJson()).keySet()));
    }

    static Result filledProducer() {
        Result r = filled();
        r.produceRun = true;
        r.joinS = null;
        r.rebalances = 0;
        r.fetchRequests = null;
        r.fetchLatencyAvgMs = null;
        r.fetchLatencyMaxMs = null;
        r.fetchBytesAvg = null;
        r.recordsLagMax = null;
        r.latencyHistogram = null;
        r.sendS = 0.82;
        r.ackLatencyHistogram = "HISTFAAAAB54nJNpmSzMwMDAwgABzFCaEUzOmNZg/wEidv4AAiYBBQ==";
        r.produceErrors = 0;
        r.retries = 2L;
        r.produceRequests = 1204L;
        r.recordsPerRequestAvg = 83.1;
        r.batchSizeAvgBytes = 8302.5;
        r.compressionRatio = 1.0;
        r.bytesOnWire = 10950000L;
        r.queueFullWaits = 0L;
        return r;
    }

    @Test
    void aProducerResultWritesItsFieldsAndNullsThePollOnes() throws IOException {
        Map<String, Object> o = parseObject(filledProducer().toJson());
        assertEquals(0.82, o.get("send_s"));
        assertEquals("HISTFAAAAB54nJNpmSzMwMDAwgABzFCaEUzOmNZg/wEidv4AAiYBBQ==", o.get("ack_latency_histogram"));
        assertEquals(0L, o.get("produce_errors"));
        assertEquals(2L, o.get("retries"));
        assertEquals(1204L, o.get("produce_requests"));
        assertEquals(83.1, o.get("records_per_request_avg"));
        assertEquals(8302.5, o.get("batch_size_avg_bytes"));
        assertEquals(1.0, o.get("compression_ratio"));
        assertEquals(10950000L, o.get("bytes_on_wire"));
        assertEquals(0L, o.get("queue_full_waits"));
        for (String f : List.of("consume_s", "polls", "empty_polls", "records_per_poll_max", "poll_api", "join_s", "latency_histogram")) {
            assertTrue(o.containsKey(f), f);
            assertNull(o.get(f), f);
        }
        assertEquals(100000L, o.get("messages"));
        assertEquals(0L, o.get("rebalances"));

        Result empty = new Result();
        empty.produceRun = true;
        o = parseObject(empty.toJson());
        for (String f : List.of("send_s", "ack_latency_histogram", "retries", "produce_requests", "records_per_request_avg",
                "batch_size_avg_bytes", "compression_ratio", "bytes_on_wire", "queue_full_waits")) {
            assertTrue(o.containsKey(f), f);
            assertNull(o.get(f), f);
        }
        assertEquals(0L, o.get("produce_errors"));
    }

    @Test
    void aConsumerResultHasNoProducerFields() throws IOException {
        Map<String, Object> o = parseObject(filled().toJson());
        for (String f : List.of("send_s", "ack_latency_histogram", "produce_errors", "queue_full_waits")) {
            assertTrue(!o.containsKey(f), f);
        }
    }

    @Test
    void aFreshResultIsAFailureWithNothingMeasured() throws IOException {
        Map<String, Object> o = parseObject(new Result().toJson());
        assertEquals(1L, o.get("protocol_version"));
        assertEquals("failed", o.get("status"));
        assertEquals("java", o.get("client"));
        assertEquals("poll(Duration)", o.get("poll_api"));
        for (String f : List.of("error", "client_version", "ready_unix_us", "first_record_unix_us", "last_record_unix_us",
                "join_s", "fetch_requests", "fetch_latency_avg_ms", "fetch_latency_max_ms", "fetch_bytes_avg",
                "records_lag_max", "gc_count", "gc_time_ms", "latency_histogram", "client_config")) {
            assertTrue(o.containsKey(f), f);
            assertNull(o.get(f), f);
        }
        for (String f : List.of("messages", "bytes", "polls", "empty_polls", "records_per_poll_max", "rebalances")) {
            assertEquals(0L, o.get(f), f);
        }
        assertEquals(0.0, o.get("consume_s"));
        assertEquals(Map.of(), o.get("per_partition"));
        assertEquals(List.of(), o.get("assigned_partitions"));
        assertEquals(Map.of(), o.get("client_metrics"));
    }

    static Result filled() {
        Result r = new Result();
        r.status = "ok";
        r.clientVersion = "4.4.0";
        r.messages = 100000;
        r.bytes = 10000000;
        r.readyUnixUs = 1764000000000000L;
        r.firstRecordUnixUs = 1764000000120000L;
        r.lastRecordUnixUs = 1764000000900000L;
        r.consumeS = 0.78;
        r.polls = 210;
        r.emptyPolls = 2;
        r.recordsPerPollMax = 500;
        r.perPartition = new TreeMap<>(Map.of(10, 40000L, 2, 60000L));
        r.assignedPartitions = List.of(2, 10);
        r.joinS = 0.125;
        r.rebalances = 3;
        r.fetchRequests = 200L;
        r.fetchLatencyAvgMs = 3.1;
        r.fetchLatencyMaxMs = 40.0;
        r.fetchBytesAvg = 52000.0;
        r.recordsLagMax = 99500L;
        r.gcCount = 3L;
        r.gcTimeMs = 12L;
        r.latencyHistogram = "HISTFAAAAB54nJNpmSzMwMDAwgABzFCaEUzOmNZg/wEidv4AAiYBBQ==";
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("fetch-rate", 250.1);
        metrics.put("records-consumed-total", 100000.0);
        r.clientMetrics = metrics;
        r.clientConfig = new TreeMap<>(Map.of("request.timeout.ms", "30000", "fetch.min.bytes", "1", "sasl.jaas.config", "[hidden]"));
        return r;
    }

    @Test
    void everyMeasuredValueIsWrittenWithItsType() throws IOException {
        Map<String, Object> o = parseObject(filled().toJson());
        assertEquals("ok", o.get("status"));
        assertNull(o.get("error"));
        assertEquals("4.4.0", o.get("client_version"));
        assertEquals(100000L, o.get("messages"));
        assertEquals(10000000L, o.get("bytes"));
        assertEquals(1764000000000000L, o.get("ready_unix_us"));
        assertEquals(1764000000120000L, o.get("first_record_unix_us"));
        assertEquals(1764000000900000L, o.get("last_record_unix_us"));
        assertEquals(0.78, o.get("consume_s"));
        assertEquals(210L, o.get("polls"));
        assertEquals(2L, o.get("empty_polls"));
        assertEquals(500L, o.get("records_per_poll_max"));
        // Partition numbers as strings, in numeric order (2 before 10).
        Map<?, ?> pp = (Map<?, ?>) o.get("per_partition");
        assertEquals(List.of("2", "10"), new ArrayList<>(pp.keySet()));
        assertEquals(60000L, pp.get("2"));
        assertEquals(40000L, pp.get("10"));
        assertEquals(List.of(2L, 10L), o.get("assigned_partitions"));
        assertEquals(0.125, o.get("join_s"));
        assertEquals(3L, o.get("rebalances"));
        assertEquals(200L, o.get("fetch_requests"));
        assertEquals(3.1, o.get("fetch_latency_avg_ms"));
        assertEquals(40.0, o.get("fetch_latency_max_ms"));
        assertEquals(52000.0, o.get("fetch_bytes_avg"));
        assertEquals(99500L, o.get("records_lag_max"));
        assertEquals(3L, o.get("gc_count"));
        assertEquals(12L, o.get("gc_time_ms"));
        assertEquals("HISTFAAAAB54nJNpmSzMwMDAwgABzFCaEUzOmNZg/wEidv4AAiYBBQ==", o.get("latency_histogram"));
        Map<?, ?> cm = (Map<?, ?>) o.get("client_metrics");
        assertEquals(List.of("fetch-rate", "records-consumed-total"), new ArrayList<>(cm.keySet()));
        assertEquals(250.1, cm.get("fetch-rate"));
        assertEquals(100000.0, cm.get("records-consumed-total"));
        Map<?, ?> cc = (Map<?, ?>) o.get("client_config");
        assertEquals(List.of("fetch.min.bytes", "request.timeout.ms", "sasl.jaas.config"), new ArrayList<>(cc.keySet()));
        assertEquals("1", cc.get("fetch.min.bytes"));
        assertEquals("[hidden]", cc.get("sasl.jaas.config"));
    }

    @Test
    void typesMatchTheProtocolExample() throws IOException {
        Map<String, Object> doc = protocolExample();
        Map<String, Object> ours = parseObject(filled().toJson());
        for (Map.Entry<String, Object> e : doc.entrySet()) {
            Object d = e.getValue();
            if (d == null) {
                continue; // error, join_s, latency_histogram: null in the example
            }
            Object v = ours.get(e.getKey());
            Class<?> type = d instanceof Map ? Map.class : d instanceof List ? List.class : d.getClass();
            assertTrue(type.isInstance(v), e.getKey() + ": " + v + " is not a " + type.getSimpleName() + " like the doc's " + d);
        }
    }

    @Test
    void nonFiniteDoublesAreWrittenAsNull() throws IOException {
        Result r = filled();
        r.joinS = Double.NaN;
        r.fetchLatencyAvgMs = Double.POSITIVE_INFINITY;
        r.fetchLatencyMaxMs = Double.NEGATIVE_INFINITY;
        r.fetchBytesAvg = null;
        Map<String, Object> o = parseObject(r.toJson());
        assertNull(o.get("join_s"));
        assertNull(o.get("fetch_latency_avg_ms"));
        assertNull(o.get("fetch_latency_max_ms"));
        assertNull(o.get("fetch_bytes_avg"));
    }

    @Test
    void errorTextIsEscapedAndRoundTrips() throws IOException {
        Result r = new Result();
        String error = "bad spec /tmp/a \"b\".json: line 1\n\ttab \\ back, é 中 😀 \u0001";
        r.error = error;
        r.clientConfig = new TreeMap<>(Map.of("client.id", "quote\"d"));
        byte[] json = r.toJson();
        String text = new String(json, StandardCharsets.UTF_8);
        assertTrue(!text.contains("\n"), "one line: " + text);
        Map<String, Object> o = parseObject(json);
        assertEquals(error, o.get("error"));
        assertEquals(Map.of("client.id", "quote\"d"), o.get("client_config"));
    }

    @Test
    void anEmptyClientConfigIsAnObjectNotNull() throws IOException {
        Result r = new Result();
        r.clientConfig = new TreeMap<>();
        assertEquals(Map.of(), parseObject(r.toJson()).get("client_config"));
    }
}
