"""``python -m bench load`` at a tiny size: two sessions, one round, the two rebuilds. Checks
the report's shape and that nothing failed; the timings themselves are the benchmark's job."""
from __future__ import annotations

import shutil

import pytest

from bench.load import PAGES, REBUILDS, Report, print_table, run_load
from tests.browser.conftest import CHROMIUM

pytestmark = pytest.mark.browser


def test_a_tiny_load_run_reports_every_figure_and_no_error(built_warehouse, tmp_path, capsys):
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (run scripts/install.sh --browser)")
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, warehouse)

    report = run_load(warehouse, sessions=2, rounds=1, view_timeout=60)

    assert report.errors == [], "\n".join(report.errors)
    assert report.rebuilds == REBUILDS
    assert sorted(name for name, _ in report.views) == sorted(
        [title for _, title, _ in PAGES] * 2 + ["自治体の変更"] * 2)
    assert all(seconds > 0 for _, seconds in report.views)
    assert 0 < report.percentile(50) <= report.percentile(95)
    assert report.peak_rss_mb > 50  # a Streamlit server with DuckDB and Polars loaded
    assert report.cpu_seconds > 0 and report.cpu_per_view == report.cpu_seconds / len(report.views)
    assert report.health_checks > 0

    print_table([report])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["server", "sessions", "rounds", "views", "errors", "p50", "p95", "peak", "RSS",
                                "server", "CPU/view", "health", "max", "wall"]
    assert lines[2].split()[:5] == ["direct", "2", "1", "8", "0"]


def test_percentiles_of_an_empty_run_are_not_numbers():
    report = Report(sessions=1, rounds=1)
    assert report.percentile(50) != report.percentile(50)  # NaN: no view drew, nothing to rank


def test_percentiles_interpolate_between_ranked_views():
    report = Report(sessions=1, rounds=1, views=[("概要", float(s)) for s in range(1, 21)])
    assert report.percentile(50) == 10.5 and report.percentile(95) == pytest.approx(19.05)
