//! A broker's `server.properties`: its roles, listeners (PLAINTEXT, CONTROLLER, and the
//! secured ones a test set-up asks for), the static controller quorum, replication.

use std::fmt::Write as _;
use std::path::Path;

use super::admin;
use super::setup::BrokerSetup;

/// What makes one broker of a cluster different from the others.
pub(super) struct Node<'a> {
    pub id: u32,
    pub controller: bool,
    /// PLAINTEXT, CONTROLLER, then the secured listeners' ports.
    pub ports: &'a [u16],
    /// `controller.quorum.voters`.
    pub voters: &'a str,
    /// How many brokers the cluster has.
    pub brokers: u32,
    /// The replication of internal topics and the defaults for new ones.
    pub replication: admin::Replication,
}

/// Where in a node's ports the INTERNAL listener's is (after PLAINTEXT, CONTROLLER and
/// `SECURED`'s): the direct one, when clients go through a proxy.
pub(super) const INTERNAL_PORT: usize = 2 + SECURED.len();

/// A listener beside PLAINTEXT that a test set-up may ask for.
pub(super) struct Secured {
    /// The security protocol, which is also the listener's name.
    pub protocol: &'static str,
    sasl: bool,
    tls: bool,
}

/// Every secured listener, each with the port after PLAINTEXT's and CONTROLLER's.
pub(super) const SECURED: [Secured; 3] = [
    Secured {
        protocol: "SASL_PLAINTEXT",
        sasl: true,
        tls: false,
    },
    Secured {
        protocol: "SSL",
        sasl: false,
        tls: true,
    },
    Secured {
        protocol: "SASL_SSL",
        sasl: true,
        tls: true,
    },
];

/// The secured listeners `setup` asks for (SASL ones with a SCRAM user, TLS ones with a key
/// store), with their ports.
pub(super) fn secured_listeners(
    setup: &BrokerSetup,
    ports: &[u16],
) -> Vec<(&'static Secured, u16)> {
    SECURED
        .iter()
        .zip(&ports[2..])
        .filter(|(l, _)| (!l.sasl || setup.scram.is_some()) && (!l.tls || setup.tls.is_some()))
        .map(|(l, port)| (l, *port))
        .collect()
}

