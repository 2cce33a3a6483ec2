//! The KafkaJS driver (`drivers/kafkajs`: Node.js, npm `kafkajs` 2.2.4 from its lockfile):
//! `npm ci` once into the cache folder named by the driver's fingerprint, as the Python venv.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use super::{sources, DriverCommand};
use crate::{cache, error, process};

/// The entry script in `drivers/kafkajs`.
pub const DRIVER: &str = "kafkatune_kafkajs.js";

const INSTALL_NODE: &str =
    "install Node.js 18+ and npm (Debian: apt-get install -y nodejs npm): they run the KafkaJS driver";

/// `node` and `npm` on PATH, or a usage error (exit 2) naming the Debian packages, before
/// anything starts.
fn require(program: &str) -> Result<PathBuf> {
    process::find(program).ok_or_else(|| {
        error::UserError::usage(format!(
            "`{program}` was not found on PATH: --client kafkajs runs on Node.js"
        ))
        .with_hint(INSTALL_NODE.to_string())
        .into()
    })
}

/// Installs the driver's packages on first use (`npm ci`: exactly the lockfile's versions)
/// and returns how to start it.
pub fn prepare() -> Result<DriverCommand> {
    let node = require("node")?;
    let root = cache::dir().join(format!(
        "kafkajs-driver-{}",
        sources::fingerprint("kafkajs")
    ));
    let src = root.join("src");
    if !root.join(".complete").exists() {
        let npm = require("npm")?;
        eprintln!(
            "kafkatune: installing the KafkaJS driver into {} (first use only)",
            root.display()
        );
        let _ = std::fs::remove_dir_all(&src);
        sources::write_out("kafkajs", &src)?;
        process::run_setup(
            Command::new(npm)
                .args([
                    "ci",
                    "--omit=dev",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                ])
                .current_dir(&src),
            "installing KafkaJS with npm ci",
        )?;
        std::fs::write(root.join(".complete"), "")?;
    }
    Ok(DriverCommand {
        program: node,
        args: vec![src.join(DRIVER).to_string_lossy().into_owned()],
    })
}

/// KafkaJS's version as the driver's package.json pins it.
pub fn version() -> Option<String> {
    let text = sources::file("kafkajs/package.json")?;
    let json: serde_json::Value = serde_json::from_slice(text).ok()?;
    json["dependencies"]["kafkajs"].as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pinned_version_is_a_2_2_release() {
        let v = super::version().expect("drivers/kafkajs/package.json pins kafkajs");
        assert!(v.starts_with("2.2."), "{v}");
    }
}
