package main

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

func TestAFreshStateReportsAbsentFiguresAsNull(t *testing.T) {
	st := newState(&Spec{Client: "franz-go", Mode: "drain", Assignment: "assign"})
	b, err := json.Marshal(st.result("failed", "boom"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"consume_s", "join_s", "fetch_requests", "fetch_latency_avg_ms",
		"records_lag_max", "latency_histogram", "processing_s", "poll_interval_avg_ms", "max_poll_exceeded"} {
		if v, ok := doc[field]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", field, v, ok)
		}
	}
	if doc["status"] != "failed" || doc["error"] != "boom" || doc["protocol_version"] != 1.0 {
		t.Errorf("status/error/version: %v %v %v", doc["status"], doc["error"], doc["protocol_version"])
	}
	if _, ok := doc["send_s"]; ok {
		t.Error("a consumer run carries no producer fields")
	}
	if doc["gc_count"] == nil {
		t.Error("gc_count comes from runtime/metrics and is always known")
	}
}

func TestSubscribeRunsCountMaxPollExceeded(t *testing.T) {
	st := newState(&Spec{Assignment: "subscribe"})
	st.partitionsLost = 2
	if r := st.result("ok", ""); r.MaxPollExceeded == nil || *r.MaxPollExceeded != 2 {
		t.Errorf("max_poll_exceeded = %v", r.MaxPollExceeded)
	}
}

func TestLatencyCountsFromTheValuesSendTimeAfterTheWarmup(t *testing.T) {
	h := newHistogram()
	v := make([]byte, 16)
	binary.BigEndian.PutUint64(v, 1_000_000)
	recordLatency(h, v, 1_000_250, 0)
	recordLatency(h, v, 1_000_250, 2_000_000) // sent before the warm-up's end: not recorded
	recordLatency(h, []byte{1, 2}, 5, 0)      // too short to carry a time
	if h.TotalCount() != 1 || h.Max() < 249 || h.Max() > 251 {
		t.Errorf("count %d max %d", h.TotalCount(), h.Max())
	}
	enc := encodeHistogram(h)
	raw, _ := base64.StdEncoding.DecodeString(*enc)
	zr, err := zlib.NewReader(bytes.NewReader(raw[8:]))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := io.ReadAll(zr)
	if off := binary.BigEndian.Uint32(payload[8:12]); off != 0 {
		t.Errorf("normalizing index offset %d, want 0 (Rust's reader refuses others)", off)
	}
	back, err := hdr.Decode([]byte(*enc))
	if err != nil || back.TotalCount() != 1 {
		t.Errorf("decode: %v, %v", err, back)
	}
}

func TestProcessingPerRecordAndPerPoll(t *testing.T) {
	p, err := newProcessing(&ProcessingSpec{Per: "record", DurationUs: 200, Work: "sleep"})
	if err != nil || p.workFor(5) != time.Millisecond || p.workFor(0) != 0 {
		t.Fatalf("per record: %v %v", p.workFor(5), err)
	}
	if got := p.apply(5); got < time.Millisecond {
		t.Errorf("slept %v, want at least 1ms", got)
	}
	p, _ = newProcessing(&ProcessingSpec{Per: "poll", DurationUs: 300})
	if !p.busy || p.workFor(10) != 300*time.Microsecond {
		t.Errorf("per poll busy: %v %v", p.busy, p.workFor(10))
	}
	if _, err := newProcessing(&ProcessingSpec{Per: "batch"}); err == nil {
		t.Error("per=batch should be refused")
	}
}

func TestPayloadIsLengthPrefixedAndValuesCarryTheSendTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payload.bin")
	data := []byte{0, 0, 0, 2, 'h', 'i', 0, 0, 0, 1, '!'}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	bodies, err := readPayload(path)
	if err != nil || len(bodies) != 2 || string(bodies[0]) != "hi" || string(bodies[1]) != "!" {
		t.Fatalf("bodies %q, %v", bodies, err)
	}
	v := value(42, bodies[0])
	if got, ok := sendUs(v); !ok || got != 42 || string(v[8:]) != "hi" {
		t.Errorf("value %v", v)
	}
	if err := os.WriteFile(path, []byte{0, 0, 0, 9, 'x'}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readPayload(path); err == nil {
		t.Error("a cut body should be an error")
	}
}

func TestPollIntervals(t *testing.T) {
	var p pollIntervals
	t0 := time.Now()
	p.pollStarts(t0)
	if p.avgMs() != nil {
		t.Error("one poll has no interval")
	}
	p.pollStarts(t0.Add(10 * time.Millisecond))
	p.pollStarts(t0.Add(40 * time.Millisecond))
	if *p.avgMs() != 20 || *p.maxMs() != 30 {
		t.Errorf("avg %v max %v", *p.avgMs(), *p.maxMs())
	}
}

func TestGCFiguresFromRuntimeMetrics(t *testing.T) {
	before, _, ok := gc()
	if !ok {
		t.Fatal("runtime/metrics lacks the GC metrics")
	}
	for i := 0; i < 3; i++ {
		runtimeGC()
	}
	after, pauseMs, _ := gc()
	if after < before+3 || pauseMs <= 0 {
		t.Errorf("cycles %d -> %d, pauses %v ms", before, after, pauseMs)
	}
}
