"""Golden cases for the Tomakomai 本編 / item-list parser (etl.sources.tomakomai.tables).

Most assertions go through the public views of a freshly built warehouse (fixture
``warehouse``); a few check the Extract itself (tables, robustness, cross_check).
Line numbers in comments refer to data/raw/tomakomai_gyosei_sokaku_plan_hyoka_r6.txt.
"""
from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

from etl.documents import load_by_id
from etl.errors import SourceFormatError
from etl.model import SourceDocument
from etl.reconcile import reconcile
from etl.sources import tomakomai
from etl.sources.tomakomai import tables
from tests.conftest import RAW_DIR

DOC_ID = "tomakomai-sokaku-r6"
G = f"{DOC_ID}/取組項目:"
I = f"{DOC_ID}/実践項目:"


@pytest.fixture(scope="module")
def doc() -> SourceDocument:
    return load_by_id(DOC_ID, RAW_DIR)


@pytest.fixture(scope="module")
def extract(doc):
    return tomakomai.parse(doc)


def _evals(warehouse, initiative_id: str, fiscal_year=None) -> dict:
    cond = "fiscal_year IS NULL" if fiscal_year is None else "fiscal_year = ?"
    params = [initiative_id] + ([] if fiscal_year is None else [fiscal_year])
    rows = warehouse.sql(f"SELECT evaluator, criterion, score, grade FROM evaluations "
                         f"WHERE initiative_id = ? AND {cond}", params=params).fetchall()
    return {(ev, crit): (grade if grade is not None else score) for ev, crit, score, grade in rows}


def _yearly(warehouse, initiative_id: str) -> dict:
    rows = warehouse.sql("SELECT fiscal_year, grade FROM evaluations WHERE initiative_id = ? "
                         "AND criterion = '総合評価' AND fiscal_year IS NOT NULL", params=[initiative_id]).fetchall()
    return dict(rows)


def _initiative(warehouse, initiative_id: str) -> dict:
    rows = warehouse.sql("SELECT level, code, parent_id, title, end_fy, departments, themes, extra "
                         "FROM initiatives WHERE initiative_id = ?", params=[initiative_id]).fetchall()
    assert len(rows) == 1, initiative_id
    keys = ("level", "code", "parent_id", "title", "end_fy", "departments", "themes", "extra")
    out = dict(zip(keys, rows[0]))
    if isinstance(out["extra"], str):
        out["extra"] = json.loads(out["extra"])
    return out


# ---------------------------------------------------------------- warehouse views

def test_counts_of_groups_and_practice_items(warehouse):
    rows = dict(warehouse.sql("SELECT level, count(*) FROM initiatives WHERE document_id = ? GROUP BY level",
                              params=[DOC_ID]).fetchall())
    assert rows == {"取組項目": 22, "実践項目": 95}  # No.1–22; items 1–70 and N1–N25


def test_group_1_title_themes_and_item_count(warehouse):
    g = _initiative(warehouse, G + "1")
    # line 227: ○ ○ ○ _ ○ _ _ → 財政 サービス 協働 民活
    assert g["title"] == "新たな財源確保に向けた取組"
    assert g["themes"] == ["健全な財政運営", "市民サービスの進化", "協働の推進", "民間活力の活用"]
    assert g["extra"]["実践項目数"] == 4  # line 93


def test_group_11_item_count_and_children(warehouse):
    assert _initiative(warehouse, G + "11")["extra"]["実践項目数"] == 9  # line 103
    n = warehouse.sql("SELECT count(*) FROM initiatives WHERE parent_id = ?", params=[G + "11"]).fetchall()[0][0]
    assert n == 9  # 26–32, N8, N9


def test_group_17_averages_total_grade_and_committee(warehouse):
    # line 581: 2.5 2.8 2.5 2.8 10.6 A ; line 594: 委員評価 4.6 /5
    ev = _evals(warehouse, G + "17")
    assert ev[("self", "進捗度")] == 2.5 and ev[("self", "連携度")] == 2.8
    assert ev[("self", "効率性")] == 2.5 and ev[("self", "創造性")] == 2.8
    assert ev[("self", "合計")] == 10.6
    assert ev[("self", "総合評価")] == "A"
    assert ev[("committee", "委員評価")] == 4.6


def test_group_15_has_ict_and_people_themes(warehouse):
    # line 107 has all seven theme cells: ○ _ _ _ _ ○ ○
    assert _initiative(warehouse, G + "15")["themes"] == [
        "健全な財政運営", "ICTの活用", "職員の人材育成と「働き方改革」・簡素で効率的な組織づくり"]


def test_group_yearly_grades_and_shifted_row(warehouse):
    # line 227: A A B A 今回 → R2..R5
    assert _yearly(warehouse, G + "1") == {2020: "A", 2021: "A", 2022: "B", 2023: "A"}
    # line 377: B A B 今回 — one cell lost; right-aligned to 今回, R2 not recorded
    assert _yearly(warehouse, G + "8") == {2021: "B", 2022: "A", 2023: "B"}
    # line 697: - - - B 今回 — new group in R5
    assert _yearly(warehouse, G + "22") == {2023: "B"}


