//! The brokers' formatted data folders, without running `kafka.tools.StorageTool` (a JVM of
//! its own, about 1.7 s of CPU) at every start.
//!
//! The controller quorum is static (`controller.quorum.voters`, see `embedded.rs`), so the
//! format writes nothing that depends on ports. In Kafka 4.x `Formatter.doFormat` writes, in
//! each log directory, `meta.properties` (`version=1`, `cluster.id`, `node.id`, and a fresh
//! `directory.id` from `Copier.generateValidDirectoryId`), and in the metadata directory
//! `writeBootstrapSnapshot` writes `__cluster_metadata-0/00000000000000000000-0000000000.checkpoint`
//! holding the bootstrap records (feature levels, and the `--add-scram` credentials) with
//! `setVoterSet(initialControllers.map(...))`: a voter set (the controllers' host and port)
//! only with `--standalone` or `--initial-controllers`, which a static quorum does not take
//! (apache/kafka metadata/src/main/java/org/apache/kafka/metadata/storage/Formatter.java;
//! with the 4.4.0 jars the checkpoint holds only the six feature records). The snapshot
//! names neither the cluster nor the node.
//!
//! So one folder formatted by StorageTool is kept in the cache, keyed by what changes its
//! content (the jars, and the SCRAM credentials), and each broker gets a copy with its own
//! `meta.properties` values: the cluster's id, its node id and a new directory id.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use super::jars::KafkaJars;
use super::setup::ScramUser;
use crate::{cache, error, process};

/// Bumped when what kafkatune formats changes (so old templates are not reused).
const TEMPLATE_LAYOUT: &str = "static-quorum-v1";

/// The cached formatted folder for these jars and credentials, formatted now if missing.
pub(super) fn template(jars: &KafkaJars, scram: Option<&ScramUser>) -> Result<PathBuf> {
    let base = cache::dir().join("formatted");
    let dir = base.join(format!(
        "kafka-{}-{}",
        jars.version,
        template_key(jars, scram)
    ));
    if dir.join("meta.properties").is_file() {
        return Ok(dir);
    }
    std::fs::create_dir_all(&base).with_context(|| format!("creating {}", base.display()))?;
    let staging = base.join(format!(
        ".partial-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .subsec_nanos()
    ));
    let result = format_into(jars, &staging, scram);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    // Another kafkatune may have formatted the same template meanwhile: either copy is good.
    if std::fs::rename(staging.join("data"), &dir).is_err()
        && !dir.join("meta.properties").is_file()
    {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error::env(format!(
            "could not keep the formatted broker folder in {}",
            dir.display()
        )));
    }
    let _ = std::fs::remove_dir_all(&staging);
    Ok(dir)
}

/// What the formatted content depends on: the jars (their folder and version), the layout,
/// and the SCRAM credentials (hashed: the password is not written into a folder name).
fn template_key(jars: &KafkaJars, scram: Option<&ScramUser>) -> String {
    let mut hash = Sha256::new();
    hash.update(TEMPLATE_LAYOUT);
    hash.update([0]);
    hash.update(jars.version.as_bytes());
    hash.update([0]);
    hash.update(jars.libs.as_os_str().as_encoded_bytes());
    if let Some(s) = scram {
        hash.update([1]);
        hash.update(s.user.as_bytes());
        hash.update([0]);
        hash.update(s.password.as_bytes());
    }
    hex(&hash.finalize()[..8])
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Runs StorageTool on `staging/data` for a one-node static quorum (ports that are never
/// bound: the format does not record them).
fn format_into(jars: &KafkaJars, staging: &Path, scram: Option<&ScramUser>) -> Result<()> {
    let data = staging.join("data");
    std::fs::create_dir_all(&data)?;
    let properties = staging.join("server.properties");
    std::fs::write(
        &properties,
        format!(
            "process.roles=broker,controller\n\
             node.id=1\n\
             controller.quorum.voters=1@127.0.0.1:9093\n\
             listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\n\
             controller.listener.names=CONTROLLER\n\
             listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n\
             log.dirs={}\n",
            data.display()
        ),
    )?;
    let log4j = staging.join("log4j2.yaml");
    std::fs::write(&log4j, super::setup::LOG4J2)?;
    let mut cmd = Command::new("java");
    cmd.arg("-cp")
        .arg(jars.classpath())
        .arg(format!("-Dlog4j2.configurationFile={}", log4j.display()))
        .args([
            "kafka.tools.StorageTool",
            "format",
            // Replaced in every copy (see `install`).
            &format!("--cluster-id={}", random_uuid()),
            "-c",
        ])
        .arg(&properties);
    if let Some(s) = scram {
        // SCRAM credentials are bootstrapped into the metadata log at format time.
        cmd.arg("--add-scram").arg(format!(
            "SCRAM-SHA-256=[name={},password={}]",
            s.user, s.password
        ));
    }
    process::run_setup(&mut cmd, "formatting the embedded broker's storage")?;
    // What `install` relies on.
    let meta = std::fs::read_to_string(data.join("meta.properties"))?;
    for key in META_KEYS {
        if property(&meta, key).is_none() {
            return Err(error::env(format!(
                "the formatted meta.properties has no {key}: {meta}"
            )));
        }
    }
    Ok(())
}

/// The `meta.properties` values each copy gets anew.
const META_KEYS: [&str; 3] = ["cluster.id", "node.id", "directory.id"];

fn property<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim())
}

