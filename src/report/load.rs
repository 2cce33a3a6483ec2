//! Reading a sweep folder: the saved result files are the report's only input.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::error;
use crate::export::{self, META_FILE, RESULTS_FILE, SUMMARY_FILE};
use crate::results::{RunRecord, SummaryFile, SweepMeta};
use crate::stats::summary::summarize_runs;

/// Everything a sweep folder holds, as read from its files.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub dir: PathBuf,
    pub meta: SweepMeta,
    pub records: Vec<RunRecord>,
    pub summary: SummaryFile,
}

/// Reads a sweep folder (`export::load`) and its `summary.json`.
///
/// `summary.json` is derived from `results.jsonl`; when it is missing (a sweep stopped before
/// its first summary was written) it is recomputed rather than refused, and so is one
/// written before schema 3, whose bootstrap intervals had no level and whose ties came from
/// overlapping intervals.
pub fn load(dir: &Path) -> Result<Sweep> {
    let (meta, records) = export::load(dir)?;
    if !dir.join(RESULTS_FILE).exists() {
        return Err(error::usage(format!(
            "{} is not a kafkatune sweep folder: {RESULTS_FILE} not found; give the folder `kafkatune sweep` wrote (it holds {META_FILE} and {RESULTS_FILE})",
            dir.display()
        )));
    }
    let summary_path = dir.join(SUMMARY_FILE);
    let summary = match fs::read_to_string(&summary_path) {
        Ok(text) => {
            let summary: SummaryFile = serde_json::from_str(&text).map_err(|e| {
                error::usage(format!(
                    "{} is not a valid {SUMMARY_FILE}: {e}; delete it and it is recomputed",
                    summary_path.display()
                ))
            })?;
            export::check_version(&summary_path, summary.schema_version)?;
            if summary.schema_version < 3 {
                summarize_runs(&meta, &records)
            } else {
                summary
            }
        }
        Err(_) => summarize_runs(&meta, &records),
    };
    Ok(Sweep {
        dir: dir.to_path_buf(),
        meta,
        records,
        summary,
    })
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
    fn secrets_are_masked() {
        assert_eq!(
            shown_value("sasl.jaas.config", "x required password=\"p\""),
            "*****"
        );
        assert_eq!(shown_value("ssl.key.password", "p"), "*****");
        assert_eq!(shown_value("ssl.keystore.location", "/k"), "*****");
        assert_eq!(shown_value("fetch.min.bytes", "1024"), "1024");
    }
}
