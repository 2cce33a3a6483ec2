//! The Java runtime the broker and the Java driver run on.

use std::process::Command;

use anyhow::Result;

use crate::{error, process};

const INSTALL_JAVA: &str =
    "install a Java 17+ runtime (Debian: apt-get install -y openjdk-17-jre-headless)";

/// Checks that `java` exists and is version 17 or newer.
pub fn require_java() -> Result<()> {
    let java = process::require("java", INSTALL_JAVA)?;
    let out = Command::new(java).arg("-version").output()?;
    let text = String::from_utf8_lossy(&out.stderr);
    match major_version(&text) {
        Some(v) if v >= 17 => Ok(()),
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
    }
}
