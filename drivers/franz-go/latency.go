package main

// Latency: the 8-byte send time at the head of every value kafkatune produces, and the
// protocol's histogram (1 us .. 1 h, 3 significant digits, V2 compressed, base64).

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
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
	fixed, err := zeroNormalizingOffset(b)
	if err != nil {
		return nil
	}
	return &fixed
}

// zeroNormalizingOffset rewrites hdrhistogram-go's encoding with the normalizing index
// offset 0: v1.1.2 writes 1 there (a constant; its counts are not shifted), which Java's
// and Rust's readers take as a shifted array (Rust's refuses it: UnsupportedFeature).
func zeroNormalizingOffset(encoded []byte) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(string(encoded))
	if err != nil || len(raw) < 8 {
		return "", fmt.Errorf("not an encoded histogram")
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw[8:]))
	if err != nil {
		return "", err
	}
	payload, err := io.ReadAll(zr)
	if err != nil || len(payload) < 40 {
		return "", fmt.Errorf("a histogram payload cut short")
	}
	binary.BigEndian.PutUint32(payload[8:12], 0)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if _, err := zw.Write(payload); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	out := make([]byte, 8, 8+z.Len())
	copy(out[:4], raw[:4])
	binary.BigEndian.PutUint32(out[4:8], uint32(z.Len()))
	out = append(out, z.Bytes()...)
	return base64.StdEncoding.EncodeToString(out), nil
}

func unixUs(t time.Time) int64 { return t.UnixMicro() }
