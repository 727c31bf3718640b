#!/usr/bin/env bash
# Install, build the warehouse if it is missing or older than data/raw, start the dashboard.
# Listens on 127.0.0.1 only. HOST=0.0.0.0 opens it to the network: do that only with login
# ([auth] in .streamlit/secrets.toml) or GYOKAKU_READ_ONLY=1 (README「使い方」, deploy/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
# A failed build keeps the previous warehouse: start on it; the dashboard shows the error.
.venv/bin/python -m etl --if-stale || echo "倉庫の作成に失敗しました。以前の倉庫で起動します（エラーは画面に表示されます）。" >&2
# serve.py = streamlit run dashboard.py, without Streamlit's outside IP look-ups.
exec .venv/bin/python serve.py --browser.gatherUsageStats false \
  --server.address "${HOST:-127.0.0.1}" --server.port "${PORT:-8501}" --server.headless true
