#!/usr/bin/env bash
# Runs every test: set-up, then the tests that need no broker (seconds, so a mistake fails
# fast: Rust unit tests, the scheduler on the fake client, the tree's shape, bad input,
# report snapshots, the Java and Python drivers' unit tests), then everything on a real
# embedded Apache Kafka broker with every client, and the report in Chromium.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export KAFKATUNE_WITH_CHROMIUM=1
scripts/setup.sh

# No broker, no Java or Python client needed.
cargo test --release --locked --lib --test architecture --test scheduler --test bad_input --test bad_input_franz_go --test report_snapshots --test tune --test capacity --test deploy --test readme_commands

# The Java driver's unit tests (JUnit through Maven).
mvn -B -q -f drivers/java/pom.xml test
echo "java driver: unit tests passed"

# The Python driver's unit tests, in a virtual environment of their own under target/.
venv=target/py-test-venv
if [ ! -x "$venv/bin/pytest" ] || ! cmp -s drivers/python/requirements.txt "$venv/requirements.txt"; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r drivers/python/requirements.txt pytest
    cp drivers/python/requirements.txt "$venv/requirements.txt"
fi
(cd drivers/python && "$root/$venv/bin/python" -m pytest -q -p no:cacheprovider)

# The franz-go driver's unit tests (go vet and go test; the machine's Go, no toolchain download).
(cd drivers/franz-go && GOTOOLCHAIN=local go vet ./... && GOTOOLCHAIN=local go test -count=1 ./...)

# Fetch Kafka's jars, build the Java and franz-go drivers and the Python environment once, before the
# tests run in parallel.
target/release/kafkatune setup --client all

# The tests on a real broker, and the report in Chromium (the ones above do not run twice).
# Two test threads: the machine has two cores, and the broker needs one.
cargo test --release --locked --test real_broker --test report_html -- --test-threads 2
