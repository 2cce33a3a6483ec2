//! The Java client driver (`drivers/java`): built once with Maven into the cache.

use std::process::Command;

use anyhow::Result;

use super::descriptor::{Descriptor, Pace, Tool};
use super::properties::{no_rules, ClientProperties, Spelling, Tls, Values};
use super::{sources, ClientKind, DriverCommand};
use crate::{broker, cache, process};

/// JVM options of Kafka's own tools (`kafka-run-class.sh`, `kafka-consumer-perf-test.sh`),
/// so the driver runs as `kafka-consumer-perf-test` does.
const JVM_OPTS: &[&str] = &[
    "-Xmx512M",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
];

pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: ClientKind::Java,
    name: "java",
    about: "The Apache Kafka Java client",
    hidden: false,
    needs: &[
        Tool {
            command: "java",
            debian: Some("openjdk-17-jre-headless"),
            install:
                "install a Java 17+ runtime (Debian: apt-get install -y openjdk-17-jre-headless)",
        },
        Tool {
            command: "mvn",
            debian: Some("maven"),
            install:
                "install Maven (Debian: apt-get install -y maven): it builds the Java driver once",
        },
    ],
    prepare,
    version,
    properties: ClientProperties {
        // Kafka's names are the Java client's own.
        spelling: |p, _| {
            if p.java {
                Spelling::Name(p.kafka)
            } else {
                Spelling::Unsupported("a librdkafka-only setting")
            }
        },
        values: Values::Text,
        tls: Tls::AsGiven,
        takes_names_of: None,
        rules: no_rules,
        own_translation: None,
    },
    no_share_consumer: None,
    // 405 k msg/s drained and 219 k produced, a JVM's start.
    pace: Pace {
        consume_msgs_per_s: 100_000.0,
        produce_msgs_per_s: 50_000.0,
        start_s: 2.0,
    },
    first_use: Some("the Java driver is built"),
};

/// kafka-clients' version, as the driver's pom.xml pins it.
fn version() -> Option<String> {
    let pom = sources::text("java/pom.xml");
    let (_, rest) = pom.split_once("<kafka.version>")?;
    Some(rest.split_once("</kafka.version>")?.0.trim().to_string())
}

pub fn prepare() -> Result<DriverCommand> {
    broker::java::require_java()?;
    let root = cache::dir().join(format!("java-driver-{}", sources::fingerprint("java")));
    let build = root.join("build");
    if !root.join(".complete").exists() {
        let mvn = process::require(
            "mvn",
            "install Maven (Debian: apt-get install -y maven): it builds the Java driver once",
        )?;
        eprintln!(
            "kafkatune: building the Java driver into {} (first use only)",
            root.display()
        );
        let src = sources::write_out("java", &root.join("src"))?;
        process::run_setup(
            Command::new(mvn)
                .args(["-B", "-q", "-f"])
                .arg(src.join("pom.xml"))
                .args(["package", "-Dmaven.test.skip=true"])
                .arg(format!("-Dkafkatune.build.dir={}", build.display())),
            "building the Java driver with Maven",
        )?;
        std::fs::write(root.join(".complete"), "")?;
    }
    let mut args: Vec<String> = JVM_OPTS.iter().map(|s| s.to_string()).collect();
    args.push("-cp".into());
    args.push(format!(
        "{}:{}/lib/*",
        build.join("kafkatune-java-driver.jar").display(),
        build.display()
    ));
    args.push("dev.kafkatune.driver.Main".into());
    Ok(DriverCommand {
        program: process::require("java", "install a Java 17+ runtime")?,
        args,
    })
}
