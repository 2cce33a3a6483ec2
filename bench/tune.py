#!/usr/bin/env python3
"""The tuning benchmark (issue 16, item 4): how close `kafkatune tune` gets to the true best.

For each space: an exhaustive sweep with --repeat R (the ground truth, kept in OUT/truth-*),
then `tune --strategy race|random|greedy` at the same budgets (fractions of the exhaustive
sweep's runs) over several seeds. Prints, per strategy and budget, the median gap of the
winner's true median to the true best (from the exhaustive sweep), how many winners the
ground truth cannot tell from the true best, the runs spent and the machine's load; writes
the same table as markdown to OUT/table.md (bench/README.md).

Spaces:
  produce: producer batch.size x linger.ms x compression.type, throughput (--mode produce)
  live:    fetch.min.bytes x fetch.max.wait.ms x max.poll.records, p99 latency (--mode live)
  wan:     max.partition.fetch.bytes x fetch.min.bytes x max.poll.records, drain throughput at
           10 ms each way (--network): the fetch size bounds the throughput, clear of the noise.
           --network needs a broker kafkatune starts itself, so each of its sweeps and
           searches starts its own (about 2 s, untimed) instead of using the shared one.

Usage: bench/tune.py [--spaces produce,live,wan] [--seeds 5] [--budgets 0.25,0.4] [--repeat 3]
"""
import argparse
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("KAFKATUNE_BIN", os.path.join(ROOT, "target", "release", "kafkatune"))
# One embedded broker for the whole benchmark (`kafkatune broker start`), so no command
# pays for a broker start: every sweep and search gets --bootstrap-servers ADDR.
CLUSTER = []

SPACES = {
    "produce": {
        "args": ["--mode", "produce", "--messages", "{messages}"],
        "params": [
            "batch.size=16384,262144",
            "linger.ms=0,5,50",
            "compression.type=none,lz4,zstd",
        ],
        "goal": "throughput",
        "metric": "throughput_msgs_per_s",
        "higher": True,
    },
    "live": {
        "args": ["--mode", "live", "--rate", "300", "--duration", "{duration}", "--warmup-s", "1"],
        "params": [
            "fetch.min.bytes=1,65536",
            "fetch.max.wait.ms=10,100,500",
            "max.poll.records=10,500",
        ],
        "goal": "latency-p99",
        "metric": "latency_p99_ms",
        "higher": False,
    },
    "wan": {
        "args": ["--network", "latency=10ms", "--messages", "{wan_messages}"],
        "params": [
            # From 64 KiB up: below fetch.min.bytes=51200 every fetch would wait the whole
            # fetch.max.wait.ms (the broker cannot gather that much into one response), and
            # each such run would spend its time-out.
            "max.partition.fetch.bytes=65536,131072,262144,524288,1048576",
            "fetch.min.bytes=1024,51200",
            "max.poll.records=10,500",
        ],
        "goal": "throughput",
        "metric": "throughput_msgs_per_s",
        "higher": True,
        "own_broker": True,
    },
}


def cluster(space):
    """Where a space's commands run: the shared broker, or (--network) one of their own."""
    return [] if SPACES[space].get("own_broker") else CLUSTER


def run(cmd, folder):
    """Runs one sweep or search; keeps its wall time and the machine's load averages (before
    and after) in FOLDER/bench-run.json, since the machine is shared."""
    t = time.time()
    load_before = os.getloadavg()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    took = time.time() - t
    if os.path.isdir(folder):
        with open(os.path.join(folder, "bench-run.json"), "w") as f:
            json.dump({"command": cmd, "wall_s": took, "started": t,
                       "load_before": load_before, "load_after": os.getloadavg()}, f)
    return took


def loads(folder):
    """The 1-minute load averages kept for FOLDER's run(s), if any."""
    path = os.path.join(folder, "bench-run.json")
    if not os.path.exists(path):
        return []
    b = json.load(open(path))
    return [b["load_before"][0], b["load_after"][0]]


def key(params, names):
    return tuple(params.get(n) for n in names)


