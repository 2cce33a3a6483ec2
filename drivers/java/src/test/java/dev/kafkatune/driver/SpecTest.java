package dev.kafkatune.driver;

import static dev.kafkatune.driver.TestSupport.drainSpec;
import static dev.kafkatune.driver.TestSupport.json;
import static dev.kafkatune.driver.TestSupport.partition;
import static dev.kafkatune.driver.TestSupport.produceSpec;
import static dev.kafkatune.driver.TestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@SuppressWarnings("unchecked")
class SpecTest {
    private static String error(Map<String, Object> s) {
        return assertThrows(IllegalArgumentException.class, () -> Spec.parse(json(s))).getMessage();
    }

    private static Map<String, Object> groupSpec() {
        Map<String, Object> s = drainSpec();
        s.put("assignment", "subscribe");
        s.put("group_id", "kafkatune-s-t-r0-abc");
        s.put("partitions", new ArrayList<>(List.of(partition(0, 10, 60L), partition(2, 0, 50L))));
        s.put("start_file", "/tmp/start");
        s.put("stop_file", "/tmp/stop");
        return s;
    }

    @Test
    void theProtocolDocsDrainExampleReadsFieldByField() {
        Spec s = spec(drainSpec());
        assertEquals(1, s.protocolVersion());
        assertEquals("java", s.client());
        assertEquals("127.0.0.1:40123", s.bootstrapServers());
        assertEquals(TestSupport.TOPIC, s.topic());
        assertEquals("assign", s.assignment());
        assertFalse(s.subscribe());
        assertNull(s.groupId());
        assertEquals(List.of(new Spec.PartitionStart(0, 0, null)), s.partitions());
        assertEquals(100000L, s.messages());
        assertEquals("drain", s.mode());
        assertFalse(s.liveMode());
        assertEquals(500, s.maxPollRecords());
        assertEquals(100L, s.pollTimeoutMs());
        assertEquals(Map.of("fetch.min.bytes", "1024", "fetch.max.wait.ms", "500"), s.properties());
        assertEquals(List.of("fetch.min.bytes", "fetch.max.wait.ms"), new ArrayList<>(s.properties().keySet()));
        assertEquals(120.0, s.timeoutS());
        assertNull(s.live());
        assertNull(s.startFile());
        assertNull(s.stopFile());
        assertFalse(s.produceMode());
        assertNull(s.produce());
    }

    @Test
    void aProducerSpecCarriesItsProduceObject() {
        Map<String, Object> m = produceSpec("/tmp/payload.bin", null);
        m.put("partitions", List.of(partition(0, 0, null), partition(1, 42, null), partition(2, 0, null)));
        Spec s = spec(m);
        assertTrue(s.produceMode());
        assertFalse(s.liveMode());
        assertEquals(new Spec.Produce("/tmp/payload.bin", null), s.produce());
        assertEquals(List.of(0, 1, 2), s.partitions().stream().map(Spec.PartitionStart::partition).toList());
        assertEquals(Map.of("linger.ms", "5", "acks", "all"), s.properties());

        ((Map<String, Object>) m.get("produce")).put("rate_msgs_per_s", 50000L);
        assertEquals(new Spec.Produce("/tmp/payload.bin", 50000.0), spec(m).produce());
        ((Map<String, Object>) m.get("produce")).put("rate_msgs_per_s", 0.5);
        assertEquals(0.5, spec(m).produce().rateMsgsPerS());
        ((Map<String, Object>) m.get("produce")).remove("rate_msgs_per_s");
        assertNull(spec(m).produce().rateMsgsPerS());
        // A capacity step: its warm-up records untimed, its latency from the intended time.
        ((Map<String, Object>) m.get("produce")).put("rate_msgs_per_s", 1000L);
        ((Map<String, Object>) m.get("produce")).put("warmup_records", 500L);
        ((Map<String, Object>) m.get("produce")).put("latency_from_intended", true);
        assertEquals(new Spec.Produce("/tmp/payload.bin", 1000.0, 500, true), spec(m).produce());
    }

