"""Two dashboard replicas behind deploy/Caddyfile (docs/scaling.md): each browser stays on one
replica, so the files its download buttons serve (kept in that replica's memory) reach it, and a
replica that stops is taken out of the rotation."""
from __future__ import annotations

import io
import urllib.error
import urllib.parse
import urllib.request

import openpyxl
import pytest

from tests.browser.conftest import wait_for_app
from tests.conftest import new_page
from tests.deploy.conftest import CADDY, Stack

SESSIONS = 4
DRAWN = '[data-testid="stDataFrame"]'


@pytest.fixture(scope="module")
def replicas(built_warehouse, tmp_path_factory):
    from pathlib import Path

    if not Path(CADDY).exists():
        pytest.skip("Debian caddy is not installed (run scripts/install.sh --browser)")
    running = Stack(built_warehouse, tmp_path_factory.mktemp("caddy-replicas"), replicas=2)
    yield running
    running.stop()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _download_excel(browser, stack: Stack):
    """A fresh browser opens 取組一覧 through Caddy and downloads its Excel file."""
    page = new_page(browser, ignore_https_errors=True)
    context = page.context
    try:
        page.goto(f"{stack.proxied}/explorer")
        wait_for_app(page)
        page.wait_for_selector(DRAWN)
        with page.expect_download() as info:
            page.get_by_role("button", name="Excel (.xlsx)").first.click()
        download = info.value
        workbook = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        return download.url, workbook, cookies
    finally:
        context.close()


def test_each_browser_stays_on_its_replica_and_gets_its_downloads(replicas, browser):
    for _ in range(SESSIONS):
        url, workbook, cookies = _download_excel(browser, replicas)
        assert workbook.worksheets[0].cell(row=1, column=2).value == "階層"
        assert "gyokaku_replica" in cookies  # Caddy's sticky-session cookie
        # The file lives in one replica's memory: the other answers 404. Without the cookie,
        # half of these downloads would have gone to the wrong replica.
        path = urllib.parse.urlsplit(url).path
        statuses = sorted(_status(f"http://127.0.0.1:{port}{path}") for port in replicas.ports)
        assert statuses == [200, 404], statuses


def test_a_stopped_replica_is_taken_out_of_the_rotation(replicas, browser):
    replicas.dashboards[1].terminate()
    replicas.dashboards[1].wait(timeout=20)
    for _ in range(SESSIONS):
        _, workbook, _ = _download_excel(browser, replicas)
        assert workbook.worksheets[0].max_row > 1