def truth(space, out, repeat, fill):
    folder = os.path.join(out, f"truth-{space}")
    summary = os.path.join(folder, "summary.json")
    if not os.path.exists(summary):
        s = SPACES[space]
        cmd = [BIN, "sweep", "--repeat", str(repeat), "--seed", "1", "--yes", "--no-report", "--out", folder] + cluster(space)
        cmd += [a.format(**fill) for a in s["args"]]
        for p in s["params"]:
            cmd += ["--param", p]
        took = run(cmd, folder)
        print(f"  ground truth {space}: {took:.0f} s", flush=True)
    data = json.load(open(summary))
    names = [p.split("=")[0] for p in SPACES[space]["params"]]
    metric = SPACES[space]["metric"]
    medians = {
        key(t["params"], names): t["metrics"][metric]["median"]
        for t in data["trials"]
        if metric in t["metrics"]
    }
    runs = sum(t["runs_ok"] + t["runs_failed"] for t in data["trials"])
    values = {}
    for line in open(os.path.join(folder, "results.jsonl")):
        r = json.loads(line)
        if r.get("status") != "failed" and not r.get("warmup") and r.get(metric) is not None:
            values.setdefault(key(r["params"], names), []).append(r[metric])
    return medians, values, runs, names


def p_worse(candidate, best, higher):
    """The one-sided Mann-Whitney U p-value that CANDIDATE's runs are worse than BEST's: the
    test `kafkatune tune` drops by, exact here (every split of the pooled runs, mid-ranks for
    ties), on the ground truth's runs."""
    pooled = sorted(candidate + best)
    def rank(v):
        lo = pooled.index(v)
        return lo + 1 + (pooled.count(v) - 1) / 2
    ranks = [rank(v) for v in candidate + best]
    n = len(candidate)
    seen = sum(ranks[:n])
    splits = [sum(c) for c in itertools.combinations(ranks, n)]
    # Worse: lower ranks when higher is better, higher ranks otherwise.
    worse = [x for x in splits if (x <= seen + 1e-9 if higher else x >= seen - 1e-9)]
    return len(worse) / len(splits)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spaces", default="produce,live")
    ap.add_argument("--strategies", default="race,random,greedy")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--budgets", default="0.25,0.4",
                    help="fractions of an exhaustive sweep's runs at the default --repeat 3 (trials x 3)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per trial of the ground truth")
    ap.add_argument("--messages", type=int, default=200000, help="produce space: messages per run")
    ap.add_argument("--duration", type=float, default=3, help="live space: seconds per run")
    ap.add_argument("--wan-messages", type=int, default=30000, help="wan space: messages per run")
    ap.add_argument("--out", default=os.path.join(ROOT, "kafkatune-results", "bench-tune"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    fill = {"messages": a.messages, "duration": a.duration, "wan_messages": a.wan_messages}
    # The broker runs in a scratch cache (as bench/peers.py's), so a broker the user keeps
    # running (`kafkatune broker start` in the user's cache) is neither reused nor stopped.
    env = dict(os.environ, KAFKATUNE_CACHE=os.path.join(a.out, "broker-cache"),
               KAFKA_HOME=os.environ.get("KAFKA_HOME", os.path.join(user_cache(), "kafka-4.4.0")))
    started = subprocess.run([BIN, "broker", "start"], stdout=subprocess.PIPE, text=True, check=True, env=env).stdout
    address = next(w for w in started.split() if w.count(":") == 1 and w.split(":")[1].isdigit())
    CLUSTER.extend(["--bootstrap-servers", address, "--allow-write"])
    print(f"broker at {address}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    try:
        bench(a, fill)
    finally:
        subprocess.run([BIN, "broker", "stop"], env=env)


def user_cache():
    """kafkatune's cache, as src/cache.rs finds it (the Kafka distribution the broker runs)."""
    if os.environ.get("KAFKATUNE_CACHE"):
        return os.environ["KAFKATUNE_CACHE"]
    return os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "kafkatune")


def bench(a, fill):
    rows, truths = [], {}
    for space in a.spaces.split(","):
        s = SPACES[space]
        medians, values, exhaustive_runs, names = truth(space, a.out, a.repeat, fill)
        best = (max if s["higher"] else min)(medians.values())
        best_key = next(k for k, m in medians.items() if m == best)
        print(f"{space}: {len(medians)} trials, ground truth of {exhaustive_runs} runs, true best {best:.4g}", flush=True)
        truths[space] = (len(medians), exhaustive_runs, best, loads(os.path.join(a.out, f"truth-{space}")))
        # The sweep a user would run: every trial at the default --repeat 3.
        exhaustive_runs = 3 * len(medians)
        for fraction in [float(f) for f in a.budgets.split(",")]:
            # At most the fraction (the target says "at most 40%"), so rounded down.
            budget = max(1, math.floor(fraction * exhaustive_runs))
            for strategy in a.strategies.split(","):
                gaps, spent, load, tied = [], [], [], []
                for seed in range(1, a.seeds + 1):
                    folder = os.path.join(a.out, f"{space}-{strategy}-b{budget}-s{seed}")
                    done = os.path.join(folder, "tune.json")
                    if os.path.exists(done) and not json.load(open(done))["finished"]:
                        # An interrupted search goes on where it stopped (on this run's broker).
                        run([BIN, "tune", "--resume", folder] + cluster(space), folder)
                    elif not os.path.exists(done):
                        cmd = [BIN, "tune", "--strategy", strategy, "--goal", s["goal"], "--budget", str(budget),
                               "--seed", str(seed), "--no-report", "--out", folder] + cluster(space)
                        cmd += [x.format(**fill) for x in s["args"]]
                        for p in s["params"]:
                            cmd += ["--param", p]
                        run(cmd, folder)
                    load += loads(folder)
                    t = json.load(open(os.path.join(folder, "tune.json")))
                    spent.append(t["runs_spent"])
                    w = t.get("winner")
                    if not w:
                        gaps.append(float("nan"))
                        continue
                    true = medians.get(key(w["params"], names))
                    gap = (best - true) / best if s["higher"] else (true - best) / best
                    gaps.append(gap)
                    # Tied: the ground truth's own runs do not tell the winner from the true best.
                    tied.append(p_worse(values[key(w["params"], names)], values[best_key], s["higher"]) > 0.05)
                row = (space, strategy, budget, exhaustive_runs, statistics.median(gaps), statistics.median(spent),
                       max(gaps), gaps, load, tied)
                rows.append(row)
                print(f"  {strategy:7} budget {budget:3} runs: median gap {row[4]*100:5.1f}% (worst {row[6]*100:5.1f}%), "
                      f"median runs spent {row[5]:.0f}, per seed {' '.join(f'{g*100:.1f}%' for g in gaps)}, "
                      f"{sum(tied)} of {len(gaps)} tied with the true best", flush=True)
    table = markdown(rows, truths, a)
    print()
    print(table)
    path = os.path.join(a.out, "table.md")
    with open(path, "w") as f:
        f.write(table)
    print(f"table written to {path}")


def markdown(rows, truths, a):
    """The benchmark's table as markdown, with what it ran on and the machine's load."""
    lines = [
        "| space | strategy | budget (runs) | of an exhaustive sweep (trials x 3) | median gap to true best "
        "| worst gap | gap per seed | seeds tied with the true best | median runs spent | load (1 min) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for space, strategy, budget, ex, gap, spent, worst, gaps, load, tied in rows:
        per_seed = " ".join(f"{g*100:.1f}" for g in gaps)
        span = f"{min(load):.1f}-{max(load):.1f}" if load else "?"
        lines.append(f"| {space} | {strategy} | {budget} | {budget/ex*100:.0f}% of {ex} | {gap*100:.1f}% "
                     f"| {worst*100:.1f}% | {per_seed} | {sum(tied)} of {len(tied)} | {spent:.0f} | {span} |")
    lines.append("")
    for space, (n, runs, best, load) in truths.items():
        span = f", load (1 min) {min(load):.1f}-{max(load):.1f}" if load else ""
        lines.append(f"- {space}: {n} trials, ground truth {runs} runs (`--repeat {a.repeat}`), "
                     f"true best {best:.4g} ({SPACES[space]['metric']}){span}")
    lines.append("- gap: (true best - the winner's true median) / true best (lower is better: the other "
                 "way round), both from the ground truth; tied: the ground truth's runs of the winner are "
                 "not worse than the true best's (one-sided Mann-Whitney U, exact, p > 0.05)")
    lines.append(f"- command: `bench/tune.py {' '.join(sys.argv[1:])}`; {a.seeds} seeds; "
                 f"{os.cpu_count()} CPUs; finished {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
