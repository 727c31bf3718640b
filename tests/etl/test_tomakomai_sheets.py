"""Golden cases for the Tomakomai progress sheets (etl.sources.tomakomai.sheets).

Most assertions go through the public views of a freshly built warehouse (fixture
``warehouse``): the sheets are rank 0, so their values are the ones the views show.
A few check ``parse_sheets`` itself (repairs, money helper, robustness, cross-check).
Line numbers in comments refer to data/raw/tomakomai_gyosei_sokaku_plan_hyoka_r6.txt.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from etl.documents import load_by_id
from etl.errors import SourceFormatError
from etl.model import SourceDocument
from etl.money import kind_of
from etl.normalize import yen_amounts
from etl.sources.tomakomai.sheets import CRITERIA, cross_check_sheets, parse_sheets
from tests.conftest import RAW_DIR

DOC_ID = "tomakomai-sokaku-r6"
I = f"{DOC_ID}/実践項目:"
ALL_CODES = {str(n) for n in range(1, 71)} | {f"N{n}" for n in range(1, 26)}


@pytest.fixture(scope="module")
def doc() -> SourceDocument:
    return load_by_id(DOC_ID, RAW_DIR)


@pytest.fixture(scope="module")
def sheets(doc):
    return parse_sheets(doc)


def _scores(warehouse, initiative_id: str, criterion: str) -> dict:
    rows = warehouse.sql("SELECT fiscal_year, coalesce(grade, CAST(score AS VARCHAR)) FROM evaluations "
                         "WHERE initiative_id = ? AND evaluator = 'self' AND criterion = ?",
                         params=[initiative_id, criterion]).fetchall()
    return {fy: (v if criterion == "総合評価" else float(v)) for fy, v in rows}


def _effects(warehouse, initiative_id: str) -> list[tuple]:
    return warehouse.sql("SELECT fiscal_year, amount_yen, kind FROM fiscal_effects "
                         "WHERE source = 'sheet' AND initiative_id = ? ORDER BY fiscal_year NULLS FIRST, amount_yen",
                         params=[initiative_id]).fetchall()


def _narrative(warehouse, initiative_id: str, section: str, fiscal_year=None) -> str:
    cond = "fiscal_year IS NULL" if fiscal_year is None else "fiscal_year = ?"
    params = [initiative_id, section] + ([] if fiscal_year is None else [fiscal_year])
    rows = warehouse.sql(f"SELECT text FROM narratives WHERE initiative_id = ? AND section = ? AND {cond}",
                         params=params).fetchall()
    return "\n".join(r[0] for r in rows)


# ---------------------------------------------------------------- through the views

def test_item_1_yearly_criterion_scores_and_grades(warehouse):
    # lines 940/944: 進捗度 2 3 2 1 | 総括 3 ; 総合評価 B A C C | 総括 A
    assert _scores(warehouse, I + "1", "進捗度") == {2020: 2, 2021: 3, 2022: 2, 2023: 1, None: 3}
    assert _scores(warehouse, I + "1", "効率性") == {2020: 1, 2021: 3, 2022: 1, 2023: 1, None: 3}  # line 942
    assert _scores(warehouse, I + "1", "総合評価") == {2020: "B", 2021: "A", 2022: "C", 2023: "C", None: "A"}
    # 合計 is not printed on the sheets: the sum of the four criteria per column (R3: 3+2+3+2)
    assert _scores(warehouse, I + "1", "合計")[2021] == 10


def test_item_2_cooperation_scores_and_reason(warehouse):
    assert _scores(warehouse, I + "2", "連携度") == {2020: 2, 2021: 2, 2022: 2, 2023: 2, None: 2}  # line 986
    reason = _narrative(warehouse, I + "2", "評価の理由(効率性)")  # line 987
    assert "毎年2億円程の寄附を獲得" in reason


def test_item_ending_early_has_no_scores_after_the_dash(warehouse):
    # line 3141: 水道管… 進捗度 2 - - - | 2
    assert _scores(warehouse, I + "44", "進捗度") == {2020: 2, None: 2}


def test_new_item_is_scored_from_r5_only(warehouse):
    # line 1059: ふるさと納税の獲得… 進捗度 (blank×3) 3 | 3
    assert _scores(warehouse, I + "N1", "進捗度") == {2023: 3, None: 3}
    assert _scores(warehouse, I + "N1", "総合評価") == {2023: "A", None: "A"}  # line 1063


def test_shifted_labels_are_read_in_canonical_order(warehouse):
    # lines 3889–3893: the 進捗度 label sits in the header row; rows say 連携度 効率性 創造性 創造性
    assert _scores(warehouse, I + "N16", "連携度") == {2023: 2, None: 1}
    assert _scores(warehouse, I + "N16", "総合評価") == {2023: "B", None: "C"}
    # lines 2334–2338: no labels at all, four rows in order
    assert _scores(warehouse, I + "29", "創造性") == {2020: 2, 2021: 2, 2022: 2, None: 2}


def test_row_with_lost_cells_is_right_aligned_to_the_summary_column(warehouse):
    # line 1456: 進捗度 2 2 2 2 総括 (one cell lost) -> R3..R5 and 総括
    assert _scores(warehouse, I + "11", "進捗度") == {2021: 2, 2022: 2, 2023: 2, None: 2}
    # line 1460: 総合評価 B B A A A (the empty label cell lost)
    assert _scores(warehouse, I + "11", "総合評価") == {2020: "B", 2021: "B", 2022: "A", 2023: "A", None: "A"}


def test_reason_and_yearly_narratives(warehouse):
    assert "820万円の寄附を獲得" in _narrative(warehouse, I + "1", "評価の理由(総合評価)")  # line 944
    # line 927: R3 ④ result
    assert "12月下旬に寄附募集を開始" in _narrative(warehouse, I + "1", "取組結果・評価につながる活動指標(効果)", 2021)
    # line 936: row ⑬ lost its leading cells; it stays in R6
    assert "平和の鐘制作プロジェクト" in _narrative(warehouse, I + "1", "取組結果・評価につながる活動指標(効果)", 2024)
    assert "寄附募集準備" in _narrative(warehouse, I + "1", "取組予定・今後の取組予定", 2024)  # line 935
    # line 955: R6 課題
    assert "税外収入の確保" in _narrative(warehouse, I + "1", "課題・問題点/今後の想定される課題等", 2024)
    assert "有効な手段" in _narrative(warehouse, I + "1", "特記事項(総括)")  # line 957


def test_item_2_donations_per_year(warehouse):
    effects = _effects(warehouse, I + "2")  # lines 970–978, 987, 1000
    assert (2020, 11_075_455, "寄附") in effects
    assert (2021, 101_765_982, "寄附") in effects
    assert (2022, 238_981_858, "寄附") in effects
    assert (2024, 207_803_629, "寄附") in effects
    assert (None, 200_000_000, "寄附") in effects  # 「約2億の寄附」 (円 left out), line 1000


def test_item_1_and_n1_donations(warehouse):
    assert _effects(warehouse, I + "1") == [(None, 8_200_000, "寄附")]  # 820万円, line 944
    assert _effects(warehouse, I + "N1") == [(2023, 6_220_000, "寄附")]  # 約6,220千円, line 1053


def test_item_3_advertising_and_naming_rights(warehouse):
    # lines 1013–1022: ※①②合計35,580千円 … ※⑩⑪合計42,786千円 (kind from the plan cell: ネーミングライツ)
    assert _effects(warehouse, I + "3") == [(2020, 35_580_000, "広告料"), (2021, 37_956_000, "広告料"),
                                           (2022, 39_943_000, "広告料"), (2023, 40_889_000, "広告料"),
                                           (2024, 42_786_000, "広告料")]


def test_item_27_sales_and_leases(warehouse):
    effects = _effects(warehouse, I + "27")
    assert (2020, 324_102_000, "売却収入") in effects  # line 2236
    assert (2023, 893_411_000, "売却収入") in effects  # line 2245
    assert (2024, 877_902_000, "売却収入") in effects  # line 2248: "…できた。(877,902千円)"
    assert (2024, 42_480_000, "貸付収入") in effects  # line 2249
    assert (None, 2_960_000_000, "売却・貸付収入") in effects  # 約29.6億円 (売却及び貸付について), line 2257
    evidence = warehouse.sql("SELECT evidence FROM fiscal_effects WHERE initiative_id = ? AND amount_yen = 877902000",
                             params=[I + "27"]).fetchall()[0][0]
    assert evidence.startswith("①(継)分譲地に限らず") and evidence.endswith("(877,902千円)")


def test_sheet_fiscal_effects_count_and_total(warehouse):
    count, total = warehouse.sql("SELECT count(*), sum(amount_yen) FROM fiscal_effects WHERE source = 'sheet' "
                                 "AND initiative_id LIKE ?", params=[I + "%"]).fetchall()[0]
    assert count == 37
    assert total == 8_778_680_918  # N16's 月額22,000円×12か月 is 264,000 円 (line 3884)


def test_sheet_initiative_fields(warehouse):
    rows = warehouse.sql("SELECT title, end_fy, departments FROM initiatives WHERE initiative_id = ?",
                         params=[I + "N1"]).fetchall()
    assert rows == [("ふるさと納税の獲得に向けた新たな手法の導入", 2023, ["政策推進課"])]  # 令和6年3月取組終了, line 1056
    title = warehouse.sql("SELECT title FROM initiatives WHERE initiative_id = ?", params=[I + "25"]).fetchall()
    assert title == [("町内会の活性化に向けた取組",)]  # the sheet prints 「-」 (line 2128)


def test_data_quality_records_repairs_and_missing_pages(warehouse):
    rows = warehouse.sql("SELECT kind, location, message FROM data_quality WHERE document_id = ?",
                         params=[DOC_ID]).fetchall()
    assert any(k == "missing" and "実践項目:10" in m and "①ページ" in m for k, _, m in rows)  # only page ② (1354)
    assert any(k == "repair" and loc.endswith(":1456") for k, loc, _ in rows)
    assert any(k == "repair" and loc.endswith(":3463") and "取組終了" in m for k, loc, m in rows)


# ---------------------------------------------------------------- parse_sheets itself

def test_one_sheet_per_practice_item(sheets):
    items = [i for i in sheets.initiatives if i.copy == "進捗状況シート"]
    assert len(items) == 95
    assert {i.code for i in items} == ALL_CODES
    assert all(i.level == "実践項目" and i.rank == 0 for i in items)
    item = next(i for i in items if i.code == "N2")  # page ② prints "No.2 2" (line 1227)
    assert item.parent_key == "取組項目:2" and item.departments == ["港湾・企業振興課", "ゼロカーボン推進室"]
    item1 = next(i for i in items if i.code == "1")  # line 920: ○ under 財政運営 市民サービス 協働 民間活力
    assert item1.themes == ["財政運営", "市民サービス", "協働", "民間活力"]
    # line 3569: the ○ row of item 54 is shifted one column left (prints 民間活力・ICT)
    item54 = next(i for i in items if i.code == "54")
    assert item54.themes == ["ICT", "人材育成"]
    assert any(i.kind == "repair" and i.lines == (3569,) for i in sheets.issues)


def test_evaluation_counts(sheets):
    by_criterion = {}
    for e in sheets.evaluations:
        by_criterion[e.criterion] = by_criterion.get(e.criterion, 0) + 1
    assert set(by_criterion) == {*CRITERIA, "合計", "総合評価"}
    # 94 sheets with a page ① (item 10 has none): one grade per evaluated year (not "-") and 総括
    assert by_criterion["総合評価"] == 360
    assert by_criterion["創造性"] == by_criterion["進捗度"] + 1  # item 11 lost R2 cells except 創造性 (1456–1459)
    assert len(sheets.evaluations) == 2156
    sections = {n.section for n in sheets.narratives}
    assert {"評価の理由(進捗度)", "取組予定・今後の取組予定", "左記の解決方法", "特記すべき事項", "工程表"} <= sections


def test_yen_amounts_reads_the_sheets_forms():
    assert [a.yen for a in yen_amounts("当初予算額合計約11.5億円に対して、約29.6億円の収入")] == [1_150_000_000,
                                                                                 2_960_000_000]
    assert [a.yen for a in yen_amounts("1億2千万円と4万5千円")] == [120_000_000, 45_000]
    assert [(a.yen, a.high) for a in yen_amounts("５~１０万円の処理費用")] == [(50_000, 100_000)]
    assert [a.yen for a in yen_amounts("１，２３４千円")] == [1_234_000]
    assert [a.yen for a in yen_amounts("▲1,000千円")] == [-1_000_000]
    assert [a.yen for a in yen_amounts("3百万円")] == [3_000_000]
    assert [a.yen for a in yen_amounts("27社から約2億の寄附")] == [200_000_000]
    assert yen_amounts("約10万本の販売、4万5千本増産") == []


def test_kind_rule():
    assert kind_of("5年間で約2億円の財政効果") == "経費削減"
    assert kind_of("委託料は年間1,000万円以上") == "費用"
    assert kind_of("費用（約10,000千円）の圧縮") == "経費削減"
    assert kind_of("※①②合計35,580千円", "ネーミングライツの導入施設の更新") == "広告料"
    assert kind_of("証明書の手数料") == "使用料・手数料"
    assert kind_of("合計6本の録画") == "その他"
    assert kind_of("約29.6億円の収入となった。", "売却及び貸付について、…") == "売却・貸付収入"


def test_cross_check_reports_grade_against_total(sheets):
    issues = cross_check_sheets(sheets)
    # item 11 R4 after the right-aligned repair: 2+2+3+2 = 9 but graded A (lines 1456–1460)
    assert [(i.kind, i.initiative_key) for i in issues] == [("mismatch", "実践項目:11")]
    changed = [replace(e, grade="C") if (e.initiative_key, e.fiscal_year, e.criterion) == ("実践項目:2", 2020, "総合評価")
               else e for e in sheets.evaluations]
    more = cross_check_sheets(replace(sheets, evaluations=changed))
    assert any(i.initiative_key == "実践項目:2" and "2020年度" in i.message for i in more)


def test_without_trailing_newline_same_records(doc):
    text = "\n".join(doc.lines)
    with_nl = parse_sheets(replace(doc, lines=(text + "\n").splitlines()))
    without = parse_sheets(replace(doc, lines=text.splitlines()))
    assert without.evaluations == with_nl.evaluations
    assert without.narratives == with_nl.narratives
    assert without.fiscal_effects == with_nl.fiscal_effects
    assert len(without.initiatives) == 95


@pytest.mark.parametrize("share", [0.4, 0.7])
def test_truncated_document_raises(doc, share):
    with pytest.raises(SourceFormatError) as error:
        parse_sheets(replace(doc, lines=doc.lines[: int(len(doc.lines) * share)]))
    assert doc.file in str(error.value)


def test_missing_index_raises(doc):
    lines = [("x" if "取組項目・実践項目一覧" in line else line) for line in doc.lines]
    with pytest.raises(SourceFormatError):
        parse_sheets(replace(doc, lines=lines))


def test_duplicated_sheet_is_reported_not_doubled(doc):
    lines = doc.lines[:1042] + doc.lines[958:1042] + doc.lines[1042:]  # sheet of item 2 printed twice
    out = parse_sheets(replace(doc, lines=lines))
    assert sum(1 for i in out.initiatives if i.code == "2") == 1
    assert any(i.kind == "skipped" and "重複" in i.message for i in out.issues)


def test_garbled_lines_parse_or_raise(doc):
    for start in range(915, len(doc.lines), 97):  # blank out single lines across all sheets
        lines = list(doc.lines)
        lines[start] = "\t\t①\t総括\tR 2\t進捗度\t9\tZ"
        try:
            parse_sheets(replace(doc, lines=lines))
        except SourceFormatError:
            pass


