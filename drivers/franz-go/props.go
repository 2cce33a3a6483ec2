package main

// kafkatune hands franz-go its properties already translated (src/clients/properties/
// franz_go.rs): kgo option names, values as Kafka writes them (durations in milliseconds).
// This file turns each into a kgo option. A name it does not know fails the run, naming it.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// option builds one kgo option from its text value.
type option func(value string) (kgo.Opt, error)

func millis(f func(time.Duration) kgo.Opt) option {
	return func(v string) (kgo.Opt, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("takes milliseconds, a whole number >= 0, not %q", v)
		}
		return f(time.Duration(n) * time.Millisecond), nil
	}
}

func int32s(f func(int32) kgo.Opt) option {
	return func(v string) (kgo.Opt, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("takes a whole number, not %q", v)
		}
		return f(int32(n)), nil
	}
}

func ints(f func(int) kgo.Opt) option {
	return func(v string) (kgo.Opt, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("takes a whole number, not %q", v)
		}
		return f(n), nil
	}
}

func text(f func(string) kgo.Opt) option {
	return func(v string) (kgo.Opt, error) { return f(v), nil }
}

// flag: an option that is on when the value is `on` ("true" or "false").
func flag(on string, f func() kgo.Opt) option {
	return func(v string) (kgo.Opt, error) {
		v = strings.ToLower(strings.TrimSpace(v))
		if v != "true" && v != "false" {
			return nil, fmt.Errorf("takes true or false, not %q", v)
		}
		if v == on {
			return f(), nil
		}
		return nil, nil
	}
}

