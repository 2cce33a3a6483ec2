package dev.kafkatune.driver;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The one result document of a run (docs/driver-protocol.md, "Result"). Boxed fields are
 * the ones that may be {@code null}: not measured (yet), or not applicable to this run.
 * Every field is always written, nulls included, in the protocol's order. A producer run
 * ({@link #produceRun}) writes the consumer's poll fields as null and adds the producer
 * fields ("Producer runs") after {@code client_config}.
 */
public final class Result {
    public String status = "failed";
    public String error;
    public String clientVersion;
    public long messages;
    public long bytes;
    public Long readyUnixUs;
    public Long firstRecordUnixUs;
    public Long lastRecordUnixUs;
    public double consumeS;
    public long polls;
    public long emptyPolls;
    public int recordsPerPollMax;
    public SortedMap<Integer, Long> perPartition;
    public List<Integer> assignedPartitions;
    public Double joinS;
    public int rebalances;
    public Long fetchRequests;
    public Double fetchLatencyAvgMs;
    public Double fetchLatencyMaxMs;
    public Double fetchBytesAvg;
    public Long recordsLagMax;
    public Long gcCount;
    public Long gcTimeMs;
    public String latencyHistogram;
    /** Finite values only: NaN and infinities are not JSON numbers. */
    public Map<String, Double> clientMetrics;
    /** The client's resolved configuration, defaults included (passwords hidden). */
    public SortedMap<String, String> clientConfig;

    /** A producer run: no polls, and the fields below are written. */
    public boolean produceRun;
    public Double sendS;
    public String ackLatencyHistogram;
    public long produceErrors;
    public Long retries;
    public Long produceRequests;
    public Double recordsPerRequestAvg;
    public Double batchSizeAvgBytes;
    public Double compressionRatio;
    public Long bytesOnWire;
    public Long queueFullWaits;

    /** A share group member's accounting; written only then. */
    ShareAccounting.Totals share;
    /** Consumers with processing (the spec's {@code processing}); null fields are left out. */
    public Double processingS;
    public Double pollIntervalAvgMs;
    public Double pollIntervalMaxMs;
    /** Subscribe: partitions lost (the member overran max.poll.interval.ms and left). */
    public Long maxPollExceeded;

    byte[] toJson() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("protocol_version", Spec.PROTOCOL_VERSION);
            g.writeStringField("status", status);
            g.writeStringField("error", error);
            g.writeStringField("client", "java");
            g.writeStringField("client_version", clientVersion);
            g.writeNumberField("messages", messages);
            g.writeNumberField("bytes", bytes);
            writeLong(g, "ready_unix_us", readyUnixUs);
            writeLong(g, "first_record_unix_us", firstRecordUnixUs);
            writeLong(g, "last_record_unix_us", lastRecordUnixUs);
            if (produceRun) {
                for (String f : new String[] {"consume_s", "polls", "empty_polls", "records_per_poll_max"}) {
                    g.writeNullField(f);
                }
            } else {
                g.writeNumberField("consume_s", consumeS);
                g.writeNumberField("polls", polls);
                g.writeNumberField("empty_polls", emptyPolls);
                g.writeNumberField("records_per_poll_max", recordsPerPollMax);
            }
            g.writeObjectFieldStart("per_partition");
            if (perPartition != null) {
                for (Map.Entry<Integer, Long> e : perPartition.entrySet()) {
                    g.writeNumberField(Integer.toString(e.getKey()), e.getValue());
                }
            }
            g.writeEndObject();
            g.writeArrayFieldStart("assigned_partitions");
            if (assignedPartitions != null) {
                for (int p : assignedPartitions) {
                    g.writeNumber(p);
                }
            }
            g.writeEndArray();
            writeDouble(g, "join_s", joinS);
            g.writeNumberField("rebalances", rebalances);
            writeLong(g, "fetch_requests", fetchRequests);
            writeDouble(g, "fetch_latency_avg_ms", fetchLatencyAvgMs);
            writeDouble(g, "fetch_latency_max_ms", fetchLatencyMaxMs);
            writeDouble(g, "fetch_bytes_avg", fetchBytesAvg);
            writeLong(g, "records_lag_max", recordsLagMax);
            writeLong(g, "gc_count", gcCount);
            writeLong(g, "gc_time_ms", gcTimeMs);
            g.writeStringField("latency_histogram", latencyHistogram);
            g.writeObjectFieldStart("client_metrics");
            if (clientMetrics != null) {
                for (Map.Entry<String, Double> e : clientMetrics.entrySet()) {
                    g.writeNumberField(e.getKey(), e.getValue());
                }
            }
            g.writeEndObject();
            g.writeStringField("poll_api", produceRun ? null : "poll(Duration)");
            if (clientConfig != null) {
                g.writeObjectFieldStart("client_config");
                for (Map.Entry<String, String> e : clientConfig.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            } else {
                g.writeNullField("client_config");
            }
            if (produceRun) {
                writeProducerFields(g);
            } else {
                writeProcessingFields(g);
            }
            if (share != null) {
                share.write(g);
            }
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private void writeProducerFields(JsonGenerator g) throws IOException {
        writeDouble(g, "send_s", sendS);
        g.writeStringField("ack_latency_histogram", ackLatencyHistogram);
        g.writeNumberField("produce_errors", produceErrors);
        writeLong(g, "retries", retries);
        writeLong(g, "produce_requests", produceRequests);
        writeDouble(g, "records_per_request_avg", recordsPerRequestAvg);
        writeDouble(g, "batch_size_avg_bytes", batchSizeAvgBytes);
        writeDouble(g, "compression_ratio", compressionRatio);
        writeLong(g, "bytes_on_wire", bytesOnWire);
        writeLong(g, "queue_full_waits", queueFullWaits);
    }

    /** Optional fields (docs/driver-protocol.md, "Processing"): written only when measured. */
    private void writeProcessingFields(JsonGenerator g) throws IOException {
        if (processingS != null) {
            writeDouble(g, "processing_s", processingS);
        }
        if (pollIntervalAvgMs != null) {
            writeDouble(g, "poll_interval_avg_ms", pollIntervalAvgMs);
            writeDouble(g, "poll_interval_max_ms", pollIntervalMaxMs);
        }
        if (maxPollExceeded != null) {
            writeLong(g, "max_poll_exceeded", maxPollExceeded);
        }
    }

    private static void writeLong(JsonGenerator g, String name, Long v) throws IOException {
        if (v == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, v);
        }
    }

    private static void writeDouble(JsonGenerator g, String name, Double v) throws IOException {
        if (v == null || !Double.isFinite(v)) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, v);
        }
    }
}
