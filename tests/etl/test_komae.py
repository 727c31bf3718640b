"""Golden expectations for 狛江市第6次行財政改革推進計画 令和3年度進捗状況報告書 (komae-gyokaku-r3).

Values are taken from data/raw/komae_gyozaisei_kaikaku_shinchoku_r3.txt; the quoted line is
given in a comment next to each assertion.
"""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from etl.documents import apply_corrections, load_by_id, read_corrections
from etl.errors import SourceFormatError
from etl.model import SourceDocument
from etl.reconcile import reconcile
from etl.sources import komae
from tests.conftest import RAW_DIR

DOC_ID = "komae-gyokaku-r3"
FILE = "komae_gyozaisei_kaikaku_shinchoku_r3.txt"


def iid(key: str) -> str:
    return f"{DOC_ID}/{key}"


@pytest.fixture(scope="module")
def doc() -> SourceDocument:
    return load_by_id(DOC_ID, RAW_DIR)


@pytest.fixture(scope="module")
def extract(doc):
    return komae.parse(doc)


def one(warehouse, query: str, *params):
    """The single row a query returns (DuckDB 2.0 relations have no fetchone())."""
    rows = warehouse.sql(query, params=list(params)).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


# ---------------------------------------------------------------- hierarchy (views)

def test_hierarchy_counts_per_level(warehouse):
    rows = dict(warehouse.sql(
        "SELECT level, count(*) FROM initiatives WHERE document_id = ? GROUP BY 1",
        params=[DOC_ID]).fetchall())
    # line 23: 「3つの施策及び8つの方向性」; 取組項目一覧 lists 23 基本事業 and items 01–65
    assert rows == {"施策": 3, "方向性": 8, "基本事業": 23, "取組項目": 65}


def test_item_codes_are_01_to_65_and_all_have_a_parent(warehouse):
    codes = [r[0] for r in warehouse.sql(
        "SELECT code FROM initiatives WHERE document_id = ? AND level = '取組項目' ORDER BY code",
        params=[DOC_ID]).fetchall()]
    assert codes == [f"{n:02d}" for n in range(1, 66)]
    orphans = one(warehouse, "SELECT count(*) FROM initiatives WHERE document_id = ? "
                  "AND level <> '施策' AND parent_id IS NULL", DOC_ID)[0]
    assert orphans == 0


def test_item_05_title_parent_department_and_page(warehouse):
    # line 45: 取組項目 05 ICT人財の育成	P.9 ; line 268: 推進部署	職員課
    title, parent, departments, extra = one(
        warehouse, "SELECT title, parent_id, departments, extra FROM initiatives WHERE initiative_id = ?",
        iid("取組項目:05"))
    assert title == "ICT人財の育成"
    assert parent == iid("基本事業:1-2-1")
    assert departments == ["職員課"]
    assert json.loads(extra)["page"] == 9


def test_departments_are_split_and_generic_label_kept_in_extra(warehouse):
    # line 264: 推進部署	政策室／未来戦略室／関係各課（新型コロナ予防接種室／子ども政策課）
    departments, extra = one(warehouse, "SELECT departments, extra FROM initiatives WHERE initiative_id = ?",
                             iid("取組項目:04"))
    assert departments == ["政策室", "未来戦略室", "新型コロナ予防接種室", "子ども政策課"]
    assert json.loads(extra)["推進部署_総称"] == ["関係各課"]


def test_shifted_department_cell_is_repaired(warehouse):
    # lines 633-634: 取組項目50 …\t推進部署 / R3 年度の取組状況\t総務課／職員課
    departments = one(warehouse, "SELECT departments FROM initiatives WHERE initiative_id = ?",
                      iid("取組項目:50"))[0]
    assert departments == ["総務課", "職員課"]
    repairs = [r[0] for r in warehouse.sql(
        "SELECT location FROM data_quality WHERE document_id = ? AND kind = 'repair' "
        "AND message LIKE '%推進部署%ずれて%'", params=[DOC_ID]).fetchall()]
    assert repairs == [f"{FILE}:631", f"{FILE}:634", f"{FILE}:637"]


