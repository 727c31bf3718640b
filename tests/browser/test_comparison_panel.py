"""The 比較 panel in Chromium: 苫小牧市 chosen in the sidebar's 自治体, beside 北海道 and 全体."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_panel_compares_tomakomai_with_hokkaido_and_everything(server, page):
    page.goto(f"{server}/compare?m=%E8%8B%AB%E5%B0%8F%E7%89%A7%E5%B8%82")  # m=苫小牧市
    page.get_by_role("heading", name="比較", exact=True).wait_for()
    wait_for_app(page)
    panel = page.locator(".st-key-comparison_panel")
    panel.wait_for()
    headers = panel.locator("th").all_inner_texts()
    assert headers == ["項目", "自治体：苫小牧市", "都道府県：北海道", "全体"]
    row = panel.locator("tr").filter(has_text="総合評価 A").locator("td").all_inner_texts()
    assert row == ["総合評価 A", "43%（41 件）", "43%（41 件）", "43%（41 件）"]
    assert panel.get_by_text("北海道の自治体はこの倉庫に苫小牧市だけです", exact=False).count() == 1
    # the table fits its box: no column cut off on a 1280 px wide window
    box, table = panel.bounding_box(), panel.locator("table").bounding_box()
    assert table["x"] + table["width"] <= box["x"] + box["width"]
    assert page.locator('[data-testid="stException"]').count() == 0
    panel.scroll_into_view_if_needed()
    screenshot(page, "compare_panel")
