//! A secured cluster: SASL/SCRAM through Kafka properties, passed to every client and to the
//! admin and producer side; secrets masked in every output; a wrong password is a clear,
//! bounded error.

use std::time::{Duration, Instant};

use super::{
    kafkatune_on, out_dir, prepare_topic, refused_sweep, scram_jaas, shared, sweep_ok, topic,
    SCRAM_PASSWORD, SCRAM_USER,
};

fn command_config(dir: &std::path::Path, password: &str) -> std::path::PathBuf {
    let path = dir.join("admin.properties");
    let text = format!(
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n{}\n",
        scram_jaas(password)
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// Every file under `dir`, as text.
fn all_text(dir: &std::path::Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            text.push_str(&all_text(&path));
        } else if let Ok(t) = std::fs::read_to_string(&path) {
            text.push_str(&t);
        }
    }
    text
}

#[test]
fn every_client_reads_through_scram_and_no_secret_is_written() {
    let b = shared();
    let (tmp, dir) = out_dir();
    let admin = command_config(tmp.path(), SCRAM_PASSWORD);
    let t = topic("scram");
    let (recs, printed) = sweep_ok(
        kafkatune_on("sweep", &b.scram_bootstrap, &t)
            .args(["--prepare", "--messages", "2000", "--repeat", "1"])
            .args([
                "--client",
                "librdkafka,java,kafka-python",
                "-X",
                "security.protocol=SASL_PLAINTEXT",
                "-X",
                "sasl.mechanism=SCRAM-SHA-256",
                "-X",
                &scram_jaas(SCRAM_PASSWORD),
            ])
            .arg("--command-config")
            .arg(&admin),
        &dir,
        2000,
    );
    assert_eq!(recs.len(), 3);
    for r in &recs {
        assert_eq!(r.params["sasl.jaas.config"], "*****");
    }
    for (what, text) in [
        ("the terminal", printed),
        ("the sweep folder", all_text(&dir)),
    ] {
        assert!(
            !text.contains(SCRAM_PASSWORD),
            "the password appears in {what}"
        );
    }
    assert!(all_text(&dir).contains("report.html") || dir.join("report.html").exists());
}

/// A properties file as people write them: the JAAS line continued over three lines with
/// `\`, a `key value` pair, a `key: value` pair.
fn multi_line_config(path: &std::path::Path, password: &str) {
    let text = format!(
        "# SCRAM, as a managed cluster hands it out\n\
         security.protocol SASL_PLAINTEXT\n\
         sasl.mechanism: SCRAM-SHA-256\n\
         sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n    \
         username=\"{SCRAM_USER}\" \\\n    \
         password=\"{password}\";\n"
    );
    std::fs::write(path, text).unwrap();
}

#[test]
fn multi_line_jaas_in_properties_files_works_for_prepare_and_every_client() {
    let b = shared();
    let (tmp, dir) = out_dir();
    let (consumer, admin) = (
        tmp.path().join("consumer.properties"),
        tmp.path().join("admin.properties"),
    );
    multi_line_config(&consumer, SCRAM_PASSWORD);
    multi_line_config(&admin, SCRAM_PASSWORD);
    let t = topic("multiline");
    // `prepare` on the user's cluster: running it is the permission to write.
    kafkatune_on("prepare", &b.scram_bootstrap, &t)
        .args(["--messages", "1500"])
        .arg("--command-config")
        .arg(&admin)
        .assert()
        .success();
    let (recs, printed) = sweep_ok(
        kafkatune_on("sweep", &b.scram_bootstrap, &t)
            .args([
                "--messages",
                "1500",
                "--repeat",
                "1",
                "--client",
                "librdkafka,java,kafka-python",
            ])
            .arg("--consumer.config")
            .arg(&consumer)
            .arg("--command-config")
            .arg(&admin),
        &dir,
        1500,
    );
    assert_eq!(recs.len(), 3);
    assert!(!printed.contains(SCRAM_PASSWORD) && !all_text(&dir).contains(SCRAM_PASSWORD));
}

#[test]
fn a_wrong_password_is_a_clear_error_within_the_timeout() {
    let b = shared();
    let tmp = tempfile::tempdir().unwrap();
    let admin = command_config(tmp.path(), "wrong-password");
    let started = Instant::now();
    let stderr = refused_sweep(&b.scram_bootstrap, Some(&admin));
    assert!(
        stderr.contains("authentication"),
        "names the cause: {stderr}"
    );
    assert!(
        !stderr.contains("wrong-password"),
        "no secret in the message"
    );
    assert!(started.elapsed() < Duration::from_secs(40));
}

#[test]
fn every_client_reads_through_sasl_plain() {
    let b = shared();
    let (tmp, dir) = out_dir();
    let t = topic("plain");
    let jaas = format!(
        r#"sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="{SCRAM_USER}" password="{SCRAM_PASSWORD}";"#
    );
    let security = [
        "-X",
        "security.protocol=SASL_PLAINTEXT",
        "-X",
        "sasl.mechanism=PLAIN",
        "-X",
        &jaas,
    ];
    let admin = tmp.path().join("plain.properties");
    std::fs::write(
        &admin,
        format!("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n{jaas}\n"),
    )
    .unwrap();
    // The topic is filled over PLAINTEXT; the sweep reads it over SASL PLAIN.
    prepare_topic(&t, 1500);
    let mut sweep = kafkatune_on("sweep", &b.scram_bootstrap, &t);
    sweep
        .args([
            "--messages",
            "1500",
            "--repeat",
            "1",
            "--client",
            "librdkafka,java,kafka-python",
            "--no-report",
        ])
        .args(security)
        .arg("--command-config")
        .arg(&admin);
    let (recs, _) = sweep_ok(&mut sweep, &dir, 1500);
    assert_eq!(recs.len(), 3);
    assert!(!all_text(&dir).contains(SCRAM_PASSWORD));
}
