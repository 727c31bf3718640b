"""Golden expectations for 小金井市 ＣｏＣｏからチャレンジ・こがねい 報告書 令和３年度版.

Values are read off data/raw/koganei_kaizen_kaikaku_hokokusho_r3.txt (line numbers quoted).
Most assertions go through the public views of the warehouse built by ``python -m etl``.
"""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from etl.documents import load_by_id
from etl.errors import SourceFormatError
from etl.model import Extract, SourceDocument
from etl.sources import koganei
from tests.conftest import RAW_DIR

DOC_ID = "koganei-kaizen-r3"
PREFIX = f"{DOC_ID}/改善取組:"
PROGRAM = "ＣｏＣｏからチャレンジ・こがねい"


@pytest.fixture(scope="module")
def doc() -> SourceDocument:
    return load_by_id(DOC_ID, RAW_DIR)


@pytest.fixture(scope="module")
def extract(doc) -> Extract:
    return koganei.parse(doc)


def _initiative(warehouse, key: str):
    return warehouse.sql(
        "SELECT code, title, fiscal_year, departments, themes, extra, level, parent_id "
        "FROM initiatives WHERE initiative_id = ?", params=[PREFIX + key]).fetchall()[0]


# ----------------------------------------------------------------------------- initiatives


def test_both_yearly_lists_have_22_rows(warehouse):
    rows = warehouse.sql(
        "SELECT fiscal_year, count(*), min(CAST(code AS INT)), max(CAST(code AS INT)) FROM initiatives "
        "WHERE document_id = ? AND level = '改善取組' GROUP BY 1 ORDER BY 1", params=[DOC_ID]).fetchall()
    # lines 915-945 (令和2年度, No. 1-22) and 952-982 (令和3年度, No. 1-22)
    assert rows == [(2020, 22, 1, 22), (2021, 22, 1, 22)]


def test_last_line_without_newline_is_a_full_row(warehouse):
    # line 982: 22	会計課	支払忘れを「減らす？」いいえ「なくし」ます！		○	○	○	6
    code, title, fy, depts, themes, extra, level, parent = _initiative(warehouse, "2021:22")
    assert (code, fy, level, parent) == ("22", 2021, "改善取組", None)
    assert title == "支払忘れを「減らす？」いいえ「なくし」ます！"
    assert depts == ["会計課"]
    assert themes == ["業務効率", "コスト", "その他"]
    assert json.loads(extra) == {"部": "行政委員会等", "共同実施者数": 6}


def test_kitchen_car_row(warehouse):
    # line 929: 12	環境政策課	市立公園のキッチンカー試行導入	○			○	4 (under 環境部, line 928)
    code, title, fy, depts, themes, extra, *_ = _initiative(warehouse, "2020:12")
    assert (title, fy, depts, themes) == ("市立公園のキッチンカー試行導入", 2020, ["環境政策課"], ["サービス", "その他"])
    assert json.loads(extra) == {"部": "環境部", "共同実施者数": 4}


def test_department_is_carried_down_past_an_empty_group(warehouse):
    # lines 932-934: 福祉保健部 (no rows) / 子ども家庭部 / 15 子育て支援課 …
    *_, extra, _, _ = _initiative(warehouse, "2020:15")
    assert json.loads(extra)["部"] == "子ども家庭部"
    # line 977: 19 庶務課 under 学校教育部 (line 976)
    *_, extra, _, _ = _initiative(warehouse, "2021:19")
    assert json.loads(extra)["部"] == "学校教育部"


def test_three_category_marks(warehouse):
    # line 961: 8	市民課	スマホで確認！リアルタイム窓口混雑状況	○		○	○	1
    _, title, _, depts, themes, extra, *_ = _initiative(warehouse, "2021:8")
    assert themes == ["サービス", "コスト", "その他"]
    assert depts == ["市民課"] and json.loads(extra)["共同実施者数"] == 1


def test_theme_totals_per_year(warehouse):
    rows = warehouse.sql(
        "SELECT fiscal_year, theme, count(*) FROM (SELECT fiscal_year, unnest(themes) AS theme "
        "FROM initiatives WHERE document_id = ?) GROUP BY ALL ORDER BY ALL", params=[DOC_ID]).fetchall()
    assert rows == [(2020, "その他", 8), (2020, "サービス", 9), (2020, "業務効率", 14),
                    (2021, "その他", 7), (2021, "コスト", 3), (2021, "サービス", 8), (2021, "業務効率", 16)]