def test_item_1_departments_end_and_parent(warehouse):
    item = _initiative(warehouse, I + "1")  # line 816: (政)政策推進課、(財)財政課, R6
    assert item["departments"] == ["政策推進課", "財政課"]
    assert item["extra"]["部略称"] == ["政", "財"]
    assert item["end_fy"] == 2024
    assert item["parent_id"] == G + "1"
    assert item["level"] == "実践項目" and item["code"] == "1"


def test_item_1_yearly_and_final_evaluations(warehouse):
    assert _yearly(warehouse, I + "1") == {2020: "B", 2021: "A", 2022: "C", 2023: "C"}  # line 816
    ev = _evals(warehouse, I + "1")
    assert [ev[("self", c)] for c in ("進捗度", "連携度", "効率性", "創造性", "合計", "総合評価")] == [3, 3, 3, 3, 12, "A"]


def test_item_ended_in_r4_has_no_r5_grade(warehouse):
    # line 825: 8 … A A A - … R4
    assert _yearly(warehouse, I + "8") == {2020: "A", 2021: "A", 2022: "A"}
    assert _initiative(warehouse, I + "8")["end_fy"] == 2022


def test_item_n3_departments_without_prefix_and_open_end(warehouse):
    item = _initiative(warehouse, I + "N3")  # line 828: (福)総合福祉課、介護福祉課、(総)ICT推進室 ; 取組終了 blank
    assert item["departments"] == ["総合福祉課", "介護福祉課", "ICT推進室"]
    assert item["end_fy"] is None
    assert item["parent_id"] == G + "4"


def test_item_n16_scores_from_the_complete_copies(warehouse):
    # lists (198/894) lost a score cell; detail row 614: 2 1 2 2 7 C
    ev = _evals(warehouse, I + "N16")
    assert [ev[("self", c)] for c in ("進捗度", "連携度", "効率性", "創造性", "合計", "総合評価")] == [2, 1, 2, 2, 7, "C"]
    assert _yearly(warehouse, I + "N16") == {2023: "B"}


def test_item_59_grade_keeps_the_lists_value_not_the_detail_row(warehouse):
    # lines 196/892: B ; detail line 611 prints A
    assert _evals(warehouse, I + "59")[("self", "総合評価")] == "B"
    dq = warehouse.sql("SELECT count(*) FROM data_quality WHERE document_id = ? AND kind = 'disagreement' "
                       "AND message LIKE '%実践項目:59%総合評価%'", params=[DOC_ID]).fetchall()[0][0]
    assert dq >= 1


def test_corrected_titles(warehouse):
    assert _initiative(warehouse, I + "5")["title"] == "PFI手法による苫小牧市民文化ホールの整備"  # 苦→苫, line 821
    assert _initiative(warehouse, I + "N24")["title"] == "とまチョップ水のPR促進"  # line 912


def test_fiscal_effect_total_and_main_items(warehouse):
    rows = warehouse.sql("SELECT initiative_id, amount_yen, kind, basis, counted FROM fiscal_effects "
                         "WHERE source = 'summary' AND municipality = '苫小牧市' "
                         "ORDER BY amount_yen DESC").fetchall()
    # the plan's own figures (計画記載): shown beside the counted total, never added to it
    assert rows[0] == (None, 3_760_000_000, "複数区分", "計画記載", False)  # line 46: 37億6千万円
    assert (I + "27", 2_800_000_000, "売却収入", "計画記載", False) in rows  # line 48 公有財産の売却促進…
    assert (I + "2", 770_000_000, "寄附", "計画記載", False) in rows  # line 49: 企業版ふるさと納税 7億7千万円
    assert (I + "35", 110_000_000, "経費削減", "計画記載", False) in rows  # line 50: 窓口業務委託 1億1千万円


def test_committee_opinion_narrative(warehouse):
    rows = warehouse.sql("SELECT fiscal_year, text FROM narratives WHERE initiative_id = ? AND section = '委員意見'",
                         params=[G + "1"]).fetchall()
    assert len(rows) == 1 and rows[0][0] is None
    text = rows[0][1]
    assert text.startswith("・担当課の横断的で創意工夫が功を奏した")  # line 240
    assert "①苫小牧市の魅力発信力" in text and "<ul" not in text
    assert len(text.splitlines()) == 7  # seven bullets


