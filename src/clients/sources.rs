//! The drivers' sources embedded at build time (see `build.rs`), written out into the cache.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
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

/// A short hash of a driver's sources: its cache folder changes when they do.
pub fn fingerprint(subdir: &str) -> String {
    let mut hasher = DefaultHasher::new();
    for (path, bytes) in files(subdir) {
        path.hash(&mut hasher);
        bytes.hash(&mut hasher);
    }
    format!("{:012x}", hasher.finish() & 0xffff_ffff_ffff)
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
