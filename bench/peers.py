#!/usr/bin/env python3
"""kafkatune against its peers, side by side: is kafkatune the bottleneck?

Starts its own embedded broker, fills one topic, then runs each pair on that topic, both
sides in the same run, alternating them (which side goes first alternates too), and prints
the median of the per-round ratios kafkatune / peer with their spread. What each pair
measures and why it is fair: bench/README.md. Exits non-zero on errors only, never on a
missed target. Python 3.11 standard library only.

    python3 bench/peers.py [--rounds 5] [--messages 1000000] [--pairs 1,2,3,4,5,6,7,8,9,10,12] [--brokers 1]

Pair 11 (HAProxy in front of a broker of its own, a reference for pair 8) runs only when
asked for (--pairs 8,11): it needs haproxy on the PATH.
"""

import argparse
import contextlib
import datetime
import glob
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KAFKA_VERSION = "4.4.0"
# kafka-consumer-perf-test.sh / kafka-producer-perf-test.sh: -Xmx512M plus kafka-run-class.sh's
# performance options; the Java driver runs with the same (src/clients/java.rs).
JVM_OPTS = [
    "-Xmx512M",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
]
# The lab's loop (seed script), timed from the first message as kafkatune's drivers do.
LAB_LOOP = """
import json, sys, time
from kafka import KafkaConsumer
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset='earliest',
                         enable_auto_commit=True, max_poll_records=500,
                         fetch_min_bytes=1, fetch_max_wait_ms=500)
count = 0
for message in consumer:
    count += 1
    if count == 1:
        first = time.perf_counter()
    if count >= n:
        break
last = time.perf_counter()
consumer.close()
print(json.dumps({"messages": count, "consume_s": last - first}))
"""

# Pair 12: the simplest consumer of KafkaJS's documentation (kafka.js.org, "Getting
# Started": connect, subscribe fromBeginning, run eachMessage), counting to n, timed from the
# first message as kafkatune's drivers do; run by the KafkaJS driver's own node_modules.
KAFKAJS_LOOP = """
const { Kafka, logLevel } = require('kafkajs')
const [bootstrap, topic, n] = [process.argv[1], process.argv[2], Number(process.argv[3])]
const kafka = new Kafka({ clientId: 'my-app', brokers: [bootstrap], logLevel: logLevel.WARN })
const consumer = kafka.consumer({ groupId: 'kafkatune-peer-' + process.pid + '-' + Date.now() })
let count = 0
let first
const run = async () => {
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ message }) => {
      count++
      if (count === 1) first = performance.now()
      if (count === n) {
        const last = performance.now()
        console.log(JSON.stringify({ messages: count, consume_s: (last - first) / 1000 }))
        process.exit(0)
      }
    }
  })
}
run().catch(e => { console.error(e); process.exit(1) })
"""

# Pairs 6 and 7: every producer side gets these settings, in its own spelling.
PRODUCER_PROPS = ["acks=all", "linger.ms=10", "batch.size=65536", "compression.type=lz4"]
# Distinct JSON bodies in the payload file of pairs 6 and 7: 4 MB of 100 B values, so that a
# 64 KiB batch never holds the same body twice (as kafkatune's own pools, src/workload/payload).
PAYLOAD_BODIES = 40_001
# What the generator draws from, skewed as real traffic is.
EVENT_TYPES = [("page_view", 48), ("click", 22), ("search", 12), ("add_to_cart", 9),
               ("login", 5), ("purchase", 4)]
COUNTRIES = [("US", 30), ("IN", 12), ("DE", 10), ("KR", 10), ("JP", 8), ("GB", 8), ("FR", 6),
             ("BR", 6), ("CA", 5), ("AU", 5)]
STATUSES = [("ok", 90), ("retry", 6), ("error", 4)]
WORDS = ("order cart item price user session page view click search result add remove checkout "
         "payment card ship address home product list detail banner promo coupon").split()


def json_bodies(count, size, seed=14):
    """`count` JSON events of exactly `size` bytes each (ASCII, no line break), the same on
    every run: field names repeated in every record, a timestamp milliseconds apart, skewed
    enums, users recurring across 1024 sessions, a hex id, as many of these as fit, and a
    note of words filling the rest (as kafkatune's own generator, src/workload/payload/json.rs)."""
    rng = random.Random(seed)

    def pick(table):
        return rng.choices([v for v, _ in table], [w for _, w in table])[0]

    sessions = [(rng.randrange(100_000, 5_000_000), pick(COUNTRIES)) for _ in range(1024)]
    ts = 1_764_000_000_000
    bodies = []
    for _ in range(count):
        ts += rng.randrange(0, 4)
        user, country = sessions[rng.randrange(len(sessions))]
        fields = [f'"event_type":"{pick(EVENT_TYPES)}"', f'"ts":{ts}', f'"user_id":{user}',
                  f'"event_id":"{rng.getrandbits(64):016x}"', f'"country":"{country}"',
                  f'"status":"{pick(STATUSES)}"', f'"latency_ms":{int(rng.expovariate(1 / 40))}']
        kept = []
        for f in fields:  # as many fields as fit with room for the note's frame
            if len("{" + ",".join(kept + [f]) + ',"note":""}') <= size:
                kept.append(f)
        head = "{" + ",".join(kept) + (',"note":"' if kept else '"note":"')
        room = size - len(head) - 2
        note = ""
        while len(note) < room:
            note += (" " if note else "") + rng.choice(WORDS)
        body = head + note[:max(room, 0)] + '"}'
        body = body if len(body) == size else body[:size]
        bodies.append(body)
    return bodies


