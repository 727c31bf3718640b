#!/usr/bin/env bash
# Installs what the dashboard needs on a fresh Debian machine: the Japanese font (charts,
# PNG/slide export), optionally what the tests use, and a .venv with the pinned Python
# packages. Idempotent: a second run only checks.
#   scripts/install.sh            font + Python packages
#   scripts/install.sh --browser  also chromium (browser tests), LibreOffice Impress +
#                                 poppler (deck → PDF → page images in the slide tests), caddy
#                                 (deploy/ tests) and strace (the no-outbound-call test)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(fonts-noto-cjk)
[[ "${1:-}" == "--browser" ]] && packages+=(chromium libreoffice-impress poppler-utils caddy strace)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then sudo=""; else sudo="sudo"; fi
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
