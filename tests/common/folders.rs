//! A sweep folder in the tests that run kafkatune itself: a fresh one, and its records.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kafkatune::results::RunRecord;

/// The records of a sweep folder (none when it has no results.jsonl yet).
pub fn records(dir: &Path) -> Vec<RunRecord> {
    std::fs::read_to_string(dir.join("results.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A fresh folder NAME for a sweep's output, in a temporary folder removed when the first
/// value is dropped.
pub fn out_dir_named(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    (tmp, dir)
}