def write_payloads(folder, message_size):
    """The files both sides of pairs 6 and 7 send. kafkatune puts its 8-byte send time before
    each record of its --payload file, so it gets the bodies (message size - 8); the peers send
    each line as the whole value, so theirs is 8 digits and the same body: equal sizes, equal
    bodies. The digits are six zeros and a counter to 99, as the send time's 8 bytes are: its
    high bytes the same from one record to the next, its low ones not (lz4 then compresses
    both prefixes alike). rdkafka_performance sends one value over and over (-m PATTERN): the
    peers' first line, and kafkatune its body alone (`one`)."""
    body_size = message_size - 8
    bodies = json_bodies(PAYLOAD_BODIES, body_size)
    # ProducerPerformance draws its records at random from the file, kafkatune cycles through
    # it in order: shuffled, neighbours are as unrelated in both (its timestamps do not climb
    # from one record to the next, which would compress better in kafkatune's batches).
    random.Random(6).shuffle(bodies)
    assert all(len(b) == body_size and "\n" not in b for b in bodies)
    lines = [f"{i % 100:08d}{b}" for i, b in enumerate(bodies)]
    files = {"kafkatune": folder / "payload-kafkatune.jsonl", "peers": folder / "payload-peers.txt",
             "one": folder / "payload-kafkatune-one.jsonl"}
    files["kafkatune"].write_text("".join(b + "\n" for b in bodies))
    files["peers"].write_text("".join(line + "\n" for line in lines))
    files["one"].write_text(bodies[0] + "\n")
    return {**files, "pattern": lines[0]}


def run(cmd, env=None, timeout=900):
    """Runs a command, returns its stdout and stderr; raises with its output on failure."""
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, cmd))} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return done.stdout, done.stderr


