//! Why a producer property matters or not, in Kafka's terms.
//!
//! Sources (Apache Kafka's Java client, `clients/.../producer`): `RecordAccumulator` keeps
//! open batches per partition; `RecordAccumulator.ready` sends a partition's batch when it is
//! full (`batch.size`, or another batch queued behind it) or has waited `linger.ms`;
//! `RecordAccumulator.drain` puts at most one batch per partition into a produce request;
//! `InFlightRequests.canSendMore` allows `max.in.flight.requests.per.connection` unanswered
//! requests per broker; with 1, `KafkaProducer` builds the `Sender` with
//! `guaranteeMessageOrder`, which mutes a partition while its batch is in flight.
//! `MemoryRecordsBuilder` compresses a batch's records as one stream after the batch header.
//! `ProducerConfig`: the `linger.ms` default is 5 since Kafka 4.0 (KIP-1030; 0 before);
//! 4.4.0's defaults are `batch.size=16384`, `acks=all`, `enable.idempotence=true`,
//! `max.in.flight.requests.per.connection=5` (idempotence allows at most 5). On the broker,
//! `Partition.checkEnoughReplicasReachOffset` answers `acks=all` once the high watermark (what
//! every in-sync replica has) passed the batch; `min.insync.replicas` only refuses a write
//! when fewer replicas are in sync (`NOT_ENOUGH_REPLICAS`). A topic's `compression.type`
//! defaults to `producer` (`LogConfig`): the broker keeps the producer's batches as sent.
//! librdkafka (CONFIGURATION.md): `linger.ms` is an alias of `queue.buffering.max.ms`,
//! default 5; `batch.num.messages` 10000; `batch.size` 1000000 bytes;
//! `max.in.flight.requests.per.connection` 1000000, at most 5 with `enable.idempotence`
//! (default false).

