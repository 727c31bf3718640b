#!/usr/bin/env bash
# Install everything (incl. chromium for the browser tests), rebuild the warehouse, run all tests.
# Arguments go to pytest (e.g. ./scripts/test.sh tests/etl). Fails when the run changed the clone:
# tests write only to git-ignored places (tests/browser/output/, temporary folders), and
# docs/screenshots/ is refreshed only on purpose (UPDATE_SCREENSHOTS=1 or python -m bench screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."

# Tracked changes (content, not only names) and untracked, not ignored files; an asked-for
# screenshot refresh may change docs/screenshots/ and nothing else.
watched=(.)
[[ ${UPDATE_SCREENSHOTS:-} == 1 ]] && watched+=(":(exclude)docs/screenshots")
tree_state() {
  git status --porcelain --untracked-files=all -- "${watched[@]}"
  git diff HEAD --binary -- "${watched[@]}" | sha256sum
}
in_git=false
git rev-parse --is-inside-work-tree >/dev/null 2>&1 && in_git=true
$in_git && before=$(tree_state)

./scripts/install.sh --browser
.venv/bin/python -m etl
status=0
# Two pytest-xdist workers: the tests that start servers and browsers run one after another in
# one of them (tests/conftest.py groups them), everything else spreads over both.
.venv/bin/python -m pytest -q -n 2 --dist loadscope "$@" || status=$?

if $in_git; then
  after=$(tree_state)
  if [[ "$before" != "$after" ]]; then
    echo "エラー: テストの実行で作業ツリーのファイルが変わりました (テストは git 管理下のファイルを書き換えてはいけません):" >&2
    diff <(echo "$before") <(echo "$after") | grep '^[<>]' >&2 || true
    exit 1
  fi
fi
exit $status
