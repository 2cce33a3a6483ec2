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

# Each driver's own unit tests (drivers/NAME/unit-tests.sh: JUnit, pytest, ...), no broker.
for tests in drivers/*/unit-tests.sh; do
    "$tests"
done


# Fetch Kafka's jars, build every client's driver once, before the
# tests run in parallel.
target/release/kafkatune setup --client all

# The tests on a real broker, and the report in Chromium (the ones above do not run twice).
# Two test threads: the machine has two cores, and the broker needs one.
cargo test --release --locked --test real_broker --test report_html -- --test-threads 2
