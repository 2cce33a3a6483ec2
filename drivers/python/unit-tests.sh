#!/usr/bin/env bash
# The Python drivers' unit tests (pytest), no broker, in a virtual environment of their own
# under target/. scripts/test.sh runs every drivers/*/unit-tests.sh from the repository's root.
set -euo pipefail
root="$(pwd)"
venv=target/py-test-venv
if [ ! -x "$venv/bin/pytest" ] || ! cmp -s drivers/python/requirements.txt "$venv/requirements.txt"; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r drivers/python/requirements.txt pytest
    cp drivers/python/requirements.txt "$venv/requirements.txt"
fi
(cd drivers/python && "$root/$venv/bin/python" -m pytest -q -p no:cacheprovider)
