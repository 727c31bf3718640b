"""The page benchmark opens each page at its own address (it once timed 「/」 as 事例 and an
unknown 「/overview」 as 概要). Timings themselves are measured by ``python -m bench pages``."""
from __future__ import annotations

from bench.pages import _nav_title, _pages, _url_path


def test_every_page_is_opened_at_its_navigation_address():
    addresses = {page: _url_path(page) for page in _pages()}
    assert addresses["pages/overview.py"] == ""  # the default page lives at 「/」
    assert addresses["pages/cases.py"] == "cases"
    assert len(set(addresses.values())) == len(addresses)


def test_titles_come_from_the_navigation():
    assert _nav_title("pages/overview.py") == "概要"
    assert _nav_title("pages/data_import.py") == "データの取り込み"
