//! The drivers' sources embedded at build time (see `build.rs`), written out into the cache.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

include!(concat!(env!("OUT_DIR"), "/drivers.rs"));

/// The embedded files under `drivers/<subdir>/`.
fn files(subdir: &str) -> impl Iterator<Item = (&'static str, &'static [u8])> + '_ {
    let prefix = format!("{subdir}/");
    FILES.iter().filter_map(move |(path, bytes)| {
        path.strip_prefix(prefix.as_str()).map(|rel| (rel, *bytes))
    })
}

/// One embedded file, by its path under `drivers/` (`java/pom.xml`).
pub fn file(path: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

/// One embedded text file (empty if this build carries none).
pub fn text(path: &str) -> String {
    file(path)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// A short hash of a driver's sources: its cache folder changes when they do, and only then.
/// SHA-256, stable across Rust releases and builds (std's `DefaultHasher` is not: a new
/// toolchain would rebuild every cached driver, or two could share a folder).
pub fn fingerprint(subdir: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (path, bytes) in files(subdir) {
        // Lengths first, so that no two different file sets hash alike.
        hasher.update((path.len() as u64).to_be_bytes());
        hasher.update(path.as_bytes());
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    }
    hasher.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes the sources of `drivers/<subdir>/` into `dest`.
pub fn write_out(subdir: &str, dest: &Path) -> Result<PathBuf> {
    let mut any = false;
    for (rel, bytes) in files(subdir) {
        let path = dest.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent"))?;
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        any = true;
    }
    anyhow::ensure!(
        any,
        "this kafkatune build carries no drivers/{subdir} sources"
    );
    Ok(dest.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_twelve_hex_digits_per_driver() {
        let java = fingerprint("java");
        assert_eq!(java.len(), 12);
        assert!(java.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(java, fingerprint("java"));
        assert_ne!(java, fingerprint("python"));
    }
}
