"""A fresh server's first visitor opens a deep link and gets the dashboard's navigation and
filter bar (with a pages/ folder Streamlit would serve the page file alone in its legacy mode)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import _free_port, start_server, wait_for_app, wait_until_healthy

pytestmark = pytest.mark.browser


def test_first_visitor_of_a_deep_link_gets_the_filter_bar(built_warehouse, browser):
    port = _free_port()
    process = start_server(built_warehouse, port)  # its own server: no session has run st.navigation yet
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url)
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}/explorer?m=苫小牧市")
        page.get_by_role("heading", name="取組一覧", exact=True).wait_for()
        wait_for_app(page)
        sidebar = page.get_by_test_id("stSidebar")
        # an old bookmark's name: the picker shows 北海道 → 苫小牧市, the URL now carries its code
        assert sidebar.get_by_role("combobox", name="自治体").input_value() == "苫小牧市"
        assert sidebar.get_by_role("combobox", name="都道府県").input_value() == "北海道"
        assert "m=012131" in page.url
        assert page.locator(".st-key-sidebar-nav").get_by_text("財政効果", exact=True).count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
        context.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
