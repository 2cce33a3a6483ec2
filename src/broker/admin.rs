//! What kafkatune asks of a cluster besides consuming: metadata, end offsets, topics, groups.
//! All through librdkafka, with the user's `--command-config` settings (security) applied.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::ClientContext;
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;

use crate::error;

/// librdkafka settings for admin and producer connections (already librdkafka names).
pub type ClientProps = BTreeMap<String, String>;

/// A client configuration for `bootstrap` with the user's settings on top.
pub fn client_config(bootstrap: &str, props: &ClientProps) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    for (k, v) in props {
        config.set(k, v);
    }
    config
}

/// Keeps the last error librdkafka reported: a failed metadata request only says
/// "transport failure", while the cause (e.g. SASL authentication) comes through here.
#[derive(Default)]
pub struct ErrorCapture {
    last: Mutex<Option<String>>,
    /// The broker closed a connection at its first request (ApiVersion), as a TLS listener
    /// does to a PLAINTEXT client.
    closed_at_first_request: AtomicBool,
}

impl ClientContext for ErrorCapture {
    fn log(&self, _level: rdkafka::config::RDKafkaLogLevel, _fac: &str, log_message: &str) {
        if log_message.contains("Disconnected") && log_message.contains("APIVERSION_QUERY") {
            self.closed_at_first_request.store(true, Ordering::Relaxed);
        }
        self.note(log_message.to_string());
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.note(format!("{error}: {reason}"));
    }
}

impl ConsumerContext for ErrorCapture {}

impl ErrorCapture {
    fn note(&self, text: String) {
        // An authentication failure outranks the transport errors that follow it.
        let mut last = self.last.lock().unwrap();
        if !last.as_deref().is_some_and(is_auth_failure) || is_auth_failure(&text) {
            *last = Some(text);
        }
    }

    pub fn last(&self) -> Option<String> {
        self.last.lock().unwrap().clone()
    }
}

/// A failed SASL authentication or TLS handshake (an untrusted certificate either way).
fn is_auth_failure(text: &str) -> bool {
    ["Authentication", "SASL", "SSL", "certificate"]
        .iter()
        .any(|word| text.contains(word))
}

fn metadata_consumer(bootstrap: &str, props: &ClientProps) -> Result<BaseConsumer<ErrorCapture>> {
    client_config(bootstrap, props)
        .set("allow.auto.create.topics", "false")
        // librdkafka's logs reach `ErrorCapture` (they are off without a `log` logger); a
        // connection closed at the first request is logged at debug level.
        .set_log_level(rdkafka::config::RDKafkaLogLevel::Debug)
        .create_with_context(ErrorCapture::default())
        .map_err(|e| {
            error::usage(format!(
                "the client settings for {bootstrap} are not valid: {e}"
            ))
        })
}

/// Whether a metadata request to `bootstrap` succeeds within `timeout`.
pub fn metadata_ok(bootstrap: &str, props: &ClientProps, timeout: Duration) -> bool {
    metadata_consumer(bootstrap, props).is_ok_and(|c| c.fetch_metadata(None, timeout).is_ok())
}

/// Asks a starting cluster for its metadata, again and again, through one client that
/// reconnects at once (librdkafka's reconnect back-off otherwise grows from 100 ms to 10 s
/// while the port is still closed, and would add up to that to every start).
pub struct MetadataProbe {
    consumer: BaseConsumer<ErrorCapture>,
}

impl MetadataProbe {
    pub fn new(bootstrap: &str, props: &ClientProps) -> Result<MetadataProbe> {
        let mut props = props.clone();
        props.insert("reconnect.backoff.ms".into(), "10".into());
        props.insert("reconnect.backoff.max.ms".into(), "50".into());
        Ok(MetadataProbe {
            consumer: metadata_consumer(bootstrap, &props)?,
        })
    }

    /// How many brokers a metadata request answered within `timeout` lists (the live,
    /// unfenced ones), or `None` when none answered.
    pub fn brokers(&self, timeout: Duration) -> Option<usize> {
        self.consumer
            .fetch_metadata(None, timeout)
            .ok()
            .map(|m| m.brokers().len())
    }
}

