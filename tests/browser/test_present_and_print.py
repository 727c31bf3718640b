"""発表モード and printing in the browser: what a presenter and a council member do."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.browser.conftest import OUTPUT, published_screenshot, screenshot, wait_for_app

pytestmark = pytest.mark.browser

A4_LANDSCAPE_POINTS = (842, 595)


def current_heading(page) -> str:
    return page.locator('.st-key-present-view h2').first.inner_text().strip()


def test_presentation_mode_from_the_sidebar_and_arrow_keys(server, page):
    page.set_viewport_size({"width": 1366, "height": 768})  # a projector's resolution
    page.goto(f"{server}/trends?m=苫小牧市")
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("発表モード").click()
    wait_for_app(page)
    assert "present=1" in page.url and "m=" in page.url
    page.locator('[data-testid="stImage"] img').wait_for()
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert current_heading(page) == "総合評価の分布 (年度別)"
    assert page.get_by_text("1 / 3", exact=True).is_visible()
    published_screenshot(page, "presentation")

    page.keyboard.press("ArrowRight")
    wait_for_app(page)
    page.wait_for_function("() => document.querySelector('.st-key-present-view h2')?.innerText.includes('観点別')")
    assert "card=2" in page.url
    screenshot(page, "presentation_card_2")

    page.keyboard.press("Escape")
    wait_for_app(page)
    page.get_by_role("heading", name="評価の推移", exact=True).wait_for()
    assert "present" not in page.url
    assert page.locator('[data-testid="stSidebar"]').is_visible()


def test_a_presentation_link_opens_on_its_card(server, page):
    page.goto(f"{server}/fiscal?present=1&card=2")
    wait_for_app(page)
    page.locator('[data-testid="stImage"] img').wait_for()
    assert current_heading(page) == "財政効果額 (年度別・区分別)"
    assert page.get_by_text("2 / 4", exact=True).is_visible()


def test_printing_gives_a4_landscape_pages_without_the_sidebar(server, page, tmp_path):
    page.goto(f"{server}/trends?m=苫小牧市")
    wait_for_app(page)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")

    sizes = [tuple(round(float(v)) for v in m.groups())
             for m in re.finditer(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)]
    assert sizes and all(size == A4_LANDSCAPE_POINTS for size in sizes)
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed; page size checked only")
    path = tmp_path / "trends.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "評価の推移" in text and "総合評価の分布" in text and "観点別スコアの推移" in text
    assert "自治体: 苫小牧市" in text and "印刷:" in text  # the paper-only line of filters
    assert "キーワード検索" not in text and "庁議資料を作成" not in text  # no sidebar, no buttons
    OUTPUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-l", "2", str(path), str(OUTPUT / "print_trends")], check=True)
