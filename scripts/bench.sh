#!/usr/bin/env bash
# kafkatune against its peers, side by side (bench/README.md): builds kafkatune, sets up the
# Java driver and the Python environment, then runs bench/peers.py on an embedded broker of
# its own. About 12 minutes on 2 cores. Arguments go to bench/peers.py (e.g. --rounds 7).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/setup.sh
# `scripts/bench.sh tune [ARGS]`: the tuning benchmark (bench/tune.py), librdkafka only.
if [ "${1:-}" = "tune" ]; then
    shift
    exec python3 bench/tune.py "$@"
fi
target/release/kafkatune setup --client all
exec python3 bench/peers.py "$@"
