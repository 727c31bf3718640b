"""データの取り込み page: the template download and the page itself (uploads are exercised in
the browser test, AppTest cannot upload); etl.upload's import order is tested here."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from etl import history
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


@pytest.fixture
def imported(raw_and_warehouse, monkeypatch) -> tuple[Path, Path]:
    """A dashboard whose warehouse and data/raw have one import in their history."""
    raw, target = raw_and_warehouse
    import_workbook((WORKBOOKS / "kakuu-city-plan.xlsx").read_bytes(), "kakuu-city-plan.xlsx", raw, target,
                    user="editor@city.example.jp")
    monkeypatch.setenv("GYOKAKU_WAREHOUSE", str(target))
    monkeypatch.setenv("GYOKAKU_RAW", str(raw))
    return raw, target


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_history_is_shown_and_undo_needs_confirmation(app, imported):
    raw, target = imported
    imported_sha = history.sha256_file(target)
    at = app("app_pages/data_import.py")
    assert not at.exception
    table = at.dataframe
    frame = next(t for t in table if "利用者" in t.value.columns).value
    assert list(frame.columns) == ["番号", "日時", "操作", "状態", "利用者", "ファイル", "SHA-256", "行数"]
    assert frame.iloc[0][["操作", "利用者", "ファイル", "状態"]].tolist() == [
        "取り込み", "editor@city.example.jp", "kakuu-city-plan.xlsx", "次に取り消せます"]

    label = next(b.label for b in at.button if b.label.startswith("1 番「取り込み kakuu-city-plan.xlsx」"))
    _button(at, label).click().run()
    assert any("取り消して、その前の倉庫と data/raw に戻します" in w.value for w in at.warning)
    assert history.sha256_file(target) == imported_sha  # asking is not doing
    _button(at, "やめる").click().run()
    assert not any("よろしいですか" in w.value for w in at.warning)
    assert history.sha256_file(target) == imported_sha

    _button(at, label).click().run()
    _button(at, "取り消しを実行する").click().run()
    assert not at.exception
    assert [s.value for s in at.success][-1].endswith("を取り消しました。")
    assert not (raw / "kakuu-city-plan.xlsx").exists()
    assert [e.action for e in history.entries(target)] == ["import", "undo"]
    assert history.counts_of(target)["documents"] == 5


def test_delete_needs_confirmation(app, imported):
    raw, target = imported
    at = app("app_pages/data_import.py")
    label = "架空市「架空市行財政改革プラン」（kakuu-city-plan.xlsx）を削除する"
    assert [b.label for b in at.button if b.label.endswith("を削除する")] == [label]  # no bundled document
    _button(at, label).click().run()
    assert (raw / "kakuu-city-plan.xlsx").exists()
    _button(at, "削除を実行する").click().run()
    assert not at.exception
    assert not (raw / "kakuu-city-plan.xlsx").exists()
    assert [e.action for e in history.entries(target)] == ["import", "delete"]
    assert not [b for b in at.button if b.label.endswith("を削除する")]


def test_a_session_that_may_not_edit_sees_no_history_and_cannot_act(app, imported, monkeypatch):
    raw, target = imported
    import ui.access

    at = app("app_pages/data_import.py")
    monkeypatch.setattr(ui.access, "may_edit", lambda: False)  # the right is gone at the next run
    at.run()
    assert not at.exception  # the navigation no longer has the page: Streamlit shows the default one
    assert "データの取り込み" not in [t.value for t in at.title] and not at.get("file_uploader")
    assert not [b for b in at.button if "取り消す" in b.label or "削除" in b.label]
    assert not [t for t in at.dataframe if "利用者" in t.value.columns]
    assert [e.action for e in history.entries(target)] == ["import"]


def test_the_undo_action_itself_refuses_a_session_that_may_not_edit(app, imported, monkeypatch):
    """A hidden button is not access control: the click's own code path asks ui.access too
    (here the session loses the right between the question and the confirmation)."""
    raw, target = imported
    import ui.access

    at = app("app_pages/data_import.py")
    next(b for b in at.button if b.label.endswith("を取り消す")).click().run()
    monkeypatch.setattr(ui.access, "may_edit", lambda: False)
    _button(at, "取り消しを実行する").click().run()
    assert at.error and not at.success  # ui.access's message (its words are that module's)
    assert (raw / "kakuu-city-plan.xlsx").exists()
    assert [e.action for e in history.entries(target)] == ["import"]
