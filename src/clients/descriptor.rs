//! One place defines a client: `Descriptor`. Each client's module holds its own (`java.rs`,
//! `python.rs`, `franz_go.rs`, `kafkajs.rs`, `librdkafka/descriptor.rs`, `fake.rs`), and
//! `ClientKind::descriptor` finds it. Everything
//! that lists or tells clients apart reads it: `--client` and its help, `--client all`,
//! translating and validating properties, TLS stores, the escape hatch's prefixes, share
//! groups, `kafkatune properties`, the versions a worker announces, the dry run's estimate.
//! Adding a client is its `drivers/NAME/` folder, its module here with its descriptor, its
//! lines in `ClientKind`, its contract-suite instance and its guide row
//! (docs/adding-a-client.md).

use anyhow::Result;

use super::properties::ClientProperties;
use super::{ClientKind, DriverCommand};

/// What kafkatune knows of one client.
pub struct Descriptor {
    pub kind: ClientKind,
    /// Its name on the command line and in results (`--client NAME`, `NAME.setting`).
    pub name: &'static str,
    /// One line for `--client`'s help.
    pub about: &'static str,
    /// Hidden from `--client`'s help and from `--client all` (the fake client).
    pub hidden: bool,
    /// The programs its driver needs on this machine (checked before anything starts).
    pub needs: &'static [Tool],
    /// Builds what its driver needs on first use (into the cache) and says how to start it;
    /// a missing toolchain is an error naming what to install, before any broker starts.
    pub prepare: fn() -> Result<DriverCommand>,
    /// Its version, as this build runs or pins it (results and workers record it).
    pub version: fn() -> Option<String>,
    /// How it takes Kafka's properties: spellings, values, TLS stores.
    pub properties: ClientProperties,
    /// `None` when it has a share consumer kafkatune drives (KIP-932); otherwise why not.
    pub no_share_consumer: Option<&'static str>,
    /// Conservative speeds for the dry run's estimate.
    pub pace: Pace,
    /// What its first use builds, for the dry run ("the Java driver is built").
    pub first_use: Option<&'static str>,
}

/// A program a driver needs, and how to install it.
#[derive(Debug)]
pub struct Tool {
    pub command: &'static str,
    /// The Debian package that has it (for an image), if Debian's will do.
    pub debian: Option<&'static str>,
    /// What to do when it is missing.
    pub install: &'static str,
}

/// The first program `client` needs that is not on PATH, with what to do (exit 2, before
/// anything starts).
pub fn missing_tool(client: ClientKind) -> Option<String> {
    let tool = client
        .descriptor()
        .needs
        .iter()
        .find(|t| crate::process::find(t.command).is_none())?;
    Some(format!(
        "--client {}: its driver needs `{}`, which is not on PATH; {}, or leave this client out",
        client.name(),
        tool.command,
        tool.install
    ))
}

/// The Debian packages the drivers of `clients` need, each once (for an image: the
/// Dockerfile installs `kafkatune setup --debian-packages`).
pub fn debian_packages(clients: &[ClientKind]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for package in clients
        .iter()
        .flat_map(|c| c.descriptor().needs)
        .filter_map(|t| t.debian)
    {
        if !out.contains(&package) {
            out.push(package);
        }
    }
    out
}

/// Rates (msg/s) and process start-up (s) below what a client measured on a loaded 2-core
/// machine (docs/benchmarks.md), so that a real run is rarely longer than the dry run says.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub consume_msgs_per_s: f64,
    pub produce_msgs_per_s: f64,
    pub start_s: f64,
}

/// Every client users can name (the fake client is hidden), in `--client all`'s order.
pub fn visible() -> impl Iterator<Item = &'static Descriptor> {
    ClientKind::ALL.iter().map(|c| c.descriptor())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_has_one_descriptor_under_its_own_name() {
        let mut names = std::collections::BTreeSet::new();
        for kind in ClientKind::ALL.into_iter().chain([ClientKind::Fake]) {
            let d = kind.descriptor();
            assert_eq!(d.kind, kind);
            assert_eq!(d.name, kind.name());
            assert_eq!(ClientKind::parse(d.name), Some(kind));
            assert!(names.insert(d.name), "{} twice", d.name);
            assert_eq!(d.hidden, kind == ClientKind::Fake);
            assert!(!d.about.is_empty());
        }
        assert!(
            names.iter().all(|n| *n != "all"),
            "`all` names every client"
        );
    }

    #[test]
    fn a_client_takes_the_names_of_a_client_that_takes_its_own() {
        for d in visible() {
            if let Some(other) = d.properties.takes_names_of {
                assert_eq!(other.descriptor().properties.takes_names_of, None);
            }
        }
    }
}
