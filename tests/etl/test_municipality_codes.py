"""全国地方公共団体コード: the national list, the resolution rules, and two 府中市 in one warehouse."""
from __future__ import annotations

import random

import duckdb
import pytest

from bench.national import Town, workbook
from etl.errors import ManifestError, WorkbookError
from etl.municipality_codes import CodeList, MunicipalityCodeError, check_digit, read_code_list
from etl.pipeline import build
from etl.workbook import check
from tests.conftest import RAW_DIR

TOKYO_FUCHU, HIROSHIMA_FUCHU = "132063", "342084"


@pytest.fixture(scope="module")
def codes() -> CodeList:
    return read_code_list(RAW_DIR)


def test_the_national_list_is_complete(codes):
    prefectures = [m for m in codes.by_code.values() if m.is_prefecture]
    assert len(prefectures) == 47 and len(codes) - 47 == 1741
    assert len({m.name for m in codes.by_code.values() if not m.is_prefecture}) == 1709
    assert [(m.prefecture, m.code) for m in codes.candidates("府中市")] == [("東京都", TOKYO_FUCHU),
                                                                          ("広島県", HIROSHIMA_FUCHU)]
    assert len(codes.candidates("池田町")) == 4
    assert codes.by_code["012131"].name == "苫小牧市" and codes.by_code["130001"].name == "東京都"
    assert check_digit("13206") == TOKYO_FUCHU and check_digit("01213") == "012131"


def test_every_municipality_the_bundled_documents_name_is_on_the_list(codes, warehouse):
    names = [r[0] for r in warehouse.sql("SELECT DISTINCT municipality FROM initiative_municipalities "
                                         "UNION SELECT municipality FROM documents").fetchall()]
    assert len(names) >= 20 and all(codes.candidates(n) for n in names)


@pytest.mark.parametrize("line, problem", [
    ("132064,東京都,府中市,フチュウシ", "municipality_codes.csv:3: code「132064」の検査数字が違います（132063 のはずです）"),
    ("12131,北海道,苫小牧市,トマコマイシ", "municipality_codes.csv:3: code は6桁の数字です。実際: 「12131」"),
    ("132063,東京都,府中市,フチュウシ", "municipality_codes.csv:3: code「132063」が 2 行目と重複しています"),
])
def test_a_bad_list_row_stops_the_run_naming_file_and_line(tmp_path, line, problem):
    (tmp_path / "municipality_codes.csv").write_text(
        f"code,prefecture,municipality,kana\n132063,東京都,府中市,フチュウシ\n{line}\n", encoding="utf-8")
    with pytest.raises(ManifestError) as raised:
        read_code_list(tmp_path)
    assert str(raised.value) == problem


def test_stated_municipality_rules(codes):
    where = dict(file="a.xlsx", sheet="計画", row=2)
    assert codes.resolve_stated("府中市", "広島県", None, **where) == HIROSHIMA_FUCHU
    assert codes.resolve_stated("府中市", None, TOKYO_FUCHU, **where) == TOKYO_FUCHU
    assert codes.resolve_stated("苫小牧市", None, None, **where) == "012131"  # unique nationally
    assert codes.resolve_stated("架空市", "東京都", None, **where) is None  # not on the list: data_quality
    with pytest.raises(MunicipalityCodeError) as raised:
        codes.resolve_stated("府中市", None, None, **where)
    assert str(raised.value) == "a.xlsx:計画!2 自治体: 府中市 は 東京都・広島県 にあります。都道府県 か 自治体コード を書いてください"
    with pytest.raises(MunicipalityCodeError, match="検査数字が違います。132063 では"):
        codes.resolve_stated("府中市", None, "132060", **where)
    with pytest.raises(MunicipalityCodeError, match="自治体コード 342084 は 広島県府中市 です"):
        codes.resolve_stated("苫小牧市", None, HIROSHIMA_FUCHU, **where)
    with pytest.raises(MunicipalityCodeError, match="広島県 の 府中市 です"):
        codes.resolve_stated("府中市", "東京都", HIROSHIMA_FUCHU, **where)


def test_names_inside_a_document_resolve_within_its_prefecture(codes):
    assert codes.resolve_within("府中市", "東京都") == (TOKYO_FUCHU, None)
    assert codes.resolve_within("府中市", "広島県") == (HIROSHIMA_FUCHU, None)
    assert codes.resolve_within("苫小牧市", "東京都") == ("012131", None)  # unique nationally
    code, why = codes.resolve_within("池田町", "東京都")
    assert code is None and "池田町" in why and "北海道" in why
    assert codes.label(TOKYO_FUCHU, "府中市") == "府中市（東京都）" and codes.label("012131", "苫小牧市") == "苫小牧市"


def test_a_wrong_check_digit_in_the_workbook_is_an_error_of_its_cell():
    rng = random.Random(1)
    data = workbook(rng, Town("府中市", "東京都", "132060", True))
    result = check(data, "fuchu.xlsx")
    assert not result.ok
    assert [(p.sheet, p.row, p.column) for p in result.errors] == [("計画", 2, "自治体コード")]
    assert "検査数字（6桁目）が違います。13206 の自治体コードは 132063 です" in result.errors[0].message_ja


def test_an_ambiguous_name_without_prefecture_is_refused(raw_copy, tmp_path):
    (raw_copy / "fuchu.xlsx").write_bytes(workbook(random.Random(1), Town("府中市", "", "", False)))
    target = tmp_path / "w.duckdb"
    with pytest.raises(WorkbookError) as raised:
        build(raw_copy, target, cache=False)
    assert "fuchu.xlsx:計画!2 列「自治体」: 府中市 は 東京都・広島県 にあります。都道府県 か 自治体コード を書いてください" \
        in str(raised.value)
    assert not target.exists()


@pytest.fixture(scope="module")
def two_fuchu(two_fuchu_warehouse) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(two_fuchu_warehouse), read_only=True)
    yield con
    con.close()


def test_two_fuchu_are_two_municipalities_with_their_labels(two_fuchu):
    rows = two_fuchu.sql("SELECT municipality, prefecture, code, label FROM municipalities "
                         "WHERE municipality = '府中市' ORDER BY code").fetchall()
    assert rows == [("府中市", "東京都", TOKYO_FUCHU, "府中市（東京都）"),
                    ("府中市", "広島県", HIROSHIMA_FUCHU, "府中市（広島県）")]
    documents = dict(two_fuchu.sql("SELECT document_id, municipality_code FROM documents "
                                   "WHERE municipality = '府中市'").fetchall())
    assert documents == {"national-東京都-府中市": TOKYO_FUCHU, "national-広島県-府中市": HIROSHIMA_FUCHU}
    # the DX collection's two 府中市 cases are Tokyo's (the document's prefecture)
    per_code = dict(two_fuchu.sql("SELECT municipality_code, count(*) FROM initiatives "
                                  "WHERE municipality = '府中市' GROUP BY 1").fetchall())
    assert per_code == {TOKYO_FUCHU: 60 + 2, HIROSHIMA_FUCHU: 60}  # 4 施策 + 56 取組項目 each
    for view in ("fiscal_effects", "indicators", "initiative_municipalities"):
        codes = {r[0] for r in two_fuchu.sql(f"SELECT DISTINCT municipality_code FROM {view} "
                                             "WHERE municipality = '府中市'").fetchall()}
        assert codes == {TOKYO_FUCHU, HIROSHIMA_FUCHU}, view
    assert two_fuchu.sql("SELECT count(*) FROM data_quality WHERE kind LIKE 'municipality%'").fetchall() == [(0,)]