def test_parents_link_up_to_the_policy(warehouse):
    # lines 95-97: 施策3 組織づくり・人財育成の推進 / 方向性1 未来の狛江を… / 基本事業1 将来都市像の…
    rows = dict(warehouse.sql(
        "SELECT initiative_id, parent_id FROM initiatives WHERE initiative_id IN (?, ?, ?)",
        params=[iid("取組項目:39"), iid("基本事業:3-1-1"), iid("方向性:3-1")]).fetchall())
    assert rows == {iid("取組項目:39"): iid("基本事業:3-1-1"),
                    iid("基本事業:3-1-1"): iid("方向性:3-1"),
                    iid("方向性:3-1"): iid("施策:3")}


def test_ocr_city_name_is_corrected_in_titles(warehouse):
    # line 552: 「#### 方向性1 未来の泊江を創っていく市役所づくり」 (泊江 is an OCR misreading of 狛江)
    title = one(warehouse, "SELECT title FROM initiatives WHERE initiative_id = ?", iid("方向性:3-1"))[0]
    assert title == "未来の狛江を創っていく市役所づくり"
    assert one(warehouse, "SELECT count(*) FROM narratives WHERE initiative_id LIKE ? AND text LIKE '%泊江%'",
               f"{DOC_ID}/%")[0] == 0


def test_basic_programme_keeps_indicator_numbers_and_description(warehouse):
    # line 479: 「#### 指標N0.3・4・5」 (corrected to No.) under 基本事業1 財政基盤の強化
    extra = json.loads(one(warehouse, "SELECT extra FROM initiatives WHERE initiative_id = ?",
                           iid("基本事業:2-2-1"))[0])
    assert extra["indicator_nos"] == ["3", "4", "5"]
    assert extra["description"].startswith("公平かつ適正な賦課徴収を行う")


def test_reposted_item_is_flagged(warehouse):
    # line 105: 取組項目 45 ICT人財の育成（再掲）
    extra = json.loads(one(warehouse, "SELECT extra FROM initiatives WHERE initiative_id = ?",
                           iid("取組項目:45"))[0])
    assert extra["再掲"] is True


# ---------------------------------------------------------------- narratives (views)

def test_narratives_one_per_item_except_the_three_without_body(warehouse):
    rows = warehouse.sql("SELECT initiative_id, fiscal_year, section FROM narratives "
                         "WHERE initiative_id LIKE ?", params=[f"{DOC_ID}/%"]).fetchall()
    keys = [r[0] for r in rows]
    assert len(keys) == len(set(keys)) == 62  # the HTML-table copies of 04–06 are not duplicated
    assert {r[1] for r in rows} == {2021}
    assert {r[2] for r in rows} == {"R3年度の取組状況"}
    # lines 444-463: items 23–25 print only the heading 「R3 年度の取組状況」
    assert {iid(f"取組項目:{n}") for n in ("23", "24", "25")}.isdisjoint(keys)
    missing = warehouse.sql("SELECT location FROM data_quality WHERE document_id = ? AND kind = 'missing' "
                            "AND message LIKE '取組項目%本文がありません%'", params=[DOC_ID]).fetchall()
    assert sorted(r[0] for r in missing) == [f"{FILE}:444", f"{FILE}:452", f"{FILE}:460"]


def test_narrative_text_of_item_34(warehouse):
    # line 523: 「撮影の誘致を積極的に行い、110件（延べ136箇所）の作品を受注し、1,587,050円の収入があった。」
    text = one(warehouse, "SELECT text FROM narratives WHERE initiative_id = ?", iid("取組項目:34"))[0]
    assert text.startswith("撮影の誘致を積極的に行い、110件（延べ136箇所）の作品を受注し、1,587,050円の収入があった。")
    assert text.endswith("狛江のロケ地等の魅力を対外的にPRした。")


def test_vertical_heading_characters_are_removed_from_text(warehouse):
    # lines 681-685: 「R3 健康診断結果より…」「度 9月2日から…」「取 また、…」「状」「況」
    text = one(warehouse, "SELECT text FROM narratives WHERE initiative_id = ?", iid("取組項目:55"))[0]
    paragraphs = text.split("\n")
    assert paragraphs[0].startswith("健康診断結果より受診勧奨者数63人")
    assert paragraphs[1].startswith("9月2日から14日までの間にストレスチェック")
    assert paragraphs[2].startswith("また、年間38回の産業医面談")
    assert len(paragraphs) == 3
    assert "産業医及び看護師" in text and "過重労働面談" in text  # injected 年/組 corrected


