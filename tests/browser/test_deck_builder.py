"""資料の作成 in the browser: 「資料に追加」 on two screens, the builder page lists both, the deck
downloads, and the page's URL (a bookmark) rebuilds the same list in a new session."""
from __future__ import annotations

import io
import re

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser
ITEMS = ["1. 総合評価の分布 (年度別)", "2. 観点別プロフィール (レーダー)"]


def _add_card(page, key: str) -> None:
    """「資料に追加」 of the card drawn with ``key`` (its button's key is ``basket_<key>``): not
    the first such button, which while the page was still drawing was sometimes another card's
    (the deck then held 自己評価合計と委員評価 instead of 総合評価の分布)."""
    page.locator(f".st-key-basket_{key}").get_by_role("button", name="資料に追加").click()
    wait_for_app(page)
    page.get_by_text("を資料に追加しました").first.wait_for()  # the toast


def test_add_charts_on_two_screens_and_download_one_deck(server, page, browser):
    page.goto(f"{server}/trends?m=苫小牧市")
    wait_for_app(page)
    page.get_by_role("heading", name="評価の推移", exact=True).wait_for()
    _add_card(page, "trends_grades")
    screenshot(page, "deck_add_on_trends")  # the card's buttons and the toast

    page.locator(".st-key-sidebar-nav").get_by_text("レーダー", exact=True).click()
    page.get_by_role("heading", name="レーダー", exact=True).wait_for()
    wait_for_app(page)
    _add_card(page, "radar_chart")

    page.get_by_test_id("stSidebar").get_by_role("link", name=re.compile(r"資料の作成 \(選んだグラフ 2 件\)")).click()
    page.get_by_role("heading", name="資料の作成", exact=True).wait_for()
    wait_for_app(page)
    for item in ITEMS:
        page.get_by_role("heading", name=item).wait_for()
    assert page.get_by_text("自治体: 苫小牧市 ／ 年度: すべて ／ 階層: 実践項目 ／ 表示: 件数").is_visible()
    assert "deck=v1." in page.url
    assert page.locator('[data-testid="stException"]').count() == 0
    page.set_viewport_size({"width": 1440, "height": 2400})  # the whole list in one picture
    wait_for_app(page)
    screenshot(page, "deck_builder")

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="資料をダウンロード (.pptx)").click()
    download = info.value
    assert download.suggested_filename.endswith(".pptx")
    deck = Presentation(io.BytesIO(open(download.path(), "rb").read()))
    slides = list(deck.slides)
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides]
    assert len(slides) == 1 + 2 + 1  # title, the two charts, sources
    assert "庁議資料" in texts[0] and "苫小牧市" in texts[0]
    assert texts[1].startswith("総合評価の分布 (年度別)") and texts[2].startswith("観点別プロフィール (レーダー)")
    assert all(any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes) for slide in slides[1:3])
    assert "出典資料" in texts[3]

    # The page's URL is the bookmark: a new session (next month) rebuilds the same list.
    bookmark = page.url
    other = browser.new_context(viewport={"width": 1440, "height": 2000}, locale="ja-JP")
    try:
        again = other.new_page()
        again.set_default_timeout(60_000)
        again.goto(bookmark)
        wait_for_app(again)
        for item in ITEMS:
            again.get_by_role("heading", name=item).wait_for()
        again.get_by_role("button", name="資料をダウンロード (.pptx)").wait_for()
        again.get_by_role("button", name="削除").nth(1).wait_for()
        again.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').nth(1).wait_for()
        wait_for_app(again)
        screenshot(again, "deck_builder_bookmark")
    finally:
        other.close()