    @Test
    void aProducerSpecNeedsNoPollFieldsAndIgnoresUnknownOnes() {
        Map<String, Object> m = produceSpec("/tmp/payload.bin", 10.0);
        m.remove("max_poll_records");
        m.remove("poll_timeout_ms");
        m.remove("assignment");
        ((Map<String, Object>) m.get("produce")).put("compression_hint", "zstd");
        m.put("some_future_field", 1L);
        Spec s = spec(m);
        assertEquals(new Spec.Produce("/tmp/payload.bin", 10.0), s.produce());
        assertEquals(0, s.maxPollRecords());
        // Present, they must still be what they say they are.
        m.put("max_poll_records", "500");
        assertEquals("field 'max_poll_records' must be an integer", error(m));
    }

    @Test
    void theProduceObjectIsChecked() {
        Map<String, Object> m = produceSpec("/tmp/payload.bin", null);
        m.remove("produce");
        assertEquals("mode \"produce\" needs a produce object", error(m));
        m.put("produce", List.of());
        assertEquals("produce must be a JSON object", error(m));
        m.put("produce", Map.of());
        assertEquals("field 'payload_file' must be a string", error(m));
        m.put("produce", Map.of("payload_file", ""));
        assertEquals("produce.payload_file is empty", error(m));
        m.put("produce", Map.of("payload_file", "/p", "rate_msgs_per_s", "fast"));
        assertEquals("field 'rate_msgs_per_s' must be a number", error(m));
        for (double bad : new double[] {0.0, -5.0}) {
            m.put("produce", Map.of("payload_file", "/p", "rate_msgs_per_s", bad));
            assertEquals("produce.rate_msgs_per_s must be a positive number or null, got " + bad, error(m));
        }
        // The consumer checks stay the consumer's.
        m = produceSpec("/tmp/payload.bin", null);
        m.put("partitions", List.of());
        assertEquals("partitions is empty", error(m));
    }

    @Test
    void aGroupSpecCarriesGroupRangesAndFiles() {
        Spec s = spec(groupSpec());
        assertTrue(s.subscribe());
        assertEquals("kafkatune-s-t-r0-abc", s.groupId());
        assertEquals(List.of(new Spec.PartitionStart(0, 10, 60L), new Spec.PartitionStart(2, 0, 50L)), s.partitions());
        assertEquals("/tmp/start", s.startFile());
        assertEquals("/tmp/stop", s.stopFile());
    }

    @Test
    void aLiveSpecCarriesTheWarmUpEnd() {
        Map<String, Object> m = drainSpec();
        m.put("mode", "live");
        m.put("live", Map.of("warmup_end_unix_us", 1764000000000000L));
        Spec s = spec(m);
        assertTrue(s.liveMode());
        assertEquals(new Spec.Live(1764000000000000L), s.live());
    }

    @Test
    void optionalFieldsMayBeAbsentOrNull() {
        Map<String, Object> m = drainSpec();
        m.remove("client");
        m.remove("properties");
        m.remove("live");
        Spec s = spec(m);
        assertNull(s.client());
        assertEquals(Map.of(), s.properties());
        assertNull(s.live());

        m.put("client", null);
        m.put("properties", null);
        m.put("group_id", null);
        m.put("start_file", null);
        m.put("stop_file", null);
        s = spec(m);
        assertNull(s.client());
        assertEquals(Map.of(), s.properties());
        assertNull(s.groupId());
        assertNull(s.startFile());
        assertNull(s.stopFile());
    }

    @Test
    void anEndOffsetMayBeNull() {
        Map<String, Object> m = drainSpec();
        Map<String, Object> p = partition(3, 7, null);
        p.put("end_offset", null);
        m.put("partitions", List.of(p));
        assertEquals(List.of(new Spec.PartitionStart(3, 7, null)), spec(m).partitions());
    }