def test_heading_fragments_inside_html_paragraphs_are_dropped(warehouse):
    # line 635: <p>年度の取組状況</p> and <p>取組状況</p> split the four paragraphs of item 50
    text = one(warehouse, "SELECT text FROM narratives WHERE initiative_id = ?", iid("取組項目:50"))[0]
    assert len(text.split("\n")) == 4
    assert "取組状況" not in text
    assert text.split("\n")[3].startswith("庁舎4階執務室をリニューアルし")


def test_inline_headings_split_item_28_into_paragraphs(warehouse):
    # line 499: three blocks separated by 「R3 度 の 取 組 状 況」
    text = one(warehouse, "SELECT text FROM narratives WHERE initiative_id = ?", iid("取組項目:28"))[0]
    assert len(text.split("\n")) == 4
    assert "取 組" not in text and "R3" not in text
    assert text.endswith("積極的な納付交渉を行うことで債権回収に繋がった。")


# ---------------------------------------------------------------- indicators (views)

def test_indicator_rows_years_and_kinds(warehouse):
    rows = warehouse.sql("SELECT indicator_no, fiscal_year, kind FROM indicators WHERE municipality = '狛江市' "
                         "ORDER BY indicator_no, fiscal_year").fetchall()
    assert len(rows) == 28
    # line 142: 平成30年度末時点値 / 令和2年度末現状値 / 令和3年度末現状値 / 令和6年度末目標値
    assert rows[:4] == [("1", 2018, "baseline"), ("1", 2020, "actual"), ("1", 2021, "actual"),
                        ("1", 2024, "target")]


def test_indicator_values_with_bracketed_alternative(warehouse):
    # line 143: 55.6	37.0 (60.3) ※1	<b>48.3 (72.2) ※1</b>	61.0
    rows = warehouse.sql("SELECT fiscal_year, value, note, unit FROM indicators WHERE municipality = '狛江市' "
                         "AND indicator_no = '1' ORDER BY fiscal_year").fetchall()
    assert [r[1] for r in rows] == [55.6, 37.0, 48.3, 61.0]
    assert "括弧内の値: 60.3" in rows[1][2] and "※1" in rows[1][2]
    assert "「わからない」と回答した人数を分母から差し引いた値" in rows[2][2]
    assert rows[0][2] is None and rows[0][3] == "%"


def test_missing_value_and_target_direction(warehouse):
    # line 158: 89.6	88.7	—※3	90.0以下 ; line 196: ※3 … 7月末に確定するため、記載なしとしています。
    rows = dict(((r[0], r[1]), (r[2], r[3])) for r in warehouse.sql(
        "SELECT fiscal_year, kind, value, note FROM indicators WHERE municipality = '狛江市' "
        "AND indicator_no = '3'").fetchall())
    value, note = rows[(2021, "actual")]
    assert value is None and "値なし" in note and "7月末に確定するため" in note
    assert rows[(2024, "target")] == (90.0, "方向: 以下")
    assert rows[(2018, "baseline")][0] == 89.6


def test_indicator_name_and_unit_in_oku_yen(warehouse):
    # line 170: <b>市債残高（億円）</b> ; line 173: 5	195.0	189.5	<b>184.3</b>	185.0
    rows = warehouse.sql("SELECT name, unit, kind, value FROM indicators WHERE municipality = '狛江市' "
                         "AND indicator_no = '5' ORDER BY fiscal_year").fetchall()
    assert {(r[0], r[1]) for r in rows} == {("市債残高", "億円")}
    assert [r[3] for r in rows] == [195.0, 189.5, 184.3, 185.0]


def test_indicator_footnote_on_zero_baseline(warehouse):
    # line 151: 0 ※2 ; line 194: ※2 狛江市公共施設整備計画は令和2年3月に策定したため、0%としています。
    value, note = one(warehouse, "SELECT value, note FROM indicators WHERE municipality = '狛江市' "
                      "AND indicator_no = '2' AND kind = 'baseline'")
    assert value == 0.0
    assert note == "※2: 狛江市公共施設整備計画は令和2年3月に策定したため、0%としています。"


