//! TLS stores. The Java client reads JKS, PKCS#12 and PEM stores under Kafka's names;
//! librdkafka reads PEM files (and a PKCS#12 key store) under its own names, kafka-python PEM
//! files only. So a PEM store, which all three read, is spelled out here per client, and any
//! other store is an error that names the way out.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::clients::ClientKind;

/// Where a client takes the pieces of a PEM store, and what key stores it reads.
struct Reader {
    ca: &'static str,
    certificate: &'static str,
    key: &'static str,
    key_password: &'static str,
    key_stores: &'static str,
}

const LIBRDKAFKA: Reader = Reader {
    ca: "ssl.ca.location",
    certificate: "ssl.certificate.location",
    key: "ssl.key.location",
    key_password: "ssl.key.password",
    key_stores: "key stores as PEM or PKCS#12 files",
};

const KAFKA_PYTHON: Reader = Reader {
    ca: "ssl_cafile",
    certificate: "ssl_certfile",
    key: "ssl_keyfile",
    key_password: "ssl_password",
    key_stores: "key stores as PEM files only",
};

/// The KafkaJS driver reads the PEM files and hands them to Node's TLS (`ssl: {ca, cert,
/// key, passphrase}`).
const KAFKAJS: Reader = Reader {
    ca: "ssl.ca",
    certificate: "ssl.cert",
    key: "ssl.key",
    key_password: "ssl.passphrase",
    key_stores: "key stores as PEM files only",
};

/// The TLS settings of `props` that librdkafka and kafka-python take only as a set: trust
/// and key stores (PEM files, which all three clients read; librdkafka also takes a PKCS#12
/// key store) and kafka-python's host name check. The Java client takes them as they are.
pub(super) fn stores(
    client: ClientKind,
    props: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Value>, String> {
    let reader = match client {
        ClientKind::Java | ClientKind::Fake => return Ok(BTreeMap::new()),
        // confluent-kafka-python is librdkafka: the same names, the same stores.
        ClientKind::Librdkafka | ClientKind::ConfluentKafkaPython => &LIBRDKAFKA,
        ClientKind::KafkaPython => &KAFKA_PYTHON,
        ClientKind::KafkaJs => &KAFKAJS,
    };
    let mut stores = Stores {
        client,
        reader,
        props,
        out: BTreeMap::new(),
    };
    stores.trust_store()?;
    stores.key_store()?;
    stores.host_check();
    Ok(stores.out)
}

/// One client's translation of the store settings, under way.
struct Stores<'a> {
    client: ClientKind,
    reader: &'static Reader,
    props: &'a BTreeMap<String, String>,
    out: BTreeMap<String, Value>,
}