def test_data_quality_repairs_and_fiscal_info(warehouse):
    rows = warehouse.sql("SELECT location, kind, message FROM data_quality WHERE document_id = ?",
                         params=[DOC_ID]).fetchall()
    repairs = {loc for loc, kind, _ in rows if kind == "repair"}
    file = "tomakomai_gyosei_sokaku_plan_hyoka_r6.txt"
    assert any(loc.endswith(f"{file}:194") for loc in repairs)  # N15 shifted row in 本編 list
    assert any(loc.endswith(f"{file}:355") for loc in repairs)  # group 7: R2 grade lost
    assert any(loc.endswith(f"{file}:93") for loc in repairs)  # group table: 人材 cell lost
    fiscal = [m for loc, kind, m in rows if kind == "info" and "財政効果額の合計" in m]
    assert len(fiscal) == 1 and "3,760,000,000" in fiscal[0] and "3,680,000,000" in fiscal[0]
    # the real document's averages, totals, counts and theme table all agree with its items
    assert [m for _, kind, m in rows if kind == "mismatch" and ("取組項目:" in m or "テーマ別" in m)] == []


# ---------------------------------------------------------------- Extract level

def test_theme_summary_table(extract):
    rows = extract.tables["tomakomai_theme_summary"]
    assert [r["no"] for r in rows] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    first = rows[0]  # line 748
    assert (first["テーマ"], first["取組項目数"], first["実践項目数"], first["合計"], first["総合評価"],
            first["審議会評価平均"], first["line"]) == ("健全な財政運営", 11, 54, 9.8, "A", 4.1, 748)
    assert rows[6]["テーマ"] == "職員の人材育成と「働き方改革」・簡素で効率的な組織づくり"


def test_every_item_printed_three_times_with_ranks(extract):
    own = [i for i in extract.initiatives if i.level == "実践項目" and i.rank > 0]
    by_copy = {}
    for i in own:
        by_copy.setdefault((i.copy, i.rank), set()).add(i.code)
    assert set(by_copy) == {("資料編 取組項目・実践項目一覧", 1), ("本編 取組項目別評価", 2),
                            ("本編 実践項目別一覧", 3)}
    expected = {str(n) for n in range(1, 71)} | {f"N{n}" for n in range(1, 26)}
    assert all(codes == expected for codes in by_copy.values())


def test_shifted_list_row_keeps_grades_but_not_ambiguous_scores(extract):
    # line 895 (資料編 N17): _ _ _ _ B 2 3 2 A — a score cell is lost; which one is unknowable
    recs = [e for e in extract.evaluations if e.line == 895]
    assert {(e.fiscal_year, e.criterion, e.grade) for e in recs} == {(2023, "総合評価", "B"), (None, "総合評価", "A")}


def test_fiscal_amount_helper():
    assert tables._yen("37億6千万円") == 3_760_000_000
    assert tables._yen("1億1千万円") == 110_000_000
    assert tables._yen("28億円") == 2_800_000_000


def test_without_trailing_newline_same_records(doc):
    text = "\n".join(doc.lines)
    with_nl = tomakomai.parse(replace(doc, lines=(text + "\n").splitlines()))
    without = tomakomai.parse(replace(doc, lines=text.rstrip("\n").splitlines()))
    assert without.initiatives == with_nl.initiatives
    assert without.evaluations == with_nl.evaluations
    assert without.fiscal_effects == with_nl.fiscal_effects


def test_truncated_document_raises(doc):
    with pytest.raises(SourceFormatError) as info:
        tomakomai.parse(replace(doc, lines=doc.lines[: int(len(doc.lines) * 0.4)]))
    assert doc.file in str(info.value)


def test_missing_item_row_raises(doc):
    lines = list(doc.lines)
    del lines[140 - 1]  # line 140: item 16 in the 本編 list
    with pytest.raises(SourceFormatError):
        tomakomai.parse(replace(doc, lines=lines))


def test_duplicated_item_row_is_reported_not_doubled(doc):
    lines = list(doc.lines)
    lines.insert(120, lines[119])  # line 120 (item 1) printed twice
    out = tomakomai.parse(replace(doc, lines=lines))
    assert any(i.kind == "skipped" and "重複" in i.message for i in out.issues)
    assert sum(1 for i in out.initiatives if i.key == "実践項目:1" and i.rank == 3) == 1


def test_cross_check_reports_changed_average(extract):
    rec = reconcile(copy.deepcopy(extract))
    baseline = [i.initiative_key for i in tomakomai.cross_check(rec) if i.kind == "mismatch"]
    assert baseline == ["実践項目:11"]  # the sheets' grade rule: R4 total 9 printed as A
    for e in rec.evaluations:
        if e.initiative_key == "実践項目:1" and e.fiscal_year is None and e.criterion == "進捗度":
            e.score = 0.0
    found = [i.message for i in tomakomai.cross_check(rec) if i.kind == "mismatch"]
    assert any("取組項目:1 の進捗度平均" in m and "2.8" in m and "2.0" in m for m in found)


def test_cross_check_reports_changed_theme_row(extract):
    rec = reconcile(copy.deepcopy(extract))
    rec.tables["tomakomai_theme_summary"][0]["実践項目数"] = 55
    found = [i.message for i in tomakomai.cross_check(rec) if i.kind == "mismatch" and i.initiative_key is None]
    assert found == ["テーマ別・評価集計「健全な財政運営」の実践項目数: 記載 55 / 取組項目・実践項目から再計算 54"]


