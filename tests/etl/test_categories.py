"""One taxonomy: initiatives.categories from data/raw/categories.csv (etl/categories.py).

Golden assignments come from the documents' own titles; coverage and the data_quality rows
from the bundled build; the workbook's カテゴリ column round-trips through export.
"""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.categories import (BY_DICTIONARY, BY_OVERRIDE, BY_WORKBOOK, Dictionary, Item, assign,
                            read_dictionary)
from etl.errors import ManifestError
from etl.pipeline import build
from etl.workbook import check, export_workbook
from tests.conftest import RAW_DIR

WORKBOOKS = Path(__file__).parent / "workbooks"

# initiative_id -> a category it must have (the title says so)
GOLDEN = {
    "tomakomai-sokaku-r6/取組項目:15": "RPA・AI",  # RPAの導入
    "komae-gyokaku-r3/取組項目:06": "RPA・AI",  # AI・RPA等の先進技術の導入
    "maebashi-wg-r3/WG:8": "RPA・AI",  # BPR（RPA）推進WG
    "tomakomai-sokaku-r6/実践項目:2": "歳入確保",  # 企業版ふるさと納税の導入
    "tomakomai-sokaku-r6/実践項目:33": "民間活力・委託",  # 本庁舎における電話交換業務の民間委託
    "komae-gyokaku-r3/取組項目:14": "公共施設・資産活用",  # 公共施設等の適切な維持管理
    "komae-gyokaku-r3/取組項目:49": "働き方改革・職場環境",  # 時差出勤制度等の柔軟な勤務時間の運用
    "tokyo-dx-2024/DX事例:39": "広域・自治体間連携",  # 日野市・多摩市・稲城市DX人材育成事業
    "tokyo-dx-2024/DX事例:12": "防災・安全",  # 延焼防止効果等を3Dで可視化！
    "koganei-kaizen-r3/改善取組:2020:20": "窓口・手続のデジタル化",  # 災害共済給付オンライン請求システムの利用開始 (防災・安全 removed by an id: row: 災害共済給付 is school accident insurance)
}


def categories(warehouse, initiative_id: str) -> list[str]:
    return warehouse.execute("SELECT categories FROM initiatives WHERE initiative_id = ?", [initiative_id]).fetchall()[0][0]


@pytest.mark.parametrize("initiative_id", sorted(GOLDEN))
def test_golden_category(warehouse, initiative_id):
    assert GOLDEN[initiative_id] in categories(warehouse, initiative_id)


def test_rpa_items_lead_with_rpa_ai(warehouse):
    for initiative_id in ("tomakomai-sokaku-r6/取組項目:15", "komae-gyokaku-r3/取組項目:06", "maebashi-wg-r3/WG:8"):
        assert categories(warehouse, initiative_id)[0] == "RPA・AI", initiative_id


def test_taxonomy_size_and_every_document_uses_it(warehouse):
    taxonomy = read_dictionary(RAW_DIR).categories
    assert 10 <= len(taxonomy) <= 25
    used = dict(warehouse.execute(
        "SELECT document_id, count(DISTINCT c) FROM (SELECT document_id, unnest(categories) AS c FROM initiatives) "
        "GROUP BY 1").fetchall())
    assert set(used) == {"koganei-kaizen-r3", "komae-gyokaku-r3", "maebashi-wg-r3", "tokyo-dx-2024",
                         "tomakomai-sokaku-r6"}
    assert all(n >= 5 for n in used.values()), used
    found = {r[0] for r in warehouse.execute("SELECT DISTINCT unnest(categories) FROM initiatives").fetchall()}
    assert found == set(taxonomy)  # every category has at least one initiative, no other word appears


