//! The control plane on the cluster under test: two topics per fleet, a producer to send on
//! them and a reader of one partition from a given offset. Nothing but the Kafka API: the
//! control topic is compacted (the latest announcement of each worker, the latest signal of
//! each consumer stay), the results topic keeps a day.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Message as _, Offset, TopicPartitionList};

use super::messages::{self, Envelope, Message, Unreadable};
use crate::broker::admin::{client_config, ClientProps};
use crate::error;

/// The fleet's two topics (one partition each: their messages keep their order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    pub control: String,
    pub results: String,
}

/// The topics of fleet `fleet` (`--fleet`, `default` unless given).
pub fn topics(fleet: &str) -> Topics {
    Topics {
        control: format!("kafkatune-control-{fleet}"),
        results: format!("kafkatune-results-{fleet}"),
    }
}

/// The coordinator creates the fleet's topics (a topic that exists is kept as it is).
pub fn create_topics(
    bootstrap: &str,
    props: &ClientProps,
    topics: &Topics,
    timeout: Duration,
) -> Result<()> {
    let admin: AdminClient<DefaultClientContext> = client_config(bootstrap, props)
        .create()
        .context("creating an admin client")?;
    let control = NewTopic::new(&topics.control, 1, TopicReplication::Fixed(-1))
        .set("cleanup.policy", "compact")
        // Compaction leaves recent messages alone: a worker reads its assignment before then.
        .set("min.compaction.lag.ms", "3600000");
    let results = NewTopic::new(&topics.results, 1, TopicReplication::Fixed(-1))
        .set("retention.ms", "86400000");
    let opts = AdminOptions::new()
        .operation_timeout(Some(timeout))
        .request_timeout(Some(timeout));
    let created = futures_executor::block_on(admin.create_topics([&control, &results], &opts))
        .map_err(|e| error::env(format!("creating the workers' topics failed: {e}")))?;
    for r in created {
        match r {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => {
                return Err(error::env(format!(
                    "creating the workers' topic {topic} failed: {code}"
                )))
            }
        }
    }
    Ok(())
}

/// Whether `topic` exists (a worker waits for the coordinator to create it).
pub fn topic_exists(bootstrap: &str, props: &ClientProps, topic: &str) -> Result<bool> {
    let consumer: BaseConsumer = client_config(bootstrap, props).create()?;
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(5))
        .map_err(|e| error::env(format!("the cluster at {bootstrap} did not answer: {e}")))?;
    Ok(metadata
        .topics()
        .iter()
        .any(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty()))
}

/// Sends messages on the fleet's topics as one sender (a worker's name, or `coordinator`).
pub struct Bus {
    producer: ThreadedProducer<DefaultProducerContext>,
    sender: String,
    /// The control protocol version it sends (another only in tests).
    pub version: u32,
}

impl Bus {
    pub fn new(bootstrap: &str, props: &ClientProps, sender: &str) -> Result<Bus> {
        let producer = client_config(bootstrap, props)
            .set("linger.ms", "0")
            .set("acks", "all")
            .create()
            .context("creating the control plane's producer")?;
        Ok(Bus {
            producer,
            sender: sender.to_string(),
            version: messages::CONTROL_VERSION,
        })
    }

    pub fn sender(&self) -> &str {
        &self.sender
    }

    /// Sends `message` on `topic` (without waiting for the broker's acknowledgement).
    pub fn send(&self, topic: &str, message: Message) -> Result<()> {
        self.send_as(
            topic,
            messages::envelope_of(self.version, &self.sender, message),
        )
    }

    /// Sends an envelope as it is (a test's worker of another version builds its own).
    pub fn send_as(&self, topic: &str, envelope: Envelope) -> Result<()> {
        let key = envelope.message.key(&envelope.sender);
        let body = serde_json::to_vec(&envelope)?;
        self.producer
            .send(BaseRecord::to(topic).key(&key).payload(&body))
            .map_err(|(e, _)| anyhow::anyhow!("sending on {topic}: {e}"))
    }

    /// Waits until what was sent is acknowledged.
    pub fn flush(&self, timeout: Duration) -> Result<()> {
        self.producer.flush(timeout).map_err(|e| {
            error::env(format!(
                "the control plane's messages were not acknowledged: {e}"
            ))
        })
    }
}

/// Reads one of the fleet's topics, from the end (what comes from now on) or the start.
pub struct Reader {
    consumer: BaseConsumer,
    /// The control protocol version it reads (another only in tests).
    pub version: u32,
}

/// What a read gives: a message of this version, or why one could not be read.
pub type Read = std::result::Result<Envelope, Unreadable>;

impl Reader {
    /// Reads `topic` from its current end: only what is sent from now on.
    pub fn from_end(bootstrap: &str, props: &ClientProps, topic: &str) -> Result<Reader> {
        Self::open(bootstrap, props, topic, true)
    }

    /// Reads `topic` from its first message.
    pub fn from_start(bootstrap: &str, props: &ClientProps, topic: &str) -> Result<Reader> {
        Self::open(bootstrap, props, topic, false)
    }

    fn open(bootstrap: &str, props: &ClientProps, topic: &str, at_end: bool) -> Result<Reader> {
        let consumer: BaseConsumer = client_config(bootstrap, props)
            // librdkafka assigns only with a group id; this reader never joins nor commits.
            .set(
                "group.id",
                format!("kafkatune-bus-{:x}", rand::random::<u64>()),
            )
            .set("enable.auto.commit", "false")
            .set("enable.partition.eof", "false")
            .set("fetch.wait.max.ms", "20")
            .create()
            .context("creating the control plane's consumer")?;
        // The end is taken now, as an offset, so that nothing sent after this call is missed.
        let (low, high) = consumer
            .fetch_watermarks(topic, 0, Duration::from_secs(10))
            .map_err(|e| error::env(format!("reading the offsets of {topic}: {e}")))?;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, 0, Offset::Offset(if at_end { high } else { low }))?;
        consumer.assign(&tpl)?;
        Ok(Reader {
            consumer,
            version: messages::CONTROL_VERSION,
        })
    }

    /// The next message, waiting up to `timeout`; `None` when none came.
    pub fn next(&self, timeout: Duration) -> Option<Read> {
        match self.consumer.poll(timeout)? {
            Ok(m) => Some(messages::decode_as(
                self.version,
                m.payload().unwrap_or_default(),
            )),
            Err(e) => Some(Err(Unreadable::Garbled(format!("reading: {e}")))),
        }
    }

    /// Every message until none comes for `quiet` (or `limit` passes).
    pub fn drain(&self, quiet: Duration, limit: Duration) -> Vec<Read> {
        let deadline = Instant::now() + limit;
        let mut out = Vec::new();
        while Instant::now() < deadline {
            match self.next(quiet) {
                Some(r) => out.push(r),
                None => break,
            }
        }
        out
    }
}
