"""Refresh the README's screenshots in docs/screenshots/ (``python -m bench screenshots``).

Not a measurement: it lives here because bench is where the repository's explicit, by-hand
commands are. It runs the browser tests that take the published screenshots with
UPDATE_SCREENSHOTS=1; a plain test run writes them only to tests/browser/output/ and so never
changes tracked files. Review the result with ``git diff --stat docs/screenshots`` and commit it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The tests that call tests.browser.conftest.published_screenshot.
TESTS = ("tests/browser/test_every_page.py",
         "tests/browser/test_present_and_print.py::test_presentation_mode_from_the_sidebar_and_arrow_keys",
         "tests/browser/test_login.py::test_an_anonymous_visitor_sees_only_the_login_screen")


def main() -> int:
    env = dict(os.environ, UPDATE_SCREENSHOTS="1", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    print("docs/screenshots/ を撮り直しています (ブラウザテスト、数分かかります)…", flush=True)
    status = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS],
                             cwd=ROOT, env=env)
    if status == 0:
        subprocess.call(["git", "status", "--short", "--", "docs/screenshots"], cwd=ROOT)
    else:
        print("ブラウザテストが失敗したため、スクリーンショットの一部は更新されていない可能性があります。", file=sys.stderr)
    return status
