"""データの取り込み in the browser: upload a workbook, read the validation, confirm, and find
the new municipality in the filter bar. The server imports into a copy of data/raw."""
from __future__ import annotations

import shutil

import pytest

from etl.pipeline import build
from tests.browser.conftest import _free_port, screenshot, start_server, wait_for_app, wait_until_healthy
from tests.conftest import RAW_DIR, ROOT

pytestmark = pytest.mark.browser
WORKBOOKS = ROOT / "tests" / "etl" / "workbooks"


@pytest.fixture
def import_server(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    warehouse = tmp_path / "warehouse.duckdb"
    build(raw, warehouse)
    port = _free_port()
    process = start_server(warehouse, port, raw=raw)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url)
        yield url, raw, warehouse
    finally:
        process.terminate()
        process.wait(timeout=20)


def upload(page, path) -> None:
    page.locator('input[type=file]').set_input_files(str(path))
    wait_for_app(page)


def test_a_workbook_with_errors_is_listed_and_not_imported(import_server, page):
    url, raw, warehouse = import_server
    before = warehouse.read_bytes()
    page.goto(f"{url}/data_import")
    wait_for_app(page)
    screenshot(page, "import_page")
    upload(page, WORKBOOKS / "many_errors.xlsx")
    page.get_by_text("エラーが 9 件あるため、このブックは取り込めません").wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()  # the list: sheet, row, column
    wait_for_app(page)
    assert page.get_by_role("button", name="取り込む").count() == 0
    screenshot(page, "import_errors")
    assert not (raw / "many_errors.xlsx").exists() and warehouse.read_bytes() == before


def test_upload_check_confirm_and_find_the_municipality(import_server, page):
    url, raw, _ = import_server
    page.goto(f"{url}/data_import")
    wait_for_app(page)
    upload(page, WORKBOOKS / "kakuu-city-plan.xlsx")
    page.get_by_text("架空市", exact=False).first.wait_for()
    page.get_by_text("問題は見つかりませんでした").wait_for()
    screenshot(page, "import_checked")
    page.get_by_role("button", name="架空市のデータを取り込む").click()
    page.get_by_text("kakuu-city-plan.xlsx を取り込みました").wait_for(timeout=120_000)
    wait_for_app(page)
    assert (raw / "kakuu-city-plan.xlsx").exists()
    assert not [p for p in raw.iterdir() if p.name.startswith(".upload-")]
    screenshot(page, "import_done")

    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="自治体").first
    box.click()
    page.keyboard.type("架空市")  # the list is virtualised: narrow it as a person would
    page.get_by_role("option", name="架空市", exact=True).wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="架空市の概要を見る").click()
    wait_for_app(page)
    page.get_by_role("heading", name="概要", exact=True).wait_for()
    assert "m=" in page.url
    page.get_by_text("架空市行財政改革プラン").first.wait_for()
    screenshot(page, "import_overview")


def test_import_then_undo_with_confirmation_removes_the_municipality(import_server, page):
    url, raw, warehouse = import_server
    before = warehouse.read_bytes()
    page.goto(f"{url}/data_import")
    wait_for_app(page)
    upload(page, WORKBOOKS / "kakuu-city-plan.xlsx")
    page.get_by_role("button", name="架空市のデータを取り込む").click()
    page.get_by_text("kakuu-city-plan.xlsx を取り込みました").wait_for(timeout=120_000)
    wait_for_app(page)
    page.get_by_text("取り込みの履歴").wait_for()

    page.get_by_role("button", name="1 番「取り込み kakuu-city-plan.xlsx」").click()
    wait_for_app(page)
    page.get_by_text("その前の倉庫と data/raw に戻します。よろしいですか。").wait_for()
    assert (raw / "kakuu-city-plan.xlsx").exists()  # the first click only asks
    screenshot(page, "import_undo_confirm")
    page.get_by_role("button", name="取り消しを実行する").click()
    page.get_by_text("を取り消しました。").wait_for(timeout=120_000)
    wait_for_app(page)
    screenshot(page, "import_undone")

    assert not (raw / "kakuu-city-plan.xlsx").exists() and warehouse.read_bytes() == before
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="自治体").first
    box.click()
    page.keyboard.type("狛江")  # the list is virtualised: narrow it as a person would
    page.get_by_role("option", name="狛江市", exact=True).wait_for()
    page.keyboard.press("Control+A")
    page.keyboard.type("架空")
    page.wait_for_timeout(500)
    assert page.get_by_role("option", name="架空市", exact=True).count() == 0
    assert page.get_by_role("option", name="狛江市", exact=True).count() == 0  # the narrowing took effect
    page.keyboard.press("Escape")
