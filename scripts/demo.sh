#!/usr/bin/env bash
# Set up, analyse the example report in the terminal, build a corpus of the bundled
# example articles and serve it on http://127.0.0.1:8321 (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/onrecord analyze src/onrecord/examples/ukraine-negotiations-report.txt
exec .venv/bin/onrecord demo "$@"
