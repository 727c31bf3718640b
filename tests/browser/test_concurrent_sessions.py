"""Several people on the dashboard at once (issue 13): eight browser sessions (contexts of one
Chromium) open 概要, 取組一覧 and 評価の推移 and change the 自治体 filter together, round after
round, while the warehouse is rebuilt under the server twice. Before the fix, ten sessions on
取組一覧 hung the server for good: no page drew and /_stcore/health stopped answering.

The driving is ``bench.load`` (``python -m bench load`` times the same flow at 10 and 30
sessions); this test asserts what must hold at any speed.
"""
from __future__ import annotations

import pytest

from bench.load import PAGES, REBUILDS
from tests.conftest import LOAD_ROUNDS as ROUNDS
from tests.conftest import LOAD_SESSIONS as SESSIONS

pytestmark = pytest.mark.browser


def test_eight_sessions_draw_every_page_through_two_rebuilds(load_report):
    # The run (tests/conftest.py's load_report) starts its own server on a copy of the warehouse
    # and rebuilds that copy; tests/bench/test_load_bench.py reads the same run's figures.
    report = load_report
    assert (report.sessions, report.rounds) == (SESSIONS, ROUNDS) == (8, 2)

    # Errors: a view that did not draw its content, an error element (stException or our
    # st.error) on a page, a health check that went unanswered, a failed rebuild.
    assert report.errors == [], "\n".join(report.errors)
    assert report.rebuilds == REBUILDS
    views = [name for name, _ in report.views]
    for _, title, _ in PAGES:
        assert views.count(title) == SESSIONS * ROUNDS, title
    assert views.count("自治体の変更") == SESSIONS * ROUNDS
    assert report.health_checks > 0
