#!/usr/bin/env bash
# Installs what the dashboard needs on a fresh Debian machine: the Japanese font (charts,
# PNG/slide export), optionally what the tests use, and a .venv with the pinned Python
# packages (Python 3.11 or newer: Debian 12's python3). Idempotent: a second run only checks.
#   scripts/install.sh            font + Python packages
#   scripts/install.sh --browser  also chromium (browser tests), LibreOffice Impress +
#                                 poppler (deck → PDF → page images in the slide tests), caddy
#                                 (deploy/ tests) and strace (the no-outbound-call test)
# The first run downloads a few hundred MB and prints a line before each step, so a quiet
# minute is a download, not a hang.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { echo "[install] $*"; }

python=${PYTHON:-python3}
packages=(fonts-noto-cjk)
[[ "${1:-}" == "--browser" ]] && packages+=(chromium libreoffice-impress poppler-utils caddy strace)
# Debian ships venv (ensurepip) separately from python3; without it `python3 -m venv` fails.
if [[ ! -x .venv/bin/python ]]; then
  command -v "$python" >/dev/null 2>&1 || packages+=(python3)
  "$python" -c "import ensurepip, venv" >/dev/null 2>&1 || packages+=(python3-venv)
fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
  step "Debian のパッケージ一覧を更新しています (apt-get update)…"
  $sudo apt-get update -qq
  step "Debian パッケージをインストールしています: ${missing[*]}（初回は数分かかります）…"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  step "Debian パッケージのインストールが終わりました"
fi

if [[ ! -x .venv/bin/python ]]; then
  if ! "$python" -c "import sys; sys.exit(sys.version_info < (3, 11))"; then
    echo "エラー: Python 3.11 以上が必要です（$("$python" --version 2>&1)）。" \
         "Debian 12 の python3 を使うか、PYTHON=python3.11 ./scripts/install.sh のように指定してください。" >&2
    exit 1
  fi
  step "Python の仮想環境 .venv を作成しています ($("$python" --version 2>&1))…"
  "$python" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  step "Python パッケージをインストールしています (requirements.txt、初回は約 250 MB のダウンロード)…"
  # A line per package (Collecting or Processing, Downloading), not pip's silent -q; pip's errors go to stderr
  # unfiltered, and pipefail keeps its exit status.
  if ! .venv/bin/python -m pip install --disable-pip-version-check --progress-bar off -r requirements.txt \
      | { grep --line-buffered -E '^(Collecting|Processing|\s+Downloading|Successfully installed)' || true; }; then
    echo "エラー: Python パッケージをインストールできませんでした（上のメッセージを参照）。" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
  step "Python パッケージのインストールが終わりました"
fi
