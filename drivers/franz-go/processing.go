package main

// Processing between polls (docs/driver-protocol.md, "Processing").

import (
	"fmt"
	"time"
)

// processing is the spec's work: per record or per poll, busy or asleep.
type processing struct {
	perRecord bool
	duration  time.Duration
	busy      bool
}

func newProcessing(p *ProcessingSpec) (*processing, error) {
	if p == nil {
		return nil, nil
	}
	if p.Per != "record" && p.Per != "poll" {
		return nil, fmt.Errorf(`processing.per must be "record" or "poll", got %q`, p.Per)
	}
	work := p.Work
	if work == "" {
		work = "busy"
	}
	if work != "busy" && work != "sleep" {
		return nil, fmt.Errorf(`processing.work must be "busy" or "sleep", got %q`, p.Work)
	}
	if p.DurationUs < 0 {
		return nil, fmt.Errorf("processing.duration_us must be a whole number >= 0")
	}
	return &processing{p.Per == "record", time.Duration(p.DurationUs) * time.Microsecond, work == "busy"}, nil
}

// workFor is the work of one poll that handed over `records` counted records.
func (p *processing) workFor(records int) time.Duration {
	if records <= 0 {
		return 0
	}
	if p.perRecord {
		return p.duration * time.Duration(records)
	}
	return p.duration
}

// apply does one poll's work on this goroutine and returns how long it took.
func (p *processing) apply(records int) time.Duration {
	work := p.workFor(records)
	start := time.Now()
	if work <= 0 {
		return 0
	}
	end := start.Add(work)
	if p.busy {
		for time.Now().Before(end) {
		}
	} else {
		for left := work; left > 0; left = time.Until(end) {
			time.Sleep(left)
		}
	}
	return time.Since(start)
}

// pollIntervals: time between the starts of successive counted polls.
type pollIntervals struct {
	last    time.Time
	count   int64
	total   time.Duration
	longest time.Duration
}

func (p *pollIntervals) pollStarts(now time.Time) {
	if !p.last.IsZero() {
		gap := now.Sub(p.last)
		p.count++
		p.total += gap
		if gap > p.longest {
			p.longest = gap
		}
	}
	p.last = now
}

func (p *pollIntervals) avgMs() *float64 {
	if p.count == 0 {
		return nil
	}
	return ptr(ms(p.total) / float64(p.count))
}

func (p *pollIntervals) maxMs() *float64 {
	if p.count == 0 {
		return nil
	}
	return ptr(ms(p.longest))
}
