//! What a sweep records about its payload: where the bodies came from (so a run can be
//! repeated with the same bytes) and how they compress (so compression results can be read).

pub use crate::results::PayloadInfo;

use super::{Payload, PayloadSource};

impl Payload {
    /// The description a sweep records, with compressibility measured at `batch_bytes`.
    pub fn info(&self, batch_bytes: usize) -> PayloadInfo {
        let c = self.compressibility(batch_bytes);
        let (kind, seed, source_file, source_format, source_sha256) = match &self.source {
            PayloadSource::Generated { kind, seed } => (kind.name(), Some(*seed), None, None, None),
            PayloadSource::File {
                path,
                format,
                sha256,
            } => {
                let file = Some(path.display().to_string());
                ("file", None, file, Some(*format), Some(sha256.clone()))
            }
        };
        PayloadInfo {
            kind: kind.to_string(),
            seed,
            source_file,
            source_format: source_format.map(|f: super::FileFormat| f.name().to_string()),
            source_sha256,
            records_in_pool: self.records(),
            value_bytes_avg: self.value_bytes_avg(),
            batch_bytes: c.batch_bytes,
            lz4_ratio: c.lz4_ratio(),
            zstd_ratio: c.zstd_ratio(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{PayloadKind, DEFAULT_BATCH_BYTES};
    use super::*;

    #[test]
    fn info_describes_the_source_and_its_compressibility() {
        let p = Payload::generate(PayloadKind::Json, 500, 9);
        let info = p.info(DEFAULT_BATCH_BYTES);
        assert_eq!(
            (info.kind.as_str(), info.seed, info.source_file.as_ref()),
            ("json", Some(9), None)
        );
        assert_eq!(
            (info.records_in_pool, info.value_bytes_avg, info.batch_bytes),
            (p.records(), 500.0, 16_384)
        );
        assert!(info.zstd_ratio > 0.0 && info.zstd_ratio < info.lz4_ratio);
        let back: PayloadInfo =
            serde_json::from_str(&serde_json::to_string(&info).unwrap()).unwrap();
        assert_eq!(back, info);

        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), "abc\n").unwrap();
        let info = Payload::from_file(f.path(), super::super::FileFormat::Lines)
            .unwrap()
            .info(DEFAULT_BATCH_BYTES);
        assert_eq!(info.kind, "file");
        assert_eq!(info.seed, None);
        assert_eq!(info.source_file, Some(f.path().display().to_string()));
        assert_eq!(info.source_format.as_deref(), Some("lines"));
        assert_eq!(
            info.source_sha256.as_deref(),
            Some("edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb")
        );
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["source_format"], "lines");
    }
}