/// How many brokers the cluster at `bootstrap` lists in a metadata response.
pub fn broker_count(bootstrap: &str, props: &ClientProps, timeout: Duration) -> Result<usize> {
    let consumer = metadata_consumer(bootstrap, props)?;
    let metadata = consumer.fetch_metadata(None, timeout).map_err(|e| {
        error::env(format!(
            "reading the metadata of the cluster at {bootstrap} failed within {} s: {e}",
            timeout.as_secs_f64()
        ))
    })?;
    Ok(metadata.brokers().len())
}

/// Checks that the cluster answers; the error names the address and the timeout. A failed
/// authentication (SASL or TLS) is reported as soon as it is seen.
pub fn check_reachable(bootstrap: &str, props: &ClientProps, timeout: Duration) -> Result<()> {
    let consumer = metadata_consumer(bootstrap, props)?;
    let plaintext = props
        .get("security.protocol")
        .is_none_or(|p| p.eq_ignore_ascii_case("PLAINTEXT"));
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let e = match consumer.fetch_metadata(None, left.min(Duration::from_secs(1))) {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        // Error events reach the context only when the client's queue is served.
        for _ in 0..5 {
            if let Some(Err(e)) = consumer.poll(Duration::from_millis(20)) {
                consumer.context().note(e.to_string());
            }
        }
        if let Some(cause) = consumer.context().last().filter(|c| is_auth_failure(c)) {
            return Err(error::UserError::env(format!("authentication to the Kafka cluster at {bootstrap} failed: {cause}"))
                .with_hint("check the TLS stores (ssl.truststore.*, ssl.keystore.*) or the SASL user name, password and sasl.mechanism in --command-config (admin and producer) and -X/--consumer.config (consumers)")
                .into());
        }
        if Instant::now() >= deadline
            && plaintext
            && consumer
                .context()
                .closed_at_first_request
                .load(Ordering::Relaxed)
        {
            return Err(error::UserError::env(format!(
                "the Kafka cluster at {bootstrap} closed every connection at its first request within {} s, as a TLS listener does to a PLAINTEXT client",
                timeout.as_secs_f64()
            ))
            .with_hint("set security.protocol=SSL or SASL_SSL and its settings with -X/--consumer.config (consumers) and --command-config (admin and producer)")
            .into());
        }
        if Instant::now() >= deadline {
            return Err(error::UserError::env(format!(
                "no answer from the Kafka cluster at {bootstrap} within {} s ({e})",
                timeout.as_secs_f64()
            ))
            .with_hint("check --bootstrap-servers and that the brokers run; for TLS or SASL give the settings with --command-config FILE and -X/--consumer.config")
            .into());
        }
    }
}

/// One partition's offsets: `low` (log start) and `high` (end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionOffsets {
    pub partition: i32,
    pub low: i64,
    pub high: i64,
}

/// The partitions of `topic` with their offsets, or `None` when the topic does not exist.
pub fn topic_offsets(
    bootstrap: &str,
    props: &ClientProps,
    topic: &str,
    timeout: Duration,
) -> Result<Option<Vec<PartitionOffsets>>> {
    let consumer = metadata_consumer(bootstrap, props)?;
    let metadata = consumer.fetch_metadata(Some(topic), timeout).map_err(|e| {
        error::env(format!(
            "reading metadata of topic {topic} from {bootstrap} failed within {} s: {e}",
            timeout.as_secs()
        ))
    })?;
    let Some(t) = metadata.topics().iter().find(|t| t.name() == topic) else {
        return Ok(None);
    };
    match t.error().map(RDKafkaErrorCode::from) {
        None => {}
        Some(RDKafkaErrorCode::UnknownTopicOrPartition) => return Ok(None),
        Some(RDKafkaErrorCode::TopicAuthorizationFailed) => {
            return Err(error::env(format!(
                "not authorized to read topic {topic}: ask for Describe and Read on it"
            )))
        }
        Some(code) => return Err(error::env(format!("topic {topic}: {code}"))),
    }
    let mut partitions = Vec::new();
    let mut ids: Vec<i32> = t.partitions().iter().map(|p| p.id()).collect();
    ids.sort_unstable();
    for id in ids {
        let (low, high) = consumer.fetch_watermarks(topic, id, timeout).map_err(|e| {
            error::env(format!(
                "reading the offsets of {topic}/{id} failed within {} s: {e}",
                timeout.as_secs()
            ))
        })?;
        partitions.push(PartitionOffsets {
            partition: id,
            low,
            high,
        });
    }
    Ok(Some(partitions))
}

