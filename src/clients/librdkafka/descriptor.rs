//! librdkafka's descriptor: built into kafkatune (the rdkafka crate's vendored librdkafka).

use crate::clients::descriptor::{Descriptor, Pace};
use crate::clients::properties::{ClientProperties, PemNames, Tls, Values};
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
        spelling: |p| p.librdkafka,
        values: Values::Text,
        tls: Tls::Pem(&PEM),
        takes_names_of: None,
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
