#!/usr/bin/env bash
# The franz-go driver's unit tests (go vet and go test; the machine's Go, no toolchain
# download), no broker. scripts/test.sh runs every drivers/*/unit-tests.sh from the root.
set -euo pipefail
cd drivers/franz-go
GOTOOLCHAIN=local go vet ./...
GOTOOLCHAIN=local go test -count=1 ./...
