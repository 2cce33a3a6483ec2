package main

// Producer runs (docs/driver-protocol.md, "Producer runs"): send exactly spec.messages
// records round robin over the partitions (set on each record, ManualPartitioner), wait for
// every acknowledgement, report.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

// produceCounts: what the delivery reports said.
type produceCounts struct {
	mu             sync.Mutex
	acked          int64
	errors         int64
	firstError     error
	bytes          int64
	queueFullWaits int64
	firstSend      time.Time
	lastAck        time.Time
	firstSendUs    *int64
	lastAckUs      *int64
	acks           *hdr.Histogram
}

func (c *produceCounts) fields(r *Result) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r.Messages = c.acked
	r.Bytes = c.bytes
	r.FirstRecordUnixUs = c.firstSendUs
	r.LastRecordUnixUs = c.lastAckUs
	if !c.firstSend.IsZero() && !c.lastAck.IsZero() {
		r.SendS = ptr(c.lastAck.Sub(c.firstSend).Seconds())
	}
	r.AckLatencyHistogram = encodeHistogram(c.acks)
	r.ProduceErrors = ptr(c.errors)
	r.QueueFullWaits = ptr(c.queueFullWaits)
	// Retries: franz-go has no per-record retry count; absent (null).
}

// readPayload reads the length-prefixed bodies of the payload file.
func readPayload(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var bodies [][]byte
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("payload file %s: a length cut short", path)
		}
		n := binary.BigEndian.Uint32(b[:4])
		if uint64(len(b)-4) < uint64(n) {
			return nil, fmt.Errorf("payload file %s: a body cut short", path)
		}
		bodies = append(bodies, b[4:4+n])
		b = b[4+n:]
	}
	if len(bodies) == 0 {
		return nil, fmt.Errorf("payload file %s: %w", path, io.ErrUnexpectedEOF)
	}
	return bodies, nil
}

// value is record i's value: 8 bytes of send time, then body i % bodies.
func value(sendUs int64, body []byte) []byte {
	v := make([]byte, 8+len(body))
	binary.BigEndian.PutUint64(v, uint64(sendUs))
	copy(v[8:], body)
	return v
}

func produce(st *state, deadline time.Time) error {
	spec := st.spec
	if spec.Produce == nil {
		return errors.New(`a "produce" spec needs its "produce" object`)
	}
	if len(spec.Partitions) == 0 {
		return errors.New("a producer run needs at least one partition")
	}
	bodies, err := readPayload(spec.Produce.PayloadFile)
	if err != nil {
		return err
	}
	props, err := propertyOpts(spec.Properties)
	if err != nil {
		return err
	}
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(strings.Split(spec.BootstrapServers, ",")...),
		kgo.WithHooks(st.hooks),
		kgo.DefaultProduceTopic(spec.Topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
	}, props...)
	counts := &produceCounts{acks: newHistogram()}
	st.mu.Lock()
	st.produce = counts
	st.phase = "creating the producer"
	st.mu.Unlock()
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("creating the producer: %w", err)
	}
	st.mu.Lock()
	st.client = cl
	st.config = resolvedConfig(func(name string) any { return cl.OptValue(name) })
	st.mu.Unlock()
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	// Metadata first: ready means the producer can send.
	if err := cl.Ping(ctx); err != nil {
		return fmt.Errorf("fetching metadata: %w", err)
	}
	st.mu.Lock()
	st.readyUs = ptr(unixUs(time.Now()))
	st.phase = "producing"
	st.mu.Unlock()
	emit(map[string]any{"event": "ready"})
	if err := sendAll(ctx, st, cl, counts, bodies); err != nil {
		return err
	}
	st.setPhase("flushing")
	if err := cl.Flush(ctx); err != nil {
		counts.mu.Lock()
		acked := counts.acked
		counts.mu.Unlock()
		return fmt.Errorf("timed out after %g s with %d of %d messages acknowledged", spec.TimeoutS, acked, spec.Messages)
	}
	counts.mu.Lock()
	defer counts.mu.Unlock()
	emit(map[string]any{"event": "progress", "messages": counts.acked})
	if counts.errors > 0 {
		return fmt.Errorf("%d records failed; the first: %v", counts.errors, counts.firstError)
	}
	return nil
}

// sendAll sends every record, paced if the spec asks, counting waits on a full buffer.
func sendAll(ctx context.Context, st *state, cl *kgo.Client, c *produceCounts, bodies [][]byte) error {
	spec := st.spec
	p := spec.Produce
	n := spec.Messages
	var t0 time.Time
	maxBuffered := asInt64(cl.OptValue("MaxBufferedRecords"))
	nextProgress := time.Now().Add(progressInterval)
	for i := int64(0); i < n; i++ {
		if ctx.Err() != nil {
			return fmt.Errorf("timed out after %g s with %d of %d messages sent", spec.TimeoutS, i, n)
		}
		var intended time.Time
		if p.RateMsgsPerS != nil && *p.RateMsgsPerS > 0 {
			if t0.IsZero() {
				t0 = time.Now()
			}
			intended = t0.Add(time.Duration(float64(i) / *p.RateMsgsPerS * float64(time.Second)))
			if d := time.Until(intended); d > 0 {
				time.Sleep(d)
			}
		}
		start := time.Now()
		stamp := start
		if !intended.IsZero() {
			stamp = intended
		}
		if i == 0 {
			c.mu.Lock()
			c.firstSend = start
			c.firstSendUs = ptr(unixUs(start))
			c.mu.Unlock()
		}
		from := start
		if p.LatencyFromIntended && !intended.IsZero() {
			from = intended
		}
		body := bodies[int(i%int64(len(bodies)))]
		rec := &kgo.Record{
			Value:     value(unixUs(stamp), body),
			Partition: spec.Partitions[int(i%int64(len(spec.Partitions)))].Partition,
		}
		warm := i < p.WarmupRecords
		promise := func(r *kgo.Record, err error) { c.ack(r, err, from, warm, int64(len(body))) }
		// A full buffer makes Produce wait: count it (TryProduce would say so only in a
		// promise called later, on another goroutine).
		if maxBuffered > 0 && cl.BufferedProduceRecords() >= maxBuffered {
			c.mu.Lock()
			c.queueFullWaits++
			c.mu.Unlock()
		}
		cl.Produce(ctx, rec, promise)
		if now := time.Now(); now.After(nextProgress) {
			c.mu.Lock()
			acked := c.acked
			c.mu.Unlock()
			emit(map[string]any{"event": "progress", "messages": acked})
			nextProgress = now.Add(progressInterval)
		}
	}
	return nil
}

// ack is one delivery report.
func (c *produceCounts) ack(_ *kgo.Record, err error, from time.Time, warm bool, bodyLen int64) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.errors++
		if c.firstError == nil {
			c.firstError = err
		}
		return
	}
	c.acked++
	c.bytes += 8 + bodyLen
	c.lastAck = now
	c.lastAckUs = ptr(unixUs(now))
	if !warm {
		us := now.Sub(from).Microseconds()
		if us < histLowestUs {
			us = histLowestUs
		} else if us > histHighestUs {
			us = histHighestUs
		}
		_ = c.acks.RecordValue(us)
	}
}

func asInt64(v any) int64 {
	switch t := v.(type) {
	case int:
		return int64(t)
	case int64:
		return t
	}
	return 0
}
