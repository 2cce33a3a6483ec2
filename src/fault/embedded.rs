//! [`Brokers`] for the embedded cluster kafkatune started: the leader from a metadata
//! request, kills and restarts on the cluster's own brokers, DeleteRecords through the admin
//! client. A restarted broker's JVM is started from one thread that lasts as long as
//! kafkatune (`lasting`): the kernel kills a child when the thread that started it ends.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;

use super::apply::Brokers;
use crate::broker::admin::{self, ClientProps};
use crate::broker::embedded::EmbeddedCluster;

const ADMIN_TIMEOUT: Duration = Duration::from_secs(15);

/// The embedded cluster, as a fault sees it.
pub struct Embedded {
    pub cluster: Arc<Mutex<EmbeddedCluster>>,
    /// The brokers' direct listeners, for metadata and admin requests.
    pub bootstrap: String,
    pub props: ClientProps,
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs `job` on the thread that lasts, and waits for it.
fn on_lasting_thread<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> T {
    static LASTING: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
    let sender = LASTING.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::spawn(move || {
            for job in rx {
                job();
            }
            // Never reached while kafkatune runs (the sender is static): park so that the
            // brokers started here keep their starter.
            loop {
                std::thread::park();
            }
        });
        Mutex::new(tx)
    });
    let (tx, rx) = mpsc::channel();
    sender
        .lock()
        .unwrap()
        .send(Box::new(move || {
            let _ = tx.send(job());
        }))
        .expect("the lasting thread runs");
    rx.recv().expect("the lasting thread answers")
}

impl Embedded {
    fn index(&self, node: u32) -> Result<usize> {
        let c = self.cluster.lock().unwrap();
        c.brokers
            .iter()
            .position(|b| b.node_id == node)
            .with_context(|| format!("no broker {node} in the embedded cluster"))
    }
}

impl Brokers for Embedded {
    fn leader(&self, topic: &str) -> Result<u32> {
        let parts = admin::topic_replicas(&self.bootstrap, &self.props, topic, ADMIN_TIMEOUT)?;
        let p0 = parts
            .iter()
            .find(|p| p.partition == 0)
            .with_context(|| format!("{topic} has no partition 0"))?;
        u32::try_from(p0.leader)
            .ok()
            .filter(|l| *l > 0)
            .with_context(|| format!("partition 0 of {topic} has no leader"))
    }

    fn pid(&self, node: u32) -> Option<u32> {
        let i = self.index(node).ok()?;
        let mut c = self.cluster.lock().unwrap();
        let b = &mut c.brokers[i];
        b.running().then_some(b.pid)
    }

    fn kill(&self, node: u32) -> Result<()> {
        let i = self.index(node)?;
        self.cluster.lock().unwrap().brokers[i].kill();
        Ok(())
    }

    fn restart(&self, node: u32) -> Result<()> {
        let i = self.index(node)?;
        let cluster = self.cluster.clone();
        on_lasting_thread(move || {
            let mut c = cluster.lock().unwrap();
            let jars = c.jars.clone();
            c.brokers[i].restart(&jars)
        })
    }

    fn delete_records(&self, topic: &str, partition: i32, records: u64) -> Result<(u64, i64)> {
        let offsets = admin::topic_offsets(&self.bootstrap, &self.props, topic, ADMIN_TIMEOUT)?
            .unwrap_or_default();
        let p = offsets
            .iter()
            .find(|p| p.partition == partition)
            .with_context(|| format!("{topic} has no partition {partition}"))?;
        let to = (p.low + records as i64).min(p.high);
        let mut tpl = rdkafka::TopicPartitionList::new();
        tpl.add_partition_offset(topic, partition, rdkafka::Offset::Offset(to))?;
        let client: AdminClient<DefaultClientContext> =
            admin::client_config(&self.bootstrap, &self.props).create()?;
        let opts = AdminOptions::new().operation_timeout(Some(ADMIN_TIMEOUT));
        let result = futures_executor::block_on(client.delete_records(&tpl, &opts))?;
        for e in result.elements() {
            e.error()
                .map_err(|err| anyhow::anyhow!("DeleteRecords on {topic}/{partition}: {err}"))?;
        }
        Ok(((to - p.low) as u64, p.low))
    }

    fn account(
        &self,
        topic: &str,
        books: Vec<crate::fault_file::ProducerBook>,
    ) -> Result<crate::fault_file::FaultRecord> {
        super::accounting::account(&self.bootstrap, &self.props, topic, books)
    }

    fn restore(&self, topic: &str, timeout: Duration) -> Result<Vec<String>> {
        let mut done = Vec::new();
        let nodes: Vec<u32> = self
            .cluster
            .lock()
            .unwrap()
            .brokers
            .iter()
            .map(|b| b.node_id)
            .collect();
        for &node in &nodes {
            if self.pid(node).is_none() {
                self.restart(node)?;
                done.push(format!("started broker {node} again"));
            }
        }
        let deadline = Instant::now() + timeout;
        loop {
            let parts = admin::topic_replicas(&self.bootstrap, &self.props, topic, ADMIN_TIMEOUT);
            let in_sync = parts.as_ref().is_ok_and(|ps| {
                !ps.is_empty()
                    && ps
                        .iter()
                        .all(|p| p.leader > 0 && p.isr.len() == p.replicas.len())
            });
            if in_sync {
                return Ok(done);
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the embedded cluster did not have every replica of {topic} in sync again within {} s after the fault: {parts:?}",
                timeout.as_secs()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
