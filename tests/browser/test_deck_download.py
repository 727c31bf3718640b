"""「庁議資料を作成」 in the browser: the charts of the page being viewed become a .pptx."""
from __future__ import annotations

import io

import pytest
from pptx import Presentation

from tests.browser.conftest import screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_trends_page_downloads_a_deck_of_its_charts(server, page):
    page.goto(f"{server}/trends?m=苫小牧市")
    wait_for_app(page)
    page.get_by_role("heading", name="評価の推移", exact=True).wait_for()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="庁議資料を作成").click()
    download = info.value
    assert download.suggested_filename.endswith(".pptx")
    deck = Presentation(io.BytesIO(open(download.path(), "rb").read()))
    texts = ["\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in deck.slides]
    assert "評価の推移" in texts[0] and "苫小牧市" in texts[0]
    assert any("総合評価の分布" in t for t in texts[1:])
    assert len(deck.slides) >= 5  # title, several charts, table, sources
    screenshot(page, "trends_with_deck_button")
