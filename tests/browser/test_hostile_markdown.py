"""Markdown and HTML from an imported workbook (and from the URL) in real Chromium: the text is
on screen as text, no <img> or <a> of the data exists, and the browser makes no request to
any address but the dashboard's own (the payload points at attacker.invalid)."""
from __future__ import annotations

import shutil
from urllib.parse import quote, urlsplit

import pytest

from etl.pipeline import build
from etl.upload import import_workbook
from etl.workbook import check
from tests.browser.conftest import _free_port, start_server, wait_for_app, wait_until_healthy
from tests.conftest import RAW_DIR
from tests.etl import hostile

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile_browser")
    raw = folder / "raw"
    shutil.copytree(RAW_DIR, raw)
    warehouse = folder / "warehouse.duckdb"
    build(raw, warehouse)
    data = hostile.markdown_workbook()
    import_workbook(data, "evil.xlsx", raw, warehouse)
    (folder / "evil-upload.xlsx").write_bytes(data)
    port = _free_port()
    process = start_server(warehouse, port, raw=raw)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url)
        yield url, check(data, "evil.xlsx").plan.municipality, folder / "evil-upload.xlsx"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _visit_and_check(page, url: str, expected_text: str, action=None) -> None:
    origin = urlsplit(url).netloc
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    wait_for_app(page)
    if action:
        action(page)
    page.get_by_text(expected_text, exact=False).filter(visible=True).first.wait_for()  # on screen, as text
    page.wait_for_timeout(500)  # an <img> would have started loading by now
    outside = [r for r in requests if urlsplit(r).netloc not in (origin, "") and not r.startswith("data:")]
    assert outside == []
    # Links of the app itself carry the municipality in their query; none may lead elsewhere.
    foreign = page.evaluate("""() => [...document.querySelectorAll('img[src], a[href], source[src], image')]
        .map(e => e.src || e.href?.baseVal || e.href)
        .filter(u => { try { return new URL(u, location.href).host !== location.host } catch { return true } })""")
    assert [u for u in foreign if hostile.ATTACKER in u] == []
    assert page.locator('[data-testid="stException"]').count() == 0


def test_overview_explorer_detail_and_presentation_render_data_as_text(hostile_server, page):
    url, municipality, _ = hostile_server
    m = quote(municipality)
    shown = "![x](http"  # an invisible word joiner follows: no autolink
    _visit_and_check(page, f"{url}/?m={m}", shown)
    _visit_and_check(page, f"{url}/explorer?m={m}&id={quote('xlsx-evil/1-1')}", "窓口業務の委託![x]")
    _visit_and_check(page, f"{url}/fiscal?m={m}", shown)
    _visit_and_check(page, f"{url}/trends?present=1&q={quote(hostile.payload('q'))}", "/q.png)")


def test_the_import_summary_renders_the_workbook_as_text(hostile_server, page):
    url, _, workbook = hostile_server

    def upload(p) -> None:
        p.locator('input[type=file]').set_input_files(str(workbook))
        wait_for_app(p)

    _visit_and_check(page, f"{url}/data_import", "架空市![x](http", upload)


def test_an_over_long_file_name_is_refused_on_the_import_page(hostile_server, page, tmp_path):
    url, _, workbook = hostile_server
    long_name = tmp_path / ("架" * 75 + ".xlsx")  # 80 characters, 230 bytes: fits the disk, not the limit
    shutil.copy(workbook, long_name)
    page.goto(f"{url}/data_import")
    wait_for_app(page)
    page.locator('input[type=file]').set_input_files(str(long_name))
    wait_for_app(page)
    page.get_by_text("ファイル名が長すぎます（80 文字、230 バイト）").wait_for()
    assert page.get_by_role("button", name="取り込む").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
