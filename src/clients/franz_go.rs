//! The franz-go client driver (`drivers/franz-go`, a Go module): built once with the Go
//! toolchain into the cache, in a folder named by the driver's fingerprint.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use super::{sources, DriverCommand};
use crate::error::UserError;
use crate::{cache, process};

/// The Go release franz-go v1.22.3 needs (its go.mod says `go 1.26.0`).
const GO_MINOR: u32 = 26;

const INSTALL_GO: &str = "install Go 1.26 or newer from https://go.dev/dl/ (Debian's golang-go package is older than franz-go v1.22 needs; after installing, put its bin folder on PATH): it builds the franz-go driver once";

/// The driver binary's name, in its cache folder.
const BINARY: &str = "kafkatune-franz-go";

/// Builds the driver on first use and returns how to start it. Go missing or too old: a
/// usage error (exit 2), before any broker starts.
pub fn prepare() -> Result<DriverCommand> {
    let root = cache::dir().join(format!(
        "franz-go-driver-{}",
        sources::fingerprint("franz-go")
    ));
    let binary = root.join(BINARY);
    if !root.join(".complete").exists() {
        let go = require_go()?;
        eprintln!(
            "kafkatune: building the franz-go driver into {} (first use only)",
            root.display()
        );
        let src = sources::write_out("franz-go", &root.join("src"))?;
        process::run_setup(
            Command::new(go)
                .current_dir(&src)
                // The machine's Go builds it: never a toolchain download.
                .env("GOTOOLCHAIN", "local")
                .args(["build", "-trimpath", "-o"])
                .arg(&binary)
                .arg("."),
            "building the franz-go driver with Go",
        )?;
        std::fs::write(root.join(".complete"), "")?;
    }
    Ok(DriverCommand {
        program: binary,
        args: Vec::new(),
    })
}

/// `go` on PATH, at least Go 1.26.
fn require_go() -> Result<PathBuf> {
    let go = process::find("go").ok_or_else(|| {
        UserError::usage("`go` (the Go toolchain) was not found on PATH").with_hint(INSTALL_GO)
    })?;
    let output = Command::new(&go)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    match go_minor(&text) {
        Some(minor) if minor >= GO_MINOR => Ok(go),
        _ => Err(UserError::usage(format!(
            "{} is `{}`: franz-go v1.22.3 needs Go 1.{GO_MINOR} or newer",
            go.display(),
            text.trim()
        ))
        .with_hint(INSTALL_GO)
        .into()),
    }
}

/// The minor release of `go version`'s output (`go version go1.26.8 linux/amd64`: 26).
fn go_minor(text: &str) -> Option<u32> {
    let version = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("go1."))?;
    version
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// franz-go's version as the driver's go.mod pins it (`v1.22.3` gives `1.22.3`).
pub fn version() -> Option<String> {
    let gomod = sources::file("franz-go/go.mod")?;
    String::from_utf8_lossy(gomod).lines().find_map(|l| {
        l.trim()
            .strip_prefix("github.com/twmb/franz-go v")
            .map(|v| v.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_versions_are_read_from_go_version() {
        assert_eq!(go_minor("go version go1.26.8 linux/amd64"), Some(26));
        assert_eq!(go_minor("go version go1.19.8 linux/amd64"), Some(19));
        assert_eq!(go_minor("go version go1.30rc1 linux/amd64"), Some(30));
        assert_eq!(go_minor("nonsense"), None);
    }

    #[test]
    fn the_pinned_franz_go_version_comes_from_go_mod() {
        assert_eq!(version().as_deref(), Some("1.22.3"));
    }
}
