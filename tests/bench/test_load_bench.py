"""``python -m bench load``'s report: the run of tests/conftest.py's ``load_report`` (eight sessions,
two rounds, the two rebuilds; tests/browser/test_concurrent_sessions.py asserts what must hold
under it). Checks the report's figures and table and that nothing failed; the timings
themselves are the benchmark's job."""
from __future__ import annotations

import pytest

from bench.load import PAGES, REBUILDS, Report, print_table
from tests.conftest import LOAD_ROUNDS, LOAD_SESSIONS

pytestmark = pytest.mark.browser


def test_a_load_run_reports_every_figure_and_no_error(load_report, capsys):
    report = load_report
    runs = LOAD_SESSIONS * LOAD_ROUNDS  # each session's rounds: every page, then 自治体の変更

    assert report.errors == [], "\n".join(report.errors)
    assert report.rebuilds == REBUILDS
    assert sorted(name for name, _ in report.views) == sorted(
        [title for _, title, _ in PAGES] * runs + ["自治体の変更"] * runs)
    assert all(seconds > 0 for _, seconds in report.views)
    assert 0 < report.percentile(50) <= report.percentile(95)
    assert report.peak_rss_mb > 50  # a Streamlit server with DuckDB and Polars loaded
    assert report.cpu_seconds > 0 and report.cpu_per_view == report.cpu_seconds / len(report.views)
    assert report.health_checks > 0

    print_table([report])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["server", "sessions", "rounds", "views", "errors", "p50", "p95", "peak", "RSS",
                                "server", "CPU/view", "health", "max", "wall"]
    views = runs * (len(PAGES) + 1)  # every page and 自治体の変更, per session and round
    assert lines[2].split()[:5] == ["direct", str(LOAD_SESSIONS), str(LOAD_ROUNDS), str(views), "0"]


def test_percentiles_of_an_empty_run_are_not_numbers():
    report = Report(sessions=1, rounds=1)
    assert report.percentile(50) != report.percentile(50)  # NaN: no view drew, nothing to rank


def test_percentiles_interpolate_between_ranked_views():
    report = Report(sessions=1, rounds=1, views=[("概要", float(s)) for s in range(1, 21)])
    assert report.percentile(50) == 10.5 and report.percentile(95) == pytest.approx(19.05)