def test_co_implementer_totals(warehouse):
    rows = warehouse.sql(
        "SELECT fiscal_year, sum(CAST(json_extract(extra, '$.共同実施者数') AS INT)) FROM initiatives "
        "WHERE document_id = ? GROUP BY 1 ORDER BY 1", params=[DOC_ID]).fetchall()
    assert rows == [(2020, 40), (2021, 49)]


def test_sections_per_year_match_the_published_counts(warehouse):
    # lines 140 and 147: 総務課 4件 (R2) and 5件 (R3)
    rows = warehouse.sql(
        "SELECT fiscal_year, count(*) FROM initiatives WHERE document_id = ? "
        "AND list_contains(departments, '総務課') GROUP BY 1 ORDER BY 1", params=[DOC_ID]).fetchall()
    assert rows == [(2020, 4), (2021, 5)]


# ----------------------------------------------------------------------------- awards


def test_award_counts_and_program(warehouse):
    rows = warehouse.sql(
        "SELECT fiscal_year, award, count(*) FROM awards WHERE municipality = '小金井市' "
        "GROUP BY ALL ORDER BY ALL", params=[]).fetchall()
    # lines 120-124 (R2: 1 最優秀, 1 優秀, 3 奨励) and 129-133 (R3: 1, 2, 2)
    assert rows == [(2020, "優秀", 1), (2020, "奨励", 3), (2020, "最優秀", 1),
                    (2021, "優秀", 2), (2021, "奨励", 2), (2021, "最優秀", 1)]
    programs = warehouse.sql("SELECT DISTINCT program FROM awards WHERE municipality = '小金井市'").fetchall()
    assert programs == [(PROGRAM,)]


def test_top_award_2021_links_to_its_list_row(warehouse):
    # line 129: 最優秀取組 	取組名：マル乳医療証を環境に優しい新素材に！全国初！ 実施者：子育て支援課職員
    row = warehouse.sql(
        "SELECT initiative_id, title, winner FROM awards WHERE fiscal_year = 2021 AND award = '最優秀' "
        "AND municipality = '小金井市'").fetchall()[0]
    assert row == (PREFIX + "2021:15", "マル乳医療証を環境に優しい新素材に！全国初！", "子育て支援課職員")


def test_every_award_is_linked_even_with_half_width_brackets(warehouse):
    # line 121 prints (道草市) in half-width brackets, line 931 in full-width
    unlinked = warehouse.sql("SELECT count(*) FROM awards WHERE municipality = '小金井市' "
                             "AND initiative_id IS NULL").fetchall()[0][0]
    assert unlinked == 0
    linked = warehouse.sql("SELECT initiative_id FROM awards WHERE title LIKE '%道草市%'").fetchall()[0][0]
    assert linked == PREFIX + "2020:14"


def test_winner_disagreeing_with_list_is_reported(warehouse):
    # line 120 says 実施者：財政課職員, line 929 lists the row under 環境政策課
    winner = warehouse.sql("SELECT winner FROM awards WHERE initiative_id = ?",
                           params=[PREFIX + "2020:12"]).fetchall()[0][0]
    assert winner == "財政課職員"
    rows = warehouse.sql("SELECT location FROM data_quality WHERE document_id = ? AND kind = 'disagreement'",
                         params=[DOC_ID]).fetchall()
    assert len(rows) == 1 and ":120" in rows[0][0] and ":929" in rows[0][0]


# ----------------------------------------------------------------------------- narratives


def test_every_awarded_initiative_has_four_sections(warehouse):
    rows = warehouse.sql(
        "SELECT n.initiative_id, list(n.section ORDER BY n.section) FROM narratives n "
        "JOIN awards a USING (initiative_id) WHERE a.municipality = '小金井市' GROUP BY 1").fetchall()
    assert len(rows) == 10
    assert all(sorted(s) == sorted(["改善前", "改善後", "効果", "実施者のコメント"]) for _, s in rows)


def test_narrative_text_and_year(warehouse):
    # lines 169 and 179
    rows = dict(warehouse.sql("SELECT section, text FROM narratives WHERE initiative_id = ? AND fiscal_year = 2020",
                              params=[PREFIX + "2020:12"]).fetchall())
    assert rows["改善後"] == ("○キッチンカーの募集要項を作成し、令和2年8月よりキッチンカーの出店を試行的に"
                            "栗山公園及び梶野公園において使用料を免除のうえ許可を開始した。")
    assert rows["実施者のコメント"].startswith("多摩地域初の市立公園へのキッチンカーの試行導入")
    assert "市民ワークショップ" not in rows["実施者のコメント"]  # figure text (line 186) is not a comment