// options are the kgo options this driver can set, by the names kafkatune sends.
var options = map[string]option{
	// Consumer.
	"FetchMaxWait":           millis(func(d time.Duration) kgo.Opt { return kgo.FetchMaxWait(d) }),
	"FetchMinBytes":          int32s(func(n int32) kgo.Opt { return kgo.FetchMinBytes(n) }),
	"FetchMaxBytes":          int32s(func(n int32) kgo.Opt { return kgo.FetchMaxBytes(n) }),
	"FetchMaxPartitionBytes": int32s(func(n int32) kgo.Opt { return kgo.FetchMaxPartitionBytes(n) }),
	"MaxConcurrentFetches":   ints(func(n int) kgo.Opt { return kgo.MaxConcurrentFetches(n) }),
	"FetchIsolationLevel": func(v string) (kgo.Opt, error) {
		switch strings.ToLower(v) {
		case "read_uncommitted":
			return kgo.FetchIsolationLevel(kgo.ReadUncommitted()), nil
		case "read_committed":
			return kgo.FetchIsolationLevel(kgo.ReadCommitted()), nil
		}
		return nil, fmt.Errorf("takes read_uncommitted or read_committed, not %q", v)
	},
	// check.crcs and enable.idempotence, as Kafka says them: false sets the Disable option.
	"FetchCRCValidation":   flag("false", func() kgo.Opt { return kgo.DisableFetchCRCValidation() }),
	"DisableFetchSessions": flag("true", func() kgo.Opt { return kgo.DisableFetchSessions() }),
	"ConsumeResetOffset": func(v string) (kgo.Opt, error) {
		switch strings.ToLower(v) {
		case "earliest":
			return kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), nil
		case "latest":
			return kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()), nil
		}
		return nil, fmt.Errorf("takes earliest or latest, not %q", v)
	},
	"Rack": text(func(s string) kgo.Opt { return kgo.Rack(s) }),
	// Groups.
	"SessionTimeout":     millis(func(d time.Duration) kgo.Opt { return kgo.SessionTimeout(d) }),
	"HeartbeatInterval":  millis(func(d time.Duration) kgo.Opt { return kgo.HeartbeatInterval(d) }),
	"RebalanceTimeout":   millis(func(d time.Duration) kgo.Opt { return kgo.RebalanceTimeout(d) }),
	"AutoCommitInterval": millis(func(d time.Duration) kgo.Opt { return kgo.AutoCommitInterval(d) }),
	"InstanceID":         text(func(s string) kgo.Opt { return kgo.InstanceID(s) }),
	// The group protocol: "consumer" is KIP-848 (ServerSideBalancer with a sticky
	// balancer, which franz-go needs for it), "classic" the default.
	"ServerSideBalancer": func(v string) (kgo.Opt, error) {
		switch strings.ToLower(v) {
		case "classic":
			return nil, nil
		case "consumer":
			return kgo.ServerSideBalancer(), nil
		}
		return nil, fmt.Errorf("takes classic or consumer, not %q", v)
	},
	// Producer.
	"ProducerLinger":        millis(func(d time.Duration) kgo.Opt { return kgo.ProducerLinger(d) }),
	"ProducerBatchMaxBytes": int32s(func(n int32) kgo.Opt { return kgo.ProducerBatchMaxBytes(n) }),
	"MaxBufferedRecords":    ints(func(n int) kgo.Opt { return kgo.MaxBufferedRecords(n) }),
	"MaxBufferedBytes":      ints(func(n int) kgo.Opt { return kgo.MaxBufferedBytes(n) }),
	"RecordDeliveryTimeout": millis(func(d time.Duration) kgo.Opt { return kgo.RecordDeliveryTimeout(d) }),
	"ProduceRequestTimeout": millis(func(d time.Duration) kgo.Opt { return kgo.ProduceRequestTimeout(d) }),
	"RecordRetries":         ints(func(n int) kgo.Opt { return kgo.RecordRetries(n) }),
	"MaxProduceRequestsInflightPerBroker": ints(func(n int) kgo.Opt {
		return kgo.MaxProduceRequestsInflightPerBroker(n)
	}),
	"IdempotentWrite": flag("false", func() kgo.Opt { return kgo.DisableIdempotentWrite() }),
	"RequiredAcks": func(v string) (kgo.Opt, error) {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "all", "-1":
			return kgo.RequiredAcks(kgo.AllISRAcks()), nil
		case "1":
			return kgo.RequiredAcks(kgo.LeaderAck()), nil
		case "0":
			return kgo.RequiredAcks(kgo.NoAck()), nil
		}
		return nil, fmt.Errorf("takes all, -1, 1 or 0, not %q", v)
	},
	"ProducerBatchCompression": func(v string) (kgo.Opt, error) {
		codec, ok := map[string]kgo.CompressionCodec{
			"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(),
			"snappy": kgo.SnappyCompression(), "lz4": kgo.Lz4Compression(),
			"zstd": kgo.ZstdCompression(),
		}[strings.ToLower(v)]
		if !ok {
			return nil, fmt.Errorf("takes none, gzip, snappy, lz4 or zstd, not %q", v)
		}
		return kgo.ProducerBatchCompression(codec), nil
	},
	// Both.
	"ClientID":               text(func(s string) kgo.Opt { return kgo.ClientID(s) }),
	"ConnIdleTimeout":        millis(func(d time.Duration) kgo.Opt { return kgo.ConnIdleTimeout(d) }),
	"MetadataMaxAge":         millis(func(d time.Duration) kgo.Opt { return kgo.MetadataMaxAge(d) }),
	"RequestTimeoutOverhead": millis(func(d time.Duration) kgo.Opt { return kgo.RequestTimeoutOverhead(d) }),
	"DialTimeout":            millis(func(d time.Duration) kgo.Opt { return kgo.DialTimeout(d) }),
	"RetryTimeout":           millis(func(d time.Duration) kgo.Opt { return kgo.RetryTimeout(d) }),
}

// security is what the security settings (SecurityProtocol, SASLMechanism, SASLUser,
// SASLPassword) add up to: one SASL option, TLS refused until the driver reads stores.
type security struct {
	protocol, mechanism, user, password string
}

