"""Without login ([auth]) in Chromium: only a direct connection from this machine may import.

A visitor through a reverse proxy on this machine connects from 127.0.0.1 as well; the proxy's
headers (X-Forwarded-For, which Streamlit's server turns into the client's address, or one it
does not read, such as Forwarded) make that visitor a viewer. GYOKAKU_READ_ONLY=1 removes the import page for everyone.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import _free_port, start_server, wait_for_app, wait_until_healthy

pytestmark = pytest.mark.browser


def serve(warehouse, env=None):
    port = _free_port()
    process = start_server(warehouse, port, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url)
    except Exception:
        process.terminate()
        raise
    return process, url


@pytest.fixture(scope="module")
def open_server(built_warehouse):
    process, url = serve(built_warehouse)
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def read_only_server(built_warehouse):
    process, url = serve(built_warehouse, env={"GYOKAKU_READ_ONLY": "1"})
    yield url
    process.terminate()
    process.wait(timeout=20)


def nav_titles(page) -> list[str]:
    return [t.split("\n")[-1] for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def assert_view_only(page, url: str, caption: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.get_by_text(caption).wait_for()
    titles = nav_titles(page)
    assert "データ品質" in titles and "データの取り込み" not in titles
    page.goto(f"{url}/data_import")
    wait_for_app(page)
    page.get_by_text("Page not found").first.wait_for()
    page.get_by_role("heading", name="概要", exact=True).wait_for()
    assert page.locator('[data-testid="stFileUploader"]').count() == 0


def test_a_browser_on_this_machine_may_import(open_server, page):
    page.goto(open_server)
    wait_for_app(page)
    page.get_by_text("この端末から接続しています（編集できます）").wait_for()
    assert "データの取り込み" in nav_titles(page)


@pytest.mark.parametrize("proxy_headers", [
    {"X-Forwarded-For": "203.0.113.9"},  # Caddy, nginx: Streamlit sees the visitor's address
    # A proxy that sends only RFC 7239's header, which Streamlit's server does not read: the
    # connection still looks like 127.0.0.1. (Via is checked too, but a browser cannot send it.)
    {"Forwarded": "for=203.0.113.9;proto=https"},
], ids=["X-Forwarded-For", "Forwarded only"])
def test_a_visitor_through_a_proxy_on_this_machine_only_views(open_server, page, proxy_headers):
    page.context.set_extra_http_headers(proxy_headers)
    assert_view_only(page, open_server, "閲覧のみ（データの取り込みは、ダッシュボードを動かしているマシンから行えます）")


def test_read_only_mode_has_no_import_page_even_on_this_machine(read_only_server, page):
    assert_view_only(page, read_only_server, "閲覧専用モード（GYOKAKU_READ_ONLY=1）")
