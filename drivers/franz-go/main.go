// kafkatune-franz-go: kafkatune's franz-go client driver (docs/driver-protocol.md, version 1).
//
//	kafkatune-franz-go SPEC_PATH RESULT_PATH
//
// It reads one trial spec, consumes exactly spec.messages records with PollRecords (franz-go's
// poll), or produces them (mode "produce"), and writes one result document.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

const clientName = "franz-go"

var started = time.Now()

// writer writes the result once: the main path or the watchdog, whichever comes first.
type writer struct {
	once sync.Once
	path string
}

func (w *writer) write(r *Result) (err error) {
	wrote := false
	w.once.Do(func() {
		wrote = true
		var b []byte
		b, err = json.Marshal(r)
		if err != nil {
			return
		}
		tmp := w.path + ".tmp"
		if err = os.WriteFile(tmp, b, 0o644); err != nil {
			return
		}
		err = os.Rename(tmp, w.path)
	})
	if !wrote && err == nil {
		return errAlreadyWritten
	}
	return err
}

var errAlreadyWritten = fmt.Errorf("the result was written already")

// emit writes one progress line on stdout.
var emitMu sync.Mutex

func emit(event map[string]any) {
	b, err := json.Marshal(event)
	if err != nil {
		return
	}
	emitMu.Lock()
	defer emitMu.Unlock()
	os.Stdout.Write(append(b, '\n'))
}

// franzGoVersion is the franz-go module this binary was built with (v1.22.3).
func franzGoVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, dep := range info.Deps {
		if dep.Path == "github.com/twmb/franz-go" {
			return strings.TrimPrefix(dep.Version, "v")
		}
	}
	return ""
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: kafkatune-franz-go SPEC_PATH RESULT_PATH")
		os.Exit(2)
	}
	w := &writer{path: os.Args[2]}
	st := newState(&Spec{})
	status, errText := run(os.Args[1], st, w)
	if errText != "" {
		fmt.Fprintf(os.Stderr, "kafkatune-franz-go: run failed: %s\n", errText)
	}
	if err := w.write(st.result(status, errText)); err != nil && err != errAlreadyWritten {
		fmt.Fprintf(os.Stderr, "kafkatune-franz-go: could not write the result: %v\n", err)
		os.Exit(1)
	}
	st.close()
	os.Exit(0)
}

// run reads the spec and runs it; returns the status and a one-line error.
func run(specPath string, st *state, w *writer) (string, string) {
	st.setPhase("reading the spec")
	b, err := os.ReadFile(specPath)
	if err != nil {
		return "failed", oneLine(err) + " while reading the spec"
	}
	var spec Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		return "failed", oneLine(err) + " while reading the spec"
	}
	st.spec = &spec
	deadline := started.Add(time.Duration(spec.TimeoutS * float64(time.Second)))
	go watchdog(st, w, deadline)
	var runErr error
	if spec.Mode == "produce" {
		runErr = produce(st, deadline)
	} else {
		runErr = consume(st, deadline)
	}
	if runErr != nil {
		return "failed", oneLine(runErr)
	}
	return "ok", ""
}

// watchdog writes a failed result and exits if the run is still going 2 s past its
// deadline (a call that did not honour its context).
func watchdog(st *state, w *writer, deadline time.Time) {
	time.Sleep(time.Until(deadline) + 2*time.Second)
	msg := fmt.Sprintf("timed out after %g s with %d of %d messages while %s",
		st.spec.TimeoutS, st.messagesNow(), st.spec.Messages, st.phaseNow())
	if err := w.write(st.result("failed", msg)); err == nil {
		fmt.Fprintf(os.Stderr, "kafkatune-franz-go: %s\n", msg)
		os.Exit(0)
	}
}
