"""財政効果額 in the browser: the overview, the 財政効果 page, 発表モード and a downloaded deck show
one figure for one filter — sum(amount_yen) WHERE counted — and the overview names whose it is."""
from __future__ import annotations

import io

import pytest
from pptx import Presentation

from yen import yen_text
from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser
ALL_TOWNS = "小金井市・狛江市・前橋市・苫小牧市"


def _counted(warehouse, municipality: str | None = None) -> str:
    where = "municipality = ?" if municipality else "CAST(? AS VARCHAR) IS NULL"
    total = warehouse.sql(f"SELECT sum(amount_yen) FROM fiscal_effects WHERE counted AND {where}",
                          params=[municipality]).fetchall()[0][0]
    return yen_text(total)


def _metric(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_overview_names_whose_figures_and_shows_the_counted_total(server, page, warehouse):
    page.goto(server)
    wait_for_app(page)
    page.get_by_role("heading", name="全自治体").wait_for()
    assert _metric(page, f"財政効果額（{ALL_TOWNS}の合計）") == _counted(warehouse) == "42.8億円"
    assert page.get_by_text("A評価の割合 R5 (2023)（苫小牧市）").first.is_visible()
    assert page.get_by_text("委員評価の平均（苫小牧市）").first.is_visible()
    screenshot(page, "money_overview")


def test_fiscal_page_headline_reconciliation_and_presentation(server, page, warehouse):
    page.goto(f"{server}/fiscal?m=苫小牧市")
    wait_for_app(page)
    page.get_by_role("heading", name="財政効果", exact=True).wait_for()
    assert _metric(page, "財政効果額（苫小牧市）") == _counted(warehouse, "苫小牧市") == "42億円"
    assert page.get_by_text("計画の記載 37.6億円 に対し、文書の記述から拾えた金額は").is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.set_viewport_size({"width": 1440, "height": 2600})
    wait_for_app(page)
    screenshot(page, "money_fiscal")

    page.goto(f"{server}/fiscal?m=苫小牧市&present=1&card=2")
    wait_for_app(page)
    page.locator('[data-testid="stImage"] img').wait_for()
    assert page.get_by_text("財政効果額は 42億円 (苫小牧市、R5 (2023) が最多)").first.is_visible()
    screenshot(page, "money_presentation")


def test_a_deck_of_the_fiscal_page_leads_with_the_same_figure(server, page):
    page.goto(f"{server}/fiscal?m=苫小牧市")
    wait_for_app(page)
    page.get_by_role("heading", name="財政効果", exact=True).wait_for()
    page.locator(".st-key-basket_fiscal_by_year").get_by_role("button", name="資料に追加").click()
    wait_for_app(page)
    page.get_by_text("を資料に追加しました").first.wait_for()
    page.get_by_test_id("stSidebar").get_by_role("link", name="資料の作成 (選んだグラフ 1 件)").click()
    page.get_by_role("heading", name="資料の作成", exact=True).wait_for()
    wait_for_app(page)
    page.set_viewport_size({"width": 1440, "height": 1600})
    wait_for_app(page)
    screenshot(page, "money_deck")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="資料をダウンロード (.pptx)").click()
    deck = Presentation(io.BytesIO(open(info.value.path(), "rb").read()))
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in deck.slides]
    assert any("財政効果額は 42億円 (苫小牧市、R5 (2023) が最多)" in t for t in texts), texts