fn admin(bootstrap: &str, props: &ClientProps) -> Result<AdminClient<DefaultClientContext>> {
    client_config(bootstrap, props)
        .create()
        .context("creating an admin client")
}

/// How a new topic is replicated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replication {
    /// Replicas per partition; -1 for the broker's `default.replication.factor`.
    pub factor: i32,
    /// The topic's `min.insync.replicas`; `None` for the broker's default.
    pub min_insync_replicas: Option<i32>,
}

impl Replication {
    /// The brokers' defaults (what `create_topic` asks for).
    pub const BROKER_DEFAULT: Replication = Replication {
        factor: -1,
        min_insync_replicas: None,
    };

    /// What a cluster of `brokers` brokers is best measured with: three replicas (fewer on
    /// fewer brokers), of which two must be in sync for an `acks=all` write (one with fewer
    /// than three replicas, so that one broker down does not stop writes).
    pub fn for_brokers(brokers: u32) -> Replication {
        let factor = brokers.clamp(1, 3) as i32;
        Replication {
            factor,
            min_insync_replicas: Some(if factor >= 3 { 2 } else { 1 }),
        }
    }
}

/// Creates `topic` with `partitions` partitions (replication: the broker's default).
pub fn create_topic(
    bootstrap: &str,
    props: &ClientProps,
    topic: &str,
    partitions: i32,
    timeout: Duration,
) -> Result<()> {
    create_topic_replicated(
        bootstrap,
        props,
        topic,
        partitions,
        Replication::BROKER_DEFAULT,
        timeout,
    )
}

/// Creates `topic` with `partitions` partitions, replicated as `replication` says. A topic
/// that already exists is left as it is.
pub fn create_topic_replicated(
    bootstrap: &str,
    props: &ClientProps,
    topic: &str,
    partitions: i32,
    replication: Replication,
    timeout: Duration,
) -> Result<()> {
    let admin = admin(bootstrap, props)?;
    let min_insync = replication.min_insync_replicas.map(|n| n.to_string());
    let mut new = NewTopic::new(
        topic,
        partitions,
        TopicReplication::Fixed(replication.factor),
    );
    if let Some(n) = &min_insync {
        new = new.set("min.insync.replicas", n);
    }
    let opts = AdminOptions::new()
        .operation_timeout(Some(timeout))
        .request_timeout(Some(timeout));
    let results = futures_executor::block_on(admin.create_topics([&new], &opts))
        .map_err(|e| error::env(format!("creating topic {topic} failed: {e}")))?;
    for r in results {
        match r {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((_, RDKafkaErrorCode::TopicAuthorizationFailed)) | Err((_, RDKafkaErrorCode::ClusterAuthorizationFailed)) => {
                return Err(error::env(format!("not authorized to create topic {topic}: create it yourself or ask for Create rights")))
            }
            Err((_, code)) => return Err(error::env(format!("creating topic {topic} failed: {code}"))),
        }
    }
    Ok(())
}

/// One partition's replicas and in-sync replicas (broker ids), from a metadata request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionReplicas {
    pub partition: i32,
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
}

/// The replicas of every partition of `topic`, by partition (empty when it does not exist).
pub fn topic_replicas(
    bootstrap: &str,
    props: &ClientProps,
    topic: &str,
    timeout: Duration,
) -> Result<Vec<PartitionReplicas>> {
    let consumer = metadata_consumer(bootstrap, props)?;
    let metadata = consumer.fetch_metadata(Some(topic), timeout).map_err(|e| {
        error::env(format!(
            "reading metadata of topic {topic} from {bootstrap} failed within {} s: {e}",
            timeout.as_secs()
        ))
    })?;
    let mut partitions: Vec<PartitionReplicas> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic && t.error().is_none())
        .flat_map(|t| t.partitions())
        .map(|p| PartitionReplicas {
            partition: p.id(),
            leader: p.leader(),
            replicas: p.replicas().to_vec(),
            isr: p.isr().to_vec(),
        })
        .collect();
    partitions.sort_by_key(|p| p.partition);
    Ok(partitions)
}

