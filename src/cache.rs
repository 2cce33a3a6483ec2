//! Where kafkatune keeps what it downloads or builds once: Kafka's jars, the Java driver,
//! the Python virtual environment. Never inside the repository.

use std::path::PathBuf;

/// `KAFKATUNE_CACHE`, or the user's cache folder (`~/.cache/kafkatune` on Linux).
pub fn dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KAFKATUNE_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("kafkatune")
}
