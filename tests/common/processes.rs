//! The processes a sweep leaves running, from /proc: for the tests that check that nothing
//! is left behind.

use std::path::Path;
use std::time::{Duration, Instant};

/// Processes whose command line mentions `needle`.
pub fn processes_with(needle: &str) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if text.contains(needle) {
            found.push((pid, text));
        }
    }
    found
}

/// The driver processes of the sweep writing to `dir` that still run (their spec files are
/// in its scratch folder).
pub fn drivers_of(dir: &Path) -> Vec<u32> {
    let scratch = dir.join(kafkatune::export::SCRATCH_DIR);
    processes_with(&scratch.display().to_string())
        .into_iter()
        .map(|(pid, _)| pid)
        .collect()
}

/// Waits a moment for the drivers of `dir` to be gone (the kernel kills them when
/// kafkatune dies) and says whether they are.
pub fn no_drivers_left(dir: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !drivers_of(dir).is_empty() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}
