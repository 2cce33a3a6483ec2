#!/usr/bin/env bash
# The Java driver's unit tests (JUnit through Maven), no broker. scripts/test.sh runs every
# drivers/*/unit-tests.sh from the repository's root.
set -euo pipefail
mvn -B -q -f drivers/java/pom.xml test
echo "java driver: unit tests passed"
