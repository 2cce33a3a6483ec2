package dev.kafkatune.driver;

import static dev.kafkatune.driver.TestSupport.drainSpec;
import static dev.kafkatune.driver.TestSupport.parseObject;
import static dev.kafkatune.driver.TestSupport.partition;
import static dev.kafkatune.driver.TestSupport.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The consumer's configuration: the driver's settings, the spec's on top, names checked, secrets masked. */
class ConfigTest {
    private static final String SECRET = "s3cr3t-value";

    private static Map<String, Object> config(Map<String, Object> specMap) {
        return new DrainOrLiveConsumer(spec(specMap), Long.MAX_VALUE, new TestSupport.Events().stream).config();
    }

    private static Map<String, Object> withProperties(Map<String, Object> props) {
        Map<String, Object> s = drainSpec();
        s.put("properties", props);
        return s;
    }

    @Test
    void theDriversOwnSettings() {
        Map<String, Object> s = drainSpec();
        s.put("max_poll_records", 37L);
        s.put("properties", Map.of());
        Map<String, Object> c = config(s);
        assertEquals(Map.of(
                "bootstrap.servers", "127.0.0.1:40123",
                "key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer",
                "value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer",
                "enable.auto.commit", "false",
                "auto.offset.reset", "earliest",
                "max.poll.records", "37"), c);
    }

    @Test
    void subscribeAddsTheGroupId() {
        Map<String, Object> s = drainSpec();
        s.put("assignment", "subscribe");
        s.put("group_id", "g1");
        s.put("partitions", List.of(partition(0, 0, 5L)));
        assertEquals("g1", config(s).get("group.id"));
        assertFalse(config(drainSpec()).containsKey("group.id"));
    }

    @Test
    void specPropertiesGoOnTopUnchanged() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("fetch.min.bytes", "1024");
        props.put("auto.offset.reset", "latest");
        props.put("max.poll.records", "7");
        props.put("security.protocol", "SASL_SSL");
        Map<String, Object> c = config(withProperties(props));
        assertEquals("1024", c.get("fetch.min.bytes"));
        assertEquals("latest", c.get("auto.offset.reset"));
        assertEquals("7", c.get("max.poll.records"));
        assertEquals("SASL_SSL", c.get("security.protocol"));
        assertEquals("false", c.get("enable.auto.commit"));
    }

    @Test
    void anUnknownPropertyNameIsRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> config(withProperties(Map.of("fetch.min.byte", "1"))));
        assertEquals("unknown consumer property 'fetch.min.byte': not a kafka-clients 4.4.0 consumer config"
                + " (the client would ignore it silently)", e.getMessage());
    }

    @Test
    void aNameUnderAKnownPrefixPasses() {
        Map<String, Object> c = config(withProperties(Map.of(
                "config.providers", "file",
                "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider")));
        assertEquals("org.apache.kafka.common.config.provider.FileConfigProvider", c.get("config.providers.file.class"));
        // The start of a name is not a name: "fetch.min" is unknown.
        assertThrows(ConfigException.class, () -> config(withProperties(Map.of("fetch.min", "1"))));
    }

    @Test
    void interceptorsAndMetricReportersTurnTheCheckOff() {
        Map<String, Object> c = config(withProperties(Map.of(
                "interceptor.classes", "com.example.Interceptor", "com.example.interceptor.key", "v")));
        assertEquals("v", c.get("com.example.interceptor.key"));
        c = config(withProperties(Map.of("metric.reporters", "com.example.Reporter", "reporter.endpoint", "x")));
        assertEquals("x", c.get("reporter.endpoint"));
    }

    private static Map<String, Object> secured() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", "SCRAM-SHA-512");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"u\" password=\"" + SECRET + "\";");
        props.put("ssl.truststore.password", SECRET);
        props.put("ssl.keystore.password", SECRET);
        props.put("ssl.key.password", SECRET);
        props.put("fetch.min.bytes", "1024");
        props.put("bootstrap.servers", "a:1,b:2");
        return withProperties(props);
    }

    @Test
    void theResolvedConfigHidesSecretsAndKeepsTheRest() {
        SortedMap<String, String> r = DrainOrLiveConsumer.resolved(config(secured()));
        for (String k : List.of("sasl.jaas.config", "ssl.truststore.password", "ssl.keystore.password", "ssl.key.password")) {
            assertEquals("[hidden]", r.get(k), k);
        }
        assertFalse(r.values().stream().anyMatch(v -> v.contains(SECRET)), "a secret leaked: " + r);
        assertEquals("SASL_SSL", r.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", r.get("sasl.mechanism"));
        assertEquals("1024", r.get("fetch.min.bytes"));
        // Defaults are included, lists are comma-joined, classes are their names, null is "".
        assertEquals("500", r.get("fetch.max.wait.ms"));
        assertEquals("a:1,b:2", r.get("bootstrap.servers"));
        assertEquals("org.apache.kafka.common.serialization.ByteArrayDeserializer", r.get("value.deserializer"));
        assertEquals("", r.get("group.id"));
        assertEquals("false", r.get("enable.auto.commit"));
        assertTrue(r.size() > 50, "the whole configuration, defaults included: " + r.size());
    }

    @Test
    void theResultsClientConfigIsMaskedToo() throws IOException {
        DrainOrLiveConsumer d = new DrainOrLiveConsumer(spec(secured()), System.nanoTime() + 5_000_000_000L,
                new TestSupport.Events().stream);
        d.run(config -> {
            MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest");
            c.setPollException(new org.apache.kafka.common.KafkaException("no broker in a unit test"));
            return c;
        });
        Result r = new Result();
        d.fill(r);
        byte[] json = r.toJson();
        assertFalse(new String(json, StandardCharsets.UTF_8).contains(SECRET));
        Map<?, ?> cc = (Map<?, ?>) parseObject(json).get("client_config");
        assertEquals("[hidden]", cc.get("sasl.jaas.config"));
        assertEquals("[hidden]", cc.get("ssl.key.password"));
        assertEquals("1024", cc.get("fetch.min.bytes"));
    }

    @Test
    void noClientConfigWhenTheConsumerWasNeverCreated() {
        DrainOrLiveConsumer d = new DrainOrLiveConsumer(spec(withProperties(Map.of("fetch.min.byte", "1"))),
                System.nanoTime() + 5_000_000_000L, new TestSupport.Events().stream);
        d.run(config -> {
            throw new AssertionError("the consumer must not be created with an unknown property");
        });
        Result r = new Result();
        d.fill(r);
        assertNull(r.clientConfig);
        assertEquals("failed", r.status);
        assertEquals("org.apache.kafka.common.config.ConfigException: unknown consumer property 'fetch.min.byte':"
                + " not a kafka-clients 4.4.0 consumer config (the client would ignore it silently)", r.error);
    }
}
