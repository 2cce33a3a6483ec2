//! librdkafka's descriptor: built into kafkatune (the rdkafka crate's vendored librdkafka).

use crate::clients::descriptor::{Descriptor, Pace};
use crate::clients::properties::{ClientProperties, PemNames, Tls, Values};
use std::collections::BTreeMap;

use serde_json::Value;

use crate::clients::ClientKind;

pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: ClientKind::Librdkafka,
    name: "librdkafka",
    about: "librdkafka, built into kafkatune (the default)",
    hidden: false,
    needs: &[],
    prepare: || crate::clients::built_in("librdkafka"),
    version: || Some(rdkafka::util::get_rdkafka_version().1),
    properties: ClientProperties {
        spelling: |p, _| p.librdkafka,
        values: Values::Text,
        tls: Tls::Pem(&PEM),
        takes_names_of: None,
        rules,
        own_translation: None,
    },
    no_share_consumer: Some(
        "librdkafka 2.12.1 (vendored by the rdkafka crate) has no share consumer",
    ),
    // It drained 1.2-1.4 M msg/s and produced about 0.6 M; the seed sweep's runs took 0.16 s.
    pace: Pace {
        consume_msgs_per_s: 500_000.0,
        produce_msgs_per_s: 200_000.0,
        start_s: 0.3,
    },
    first_use: None,
};

/// librdkafka's defaults of the settings its rules compare (CONFIGURATION.md, 2.12).
const DEFAULT_FETCH_MAX_BYTES: i64 = 52_428_800;
const DEFAULT_MESSAGE_MAX_BYTES: i64 = 1_000_000;

/// What librdkafka refuses when a consumer starts (rdkafka_conf.c): `fetch.max.bytes` below
/// `message.max.bytes`.
fn rules(native: &BTreeMap<String, Value>) -> Result<(), String> {
    let int = |name: &str, default: i64| {
        native
            .get(name)
            .and_then(|v| v.as_str())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(default)
    };
    let fetch = int("fetch.max.bytes", DEFAULT_FETCH_MAX_BYTES);
    let message = int("message.max.bytes", DEFAULT_MESSAGE_MAX_BYTES);
    if native.contains_key("fetch.max.bytes") && fetch < message {
        let from = if native.contains_key("message.max.bytes") {
            "as given"
        } else {
            "its default"
        };
        return Err(format!(
            "librdkafka refuses `fetch.max.bytes={fetch}` below `message.max.bytes` ({message}, {from}): lower it with -X librdkafka.message.max.bytes={fetch} (a consumer sends no large requests), or keep fetch.max.bytes at {message} or more"
        ));
    }
    Ok(())
}

/// librdkafka reads PEM files, and a PKCS#12 key store under Kafka's own names.
const PEM: PemNames = PemNames {
    ca: "ssl.ca.location",
    certificate: "ssl.certificate.location",
    key: "ssl.key.location",
    key_password: "ssl.key.password",
    key_stores: "key stores as PEM or PKCS#12 files",
    pkcs12_key_store: true,
    host_check: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn native(pairs: &[(&str, &str)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect()
    }

    #[test]
    fn fetch_max_bytes_below_message_max_bytes_is_refused_naming_the_fix() {
        let e = rules(&native(&[("fetch.max.bytes", "65536")])).unwrap_err();
        assert!(
            e.contains("below `message.max.bytes` (1000000, its default)")
                && e.contains("-X librdkafka.message.max.bytes=65536"),
            "{e}"
        );
        assert!(rules(&native(&[
            ("fetch.max.bytes", "65536"),
            ("message.max.bytes", "65536")
        ]))
        .is_ok());
        assert!(rules(&native(&[("fetch.max.bytes", "1000000")])).is_ok());
        assert!(
            rules(&native(&[("message.max.bytes", "2000000")])).is_ok(),
            "a producer's"
        );
    }
}
