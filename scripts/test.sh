#!/usr/bin/env bash
# Runs every test: set-up, then the tests that need no broker (seconds, so a mistake fails
# fast: Rust unit tests, the scheduler on the fake client, the tree's shape, bad input,
# report snapshots, the Java, Python and KafkaJS drivers' unit tests), then everything on a real
# embedded Apache Kafka broker with every client, and the report in Chromium.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export KAFKATUNE_WITH_CHROMIUM=1
scripts/setup.sh

# No broker, no Java or Python client needed.
cargo test --release --locked --lib --test architecture --test scheduler --test bad_input --test report_snapshots --test tune --test capacity --test deploy --test readme_commands

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

# The KafkaJS driver's unit tests (node --test), with its lockfile's packages installed by
# npm ci into a copy under target/ (node_modules never lands in drivers/kafkajs).
js=target/kafkajs-test
if [ ! -d "$js/node_modules" ] || ! cmp -s drivers/kafkajs/package-lock.json "$js/package-lock.json"; then
    rm -rf "$js"
    mkdir -p "$js"
    cp drivers/kafkajs/package.json drivers/kafkajs/package-lock.json "$js/"
    (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
fi
rm -rf "$js/lib" "$js/test" && cp -r drivers/kafkajs/lib drivers/kafkajs/test drivers/kafkajs/kafkatune_kafkajs.js "$js/"
(cd "$js" && node --test)

# Fetch Kafka's jars, build the Java driver and the Python environment once, before the
# tests run in parallel.
target/release/kafkatune setup --client all

# The tests on a real broker, and the report in Chromium (the ones above do not run twice).
# Two test threads: the machine has two cores, and the broker needs one.
cargo test --release --locked --test real_broker --test report_html -- --test-threads 2
