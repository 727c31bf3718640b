"""データの取り込み page: the template download and the page itself (uploads are exercised in
the browser test, AppTest cannot upload); etl.upload's import order is tested here."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from etl.errors import WorkbookError
from etl.pipeline import build
from etl.upload import import_workbook, safe_file_name
from tests.conftest import RAW_DIR, ROOT

WORKBOOKS = ROOT / "tests" / "etl" / "workbooks"


def test_page_offers_the_template_and_an_uploader(app):
    at = app("app_pages/data_import.py")
    assert not at.exception
    assert [t.value for t in at.title] == ["データの取り込み"]
    assert "テンプレートをダウンロード (.xlsx)" in [b.label for b in at.get("download_button")]
    assert at.get("file_uploader")


@pytest.fixture
def raw_and_warehouse(tmp_path) -> tuple[Path, Path]:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    target = tmp_path / "warehouse.duckdb"
    build(raw, target)
    return raw, target


def test_import_adds_the_municipality_and_keeps_the_file(raw_and_warehouse):
    raw, target = raw_and_warehouse
    data = (WORKBOOKS / "kakuu-city-plan.xlsx").read_bytes()
    result, report = import_workbook(data, "kakuu-city-plan.xlsx", raw, target)
    assert result.plan.municipality == "架空市"
    assert (raw / "kakuu-city-plan.xlsx").read_bytes() == data
    assert not [p for p in raw.iterdir() if p.name.startswith(".upload-")]
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM initiatives WHERE municipality = '架空市'").fetchall()[0][0] == 5
    assert target.stat().st_mtime >= (raw / "kakuu-city-plan.xlsx").stat().st_mtime  # no needless rebuild


def test_a_workbook_with_errors_changes_nothing(raw_and_warehouse):
    raw, target = raw_and_warehouse
    before, files = target.read_bytes(), sorted(p.name for p in raw.iterdir())
    with pytest.raises(WorkbookError) as error:
        import_workbook((WORKBOOKS / "many_errors.xlsx").read_bytes(), "many_errors.xlsx", raw, target)
    assert "many_errors.xlsx:" in str(error.value) and len(error.value.problems) >= 9
    assert target.read_bytes() == before and sorted(p.name for p in raw.iterdir()) == files


@pytest.mark.parametrize("name", ["", ".hidden.xlsx", "~$lock.xlsx"])
def test_names_the_pipeline_would_skip_are_refused(name):
    with pytest.raises(WorkbookError):
        safe_file_name(name)


def test_an_upload_name_never_escapes_the_folder():
    assert safe_file_name("../../etc/evil.xlsx") == "evil.xlsx"
    assert safe_file_name("C:\\Users\\me\\狛江市.xlsx") == "狛江市.xlsx"
