//! A class-data-sharing archive of the broker's classes (AppCDS, JDK 13+ dynamic archives:
//! JEP 350), so a broker JVM maps its classes, already parsed and verified, instead of
//! loading and verifying them at every start (about 7,600 classes until the broker is up,
//! 3,900 of them from Kafka's 90 jars, which the JDK's own archive does not hold). On this
//! machine (2 cores) it cuts the CPU time a broker takes until `Kafka Server started` from
//! about 4.5 s to about 2.6 s.
//!
//! It changes only how classes are loaded: the JIT, the heap and the GC are the same, so the
//! broker runs the same once started. The first attached broker that finds no archive asks
//! the JVM to write one when it exits (`-XX:ArchiveClassesAtExit`, a few seconds at that
//! broker's stop, once); later brokers map it (`-XX:SharedArchiveFile`). The JVM checks that
//! the class path (each jar's size and time) and its own build still match the archive and
//! otherwise starts without it, with a warning in broker.log; the archive's name carries the
//! Java build and the jars, so a changed jar or Java gets a new one.
//!
//! A truncated archive crashes the JVM that maps it, so an archive is written under a
//! temporary name, checked by a JVM that must map it (`-Xshare:on`), then renamed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use super::jars::KafkaJars;
use crate::cache;

/// The JVM options for one broker, and the archive it is to write when it exits, if any.
pub(super) struct ArchiveUse {
    pub jvm_args: Vec<String>,
    pub pending: Option<PendingArchive>,
}

/// An archive a broker JVM writes at its exit, to be checked and put in place after it.
#[derive(Debug)]
pub(super) struct PendingArchive {
    partial: PathBuf,
    target: PathBuf,
    classpath: String,
}

/// How a broker uses the archive: maps it when there is one; otherwise, when `may_write`
/// (a broker kafkatune itself stops), writes it at exit.
pub(super) fn for_broker(jars: &KafkaJars, may_write: bool) -> ArchiveUse {
    let Some(target) = archive_path(jars) else {
        return ArchiveUse {
            jvm_args: Vec::new(),
            pending: None,
        };
    };
    if target.is_file() {
        return ArchiveUse {
            jvm_args: vec![format!("-XX:SharedArchiveFile={}", target.display())],
            pending: None,
        };
    }
    let folder = target.parent().expect("an archive is in a folder");
    if !may_write || std::fs::create_dir_all(folder).is_err() {
        return ArchiveUse {
            jvm_args: Vec::new(),
            pending: None,
        };
    }
    remove_abandoned(folder);
    let partial = target.with_extension(format!(
        "jsa.partial-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default()
    ));
    ArchiveUse {
        jvm_args: vec![
            format!("-XX:ArchiveClassesAtExit={}", partial.display()),
            // The dump warns about every class it skips (hundreds of lines at exit).
            "-Xlog:cds=off".into(),
            "-Xlog:cds+dynamic=off".into(),
        ],
        pending: Some(PendingArchive {
            partial,
            target,
            classpath: jars.classpath(),
        }),
    }
}

impl PendingArchive {
    /// After the broker's JVM exited: keeps the archive it wrote if a JVM can map it.
    pub(super) fn finish(self) {
        if self.partial.is_file() && maps(&self.partial, &self.classpath) {
            let _ = std::fs::rename(&self.partial, &self.target);
        }
        let _ = std::fs::remove_file(&self.partial);
    }
}

/// Removes the partial archives of kafkatunes that died before putting theirs in place
/// (their broker was killed while it wrote it): `NAME.jsa.partial-PID-NANOS`.
fn remove_abandoned(folder: &Path) {
    for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let owner = name
            .split_once(".jsa.partial-")
            .and_then(|(_, rest)| rest.split('-').next()?.parse::<u32>().ok());
        if owner.is_some_and(|pid| !crate::process::alive(pid)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a JVM starts with `archive` required (`-Xshare:on` fails when it cannot map it,
/// or when the class path does not match).
fn maps(archive: &Path, classpath: &str) -> bool {
    Command::new("java")
        .arg("-XX:+SuppressFatalErrorMessage")
        .arg(format!("-XX:SharedArchiveFile={}", archive.display()))
        .arg("-Xshare:on")
        .arg("-cp")
        .arg(classpath)
        .arg("-version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `cache/class-archives/kafka-VERSION-KEY.jsa`, the key a hash of the Java build and of
/// every jar's name, size and modification time; `None` when Java cannot be identified.
fn archive_path(jars: &KafkaJars) -> Option<PathBuf> {
    let java = super::java::runtime().ok()?;
    let mut hash = Sha256::new();
    hash.update(java.version_text.as_bytes());
    hash.update(java.binary.as_os_str().as_encoded_bytes());
    hash.update(jars.libs.as_os_str().as_encoded_bytes());
    let mut entries: Vec<(String, u64, u64)> = std::fs::read_dir(&jars.libs)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let meta = e.metadata().ok()?;
            let mtime = meta
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_nanos() as u64;
            Some((name, meta.len(), mtime))
        })
        .collect();
    entries.sort();
    for (name, len, mtime) in entries {
        hash.update(name.as_bytes());
        hash.update(len.to_le_bytes());
        hash.update(mtime.to_le_bytes());
    }
    let key = super::storage::hex(&hash.finalize()[..8]);
    Some(
        cache::dir()
            .join("class-archives")
            .join(format!("kafka-{}-{key}.jsa", jars.version)),
    )
}
