package main

// The driver protocol's spec (input) and result (output): docs/driver-protocol.md.

// protocolVersion is the version of docs/driver-protocol.md this driver speaks.
const protocolVersion = 1

// Partition is one partition to read (or write) and where to start.
type Partition struct {
	Partition   int32  `json:"partition"`
	StartOffset int64  `json:"start_offset"`
	EndOffset   *int64 `json:"end_offset"`
}

// Live is a live run's warm-up end.
type Live struct {
	WarmupEndUnixUs int64 `json:"warmup_end_unix_us"`
}

// ProcessingSpec is the work done between polls.
type ProcessingSpec struct {
	Per        string `json:"per"`
	DurationUs int64  `json:"duration_us"`
	Work       string `json:"work"`
}

// ProduceSpec is a producer run's payload and rate.
type ProduceSpec struct {
	PayloadFile         string   `json:"payload_file"`
	RateMsgsPerS        *float64 `json:"rate_msgs_per_s"`
	WarmupRecords       int64    `json:"warmup_records"`
	LatencyFromIntended bool     `json:"latency_from_intended"`
}

// Spec is one run's trial description.
type Spec struct {
	ProtocolVersion  int             `json:"protocol_version"`
	RunID            string          `json:"run_id"`
	Client           string          `json:"client"`
	BootstrapServers string          `json:"bootstrap_servers"`
	Topic            string          `json:"topic"`
	Assignment       string          `json:"assignment"`
	GroupID          string          `json:"group_id"`
	Partitions       []Partition     `json:"partitions"`
	Messages         int64           `json:"messages"`
	Mode             string          `json:"mode"`
	MaxPollRecords   int             `json:"max_poll_records"`
	PollTimeoutMs    int64           `json:"poll_timeout_ms"`
	Properties       map[string]any  `json:"properties"`
	TimeoutS         float64         `json:"timeout_s"`
	Live             *Live           `json:"live"`
	StartFile        string          `json:"start_file"`
	StopFile         string          `json:"stop_file"`
	Processing       *ProcessingSpec `json:"processing"`
	Produce          *ProduceSpec    `json:"produce"`
	Share            map[string]any  `json:"share"`
}

// Result is the one document a run writes. Pointers are null where franz-go has no figure
// (never 0).
type Result struct {
	ProtocolVersion    int                `json:"protocol_version"`
	Status             string             `json:"status"`
	Error              *string            `json:"error"`
	Client             string             `json:"client"`
	ClientVersion      string             `json:"client_version"`
	Messages           int64              `json:"messages"`
	Bytes              int64              `json:"bytes"`
	ReadyUnixUs        *int64             `json:"ready_unix_us"`
	FirstRecordUnixUs  *int64             `json:"first_record_unix_us"`
	LastRecordUnixUs   *int64             `json:"last_record_unix_us"`
	ConsumeS           *float64           `json:"consume_s"`
	Polls              int64              `json:"polls"`
	EmptyPolls         int64              `json:"empty_polls"`
	RecordsPerPollMax  int64              `json:"records_per_poll_max"`
	PerPartition       map[string]int64   `json:"per_partition"`
	AssignedPartitions []int32            `json:"assigned_partitions"`
	JoinS              *float64           `json:"join_s"`
	Rebalances         int64              `json:"rebalances"`
	FetchRequests      *float64           `json:"fetch_requests"`
	FetchLatencyAvgMs  *float64           `json:"fetch_latency_avg_ms"`
	FetchLatencyMaxMs  *float64           `json:"fetch_latency_max_ms"`
	FetchBytesAvg      *float64           `json:"fetch_bytes_avg"`
	RecordsLagMax      *float64           `json:"records_lag_max"`
	GcCount            *int64             `json:"gc_count"`
	GcTimeMs           *float64           `json:"gc_time_ms"`
	LatencyHistogram   *string            `json:"latency_histogram"`
	ProcessingS        *float64           `json:"processing_s"`
	PollIntervalAvgMs  *float64           `json:"poll_interval_avg_ms"`
	PollIntervalMaxMs  *float64           `json:"poll_interval_max_ms"`
	MaxPollExceeded    *int64             `json:"max_poll_exceeded"`
	ClientMetrics      map[string]float64 `json:"client_metrics"`
	PollAPI            string             `json:"poll_api"`
	ClientConfig       map[string]string  `json:"client_config"`

	// Producer runs only (omitted in consumer runs).
	SendS                *float64 `json:"send_s,omitempty"`
	AckLatencyHistogram  *string  `json:"ack_latency_histogram,omitempty"`
	ProduceErrors        *int64   `json:"produce_errors,omitempty"`
	Retries              *int64   `json:"retries,omitempty"`
	ProduceRequests      *float64 `json:"produce_requests,omitempty"`
	RecordsPerRequestAvg *float64 `json:"records_per_request_avg,omitempty"`
	BatchSizeAvgBytes    *float64 `json:"batch_size_avg_bytes,omitempty"`
	CompressionRatio     *float64 `json:"compression_ratio,omitempty"`
	BytesOnWire          *int64   `json:"bytes_on_wire,omitempty"`
	QueueFullWaits       *int64   `json:"queue_full_waits,omitempty"`
}

func ptr[T any](v T) *T { return &v }
