//! The user's own sample records (`--payload FILE`): read once, split into records, hashed
//! so a sweep records exactly which sample it ran with.

use std::path::Path;

use anyhow::Result;
use sha2::{Digest, Sha256};

use super::{FileFormat, MAX_RECORD_BYTES};
use crate::error::usage;

/// A sample file's records, back to back, with their offsets and the file's SHA-256.
pub(super) struct Loaded {
    pub(super) data: Vec<u8>,
    pub(super) offsets: Vec<usize>,
    pub(super) sha256: String,
}

/// Reads and splits `path`; every failure is a usage error naming the file.
pub(super) fn load(path: &Path, format: FileFormat) -> Result<Loaded> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        usage(format!("cannot read the payload file {shown}: {e}; give --payload a readable file of sample records"))
    })?;
    if bytes.is_empty() {
        return Err(usage(format!(
            "the payload file {shown} is empty; {}",
            expected(format)
        )));
    }
    let records = match format {
        FileFormat::Lines => lines(&bytes),
        FileFormat::LengthPrefixed => length_prefixed(&bytes),
    }
    .map_err(|problem| usage(format!("the payload file {shown}: {problem}")))?;
    if records.is_empty() {
        return Err(usage(format!(
            "the payload file {shown} holds no records (only empty lines); {}",
            expected(format)
        )));
    }
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let mut data = Vec::with_capacity(records.iter().map(|r| r.len()).sum());
    let mut offsets = Vec::with_capacity(records.len() + 1);
    offsets.push(0);
    for r in records {
        data.extend_from_slice(r);
        offsets.push(data.len());
    }
    Ok(Loaded {
        data,
        offsets,
        sha256,
    })
}

/// What a file of `format` should hold, for error messages.
fn expected(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Lines => "give a file with one sample record per line",
        FileFormat::LengthPrefixed => {
            "give a file of records, each preceded by its length as 4 bytes big-endian"
        }
    }
}

/// One record per line; `\n` or `\r\n` ends a line (a file written on Windows must not
/// put a stray `\r` in every record); empty lines are skipped.
fn lines(bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut records = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if line.len() > MAX_RECORD_BYTES {
            return Err(too_long(&format!("line {}", i + 1), line.len()));
        }
        records.push(line);
    }
    Ok(records)
}

/// Records each preceded by a 4-byte big-endian length. Empty records are kept: Kafka
/// values may be empty, and the user wrote them on purpose.
fn length_prefixed(bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut records = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = bytes.len() - at;
        let Some(prefix) = bytes.get(at..at + 4) else {
            return Err(format!(
                "the length prefix at byte offset {at} is cut short ({rest} of 4 bytes); the file is truncated or not length-prefixed"
            ));
        };
        let len = u32::from_be_bytes(prefix.try_into().expect("4 bytes")) as usize;
        if len > MAX_RECORD_BYTES {
            let what = format!("the record at byte offset {at}");
            return Err(format!(
                "{} (if the file is not length-prefixed, read it as lines)",
                too_long(&what, len)
            ));
        }
        if len > rest - 4 {
            return Err(format!(
                "the record at byte offset {at} declares {len} bytes but only {} follow; the file is truncated or not length-prefixed",
                rest - 4
            ));
        }
        records.push(&bytes[at + 4..at + 4 + len]);
        at += 4 + len;
    }
    Ok(records)
}

