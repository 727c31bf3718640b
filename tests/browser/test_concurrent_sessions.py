"""Several people on the dashboard at once (issue 13): eight browser sessions (contexts of one
Chromium) open 概要, 取組一覧 and 評価の推移 and change the 自治体 filter together, round after
round, while the warehouse is rebuilt under the server twice. Before the fix, ten sessions on
取組一覧 hung the server for good: no page drew and /_stcore/health stopped answering.

The driving is ``bench.load`` (``python -m bench load`` times the same flow at 10 and 30
sessions); this test asserts what must hold at any speed.
"""
from __future__ import annotations

import shutil

import pytest

from bench.load import PAGES, REBUILDS, run_load
from tests.browser.conftest import CHROMIUM

pytestmark = pytest.mark.browser
SESSIONS, ROUNDS = 8, 2


def test_eight_sessions_draw_every_page_through_two_rebuilds(built_warehouse, tmp_path):
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (run scripts/install.sh --browser)")
    warehouse = tmp_path / "warehouse.duckdb"  # this test's own server reads (and rebuilds) a copy
    shutil.copyfile(built_warehouse, warehouse)

    report = run_load(warehouse, SESSIONS, ROUNDS, view_timeout=60)

    # Errors: a view that did not draw its content, an error element (stException or our
    # st.error) on a page, a health check that went unanswered, a failed rebuild.
    assert report.errors == [], "\n".join(report.errors)
    assert report.rebuilds == REBUILDS
    views = [name for name, _ in report.views]
    for _, title, _ in PAGES:
        assert views.count(title) == SESSIONS * ROUNDS, title
    assert views.count("自治体の変更") == SESSIONS * ROUNDS
    assert report.health_checks > 0