    @Test
    void unknownFieldsAreIgnored() {
        Map<String, Object> m = drainSpec();
        m.put("some_future_field", Map.of("x", List.of(1L, 2L)));
        Map<String, Object> p = partition(0, 5, null);
        p.put("leader_epoch", 3L);
        m.put("partitions", List.of(p));
        Spec s = spec(m);
        assertEquals(List.of(new Spec.PartitionStart(0, 5, null)), s.partitions());
    }

    @Test
    void propertyNumbersAndBooleansBecomeTheirText() {
        Map<String, Object> m = drainSpec();
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("fetch.min.bytes", 1024L);
        props.put("check.crcs", false);
        props.put("client.id", "kt");
        m.put("properties", props);
        assertEquals(Map.of("fetch.min.bytes", "1024", "check.crcs", "false", "client.id", "kt"), spec(m).properties());
    }

    @Test
    void anIntegralTimeoutIsANumberToo() {
        Map<String, Object> m = drainSpec();
        m.put("timeout_s", 30L);
        assertEquals(30.0, spec(m).timeoutS());
        m.put("timeout_s", 0.25);
        assertEquals(0.25, spec(m).timeoutS());
    }

    @Test
    void zeroMessagesIsAllowed() {
        Map<String, Object> m = drainSpec();
        m.put("messages", 0L);
        assertEquals(0L, spec(m).messages());
    }