func (s security) opts() ([]kgo.Opt, error) {
	var out []kgo.Opt
	switch strings.ToUpper(s.protocol) {
	case "", "PLAINTEXT":
		return nil, nil
	case "SASL_PLAINTEXT":
	case "SSL", "SASL_SSL":
		return nil, fmt.Errorf("SecurityProtocol %s: this franz-go driver has no TLS yet (use PLAINTEXT or SASL_PLAINTEXT)", s.protocol)
	default:
		return nil, fmt.Errorf("SecurityProtocol takes PLAINTEXT or SASL_PLAINTEXT, not %q", s.protocol)
	}
	switch strings.ToUpper(s.mechanism) {
	case "PLAIN", "":
		out = append(out, kgo.SASL(plain.Auth{User: s.user, Pass: s.password}.AsMechanism()))
	case "SCRAM-SHA-256":
		out = append(out, kgo.SASL(scram.Auth{User: s.user, Pass: s.password}.AsSha256Mechanism()))
	case "SCRAM-SHA-512":
		out = append(out, kgo.SASL(scram.Auth{User: s.user, Pass: s.password}.AsSha512Mechanism()))
	default:
		return nil, fmt.Errorf("SASLMechanism takes PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, not %q", s.mechanism)
	}
	return out, nil
}

// propertyOpts turns the spec's properties into kgo options, in name order.
func propertyOpts(props map[string]any) ([]kgo.Opt, error) {
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []kgo.Opt
	var sec security
	for _, name := range names {
		value := valueText(props[name])
		switch name {
		case "SecurityProtocol":
			sec.protocol = value
			continue
		case "SASLMechanism":
			sec.mechanism = value
			continue
		case "SASLUser":
			sec.user = value
			continue
		case "SASLPassword":
			sec.password = value
			continue
		}
		build, ok := options[name]
		if !ok {
			return nil, fmt.Errorf("franz-go driver: unknown setting %q (known: %s)", name, known())
		}
		opt, err := build(value)
		if err != nil {
			return nil, fmt.Errorf("franz-go driver: %s %v", name, err)
		}
		if opt != nil {
			out = append(out, opt)
		}
	}
	secOpts, err := sec.opts()
	if err != nil {
		return nil, err
	}
	return append(out, secOpts...), nil
}

func known() string {
	names := make([]string, 0, len(options)+4)
	for name := range options {
		names = append(names, name)
	}
	names = append(names, "SecurityProtocol", "SASLMechanism", "SASLUser", "SASLPassword")
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func valueText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	default:
		return fmt.Sprint(t)
	}
}

// usesServerSideBalancer: KIP-848 needs a sticky or range balancer first in franz-go.
func usesServerSideBalancer(props map[string]any) bool {
	return strings.EqualFold(valueText(props["ServerSideBalancer"]), "consumer")
}

// configNames are the options client_config reports, as the client resolved them
// (Client.OptValue: defaults included).
var configNames = []string{
	"ClientID", "FetchMaxWait", "FetchMinBytes", "FetchMaxBytes", "FetchMaxPartitionBytes",
	"MaxConcurrentFetches", "FetchIsolationLevel", "ConsumeResetOffset", "DisableFetchSessions",
	"SessionTimeout", "HeartbeatInterval", "RebalanceTimeout", "AutoCommitInterval",
	"InstanceID", "ServerSideBalancer", "BlockRebalanceOnPoll", "DisableAutoCommit",
	"ProducerLinger", "ProducerBatchMaxBytes", "MaxBufferedRecords", "MaxBufferedBytes",
	"RecordDeliveryTimeout", "ProduceRequestTimeout", "RecordRetries", "RequiredAcks",
	"ProducerBatchCompression", "DisableIdempotentWrite", "MaxProduceRequestsInflightPerBroker",
	"ConnIdleTimeout", "MetadataMaxAge", "RequestTimeoutOverhead", "DialTimeout", "RetryTimeout",
	"BrokerMaxReadBytes", "BrokerMaxWriteBytes", "RequestRetries",
}

// resolvedConfig is the client's configuration by option name, values as text.
func resolvedConfig(value func(string) any) map[string]string {
	out := map[string]string{}
	for _, name := range configNames {
		out[name] = configText(value(name))
	}
	return out
}

func configText(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case time.Duration:
		return t.String()
	case []any:
		parts := make([]string, len(t))
		for i, p := range t {
			parts[i] = configText(p)
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(t)
	}
}