def user_cache():
    """kafkatune's cache, as src/cache.rs finds it: jars, Java driver, Python venv."""
    if os.environ.get("KAFKATUNE_CACHE"):
        return Path(os.environ["KAFKATUNE_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kafkatune"


def kafka_libs():
    home = os.environ.get("KAFKA_HOME")
    return Path(home) / "libs" if home else user_cache() / f"kafka-{KAFKA_VERSION}" / "libs"


class Broker:
    """An embedded broker of the bench's own: `kafkatune broker start` in a scratch cache, so
    a broker the user keeps running is left alone. Stopped on exit, even on failure."""

    def __init__(self, kafkatune, scratch, brokers=1):
        self.kafkatune = kafkatune
        self.brokers = brokers
        self.env = dict(os.environ, KAFKATUNE_CACHE=str(scratch / "cache"),
                        KAFKA_HOME=str(kafka_libs().parent))
        self.start_s = None
        self.bootstrap = None

    def __enter__(self):
        started = time.perf_counter()
        # `--brokers N` only when N > 1, so that a kafkatune without the option runs N = 1.
        extra = ["--brokers", str(self.brokers)] if self.brokers > 1 else []
        run([self.kafkatune, "broker", "start", *extra], env=self.env)
        self.start_s = time.perf_counter() - started
        state = json.loads((Path(self.env["KAFKATUNE_CACHE"]) / "broker.json").read_text())
        self.bootstrap = state["bootstrap"]
        return self

    def __exit__(self, *exc):
        subprocess.run([self.kafkatune, "broker", "stop"], env=self.env, capture_output=True)


def java_tool(cls, *args, timeout=900):
    """One of Kafka's own tools (org.apache.kafka.tools), with the perf scripts' JVM options;
    its stdout."""
    return run(["java", *JVM_OPTS, "-cp", f"{kafka_libs()}/*", f"org.apache.kafka.tools.{cls}",
                *args], timeout=timeout)[0]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HaproxyBroker:
    """Pair 11's cluster: a single Kafka node of its own (the jars kafkatune fetched, the
    embedded broker's heap and GC) with a second client listener, PROXIED, advertised at the
    port of an HAProxy in front of it (TCP mode, `option splice-auto`: the kernel moves the
    bytes, as in kafkatune's proxy), so that a client bootstrapped through HAProxy stays on it.
    Its own node because neither proxy can sit in front of the other's broker: kafkatune's
    proxy comes with the embedded broker of a `--network` sweep, and the bench's broker
    advertises its own port. Started at the pair's first run, stopped on exit."""

    topic = "bench-haproxy"

    def __init__(self, scratch):
        self.dir = scratch / "haproxy-broker"
        self.procs = []
        self.log = None
        self.direct = self.proxied = None

    def start(self):
        """Starts the node and HAProxy and waits for the node; stop() ends whatever started,
        also after a failure here."""
        if not shutil.which("haproxy"):
            raise RuntimeError("pair 11 needs HAProxy: apt-get install haproxy")
        d = self.dir
        (d / "data").mkdir(parents=True)
        broker, controller, backend, front = (free_port() for _ in range(4))
        self.direct, self.proxied = f"127.0.0.1:{broker}", f"127.0.0.1:{front}"
        (d / "server.properties").write_text(
            "process.roles=broker,controller\nnode.id=1\n"
            f"controller.quorum.voters=1@127.0.0.1:{controller}\n"
            f"listeners=PLAINTEXT://{self.direct},CONTROLLER://127.0.0.1:{controller},"
            f"PROXIED://127.0.0.1:{backend}\n"
            f"advertised.listeners=PLAINTEXT://{self.direct},PROXIED://{self.proxied}\n"
            "controller.listener.names=CONTROLLER\ninter.broker.listener.name=PLAINTEXT\n"
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,PROXIED:PLAINTEXT\n"
            f"log.dirs={d / 'data'}\nauto.create.topics.enable=false\n"
            "offsets.topic.replication.factor=1\noffsets.topic.num.partitions=1\n"
            "group.initial.rebalance.delay.ms=0\n")
        (d / "haproxy.cfg").write_text(
            "global\n  maxconn 1000\n"
            "defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 10m\n"
            "  timeout server 10m\n  option splice-auto\n"
            f"listen kafka\n  bind {self.proxied}\n  server b1 127.0.0.1:{backend}\n")
        cp = ["-cp", f"{kafka_libs()}/*"]
        cluster_id = run(["java", *cp, "kafka.tools.StorageTool", "random-uuid"])[0].strip()
        run(["java", *cp, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c",
             str(d / "server.properties")])
        self.log = log = open(d / "broker.log", "w")
        self.procs.append(subprocess.Popen(
            ["java", "-Xms1G", "-Xmx1G", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
             "-Djava.awt.headless=true", *cp, "kafka.Kafka", str(d / "server.properties")],
            stdout=log, stderr=subprocess.STDOUT))
        self.procs.append(subprocess.Popen(["haproxy", "-f", str(d / "haproxy.cfg")],
                                           stdout=log, stderr=subprocess.STDOUT))
        deadline = time.time() + 60
        while True:
            try:
                java_tool("TopicCommand", "--bootstrap-server", self.direct, "--list", timeout=30)
                return
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.time() > deadline:
                    raise RuntimeError(f"pair 11's broker did not start in 60 s: {d / 'broker.log'}")
                time.sleep(1)

    def stop(self):
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.log:
            self.log.close()


def build_rdkafka_performance():
    """rdkafka_performance from the librdkafka sources rdkafka-sys vendors, linked to the very
    static library cargo built into kafkatune, into target/bench/."""
    libs = sorted(glob.glob(str(ROOT / "target/release/build/rdkafka-sys-*/out/src/librdkafka.a")),
                  key=os.path.getmtime)
    if not libs:
        raise RuntimeError("no librdkafka.a under target/release/build: run cargo build --release")
    out = Path(libs[-1]).parent.parent
    binary = ROOT / "target/bench/rdkafka_performance"
    if binary.exists() and binary.stat().st_mtime > os.path.getmtime(libs[-1]):
        return binary
    binary.parent.mkdir(parents=True, exist_ok=True)
    config = (out / "Makefile.config").read_text()
    link = re.search(r"^LIBS\+?=\s*(.*)$", config, re.M).group(1).split()
    # -L of the libraries cargo built beside it (zstd-sys), in the folder cargo built them in:
    # a target folder copied from elsewhere still names the original.
    dirs = [d[2:] for line in re.findall(r"^LDFLAGS\+?=\s*(.*)$", config, re.M)
            for d in line.split() if d.startswith("-L")]
    dirs = [d if Path(d).is_dir() else str(ROOT / "target" / d.split("/target/", 1)[-1]) for d in dirs]
    run(["cc", "-O2", f"-I{out / 'src'}", str(out / "examples/rdkafka_performance.c"),
         libs[-1], *[f"-L{d}" for d in dirs], *link, "-o", str(binary)])
    return binary


def driver_python():
    """The kafka-python driver's venv python (`kafkatune setup` makes it; newest if several)."""
    done = sorted(user_cache().glob("python-driver-*/.complete"), key=lambda p: p.stat().st_mtime)
    if not done:
        raise RuntimeError("no kafka-python environment: run kafkatune setup --client all")
    return done[-1].parent / "venv/bin/python"


def kafkajs_node_modules():
    """The KafkaJS driver's node_modules (`kafkatune setup` installs it; newest if several)."""
    done = sorted(user_cache().glob("kafkajs-driver-*/.complete"), key=lambda p: p.stat().st_mtime)
    if not done:
        raise RuntimeError("no KafkaJS driver: run kafkatune setup --client all")
    return done[-1].parent / "src/node_modules"


class Bench:
    def __init__(self, args, broker, scratch):
        self.args = args
        self.kafkatune = str(args.kafkatune)
        self.bootstrap = broker.bootstrap
        self.scratch = scratch
        self.topic = f"bench-{args.messages}x{args.message_size}B"
        self.n = 0
        self.payloads = None
        self.haproxy = None

    def fresh(self, name):
        self.n += 1
        return self.scratch / f"{self.n:03d}-{name}"

    def replication(self):
        """(replication factor, topic configs) of every topic the bench creates: over
        min(3, N) brokers, and min.insync.replicas=2 from 3 brokers on, so that acks=all waits
        for a second copy as on a production cluster."""
        n = self.args.brokers
        return min(3, n), (["min.insync.replicas=2"] if n >= 3 else [])

    def create_topic(self, topic):
        """A new one-partition topic, made untimed before a run (the broker does not create
        topics on its own: auto.create.topics.enable=false)."""
        rf, configs = self.replication()
        self.java_tool("TopicCommand", "--bootstrap-server", self.bootstrap, "--create",
                       "--topic", topic, "--partitions", "1", "--replication-factor", str(rf),
                       *[a for c in configs for a in ("--config", c)])
        return topic

    def new_topic(self, prefix):
        self.n += 1
        return self.create_topic(f"{prefix}-{self.n:03d}")

    def payload(self):
        """Pairs 6 and 7's payload files, written once (json_bodies, write_payloads)."""
        if self.payloads is None:
            self.payloads = write_payloads(self.scratch, self.args.message_size)
        return self.payloads

    # --- kafkatune's side: one-run sweeps, exactly what users run ---
    def sweep(self, client, *extra, topic=None, messages=None, bootstrap=None):
        out = self.fresh(f"sweep-{client}")
        run([self.kafkatune, "sweep", "--bootstrap-servers", bootstrap or self.bootstrap,
             "--topic", topic or self.topic, "--messages", str(messages or self.args.messages),
             "--client", client, "--repeat", "1", "--no-report", "--out", str(out), *extra])
        return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]

    def kafkatune_rate(self, client, *extra):
        (record,) = self.sweep(client, *extra)
        if record.get("status") != "ok":
            raise RuntimeError(f"kafkatune {client} run failed: {record.get('error')}")
        return record["throughput_msgs_per_s"]

    # --- pair 8: the delay proxy of --network at zero delay, against a direct connection ---
    def embedded_drain_rate(self, through_proxy):
        """librdkafka's median msg/s over 3 runs of one sweep on an embedded broker that
        kafkatune starts itself (--network cannot sit in front of the bench's broker), through
        kafkatune's delay proxy at zero delay or directly. Each sweep starts its own broker and fills its own
        topic, untimed; only the runs count."""
        out = self.fresh("proxy" if through_proxy else "direct")
        extra = ["--network", "latency=0ms"] if through_proxy else []
        run([self.kafkatune, "sweep", "--messages", str(self.args.messages), "--message-size",
             str(self.args.message_size), "--client", "librdkafka", "--repeat", "3",
             "--no-report", "--out", str(out), *extra])
        records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
        if any(r.get("status") != "ok" for r in records) or len(records) != 3:
            raise RuntimeError(f"pair 8: a run failed in {out}")
        return statistics.median(r["throughput_msgs_per_s"] for r in records)

    # --- pair 11: HAProxy at zero delay against a direct connection, for pair 8 ---
    def haproxy_drain_rate(self, through_proxy):
        """librdkafka's msg/s over one run, on pair 11's own broker (`HaproxyBroker`), through
        HAProxy or directly; the topic is filled once, untimed."""
        if self.haproxy is None:
            # Kept before it starts, so that close() stops whatever did start.
            self.haproxy = HaproxyBroker(self.scratch)
            self.haproxy.start()
            java_tool("TopicCommand", "--bootstrap-server", self.haproxy.direct, "--create",
                      "--topic", self.haproxy.topic, "--partitions", "1", "--replication-factor", "1")
            run([self.kafkatune, "prepare", "--bootstrap-servers", self.haproxy.direct, "--topic",
                 self.haproxy.topic, "--prepare", "--messages", str(self.args.messages),
                 "--message-size", str(self.args.message_size)])
        h = self.haproxy
        (record,) = self.sweep("librdkafka", topic=h.topic,
                               bootstrap=h.proxied if through_proxy else h.direct)
        if record.get("status") != "ok":
            raise RuntimeError(f"pair 11 run failed: {record.get('error')}")
        return record["throughput_msgs_per_s"]

    def close(self):
        if self.haproxy is not None:
            self.haproxy.stop()

    # --- the peers ---
    def rdkafka_performance(self, *conf):
        stdout, _ = run([str(self.args.rdkafka_performance), "-C", "-t", self.topic, "-p", "0",
                         "-b", self.bootstrap, "-o", "beginning", "-c", str(self.args.messages),
                         "-q", *[a for kv in conf for a in ("-X", kv)]])
        m = re.search(r"% (\d+) messages .* consumed in \d+ms: (\d+) msgs/s", stdout)
        if not m or int(m.group(1)) != self.args.messages:
            raise RuntimeError(f"unexpected rdkafka_performance output: {stdout[-500:]}")
        return float(m.group(2))

    def java_tool(self, cls, *args):
        return java_tool(cls, *args)

    def consumer_performance(self):
        stdout = self.java_tool("ConsumerPerformance", "--bootstrap-server", self.bootstrap,
                                "--topic", self.topic, "--messages", str(self.args.messages))
        header, values = [line for line in stdout.splitlines() if line.count(",") >= 9][-2:]
        row = dict(zip([h.strip() for h in header.split(",")], [v.strip() for v in values.split(",")]))
        if int(row["data.consumed.in.nMsg"]) < self.args.messages:
            raise RuntimeError(f"ConsumerPerformance read too few messages: {stdout[-500:]}")
        return float(row["fetch.nMsg.sec"])

    def share_consumer_performance(self):
        """ShareConsumerPerformance (kafka-tools 4.4.0), one share consumer in a fresh share group
        set to read from the log start, as kafkatune sets its own groups. Its nMsg.sec counts
        from before its first poll, the share group's join included (seconds, on a topic read
        in a few); kafkatune's from the first record. So the figure compared is the tool's own
        from its first record: with --show-detailed-stats it prints a progress line at the first
        record that arrives after its reporting interval (the join outlasts it), with that
        line's time and count, and its final line has the end time and the total."""
        group = f"kafkatune-bench-share-{time.time_ns():x}"
        self.java_tool("ConfigCommand", "--bootstrap-server", self.bootstrap, "--entity-type", "groups",
                       "--entity-name", group, "--alter", "--add-config", "share.auto.offset.reset=earliest")
        stdout = self.java_tool("ShareConsumerPerformance", "--bootstrap-server", self.bootstrap,
                                "--topic", self.topic, "--group", group,
                                "--num-records", str(self.args.messages), "--timeout", "600000",
                                "--show-detailed-stats", "--reporting-interval", "200")
        rows = [[f.strip() for f in line.split(",")] for line in stdout.splitlines() if line.count(",") >= 6]
        final = [r for r in rows if len(r) == 7 and r[6].isdigit()][-1]
        progress = [r for r in rows if r[-1].endswith("for share consumer 1")]
        total = int(final[5])
        if total < self.args.messages:
            raise RuntimeError(f"ShareConsumerPerformance read too few messages: {stdout[-500:]}")
        joined_rate = float(final[4])
        if not progress:
            return joined_rate
        stamp = lambda text: datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S:%f").timestamp()
        first_at, first_count = stamp(progress[0][1]), int(progress[0][5])
        steady = (total - first_count) / max(stamp(final[1]) - first_at, 1e-3)
        print(f"    ShareConsumerPerformance: nMsg.sec {joined_rate:,.0f} (join included), "
              f"{steady:,.0f} from its first record", file=sys.stderr, flush=True)
        return steady

    def lab_loop(self):
        stdout, _ = run([str(driver_python()), "-c", LAB_LOOP, self.bootstrap, self.topic,
                         str(self.args.messages)])
        doc = json.loads(stdout.strip().splitlines()[-1])
        return doc["messages"] / doc["consume_s"]

    def kafkajs_loop(self):
        env = {**os.environ, "NODE_PATH": str(kafkajs_node_modules())}
        stdout, _ = run(["node", "-e", KAFKAJS_LOOP, self.bootstrap, self.topic,
                         str(self.args.messages)], env=env)
        doc = json.loads(stdout.strip().splitlines()[-1])
        return doc["messages"] / doc["consume_s"]

    def kafkatune_producer(self):
        topic = self.new_topic("bench-produce-k")
        _, stderr = run([self.kafkatune, "prepare", "--bootstrap-servers", self.bootstrap,
                         "--topic", topic, "--prepare", "--messages", str(self.args.messages),
                         "--message-size", str(self.args.message_size)])
        m = re.search(r"produced (\d+) messages in ([\d.]+) s", stderr)
        if not m:
            raise RuntimeError(f"kafkatune prepare did not report its produce time: {stderr[-500:]}")
        return int(m.group(1)) / float(m.group(2))

    def producer_performance(self):
        topic = self.new_topic("bench-produce-p")
        stdout = self.java_tool("ProducerPerformance", "--topic", topic,
                                "--num-records", str(self.args.messages),
                                "--record-size", str(self.args.message_size), "--throughput", "-1",
                                "--command-property", f"bootstrap.servers={self.bootstrap}",
                                "acks=all")
        # Progress lines come first; the last "records sent" line is the total.
        m = ([None] + list(re.finditer(r"(\d+) records sent, ([\d.]+) records/sec", stdout)))[-1]
        if not m or int(m.group(1)) != self.args.messages:
            raise RuntimeError(f"unexpected ProducerPerformance output: {stdout[-500:]}")
        return float(m.group(2))

    def log_mb(self, topics):
        """MB (10^6 B) each topic's partition 0 takes on the broker (the largest replica):
        the record batches as produced, compressed. Untimed, after a pair's rounds."""
        stdout = self.java_tool("LogDirsCommand", "--bootstrap-server", self.bootstrap,
                                "--describe", "--topic-list", ",".join(topics))
        doc = json.loads(next(line for line in stdout.splitlines() if line.startswith("{")))
        sizes = {}
        for broker in doc["brokers"]:
            for d in broker["logDirs"]:
                for part in d["partitions"]:
                    topic = part["partition"].rsplit("-", 1)[0]
                    sizes[topic] = max(sizes.get(topic, 0), part["size"] / 1e6)
        return sizes

    # --- pairs 6 and 7: kafkatune's produce sweeps against the clients' own producer tools ---
    def kafkatune_produce(self, client, payload_file, rate=None):
        """One `kafkatune sweep --mode produce` run on a fresh topic: its throughput (messages
        / first send to last acknowledgement) and acknowledgement latency percentiles. With
        `rate`, `--rate` paces it and it sends --rate-messages."""
        topic = self.new_topic("kafkatune-bench-produce")
        paced = ["--rate", str(rate)] if rate else []
        (record,) = self.sweep(client, "--mode", "produce", "--payload", str(payload_file),
                               *paced, *[a for kv in PRODUCER_PROPS for a in ("-X", kv)],
                               topic=topic, messages=self.args.rate_messages if rate else None)
        if record.get("status") != "ok":
            raise RuntimeError(f"kafkatune {client} produce run failed: {record.get('error')}")
        return {"msgs_per_s": record["throughput_msgs_per_s"],
                "cpu_s_per_m": record.get("cpu_s_per_million_msgs"),
                "p50_ms": record["ack_latency_p50_ms"], "p99_ms": record["ack_latency_p99_ms"],
                "p999_ms": record["ack_latency_p999_ms"], "max_ms": record["ack_latency_max_ms"],
                "compression_ratio": record.get("compression_ratio"),
                "queue_time_avg_ms": (record.get("client_metrics") or {}).get("record-queue-time-avg"),
                "batch_size_avg_bytes": record.get("batch_size_avg_bytes"), "topic": topic}

    def rdkafka_performance_producer(self, pattern):
        """rdkafka_performance -P: exactly --messages of one value (-m PATTERN, here the peers'
        first payload line; it has no other kind), every one acknowledged. -S 0 writes its
        sequence number over the value's first bytes ("123456: " and a NUL), as kafkatune's
        send time leads each of its values: without it every value would be the same bytes and
        lz4 would compress them far better and faster than kafkatune's. -S also makes it copy
        each value into a buffer of its own, as librdkafka copies kafkatune's."""
        topic = self.new_topic("bench-produce-rdkafka")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        stdout, _ = run([str(self.args.rdkafka_performance), "-P", "-t", topic, "-p", "0",
                         "-b", self.bootstrap, "-c", str(self.args.messages),
                         "-s", str(self.args.message_size), "-m", pattern, "-S", "0", "-q",
                         "-X", "acks=all", "-X", "linger.ms=10", "-X", "batch.size=65536",
                         "-z", "lz4"])
        m = re.search(r"% (\d+) messages produced \(\d+ bytes\), (\d+) delivered \(offset -?\d+, "
                      r"(\d+) failed\) in (\d+)ms: (\d+) msgs/s", stdout)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if not m or int(m.group(2)) != self.args.messages or int(m.group(3)) != 0:
            raise RuntimeError(f"unexpected rdkafka_performance output: {stdout[-500:]}")
        # Its process's CPU (user + system, from the kernel as kafkatune's driver's is): what a
        # message costs, which a loaded machine changes far less than the rate.
        cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return {"msgs_per_s": float(m.group(5)), "elapsed_ms": int(m.group(4)), "topic": topic,
                "cpu_s_per_m": cpu_s / self.args.messages * 1e6}

    def producer_performance_lz4(self, payload_file, rate=None):
        """ProducerPerformance with pairs 6/7's settings and payload file. --print-metrics makes
        it stop its clock after flush() (every record acknowledged) instead of after close().
        With `rate`, its --throughput paces it and it sends --rate-messages."""
        topic = self.new_topic("bench-produce-java")
        count = self.args.rate_messages if rate else self.args.messages
        stdout = self.java_tool("ProducerPerformance", "--bootstrap-server", self.bootstrap,
                                "--topic", topic, "--num-records", str(count),
                                "--payload-file", str(payload_file),
                                "--throughput", str(rate or -1),
                                "--print-metrics", "--command-property", *PRODUCER_PROPS)
        m = re.search(r"(\d+) records sent, ([\d.]+) records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg "
                      r"latency, ([\d.]+) ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th, "
                      r"(\d+) ms 99.9th", stdout)
        if not m or int(m.group(1)) != count:
            raise RuntimeError(f"unexpected ProducerPerformance output: {stdout[-1500:]}")
        def metric(name):
            found = re.search(rf"producer-metrics:{name}:\{{[^}}]*\}}\s*:\s*([\d.]+)", stdout)
            return float(found.group(1)) if found else None

        return {"msgs_per_s": float(m.group(2)), "p50_ms": float(m.group(4)),
                "p99_ms": float(m.group(5)), "p999_ms": float(m.group(6)),
                "max_ms": float(m.group(3)), "compression_ratio": metric("compression-rate-avg"),
                "queue_time_avg_ms": metric("record-queue-time-avg"), "topic": topic}

    def pairs(self):
        """(id, what, kafkatune side, peer side, targets). A side returns messages/s, or a dict
        of figures; targets name the figures compared, each with the range its ratio
        kafkatune / peer must fall in (low, high or None)."""
        qmm = "queued.min.messages=1000000"
        rate = {"msgs_per_s": (0.95, None)}
        latency = {k: (0.9, 1.1) for k in ("p50_ms", "p99_ms", "p999_ms")}
        return [
            ("1a", "librdkafka / rdkafka_performance -C, defaults",
             lambda: self.kafkatune_rate("librdkafka"),
             lambda: self.rdkafka_performance("queued.min.messages=100000"), rate),
            ("1b", "librdkafka / rdkafka_performance -C, queued.min.msgs=1M",
             lambda: self.kafkatune_rate("librdkafka", "-X", qmm),
             lambda: self.rdkafka_performance(qmm), rate),
            ("2", "java driver / ConsumerPerformance fetch.nMsg.sec",
             lambda: self.kafkatune_rate("java", "-X", "check.crcs=false",
                                         "-X", "receive.buffer.bytes=2097152"),
             self.consumer_performance, rate),
            ("3", "kafka-python driver / the lab's loop",
             lambda: self.kafkatune_rate("kafka-python"), self.lab_loop, rate),
            ("12", "kafkajs driver / KafkaJS's documented eachMessage loop",
             lambda: self.kafkatune_rate("kafkajs"), self.kafkajs_loop, rate),
            ("9", "java share consumer / ShareConsumerPerformance, from the first record",
             lambda: self.kafkatune_rate("java", "--group-type", "share"),
             self.share_consumer_performance, rate),
            ("4", "workload producer / ProducerPerformance, acks=all",
             self.kafkatune_producer, self.producer_performance, {"msgs_per_s": (1.0, None)}),
            ("6", "librdkafka producer / rdkafka_performance -P, lz4",
             lambda: self.kafkatune_produce("librdkafka", self.payload()["one"]),
             lambda: self.rdkafka_performance_producer(self.payload()["pattern"]), rate),
            ("7", "java producer / ProducerPerformance, lz4",
             lambda: self.kafkatune_produce("java", self.payload()["kafkatune"]),
             lambda: self.producer_performance_lz4(self.payload()["peers"]), {**rate, **latency}),
            ("10", f"java producer / ProducerPerformance, lz4, both at {self.args.rate:,} msg/s",
             lambda: self.kafkatune_produce("java", self.payload()["kafkatune"], self.args.rate),
             lambda: self.producer_performance_lz4(self.payload()["peers"], self.args.rate),
             {**rate, **latency}),
            ("8", "librdkafka through the delay proxy at 0 ms / direct",
             lambda: self.embedded_drain_rate(True),
             lambda: self.embedded_drain_rate(False), rate),
            ("11", "librdkafka through HAProxy (splice) at 0 ms / direct",
             lambda: self.haproxy_drain_rate(True),
             lambda: self.haproxy_drain_rate(False), {"msgs_per_s": (None, None)}),
        ]

    def run_pair(self, pair):
        pid, what, ours, peer, targets = pair
        rounds = []
        # Unrecorded rounds first: a freshly started cluster's JIT compiles for its first
        # tens of seconds, so the first rounds ran slower and favoured whichever side went
        # second (on 3 brokers, pair 6's rates rose from 186 k to 488 k msg/s over 5 rounds).
        for _ in range(self.args.warmup_rounds):
            ours()
            peer()
        for r in range(self.args.rounds):
            # Alternate which side goes first, so drift (page cache, JIT, a busy neighbour)
            # does not favour one side.
            if r % 2 == 0:
                k, p = figures(ours()), figures(peer())
            else:
                p, k = figures(peer()), figures(ours())
            rounds.append({"kafkatune": k, "peer": p, "first": "kafkatune" if r % 2 == 0 else "peer",
                           "load_average_1min": os.getloadavg()[0]})
            shown = "  ".join(f"{METRICS[m][0]} {k[m]:,.{METRICS[m][2]}f} / {p[m]:,.{METRICS[m][2]}f}"
                              for m in targets)
            print(f"  {pid} round {r + 1} (kafkatune / peer): {shown}  ratio {ratio(k, p, 'msgs_per_s'):.3f}",
                  file=sys.stderr, flush=True)
        if all("topic" in x[side] for x in rounds for side in ("kafkatune", "peer")):
            # The bytes each side's records took on the broker: the compression both got.
            sizes = self.log_mb([x[side]["topic"] for x in rounds for side in ("kafkatune", "peer")])
            for x in rounds:
                for side in ("kafkatune", "peer"):
                    x[side]["log_mb"] = sizes.get(x[side]["topic"])
            if all(x[side]["log_mb"] for x in rounds for side in ("kafkatune", "peer")):
                targets = {**targets, "log_mb": (None, None)}
        # For information, where both sides report them: the producer's own queue time, and
        # the CPU a message cost.
        for info in ("queue_time_avg_ms", "cpu_s_per_m"):
            if all(x[side].get(info) is not None for x in rounds for side in ("kafkatune", "peer")):
                targets = {**targets, info: (None, None)}
        metrics = {}
        for m, (low, high) in targets.items():
            ks = [x["kafkatune"][m] for x in rounds]
            ps = [x["peer"][m] for x in rounds]
            ratios = [q for q in (ratio(x["kafkatune"], x["peer"], m) for x in rounds) if q is not None]
            metrics[m] = {
                "kafkatune": ks, "peer": ps, "kafkatune_median": statistics.median(ks),
                "peer_median": statistics.median(ps), "ratios": ratios,
                "ratio_median": statistics.median(ratios) if ratios else None,
                "ratio_min": min(ratios, default=None), "ratio_max": max(ratios, default=None),
                "target_low": low, "target_high": high,
            }
        t = metrics["msgs_per_s"]
        loads = [x["load_average_1min"] for x in rounds]
        return {
            "load_average_1min_min": min(loads), "load_average_1min_max": max(loads),
            "pair": pid, "what": what, "target": targets["msgs_per_s"][0],
            "kafkatune_msgs_per_s": t["kafkatune"], "peer_msgs_per_s": t["peer"],
            "kafkatune_median": t["kafkatune_median"], "peer_median": t["peer_median"],
            "ratio_median": t["ratio_median"], "ratio_min": t["ratio_min"], "ratio_max": t["ratio_max"],
            "metrics": metrics, "rounds": rounds,
        }

    def seed_sweep(self):
        """The lab's 27 combinations, one run each: wall time against its runs' own times."""
        run([self.kafkatune, "prepare", "--bootstrap-servers", self.bootstrap, "--messages", "100000"])
        out = self.fresh("seed")
        started = time.perf_counter()
        run([self.kafkatune, "sweep", "--preset", "seed", "--repeat", "1", "-y",
             "--bootstrap-servers", self.bootstrap, "--out", str(out)])
        wall = time.perf_counter() - started
        records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
        runs_wall = sum(r["wall_s"] for r in records)
        consume = sum(r.get("consume_s") or 0 for r in records)
        return {"runs": len(records), "wall_s": wall, "runs_wall_s": runs_wall, "consume_s": consume,
                "overhead_vs_runs_wall": wall / runs_wall - 1, "overhead_vs_consume": wall / consume - 1,
                "target": 0.25}


# What the table calls each compared figure: (short name, long name, decimals in progress lines).
METRICS = {
    "msgs_per_s": ("msg/s", "", 0),
    "p50_ms": ("p50 ms", "  ack latency p50 (send to callback)", 1),
    "p99_ms": ("p99 ms", "  ack latency p99", 1),
    "p999_ms": ("p99.9 ms", "  ack latency p99.9", 1),
    "log_mb": ("log MB", "  MB its records took on the broker (compressed)", 1),
    # Both producers' own metric (producer-metrics record-queue-time-avg): how long batches
    # waited in the producer's buffer before being sent. At full speed it is most of the
    # acknowledgement latency, on both sides (bench/README.md, "Why pair 7's latency ...").
    "queue_time_avg_ms": ("queue ms", "  producer's own record-queue-time-avg", 1),
    # Pair 6: each producer process's CPU seconds (user + system) per million messages.
    "cpu_s_per_m": ("CPU s/M", "  CPU s per million messages (the producer process)", 2),
}


def figures(side):
    """A side's result as a dict of figures (a bare number is messages/s)."""
    return side if isinstance(side, dict) else {"msgs_per_s": side}


def ratio(k, p, metric):
    return k[metric] / p[metric] if p.get(metric) else None


def fmt_rate(x):
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"


def fmt_value(metric, x):
    if metric == "msgs_per_s":
        return fmt_rate(x)
    if metric == "cpu_s_per_m":
        return f"{x:.2f} s"
    return f"{x:.1f} MB" if metric == "log_mb" else f"{x:.1f} ms"


def fmt_target(low, high):
    if low is None:
        return "(info)"
    return f">= {low}" if high is None else f"{low:.2f}..{high:.2f}"


def meets(m):
    q = m["ratio_median"]
    if m["target_low"] is None:
        return ""
    if q is None:
        return "n/a"
    return "PASS" if q >= m["target_low"] and (m["target_high"] is None or q <= m["target_high"]) else "FAIL"


def print_table(env, results, seed, broker_start_s):
    print(f"\nkafkatune vs peers, {env['date']}, {env['machine']}")
    print(f"Apache Kafka {KAFKA_VERSION} embedded cluster of {env['brokers']} broker(s); topics "
          f"of 1 partition, replication factor {env['replication_factor']}"
          + "".join(f", {c}" for c in env["topic_configs"])
          + (f"; consumers read {env['topic']}" if env["topic"] else "")
          + f"; {env['rounds']} rounds per pair, sides alternated; rates in messages/s\n")
    head = (f"{'pair':<4} {'what':<52} {'kafkatune':>10} {'peer':>10} {'ratio':>6} "
            f"{'min..max':>11} {'target':>10}")
    print(head)
    print("-" * len(head) + "-----")
    for r in results:
        for name, m in r["metrics"].items():
            what = r["what"] if name == "msgs_per_s" else METRICS[name][1]
            q = "   n/a" if m["ratio_median"] is None else f"{m['ratio_median']:>6.3f}"
            spread = ("" if m["ratio_min"] is None else f"{m['ratio_min']:.2f}..{m['ratio_max']:.2f}")
            print(f"{r['pair'] if name == 'msgs_per_s' else '':<4} {what:<52} "
                  f"{fmt_value(name, m['kafkatune_median']):>10} {fmt_value(name, m['peer_median']):>10} "
                  f"{q} {spread:>11} {fmt_target(m['target_low'], m['target_high']):>10} {meets(m)}")
        print(f"{'':<4}   load average (1 min) at the end of its rounds: "
              f"{r['load_average_1min_min']:.1f}..{r['load_average_1min_max']:.1f} ({os.cpu_count()} cores)")
    if seed:
        ok = "PASS" if seed["overhead_vs_runs_wall"] <= seed["target"] else "FAIL"
        print(f"5    seed sweep, {seed['runs']} runs x 100000 msgs: wall {seed['wall_s']:.1f} s; "
              f"runs' wall_s sum {seed['runs_wall_s']:.1f} s -> overhead "
              f"{seed['overhead_vs_runs_wall'] * 100:+.0f}% (target <= 25%) {ok}")
        print(f"     runs' consume_s sum {seed['consume_s']:.2f} s -> wall is "
              f"{seed['overhead_vs_consume'] * 100:+.0f}% over steady-state consuming")
    flag = f" --brokers {env['brokers']}" if env["brokers"] > 1 else ""
    print(f"     embedded broker start (kafkatune broker start{flag}): {broker_start_s:.1f} s")


def environment(args, topic, replication):
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}",
        "kafkatune_git_revision": rev, "topic": topic, "rounds": args.rounds,
        "warmup_rounds": args.warmup_rounds,
        "messages": args.messages, "message_size_bytes": args.message_size,
        "brokers": args.brokers, "replication_factor": replication[0],
        "topic_configs": replication[1],
    }


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=5, help="alternations per pair (default 5)")
    p.add_argument("--warmup-rounds", type=int, default=1,
                   help="unrecorded rounds of both sides before a pair's rounds (default 1)")
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--message-size", type=int, default=100)
    p.add_argument("--pairs", default="1,2,3,4,5,6,7,8,9,10,12", help="which pairs to run, e.g. 1,4")
    p.add_argument("--brokers", type=int, default=1,
                   help="embedded brokers (default 1); topics get replication factor min(3, N), "
                        "and min.insync.replicas=2 from 3 on")
    p.add_argument("--rate", type=int, default=30_000,
                   help="pair 10: the rate both producers send at (default 30000 msg/s)")
    p.add_argument("--rate-messages", type=int, default=300_000,
                   help="pair 10: records each side sends (default 300000)")
    p.add_argument("--kafkatune", type=Path, default=ROOT / "target/release/kafkatune")
    args = p.parse_args()
    if args.brokers < 1:
        p.error("--brokers must be at least 1")
    if args.message_size < 40 and {"6", "7", "10"} & set(args.pairs.split(",")):
        p.error("pairs 6, 7 and 10 send JSON bodies: --message-size must be at least 40")
    if args.rate <= 0 or args.rate_messages <= 0:
        p.error("--rate and --rate-messages must be positive")
    return args


