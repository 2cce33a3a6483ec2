//! Apache Kafka's jars for the embedded broker: from `KAFKA_HOME` (an unpacked release), or
//! resolved once from Maven Central into the cache with the pom in `broker/pom.xml`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::{cache, error, process};

/// The Kafka version the embedded broker runs (and the Java driver's client version).
pub const KAFKA_VERSION: &str = "4.4.0";

const POM: &str = include_str!("../../broker/pom.xml");

/// A folder of Kafka jars and the version they are.
#[derive(Debug, Clone)]
pub struct KafkaJars {
    pub libs: PathBuf,
    pub version: String,
}

impl KafkaJars {
    /// The Java class path of every jar in the folder.
    pub fn classpath(&self) -> String {
        format!("{}/*", self.libs.display())
    }
}

/// Finds or resolves the jars. Prints one line before a (slow, first-use) Maven resolution.
pub fn locate() -> Result<KafkaJars> {
    if let Some(home) = std::env::var_os("KAFKA_HOME").filter(|h| !h.is_empty()) {
        return from_kafka_home(Path::new(&home));
    }
    let root = cache::dir().join(format!("kafka-{KAFKA_VERSION}"));
    let libs = root.join("libs");
    if !root.join(".complete").exists() {
        resolve(&root, &libs)?;
    }
    Ok(KafkaJars {
        libs,
        version: KAFKA_VERSION.to_string(),
    })
}

fn from_kafka_home(home: &Path) -> Result<KafkaJars> {
    let libs = home.join("libs");
    let version = std::fs::read_dir(&libs)
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find_map(|name| version_of_core_jar(&name))
        .ok_or_else(|| {
            error::UserError::env(format!(
                "KAFKA_HOME={} does not look like an unpacked Apache Kafka release: no libs/kafka_2.13-*.jar",
                home.display()
            ))
            .with_hint("point KAFKA_HOME at the folder of an unpacked kafka_2.13-4.x.tgz, or unset it to let kafkatune fetch the jars")
        })?;
    Ok(KafkaJars { libs, version })
}

/// `kafka_2.13-4.4.0.jar` -> `4.4.0` (not the -test or -sources jars).
fn version_of_core_jar(name: &str) -> Option<String> {
    let rest = name.strip_prefix("kafka_2.13-")?.strip_suffix(".jar")?;
    rest.chars()
        .all(|c| c.is_ascii_digit() || c == '.')
        .then(|| rest.to_string())
}

fn resolve(root: &Path, libs: &Path) -> Result<()> {
    super::java::require_java()?;
    let mvn = process::require(
        "mvn",
        "install Maven (Debian: apt-get install -y maven), or set KAFKA_HOME to an unpacked Apache Kafka release",
    )?;
    eprintln!("kafkatune: fetching Apache Kafka {KAFKA_VERSION} jars from Maven Central into {} (first use only)", root.display());
    std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
    let pom = root.join("pom.xml");
    std::fs::write(&pom, POM)?;
    let staging = root.join("libs.partial");
    let _ = std::fs::remove_dir_all(&staging);
    process::run_setup(
        Command::new(mvn)
            .arg("-B")
            .arg("-q")
            .arg("-f")
            .arg(&pom)
            .arg("dependency:copy-dependencies")
            .arg(format!("-DoutputDirectory={}", staging.display()))
            .arg("-DincludeScope=runtime"),
        "resolving Kafka's jars with Maven",
    )?;
    let _ = std::fs::remove_dir_all(libs);
    std::fs::rename(&staging, libs)?;
    std::fs::write(root.join(".complete"), KAFKA_VERSION)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_jar_version() {
        assert_eq!(
            version_of_core_jar("kafka_2.13-4.4.0.jar").as_deref(),
            Some("4.4.0")
        );
        assert_eq!(version_of_core_jar("kafka_2.13-4.4.0-test.jar"), None);
        assert_eq!(version_of_core_jar("kafka-clients-4.4.0.jar"), None);
    }
}
