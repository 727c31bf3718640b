"""What a person does on 概要 and 事例: open a document card's 取組一覧, read a case's full text."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_a_document_card_opens_the_explorer_for_its_municipality(server, page):
    page.goto(server)
    wait_for_app(page)
    page.get_by_role("heading", name="自治体別 (文書ごと)").wait_for()
    card = page.get_by_test_id("stColumn").filter(  # a document card fills its grid column
        has=page.get_by_role("heading", name="苫小牧市", exact=True))
    assert "公表 2025-07" in card.inner_text()
    card.scroll_into_view_if_needed()  # the picture shows the grid, not the top of the page
    screenshot(page, "overview_document_cards")
    card.get_by_role("button", name="取組一覧へ").click()
    page.get_by_role("heading", name="取組一覧", exact=True).wait_for()
    wait_for_app(page)
    assert "m=012131" in page.url  # 苫小牧市 by its 自治体コード
    chosen = page.get_by_test_id("stSidebar").get_by_role("combobox", name="自治体").input_value()
    assert chosen == "苫小牧市"


def test_a_case_shows_its_full_text_when_opened(server, page):
    page.goto(f"{server}/cases")
    wait_for_app(page)
    first = page.get_by_test_id("stExpander").filter(has_text="全文を読む").first
    assert first.get_by_role("link", name="取組一覧で開く").count() == 0  # drawn only when opened
    first.get_by_text("全文を読む").click()
    wait_for_app(page)
    first.get_by_role("link", name="取組一覧で開く").wait_for()
    assert "経緯・動機" in first.inner_text()
    screenshot(page, "cases_full_text")
