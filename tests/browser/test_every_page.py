"""Visit every page in headless Chromium through the sidebar, as a person would, and keep a
screenshot of each (tests/browser/output/published/; docs/screenshots/ with UPDATE_SCREENSHOTS=1,
see ``python -m bench screenshots``)."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import published_screenshot, wait_for_app
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
PAGES = re.findall(r'st\.Page\("app_pages/(\w+)\.py", title="([^"]+)"',
                   (ROOT / "dashboard.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name,title", PAGES, ids=[p[0] for p in PAGES])
def test_page_renders_in_the_browser(server, browser, name, title):
    context = browser.new_context(viewport={"width": 1440, "height": 2000}, locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(60_000)
    outside = []  # offices run on closed networks: nothing may be fetched from elsewhere
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((server, "data:", "blob:")) else None)
    try:
        page.goto(f"{server}/?m=苫小牧市" if name in {"trends", "radar", "fiscal"} else server)
        page.get_by_role("heading", name="概要", exact=True).wait_for()  # the first screen has loaded
        wait_for_app(page)
        page.locator(".st-key-sidebar-nav").get_by_text(title, exact=True).click()
        page.get_by_role("heading", name=title, exact=True).wait_for()
        wait_for_app(page)
        if name in {"trends", "radar", "fiscal"}:  # the filter chosen on the first page survives the switch
            assert "m=012131" in page.url  # the old name bookmark became 苫小牧市's 自治体コード
            chosen = page.get_by_test_id("stSidebar").get_by_role("combobox", name="自治体").input_value()
            assert chosen == "苫小牧市"
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        assert outside == [], f"requests beyond the dashboard server: {outside}"
        published_screenshot(page, name)
    finally:
        context.close()