def test_indicator_meta_table(warehouse):
    rows = {r[0]: r[1:] for r in warehouse.sql(
        "SELECT indicator_no, direction, direction_inferred, unit, related_kihon, footnotes "
        "FROM src_komae_indicator_meta WHERE document_id = ?", params=[DOC_ID]).fetchall()}
    assert sorted(rows) == [str(n) for n in range(1, 8)]
    assert rows["3"][0] == "以下"
    assert [rows[n][0] for n in ("1", "2", "4", "5", "6", "7")] == [None] * 6
    assert rows["5"][1] == "以下" and rows["4"][1] == "以上"  # derived from baseline vs target
    # line 185: no unit printed for 各役職段階にある職員に占める女性職員の割合 -> % (repair)
    assert rows["7"][2] == "%"
    # line 190: 施策1	施策2	施策3	方向性2 基本事業1 基本事業2 基本事業3 (glued to the header)
    assert rows["7"][3] == "基本事業:3-2-1,基本事業:3-2-2,基本事業:3-2-3"
    assert rows["7"][4] == "※4: 各年4月1日時点での集計です。"


def test_no_disagreements_or_mismatches_in_the_real_document(warehouse):
    kinds = dict(warehouse.sql("SELECT kind, count(*) FROM data_quality WHERE document_id = ? GROUP BY 1",
                               params=[DOC_ID]).fetchall())
    assert "mismatch" not in kinds and "disagreement" not in kinds and "skipped" not in kinds
    # line 29: 「## 3. 体系図」 has no text (figure)
    assert one(warehouse, "SELECT count(*) FROM data_quality WHERE document_id = ? AND kind = 'missing' "
               "AND location = ?", DOC_ID, f"{FILE}:29")[0] == 1


# ---------------------------------------------------------------- Extract level

def test_both_copies_of_the_hierarchy_are_emitted(extract):
    copies = {}
    for record in extract.initiatives:
        copies.setdefault((record.copy, record.rank), []).append(record)
    assert {k: len(v) for k, v in copies.items()} == {("主な取組状況", 0): 99, ("取組項目一覧", 1): 99}
    item29 = [r for r in extract.initiatives if r.key == "取組項目:29"]
    # line 83: 取組項目 29 国民健康保険事業の…	P.17 ; line 500: 取組項目29 (主な取組状況)
    assert sorted(r.line for r in item29) == [83, 500]


def test_stated_counts_are_kept(extract):
    # line 23: 「3つの施策及び8つの方向性を示しています」
    assert extract.tables["komae_stated_counts"] == [
        {"level": "施策", "count": 3, "line": 23}, {"level": "方向性", "count": 8, "line": 23}]


def test_cross_check_finds_gaps_counts_and_indicator_links(extract):
    merged = reconcile(extract)
    assert komae.cross_check(merged) == []
    broken = replace(merged, initiatives=[i for i in merged.initiatives
                                          if i.key not in ("取組項目:17", "方向性:2-1")])
    for i in broken.initiatives:
        if i.key == "基本事業:1-3-1":
            i.extra = {**i.extra, "indicator_nos": ["2", "5"]}
    messages = [q.message for q in komae.cross_check(broken)]
    assert any("取組項目17 がありません" in m for m in messages)
    assert any("方向性の数: 本文では 8 / 読み取った体系では 7" in m for m in messages)
    assert any("基本事業:2-1-1 に上位項目がありません" in m for m in messages)
    assert any("基本事業:1-3-1 に 指標No.5" in m for m in messages)


def test_file_without_trailing_newline_parses_the_same(doc, extract):
    text = (RAW_DIR / FILE).read_text(encoding="utf-8")
    lines = text.rstrip("\n").splitlines()
    assert not "\n".join(lines).endswith("\n")
    mine = [c for c in read_corrections(RAW_DIR) if c.document_id == DOC_ID]
    apply_corrections(lines, mine, FILE)
    again = komae.parse(SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title, lines))
    assert again.initiatives == extract.initiatives
    assert again.narratives == extract.narratives
    assert again.indicators == extract.indicators
    assert len(again.narratives) == 62


@pytest.mark.parametrize("fraction", [0.1, 0.4, 0.75, 0.97])
def test_truncated_document_raises(doc, fraction):
    cut = doc.lines[: int(len(doc.lines) * fraction)]
    with pytest.raises(SourceFormatError) as raised:
        komae.parse(SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title, cut))
    assert FILE in str(raised.value)


def test_reordered_sections_raise(doc):
    lines = list(doc.lines)
    start = lines.index("## 5. 指標")
    lines = lines[start:start + 63] + lines[:start] + lines[start + 63:]
    with pytest.raises(SourceFormatError):
        komae.parse(SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title, lines))


