#!/usr/bin/env bash
# Install, build the warehouse if it is missing or older than data/raw, start the dashboard.
# Listens on 127.0.0.1 only. HOST=0.0.0.0 opens it to the network: do that only with login
# ([auth] in .streamlit/secrets.toml) or GYOKAKU_READ_ONLY=1 (README「使い方」, deploy/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
.venv/bin/python -m etl --if-stale
# serve.py = streamlit run dashboard.py, without Streamlit's outside IP look-ups.
exec .venv/bin/python serve.py --browser.gatherUsageStats false \
  --server.address "${HOST:-127.0.0.1}" --server.port "${PORT:-8501}" --server.headless true
