"""``python -m etl`` picks up every .xlsx in the raw folder: a valid workbook joins the
warehouse, an invalid one stops the run with a Japanese message and the old warehouse stays."""
from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.errors import WorkbookError
from etl.pipeline import build
from tests.etl.conftest import run_etl

WORKBOOKS = Path(__file__).parent / "workbooks"
VALID = "kakuu-city-plan.xlsx"




def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql, params=params or []).fetchall()
    finally:
        con.close()


def _with_plan_cell(header: str, value: str) -> bytes:
    """The valid workbook with one 計画 cell changed (e.g. its 文書ID)."""
    book = openpyxl.load_workbook(WORKBOOKS / VALID)
    sheet = book["計画"]
    column = next(c.column for c in sheet[1] if c.value == header)
    sheet.cell(row=2, column=column).value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_cli_imports_a_workbook_without_manifest_row(raw_copy, tmp_path):
    shutil.copy(WORKBOOKS / VALID, raw_copy / VALID)
    target = tmp_path / "w.duckdb"
    result = run_etl(raw_copy, target)
    assert result.returncode == 0, result.stderr
    assert "文書 6 件" in result.stdout
    assert ("架空市", "東京都", None) in _query(target, "SELECT municipality, prefecture, code FROM municipalities")
    assert _query(target, "SELECT document_id, municipality, title, file FROM documents WHERE file = ?", [VALID]) == [
        ("xlsx-kakuu-city-plan", "架空市", "架空市行財政改革プラン", VALID)]
    assert _query(target, "SELECT count(*) FROM initiatives WHERE municipality = '架空市'") == [(5,)]
    assert _query(target, "SELECT count(*) FROM data_quality WHERE kind = 'unknown_file'") == [(0,)]


def test_cli_refuses_an_invalid_workbook_and_keeps_the_warehouse(raw_copy, built_warehouse, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, target)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    shutil.copy(WORKBOOKS / "many_errors.xlsx", raw_copy / "many_errors.xlsx")
    shutil.copy(WORKBOOKS / "unknown_parent.xlsx", raw_copy / "unknown_parent.xlsx")

    result = run_etl(raw_copy, target)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "エラー (ブック取り込み)" in result.stderr
    assert "many_errors.xlsx:評価!11 列「番号」: 番号「7」の取組が取組シートにありません。" in result.stderr
    assert "many_errors.xlsx:財政効果!3 列「金額(円)」: 金額「1234.5」は円単位の整数で入力してください。" in result.stderr
    assert "unknown_parent.xlsx:取組!3 列「親番号」: 番号「9」の取組が取組シートにありません。" in result.stderr
    assert "以前の倉庫はそのまま残っています" in result.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("warehouse.duckdb.tmp-*"))


def test_error_lists_every_problem_of_every_failing_workbook(raw_copy, tmp_path):
    shutil.copy(WORKBOOKS / "many_errors.xlsx", raw_copy / "many_errors.xlsx")
    shutil.copy(WORKBOOKS / "grade_not_a_to_d.xlsx", raw_copy / "grade_not_a_to_d.xlsx")
    with pytest.raises(WorkbookError) as caught:
        build(raw_copy, tmp_path / "w.duckdb")
    error = caught.value
    assert error.stage == "ブック取り込み"
    assert len([p for p in error.problems if p.is_error]) == 9 + 1
    assert "grade_not_a_to_d.xlsx:評価!7 列「評価」: 「E」は使えません。使える値: A、B、C、D" in str(error)
    assert not (tmp_path / "w.duckdb").exists()


def test_document_id_from_the_plan_sheet(raw_copy, tmp_path):
    (raw_copy / "plan.xlsx").write_bytes(_with_plan_cell("文書ID", "kakuu-2021"))
    target = tmp_path / "w.duckdb"
    build(raw_copy, target)
    assert _query(target, "SELECT document_id, file FROM documents WHERE municipality = '架空市'") == [
        ("kakuu-2021", "plan.xlsx")]
    assert ("kakuu-2021/1-1",) in _query(target, "SELECT initiative_id FROM initiatives WHERE municipality = '架空市'")


def test_document_id_clash_is_an_error(raw_copy, tmp_path):
    (raw_copy / "clash.xlsx").write_bytes(_with_plan_cell("文書ID", "komae-gyokaku-r3"))
    with pytest.raises(WorkbookError) as caught:
        build(raw_copy, tmp_path / "w.duckdb")
    assert "clash.xlsx:計画!2 列「文書ID」: 文書ID「komae-gyokaku-r3」は manifest.csv の文書と同じです。" in str(caught.value)


def test_two_workbooks_with_one_document_id_clash(raw_copy, tmp_path):
    (raw_copy / "a.xlsx").write_bytes(_with_plan_cell("文書ID", "same"))
    (raw_copy / "b.xlsx").write_bytes(_with_plan_cell("文書ID", "same"))
    with pytest.raises(WorkbookError) as caught:
        build(raw_copy, tmp_path / "w.duckdb")
    assert "b.xlsx:計画!2 列「文書ID」: 文書ID「same」は a.xlsx の文書と同じです。" in str(caught.value)


def test_manifest_row_with_workbook_format(raw_copy, tmp_path):
    shutil.copy(WORKBOOKS / VALID, raw_copy / VALID)
    with (raw_copy / "manifest.csv").open("a", encoding="utf-8") as f:
        f.write(f"kakuu-r3,{VALID},workbook,架空市,東京都,別の表題,2024-04,original.xlsx,{'0' * 64}\n")
    target = tmp_path / "w.duckdb"
    build(raw_copy, target)
    assert _query(target, "SELECT document_id, title FROM documents WHERE file = ?", [VALID]) == [
        ("kakuu-r3", "架空市行財政改革プラン")]
    kinds = sorted(r[0] for r in _query(target, "SELECT kind FROM data_quality WHERE document_id = 'kakuu-r3'"))
    assert kinds == ["checksum_changed", "mismatch"]  # the manifest's title and stale checksum
    assert _query(target, "SELECT location FROM data_quality WHERE kind = 'mismatch' AND document_id = 'kakuu-r3'") == [
        (f"{VALID}:計画!2",)]


def test_lock_files_are_skipped_and_macro_books_reported(raw_copy, tmp_path):
    (raw_copy / f"~${VALID}").write_bytes(b"owner")  # Excel's lock file while the book is open
    shutil.copy(WORKBOOKS / "macro.xlsm", raw_copy / "macro.xlsm")
    target = tmp_path / "w.duckdb"
    build(raw_copy, target)
    unknown = _query(target, "SELECT message, resolution FROM data_quality WHERE kind = 'unknown_file'")
    assert len(unknown) == 1
    assert "macro.xlsm" in unknown[0][0] and "Excel ブック (*.xlsx)" in unknown[0][1]
