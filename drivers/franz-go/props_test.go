package main

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// optValues builds a client (no connection until used) from the options and reads them back.
func optValues(t *testing.T, props map[string]any) *kgo.Client {
	t.Helper()
	opts, err := propertyOpts(props)
	if err != nil {
		t.Fatalf("propertyOpts(%v): %v", props, err)
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers("127.0.0.1:1")}, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func TestMillisecondsBecomeDurations(t *testing.T) {
	cl := optValues(t, map[string]any{"FetchMaxWait": "500", "ProducerLinger": "0", "SessionTimeout": "10000"})
	if got := cl.OptValue(kgo.FetchMaxWait); got != 500*time.Millisecond {
		t.Errorf("FetchMaxWait = %v, want 500ms", got)
	}
	if got := cl.OptValue(kgo.ProducerLinger); got != time.Duration(0) {
		t.Errorf("ProducerLinger = %v, want 0", got)
	}
	if got := cl.OptValue(kgo.SessionTimeout); got != 10*time.Second {
		t.Errorf("SessionTimeout = %v, want 10s", got)
	}
}

func TestFranzGoDefaultsAreWhatTheDocsSay(t *testing.T) {
	cl := optValues(t, nil)
	cfg := resolvedConfig(func(name string) any { return cl.OptValue(name) })
	for name, want := range map[string]string{
		"FetchMaxWait":           "5s",
		"FetchMinBytes":          "1",
		"FetchMaxBytes":          "52428800",
		"FetchMaxPartitionBytes": "1048576",
		"ProducerLinger":         "10ms",
		"ProducerBatchMaxBytes":  "1000012",
		"MaxBufferedRecords":     "50000",
	} {
		if cfg[name] != want {
			t.Errorf("%s = %q, want %q", name, cfg[name], want)
		}
	}
}

func TestBytesAcksCompressionAndFlags(t *testing.T) {
	cl := optValues(t, map[string]any{
		"FetchMinBytes": "1024", "ProducerBatchMaxBytes": "65536", "RequiredAcks": "1",
		"ProducerBatchCompression": "zstd", "IdempotentWrite": "false",
		"MaxProduceRequestsInflightPerBroker": "5",
	})
	if got := cl.OptValue(kgo.FetchMinBytes); got != int32(1024) {
		t.Errorf("FetchMinBytes = %v", got)
	}
	if got := cl.OptValue(kgo.ProducerBatchMaxBytes); got != int32(65536) {
		t.Errorf("ProducerBatchMaxBytes = %v", got)
	}
	if got := cl.OptValue(kgo.RequiredAcks); got != kgo.LeaderAck() {
		t.Errorf("RequiredAcks = %v", got)
	}
	if got := cl.OptValue(kgo.DisableIdempotentWrite); got != true {
		t.Errorf("enable.idempotence=false should disable idempotent writes, got %v", got)
	}
}

func TestIdempotenceOnLeavesTheDefault(t *testing.T) {
	cl := optValues(t, map[string]any{"IdempotentWrite": "true"})
	if got := cl.OptValue(kgo.DisableIdempotentWrite); got != false {
		t.Errorf("enable.idempotence=true keeps idempotent writes, got %v", got)
	}
}

func TestGroupProtocolConsumerIsServerSideBalancer(t *testing.T) {
	cl := optValues(t, map[string]any{"ServerSideBalancer": "consumer"})
	if got := cl.OptValue(kgo.ServerSideBalancer); got != true {
		t.Errorf("ServerSideBalancer = %v", got)
	}
	cl = optValues(t, map[string]any{"ServerSideBalancer": "classic"})
	if got := cl.OptValue(kgo.ServerSideBalancer); got != false {
		t.Errorf("classic: ServerSideBalancer = %v", got)
	}
}

func TestBadValuesAndUnknownNamesSayWhat(t *testing.T) {
	for props, want := range map[string]map[string]any{
		"FetchMaxWait takes milliseconds":     {"FetchMaxWait": "5s"},
		"RequiredAcks takes all, -1, 1 or 0":  {"RequiredAcks": "2"},
		`unknown setting "fetch.max.wait.ms"`: {"fetch.max.wait.ms": "500"},
		"no TLS yet":                          {"SecurityProtocol": "SSL"},
		"SASLMechanism takes PLAIN":           {"SecurityProtocol": "SASL_PLAINTEXT", "SASLMechanism": "GSSAPI"},
	} {
		_, err := propertyOpts(want)
		if err == nil || !strings.Contains(err.Error(), props) {
			t.Errorf("%v: got %v, want an error containing %q", want, err, props)
		}
	}
}

func TestSASLBuildsOneOption(t *testing.T) {
	opts, err := propertyOpts(map[string]any{
		"SecurityProtocol": "SASL_PLAINTEXT", "SASLMechanism": "SCRAM-SHA-512",
		"SASLUser": "alice", "SASLPassword": "s3cret",
	})
	if err != nil || len(opts) != 1 {
		t.Fatalf("got %d options, %v", len(opts), err)
	}
}
