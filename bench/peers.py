#!/usr/bin/env python3
"""kafkatune against its peers, side by side: is kafkatune the bottleneck?

Starts its own embedded broker, fills one topic, then runs each pair on that topic, both
sides in the same run, alternating them (which side goes first alternates too), and prints
the median of the per-round ratios kafkatune / peer with their spread. What each pair
measures and why it is fair: bench/README.md. Exits non-zero on errors only, never on a
missed target. Python 3.11 standard library only.

    python3 bench/peers.py [--rounds 5] [--messages 1000000] [--pairs 1,2,3,4,5] [--brokers 1]
"""

import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import signal
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


class Bench:
    def __init__(self, args, broker, scratch):
        self.args = args
        self.kafkatune = str(args.kafkatune)
        self.bootstrap = broker.bootstrap
        self.scratch = scratch
        self.topic = f"bench-{args.messages}x{args.message_size}B"
        self.n = 0

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

    # --- kafkatune's side: one-run sweeps, exactly what users run ---
    def sweep(self, client, *extra, topic=None, messages=None):
        out = self.fresh(f"sweep-{client}")
        run([self.kafkatune, "sweep", "--bootstrap-servers", self.bootstrap,
             "--topic", topic or self.topic, "--messages", str(messages or self.args.messages),
             "--client", client, "--repeat", "1", "--no-report", "--out", str(out), *extra])
        return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]

    def kafkatune_rate(self, client, *extra):
        (record,) = self.sweep(client, *extra)
        if record.get("status") != "ok":
            raise RuntimeError(f"kafkatune {client} run failed: {record.get('error')}")
        return record["throughput_msgs_per_s"]

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
        return run(["java", *JVM_OPTS, "-cp", f"{kafka_libs()}/*", f"org.apache.kafka.tools.{cls}",
                    *args])[0]

    def consumer_performance(self):
        stdout = self.java_tool("ConsumerPerformance", "--bootstrap-server", self.bootstrap,
                                "--topic", self.topic, "--messages", str(self.args.messages))
        header, values = [line for line in stdout.splitlines() if line.count(",") >= 9][-2:]
        row = dict(zip([h.strip() for h in header.split(",")], [v.strip() for v in values.split(",")]))
        if int(row["data.consumed.in.nMsg"]) < self.args.messages:
            raise RuntimeError(f"ConsumerPerformance read too few messages: {stdout[-500:]}")
        return float(row["fetch.nMsg.sec"])

    def lab_loop(self):
        stdout, _ = run([str(driver_python()), "-c", LAB_LOOP, self.bootstrap, self.topic,
                         str(self.args.messages)])
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

    def pairs(self):
        """(id, what, kafkatune side, peer side, lowest acceptable ratio)."""
        qmm = "queued.min.messages=1000000"
        return [
            ("1a", "librdkafka / rdkafka_performance -C, defaults",
             lambda: self.kafkatune_rate("librdkafka"),
             lambda: self.rdkafka_performance("queued.min.messages=100000"), 0.95),
            ("1b", "librdkafka / rdkafka_performance -C, queued.min.msgs=1M",
             lambda: self.kafkatune_rate("librdkafka", "-X", qmm),
             lambda: self.rdkafka_performance(qmm), 0.95),
            ("2", "java driver / ConsumerPerformance fetch.nMsg.sec",
             lambda: self.kafkatune_rate("java", "-X", "check.crcs=false",
                                         "-X", "receive.buffer.bytes=2097152"),
             self.consumer_performance, 0.95),
            ("3", "kafka-python driver / the lab's loop",
             lambda: self.kafkatune_rate("kafka-python"), self.lab_loop, 0.95),
            ("4", "workload producer / ProducerPerformance, acks=all",
             self.kafkatune_producer, self.producer_performance, 1.0),
        ]

    def run_pair(self, pair):
        pid, what, ours, peer, target = pair
        rows = []
        for r in range(self.args.rounds):
            # Alternate which side goes first, so drift (page cache, JIT, a busy neighbour)
            # does not favour one side.
            if r % 2 == 0:
                k, p = ours(), peer()
            else:
                p, k = peer(), ours()
            rows.append((k, p))
            print(f"  {pid} round {r + 1}: kafkatune {k:,.0f}  peer {p:,.0f} msg/s  ratio {k / p:.3f}",
                  file=sys.stderr, flush=True)
        ratios = [k / p for k, p in rows]
        return {
            "pair": pid, "what": what, "target": target,
            "kafkatune_msgs_per_s": [k for k, _ in rows], "peer_msgs_per_s": [p for _, p in rows],
            "kafkatune_median": statistics.median(k for k, _ in rows),
            "peer_median": statistics.median(p for _, p in rows),
            "ratio_median": statistics.median(ratios), "ratio_min": min(ratios),
            "ratio_max": max(ratios),
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


def fmt_rate(x):
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"


def print_table(env, results, seed, broker_start_s):
    print(f"\nkafkatune vs peers, {env['date']}, {env['machine']}")
    print(f"Apache Kafka {KAFKA_VERSION} embedded cluster of {env['brokers']} broker(s); topics "
          f"of 1 partition, replication factor {env['replication_factor']}"
          + "".join(f", {c}" for c in env["topic_configs"])
          + (f"; consumers read {env['topic']}" if env["topic"] else "")
          + f"; {env['rounds']} rounds per pair, sides alternated; rates in messages/s\n")
    head = f"{'pair':<4} {'what':<52} {'kafkatune':>10} {'peer':>10} {'ratio':>6} {'min..max':>11} {'target':>7}"
    print(head)
    print("-" * len(head) + "-------")
    for r in results:
        ok = "PASS" if r["ratio_median"] >= r["target"] else "FAIL"
        print(f"{r['pair']:<4} {r['what']:<52} {fmt_rate(r['kafkatune_median']):>10} "
              f"{fmt_rate(r['peer_median']):>10} {r['ratio_median']:>6.3f} "
              f"{r['ratio_min']:.2f}..{r['ratio_max']:.2f} {'>= ' + str(r['target']):>7} {ok}")
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
        "messages": args.messages, "message_size_bytes": args.message_size,
        "brokers": args.brokers, "replication_factor": replication[0],
        "topic_configs": replication[1],
    }


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=5, help="alternations per pair (default 5)")
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--message-size", type=int, default=100)
    p.add_argument("--pairs", default="1,2,3,4,5", help="which pairs to run, e.g. 1,4")
    p.add_argument("--brokers", type=int, default=1,
                   help="embedded brokers (default 1); topics get replication factor min(3, N), "
                        "and min.insync.replicas=2 from 3 on")
    p.add_argument("--kafkatune", type=Path, default=ROOT / "target/release/kafkatune")
    args = p.parse_args()
    if args.brokers < 1:
        p.error("--brokers must be at least 1")
    return args


def main():
    args = parse_args()
    wanted = set(args.pairs.split(","))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    args.rdkafka_performance = build_rdkafka_performance() if "1" in wanted else None
    scratch = Path(tempfile.mkdtemp(prefix="kafkatune-bench-"))
    try:
        with Broker(str(args.kafkatune), scratch, args.brokers) as broker:
            bench = Bench(args, broker, scratch)
            print(f"{args.brokers} broker(s) at {broker.bootstrap} (started in {broker.start_s:.1f} s)",
                  file=sys.stderr, flush=True)
            if {"1", "2", "3"} & wanted:  # the consumer pairs' topic
                print(f"filling {bench.topic}", file=sys.stderr, flush=True)
                bench.create_topic(bench.topic)
                run([bench.kafkatune, "prepare", "--bootstrap-servers", broker.bootstrap, "--topic",
                     bench.topic, "--prepare", "--messages", str(args.messages), "--message-size",
                     str(args.message_size)])
            results = [bench.run_pair(p) for p in bench.pairs() if p[0].rstrip("ab") in wanted]
            seed = bench.seed_sweep() if "5" in wanted else None
            env = environment(args, bench.topic if {"1", "2", "3"} & wanted else None,
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
