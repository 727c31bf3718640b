"""Golden workbooks (tests/etl/workbooks/): each reports exactly the problems beside it, and
the valid one lands in the public views with exactly the expected values.

The files are made by tests/etl/workbooks/make_workbooks.py; the expectations there are
typed by hand as the specification.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from etl.load import PUBLIC_VIEWS
from etl.pipeline import build
from etl.workbook import check
from tests.conftest import RAW_DIR

WORKBOOKS = Path(__file__).parent / "workbooks"
CASES = sorted(p.name for p in WORKBOOKS.iterdir() if p.suffix in (".xlsx", ".xlsm"))
VALID = "kakuu-city-plan.xlsx"
DOC = "xlsx-kakuu-city-plan"


def expected(name: str) -> dict:
    return json.loads((WORKBOOKS / f"{Path(name).stem}.expected.json").read_text(encoding="utf-8"))


def test_every_case_has_its_expectation():
    assert len(CASES) >= 12
    for name in CASES:
        assert (WORKBOOKS / f"{Path(name).stem}.expected.json").exists(), name


@pytest.mark.parametrize("name", CASES)
def test_problems_are_exactly_the_expected_list(name):
    result = check((WORKBOOKS / name).read_bytes(), name)
    assert [p.as_dict() for p in result.problems] == expected(name)["problems"]
    assert result.ok == (not result.errors)
    assert result.ok == all(p["severity"] == "warning" for p in expected(name)["problems"])
    assert (result.extract is not None) == result.ok


def test_valid_workbook_plan_and_counts():
    result = check((WORKBOOKS / VALID).read_bytes(), VALID)
    assert result.ok and result.problems == []
    plan = result.plan
    assert (plan.document_id, plan.municipality, plan.prefecture, plan.title, plan.start_fy, plan.end_fy) == (
        DOC, "架空市", "東京都", "架空市行財政改革プラン", 2021, 2023)
    assert result.counts == {"計画": 1, "取組": 5, "評価": 10, "指標": 6, "財政効果": 3, "記述": 2,
                             "表彰": 1, "関係自治体": 1}
    lines = {i.key: i.line for i in result.extract.initiatives}
    assert lines == {"1": 2, "1-1": 3, "1-2": 4, "1-3": 5, "2": 6}  # line = Excel row


def test_report_names_file_sheet_row_and_column():
    result = check((WORKBOOKS / "many_errors.xlsx").read_bytes(), "many_errors.xlsx")
    report = result.report()
    assert "many_errors.xlsx:評価!11 列「番号」: 番号「7」の取組が取組シートにありません。" in report
    assert "many_errors.xlsx:評価!3: 同じ取組・年度・評価者・評価項目の評価が2つあります" in report
    assert report.count("\n") == len(result.problems)  # one heading + one line per problem


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """A warehouse built from the bundled documents plus the valid and the warnings workbooks."""
    raw = tmp_path_factory.mktemp("raw-with-workbooks") / "raw"
    shutil.copytree(RAW_DIR, raw)
    shutil.copy(WORKBOOKS / VALID, raw / VALID)
    shutil.copy(WORKBOOKS / "warnings.xlsx", raw / "warnings.xlsx")
    target = raw.parent / "warehouse.duckdb"
    report = build(raw, target)
    assert VALID in report.documents and "warnings.xlsx" in report.documents
    con = duckdb.connect(str(target), read_only=True)
    yield con
    con.close()


def _of_document(view: str) -> str:
    """The public columns of ``view`` for one document. fiscal_effects, indicators and awards
    have no document column, and both workbooks are 架空市's: their internal tables say which."""
    return f"SELECT {', '.join(PUBLIC_VIEWS[view])} FROM _{view} WHERE document_id = ?"


QUERIES = {
    "initiatives": "SELECT * FROM initiatives WHERE document_id = ?",
    "evaluations": "SELECT * FROM evaluations WHERE starts_with(initiative_id, ? || '/')",
    "narratives": "SELECT * FROM narratives WHERE starts_with(initiative_id, ? || '/')",
    "fiscal_effects": _of_document("fiscal_effects"),
    "indicators": _of_document("indicators"),
    "awards": _of_document("awards"),
    "municipalities": "SELECT * FROM municipalities WHERE municipality IN ('架空市', '架空町') AND ? IS NOT NULL",
}


def _sorted(rows) -> list:
    return sorted((list(r) for r in rows), key=repr)


@pytest.mark.parametrize("view", sorted(QUERIES))
def test_valid_workbook_rows_in_public_views(imported, view):
    rows = imported.sql(QUERIES[view], params=[DOC]).fetchall()
    assert _sorted(rows) == _sorted(expected(VALID)["views"][view])


def test_valid_workbook_document_row(imported):
    rows = imported.sql("SELECT * FROM documents WHERE document_id = ?", params=[DOC]).fetchall()
    sha = hashlib.sha256((WORKBOOKS / VALID).read_bytes()).hexdigest()
    # municipality_code NULL: 架空市 is not on the national list
    assert [list(r) for r in rows] == [row + [sha, None] for row in expected(VALID)["views"]["documents"]]


def test_valid_workbook_exact_types(imported):
    score, = imported.sql(f"SELECT score FROM evaluations WHERE initiative_id = '{DOC}/1-2' "
                          "AND criterion = '進捗度'").fetchall()[0]
    assert score == 2.25 and isinstance(score, float)
    amount, = imported.sql("SELECT amount_yen FROM fiscal_effects WHERE initiative_id IS NULL "
                           "AND municipality = '架空市' LIMIT 1").fetchall()[0]
    assert amount == 36_200_000 and isinstance(amount, int)


def test_warnings_become_data_quality_rows_located_by_sheet(imported):
    rows = imported.sql("SELECT location, kind, message, resolution FROM data_quality "
                        "WHERE document_id = 'xlsx-warnings' AND kind <> 'municipality_unlisted' "
                        "ORDER BY location").fetchall()
    assert rows == [
        ("warnings.xlsx:取組!6", "missing", "列「担当部署」: 担当部署が空欄です。", "そのまま取り込みました"),
        ("warnings.xlsx:財政効果!4", "formula",
         "列「金額(円)」: 数式は計算せず、Excel が保存した結果「36200000」を値として使いました。", "そのまま取り込みました"),
    ]
    linked = imported.sql("SELECT initiative_id FROM _data_quality WHERE location = 'warnings.xlsx:取組!6'").fetchall()
    assert linked == [("xlsx-warnings/2",)]
    valid = imported.sql("SELECT location, kind, message FROM data_quality WHERE document_id = ?",
                         params=[DOC]).fetchall()
    assert valid == [  # fictional names: no code, said so, never guessed
        ("kakuu-city-plan.xlsx:計画!2", "municipality_unlisted",
         "文書の自治体「架空市」(計画シート) は全国地方公共団体コードの一覧 (data/raw/municipality_codes.csv) にありません"),
        ("kakuu-city-plan.xlsx:関係自治体!2", "municipality_unlisted",
         "自治体「架空町」は全国地方公共団体コードの一覧にありません")]


def test_text_sources_keep_their_line_locations(imported):
    locations = [r[0] for r in imported.sql(
        "SELECT location FROM data_quality WHERE document_id = 'komae-gyokaku-r3' AND kind = 'correction' "
        "LIMIT 3").fetchall()]
    assert locations and all(loc.startswith("komae_gyozaisei_kaikaku_shinchoku_r3.txt:") for loc in locations)
    assert all("!" not in loc for loc in locations)
