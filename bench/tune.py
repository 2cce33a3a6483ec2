#!/usr/bin/env python3
"""The tuning benchmark (issue 16, item 4): how close `kafkatune tune` gets to the true best.

For each space: an exhaustive sweep with --repeat R (the ground truth, kept in OUT/truth-*),
then `tune --strategy race|random|greedy` at the same budgets (fractions of the exhaustive
sweep's runs) over several seeds. Prints, per strategy and budget, the median gap of the
winner's true median to the true best (from the exhaustive sweep), and the runs spent.

Spaces:
  produce: producer batch.size x linger.ms x compression.type, throughput (--mode produce)
  live:    fetch.min.bytes x fetch.max.wait.ms x max.poll.records, p99 latency (--mode live)

Usage: bench/tune.py [--spaces produce,live] [--seeds 5] [--budgets 0.25,0.4] [--repeat 3]
"""
import argparse
import json
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
}


def run(cmd):
    t = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return time.time() - t


def key(params, names):
    return tuple(params.get(n) for n in names)


def truth(space, out, repeat, fill):
    folder = os.path.join(out, f"truth-{space}")
    summary = os.path.join(folder, "summary.json")
    if not os.path.exists(summary):
        s = SPACES[space]
        cmd = [BIN, "sweep", "--repeat", str(repeat), "--seed", "1", "--yes", "--no-report", "--out", folder] + CLUSTER
        cmd += [a.format(**fill) for a in s["args"]]
        for p in s["params"]:
            cmd += ["--param", p]
        took = run(cmd)
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
    return medians, runs, names


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
    ap.add_argument("--out", default=os.path.join(ROOT, "kafkatune-results", "bench-tune"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    fill = {"messages": a.messages, "duration": a.duration}
    started = subprocess.run([BIN, "broker", "start"], stdout=subprocess.PIPE, text=True, check=True).stdout
    address = next(w for w in started.split() if w.count(":") == 1 and w.split(":")[1].isdigit())
    CLUSTER.extend(["--bootstrap-servers", address, "--allow-write"])
    print(f"broker at {address}", flush=True)
    try:
        bench(a, fill)
    finally:
        subprocess.run([BIN, "broker", "stop"])


def bench(a, fill):
    rows = []
    for space in a.spaces.split(","):
        s = SPACES[space]
        medians, exhaustive_runs, names = truth(space, a.out, a.repeat, fill)
        best = (max if s["higher"] else min)(medians.values())
        print(f"{space}: {len(medians)} trials, ground truth of {exhaustive_runs} runs, true best {best:.4g}", flush=True)
        # The sweep a user would run: every trial at the default --repeat 3.
        exhaustive_runs = 3 * len(medians)
        for fraction in [float(f) for f in a.budgets.split(",")]:
            budget = max(1, round(fraction * exhaustive_runs))
            for strategy in a.strategies.split(","):
                gaps, spent = [], []
                for seed in range(1, a.seeds + 1):
                    folder = os.path.join(a.out, f"{space}-{strategy}-b{budget}-s{seed}")
                    done = os.path.join(folder, "tune.json")
                    if os.path.exists(done) and not json.load(open(done))["finished"]:
                        # An interrupted search goes on where it stopped (on this run's broker).
                        run([BIN, "tune", "--resume", folder] + CLUSTER)
                    elif not os.path.exists(done):
                        cmd = [BIN, "tune", "--strategy", strategy, "--goal", s["goal"], "--budget", str(budget),
                               "--seed", str(seed), "--no-report", "--out", folder] + CLUSTER
                        cmd += [x.format(**fill) for x in s["args"]]
                        for p in s["params"]:
                            cmd += ["--param", p]
                        run(cmd)
                    t = json.load(open(os.path.join(folder, "tune.json")))
                    spent.append(t["runs_spent"])
                    w = t.get("winner")
                    if not w:
                        gaps.append(float("nan"))
                        continue
                    true = medians.get(key(w["params"], names))
                    gap = (best - true) / best if s["higher"] else (true - best) / best
                    gaps.append(gap)
                row = (space, strategy, budget, exhaustive_runs, statistics.median(gaps), statistics.median(spent), max(gaps))
                rows.append(row)
                print(f"  {strategy:7} budget {budget:3} runs: median gap {row[4]*100:5.1f}% (worst {row[6]*100:5.1f}%), median runs spent {row[5]:.0f}", flush=True)
    print()
    print("| space | strategy | budget (runs) | of an exhaustive sweep (trials x 3) | median gap to true best | worst gap | median runs spent |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for space, strategy, budget, ex, gap, spent, worst in rows:
        print(f"| {space} | {strategy} | {budget} | {budget/ex*100:.0f}% of {ex} | {gap*100:.1f}% | {worst*100:.1f}% | {spent:.0f} |")


if __name__ == "__main__":
    main()