def test_comment_keeps_prose_paragraphs_and_drops_figure_captions(warehouse):
    # lines 566-570 are the comment; line 572 (年1万枚のマル乳医療証) is a figure caption
    text = warehouse.sql("SELECT text FROM narratives WHERE initiative_id = ? AND section = '実施者のコメント'",
                         params=[PREFIX + "2021:15"]).fetchall()[0][0]
    assert text.count("\n") == 2 and text.endswith("わたしたちもうれしい")
    assert "年1万枚" not in text


def test_markdown_decoration_is_stripped(warehouse):
    # line 556: 👉 **7割の方が石灰石を支持** …
    text = warehouse.sql("SELECT text FROM narratives WHERE initiative_id = ? AND section = '効果'",
                         params=[PREFIX + "2021:15"]).fetchall()[0][0]
    assert "7割の方が石灰石を支持" in text and "**" not in text


# ----------------------------------------------------------------------------- cross-checks and quality


def test_published_top_departments_table(warehouse):
    rows = warehouse.sql("SELECT fiscal_year, rank, department, count, participants, line "
                         "FROM src_koganei_top_departments ORDER BY fiscal_year, rank").fetchall()
    assert rows[2] == (2020, 3, "環境政策課", 2.5, 12, 142)  # line 142: 3位	2.5件	12人	 環境政策課
    assert rows[4] == (2021, 2, "庶務課", 3.0, 15, 148)  # line 148: 2位	3件	15人	 庶務課
    assert len(rows) == 6


def test_only_the_half_count_disagrees_with_the_lists(warehouse):
    rows = warehouse.sql("SELECT location, message FROM data_quality WHERE document_id = ? AND kind = 'mismatch'",
                         params=[DOC_ID]).fetchall()
    assert len(rows) == 1
    location, message = rows[0]
    assert location.split("; ")[0].endswith(":142")
    assert "2.5件" in message and "3件" in message


def test_missing_stated_counts_and_corrections_are_reported(warehouse):
    kinds = dict(warehouse.sql("SELECT kind, count(*) FROM data_quality WHERE document_id = ? GROUP BY 1",
                               params=[DOC_ID]).fetchall())
    assert kinds["correction"] == 3  # C○C○ → CoCo on lines 18, 137, 144
    assert "correction_unused" not in kinds
    body = warehouse.sql("SELECT count(*) FROM data_quality WHERE document_id = ? AND location LIKE '%:108' "
                         "AND message LIKE '%本文が文書にありません%'", params=[DOC_ID]).fetchall()[0][0]
    assert body == 1  # line 108: ④ 報告取組数… has no body


# ----------------------------------------------------------------------------- parser-level


def test_without_trailing_newline_parses_the_same(doc, extract):
    text = (RAW_DIR / "koganei_kaizen_kaikaku_hokokusho_r3.txt").read_text(encoding="utf-8")
    assert not text.endswith("\n")
    with_newline = replace(doc, lines=(text + "\n").splitlines())
    again = koganei.parse(with_newline)
    assert len(again.initiatives) == len(extract.initiatives) == 44
    assert [a.title for a in again.awards] == [a.title for a in extract.awards]


@pytest.mark.parametrize("fraction", [0.4, 0.9])
def test_truncated_copy_raises(doc, fraction):
    cut = replace(doc, lines=doc.lines[: int(len(doc.lines) * fraction)])
    with pytest.raises(SourceFormatError) as raised:
        koganei.parse(cut)
    assert doc.file in str(raised.value)


def test_repeated_number_raises(doc):
    lines = list(doc.lines)
    lines.insert(918, lines[917])  # line 918 (No. 3) printed twice
    with pytest.raises(SourceFormatError):
        koganei.parse(replace(doc, lines=lines))


def test_row_with_a_lost_cell_is_kept_and_reported(doc):
    lines = list(doc.lines)
    lines[920] = "6\t職員課\t事務用品の見える化\t○\t1"  # line 921 with three cells lost
    result = koganei.parse(replace(doc, lines=lines))
    row = next(i for i in result.initiatives if i.key == "改善取組:2020:6")
    assert row.themes == [] and row.extra["共同実施者数"] == 1
    assert any(i.kind == "repair" and i.lines == (921,) for i in result.issues)


def test_cross_check_uses_stated_counts(extract):
    stated = {**extract.tables, "koganei_stated_counts": [
        {"fiscal_year": 2021, "label": "令和3年度 23件", "count": 23, "line": 110}]}
    issues = koganei.cross_check(replace(extract, tables=stated))
    assert any(i.kind == "mismatch" and i.lines == (110,) and "23件" in i.message for i in issues)