def test_coverage_and_one_data_quality_row_per_uncategorized_item(warehouse):
    total, without = warehouse.execute(
        "SELECT count(*), count(*) FILTER (WHERE len(categories) = 0) FROM initiatives").fetchall()[0]
    assert (total, without) == (333, 7)  # 97.9% covered
    noted = {r[0] for r in warehouse.execute(
        "SELECT initiative_id FROM _data_quality WHERE kind = 'uncategorized'").fetchall()}
    assert noted == {r[0] for r in warehouse.execute(
        "SELECT initiative_id FROM initiatives WHERE len(categories) = 0").fetchall()}
    # e.g. 小金井市 改善取組「傘立て片付けました。」 names no reform keyword
    assert "koganei-kaizen-r3/改善取組:2021:6" in noted
    assert warehouse.execute("SELECT count(*) FROM data_quality WHERE kind = 'uncategorized'").fetchall()[0][0] == 7


def test_at_most_three_and_how_each_was_decided(warehouse):
    by_dictionary = warehouse.execute("SELECT max(n) FROM (SELECT count(*) AS n FROM _initiative_categories "
                                      "WHERE source = ? GROUP BY initiative_id)", [BY_DICTIONARY]).fetchall()[0][0]
    assert by_dictionary == 3  # an id: row may add a fourth
    # the id: row for 実践項目47 定型的な内部業務への導入拡大 (a practice item of 取組項目15 RPAの導入)
    assert "RPA・AI" in categories(warehouse, "tomakomai-sokaku-r6/実践項目:47")
    rows = warehouse.execute("SELECT source, count(*) FROM _initiative_categories GROUP BY 1").fetchall()
    assert {s for s, _ in rows} == {BY_DICTIONARY, BY_OVERRIDE}
    # the override row of categories.csv: 還付金支払い方法を口座入金に原則化 -> 業務改革・BPR
    assert warehouse.execute("SELECT category, source FROM _initiative_categories WHERE initiative_id = ?",
                             ["koganei-kaizen-r3/改善取組:2020:11"]).fetchall() == [("業務改革・BPR", BY_OVERRIDE)]
    # the removal row: 災害共済給付 (school accident insurance) is not 防災・安全
    assert categories(warehouse, "koganei-kaizen-r3/改善取組:2020:20") == ["窓口・手続のデジタル化"]
    keywords = warehouse.execute("SELECT keywords FROM _initiative_categories WHERE initiative_id = ? AND "
                                 "category = 'RPA・AI'", ["tomakomai-sokaku-r6/取組項目:15"]).fetchall()[0][0]
    assert "RPA" in keywords


# ---------------------------------------------------------------- the rule on small inputs

def _dictionary(tmp_path: Path, rows: str) -> Dictionary:
    (tmp_path / "categories.csv").write_text("# comment\ncategory,keyword,weight\n" + rows, encoding="utf-8")
    return read_dictionary(tmp_path)


def test_ascii_keywords_do_not_match_inside_words(tmp_path):
    d = _dictionary(tmp_path, "情報発信・広報,LINE,3\nRPA・AI,AI,3\n")
    assert [a.category for a in assign(Item("x", "ONLINE申請とMAIL", [], [], []), d)] == []
    assert [a.category for a in assign(Item("x", "LINE公式アカウントと生成AI", [], [], []), d)] == \
        ["情報発信・広報", "RPA・AI"]


def test_title_counts_double_and_the_threshold(tmp_path):
    d = _dictionary(tmp_path, "業務改革・BPR,効率化,1\n民間活力・委託,委託,2\n")
    assert assign(Item("x", "", [], ["委託と効率化"], []), d) == []  # 2 and 1: below 3
    chosen = assign(Item("x", "委託", [], ["効率化"], []), d)
    assert [(a.category, a.score) for a in chosen] == [("民間活力・委託", 4)]  # 効率化 1 < half of 4