impl<'a> Stores<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        self.props.get(name).map(String::as_str)
    }

    fn set(&mut self, name: &str, value: &str) {
        self.out
            .insert(name.to_string(), Value::String(value.to_string()));
    }

    /// Upper case, as Kafka compares store types; JKS when unset, Kafka's default.
    fn store_type(&self, name: &str) -> String {
        self.get(name).unwrap_or("JKS").to_ascii_uppercase()
    }

    /// What the client reads, and the two ways out.
    fn own(&self, what: &str) -> String {
        format!(
            "the {} client reads {what}; give PEM files (ssl.truststore.type=PEM, ssl.keystore.type=PEM), which all three clients read, or give each client its own setting (java.ssl.truststore.location=..., librdkafka.ssl.ca.location=..., kafka-python.ssl_cafile=...)",
            self.client.name()
        )
    }

    fn trust_store(&mut self) -> Result<(), String> {
        if let Some(location) = self.get("ssl.truststore.location") {
            let kind = self.store_type("ssl.truststore.type");
            if kind != "PEM" {
                return Err(format!(
                    "`ssl.truststore.location` names a {kind} trust store, but {}",
                    self.own("CA certificates from PEM files only")
                ));
            }
            self.set(self.reader.ca, location);
        }
        if self.get("ssl.truststore.password").is_some() {
            return Err(format!(
                "`ssl.truststore.password`: {}; a PEM trust store has no password, leave it out",
                self.own("trust stores from PEM files only")
            ));
        }
        Ok(())
    }

    fn key_store(&mut self) -> Result<(), String> {
        let Some(location) = self.get("ssl.keystore.location") else {
            return Ok(());
        };
        match (self.store_type("ssl.keystore.type").as_str(), self.client) {
            ("PEM", _) => {
                if self.get("ssl.keystore.password").is_some() {
                    return Err("`ssl.keystore.password`: a PEM key store has no store password (Kafka refuses one too); give the private key's password as ssl.key.password".to_string());
                }
                // One PEM file holds both the certificate and the key.
                self.set(self.reader.certificate, location);
                self.set(self.reader.key, location);
                if let Some(password) = self.get("ssl.key.password") {
                    self.set(self.reader.key_password, password);
                }
            }
            // librdkafka opens a PKCS#12 key store itself, under Kafka's names.
            ("PKCS12", ClientKind::Librdkafka) => {
                self.set("ssl.keystore.location", location);
                if let Some(password) = self.get("ssl.keystore.password") {
                    self.set("ssl.keystore.password", password);
                }
            }
            (kind, _) => {
                return Err(format!(
                    "`ssl.keystore.location` names a {kind} key store, but {}",
                    self.own(self.reader.key_stores)
                ))
            }
        }
        Ok(())
    }

    /// kafka-python has no algorithm setting, only a host name check that is on or off.
    fn host_check(&mut self) {
        let algorithm = self.get("ssl.endpoint.identification.algorithm");
        if let (ClientKind::KafkaPython, Some(algorithm)) = (self.client, algorithm) {
            self.out.insert(
                "ssl_check_hostname".to_string(),
                Value::Bool(!algorithm.is_empty()),
            );
        }
        if let (ClientKind::KafkaJs, Some(algorithm)) = (self.client, algorithm) {
            self.out.insert(
                "ssl.checkHostname".to_string(),
                Value::Bool(!algorithm.is_empty()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::super::{props, translate};
    use crate::clients::ClientKind;

    #[test]
    fn pem_stores_reach_every_client_in_its_own_settings() {
        let p = props(&[
            ("security.protocol", "SSL"),
            ("ssl.truststore.type", "PEM"),
            ("ssl.truststore.location", "/t/ca.pem"),
            ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.location", "/t/client.pem"),
            ("ssl.key.password", "k"),
            ("ssl.endpoint.identification.algorithm", ""),
        ]);
        let java = translate(ClientKind::Java, &p).unwrap();
        assert_eq!(java.get("ssl.truststore.type"), Some(&Value::from("PEM")));
        assert_eq!(
            java.get("ssl.keystore.location"),
            Some(&Value::from("/t/client.pem"))
        );
        assert_eq!(java.len(), p.len(), "Java takes Kafka's names as they are");

        let rd = translate(ClientKind::Librdkafka, &p).unwrap();
        let expected: BTreeMap<String, Value> = [
            ("security.protocol", "SSL"),
            ("ssl.ca.location", "/t/ca.pem"),
            ("ssl.certificate.location", "/t/client.pem"),
            ("ssl.key.location", "/t/client.pem"),
            ("ssl.key.password", "k"),
            ("ssl.endpoint.identification.algorithm", ""),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), Value::from(*v)))
        .collect();
        assert_eq!(rd, expected);

        let py = translate(ClientKind::KafkaPython, &p).unwrap();
        assert_eq!(py.get("ssl_cafile"), Some(&Value::from("/t/ca.pem")));
        assert_eq!(py.get("ssl_certfile"), Some(&Value::from("/t/client.pem")));
        assert_eq!(py.get("ssl_keyfile"), Some(&Value::from("/t/client.pem")));
        assert_eq!(py.get("ssl_password"), Some(&Value::from("k")));
        assert_eq!(py.get("ssl_check_hostname"), Some(&Value::Bool(false)));
        assert_eq!(py.len(), 6, "{py:?}");
    }

    #[test]
    fn stores_other_clients_cannot_read_are_errors_naming_the_way_out() {
        // Kafka's default store type is JKS.
        let jks = props(&[("ssl.truststore.location", "/t/trust.jks")]);
        assert!(translate(ClientKind::Java, &jks).is_ok());
        for client in [ClientKind::Librdkafka, ClientKind::KafkaPython] {
            let e = translate(client, &jks).unwrap_err();
            assert!(e.contains("JKS trust store"), "{e}");
            assert!(e.contains("ssl.truststore.type=PEM"), "{e}");
            assert!(e.contains(client.name()), "{e}");
        }
        let p12 = props(&[
            ("ssl.keystore.type", "PKCS12"),
            ("ssl.keystore.location", "/t/client.p12"),
            ("ssl.keystore.password", "s"),
        ]);
        let rd = translate(ClientKind::Librdkafka, &p12).unwrap();
        assert_eq!(
            rd.get("ssl.keystore.location"),
            Some(&Value::from("/t/client.p12"))
        );
        assert_eq!(rd.get("ssl.keystore.password"), Some(&Value::from("s")));
        let e = translate(ClientKind::KafkaPython, &p12).unwrap_err();
        assert!(
            e.contains("PKCS12 key store") && e.contains("PEM files only"),
            "{e}"
        );

        let pem_with_store_password = props(&[
            ("ssl.keystore.type", "PEM"),
            ("ssl.keystore.location", "/t/client.pem"),
            ("ssl.keystore.password", "s"),
        ]);
        let e = translate(ClientKind::Librdkafka, &pem_with_store_password).unwrap_err();
        assert!(e.contains("ssl.key.password"), "{e}");
    }
}
