#!/usr/bin/env bash
# Set up (see setup.sh --test), then lint and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check src tests bench
.venv/bin/python -m pytest -q "$@"
