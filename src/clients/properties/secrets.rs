//! Which settings are secrets, so that results, logs and errors never show their values.

/// Names whose values never appear in any output.
pub fn is_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("password")
        || n.contains("passphrase")
        || n.contains("private")
        || n.contains("jaas")
        || n.contains("secret")
        || n.ends_with("key")
        || n.contains("key.pem")
        || n.contains("token")
}

/// `*****` for a secret's value, the value otherwise (an empty value stays empty: it shows
/// that nothing was set).
pub fn mask(name: &str, value: &str) -> String {
    if is_secret(name) && !value.is_empty() {
        "*****".to_string()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked() {
        assert_eq!(mask("sasl.jaas.config", "x"), "*****");
        assert_eq!(mask("ssl.keystore.password", "x"), "*****");
        assert_eq!(mask("fetch.min.bytes", "1"), "1");
        assert_eq!(mask("ssl.key.password", "x"), "*****");
        assert_eq!(mask("librdkafka.ssl.key.pem", "x"), "*****");
        assert_eq!(mask("ssl_key", "x"), "*****");
        assert_eq!(mask("sasl_plain_password", "x"), "*****");
        assert_eq!(mask("ssl.key.location", "/k.pem"), "/k.pem");
        assert_eq!(
            mask("sasl.oauthbearer.assertion.private.key.passphrase", "p"),
            "*****"
        );
        assert_eq!(
            mask("ssl.key.password", ""),
            "",
            "nothing set: nothing to hide"
        );
    }
}
