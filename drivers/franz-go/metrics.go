package main

// The client's own figures: franz-go's hooks (every request's round trip, every produced
// batch) and Go's garbage collector from runtime/metrics.

import (
	"math"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Kafka API keys (the protocol's numbers).
const (
	keyProduce int16 = 0
	keyFetch   int16 = 1
)

// hooks counts what franz-go tells its hooks; safe for its goroutines.
type hooks struct {
	mu              sync.Mutex
	fetches         int64
	fetchBytes      int64
	fetchLatency    time.Duration
	fetchLatencyMax time.Duration
	produces        int64
	bytesWritten    int64
	batches         int64
	batchRecords    int64
	batchCompressed int64
	batchRaw        int64
}

var (
	_ kgo.HookBrokerE2E           = (*hooks)(nil)
	_ kgo.HookProduceBatchWritten = (*hooks)(nil)
)

// OnBrokerE2E sees every request: Fetch's round trip is what Java's fetch-latency is.
func (h *hooks) OnBrokerE2E(_ kgo.BrokerMetadata, key int16, e kgo.BrokerE2E) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bytesWritten += int64(e.BytesWritten)
	if e.Err() != nil {
		return
	}
	switch key {
	case keyFetch:
		h.fetches++
		h.fetchBytes += int64(e.BytesRead)
		d := e.DurationE2E()
		h.fetchLatency += d
		if d > h.fetchLatencyMax {
			h.fetchLatencyMax = d
		}
	case keyProduce:
		h.produces++
	}
}

// OnProduceBatchWritten sees each partition's batch as sent.
func (h *hooks) OnProduceBatchWritten(_ kgo.BrokerMetadata, _ string, _ int32, m kgo.ProduceBatchMetrics) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.batches++
	h.batchRecords += int64(m.NumRecords)
	h.batchCompressed += int64(m.CompressedBytes)
	h.batchRaw += int64(m.UncompressedBytes)
}

// consumerFields fills the fetch figures (null where no fetch completed).
func (h *hooks) consumerFields(r *Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.ClientMetrics["fetch-total"] = float64(h.fetches)
	r.ClientMetrics["bytes-written-total"] = float64(h.bytesWritten)
	if h.fetches == 0 {
		return
	}
	r.FetchRequests = ptr(float64(h.fetches))
	r.FetchLatencyAvgMs = ptr(ms(h.fetchLatency) / float64(h.fetches))
	r.FetchLatencyMaxMs = ptr(ms(h.fetchLatencyMax))
	r.FetchBytesAvg = ptr(float64(h.fetchBytes) / float64(h.fetches))
}

// producerFields fills the producer's request and batch figures.
func (h *hooks) producerFields(r *Result, acked int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.ClientMetrics["produce-batches-total"] = float64(h.batches)
	r.ClientMetrics["produce-batch-records-total"] = float64(h.batchRecords)
	r.BytesOnWire = ptr(h.bytesWritten)
	r.ProduceRequests = ptr(float64(h.produces))
	if h.produces > 0 {
		r.RecordsPerRequestAvg = ptr(float64(acked) / float64(h.produces))
	}
	if h.batches > 0 {
		r.BatchSizeAvgBytes = ptr(float64(h.batchCompressed) / float64(h.batches))
	}
	if h.batchRaw > 0 {
		r.CompressionRatio = ptr(float64(h.batchCompressed) / float64(h.batchRaw))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// gc reads Go's collector: cycles completed and the stop-the-world pauses' total, from
// the pause histogram (each bucket at its midpoint; the open top bucket at its floor).
func gc() (cycles int64, pauseMs float64, ok bool) {
	samples := []metrics.Sample{
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/gc/pauses:seconds"},
	}
	metrics.Read(samples)
	if samples[0].Value.Kind() != metrics.KindUint64 ||
		samples[1].Value.Kind() != metrics.KindFloat64Histogram {
		return 0, 0, false
	}
	return int64(samples[0].Value.Uint64()), histogramSumS(samples[1].Value.Float64Histogram()) * 1000, true
}

// histogramSumS is the sum of a runtime/metrics histogram's values, in its unit.
func histogramSumS(h *metrics.Float64Histogram) float64 {
	sum := 0.0
	for i, n := range h.Counts {
		if n == 0 {
			continue
		}
		lo, hi := h.Buckets[i], h.Buckets[i+1]
		var v float64
		switch {
		case math.IsInf(lo, -1):
			v = hi
		case math.IsInf(hi, 1):
			v = lo
		default:
			v = (lo + hi) / 2
		}
		sum += float64(n) * v
	}
	return sum
}

// gcFields fills gc_count and gc_time_ms (the protocol's JVM fields, for Go's collector).
func gcFields(r *Result) {
	cycles, pauseMs, ok := gc()
	if !ok {
		return
	}
	r.GcCount = ptr(cycles)
	r.GcTimeMs = ptr(pauseMs)
}
