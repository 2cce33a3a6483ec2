//! How to reach the cluster: the user's (`--bootstrap-servers`, `--command-config`), the
//! embedded default, or the fake one of the orchestration tests.

use anyhow::Result;

use super::files::read_properties;
use crate::broker::ClientProps;
use crate::cli::{ClientChoice, ClusterArgs, FakeCluster};
use crate::clients::{properties, ClientKind};
use crate::defaults;
use crate::error::{usage, UserError};
use crate::results::Params;

/// How to reach the cluster.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    pub bootstrap: Option<String>,
    /// `--command-config`, in librdkafka's names, for admin and producer connections.
    pub admin_props: ClientProps,
    /// kafkatune may create or fill a topic it did not create.
    pub allow_write: bool,
    /// The stand-in cluster of the orchestration tests.
    pub fake: Option<FakeCluster>,
    /// Brokers of the embedded cluster.
    pub brokers: u32,
    /// Clients reach the embedded brokers through a delay proxy each (`--network`, set by
    /// the sweep's options).
    pub network: bool,
    /// The most time a fresh embedded cluster is warmed before the first run (zero: not).
    pub warmup_max: std::time::Duration,
}

/// `--cluster-warmup-s S`: 0 to 600 seconds, for an embedded cluster only (the user's is
/// running already; 0 there says nothing, as `KAFKATUNE_CLUSTER_WARMUP_S=0` of the tests).
pub fn cluster_warmup(s: Option<f64>, external: bool) -> Result<std::time::Duration> {
    match s {
        Some(s) if external && s != 0.0 => Err(usage("--cluster-warmup-s warms the embedded cluster kafkatune starts; your cluster is running already: leave --cluster-warmup-s or --bootstrap-servers out")),
        Some(s) if !(0.0..=600.0).contains(&s) => Err(usage(format!("--cluster-warmup-s {s}: give 0 (no warm-up) to 600 seconds"))),
        Some(s) => Ok(std::time::Duration::from_secs_f64(s)),
        None if external => Ok(std::time::Duration::ZERO),
        None => Ok(std::time::Duration::from_secs_f64(defaults::CLUSTER_WARMUP_MAX_S)),
    }
}

/// `--brokers N`: from 1 to `MAX_BROKERS`, and only for an embedded cluster.
pub fn brokers(n: Option<u32>, external: bool) -> Result<u32> {
    match n {
        Some(_) if external => Err(usage("--brokers starts an embedded cluster; your cluster has the brokers it has: leave --brokers or --bootstrap-servers out")),
        Some(n) if n == 0 || n > defaults::MAX_BROKERS => Err(usage(format!("--brokers {n}: give 1 to {} brokers (one JVM each on this machine)", defaults::MAX_BROKERS))),
        Some(n) => Ok(n),
        None => Ok(defaults::BROKERS),
    }
}

pub fn cluster_options(args: &ClusterArgs) -> Result<ClusterOptions> {
    if let Some(b) = &args.bootstrap_servers {
        if b.trim().is_empty()
            || b.split(',').any(|hp| {
                !hp.trim()
                    .rsplit_once(':')
                    .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok())
            })
        {
            return Err(usage(format!(
                "--bootstrap-servers `{b}`: expected HOST:PORT[,HOST:PORT...]"
            )));
        }
        if args.fake_cluster.is_some() {
            return Err(usage(
                "--fake-cluster stands in for a cluster: leave --bootstrap-servers out",
            ));
        }
    }
    let mut admin_props = ClientProps::new();
    if let Some(file) = &args.command_config {
        let props = read_properties(file)?;
        // Security settings go through the table, as one set (JAAS is split for librdkafka,
        // TLS stores become PEM locations); producer and admin settings librdkafka shares with
        // Java pass through as they are.
        let (known, own): (Params, Params) = props
            .into_iter()
            .partition(|(k, _)| properties::lookup(k).is_some() || properties::scoped(k).is_some());
        let native = properties::translate(ClientKind::Librdkafka, &known)
            .map_err(|e| usage(format!("{}: {e}", file.display())))?;
        admin_props.extend(
            native
                .into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string())),
        );
        admin_props.extend(own);
    }
    Ok(ClusterOptions {
        bootstrap: args.bootstrap_servers.clone(),
        admin_props,
        allow_write: args.allow_write,
        fake: args.fake_cluster,
        brokers: brokers(
            args.brokers,
            args.bootstrap_servers.is_some() || args.fake_cluster.is_some(),
        )?,
        network: false,
        warmup_max: cluster_warmup(args.cluster_warmup_s, args.bootstrap_servers.is_some())?,
    })
}

/// Without `--command-config`, kafkatune's own admin and producer connections (librdkafka)
/// take the consumers' security settings (`-X`, `--consumer.config`): one cluster, one way in.
pub fn consumer_security(fixed: &Params) -> Result<ClientProps> {
    let is_security = |name: &str| {
        let native = match properties::scoped(name) {
            Some((ClientKind::Librdkafka, native)) => native,
            Some(_) => return false,
            None => name,
        };
        ["security.", "sasl.", "ssl."]
            .iter()
            .any(|prefix| native.starts_with(prefix))
    };
    let security: Params = fixed
        .iter()
        .filter(|(k, _)| is_security(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let native = properties::translate(ClientKind::Librdkafka, &security).map_err(|e| {
        UserError::usage(format!(
            "kafkatune's admin and producer connections (librdkafka) take the consumers' security settings when no --command-config is given, and {e}"
        ))
        .with_hint("give them their own settings in --command-config FILE")
    })?;
    Ok(native
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
        .collect())
}

/// The clients `--client` names, in order, each once; librdkafka when none is given.
pub fn clients(choices: &[ClientChoice]) -> Vec<ClientKind> {
    if choices.is_empty() {
        return vec![ClientKind::Librdkafka];
    }
    let mut out = Vec::new();
    for choice in choices {
        let kinds: &[ClientKind] = match choice {
            ClientChoice::One(kind) => std::slice::from_ref(kind),
            ClientChoice::All => &ClientKind::ALL,
        };
        for c in kinds {
            if !out.contains(c) {
                out.push(*c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_in_order_each_once_librdkafka_by_default() {
        assert_eq!(clients(&[]), [ClientKind::Librdkafka]);
        assert_eq!(
            clients(&[ClientChoice::One(ClientKind::Java), ClientChoice::All]),
            [
                ClientKind::Java,
                ClientKind::Librdkafka,
                ClientKind::KafkaPython,
                ClientKind::ConfluentKafkaPython,
                ClientKind::FranzGo,
                ClientKind::KafkaJs
            ]
        );
    }

    #[test]
    fn bootstrap_servers_must_be_host_port_lists() {
        let args = |b: &str| ClusterArgs {
            bootstrap_servers: Some(b.into()),
            command_config: None,
            allow_write: false,
            fake_cluster: None,
            brokers: None,
            cluster_warmup_s: None,
        };
        assert!(cluster_options(&args("a:9092,b:9093")).is_ok());
        for bad in ["", "a", "a:x", ":9092", "a:9092,"] {
            let err = cluster_options(&args(bad)).unwrap_err();
            assert!(err.to_string().contains("HOST:PORT"), "{bad}: {err}");
        }
    }
}
