"""``python -m bench memory``: the server's memory per open session (the run itself starts a
server and browsers, so it is run by hand; here its reading of /proc and its arithmetic)."""
from __future__ import annotations

import os

from bench import memory


def test_reads_a_process_resident_memory():
    assert 10 < memory.rss_mb(os.getpid()) < 100_000


def test_growth_is_per_open_session_over_the_warmed_up_server(tmp_path, capsys):
    warehouse = tmp_path / "w.duckdb"
    warehouse.write_bytes(b"x" * 2_000_000)
    memory.print_report(warehouse, [(0, 300.0), (1, 340.0), (5, 500.0)], 12.0)
    lines = capsys.readouterr().out.splitlines()
    assert "w.duckdb (2 MB on disk)" in lines[0]
    assert lines[2].split()[:3] == ["0", "300", "MB"]
    assert lines[3].split() == ["1", "340", "MB", "40", "MB"]
    assert lines[4].split() == ["5", "500", "MB", "40", "MB"]


def test_is_a_bench_command_with_its_own_options():
    from bench.__main__ import OWN_OPTIONS

    assert OWN_OPTIONS["memory"] == "bench.memory"