def main():
    args = parse_args()
    wanted = set(args.pairs.split(","))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    args.rdkafka_performance = build_rdkafka_performance() if {"1", "6"} & wanted else None
    scratch = Path(tempfile.mkdtemp(prefix="kafkatune-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            broker = stack.enter_context(Broker(str(args.kafkatune), scratch, args.brokers))
            bench = Bench(args, broker, scratch)
            stack.callback(bench.close)
            print(f"{args.brokers} broker(s) at {broker.bootstrap} (started in {broker.start_s:.1f} s)",
                  file=sys.stderr, flush=True)
            if {"1", "2", "3", "9", "12"} & wanted:  # the consumer pairs' topic
                print(f"filling {bench.topic}", file=sys.stderr, flush=True)
                bench.create_topic(bench.topic)
                run([bench.kafkatune, "prepare", "--bootstrap-servers", broker.bootstrap, "--topic",
                     bench.topic, "--prepare", "--messages", str(args.messages), "--message-size",
                     str(args.message_size)])
            results = [bench.run_pair(p) for p in bench.pairs() if p[0].rstrip("ab") in wanted]
            seed = bench.seed_sweep() if "5" in wanted else None
            env = environment(args, bench.topic if {"1", "2", "3", "12"} & wanted else None,
                              bench.replication())
            print_table(env, results, seed, broker.start_s)
            saved = ROOT / "target/bench" / f"peers-{time.strftime('%Y%m%d-%H%M%S')}.json"
            saved.parent.mkdir(parents=True, exist_ok=True)
            saved.write_text(json.dumps({"environment": env, "pairs": results, "seed_sweep": seed,
                                         "broker_start_s": broker.start_s}, indent=2))
            print(f"\nraw figures: {saved.relative_to(ROOT)}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
        print(f"bench: {e}", file=sys.stderr)
        sys.exit(1)
