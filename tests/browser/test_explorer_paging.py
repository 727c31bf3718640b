"""取組一覧's pager in real Chromium: page with the buttons and the keyboard, open a row of a later
page, and come back to the same page and row from the link."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _range(page) -> str:
    return page.get_by_text(re.compile(r"^全 [\d,]+ 件中")).first.inner_text()


def test_page_through_the_explorer_and_open_a_row(server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/explorer")
    wait_for_app(page)
    assert _range(page) == "全 333 件中 1–100 件"

    page.get_by_role("button", name="次へ").click()
    wait_for_app(page)
    assert _range(page) == "全 333 件中 101–200 件"

    # The keyboard alone: the page field takes a number and Enter.
    field = page.get_by_label(re.compile(r"^ページ \(全 4\)"))
    field.focus()
    field.press("Control+a")
    field.type("4")
    field.press("Enter")
    wait_for_app(page)
    assert _range(page) == "全 333 件中 301–333 件"
    assert page.get_by_role("button", name="次へ").is_disabled()
    page.get_by_role("button", name="前へ").focus()
    page.keyboard.press("Enter")
    wait_for_app(page)
    assert _range(page) == "全 333 件中 201–300 件"
    screenshot(page, "explorer_paged")

    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection marker
    wait_for_app(page)
    page.get_by_text("年度ごとの評価").first.wait_for()
    assert "id=" in page.url
    heading = page.get_by_role("heading", level=3).filter(has_text=re.compile(r"\S")).first.inner_text()
    screenshot(page, "explorer_paged_detail")

    page.reload()
    wait_for_app(page)
    assert _range(page) == "全 333 件中 201–300 件"  # the link opens the page of its row
    page.get_by_text("年度ごとの評価").first.wait_for()
    assert page.get_by_role("heading", level=3).filter(has_text=re.compile(r"\S")).first.inner_text() == heading
