"""What a person does in the explorer, in real headless Chromium against a running dashboard."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from tests.browser.conftest import choose, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _count(page) -> int:
    caption = page.get_by_text(re.compile(r"^[\d,]+ 件の取組")).first.inner_text()
    return int(caption.split(" ")[0].replace(",", ""))


def _select_first_row(page) -> None:
    """Click the row-selection marker of the first data row of the (canvas-drawn) table."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    wait_for_app(page)


def test_overview_opens_in_japanese_with_cards(server, page):
    page.goto(server)
    wait_for_app(page)
    page.get_by_role("heading", name="概要").wait_for()
    page.get_by_test_id("stMetricLabel").filter(has_text="A評価の割合").first.wait_for()
    page.get_by_role("heading", name="全自治体").wait_for()
    page.wait_for_selector('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]')
    screenshot(page, "overview")


def test_filter_select_download_and_reload(server, page, tmp_path):
    page.goto(f"{server}/explorer")
    wait_for_app(page)
    everything = _count(page)

    choose(page, "都道府県", "北海道")  # narrows the 自治体 list to 北海道's
    choose(page, "自治体", "苫小牧市")
    town = _count(page)
    assert 0 < town < everything
    choose(page, "年度", "令和4年度 (2022)")
    town_year = _count(page)
    assert 0 < town_year <= town
    assert "m=012131" in page.url and "fy=2022" in page.url  # 苫小牧市's 自治体コード
    screenshot(page, "explorer_filtered")

    _select_first_row(page)
    page.get_by_text("年度ごとの評価").wait_for()
    assert "id=" in page.url
    detail = page.get_by_role("heading", name="取組項目 1 新たな財源確保に向けた取組")  # first row
    detail.wait_for()
    assert page.get_by_text("下位 (").first.is_visible()  # its practice items
    screenshot(page, "explorer_detail")

    with page.expect_download() as info:
        page.get_by_role("button", name="Excel (.xlsx)").first.click()  # the main table's
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["自治体", "階層", "番号", "取組名"]
    assert sheet.max_row - 1 == town_year
    assert {sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)} == {"苫小牧市"}
    conditions = "\n".join(str(c.value) for row in workbook["条件"].iter_rows() for c in row if c.value)
    assert "苫小牧市" in conditions and "令和4年度 (2022)" in conditions

    url = page.url
    page.reload()
    wait_for_app(page)
    assert _count(page) == town_year
    assert page.url == url
    page.get_by_text("年度ごとの評価").wait_for()
    detail.wait_for()
    screenshot(page, "explorer_reloaded")


def test_search_with_no_match_is_a_friendly_message(server, page):
    page.goto(f"{server}/explorer?q=該当しない語句ZZZ")
    wait_for_app(page)
    page.get_by_text("条件に合う取組がありません").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
