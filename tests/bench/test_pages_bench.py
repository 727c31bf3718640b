"""The page benchmark opens each page at its own address (it once timed 「/」 as 事例 and an
unknown 「/overview」 as 概要). Timings themselves are measured by ``python -m bench pages``."""
from __future__ import annotations

import pytest

from bench.pages import _nav_title, _pages, _url_path


def test_every_page_is_opened_at_its_navigation_address():
    addresses = {page: _url_path(page) for page in _pages()}
    assert addresses["app_pages/overview.py"] == ""  # the default page lives at 「/」
    assert addresses["app_pages/cases.py"] == "cases"
    assert len(set(addresses.values())) == len(addresses)


def test_titles_come_from_the_navigation():
    assert _nav_title("app_pages/overview.py") == "概要"
    assert _nav_title("app_pages/data_import.py") == "データの取り込み"


def test_command_line_takes_targets_and_a_cpu_slowdown():
    from bench.__main__ import parse_args

    assert parse_args([]).targets == ["etl"]
    assert parse_args(["all"]).targets == ["etl", "pages", "exports", "proxy", "load"]  # never the screenshot refresh
    assert parse_args(["screenshots"]).targets == ["screenshots"]
    args = parse_args(["pages", "--cpu-slowdown", "1.7"])
    assert (args.targets, args.cpu_slowdown) == (["pages"], 1.7)
    args = parse_args(["load", "--sessions", "10", "--replicas", "1", "2"])
    assert (args.sessions, args.replicas) == ([10], [1, 2])
    for wrong in (["page"], ["pages", "--cpu-slowdown", "0.5"], ["load", "--replicas", "0"],
                  ["load", "--replicas", "2", "--polars-threads", "1"]):
        with pytest.raises(SystemExit):
            parse_args(wrong)