/// How `property` (its Kafka name) acts on a producer sweep, given whether it made a
/// measurable difference; `None` for a property without a model here.
pub fn mechanism(property: &str, measurable: bool) -> Option<&'static str> {
    Some(match (property, measurable) {
        ("linger.ms", true) => {
            "A producer batches records per partition (the Java client's `RecordAccumulator`) \
             and sends a batch once it is full (`batch.size`) or has waited `linger.ms`, \
             whichever comes first. So a difference here is batching: a longer linger makes \
             fuller batches, hence fewer produce requests for the same records, less CPU per \
             record and better compression (a codec works on whole batches), for up to \
             `linger.ms` more acknowledgement latency on a record that waits for its batch. \
             The Java client's default became 5 ms in Kafka 4.0 (it was 0); librdkafka's \
             `linger.ms`, an alias of its `queue.buffering.max.ms`, defaults to 5 ms."
        }
        ("linger.ms", false) => {
            "`linger.ms` is how long a partition's batch that is not yet full may wait for \
             more records (the Java client's `RecordAccumulator` sends a batch when it is full \
             or has waited that long). A producer sending as fast as it can fills its batches \
             (to `batch.size`, on librdkafka also `batch.num.messages`), or queues them behind \
             the requests in flight, before the linger runs out, so the wait hardly binds. \
             The Java default is 5 ms since Kafka 4.0 (0 before); librdkafka's `linger.ms` is \
             its `queue.buffering.max.ms`, default 5 ms."
        }
        ("batch.size", true) => {
            "`batch.size` caps the bytes of one partition's batch (Java default 16384; 0 \
             turns batching off), and a full batch is sent at once, whatever `linger.ms` \
             says. Larger batches mean fewer produce requests and better compression, until \
             `linger.ms` or the send rate rather than the cap ends them; the Java client \
             allocates a buffer of `batch.size` for each partition it writes to, out of \
             `buffer.memory`. librdkafka's `batch.size` (default 1000000 bytes) is seldom \
             reached before its `batch.num.messages` (10000 records)."
        }
        ("batch.size", false) => {
            "`batch.size` caps the bytes of one partition's batch (Java default 16384, \
             librdkafka 1000000); here batches ended before reaching the cap, at `linger.ms`, \
             when the connection could take a request, or (librdkafka) at \
             `batch.num.messages`, so it did not bind."
        }
        ("batch.num.messages", true) => {
            "librdkafka's `batch.num.messages` (default 10000) caps the records of one batch; \
             with its `batch.size` (1000000 bytes) it ends a batch before `linger.ms` does, \
             as `batch.size` does in the Java client: larger values mean fewer, larger \
             produce requests and better compression."
        }
        ("batch.num.messages", false) => {
            "librdkafka's `batch.num.messages` (default 10000) caps the records of one batch; \
             here batches ended before reaching it, at `linger.ms` or `batch.size`, so it did \
             not bind."
        }
        ("compression.type", _) => {
            if measurable {
                "The producer compresses each batch whole (a record batch's records are one \
                 compressed block after its header), so a codec gains more on bigger batches \
                 (`linger.ms`, `batch.size`). It costs the producer CPU and saves bytes on \
                 the wire and, while the topic's `compression.type` is `producer` (the \
                 default: the broker keeps batches as sent), on the broker's disk; its CPU \
                 can lower throughput where the network is not the limit, as on a local \
                 broker, and its savings raise it where the network is. zstd usually \
                 compresses most; lz4 and snappy cost the least CPU."
            } else {
                "The producer compresses each batch whole (a record batch's records are one \
                 compressed block), so a codec gains more on bigger batches; here it did not \
                 move throughput beyond the noise, so its cost and its savings are in CPU and \
                 bytes on the wire: see the trade-off of bytes against CPU."
            }
        }
        ("acks", _) => {
            if measurable {
                "With `acks=all` the partition leader answers once every replica in the \
                 in-sync set has the batch (the high watermark passed it); \
                 `min.insync.replicas` is only the smallest in-sync set the leader accepts a \
                 write with, not the number it waits for. `acks=1` answers after the \
                 leader's own write; with `acks=0` a record counts as sent once written to the \
                 socket, without an answer or retries. So a difference here is the wait for \
                 the followers, or the answer itself; the Java client's idempotence (on by \
                 default) needs `acks=all`."
            } else {
                "With `acks=all` the partition leader answers once every replica in the \
                 in-sync set has the batch (`min.insync.replicas` is only the smallest set it \
                 accepts a write with); `acks=1` after its own write. On a one-broker \
                 cluster, as kafkatune's embedded one is by default, the in-sync set is the \
                 leader alone, so `acks=all` waits for no follower and costs no more than \
                 `acks=1`; with followers, their fetches set the wait."
            }
        }
        ("max.in.flight.requests.per.connection", _) => {
            if measurable {
                "A producer keeps at most this many produce requests unanswered on one \
                 broker connection, each carrying at most one batch per partition; with 1, a \
                 partition's next batch waits for the answer to the previous one (the Java \
                 `Sender` mutes the partition), so every batch costs a round trip. \
                 Idempotence, the Java default, allows at most 5 and keeps the order across \
                 retries; the Java default is 5, librdkafka's 1000000 (5 with \
                 `enable.idempotence`)."
            } else {
                "A producer keeps at most this many produce requests unanswered on one \
                 broker connection (each carrying at most one batch per partition); here the \
                 answers came back before the limit was reached, so it did not bind. The \
                 Java default is 5, the most idempotence allows; librdkafka's 1000000."
            }
        }
        ("enable.idempotence", _) => {
            if measurable {
                "With idempotence the broker keeps each producer's sequence numbers per \
                 partition and drops a retried batch it already has; it brings `acks=all` and \
                 at most 5 requests in flight with it, which is the likely cause of a \
                 difference (Java default on, librdkafka's off)."
            } else {
                "With idempotence the broker keeps each producer's sequence numbers per \
                 partition and drops a retried batch it already has; it needs `acks=all` and \
                 at most 5 requests in flight, and, as measured here, costs little else \
                 (Java default on, librdkafka's off)."
            }
        }
        _ => return None,
    })
}
