#!/usr/bin/env bash
# Runs every test: set-up, Rust unit and integration tests (a real embedded Apache Kafka
# broker, all three clients), the Python driver's unit tests, the report in Chromium.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export KAFKATUNE_WITH_CHROMIUM=1
scripts/setup.sh

# Fetch Kafka's jars, build the Java driver and the Python environment once, before the
# tests run in parallel.
target/release/kafkatune setup --client all

# The Python driver's unit tests, in a virtual environment of their own under target/.
venv=target/py-test-venv
if [ ! -x "$venv/bin/pytest" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r drivers/python/requirements.txt pytest
fi
(cd drivers/python && "$root/$venv/bin/python" -m pytest -q -p no:cacheprovider)

# Two test threads: the machine has two cores, and the broker needs one.
cargo test --release --locked -- --test-threads 2
