#!/usr/bin/env bash
# Install, build the warehouse if it is missing or older than data/raw, start the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
.venv/bin/python -m etl --if-stale
exec .venv/bin/streamlit run dashboard.py --browser.gatherUsageStats false \
  --server.address "${HOST:-0.0.0.0}" --server.port "${PORT:-8501}" --server.headless true
