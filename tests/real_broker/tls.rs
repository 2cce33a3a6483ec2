//! A TLS cluster: mutual TLS through Kafka's PEM store properties, the same files for every
//! client and for the admin and producer side (which takes the consumers' settings when no
//! --command-config is given); SCRAM over TLS; a client the broker does not trust is a
//! clear, bounded error.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use super::{
    kafkatune_on, out_dir, refused_sweep, scram_jaas, shared, sweep_ok, topic, SCRAM_PASSWORD,
};

/// PEM files of a test CA, the broker's key store and a client's key store.
pub struct Certificates {
    pub ca: PathBuf,
    pub broker: PathBuf,
    pub client: PathBuf,
}

/// Makes a CA and two certificates it signs, each key store a private key followed by its
/// certificate (the PEM key store of KIP-651, which librdkafka and kafka-python read too).
pub fn generate(dir: &Path) -> Certificates {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kafkatune test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf = |name: &str, sans: Vec<String>, usage: ExtendedKeyUsagePurpose| {
        let mut params = CertificateParams::new(sans).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![usage];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &issuer).unwrap();
        format!("{}{}", key.serialize_pem(), cert.pem())
    };
    let files = Certificates {
        ca: dir.join("ca.pem"),
        broker: dir.join("broker.pem"),
        client: dir.join("client.pem"),
    };
    std::fs::write(&files.ca, ca_cert.pem()).unwrap();
    std::fs::write(
        &files.broker,
        leaf(
            "localhost",
            vec!["localhost".into(), "127.0.0.1".into()],
            ExtendedKeyUsagePurpose::ServerAuth,
        ),
    )
    .unwrap();
    std::fs::write(
        &files.client,
        leaf(
            "kafkatune-test-client",
            vec![],
            ExtendedKeyUsagePurpose::ClientAuth,
        ),
    )
    .unwrap();
    files
}

/// Kafka's TLS properties for the test listener, with or without the client's key store.
pub fn tls_properties(with_client_certificate: bool) -> Vec<String> {
    let c = &shared().certificates;
    let mut props = vec![
        "security.protocol=SSL".to_string(),
        "ssl.truststore.type=PEM".to_string(),
        format!("ssl.truststore.location={}", c.ca.display()),
    ];
    if with_client_certificate {
        props.push("ssl.keystore.type=PEM".to_string());
        props.push(format!("ssl.keystore.location={}", c.client.display()));
    }
    props
}

fn command_config(dir: &Path, with_client_certificate: bool) -> PathBuf {
    let path = dir.join("admin.properties");
    std::fs::write(&path, tls_properties(with_client_certificate).join("\n")).unwrap();
    path
}

#[test]
fn every_client_reads_through_mutual_tls_from_the_same_pem_files() {
    let b = shared();
    let (_tmp, dir) = out_dir();
    let t = topic("tls");
    let mut sweep = kafkatune_on("sweep", &b.tls_bootstrap, &t);
    sweep.args([
        "--prepare",
        "--messages",
        "2000",
        "--repeat",
        "1",
        "--client",
        "librdkafka,java,kafka-python",
        "--no-report",
    ]);
    for p in tls_properties(true) {
        sweep.arg("-X").arg(p);
    }
    // No --command-config: the admin and producer side takes the consumers' settings.
    let (recs, printed) = sweep_ok(&mut sweep, &dir, 2000);
    assert_eq!(recs.len(), 3);
    for r in &recs {
        assert_eq!(r.params["security.protocol"], "SSL");
    }
    // The private keys stay in their files: no output holds one.
    let all = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect::<String>()
        + &printed;
    assert!(!all.contains("PRIVATE KEY"));
}

#[test]
fn a_client_without_a_certificate_is_refused_clearly_within_the_timeout() {
    let b = shared();
    let tmp = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let stderr = refused_sweep(&b.tls_bootstrap, Some(&command_config(tmp.path(), false)));
    assert!(
        stderr.contains("authentication")
            && stderr.contains("certificate")
            && stderr.contains(&b.tls_bootstrap),
        "names the cause and the address: {stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "a refused handshake is final: no need to wait out the timeout"
    );
}

#[test]
fn every_client_reads_through_scram_over_tls() {
    let b = shared();
    let (_tmp, dir) = out_dir();
    let t = topic("sasl-ssl");
    let c = &b.certificates;
    let mut sweep = kafkatune_on("sweep", &b.sasl_tls_bootstrap, &t);
    sweep.args([
        "--prepare",
        "--messages",
        "1500",
        "--repeat",
        "1",
        "--client",
        "librdkafka,java,kafka-python",
        "--no-report",
    ]);
    for p in [
        "security.protocol=SASL_SSL".to_string(),
        "sasl.mechanism=SCRAM-SHA-256".to_string(),
        scram_jaas(SCRAM_PASSWORD),
        "ssl.truststore.type=PEM".to_string(),
        format!("ssl.truststore.location={}", c.ca.display()),
    ] {
        sweep.arg("-X").arg(p);
    }
    let (recs, printed) = sweep_ok(&mut sweep, &dir, 1500);
    assert_eq!(recs.len(), 3);
    assert!(!printed.contains(SCRAM_PASSWORD));
    for r in &recs {
        assert!(
            !serde_json::to_string(r).unwrap().contains(SCRAM_PASSWORD),
            "{}: the password is in its record",
            r.client
        );
    }
}

#[test]
fn a_plaintext_client_on_the_tls_port_is_told_to_set_the_security_protocol() {
    let b = shared();
    let stderr = refused_sweep(&b.tls_bootstrap, None);
    assert!(
        stderr.contains("closed every connection at its first request")
            && stderr.contains("security.protocol"),
        "{stderr}"
    );
}
