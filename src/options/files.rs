//! Users' `.properties` files (`--consumer.config`, `--command-config`), read as Java reads
//! them.

use std::path::Path;

use anyhow::Result;

use crate::error::usage;
use crate::results::Params;

/// Reads a Java `.properties` file with the `java-properties` crate, which follows
/// `java.util.Properties.load`: `key=value`, `key: value` and `key value`, `#`/`!` comments,
/// `\` line continuations (the usual way to write a multi-line `sasl.jaas.config`), and the
/// `\=`, `\:`, `\uXXXX` escapes. Values keep no surrounding white space.
pub fn read_properties(path: &Path) -> Result<Params> {
    let file = std::fs::File::open(path).map_err(|e| {
        usage(format!(
            "cannot read the properties file {}: {e}",
            path.display()
        ))
    })?;
    let map = java_properties::read(std::io::BufReader::new(file)).map_err(|e| {
        usage(format!(
            "{}: not a valid Java properties file: {e}",
            path.display()
        ))
    })?;
    Ok(map
        .into_iter()
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Params {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("client.properties");
        std::fs::write(&path, text).unwrap();
        read_properties(&path).unwrap()
    }

    #[test]
    fn continuations_separators_and_escapes_follow_java() {
        let p = read(concat!(
            "# a comment\n",
            "! another\n",
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n",
            "    username=\"alice\" \\\n",
            "    password=\"s3cr=t\";\n",
            "fetch.min.bytes 1024\n",
            "fetch.max.wait.ms: 500\n",
            "client.id=a\\=b\\:c\n",
            "ssl.truststore.location=/tmp/caf\\u00e9.pem\n",
        ));
        assert_eq!(
            p["sasl.jaas.config"],
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"s3cr=t\";"
        );
        assert_eq!(p["fetch.min.bytes"], "1024");
        assert_eq!(p["fetch.max.wait.ms"], "500");
        assert_eq!(p["client.id"], "a=b:c");
        assert_eq!(p["ssl.truststore.location"], "/tmp/café.pem");
        assert_eq!(p.len(), 5);
    }

    #[test]
    fn a_missing_file_names_itself() {
        let err = read_properties(Path::new("/nonexistent/x.properties")).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/x.properties"),
            "{err}"
        );
    }
}