/// Deletes consumer groups (kafkatune's own `kafkatune-` groups only: checked here),
/// retrying within `timeout` while members are still leaving (the broker refuses to delete a
/// group with members); a group that is gone already counts as deleted.
pub fn delete_groups(
    bootstrap: &str,
    props: &ClientProps,
    groups: &[String],
    timeout: Duration,
) -> Result<()> {
    let mut left: Vec<&str> = groups
        .iter()
        .map(String::as_str)
        .filter(|g| g.starts_with("kafkatune-"))
        .collect();
    if left.is_empty() {
        return Ok(());
    }
    let admin = admin(bootstrap, props)?;
    let opts = AdminOptions::new().request_timeout(Some(Duration::from_secs(5).min(timeout)));
    let deadline = Instant::now() + timeout;
    loop {
        let why = match futures_executor::block_on(admin.delete_groups(&left, &opts)) {
            Ok(results) => {
                let mut why = String::new();
                for r in results {
                    match r {
                        Ok(g) | Err((g, RDKafkaErrorCode::GroupIdNotFound)) => {
                            left.retain(|l| *l != g.as_str())
                        }
                        Err((_, code)) => why = code.to_string(),
                    }
                }
                why
            }
            Err(e) => e.to_string(),
        };
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            anyhow::bail!(
                "the consumer group {} was not deleted: {why}",
                left.join(", ")
            );
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Deletes `topic` (kafkatune's own `kafkatune-` topics only: checked here); a topic that is
/// gone already counts as deleted.
pub fn delete_topic(
    bootstrap: &str,
    props: &ClientProps,
    topic: &str,
    timeout: Duration,
) -> Result<()> {
    anyhow::ensure!(
        topic.starts_with("kafkatune-"),
        "kafkatune deletes only its own topics (kafkatune-...), not {topic}"
    );
    let admin = admin(bootstrap, props)?;
    let opts = AdminOptions::new()
        .operation_timeout(Some(timeout))
        .request_timeout(Some(timeout));
    let results = futures_executor::block_on(admin.delete_topics(&[topic], &opts))
        .map_err(|e| error::env(format!("deleting topic {topic} failed: {e}")))?;
    for r in results {
        match r {
            Ok(_) | Err((_, RDKafkaErrorCode::UnknownTopicOrPartition)) => {}
            Err((_, code)) => {
                return Err(error::env(format!("deleting topic {topic} failed: {code}")))
            }
        }
    }
    Ok(())
}

/// Deletes every record of `topic` (DeleteRecords up to each partition's end), so that a
/// producer run starts on an empty log; returns the partitions' offsets after it. kafkatune
/// truncates only its own `kafkatune-` topics: checked here.
pub fn truncate_topic(
    bootstrap: &str,
    props: &ClientProps,
    topic: &str,
    timeout: Duration,
) -> Result<Vec<PartitionOffsets>> {
    anyhow::ensure!(
        topic.starts_with("kafkatune-"),
        "kafkatune truncates only its own topics (kafkatune-...), not {topic}"
    );
    let parts = topic_offsets(bootstrap, props, topic, timeout)?
        .ok_or_else(|| error::env(format!("topic {topic} does not exist on {bootstrap}")))?;
    let mut tpl = rdkafka::TopicPartitionList::new();
    for p in parts.iter().filter(|p| p.high > p.low) {
        tpl.add_partition_offset(topic, p.partition, rdkafka::Offset::Offset(p.high))
            .context("listing the partitions to truncate")?;
    }
    if tpl.count() > 0 {
        let admin = admin(bootstrap, props)?;
        let opts = AdminOptions::new()
            .operation_timeout(Some(timeout))
            .request_timeout(Some(timeout));
        let result = futures_executor::block_on(admin.delete_records(&tpl, &opts))
            .map_err(|e| error::env(format!("truncating {topic} failed: {e}")))?;
        for e in result.elements() {
            if let Err(err) = e.error() {
                return Err(error::env(format!(
                    "truncating {topic}/{} failed: {err}",
                    e.partition()
                )));
            }
        }
    }
    Ok(topic_offsets(bootstrap, props, topic, timeout)?.unwrap_or_default())
}
