//! The sweep folder on disk: written as the sweep goes, so a crash loses nothing finished.

pub mod csv;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::results::{RunRecord, SummaryFile, SweepMeta, SCHEMA_VERSION};

pub const META_FILE: &str = "sweep.json";
pub const RESULTS_FILE: &str = "results.jsonl";
pub const CSV_FILE: &str = "results.csv";
pub const SUMMARY_FILE: &str = "summary.json";
/// Where each run's driver spec and result files live while it runs.
pub const SCRATCH_DIR: &str = ".runs";

/// The files of one sweep folder.
pub struct SweepFiles {
    pub dir: PathBuf,
    results: File,
}

impl SweepFiles {
    /// Opens `dir` for appending (creating it), after checking it can be written.
    pub fn open(dir: &Path) -> Result<SweepFiles> {
        std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, e))?;
        // The runs' scratch files (driver specs) can hold credentials: a private folder,
        // emptied of what a killed sweep left, removed when the sweep ends.
        let scratch = dir.join(SCRATCH_DIR);
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&scratch)
            .map_err(|e| cannot_write(dir, e))?;
        let path = dir.join(RESULTS_FILE);
        drop_torn_tail(&path)?;
        let results = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| cannot_write(dir, e))?;
        Ok(SweepFiles {
            dir: dir.to_path_buf(),
            results,
        })
    }

    pub fn write_meta(&self, meta: &SweepMeta) -> Result<()> {
        write_atomic(&self.dir.join(META_FILE), &serde_json::to_vec_pretty(meta)?)
    }

    /// Appends one record and flushes it to disk before the next run starts.
    pub fn append(&mut self, record: &RunRecord) -> Result<()> {
        let mut line = serde_json::to_vec(record)?;
        line.push(b'\n');
        self.results.write_all(&line)?;
        self.results.sync_data()?;
        Ok(())
    }

    /// Rewrites the CSV and the summary from every record so far.
    pub fn write_derived(&self, records: &[RunRecord], summary: &SummaryFile) -> Result<()> {
        write_atomic(&self.dir.join(CSV_FILE), &csv::serialize(records)?)?;
        write_atomic(
            &self.dir.join(SUMMARY_FILE),
            &serde_json::to_vec_pretty(summary)?,
        )
    }
}

impl Drop for SweepFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.dir.join(SCRATCH_DIR));
    }
}

fn cannot_write(dir: &Path, e: std::io::Error) -> anyhow::Error {
    crate::error::UserError::usage(format!(
        "cannot write the output folder {}: {e}",
        dir.display()
    ))
    .with_hint("choose a writable folder with --out DIR")
    .into()
}

/// Writes through a temporary file and a rename, so readers never see half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

/// A run killed while its line was written leaves a torn last line: drop it.
fn drop_torn_tail(path: &Path) -> Result<()> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    if text.is_empty() || text.ends_with('\n') {
        return Ok(());
    }
    let keep = text.rfind('\n').map_or(0, |i| i + 1);
    std::fs::write(path, &text[..keep])?;
    Ok(())
}

/// Reads a sweep folder's metadata and records: the one reader of result files (resume,
/// report, compare). A folder without `results.jsonl` has no finished run yet.
pub fn load(dir: &Path) -> Result<(SweepMeta, Vec<RunRecord>)> {
    if !dir.is_dir() {
        return Err(crate::error::usage(format!(
            "{} is not a folder; give the folder a sweep wrote its results to",
            dir.display()
        )));
    }
    let meta_path = dir.join(META_FILE);
    let meta: SweepMeta = serde_json::from_slice(&std::fs::read(&meta_path).map_err(|_| {
        crate::error::usage(format!(
            "{} is not a kafkatune sweep folder: {META_FILE} not found; give the folder `kafkatune sweep` wrote (it holds {META_FILE} and {RESULTS_FILE})",
            dir.display()
        ))
    })?)
    .map_err(|e| {
        crate::error::usage(format!("{} is not a valid {META_FILE}: {e}", meta_path.display()))
    })?;
    check_version(&meta_path, meta.schema_version)?;
    let results_path = dir.join(RESULTS_FILE);
    let text = std::fs::read_to_string(&results_path).unwrap_or_default();
    let records = parse_records(&results_path, &text)?;
    Ok((meta, records))
}

/// One record per line. Only a torn last line (a kafkatune killed mid-write: that run never
/// finished) is skipped: a bad line elsewhere means a damaged file, and resuming over it
/// would silently redo runs.
fn parse_records(path: &Path, text: &str) -> Result<Vec<RunRecord>> {
    let complete = if text.ends_with('\n') {
        text
    } else {
        &text[..text.rfind('\n').map_or(0, |i| i + 1)]
    };
    let mut records = Vec::new();
    for (n, line) in complete
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let record = serde_json::from_str::<RunRecord>(line).map_err(|e| {
            crate::error::usage(format!(
                "{}:{}: not a run record ({e}); repair or remove that line",
                path.display(),
                n + 1
            ))
        })?;
        check_version(path, record.schema_version)?;
        records.push(record);
    }
    Ok(records)
}

/// A file of a newer schema than this kafkatune reads is refused, with the fix.
pub fn check_version(path: &Path, version: u32) -> Result<()> {
    if version > SCHEMA_VERSION {
        return Err(crate::error::usage(format!(
            "{} was written by a newer kafkatune (schema version {version}, this one reads up to \
             {SCHEMA_VERSION}); upgrade kafkatune to read it",
            path.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_dropped_but_a_bad_middle_line_is_an_error() {
        let path = Path::new("/x/results.jsonl");
        let good = serde_json::to_string(&RunRecord {
            schema_version: 1,
            ..Default::default()
        })
        .unwrap();
        let records = parse_records(path, &format!("{good}\n{good}\n{{\"schema_ver")).unwrap();
        assert_eq!(records.len(), 2);
        let err = parse_records(path, &format!("{good}\nnot json\n{good}\n")).unwrap_err();
        assert!(
            err.to_string()
                .contains("/x/results.jsonl:2: not a run record"),
            "{err}"
        );
        let newer = serde_json::to_string(&RunRecord {
            schema_version: SCHEMA_VERSION + 1,
            ..Default::default()
        })
        .unwrap();
        let err = parse_records(path, &format!("{newer}\n")).unwrap_err();
        assert!(err.to_string().contains("upgrade kafkatune"), "{err}");
    }

    #[test]
    fn missing_files_are_named_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("is not a kafkatune sweep folder: sweep.json not found"),
            "{err}"
        );
        let err = load(&dir.path().join("nope")).unwrap_err().to_string();
        assert!(err.contains("is not a folder"), "{err}");
    }
}