    @ParameterizedTest
    @ValueSource(strings = {"protocol_version", "messages", "max_poll_records", "poll_timeout_ms"})
    void aMissingOrMistypedIntegerIsNamed(String field) {
        Map<String, Object> m = drainSpec();
        m.remove(field);
        assertEquals("field '" + field + "' must be an integer", error(m));
        m.put(field, "1");
        assertEquals("field '" + field + "' must be an integer", error(m));
        m.put(field, 1.5);
        assertEquals("field '" + field + "' must be an integer", error(m));
        m.put(field, 1.0);
        assertEquals("field '" + field + "' must be an integer", error(m));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bootstrap_servers", "topic", "assignment", "mode"})
    void aMissingOrMistypedRequiredStringIsNamed(String field) {
        Map<String, Object> m = drainSpec();
        m.remove(field);
        assertEquals("field '" + field + "' must be a string", error(m));
        m.put(field, null);
        assertEquals("field '" + field + "' must be a string", error(m));
        m.put(field, 5L);
        assertEquals("field '" + field + "' must be a string", error(m));
    }

    @ParameterizedTest
    @ValueSource(strings = {"client", "group_id", "start_file", "stop_file"})
    void aMistypedOptionalStringIsNamed(String field) {
        Map<String, Object> m = drainSpec();
        m.put(field, List.of("x"));
        assertEquals("field '" + field + "' must be a string", error(m));
    }

    @Test
    void timeoutMustBeANumber() {
        Map<String, Object> m = drainSpec();
        m.remove("timeout_s");
        assertEquals("field 'timeout_s' must be a number", error(m));
        m.put("timeout_s", "120");
        assertEquals("field 'timeout_s' must be a number", error(m));
    }

    @Test
    void partitionsMustBeAnArrayOfObjects() {
        Map<String, Object> m = drainSpec();
        m.remove("partitions");
        assertEquals("field 'partitions' must be an array", error(m));
        m.put("partitions", Map.of("partition", 0L));
        assertEquals("field 'partitions' must be an array", error(m));
        m.put("partitions", List.of(0L));
        assertEquals("a partitions entry must be a JSON object", error(m));
        m.put("partitions", List.of(Map.of("start_offset", 0L)));
        assertEquals("field 'partition' must be an integer", error(m));
        m.put("partitions", List.of(Map.of("partition", 0L)));
        assertEquals("field 'start_offset' must be an integer", error(m));
        Map<String, Object> p = partition(0, 0, null);
        p.put("end_offset", "10");
        m.put("partitions", List.of(p));
        assertEquals("field 'end_offset' must be an integer", error(m));
        m.put("partitions", List.of());
        assertEquals("partitions is empty", error(m));
    }

    @Test
    void propertiesAndLiveMustBeObjects() {
        Map<String, Object> m = drainSpec();
        m.put("properties", List.of("fetch.min.bytes=1"));
        assertEquals("properties must be a JSON object", error(m));
        m = drainSpec();
        m.put("mode", "live");
        m.put("live", 5L);
        assertEquals("live must be a JSON object", error(m));
        m.put("live", Map.of());
        assertEquals("field 'warmup_end_unix_us' must be an integer", error(m));
    }

    @Test
    void theDocumentMustBeAnObject() {
        assertEquals("the spec must be a JSON object",
                assertThrows(IllegalArgumentException.class, () -> Spec.parse("[1]".getBytes(StandardCharsets.UTF_8))).getMessage());
        assertThrows(IOException.class, () -> Spec.parse("{\"protocol_version\":".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IOException.class, () -> Spec.parse(new byte[0]));
    }

    @Test
    void onlyProtocolVersionOneIsSpoken() {
        Map<String, Object> m = drainSpec();
        m.put("protocol_version", 2L);
        assertEquals("unsupported protocol_version 2 (this driver speaks 1)", error(m));
    }

    @Test
    void assignmentAndModeAreChecked() {
        Map<String, Object> m = drainSpec();
        m.put("assignment", "Assign");
        assertEquals("assignment must be \"assign\" or \"subscribe\", got \"Assign\"", error(m));
        m = drainSpec();
        m.put("mode", "backlog");
        assertEquals("mode must be \"drain\", \"live\" or \"produce\", got \"backlog\"", error(m));
    }

    @Test
    void subscribeNeedsAGroupId() {
        Map<String, Object> m = groupSpec();
        m.remove("group_id");
        assertEquals("assignment \"subscribe\" needs a group_id", error(m));
        m.put("group_id", "");
        assertEquals("assignment \"subscribe\" needs a group_id", error(m));
    }

    @Test
    void liveModeNeedsItsLiveObject() {
        Map<String, Object> m = drainSpec();
        m.put("mode", "live");
        assertEquals("mode \"live\" needs a live object", error(m));
    }

    @Test
    void boundsAreChecked() {
        Map<String, Object> m = drainSpec();
        m.put("messages", -1L);
        assertEquals("messages must be >= 0, got -1", error(m));
        m = drainSpec();
        m.put("max_poll_records", 0L);
        assertEquals("max_poll_records must be >= 1, got 0", error(m));
        m = drainSpec();
        m.put("poll_timeout_ms", -5L);
        assertEquals("poll_timeout_ms must be >= 0, got -5", error(m));
        m = drainSpec();
        m.put("poll_timeout_ms", 0L);
        assertEquals(0L, spec(m).pollTimeoutMs());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -1.0, -0.0})
    void timeoutMustBePositive(double t) {
        Map<String, Object> m = drainSpec();
        m.put("timeout_s", t);
        assertEquals("timeout_s must be a positive number, got " + t, error(m));
    }

    @Test
    void timeoutMustBeFinite() {
        Map<String, Object> m = drainSpec();
        m.put("timeout_s", 7.5);
        String doc = new String(json(m), StandardCharsets.UTF_8);
        assertTrue(doc.contains("\"timeout_s\":7.5"), doc);
        byte[] huge = doc.replace("\"timeout_s\":7.5", "\"timeout_s\":1e400").getBytes(StandardCharsets.UTF_8);
        assertEquals("timeout_s must be a positive number, got Infinity",
                assertThrows(IllegalArgumentException.class, () -> Spec.parse(huge)).getMessage());
    }
}
