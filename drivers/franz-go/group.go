package main

// Subscribe mode (docs/driver-protocol.md, "Several consumers"): franz-go's group member
// with BlockRebalanceOnPoll, so its callbacks never run while a poll's records are being
// counted. It times the join, counts assignments, starts a partition the group has no
// commit for at its start offset (AdjustFetchOffsetsFn), counts only below each end offset,
// pauses a finished partition, commits where it stands on revocation and when done, and
// follows the start and stop files.

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const fileCheckInterval = 20 * time.Millisecond

type member struct {
	mu         sync.Mutex
	st         *state
	topic      string
	subscribed time.Time
	starts     map[int32]int64
	ends       map[int32]int64
	next       map[int32]int64 // the offset after the last record handed over
	countedTo  map[int32]int64
	held       map[int32]bool

	startFile, stopFile string
	started             bool
	warmupEndUs         *int64
	stopRequested       bool
	nextCheck           time.Time
	wasDone, recheck    bool
}

func newMember(spec *Spec, st *state) *member {
	m := &member{
		st: st, topic: spec.Topic, starts: map[int32]int64{}, ends: map[int32]int64{},
		next: map[int32]int64{}, countedTo: map[int32]int64{}, held: map[int32]bool{},
		startFile: spec.StartFile, stopFile: spec.StopFile, started: spec.StartFile == "",
	}
	for _, p := range spec.Partitions {
		m.starts[p.Partition] = p.StartOffset
		if p.EndOffset != nil {
			m.ends[p.Partition] = *p.EndOffset
		}
	}
	return m
}

func (m *member) opts() []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumeTopics(m.topic),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsAssigned(m.onAssigned),
		kgo.OnPartitionsRevoked(m.onRevoked),
		kgo.OnPartitionsLost(m.onLost),
		kgo.AdjustFetchOffsetsFn(m.adjust),
	}
}

func (m *member) done(p int32) bool {
	end, hasEnd := m.ends[p]
	pos, hasPos := m.next[p]
	return hasEnd && hasPos && pos >= end
}

func (m *member) notDone() []int32 {
	var out []int32
	for p := range m.held {
		if !m.done(p) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (m *member) parts(ps []int32) map[string][]int32 { return map[string][]int32{m.topic: ps} }

// checkFiles follows the start and stop files (at most every 20 ms); true once told to stop.
func (m *member) checkFiles(now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if now.Before(m.nextCheck) {
		return m.stopRequested
	}
	m.nextCheck = now.Add(fileCheckInterval)
	if !m.started && exists(m.startFile) {
		m.warmupEndUs = readWarmupEnd(m.startFile)
		m.started = true
		if nd := m.notDone(); len(nd) > 0 {
			m.st.client.ResumeFetchPartitions(m.parts(nd))
		}
	}
	if m.stopFile != "" && !m.stopRequested && exists(m.stopFile) {
		m.stopRequested = true
	}
	return m.stopRequested
}

func (m *member) isStarted() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.started
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readWarmupEnd is the warm-up's end a live group's start file carries; nil for none.
func readWarmupEnd(path string) *int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// countable keeps the records to count: below their partition's end, not counted before,
// not below the start offset. Pauses the partitions this poll finished.
func (m *member) countable(recs []*kgo.Record) []*kgo.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := recs[:0:0]
	touched := map[int32]bool{}
	for _, r := range recs {
		p := r.Partition
		touched[p] = true
		m.next[p] = r.Offset + 1
		floor, ok := m.countedTo[p]
		if !ok {
			floor = m.starts[p]
		}
		if r.Offset < floor {
			continue
		}
		if end, ok := m.ends[p]; ok && r.Offset >= end {
			continue
		}
		m.countedTo[p] = r.Offset + 1
		out = append(out, r)
	}
	var finished []int32
	for p := range touched {
		if m.done(p) {
			finished = append(finished, p)
		}
	}
	if len(finished) > 0 {
		m.st.client.PauseFetchPartitions(m.parts(finished))
		m.recheck = true
	}
	return out
}

// justFinished: true once when every held partition has reached its end (and commits).
func (m *member) justFinished() bool {
	m.mu.Lock()
	if !m.recheck {
		m.mu.Unlock()
		return false
	}
	m.recheck = false
	now := len(m.held) > 0 && len(m.notDone()) == 0
	fresh := now && !m.wasDone
	m.wasDone = now
	held := m.heldList()
	m.mu.Unlock()
	if fresh {
		m.commit(held)
	}
	return fresh
}

func (m *member) heldList() []int32 {
	out := make([]int32, 0, len(m.held))
	for p := range m.held {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// commit commits (synchronously) the offset after the last record handed over.
func (m *member) commit(ps []int32) {
	m.mu.Lock()
	offsets := map[int32]kgo.EpochOffset{}
	for _, p := range ps {
		if n, ok := m.next[p]; ok {
			offsets[p] = kgo.EpochOffset{Epoch: -1, Offset: n}
		}
	}
	m.mu.Unlock()
	if len(offsets) == 0 || m.st.client == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m.st.client.CommitOffsetsSync(ctx, map[string]map[int32]kgo.EpochOffset{m.topic: offsets},
		func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
			if err == nil {
				err = commitError(resp)
			}
			if err != nil { // the orchestrator sees the counts not add up
				fmt.Fprintf(os.Stderr, "kafkatune-franz-go: commit failed: %v\n", err)
			}
		})
}

// commitError is the first partition error of a commit's response.
func commitError(resp *kmsg.OffsetCommitResponse) error {
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *member) report() {
	held := m.heldList()
	m.st.mu.Lock()
	m.st.assigned = held
	m.st.mu.Unlock()
	emit(map[string]any{"event": "assigned", "partitions": held})
}

func (m *member) onAssigned(_ context.Context, cl *kgo.Client, assigned map[string][]int32) {
	m.mu.Lock()
	m.st.mu.Lock()
	m.st.rebalances++
	if m.st.joinS == nil {
		m.st.joinS = ptr(time.Since(m.subscribed).Seconds())
	}
	var pause []int32
	for _, p := range assigned[m.topic] {
		m.held[p] = true
		if _, ok := m.st.perPartition[p]; !ok {
			m.st.perPartition[p] = 0
		}
		if !m.started || m.done(p) {
			pause = append(pause, p)
		}
	}
	m.st.mu.Unlock()
	if len(pause) > 0 {
		cl.PauseFetchPartitions(m.parts(pause))
	}
	m.wasDone = false
	m.recheck = true
	m.mu.Unlock()
	m.report()
}

func (m *member) onRevoked(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
	gone := revoked[m.topic]
	m.commit(gone)
	m.mu.Lock()
	for _, p := range gone {
		delete(m.held, p)
	}
	m.recheck = true
	m.mu.Unlock()
	m.report()
}

// onLost: another member may own them already, so nothing is committed. The protocol's
// max_poll_exceeded counts these.
func (m *member) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	m.st.mu.Lock()
	m.st.partitionsLost++
	m.st.mu.Unlock()
	m.mu.Lock()
	for _, p := range lost[m.topic] {
		delete(m.held, p)
	}
	m.mu.Unlock()
	m.report()
}

// adjust starts a partition the group has no commit for at the spec's start offset.
func (m *member) adjust(_ context.Context, offsets map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
	for p, o := range offsets[m.topic] {
		if start, ok := m.starts[p]; ok && o.EpochOffset().Offset < 0 {
			offsets[m.topic][p] = kgo.NewOffset().At(start).WithEpoch(-1)
		}
	}
	return offsets, nil
}
