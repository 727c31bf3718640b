#!/usr/bin/env bash
# Install everything (incl. chromium for the browser tests), rebuild the warehouse, run all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh --browser
.venv/bin/python -m etl
exec .venv/bin/python -m pytest -q "$@"
