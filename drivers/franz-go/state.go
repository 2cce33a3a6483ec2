package main

// What a run has measured so far, and the result document built from it (the main path's
// or, on a stuck run, the watchdog's).

import (
	"sort"
	"strconv"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

type state struct {
	mu    sync.Mutex
	spec  *Spec
	phase string

	client   *kgo.Client
	hooks    *hooks
	group    *member
	messages int64
	bytes    int64

	polls, emptyPolls, recordsPerPollMax int64
	perPartition                         map[int32]int64
	assigned                             []int32
	joinS                                *float64
	rebalances, partitionsLost           int64
	lagMax                               *int64
	processing                           *processing
	processingTime                       time.Duration
	intervals                            pollIntervals
	readyUs, firstUs, lastUs             *int64
	firstAt, lastAt                      time.Time
	histogram                            *hdr.Histogram
	config                               map[string]string
	produce                              *produceCounts
}

func newState(spec *Spec) *state {
	return &state{spec: spec, phase: "starting", perPartition: map[int32]int64{}, hooks: &hooks{}}
}

func (s *state) setPhase(p string) {
	s.mu.Lock()
	s.phase = p
	s.mu.Unlock()
}

func (s *state) phaseNow() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.phase
}

func (s *state) messagesNow() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messages
}

func (s *state) close() {
	if s.client != nil {
		s.client.Close()
	}
}

// result is the document for this state (docs/driver-protocol.md, "Result").
func (s *state) result(status, errText string) *Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &Result{
		ProtocolVersion:    protocolVersion,
		Status:             status,
		Client:             clientName,
		ClientVersion:      franzGoVersion(),
		Messages:           s.messages,
		Bytes:              s.bytes,
		ReadyUnixUs:        s.readyUs,
		FirstRecordUnixUs:  s.firstUs,
		LastRecordUnixUs:   s.lastUs,
		Polls:              s.polls,
		EmptyPolls:         s.emptyPolls,
		RecordsPerPollMax:  s.recordsPerPollMax,
		PerPartition:       map[string]int64{},
		AssignedPartitions: append([]int32{}, s.assigned...),
		JoinS:              s.joinS,
		Rebalances:         s.rebalances,
		PollIntervalAvgMs:  s.intervals.avgMs(),
		PollIntervalMaxMs:  s.intervals.maxMs(),
		LatencyHistogram:   encodeHistogram(s.histogram),
		ClientMetrics:      map[string]float64{},
		PollAPI:            "PollRecords(ctx, max_poll_records)",
		ClientConfig:       s.config,
	}
	if s.spec.Client != "" {
		r.Client = s.spec.Client
	}
	if errText != "" {
		r.Error = &errText
	}
	sort.Slice(r.AssignedPartitions, func(i, j int) bool { return r.AssignedPartitions[i] < r.AssignedPartitions[j] })
	for p, n := range s.perPartition {
		r.PerPartition[strconv.Itoa(int(p))] = n
	}
	if !s.firstAt.IsZero() && !s.lastAt.IsZero() {
		r.ConsumeS = ptr(s.lastAt.Sub(s.firstAt).Seconds())
	}
	if s.processing != nil {
		r.ProcessingS = ptr(s.processingTime.Seconds())
	}
	if s.spec.Assignment == "subscribe" {
		r.MaxPollExceeded = ptr(s.partitionsLost)
	}
	if s.lagMax != nil {
		r.RecordsLagMax = ptr(float64(*s.lagMax))
	}
	gcFields(r)
	if s.spec.Mode == "produce" {
		r.PollAPI = "Produce(ctx, record, promise)"
		s.produce.fields(r)
		s.hooks.producerFields(r, r.Messages) // the acknowledged records
	} else {
		s.hooks.consumerFields(r)
	}
	return r
}
