#!/usr/bin/env bash
# Installs what kafkatune needs on a fresh Debian machine (when run as root and something is
# missing) and builds the release binary. Idempotent: a second run does nothing but check.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
need() { # need COMMAND DEBIAN_PACKAGE...
    command -v "$1" >/dev/null 2>&1 || missing+=("${@:2}")
}
need java openjdk-17-jdk-headless
need mvn maven
need python3 python3 python3-venv
need node nodejs
need npm npm
need cc build-essential
need make build-essential
need pkg-config pkg-config
pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
# A font for the PNG copies of the report's charts.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ "${KAFKATUNE_WITH_CHROMIUM:-0}" = 1 ]; then
    need chromium chromium
fi

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "setup: installing ${missing[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "setup: please install these Debian packages (or their equivalents): ${missing[*]}" >&2
        exit 3
    fi
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: Rust is missing: install it with rustup (https://rustup.rs), then run this again" >&2
    exit 3
fi

# librdkafka is built from the sources the rdkafka crate vendors (about 75 s the first time).
cargo build --release --locked --quiet
