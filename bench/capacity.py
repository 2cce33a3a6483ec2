#!/usr/bin/env python3
"""kafkatune capacity's search against Tussle's method, on the same trial.

Runs `kafkatune capacity` twice with the same trial, service level and step length, once with
the default search (bracket by doubling, bisect to the resolution, confirm both bounds) and
once with `--strategy tussle` (a high bound by steps, then 1% steps from 50% to 110% of it),
each on an embedded broker of its own, and prints both answers, their steps and wall times,
and the ratios. Target: the same capacity within the resolution, in at most a third of the
steps. A benchmark, not a test: exit 0 whether or not the target is met.

    python3 bench/capacity.py                 # the default trial: 500 us of work a record
    python3 bench/capacity.py --duration 5 -- --param producer.linger.ms=5
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BINARY = ROOT / "target" / "release" / "kafkatune"
# A trial whose capacity the consumer sets (1 / 500 us = 2,000 msg/s at most): both searches
# meet a lag or latency wall at a rate the generator can always send.
DEFAULT_TRIAL = ["--processing", "500us"]


def run(strategy, args, out):
    cmd = [str(BINARY), "capacity", "--strategy", strategy, "--no-report", "--out", str(out)] + args
    started = time.monotonic()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"capacity --strategy {strategy} failed ({done.returncode})")
    file = json.loads((out / "capacity.json").read_text())
    return file, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slo", default="p99<100ms")
    parser.add_argument("--rates", default="100..100000")
    parser.add_argument("--resolution", default="5%")
    parser.add_argument("--duration", default="3", help="each step's measured seconds")
    parser.add_argument("--warmup-s", default="2", help="each step's warm-up")
    parser.add_argument("trial", nargs="*", help="the trial's options after --")
    opts = parser.parse_args()
    if not BINARY.exists():
        raise SystemExit("build first: cargo build --release (or scripts/setup.sh)")
    trial = opts.trial or DEFAULT_TRIAL
    args = trial + ["--slo", opts.slo, "--rates", opts.rates, "--resolution", opts.resolution,
                    "--duration", opts.duration, "--warmup-s", opts.warmup_s]
    load_before = os.getloadavg()
    results = {}
    # The two searches' folders are kept, to read every step: target/bench/capacity-TIME/.
    folder = ROOT / "target" / "bench" / f"capacity-{time.strftime('%Y%m%d-%H%M%S')}"
    for strategy in ["bisect", "tussle"]:
        file, wall = run(strategy, args, folder / strategy)
        t = file["trials"][0]
        results[strategy] = {
            "capacity": t.get("capacity_msgs_per_s"),
            "first_failing": t.get("first_failing_msgs_per_s"),
            "binding": t.get("binding"),
            "steps": len(t["steps"]),
            "wall_s": wall,
            "path": [(round(s["offered_msgs_per_s"]), s["passed"]) for s in t["steps"]],
        }
    load_after = os.getloadavg()
    b, s = results["bisect"], results["tussle"]
    print(f"kafkatune capacity {' '.join(args)}")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f}")
    print()
    print("| search | capacity msg/s | first failing msg/s | broke first | steps | wall s |")
    print("| --- | ---: | ---: | --- | ---: | ---: |")
    for name, r in results.items():
        print(f"| {name} | {r['capacity']} | {r['first_failing']} | {r['binding']} | {r['steps']} | {r['wall_s']:.0f} |")
    print()
    for name, r in results.items():
        print(f"{name} steps (msg/s, + pass, - fail): "
              + " ".join(f"{rate}{'+' if ok else '-'}" for rate, ok in r["path"]))
    print()
    if b["capacity"] and s["capacity"]:
        resolution = float(opts.resolution.rstrip("%")) / (100 if opts.resolution.endswith("%") else 1)
        gap = abs(b["capacity"] / s["capacity"] - 1)
        print(f"capacity bisect / tussle: {b['capacity'] / s['capacity']:.3f} "
              f"({'within' if gap <= resolution + 0.01 else 'outside'} the resolution of {resolution:.0%} plus Tussle's 1% step)")
    print(f"steps bisect / tussle: {b['steps'] / s['steps']:.2f} (target at most 0.33)")
    print(f"wall time bisect / tussle: {b['wall_s'] / s['wall_s']:.2f}")
    (folder / "bench.json").write_text(json.dumps(results, indent=2))
    print(f"folders and figures: {folder}")


if __name__ == "__main__":
    main()
