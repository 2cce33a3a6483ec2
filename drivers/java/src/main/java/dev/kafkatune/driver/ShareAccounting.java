package dev.kafkatune.driver;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/** A share group member's exact accounting: which offsets it saw accepted, and its acknowledgement counts. */
final class ShareAccounting {
    private ShareAccounting() {}

    /** One partition's range of the run, {@code [start, end)}, and the offsets in it whose acceptance the broker confirmed. */
    static final class Partition {
        final long start;
        final long end;
        private final BitSet accepted = new BitSet();
        private long count;

        Partition(long start, long end) {
            this.start = start;
            this.end = end;
        }

        boolean contains(long offset) {
            return offset >= start && offset < end && offset - start <= Integer.MAX_VALUE;
        }

        /** True the first time {@code offset} is accepted; false if it was already. */
        boolean accept(long offset) {
            int i = (int) (offset - start);
            if (accepted.get(i)) {
                return false;
            }
            accepted.set(i);
            count++;
            return true;
        }

        long acceptedCount() {
            return count;
        }

        /** The accepted offsets as {@code [first, after_last)} runs, in order. */
        List<long[]> acceptedRanges() {
            List<long[]> out = new ArrayList<>();
            int i = accepted.nextSetBit(0);
            while (i >= 0) {
                int j = accepted.nextClearBit(i);
                out.add(new long[] {start + i, start + j});
                i = accepted.nextSetBit(j);
            }
            return out;
        }
    }

    /** What the result's {@code share} object carries (docs/driver-protocol.md, "Share groups"). */
    static final class Totals {
        String acknowledgementMode;
        long deliveries;
        long redeliveries;
        long accepts;
        long releases;
        long rejects;
        long acknowledgementErrors;
        String firstAcknowledgementError;
        long acquisitionErrors;
        long duplicateAccepts;
        long outsideRange;
        Map<Integer, List<long[]>> acceptedRanges;

        void write(JsonGenerator g) throws IOException {
            g.writeObjectFieldStart("share");
            g.writeStringField("acknowledgement_mode", acknowledgementMode);
            g.writeNumberField("deliveries", deliveries);
            g.writeNumberField("redeliveries", redeliveries);
            g.writeObjectFieldStart("acknowledgements");
            g.writeNumberField("accept", accepts);
            g.writeNumberField("release", releases);
            g.writeNumberField("reject", rejects);
            g.writeEndObject();
            g.writeNumberField("acknowledgement_errors", acknowledgementErrors);
            g.writeStringField("first_acknowledgement_error", firstAcknowledgementError);
            g.writeNumberField("acquisition_errors", acquisitionErrors);
            g.writeNumberField("duplicate_accepts", duplicateAccepts);
            g.writeNumberField("records_outside_range", outsideRange);
            g.writeObjectFieldStart("accepted_ranges");
            if (acceptedRanges != null) {
                for (Map.Entry<Integer, List<long[]>> e : acceptedRanges.entrySet()) {
                    g.writeArrayFieldStart(Integer.toString(e.getKey()));
                    for (long[] r : e.getValue()) {
                        g.writeStartArray();
                        g.writeNumber(r[0]);
                        g.writeNumber(r[1]);
                        g.writeEndArray();
                    }
                    g.writeEndArray();
                }
            }
            g.writeEndObject();
            g.writeEndObject();
        }
    }
}