def test_workbook_categories_replace_the_dictionary_and_overrides_apply_last(tmp_path):
    d = _dictionary(tmp_path, "RPA・AI,RPA,3\n業務改革・BPR,BPR,3\n業務改革・BPR,id:doc/1,-1\nRPA・AI,id:doc/2,1\n")
    assert [(a.category, a.source) for a in assign(Item("doc/9", "RPA", [], [], ["業務改革・BPR"]), d)] == \
        [("業務改革・BPR", BY_WORKBOOK)]
    assert assign(Item("doc/1", "BPR", [], [], []), d) == []
    assert [a.source for a in assign(Item("doc/2", "", [], [], []), d)] == [BY_OVERRIDE]


def test_bad_dictionary_rows_name_file_and_line(tmp_path):
    with pytest.raises(ManifestError, match=r"categories.csv:4: weight は整数"):
        _dictionary(tmp_path, "RPA・AI,RPA,3\nRPA・AI,AI,高\n")
    with pytest.raises(ManifestError, match=r"categories.csv:3: カテゴリ「未知」はキーワード辞書にありません"):
        _dictionary(tmp_path, "未知,id:doc/1,1\n")


# ---------------------------------------------------------------- the template's カテゴリ column

def _with_category_column(values: dict[int, str]) -> bytes:
    book = openpyxl.load_workbook(WORKBOOKS / "kakuu-city-plan.xlsx")
    sheet = book["取組"]
    column = sheet.max_column + 1
    sheet.cell(1, column, "カテゴリ")
    for row, value in values.items():
        sheet.cell(row, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_template_category_column_is_used_and_round_trips(tmp_path):
    # row 3 = 取組項目 1-1 窓口業務の委託 (the dictionary would say 窓口・手続のデジタル化, 民間活力・委託)
    data = _with_category_column({3: "RPA・AI、業務改革・BPR", 4: "独自の分類"})
    assert check(data, "kakuu.xlsx").ok
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DIR, raw)
    (raw / "kakuu.xlsx").write_bytes(data)
    target = tmp_path / "w.duckdb"
    build(raw, target)
    con = duckdb.connect(str(target), read_only=True)
    try:
        stated = con.execute("SELECT categories FROM initiatives WHERE initiative_id = 'xlsx-kakuu/1-1'").fetchall()[0][0]
        assert stated == ["RPA・AI", "業務改革・BPR"]
        # a blank cell: the dictionary decides (電子申請の拡大 -> 窓口・手続のデジタル化)
        assert con.execute("SELECT categories FROM initiatives WHERE initiative_id = 'xlsx-kakuu/1-3'").fetchall()[0][0] \
            == ["窓口・手続のデジタル化"]
        [(location, message)] = con.execute("SELECT location, message FROM data_quality WHERE kind = 'workbook' "
                                            "AND message LIKE '%独自の分類%'").fetchall()
        assert location == "kakuu.xlsx:取組!4" and "共通分類" in message
        exported = export_workbook(con, "架空市", "xlsx-kakuu")
    finally:
        con.close()
    sheet = list(openpyxl.load_workbook(io.BytesIO(exported), read_only=True)["取組"].iter_rows(values_only=True))
    column = sheet[0].index("カテゴリ")
    by_code = {row[1]: row[column] for row in sheet[1:]}
    assert by_code["1-1"] == "RPA・AI\n業務改革・BPR" or by_code["1-1"] == "RPA・AI、業務改革・BPR"
    assert by_code["1-2"] == "独自の分類" and by_code["1-3"] is None  # blank stays blank: the dictionary decides
    again = check(exported, "kakuu.xlsx")
    assert again.ok
    assert {i.code: i.categories for i in again.extract.initiatives}["1-1"] == ["RPA・AI", "業務改革・BPR"]


def test_explanation_sheet_lists_the_taxonomy():
    from etl.workbook.template import template_bytes

    book = openpyxl.load_workbook(io.BytesIO(template_bytes()), read_only=True)
    text = "\n".join(str(c) for row in book["説明"].iter_rows(values_only=True) for c in row if c)
    assert "カテゴリ列（任意）は行革の共通分類" in text and "RPA・AI" in text and "公営企業・病院・上下水道" in text