pub(super) fn server_properties(dir: &Path, node: &Node, setup: &BrokerSetup) -> String {
    let (broker, controller) = (node.ports[0], node.ports[1]);
    let secured = secured_listeners(setup, node.ports);
    let mut listeners = format!("PLAINTEXT://127.0.0.1:{broker}");
    if node.controller {
        listeners.push_str(&format!(",CONTROLLER://127.0.0.1:{controller}"));
    }
    let proxied = setup
        .client_advertised_ports
        .get(node.id as usize - 1)
        .copied();
    let mut advertised = format!("PLAINTEXT://127.0.0.1:{}", proxied.unwrap_or(broker));
    let mut map = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT".to_string();
    let mut inter_broker = "PLAINTEXT";
    if let (Some(_), Some(internal)) = (proxied, node.ports.get(INTERNAL_PORT)) {
        // Clients reach the broker through its proxy; brokers and kafkatune's admin reach
        // it here, directly.
        listeners.push_str(&format!(",INTERNAL://127.0.0.1:{internal}"));
        advertised.push_str(&format!(",INTERNAL://127.0.0.1:{internal}"));
        map.push_str(",INTERNAL:PLAINTEXT");
        inter_broker = "INTERNAL";
    }
    for (l, port) in &secured {
        let protocol = l.protocol;
        listeners.push_str(&format!(",{protocol}://127.0.0.1:{port}"));
        advertised.push_str(&format!(",{protocol}://127.0.0.1:{port}"));
        map.push_str(&format!(",{protocol}:{protocol}"));
    }
    let factor = node.replication.factor;
    let min_isr = node.replication.min_insync_replicas.unwrap_or(1);
    let mut text = String::new();
    // A static quorum (`controller.quorum.voters`, kraft.version 0), not a dynamic one
    // (`controller.quorum.bootstrap.servers` and `StorageTool format --standalone`): the
    // standalone format writes the controller's host and port into the bootstrap snapshot
    // (`Formatter.writeBootstrapSnapshot`'s voter set, from `--standalone`'s
    // `createStandaloneDynamicVoters`), so a formatted folder would fit one port only.
    // With static voters the format is port-free and is done once (see `storage.rs`). A
    // static quorum cannot add or remove controllers at run time, which a test cluster never
    // does. (apache/kafka core/src/main/scala/kafka/tools/StorageTool.scala,
    // metadata/src/main/java/org/apache/kafka/metadata/storage/Formatter.java.)
    // group.share.min.record.lock.duration.ms: the broker's floor for a share group's
    // share.record.lock.duration.ms is 15 s by default (ShareGroupConfig, Kafka 4.4.0), which
    // would refuse the short locks that show redeliveries; the lock itself stays 30 s unless a
    // sweep sets it.
    let _ = write!(
        text,
        "process.roles={}\n\
         node.id={}\n\
         controller.quorum.voters={}\n\
         listeners={listeners}\n\
         advertised.listeners={advertised}\n\
         controller.listener.names=CONTROLLER\n\
         inter.broker.listener.name={inter_broker}\n\
         listener.security.protocol.map={map}\n\
         log.dirs={}\n\
         num.partitions=1\n\
         auto.create.topics.enable=false\n\
         offsets.topic.replication.factor={factor}\n\
         offsets.topic.num.partitions=1\n\
         transaction.state.log.replication.factor={factor}\n\
         transaction.state.log.min.isr={min_isr}\n\
         share.coordinator.state.topic.replication.factor={factor}\n\
         share.coordinator.state.topic.min.isr={min_isr}\n\
         group.initial.rebalance.delay.ms=0\n\
         group.share.min.record.lock.duration.ms=1000\n",
        if node.controller {
            "broker,controller"
        } else {
            "broker"
        },
        node.id,
        node.voters,
        dir.join("data").display()
    );
    if node.brokers > 1 {
        // New topics are replicated like the internal ones unless their creator says so.
        let _ = writeln!(
            text,
            "default.replication.factor={factor}\nmin.insync.replicas={min_isr}"
        );
    }
    if setup.scram.is_some() {
        text.push_str("sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN\n");
    }
    for (l, _) in &secured {
        let name = l.protocol.to_ascii_lowercase();
        if let (true, Some(user)) = (l.sasl, &setup.scram) {
            // The same user for SCRAM (credentials in the metadata log, see `storage.rs`)
            // and PLAIN (credentials in the listener's JAAS line).
            let _ = writeln!(
                text,
                "listener.name.{name}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n\
                 listener.name.{name}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_{}=\"{}\";",
                user.user, user.password
            );
        }
        if let (true, Some(tls)) = (l.tls, &setup.tls) {
            // PEM stores (KIP-651): the same files librdkafka and kafka-python read.
            let _ = writeln!(
                text,
                "listener.name.{name}.ssl.keystore.type=PEM\n\
                 listener.name.{name}.ssl.keystore.location={}",
                tls.keystore_pem.display()
            );
        }
    }
    // Mutual TLS on the SSL listener; SASL_SSL authenticates by SASL.
    if let Some(ca) = setup.tls.as_ref().and_then(|t| t.client_ca_pem.as_ref()) {
        let _ = writeln!(
            text,
            "listener.name.ssl.ssl.client.auth=required\n\
             listener.name.ssl.ssl.truststore.type=PEM\n\
             listener.name.ssl.ssl.truststore.location={}",
            ca.display()
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node<'a>(id: u32, brokers: u32, ports: &'a [u16], voters: &'a str) -> Node<'a> {
        Node {
            id,
            controller: id <= if brokers >= 3 { 3 } else { 1 },
            ports,
            voters,
            brokers,
            replication: admin::Replication::for_brokers(brokers),
        }
    }

    #[test]
    fn a_single_broker_is_a_one_voter_static_quorum_replicating_once() {
        let ports = [9092, 9093, 1, 2, 3];
        let text = server_properties(
            Path::new("/x"),
            &node(1, 1, &ports, "1@127.0.0.1:9093"),
            &BrokerSetup::default(),
        );
        assert!(text.contains("process.roles=broker,controller\n"));
        assert!(text.contains("controller.quorum.voters=1@127.0.0.1:9093\n"));
        assert!(!text.contains("controller.quorum.bootstrap.servers"));
        assert!(text.contains("listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\n"));
        assert!(text.contains("offsets.topic.replication.factor=1\n"));
        assert!(text.contains("transaction.state.log.min.isr=1\n"));
        assert!(!text.contains("default.replication.factor"));
        assert!(text.contains("log.dirs=/x/data\n"));
    }

    #[test]
    fn a_cluster_of_four_has_three_controllers_and_replicates_thrice() {
        let voters = "1@127.0.0.1:11,2@127.0.0.1:21,3@127.0.0.1:31";
        let ports = [40, 41, 42, 43, 44];
        let fourth = server_properties(
            Path::new("/x"),
            &node(4, 4, &ports, voters),
            &BrokerSetup::default(),
        );
        assert!(fourth.contains("process.roles=broker\n"));
        assert!(fourth.contains("node.id=4\n"));
        assert!(fourth.contains(&format!("controller.quorum.voters={voters}\n")));
        assert!(fourth.contains("listeners=PLAINTEXT://127.0.0.1:40\n"));
        assert!(fourth.contains("offsets.topic.replication.factor=3\n"));
        assert!(fourth.contains("min.insync.replicas=2\n"));
        assert!(fourth.contains("default.replication.factor=3\n"));
        let second = server_properties(
            Path::new("/x"),
            &node(2, 4, &ports, voters),
            &BrokerSetup::default(),
        );
        assert!(second.contains("process.roles=broker,controller\n"));
        assert!(second.contains(",CONTROLLER://127.0.0.1:41\n"));
    }

    #[test]
    fn behind_a_proxy_clients_are_sent_to_it_and_brokers_replicate_directly() {
        let ports = [40, 41, 42, 43, 44, 45];
        let setup = BrokerSetup {
            client_advertised_ports: vec![7000],
            ..Default::default()
        };
        let text = server_properties(
            Path::new("/x"),
            &node(1, 1, &ports, "1@127.0.0.1:41"),
            &setup,
        );
        assert!(text.contains("listeners=PLAINTEXT://127.0.0.1:40,CONTROLLER://127.0.0.1:41,INTERNAL://127.0.0.1:45\n"));
        assert!(text
            .contains("advertised.listeners=PLAINTEXT://127.0.0.1:7000,INTERNAL://127.0.0.1:45\n"));
        assert!(text.contains("inter.broker.listener.name=INTERNAL\n"));
        assert!(text.contains("INTERNAL:PLAINTEXT"));
        let direct = server_properties(
            Path::new("/x"),
            &node(1, 1, &ports, "1@127.0.0.1:41"),
            &BrokerSetup::default(),
        );
        assert!(direct.contains("advertised.listeners=PLAINTEXT://127.0.0.1:40\n"));
        assert!(direct.contains("inter.broker.listener.name=PLAINTEXT\n"));
    }

    #[test]
    fn replication_follows_the_broker_count() {
        use admin::Replication;
        assert_eq!(Replication::for_brokers(1).factor, 1);
        assert_eq!(Replication::for_brokers(1).min_insync_replicas, Some(1));
        assert_eq!(Replication::for_brokers(2).factor, 2);
        assert_eq!(Replication::for_brokers(2).min_insync_replicas, Some(1));
        assert_eq!(Replication::for_brokers(3).factor, 3);
        assert_eq!(Replication::for_brokers(3).min_insync_replicas, Some(2));
        assert_eq!(Replication::for_brokers(5).factor, 3);
    }
}
