//! The Python drivers (`drivers/python`: kafka-python's and confluent-kafka-python's, two entry
//! scripts over one requirements.txt): they run in one virtual environment kafkatune makes
//! once in its cache, so a user needs nothing but python3.

use std::process::Command;

use anyhow::Result;

use super::descriptor::{Descriptor, Pace, Tool};
use super::properties::{no_rules, ClientProperties, PemNames, Tls, Values};
use super::{sources, ClientKind, DriverCommand};
use crate::{cache, process};

const INSTALL_PYTHON: &str =
    "install Python 3.8+ with venv (Debian: apt-get install -y python3 python3-venv)";

/// kafka-python's entry script in `drivers/python`.
pub const KAFKA_PYTHON_DRIVER: &str = "kafkatune_driver.py";
/// confluent-kafka-python's entry script in `drivers/python`.
pub const CONFLUENT_DRIVER: &str = "kafkatune_confluent.py";

/// Not benchmarked beside the others on a loaded machine: kafka-python drained 14 k msg/s,
/// and confluent-kafka-python is reckoned as slow.
const PYTHON_PACE: Pace = Pace {
    consume_msgs_per_s: 10_000.0,
    produce_msgs_per_s: 10_000.0,
    start_s: 1.5,
};

/// The venv is made with python3's own venv module (Debian packs it apart).
const PYTHON_NEEDS: &[Tool] = &[
    Tool {
        command: "python3",
        debian: Some("python3"),
        install: INSTALL_PYTHON,
    },
    Tool {
        command: "python3",
        debian: Some("python3-venv"),
        install: INSTALL_PYTHON,
    },
];

pub const KAFKA_PYTHON: Descriptor = Descriptor {
    kind: ClientKind::KafkaPython,
    name: "kafka-python",
    about: "kafka-python, the lab's own client",
    hidden: false,
    needs: PYTHON_NEEDS,
    prepare: || prepare(KAFKA_PYTHON_DRIVER),
    version: || pinned("kafka-python=="),
    properties: ClientProperties {
        spelling: |p, _| p.kafka_python,
        values: Values::Typed,
        tls: Tls::Pem(&KAFKA_PYTHON_PEM),
        takes_names_of: None,
        rules: no_rules,
        own_translation: None,
    },
    no_share_consumer: Some("kafka-python has none"),
    pace: PYTHON_PACE,
    first_use: Some("the Python environment is made"),
};

/// kafka-python reads PEM files only, and checks host names or not.
const KAFKA_PYTHON_PEM: PemNames = PemNames {
    ca: "ssl_cafile",
    certificate: "ssl_certfile",
    key: "ssl_keyfile",
    key_password: "ssl_password",
    key_stores: "key stores as PEM files only",
    pkcs12_key_store: false,
    host_check: Some("ssl_check_hostname"),
};

pub const CONFLUENT_KAFKA_PYTHON: Descriptor = Descriptor {
    kind: ClientKind::ConfluentKafkaPython,
    name: "confluent-kafka-python",
    about: "confluent-kafka-python: librdkafka under Python (librdkafka's property names)",
    hidden: false,
    needs: PYTHON_NEEDS,
    prepare: || prepare(CONFLUENT_DRIVER),
    version: || pinned("confluent-kafka=="),
    properties: ClientProperties {
        // Its configuration goes to librdkafka unchanged.
        spelling: super::librdkafka::DESCRIPTOR.properties.spelling,
        values: Values::Text,
        tls: super::librdkafka::DESCRIPTOR.properties.tls,
        takes_names_of: Some(ClientKind::Librdkafka),
        rules: super::librdkafka::DESCRIPTOR.properties.rules,
        own_translation: None,
    },
    no_share_consumer: Some(
        "confluent-kafka 2.16.2's ShareConsumer (a preview) has no kafkatune driver yet",
    ),
    pace: PYTHON_PACE,
    first_use: Some("the Python environment is made"),
};

/// A package's version as requirements.txt pins it (`kafka-python==`).
fn pinned(pin: &str) -> Option<String> {
    sources::text("python/requirements.txt")
        .lines()
        .find_map(|l| l.trim().strip_prefix(pin).map(|v| v.trim().to_string()))
}

/// Makes the venv on first use (the folder is named by the sources' fingerprint, so a
/// changed requirements.txt gets a fresh venv beside the old one) and returns how to start
/// `script`, one of the entry scripts above.
pub fn prepare(script: &str) -> Result<DriverCommand> {
    let root = cache::dir().join(format!("python-driver-{}", sources::fingerprint("python")));
    let venv = root.join("venv");
    let python = venv.join("bin/python");
    if !root.join(".complete").exists() {
        let python3 = process::require("python3", INSTALL_PYTHON)?;
        eprintln!(
            "kafkatune: creating the Python clients' environment in {} (first use only)",
            root.display()
        );
        let src = sources::write_out("python", &root.join("src"))?;
        let _ = std::fs::remove_dir_all(&venv);
        process::run_setup(
            Command::new(python3).args(["-m", "venv"]).arg(&venv),
            "creating the Python virtual environment",
        )?;
        process::run_setup(
            Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "--disable-pip-version-check", "-r"])
                .arg(src.join("requirements.txt")),
            "installing kafka-python and confluent-kafka into the virtual environment",
        )?;
        std::fs::write(root.join(".complete"), "")?;
    }
    Ok(DriverCommand {
        program: python,
        args: vec![root.join("src").join(script).to_string_lossy().into_owned()],
    })
}