fn too_long(what: &str, len: usize) -> String {
    format!("{what} is {len} bytes, over the limit of {MAX_RECORD_BYTES} bytes (10 MiB); give smaller sample records")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(bytes: &[u8]) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), bytes).unwrap();
        f
    }

    fn records(l: &Loaded) -> Vec<&[u8]> {
        l.offsets.windows(2).map(|w| &l.data[w[0]..w[1]]).collect()
    }

    fn error(bytes: &[u8], format: FileFormat) -> (String, String) {
        let f = write(bytes);
        let e = load(f.path(), format).err().expect("an error");
        let user = e
            .downcast_ref::<crate::error::UserError>()
            .expect("a UserError");
        assert_eq!(user.kind, crate::error::ErrorKind::Usage);
        (e.to_string(), f.path().display().to_string())
    }

    #[test]
    fn lines_drop_line_ends_and_empty_lines() {
        let f = write(b"{\"a\":1}\n\n{\"b\":2}\r\nlast without newline");
        let l = load(f.path(), FileFormat::Lines).unwrap();
        assert_eq!(
            records(&l),
            [&b"{\"a\":1}"[..], b"{\"b\":2}", b"last without newline"]
        );
    }

    #[test]
    fn length_prefixed_records_are_split_by_their_lengths() {
        let mut bytes = Vec::new();
        for r in [&b"one"[..], b"", b"line\nbreak"] {
            bytes.extend_from_slice(&(r.len() as u32).to_be_bytes());
            bytes.extend_from_slice(r);
        }
        let f = write(&bytes);
        let l = load(f.path(), FileFormat::LengthPrefixed).unwrap();
        assert_eq!(records(&l), [&b"one"[..], b"", b"line\nbreak"]);
    }

    #[test]
    fn the_hash_is_the_files_sha256() {
        let f = write(b"abc\n");
        let l = load(f.path(), FileFormat::Lines).unwrap();
        // sha256sum of "abc\n".
        assert_eq!(
            l.sha256,
            "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb"
        );
    }

    #[test]
    fn a_truncated_record_names_its_offset() {
        let mut bytes = vec![0, 0, 0, 2, b'o', b'k'];
        bytes.extend_from_slice(&[0, 0, 0, 10, b'x']);
        let (msg, path) = error(&bytes, FileFormat::LengthPrefixed);
        assert!(msg.contains(&path), "{msg}");
        assert!(
            msg.contains("byte offset 6 declares 10 bytes but only 1 follow"),
            "{msg}"
        );
        let (msg, _) = error(&[0, 0, 0, 1, b'a', 0, 0], FileFormat::LengthPrefixed);
        assert!(
            msg.contains("length prefix at byte offset 5 is cut short (2 of 4 bytes)"),
            "{msg}"
        );
    }

    #[test]
    fn oversized_records_are_refused() {
        let (msg, _) = error(&[0x7f, 0, 0, 0], FileFormat::LengthPrefixed);
        assert!(
            msg.contains("record at byte offset 0 is 2130706432 bytes, over the limit"),
            "{msg}"
        );
        let mut big = vec![b'x'; MAX_RECORD_BYTES + 1];
        big.insert(0, b'\n');
        let (msg, _) = error(&big, FileFormat::Lines);
        assert!(msg.contains("line 2 is 10485761 bytes"), "{msg}");
    }

    #[test]
    fn empty_files_and_files_without_records_are_refused() {
        let (msg, path) = error(b"", FileFormat::Lines);
        assert_eq!(
            msg,
            format!(
                "the payload file {path} is empty; give a file with one sample record per line"
            )
        );
        let (msg, _) = error(b"\n\r\n\n", FileFormat::Lines);
        assert!(msg.contains("holds no records (only empty lines)"), "{msg}");
        let (msg, _) = error(b"", FileFormat::LengthPrefixed);
        assert!(
            msg.contains("preceded by its length as 4 bytes big-endian"),
            "{msg}"
        );
    }

    #[test]
    fn a_missing_file_is_a_usage_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.jsonl");
        let e = load(&path, FileFormat::Lines).err().unwrap();
        assert_eq!(
            e.downcast_ref::<crate::error::UserError>().unwrap().kind,
            crate::error::ErrorKind::Usage
        );
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!(
                "cannot read the payload file {}: ",
                path.display()
            )),
            "{msg}"
        );
        assert!(
            msg.ends_with("give --payload a readable file of sample records"),
            "{msg}"
        );
    }
}
