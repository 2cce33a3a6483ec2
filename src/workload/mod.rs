//! The workload: a topic holding a known number of messages of a known size, made ready
//! before any trial (`prepare`), and the paced producer of live runs (`live`).

pub mod live;
pub mod payload;
pub mod prepare;
pub mod processing;
pub mod producer;
pub mod warm_cluster;

/// What the consumers read, or the producers send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub topic: String,
    /// The topic was named by the user (`--topic`), not derived from the workload.
    pub topic_given: bool,
    pub partitions: u32,
    pub messages: u64,
    pub message_size: u32,
    pub payload: PayloadChoice,
    /// Consumer sweeps: how kafkatune's producer fills the topic.
    pub fill: FillSettings,
}

/// The fill producer's settings: the Java client's batching by default (`producer::REALISTIC`),
/// `--fast-fill`, `--topic-compression`, `--fill.config FILE` on top.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FillSettings {
    /// By Kafka name, as the sweep records them.
    pub properties: crate::results::Params,
    /// In librdkafka's names, as the fill producer takes them.
    pub native: crate::broker::ClientProps,
}

/// Where the record bodies come from: a built-in generator (`--payload-kind`), or the
/// user's sample file (`--payload FILE`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PayloadChoice {
    pub kind: payload::PayloadKind,
    pub file: Option<(std::path::PathBuf, payload::FileFormat)>,
}

/// The seed of the built-in generators: the same bytes in every sweep.
pub const PAYLOAD_SEED: u64 = payload::DEFAULT_SEED;

impl PayloadChoice {
    /// The pool of bodies, values of `message_size` bytes for a generator.
    pub fn load(&self, message_size: u32) -> anyhow::Result<payload::Payload> {
        match &self.file {
            Some((path, format)) => payload::Payload::from_file(path, *format),
            None => Ok(payload::Payload::generate(
                self.kind,
                message_size,
                PAYLOAD_SEED,
            )),
        }
    }

    /// A short name for topic names: the generator's, or `file` and the sample's hash.
    pub fn tag(&self, sha256: Option<&str>) -> String {
        match (&self.file, sha256) {
            (Some(_), Some(sha)) => format!("file{}", &sha[..sha.len().min(8)]),
            (Some(_), None) => "file".into(),
            (None, _) => self.kind.name().into(),
        }
    }
}

/// The load of a live run: a paced producer at a fixed rate, and the measurement window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveLoad {
    pub rate_msgs_per_s: f64,
    /// Seconds measured per run, after the warm-up.
    pub duration_s: f64,
    /// Seconds at the start of each run left out of the latencies.
    pub warmup_s: f64,
}

impl LiveLoad {
    /// The messages one run sends: the rate over the warm-up and the duration.
    pub fn messages(&self) -> u64 {
        (self.rate_msgs_per_s * (self.warmup_s + self.duration_s)).round() as u64
    }
}

/// The default topic name: the workload in words, so a matching topic is reused.
pub fn topic_name(messages: u64, message_size: u32, partitions: u32) -> String {
    format!("kafkatune-{messages}x{message_size}B-p{partitions}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_describe_the_workload() {
        assert_eq!(topic_name(100_000, 100, 1), "kafkatune-100000x100B-p1");
    }
}
