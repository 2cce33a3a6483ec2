//! Reading a sweep folder: the saved result files are the report's only input.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::results::{RunRecord, SummaryFile, SweepMeta, SCHEMA_VERSION};
use crate::stats::summary::summarize_runs;

/// Everything a sweep folder holds, as read from its files.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub dir: PathBuf,
    pub meta: SweepMeta,
    pub records: Vec<RunRecord>,
    pub summary: SummaryFile,
}

/// Reads `sweep.json`, `results.jsonl` and `summary.json` from `dir`.
///
/// `summary.json` is derived from `results.jsonl`; when it is missing (a sweep stopped before
/// its first summary was written) it is recomputed rather than refused.
pub fn load(dir: &Path) -> Result<Sweep> {
    if !dir.is_dir() {
        bail!(
            "{} is not a folder; give the folder a sweep wrote its results to",
            dir.display()
        );
    }
    let meta: SweepMeta = serde_json::from_str(&read(dir, "sweep.json")?).with_context(|| {
        format!(
            "{} is not a valid sweep.json",
            dir.join("sweep.json").display()
        )
    })?;
    check_version(dir, "sweep.json", meta.schema_version)?;
    let records = parse_records(dir, &read(dir, "results.jsonl")?)?;
    let summary_path = dir.join("summary.json");
    let summary = if summary_path.exists() {
        let summary: SummaryFile = serde_json::from_str(&read(dir, "summary.json")?)
            .with_context(|| format!("{} is not a valid summary.json", summary_path.display()))?;
        check_version(dir, "summary.json", summary.schema_version)?;
        summary
    } else {
        summarize_runs(&meta, &records)
    };
    Ok(Sweep {
        dir: dir.to_path_buf(),
        meta,
        records,
        summary,
    })
}

fn read(dir: &Path, name: &str) -> Result<String> {
    let path = dir.join(name);
    if !path.exists() {
        bail!(
            "{} is not a kafkatune sweep folder: {name} not found; give the folder `kafkatune sweep` \
             wrote (it holds sweep.json and results.jsonl)",
            dir.display()
        );
    }
    fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
}

fn check_version(dir: &Path, name: &str, version: u32) -> Result<()> {
    if version > SCHEMA_VERSION {
        bail!(
            "{} was written by a newer kafkatune (schema version {version}, this one reads up to \
             {SCHEMA_VERSION}); upgrade kafkatune to read it",
            dir.join(name).display()
        );
    }
    Ok(())
}

/// One record per line. A last line cut short (the sweep was killed while writing it) is
/// dropped, as the run it describes never finished; a bad line elsewhere is an error.
fn parse_records(dir: &Path, text: &str) -> Result<Vec<RunRecord>> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut records = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<RunRecord>(line) {
            Ok(record) => {
                check_version(dir, "results.jsonl", record.schema_version)?;
                records.push(record);
            }
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(e) => bail!(
                "{} line {}: not a run record ({e}); remove or repair that line",
                dir.join("results.jsonl").display(),
                i + 1
            ),
        }
    }
    Ok(records)
}

/// A property value as it may be shown: the value of a property that could hold a secret
/// (its name contains `password`, `jaas`, `secret` or `key`) is masked, even though the
/// sweep masks secrets when it writes them, in case a file came from elsewhere.
pub fn shown_value<'a>(key: &str, value: &'a str) -> &'a str {
    let key = key.to_ascii_lowercase();
    if ["password", "jaas", "secret", "key"]
        .iter()
        .any(|s| key.contains(s))
    {
        "*****"
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn secrets_are_masked() {
        assert_eq!(
            shown_value("sasl.jaas.config", "x required password=\"p\""),
            "*****"
        );
        assert_eq!(shown_value("ssl.key.password", "p"), "*****");
        assert_eq!(shown_value("ssl.keystore.location", "/k"), "*****");
        assert_eq!(shown_value("fetch.min.bytes", "1024"), "1024");
    }

    #[test]
    fn a_cut_last_line_is_dropped_but_a_bad_middle_line_is_an_error() {
        let dir = Path::new("/x");
        let good = serde_json::to_string(&RunRecord {
            schema_version: 1,
            ..Default::default()
        })
        .unwrap();
        let records = parse_records(dir, &format!("{good}\n{good}\n{{\"schema_ver")).unwrap();
        assert_eq!(records.len(), 2);
        let err = parse_records(dir, &format!("{good}\nnot json\n{good}\n")).unwrap_err();
        assert!(
            err.to_string()
                .contains("results.jsonl line 2: not a run record"),
            "{err}"
        );
    }
}
