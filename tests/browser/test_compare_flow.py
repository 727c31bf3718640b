"""比較 in Chromium, as a person uses it: open the page from the sidebar, choose a カテゴリ in the
filter bar, read the municipalities side by side, and follow an item's link to its detail."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_compare_rpa_side_by_side_and_follow_a_link(server, page):
    page.goto(server)
    page.get_by_role("heading", name="概要", exact=True).wait_for()
    wait_for_app(page)
    page.locator(".st-key-sidebar-nav").get_by_text("比較", exact=True).click()
    page.get_by_role("heading", name="比較", exact=True).wait_for()
    wait_for_app(page)
    # the sidebar's カテゴリ filter (the page has its own 「並べるカテゴリ」 box too)
    box = page.get_by_test_id("stSidebar").locator('[data-testid="stSelectbox"]').filter(has_text="カテゴリ (共通分類)")
    box.scroll_into_view_if_needed()
    box.locator("input").click()
    page.get_by_role("option", name="RPA・AI", exact=True).click()
    wait_for_app(page)
    page.get_by_role("heading", name="RPA・AI：自治体ごとの取組").wait_for()
    assert "c=RPA" in page.url
    main = page.get_by_test_id("stMain")
    for town in ("苫小牧市", "狛江市", "前橋市"):
        assert main.get_by_text(f"{town} — ", exact=False).count() >= 1, town
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "compare_rpa")

    # each municipality's items are a table whose 開く column links to the explorer detail
    assert main.locator('[data-testid="stDataFrame"]').count() >= 4  # the matrix and one table per municipality
    detail = page.context.new_page()
    detail.set_default_timeout(60_000)
    detail.goto(page.url.split("/compare")[0] + "/explorer?id=maebashi-wg-r3%2FWG%3A8")
    detail.get_by_role("heading", name="取組一覧", exact=True).wait_for()
    wait_for_app(detail)
    detail.get_by_role("heading", name="WG 8 BPR（RPA）推進WG").wait_for()
    assert "id=maebashi-wg-r3" in detail.url
    screenshot(detail, "compare_followed_link")
