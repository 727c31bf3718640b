"""Round trip: every built-in document, exported in template form and imported in place of its
source text, gives identical public views (documents differ only in file and sha256;
data_quality differs: the text parsers' notes go, the workbook's warnings come)."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.__main__ import main
from etl.errors import TemplateExportError
from etl.pipeline import build
from etl.workbook import check, export_workbook
from etl.workbook.layout import EVALUATIONS, NARRATIVES
from etl.workbook.writing import write_sheet
from tests.conftest import RAW_DIR

BUILT_IN = {"koganei-kaizen-r3": "小金井市", "komae-gyokaku-r3": "狛江市", "tokyo-dx-2024": "東京都",
            "maebashi-wg-r3": "前橋市", "tomakomai-sokaku-r6": "苫小牧市"}
SAME_VIEWS = ["initiatives", "evaluations", "narratives", "fiscal_effects", "indicators", "awards",
              "municipalities"]


def _view(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple]:
    # fiscal_effects.location names the place the row was read: after the import, the workbook's row
    columns = "* EXCLUDE (location)" if view == "fiscal_effects" else "*"
    return sorted(con.sql(f"SELECT {columns} FROM {view}").fetchall(), key=repr)


def _raw_without(document_id: str, tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    with (raw / "manifest.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    (raw / next(r[1] for r in rows if r[0] == document_id)).unlink()
    with (raw / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(r for r in rows if r[0] != document_id)
    return raw


@pytest.mark.parametrize("document_id", sorted(BUILT_IN))
def test_export_then_import_gives_identical_views(document_id, warehouse, built_warehouse, tmp_path):
    data = export_workbook(built_warehouse, BUILT_IN[document_id])
    result = check(data, f"{document_id}.xlsx")
    assert result.ok, result.report()
    assert result.plan.document_id == document_id

    raw = _raw_without(document_id, tmp_path)
    (raw / f"{document_id}.xlsx").write_bytes(data)
    target = tmp_path / "w2.duckdb"
    build(raw, target)
    rebuilt = duckdb.connect(str(target), read_only=True)
    try:
        for view in SAME_VIEWS:
            assert _view(rebuilt, view) == _view(warehouse, view), view
        query = "SELECT document_id, municipality, title FROM documents ORDER BY 1"
        assert rebuilt.sql(query).fetchall() == warehouse.sql(query).fetchall()
        assert rebuilt.sql("SELECT file FROM documents WHERE document_id = ?", params=[document_id]).fetchall() == [
            (f"{document_id}.xlsx",)]
        places = rebuilt.sql("SELECT DISTINCT regexp_replace(location, '!\\d+$', '') FROM fiscal_effects "
                             "WHERE document_id = ?", params=[document_id]).fetchall()
        assert places in ([], [(f"{document_id}.xlsx:財政効果",)])
    finally:
        rebuilt.close()


def test_export_keeps_source_order_and_the_exact_types(built_warehouse):
    book = openpyxl.load_workbook(io.BytesIO(export_workbook(built_warehouse, "苫小牧市")), read_only=True)
    assert book.sheetnames == ["説明", "計画", "取組", "評価", "指標", "財政効果", "記述", "表彰", "関係自治体"]
    plan = list(book["計画"].iter_rows(values_only=True))
    assert plan[0] == ("自治体", "都道府県", "計画名", "開始年度", "終了年度", "文書ID", "人口")
    assert plan[1][0:2] == ("苫小牧市", "北海道") and plan[1][5] == "tomakomai-sokaku-r6"
    initiatives = list(book["取組"].iter_rows(values_only=True))
    header = initiatives[0]
    ids = [row[header.index("取組ID")] for row in initiatives[1:]]
    assert len(ids) == len(set(ids)) == 117
    amounts = [row[2] for row in list(book["財政効果"].iter_rows(values_only=True))[1:]]
    assert all(isinstance(a, int) for a in amounts)
    book.close()


def test_municipality_with_several_documents_needs_a_document_id(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("manifest.csv", "corrections.csv"):
        (raw / name).write_text((RAW_DIR / name).read_text(encoding="utf-8").splitlines()[0] + "\n",
                                encoding="utf-8")
    workbook = Path(__file__).parent / "workbooks" / "kakuu-city-plan.xlsx"
    shutil.copy(workbook, raw / "a.xlsx")
    shutil.copy(workbook, raw / "b.xlsx")
    target = tmp_path / "w.duckdb"
    build(raw, target)
    with pytest.raises(TemplateExportError) as caught:
        export_workbook(target, "架空市")
    assert "--document" in str(caught.value) and "xlsx-a" in str(caught.value) and "xlsx-b" in str(caught.value)
    with pytest.raises(TemplateExportError):
        export_workbook(target, "架空市", "komae-gyokaku-r3")
    with pytest.raises(TemplateExportError) as caught:
        export_workbook(target, "存在しない市")
    assert "架空市" in str(caught.value)
    assert check(export_workbook(target, "架空市", "xlsx-b"), "b.xlsx").ok


def test_cli_commands_write_files(built_warehouse, tmp_path, capsys):
    template = tmp_path / "template.xlsx"
    assert main(["template", str(template)]) == 0
    assert openpyxl.load_workbook(template).sheetnames[0] == "説明"
    exported = tmp_path / "komae.xlsx"
    assert main(["export-template", "狛江市", str(exported), "--warehouse", str(built_warehouse)]) == 0
    assert check(exported.read_bytes(), exported.name).plan.document_id == "komae-gyokaku-r3"
    assert main(["export-template", "狛江市", str(tmp_path / "x.csv"), "--warehouse", str(built_warehouse)]) == 1
    assert main(["export-template", "狛江市", str(tmp_path / "y.xlsx"), "--warehouse",
                 str(tmp_path / "missing.duckdb")]) == 1
    err = capsys.readouterr().err
    assert "エラー (テンプレート書き出し)" in err and "missing.duckdb" in err


def _written(spec, record: dict) -> openpyxl.cell.Cell:
    book = openpyxl.Workbook()
    write_sheet(book.active, spec, [record])
    buffer = io.BytesIO()
    book.save(buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))[spec.name]


def test_text_that_looks_like_a_formula_stays_text():
    sheet = _written(NARRATIVES, {"number": "1", "section": "=見出し", "text": "=SUM(A1:A9)"})
    for cell in (sheet["C2"], sheet["D2"]):
        assert cell.data_type == "s" and cell.quotePrefix
    assert (sheet["C2"].value, sheet["D2"].value) == ("=見出し", "=SUM(A1:A9)")


def test_a_float_needing_17_digits_survives_as_text():
    score = 0.1 + 0.2  # 0.30000000000000004: openpyxl would write 0.3
    sheet = _written(EVALUATIONS, {"number": "1", "evaluator": "自己評価", "criterion": "進捗度", "score": score})
    assert float(sheet["E2"].value) == score


def test_export_refuses_text_excel_cannot_hold(built_warehouse, tmp_path):
    target = tmp_path / "w.duckdb"
    shutil.copy(built_warehouse, target)
    con = duckdb.connect(str(target))
    con.sql("UPDATE _narratives SET text = repeat('あ', 40000) WHERE initiative_id = "
            "(SELECT min(initiative_id) FROM _narratives WHERE initiative_id LIKE 'komae%')")
    con.close()
    with pytest.raises(TemplateExportError) as caught:
        export_workbook(target, "狛江市")
    assert "記述!" in str(caught.value) and "32,767" in str(caught.value)

