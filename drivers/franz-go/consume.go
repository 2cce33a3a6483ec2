package main

// Consumer runs (drain and live, assigned or in a group): PollRecords until exactly
// spec.messages records are counted.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	progressInterval      = 500 * time.Millisecond
	groupProgressInterval = 200 * time.Millisecond
)

// consumerOpts: the driver's own settings, then the spec's properties on top.
func consumerOpts(spec *Spec, st *state, m *member) ([]kgo.Opt, error) {
	props, err := propertyOpts(spec.Properties)
	if err != nil {
		return nil, err
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(strings.Split(spec.BootstrapServers, ",")...),
		kgo.WithHooks(st.hooks),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	}
	if m != nil {
		opts = append(opts, kgo.ConsumerGroup(spec.GroupID))
		opts = append(opts, m.opts()...)
	} else {
		parts := map[int32]kgo.Offset{}
		for _, p := range spec.Partitions {
			parts[p.Partition] = kgo.NewOffset().At(p.StartOffset)
		}
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{spec.Topic: parts}))
	}
	return append(opts, props...), nil
}

func consume(st *state, deadline time.Time) error {
	spec := st.spec
	if spec.Share != nil {
		return errors.New("the franz-go driver has no share group member (kafkatune refuses share groups for franz-go)")
	}
	proc, err := newProcessing(spec.Processing)
	if err != nil {
		return err
	}
	st.processing = proc
	if spec.Mode == "live" {
		st.histogram = newHistogram()
	}
	var m *member
	if spec.Assignment == "subscribe" {
		m = newMember(spec, st)
		st.group = m
	}
	opts, err := consumerOpts(spec, st, m)
	if err != nil {
		return err
	}
	st.setPhase("creating the consumer")
	if m != nil {
		m.subscribed = time.Now()
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("creating the consumer: %w", err)
	}
	st.mu.Lock()
	st.client = cl
	st.config = resolvedConfig(func(name string) any { return cl.OptValue(name) })
	if m == nil {
		for _, p := range spec.Partitions {
			st.assigned = append(st.assigned, p.Partition)
			st.perPartition[p.Partition] = 0
		}
	}
	st.readyUs = ptr(unixUs(time.Now()))
	st.phase = "consuming"
	st.mu.Unlock()
	emit(map[string]any{"event": "ready"})
	runErr := pollLoop(st, cl, m, deadline)
	if m != nil {
		m.commit(m.heldList())
	}
	emit(map[string]any{"event": "progress", "messages": st.messagesNow()})
	return runErr
}

// pollLoop: one PollRecords per turn, counted as the protocol says.
func pollLoop(st *state, cl *kgo.Client, m *member, deadline time.Time) error {
	spec := st.spec
	target := spec.Messages
	batch := spec.MaxPollRecords
	pollTimeout := time.Duration(spec.PollTimeoutMs) * time.Millisecond
	var warmupEndUs int64
	if spec.Mode == "live" && spec.Live != nil {
		warmupEndUs = spec.Live.WarmupEndUnixUs
	}
	interval := progressInterval
	if m != nil {
		interval = groupProgressInterval
	}
	nextProgress := time.Now().Add(interval)
	var emitted int64
	report := func(at time.Time) {
		n := st.messagesNow()
		emit(map[string]any{"event": "progress", "messages": n})
		emitted = n
		nextProgress = at.Add(interval)
	}
	remaining := target
	for remaining > 0 {
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("timed out after %g s with %d of %d messages", spec.TimeoutS, target-remaining, target)
		}
		if m != nil && m.checkFiles(time.Now()) {
			return nil
		}
		pollStart := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), min(pollTimeout, left))
		fetches := cl.PollRecords(ctx, batch)
		cancel()
		if err := fetchError(fetches); err != nil {
			cl.AllowRebalance()
			return err
		}
		if m != nil && !m.isStarted() {
			cl.AllowRebalance()
			continue // joining: partitions held paused, polls not counted yet
		}
		if m != nil && m.warmupEndUs != nil && spec.Mode == "live" {
			warmupEndUs = *m.warmupEndUs
		}
		now := time.Now()
		recs := fetches.Records()
		counted := recs
		if int64(len(counted)) > remaining {
			counted = counted[:remaining]
		}
		if m != nil {
			counted = m.countable(counted)
		}
		st.mu.Lock()
		st.polls++
		st.intervals.pollStarts(pollStart)
		if n := int64(len(recs)); n > st.recordsPerPollMax {
			st.recordsPerPollMax = n
		}
		lag(st, fetches)
		if len(counted) == 0 {
			if len(recs) == 0 {
				st.emptyPolls++
			}
			st.mu.Unlock()
			cl.AllowRebalance()
			if m != nil && (m.justFinished() || (st.messagesNow() != emitted && time.Now().After(nextProgress))) {
				report(time.Now())
			}
			continue
		}
		nowUs := unixUs(now)
		for _, r := range counted {
			st.perPartition[r.Partition]++
			st.bytes += int64(len(r.Value))
			if st.histogram != nil {
				recordLatency(st.histogram, r.Value, nowUs, warmupEndUs)
			}
		}
		remaining -= int64(len(counted))
		st.messages = target - remaining
		if st.firstAt.IsZero() {
			st.firstAt = now
			st.firstUs = ptr(nowUs)
		}
		st.mu.Unlock()
		if st.processing != nil {
			spent := st.processing.apply(len(counted))
			now = time.Now()
			st.mu.Lock()
			st.processingTime += spent
			st.mu.Unlock()
		}
		st.mu.Lock()
		st.lastAt = now
		st.lastUs = ptr(unixUs(now))
		st.mu.Unlock()
		cl.AllowRebalance()
		if m != nil && m.justFinished() {
			report(now)
		} else if now.After(nextProgress) {
			report(now)
		}
	}
	return nil
}

// lag keeps the largest high watermark less position seen in a poll (records_lag_max):
// the partition's end against the offset after the last record handed over.
func lag(st *state, fetches kgo.Fetches) {
	fetches.EachPartition(func(p kgo.FetchTopicPartition) {
		if len(p.Records) == 0 || p.HighWatermark < 0 {
			return
		}
		l := p.HighWatermark - (p.Records[len(p.Records)-1].Offset + 1)
		if l < 0 {
			l = 0
		}
		if st.lagMax == nil || l > *st.lagMax {
			st.lagMax = ptr(l)
		}
	})
}

// fetchError is a poll's error that ends the run: not the poll's own timeout, not one
// franz-go retries itself (those are logged).
func fetchError(fetches kgo.Fetches) error {
	var fatal error
	fetches.EachError(func(topic string, partition int32, err error) {
		switch {
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		case errors.Is(err, kgo.ErrClientClosed):
			fatal = err
		case kerr.IsRetriable(err):
			fmt.Fprintf(os.Stderr, "kafkatune-franz-go: %s[%d]: %v (retrying)\n", topic, partition, err)
		default:
			var ke *kerr.Error
			if errors.As(err, &ke) {
				fatal = fmt.Errorf("fetching %s[%d]: %w", topic, partition, err)
				return
			}
			fmt.Fprintf(os.Stderr, "kafkatune-franz-go: %s[%d]: %v\n", topic, partition, err)
		}
	})
	return fatal
}
