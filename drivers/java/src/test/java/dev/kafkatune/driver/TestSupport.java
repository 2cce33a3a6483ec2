package dev.kafkatune.driver;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** Specs, records and JSON for the tests: no broker anywhere. */
final class TestSupport {
    static final String TOPIC = "kafkatune-test";

    private TestSupport() {}

    /** The spec example of docs/driver-protocol.md, as a mutable map (assign, drain, one partition). */
    static Map<String, Object> drainSpec() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("protocol_version", 1L);
        s.put("client", "java");
        s.put("bootstrap_servers", "127.0.0.1:40123");
        s.put("topic", TOPIC);
        s.put("assignment", "assign");
        s.put("partitions", new ArrayList<>(List.of(partition(0, 0, null))));
        s.put("messages", 100000L);
        s.put("mode", "drain");
        s.put("max_poll_records", 500L);
        s.put("poll_timeout_ms", 100L);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("fetch.min.bytes", "1024");
        props.put("fetch.max.wait.ms", "500");
        s.put("properties", props);
        s.put("timeout_s", 120.0);
        s.put("live", null);
        return s;
    }

    /**
     * A producer spec as the protocol's "Producer runs" section describes it: the consumer
     * spec's fields (the poll ones unused), mode produce, a produce object.
     */
    static Map<String, Object> produceSpec(String payloadFile, Double rate) {
        Map<String, Object> s = drainSpec();
        s.put("mode", "produce");
        s.put("properties", new LinkedHashMap<>(Map.of("linger.ms", "5", "acks", "all")));
        Map<String, Object> produce = new LinkedHashMap<>();
        produce.put("payload_file", payloadFile);
        produce.put("rate_msgs_per_s", rate);
        s.put("produce", produce);
        return s;
    }

    /** A partitions entry; {@code end} null leaves end_offset out. */
    static Map<String, Object> partition(int p, long start, Long end) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("partition", (long) p);
        m.put("start_offset", start);
        if (end != null) {
            m.put("end_offset", end);
        }
        return m;
    }

    static Spec spec(Map<String, Object> s) {
        try {
            return Spec.parse(json(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes maps, lists, strings, numbers, booleans and null as JSON. */
    static byte[] json(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName((String) e.getKey());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                write(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Long || v instanceof Integer) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass());
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(byte[] json) {
        try {
            return (Map<String, Object>) Json.parse(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A record as the broker would hand it: serialized sizes set (-1 for a null value). */
    static ConsumerRecord<byte[], byte[]> record(int partition, long offset, byte[] value) {
        return new ConsumerRecord<>(TOPIC, partition, offset, 0L, TimestampType.CREATE_TIME,
                -1, value == null ? -1 : value.length, null, value, new RecordHeaders(), Optional.empty());
    }

    static byte[] bytes(int n) {
        return new byte[n];
    }

    /** A kafkatune payload: the send time as a big-endian u64, then filler up to {@code size}. */
    static byte[] payload(long sendUnixUs, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (sendUnixUs >>> (56 - 8 * i));
        }
        return b;
    }

    /** The event lines a driver printed. */
    static final class Events {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(buf, true, StandardCharsets.UTF_8);

        List<String> lines() {
            String s = buf.toString(StandardCharsets.UTF_8);
            return s.isEmpty() ? List.of() : List.of(s.split("\n"));
        }
    }
}
