"""Tablets (council members read their papers on them): every page at 768×1024 (portrait) and
1024×768 (landscape) without sideways scrolling, tables and charts inside their frame, our own
buttons and links at least 44 px high; 発表モード fits a 1024×768 projector.

Portrait screenshots of every page go to tests/browser/output/tablet/; with UPDATE_SCREENSHOTS=1
(``python -m bench screenshots``) also to docs/screenshots/tablet/.
"""
from __future__ import annotations

import os
import shutil

import pytest

from tests.browser.audit import PAGES
from tests.browser.conftest import OUTPUT, PUBLISHED, UPDATE_SCREENSHOTS, wait_for_app, wait_for_nav_links

pytestmark = pytest.mark.browser

PORTRAIT = {"width": 768, "height": 1024}
LANDSCAPE = {"width": 1024, "height": 768}
TOUCH = 44  # px, WCAG 2.5.5's target size, the usual tablet guidance

LAYOUT = """(touch) => {
  const width = window.innerWidth;
  const problems = [];
  const scroll = document.scrollingElement.scrollWidth;
  if (scroll > width) problems.push(`page scrolls sideways: ${scroll} > ${width}`);
  const main = document.querySelector('[data-testid="stMain"]');
  if (main.scrollWidth > main.clientWidth + 1) problems.push(`main area scrolls sideways: ${main.scrollWidth} > ${main.clientWidth}`);
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  for (const e of main.querySelectorAll('[data-testid="stVegaLiteChart"], [data-testid="stDataFrame"], [data-testid="stTable"]')) {
    const r = e.getBoundingClientRect();
    if (visible(e) && (r.right > width + 1 || r.left < -1)) problems.push(`${e.dataset.testid} outside the screen: ${Math.round(r.left)}–${Math.round(r.right)}`);
  }
  const ours = '.stButton button, .stDownloadButton button, [data-testid="stPopover"] button, [data-testid="stPageLink"] a';
  for (const e of document.querySelectorAll(ours)) {
    const r = e.getBoundingClientRect();
    if (visible(e) && r.height < touch - 0.5) problems.push(`touch target ${Math.round(r.height)} px: ${(e.innerText || '').trim().slice(0, 30)}`);
  }
  return problems;
}"""


def open_page(page, server: str, path: str, title: str, first: bool) -> None:
    """The first page by its address, the others through the sidebar's link (no reload; in
    portrait the sidebar is folded away, so the click is sent to the link directly)."""
    if first:
        page.goto(f"{server}/{'' if path == 'overview' else path}")
    else:
        page.locator(".st-key-sidebar-nav").get_by_role("link", name=title, exact=True).dispatch_event("click")
    page.get_by_role("heading", name=title, exact=True).wait_for()
    wait_for_app(page)
    wait_for_nav_links(page)
    page.wait_for_timeout(300)  # charts take their width after the run


def keep_screenshot(page, name: str) -> None:
    path = OUTPUT / "tablet" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    if os.environ.get(UPDATE_SCREENSHOTS) == "1":
        (PUBLISHED / "tablet").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, PUBLISHED / "tablet" / f"{name}.png")


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["768x1024", "1024x768"])
def test_every_page_fits_a_tablet(server, browser, viewport):
    context = browser.new_context(viewport=viewport, locale="ja-JP", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems = []
    try:
        for index, (path, title) in enumerate(PAGES):
            open_page(page, server, path, title, first=index == 0)
            problems += [f"{path}: {p}" for p in page.evaluate(LAYOUT, TOUCH)]
            if viewport is PORTRAIT:
                keep_screenshot(page, path)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def test_presentation_fits_a_1024x768_projector(server, browser):
    context = browser.new_context(viewport=LANDSCAPE, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server}/trends?m=苫小牧市&present=1")
        picture = page.locator('[data-testid="stImage"] img')
        picture.wait_for()
        wait_for_app(page)
        page.wait_for_function("() => document.querySelector('[data-testid=\"stImage\"] img').complete")
        box = picture.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= LANDSCAPE["width"]
        assert box["y"] + box["height"] <= LANDSCAPE["height"], f"the slide ends at {box['y'] + box['height']} px"
        for name in ("present_previous", "present_next", "present_exit"):
            button = page.locator(f".st-key-{name} button")
            assert button.bounding_box()["y"] >= 0 and button.bounding_box()["y"] + 44 <= LANDSCAPE["height"]
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        keep_screenshot(page, "presentation_1024x768")
    finally:
        context.close()
