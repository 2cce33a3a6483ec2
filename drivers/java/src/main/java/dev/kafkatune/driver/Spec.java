package dev.kafkatune.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trial description kafkatune hands to the driver (docs/driver-protocol.md, "Spec").
 * Unknown fields are ignored so that a newer kafkatune can add optional ones without
 * breaking an older cached driver; a missing or mistyped required field is an error
 * naming the field, never a silent default.
 */
public record Spec(
        int protocolVersion,
        String client,
        String bootstrapServers,
        String topic,
        String assignment,
        String groupId,
        List<PartitionStart> partitions,
        long messages,
        String mode,
        int maxPollRecords,
        long pollTimeoutMs,
        Map<String, String> properties,
        double timeoutS,
        Live live,
        String startFile,
        String stopFile,
        Produce produce,
        Share share,
        Processing processing) {

    public static final int PROTOCOL_VERSION = 1;

    /** {@code endOffset}: subscribe with several consumers only, else null (no bound). */
    public record PartitionStart(int partition, long startOffset, Long endOffset) {}

    public record Live(long warmupEndUnixUs) {}

    /** Producer runs only: the length-prefixed bodies, and the pace (null: as fast as the client accepts). */
    /**
     * A producer run. {@code warmupRecords}: the first records' acknowledgements are not timed
     * (a capacity step's warm-up); {@code latencyFromIntended}: paced, a latency counts from the
     * record's intended send time instead of its send (coordinated omission).
     */
    public record Produce(String payloadFile, Double rateMsgsPerS, long warmupRecords, boolean latencyFromIntended) {
        public Produce(String payloadFile, Double rateMsgsPerS) {
            this(payloadFile, rateMsgsPerS, 0, false);
        }
    }

    /**
     * A share group member (present: the run's group is a share group, KIP-932).
     * {@code releaseFirstRecords}: a test knob, release this many records of the run on their
     * first delivery (explicit acknowledgement only), so that they are redelivered.
     */
    public record Share(long releaseFirstRecords) {}

    public boolean subscribe() {
        return "subscribe".equals(assignment);
    }

    public boolean liveMode() {
        return "live".equals(mode);
    }

    public boolean produceMode() {
        return "produce".equals(mode);
    }

    static Spec parse(byte[] json) throws IOException {
        Map<String, Object> o = object(Json.parse(json), "the spec");
        List<PartitionStart> partitions = new ArrayList<>();
        for (Object p : list(o, "partitions")) {
            Map<String, Object> po = object(p, "a partitions entry");
            partitions.add(new PartitionStart(
                    (int) integer(po, "partition"),
                    integer(po, "start_offset"),
                    po.get("end_offset") == null ? null : integer(po, "end_offset")));
        }
        Map<String, String> properties = new LinkedHashMap<>();
        Object props = o.get("properties");
        if (props != null) {
            for (Map.Entry<String, Object> e : object(props, "properties").entrySet()) {
                // kafkatune sends strings; accept JSON numbers and booleans as their text.
                Object v = e.getValue();
                properties.put(e.getKey(), v == null ? null : v.toString());
            }
        }
        Live live = null;
        Object lo = o.get("live");
        if (lo != null) {
            live = new Live(integer(object(lo, "live"), "warmup_end_unix_us"));
        }
        Produce produce = null;
        Object po = o.get("produce");
        if (po != null) {
            Map<String, Object> p = object(po, "produce");
            Object rate = p.get("rate_msgs_per_s");
            produce = new Produce(string(p, "payload_file", true), rate == null ? null : number(p, "rate_msgs_per_s"),
                    p.get("warmup_records") == null ? 0 : integer(p, "warmup_records"),
                    Boolean.TRUE.equals(p.get("latency_from_intended")));
        }
        Share share = null;
        Object so = o.get("share");
        if (so != null) {
            Map<String, Object> sh = object(so, "share");
            share = new Share(sh.get("release_first_records") == null ? 0 : integer(sh, "release_first_records"));
        }
        // A producer run does not poll: the consumer's poll fields are unused there, so they may be absent.
        boolean producing = "produce".equals(o.get("mode"));
        Spec spec = new Spec(
                (int) integer(o, "protocol_version"),
                string(o, "client", false),
                string(o, "bootstrap_servers", true),
                string(o, "topic", true),
                string(o, "assignment", !producing),
                string(o, "group_id", false),
                partitions,
                integer(o, "messages"),
                string(o, "mode", true),
                producing && o.get("max_poll_records") == null ? 0 : (int) integer(o, "max_poll_records"),
                producing && o.get("poll_timeout_ms") == null ? 0 : integer(o, "poll_timeout_ms"),
                properties,
                number(o, "timeout_s"),
                live,
                string(o, "start_file", false),
                string(o, "stop_file", false),
                produce,
                share,
                Processing.parse(o.get("processing")));
        spec.validate();
        return spec;
    }

    /** Rejects specs that parse but that the run cannot honour; the message says which field. */
    private void validate() {
        if (protocolVersion != PROTOCOL_VERSION) {
            throw new IllegalArgumentException("unsupported protocol_version " + protocolVersion
                    + " (this driver speaks " + PROTOCOL_VERSION + ")");
        }
        if (!"drain".equals(mode) && !"live".equals(mode) && !"produce".equals(mode)) {
            throw new IllegalArgumentException("mode must be \"drain\", \"live\" or \"produce\", got \"" + mode + "\"");
        }
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("partitions is empty");
        }
        if (messages < 0) {
            throw new IllegalArgumentException("messages must be >= 0, got " + messages);
        }
        if (!(timeoutS > 0) || Double.isInfinite(timeoutS)) {
            throw new IllegalArgumentException("timeout_s must be a positive number, got " + timeoutS);
        }
        if (produceMode()) {
            validateProduce();
        } else {
            validateConsume();
        }
    }

    /** A producer run ignores assignment, group, files, live and the poll fields. */
    private void validateProduce() {
        if (produce == null) {
            throw new IllegalArgumentException("mode \"produce\" needs a produce object");
        }
        if (produce.payloadFile().isEmpty()) {
            throw new IllegalArgumentException("produce.payload_file is empty");
        }
        Double rate = produce.rateMsgsPerS();
        if (rate != null && (!(rate > 0) || Double.isInfinite(rate))) {
            throw new IllegalArgumentException("produce.rate_msgs_per_s must be a positive number or null, got " + rate);
        }
    }

    private void validateConsume() {
        if (!"assign".equals(assignment) && !"subscribe".equals(assignment)) {
            throw new IllegalArgumentException("assignment must be \"assign\" or \"subscribe\", got \"" + assignment + "\"");
        }
        if (subscribe() && (groupId == null || groupId.isEmpty())) {
            throw new IllegalArgumentException("assignment \"subscribe\" needs a group_id");
        }
        if (liveMode() && live == null) {
            throw new IllegalArgumentException("mode \"live\" needs a live object");
        }
        if (share != null && !subscribe()) {
            throw new IllegalArgumentException("a share object needs assignment \"subscribe\" (a share group)");
        }
        if (share != null && share.releaseFirstRecords() < 0) {
            throw new IllegalArgumentException("share.release_first_records must be >= 0, got " + share.releaseFirstRecords());
        }
        if (maxPollRecords < 1) {
            throw new IllegalArgumentException("max_poll_records must be >= 1, got " + maxPollRecords);
        }
        if (pollTimeoutMs < 0) {
            throw new IllegalArgumentException("poll_timeout_ms must be >= 0, got " + pollTimeoutMs);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v, String what) {
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException(what + " must be a JSON object");
        }
        return (Map<String, Object>) v;
    }

    private static List<?> list(Map<String, Object> o, String field) {
        Object v = o.get(field);
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException("field '" + field + "' must be an array");
        }
        return l;
    }

    private static String string(Map<String, Object> o, String field, boolean required) {
        Object v = o.get(field);
        if (v == null && !required) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        return s;
    }

    private static long integer(Map<String, Object> o, String field) {
        Object v = o.get(field);
        if (!(v instanceof Long l)) {
            throw new IllegalArgumentException("field '" + field + "' must be an integer");
        }
        return l;
    }

    private static double number(Map<String, Object> o, String field) {
        Object v = o.get(field);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("field '" + field + "' must be a number");
        }
        return n.doubleValue();
    }
}
