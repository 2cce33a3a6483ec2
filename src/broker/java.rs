//! The Java runtime the broker and the Java driver run on.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::Result;

use crate::{error, process};

const INSTALL_JAVA: &str =
    "install a Java 17+ runtime (Debian: apt-get install -y openjdk-17-jre-headless)";

/// The `java` on the PATH, as found by `require_java`.
#[derive(Debug)]
pub struct JavaRuntime {
    /// Its `release` file, or what `java -version` printed.
    pub version_text: String,
    /// The binary, symbolic links resolved.
    pub binary: PathBuf,
}

/// Checks that `java` exists and is version 17 or newer.
pub fn require_java() -> Result<()> {
    runtime().map(|_| ())
}

/// The Java runtime (asked once per process), or why it does not do.
pub fn runtime() -> Result<&'static JavaRuntime> {
    static RUNTIME: OnceLock<JavaRuntime> = OnceLock::new();
    if let Some(r) = RUNTIME.get() {
        return Ok(r);
    }
    let java = process::require("java", INSTALL_JAVA)?;
    let binary = std::fs::canonicalize(&java).unwrap_or(java);
    // The runtime's `release` file (JDK 9+, beside `bin/`) says its version without
    // starting a JVM (0.1 s, before every broker start); `java -version` otherwise, as for a
    // wrapper script.
    let from_release = binary
        .parent()
        .and_then(Path::parent)
        .and_then(|home| std::fs::read_to_string(home.join("release")).ok())
        .and_then(|text| Some((release_major_version(&text)?, text)));
    let (major, text) = match from_release {
        Some((major, text)) => (Some(major), text),
        None => {
            let out = Command::new(&binary).arg("-version").output()?;
            let text = String::from_utf8_lossy(&out.stderr).into_owned();
            (major_version(&text), text)
        }
    };
    match major {
        Some(v) if v >= 17 => Ok(RUNTIME.get_or_init(|| JavaRuntime {
            binary,
            version_text: text,
        })),
        Some(v) => Err(error::UserError::env(format!(
            "Java {v} found; Kafka 4 needs Java 17 or newer"
        ))
        .with_hint(INSTALL_JAVA)
        .into()),
        None => Err(error::env(format!(
            "could not read the Java version from `java -version`: {text}"
        ))),
    }
}

/// The major version in a runtime's `release` file (`JAVA_VERSION="17.0.15"` -> 17).
fn release_major_version(text: &str) -> Option<u32> {
    let line = text.lines().find(|l| l.starts_with("JAVA_VERSION="))?;
    major_version(line)
}

/// `openjdk version "17.0.15" 2025-04-15` -> 17; `"1.8.0_392"` -> 8.
fn major_version(text: &str) -> Option<u32> {
    let quoted = text.split('"').nth(1)?;
    let mut parts = quoted.split(['.', '-', '+', '_']);
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        parts.next()?.parse().ok()
    } else {
        Some(first)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_java_versions() {
        assert_eq!(
            super::major_version("openjdk version \"17.0.15\" 2025-04-15"),
            Some(17)
        );
        assert_eq!(super::major_version("java version \"1.8.0_392\""), Some(8));
        assert_eq!(
            super::major_version("openjdk version \"21\" 2023-09-19"),
            Some(21)
        );
        assert_eq!(super::major_version("garbage"), None);
        assert_eq!(
            super::release_major_version(
                "IMPLEMENTOR=\"Debian\"\nJAVA_RUNTIME_VERSION=\"17.0.15+6-Debian-1deb12u1\"\nJAVA_VERSION=\"17.0.15\"\n"
            ),
            Some(17)
        );
        assert_eq!(
            super::release_major_version("JAVA_VERSION=\"1.8.0_392\"\n"),
            Some(8)
        );
        assert_eq!(super::release_major_version("IMPLEMENTOR=\"x\"\n"), None);
    }
}