/// Copies the template into `data` (which must not exist yet, or be empty) as node `node_id`
/// of cluster `cluster_id`, with a new directory id.
pub(super) fn install(template: &Path, data: &Path, cluster_id: &str, node_id: u32) -> Result<()> {
    copy_tree(template, data)
        .with_context(|| format!("copying {} to {}", template.display(), data.display()))?;
    let meta_path = data.join("meta.properties");
    let meta = std::fs::read_to_string(&meta_path)?;
    let directory_id = random_uuid();
    let mut out = String::new();
    for line in meta.lines() {
        let key = line.split_once('=').map(|(k, _)| k.trim());
        match key {
            Some("cluster.id") => {
                let _ = writeln!(out, "cluster.id={cluster_id}");
            }
            Some("node.id") => {
                let _ = writeln!(out, "node.id={node_id}");
            }
            Some("directory.id") => {
                let _ = writeln!(out, "directory.id={directory_id}");
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    std::fs::write(&meta_path, out)?;
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A Kafka `Uuid` in its string form (16 random bytes, URL-safe base64 without padding, 22
/// characters), as `Uuid.randomUuid` and `Copier.generateValidDirectoryId` make them: never
/// starting with '-' (a command line would take it for an option) nor one of the reserved
/// ids (the first 64 bits zero and the last below 100, `DirectoryId.reserved`).
pub(super) fn random_uuid() -> String {
    use base64::Engine;
    loop {
        let bytes: [u8; 16] = rand::random();
        let reserved =
            bytes[..8] == [0; 8] && u64::from_be_bytes(bytes[8..].try_into().unwrap()) < 100;
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        if !reserved && !id.starts_with('-') {
            return id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_22_url_safe_characters_not_starting_with_a_dash() {
        for _ in 0..1000 {
            let id = random_uuid();
            assert_eq!(id.len(), 22);
            assert!(id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            assert!(!id.starts_with('-'));
        }
    }

    #[test]
    fn install_rewrites_the_ids_and_keeps_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let template = tmp.path().join("template");
        std::fs::create_dir_all(template.join("__cluster_metadata-0")).unwrap();
        std::fs::write(
            template.join("meta.properties"),
            "#\n#Tue Dec 01 16:27:17 UTC 2026\nnode.id=1\ndirectory.id=Z7B2Nb7-4TQ3GyVyDWDZmw\nversion=1\ncluster.id=abcdefghijklmnopqrstuv\n",
        )
        .unwrap();
        std::fs::write(
            template.join("__cluster_metadata-0/00000000000000000000-0000000000.checkpoint"),
            b"bootstrap",
        )
        .unwrap();
        let data = tmp.path().join("data");
        install(&template, &data, "AAAAAAAAAAAAAAAAAAAAAA", 3).unwrap();
        let meta = std::fs::read_to_string(data.join("meta.properties")).unwrap();
        assert_eq!(property(&meta, "node.id"), Some("3"));
        assert_eq!(
            property(&meta, "cluster.id"),
            Some("AAAAAAAAAAAAAAAAAAAAAA")
        );
        assert_eq!(property(&meta, "version"), Some("1"));
        let dir_id = property(&meta, "directory.id").unwrap();
        assert_ne!(dir_id, "Z7B2Nb7-4TQ3GyVyDWDZmw");
        assert_eq!(dir_id.len(), 22);
        assert_eq!(
            std::fs::read(
                data.join("__cluster_metadata-0/00000000000000000000-0000000000.checkpoint")
            )
            .unwrap(),
            b"bootstrap"
        );
    }
}
