//! SASL credentials: Java takes them as one JAAS line, librdkafka and kafka-python as a user
//! name and a password.

/// `... required username="alice" password="secret";` -> (alice, secret).
pub fn parse_jaas(jaas: &str) -> Result<(String, String), String> {
    let field = |key: &str| -> Option<String> {
        let start = jaas.find(&format!("{key}="))? + key.len() + 1;
        let rest = &jaas[start..];
        let rest = rest.strip_prefix('"')?;
        Some(rest[..rest.find('"')?].to_string())
    };
    match (field("username"), field("password")) {
        (Some(u), Some(p)) => Ok((u, p)),
        _ => Err("`sasl.jaas.config` must carry username=\"...\" and password=\"...\" (PLAIN or SCRAM login module)".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaas_without_a_password_is_an_error_naming_both_fields() {
        let e = parse_jaas(
            r#"org.apache.kafka.common.security.plain.PlainLoginModule required username="alice";"#,
        )
        .unwrap_err();
        assert!(e.contains("username=\"...\" and password=\"...\""), "{e}");
    }
}
