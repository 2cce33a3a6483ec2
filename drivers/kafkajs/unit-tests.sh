#!/usr/bin/env bash
# The KafkaJS driver's unit tests (node --test), no broker, with its lockfile's packages
# installed by npm ci into a copy under target/ (node_modules never lands in drivers/kafkajs).
# scripts/test.sh runs every drivers/*/unit-tests.sh from the repository's root.
set -euo pipefail
js=target/kafkajs-test
if [ ! -d "$js/node_modules" ] || ! cmp -s drivers/kafkajs/package-lock.json "$js/package-lock.json"; then
    rm -rf "$js"
    mkdir -p "$js"
    cp drivers/kafkajs/package.json drivers/kafkajs/package-lock.json "$js/"
    (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
fi
rm -rf "$js/lib" "$js/test" && cp -r drivers/kafkajs/lib drivers/kafkajs/test drivers/kafkajs/kafkatune_kafkajs.js "$js/"
(cd "$js" && node --test)
