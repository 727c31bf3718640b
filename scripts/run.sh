#!/usr/bin/env bash
# Install, build the warehouse if it is missing or older than data/raw, start the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
# A failed build keeps the previous warehouse: start on it; the dashboard shows the error.
.venv/bin/python -m etl --if-stale || echo "倉庫の作成に失敗しました。以前の倉庫で起動します（エラーは画面に表示されます）。" >&2
exec .venv/bin/streamlit run dashboard.py --browser.gatherUsageStats false \
  --server.address "${HOST:-0.0.0.0}" --server.port "${PORT:-8501}" --server.headless true
