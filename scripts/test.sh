#!/usr/bin/env bash
# Set up (see setup.sh --test), then lint and run the whole test suite. The suite runs against a
# real PostgreSQL server as well as SQLite: scripts/services.sh starts a throwaway one (installing
# Debian's package if needed), exports its URL as ONRECORD_TEST_POSTGRES, and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check src tests bench
bash scripts/services.sh run .venv/bin/python -m pytest -q "$@"
