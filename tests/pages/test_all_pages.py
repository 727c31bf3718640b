"""Every page runs without exception: no filters, filters from the URL, and a filter matching nothing."""
from __future__ import annotations

import pytest

from tests.pages.conftest import PAGE_FILES, registered_pages
from vocab import NO_VALUE

URL_FILTERS = [
    {"m": "苫小牧市"},
    {"m": "苫小牧市", "fy": "2022", "g": "A"},
    {"m": "小金井市", "fy": "2021"},
    {"m": "狛江市", "q": "窓口"},
    {"t": "行政サービス部門"},
]
CODES = {"苫小牧市": "012131", "小金井市": "132101", "狛江市": "132195"}


def test_every_page_file_is_in_the_navigation():
    assert registered_pages() == PAGE_FILES


def _tables_mark_missing_values(at) -> None:
    """Every table on the page shows an empty cell as 「—」, not Streamlit's grey 「None」."""
    assert all(table.proto.placeholder == NO_VALUE for table in at.dataframe), \
        [(table.key, table.proto.placeholder) for table in at.dataframe]


def _text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "title", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGE_FILES)
def test_page_runs_without_filters(app, page):
    at = app(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title, "every page has a Japanese title"
    _tables_mark_missing_values(at)


@pytest.mark.parametrize("page", PAGE_FILES)
@pytest.mark.parametrize("params", URL_FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_page_runs_with_url_filters(app, page, params):
    at = app(page, **params)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    _tables_mark_missing_values(at)
    # AppTest drops the entry point's sidebar elements after switch_page (the browser test
    # checks the real sidebar); the state the bar wrote is what the page used.
    chosen = at.session_state["filters"]
    assert chosen.municipality == CODES.get(params.get("m"))  # an old name bookmark -> the 自治体コード
    assert chosen.fiscal_year == (int(params["fy"]) if "fy" in params else None)


@pytest.mark.parametrize("page", PAGE_FILES)
def test_page_with_a_filter_matching_nothing_says_so(app, page):
    at = app(page, q="該当しない語句ZZZ")
    assert not at.exception, at.exception
    assert not at.error
    assert "ありません" in _text(at)
