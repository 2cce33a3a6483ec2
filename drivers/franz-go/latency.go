package main

// Latency: the 8-byte send time at the head of every value kafkatune produces, and the
// protocol's histogram (1 us .. 1 h, 3 significant digits, V2 compressed, base64).

import (
	"encoding/binary"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

const (
	histLowestUs  = 1
	histHighestUs = 3_600_000_000
	histDigits    = 3
)

func newHistogram() *hdr.Histogram {
	return hdr.New(histLowestUs, histHighestUs, histDigits)
}

// sendUs is the intended send time a value starts with; false for a shorter value.
func sendUs(value []byte) (int64, bool) {
	if len(value) < 8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(value[:8])), true
}

// recordLatency records now - send for a record sent at or after the warm-up's end,
// clamped into the histogram's range.
func recordLatency(h *hdr.Histogram, value []byte, nowUs, warmupEndUs int64) {
	send, ok := sendUs(value)
	if !ok || send < warmupEndUs {
		return
	}
	latency := nowUs - send
	if latency < histLowestUs {
		latency = histLowestUs
	} else if latency > histHighestUs {
		latency = histHighestUs
	}
	_ = h.RecordValue(latency)
}

// encodeHistogram is the protocol's text form; nil for no histogram.
func encodeHistogram(h *hdr.Histogram) *string {
	if h == nil {
		return nil
	}
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil
	}
	s := string(b)
	return &s
}

func unixUs(t time.Time) int64 { return t.UnixMicro() }
