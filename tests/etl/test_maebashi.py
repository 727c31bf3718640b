"""Golden cases for the Maebashi WG parser (etl.sources.maebashi).

Most assertions go through the public views (and the ``src_maebashi_*`` source tables) of a
freshly built warehouse (fixture ``warehouse``); a few check the Extract itself (robustness,
cross_check). Line numbers in comments refer to data/raw/maebashi_dx_wg_jisseki_r3.txt.
"""
from __future__ import annotations

import json
import pytest

from etl.documents import load_by_id
from etl.errors import SourceFormatError
from etl.model import SourceDocument
from etl.reconcile import reconcile
from etl.sources import maebashi
from tests.conftest import RAW_DIR

DOC_ID = "maebashi-wg-r3"
WG = f"{DOC_ID}/WG:"


@pytest.fixture(scope="module")
def doc() -> SourceDocument:
    return load_by_id(DOC_ID, RAW_DIR)


@pytest.fixture(scope="module")
def extract(doc):
    return maebashi.parse(doc)


def _with_lines(doc: SourceDocument, lines: list[str]) -> SourceDocument:
    return SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title, lines)


def _rows(warehouse, query: str, *params):
    return warehouse.sql(query, params=list(params)).fetchall()


def _narrative(warehouse, number: int, section: str) -> str:
    rows = _rows(warehouse, "SELECT text FROM narratives WHERE initiative_id = ? AND section = ?",
                 f"{WG}{number}", section)
    assert len(rows) == 1, (number, section, rows)
    return rows[0][0]


def _quality(warehouse, kind: str):
    return _rows(warehouse, "SELECT location, message FROM data_quality WHERE document_id = ? AND kind = ? "
                            "ORDER BY location", DOC_ID, kind)


# -- initiatives ---------------------------------------------------------------------------------
def test_thirteen_working_groups_numbered_1_to_13(warehouse):
    rows = _rows(warehouse, "SELECT initiative_id, level, code, fiscal_year, parent_id FROM initiatives "
                            "WHERE document_id = ? ORDER BY code::INT", DOC_ID)
    assert [r[0] for r in rows] == [f"{WG}{n}" for n in range(1, 14)]
    assert {r[1] for r in rows} == {"WG"}
    assert [r[2] for r in rows] == [str(n) for n in range(1, 14)]
    assert {r[3] for r in rows} == {2021}  # l.3 「R3年度のWG活動実績」
    assert {r[4] for r in rows} == {None}


def test_letter_spaced_names_are_joined(warehouse):
    titles = dict(_rows(warehouse, "SELECT code, title FROM initiatives WHERE document_id = ?", DOC_ID))
    assert titles["8"] == "BPR（RPA）推進WG"  # l.16 「⑧B P R（R P A）推進WG <small>…」
    assert titles["12"] == "地域社会のDX推進WG"  # l.20 「⑫地域社会のD X推進 WG」
    assert titles["1"] == "行政手続オンライン化WG"  # l.9 「①行政手続オンライン化 WG」
    repairs = _quality(warehouse, "repair")
    assert len(repairs) == 14  # 13 names (l.9-21) + the goal of ② (l.10 「D Xのスタートライン」)
    assert any("「B P R（R P A）推進WG」→「BPR（RPA）推進WG」" in m for _, m in repairs)


def test_index_extra_goal_pages_and_english_gloss(warehouse):
    extra = {code: json.loads(e) for code, e in _rows(
        warehouse, "SELECT code, extra FROM initiatives WHERE document_id = ?", DOC_ID)}
    # l.17 「⑨ミライズ策定 WG	これからの時代に合った形に見直す	49-69」
    assert extra["9"]["該当頁"] == "49-69"
    assert extra["9"]["目指す未来"] == "これからの時代に合った形に見直す"
    assert extra["2"]["目指す未来"] == "DXのスタートライン（デジタル上で自己を証明）"
    # l.18 「⑩A B W（新議会棟）WG <small>Activity-Based Working</small>」
    assert extra["10"]["英語表記"] == "Activity-Based Working"
    assert extra["8"]["英語表記"] == "Business Process Re-engineering Robotic Process Automation"
    assert "英語表記" not in extra["1"]
    # l.1426 detail page: 「⑩ABW (Activity Based Working) WG ※時間と場所を自由に選択できる働き方」
    assert extra["10"]["注記"] == "※時間と場所を自由に選択できる働き方"


def test_index_and_detail_page_names_disagree_for_three_wgs(warehouse):
    found = {m.split(" ")[0]: loc for loc, m in _quality(warehouse, "disagreement")}
    assert set(found) == {"WG:3", "WG:7", "WG:10"}
    # l.11 「③財務・文書システム WG」 vs l.280 「③財務・文書管理システムWG」
    assert found["WG:3"] == f"{maebashi_file()}:11; {maebashi_file()}:280"
    title = _rows(warehouse, "SELECT title FROM initiatives WHERE initiative_id = ?", f"{WG}3")[0][0]
    assert title == "財務・文書システムWG"  # the index name, used again on l.293
    assert _rows(warehouse, "SELECT title FROM initiatives WHERE initiative_id = ?",
                 f"{WG}7")[0][0] == "業務システム（予約システム）WG"  # l.15, detail l.929 says 予約システムWG


def maebashi_file() -> str:
    return "maebashi_dx_wg_jisseki_r3.txt"


# -- narratives ----------------------------------------------------------------------------------
def test_eight_fields_and_activity_per_wg(warehouse):
    rows = _rows(warehouse, "SELECT section, count(*), count(DISTINCT initiative_id) FROM narratives "
                            "WHERE initiative_id LIKE ? GROUP BY section", f"{WG}%")
    counts = {s: (n, d) for s, n, d in rows}
    assert set(counts) == set(maebashi.SECTIONS.values()) | {"活動実績"}
    assert all(v == (13, 13) for v in counts.values())
    years = _rows(warehouse, "SELECT DISTINCT fiscal_year FROM narratives WHERE initiative_id LIKE ?", f"{WG}%")
    assert years == [(2021,)]
    assert _quality(warehouse, "missing") == []


def test_field_texts_as_printed(warehouse):
    # l.136 ②背景・現状 of the My Number card WG
    assert "令和4年2月末時点での交付率は43.65%にとどまっている。" in _narrative(warehouse, 2, "背景・現状")
    # l.27: the <ul> list becomes one item per line
    assert _narrative(warehouse, 1, "課題").split("\n") == [
        "・書面（通知書等）、対面（添付書類、交付物等）制約", "・バックヤード環境不足",
        "・ツールの理解不足", "・デジタルデバイド対応 等"]
    # l.324/l.1702: variant labels 「⑥得られる効果 (効果予測)」「⑥得られる効果」 share one section
    assert _narrative(warehouse, 13, "得られる効果（予測）").startswith("生活の利便性向上")
    assert _narrative(warehouse, 4, "R3年度の取り組み").startswith("課題、タスクの洗い出しと検討。")
    # l.1111: two <p> paragraphs
    assert _narrative(warehouse, 8, "今後の展開（スケジュール）").split("\n")[1] == "【R5年度】フレームワークを庁内に展開"


def test_cyrillic_ocr_damage_is_corrected(warehouse):
    # l.938 「デバйд対策の検討」 fixed by corrections.csv
    text = _narrative(warehouse, 7, "今後の展開（スケジュール）")
    assert "デバイド対策の検討" in text and "й" not in text


def test_activity_slides_kept_as_text_without_image_captions(warehouse):
    assert "課長が決裁に費やしている費用 | 10,267,097円" in _narrative(warehouse, 9, "活動実績")  # l.1272
    assert "43日間で約4,400人を受付" in _narrative(warehouse, 2, "活動実績")  # l.187, ** bold removed
    window = _narrative(warehouse, 11, "活動実績")
    assert "Notes include" not in window and "第1、2回発散結果" in window
    skipped = _quality(warehouse, "skipped")
    assert skipped == [(f"{maebashi_file()}:1563; {maebashi_file()}:1573",
                        "WG:11 の活動実績に画像の英語説明文 (抽出時の生成物) が10行あります")]


# -- figures -------------------------------------------------------------------------------------
def test_fiscal_effect_of_section_chief_approval(warehouse):
    rows = _rows(warehouse, "SELECT municipality, initiative_id, fiscal_year, amount_yen, kind, basis, recurrence, "
                            "counted, source, evidence, location FROM fiscal_effects WHERE initiative_id LIKE ?", f"{WG}%")
    # l.1163 「例 係長決裁：年間1000万円の費用削減 会議：…」 in ⑥得られる効果: expected, every year
    assert rows == [("前橋市", f"{WG}9", None, 10_000_000, "経費削減", "見込", "毎年度", True, "sheet",
                     "係長決裁：年間1000万円の費用削減", "maebashi_dx_wg_jisseki_r3.txt:1163")]


def test_desk_application_table(warehouse):
    rows = _rows(warehouse, "SELECT period, venue, applications_a, daily_sum, venue_sum, is_total, initiative_key "
                            "FROM src_maebashi_desk_applications ORDER BY line")
    assert len(rows) == 23  # l.195-217: 11 venues x 2 half-years + 合計
    assert rows[0] == ("上半期", "城南支所", 125, 141, 232, False, "WG:2")  # l.195
    assert rows[1][:2] == ("下半期", "城南支所")  # l.196: venue carried down
    assert rows[-1][0] == "合計" and rows[-1][2] == 3396 and rows[-1][3] == 4363  # l.217
    assert sum(r[3] for r in rows[:-1]) == 4363


def test_card_status_before_after(warehouse):
    rows = _rows(warehouse, "SELECT phase, as_of, applied, issued, unissued, unissued_rate "
                            "FROM src_maebashi_card_status ORDER BY line")
    # l.161-162 and l.166-167
    assert rows == [("Before", "R3.5末数値", 141308, 106142, 35166, 10.52),
                    ("After", "R3.8末数値", 148123, 126076, 22047, 6.6)]


def test_smartphone_courses_and_ratio(warehouse):
    rows = _rows(warehouse, "SELECT label, is_total, courses, participants FROM src_maebashi_courses ORDER BY is_total DESC, courses DESC")
    # l.1703 「計164講座（2,429名）」 = 64（979名） + 39（550名） + 61（900名）
    assert rows[0] == ("市内全域でスマホ講座を実施", True, 164, 2429)
    assert [r[2:] for r in rows[1:]] == [(64, 979), (61, 900), (39, 550)]
    ratio = _rows(warehouse, "SELECT percent, numerator, denominator, approximate FROM src_maebashi_ratios")
    assert ratio == [(1.8, 36, 1978, True)]  # l.26 「約1.8%（36／1,978件）」


def test_cross_check_finds_only_the_census_total_mismatch(warehouse):
    mismatches = _quality(warehouse, "mismatch")
    # l.269 「50～99人	925	308	…」: the cells are damaged, so 事業所数 sums to 16,351, not 15,734 (l.272)
    assert mismatches == [(f"{maebashi_file()}:272",
                           "従業員規模別表 総数行の事業所数 (264–271行の合計, 差 617): 記載 15,734 / 再計算 16,351")]
    unparsed = _quality(warehouse, "unparsed")
    assert unparsed == [(f"{maebashi_file()}:269", "WG:2 の表の事業所の割合「308」が百分率ではありません")]


# -- Extract level: robustness and cross_check ---------------------------------------------------


def test_without_trailing_newline_same_records(doc, extract):
    text = (RAW_DIR / doc.file).read_text(encoding="utf-8")
    stripped = maebashi.parse(_with_lines(doc, text.rstrip("\n").splitlines()))
    raw = maebashi.parse(_with_lines(doc, text.splitlines()))
    assert stripped.initiatives == raw.initiatives
    assert stripped.narratives == raw.narratives
    assert stripped.tables == raw.tables
    assert len(extract.initiatives) == 26  # index copy + detail copy per WG


def test_truncated_document_raises(doc):
    lines = doc.lines[: int(len(doc.lines) * 0.4)]  # only the ①-⑤ detail pages remain
    with pytest.raises(SourceFormatError) as raised:
        maebashi.parse(_with_lines(doc, lines))
    assert doc.file in str(raised.value)


def test_cut_inside_last_slides_still_parses(doc):
    # l.1731 lies in ⑬'s activity slides, after its eight fields: nothing is detectably lost
    assert len(maebashi.parse(_with_lines(doc, doc.lines[:1731])).narratives) == 13 * 9


def test_document_cut_inside_last_table_raises(doc):
    with pytest.raises(SourceFormatError, match="途中で切れています"):
        maebashi.parse(_with_lines(doc, doc.lines[:1700]))  # l.1700 is ⑬'s ④原因


def test_reordered_detail_pages_raise(doc):
    lines = list(doc.lines)
    lines[130], lines[279] = lines[279], lines[130]  # swap the ② and ③ headings (l.131, l.280)
    with pytest.raises(SourceFormatError, match="順序"):
        maebashi.parse(_with_lines(doc, lines))


def test_cross_check_reports_missing_fields_and_pages(doc):
    lines = list(doc.lines)
    del lines[1162]  # l.1163 ⑨⑥得られる効果（予測）
    del lines[14]  # l.15 index row ⑦
    issues = maebashi.cross_check(reconcile(maebashi.parse(_with_lines(doc, lines))))
    messages = [(i.kind, i.message) for i in issues]
    assert ("missing", "WG:9 の項目「⑥得られる効果（予測）」がありません") in messages
    assert ("missing", "WG:7 は詳細頁がありますがWG活動一覧にありません") in messages
    assert ("mismatch", "WG活動一覧の行数 (見出し「13のWG活動一覧」): 記載 13 / 再計算 12") in messages


def test_cross_check_recomputes_table_totals(doc, extract):
    clean = maebashi.cross_check(reconcile(extract))
    assert [i.kind for i in clean] == ["mismatch"]  # only the census total (see above)
    lines = list(doc.lines)
    lines[216] = lines[216].replace("3,396", "3,397")  # l.217 合計 row
    lines[1702] = lines[1702].replace("計164講座", "計165講座")  # l.1703
    issues = maebashi.cross_check(reconcile(maebashi.parse(_with_lines(doc, lines))))
    messages = [i.message for i in issues]
    assert "出張申請 合計行の申請時受付件数(A): 記載 3,397 / 再計算 3,396" in messages
    assert "スマホ講座の計 (講座数): 記載 165 / 再計算 164" in messages


def test_index_header_missing_raises(doc):
    lines = list(doc.lines)
    lines[7] = "WG名\t目標"  # l.8 header row garbled
    with pytest.raises(SourceFormatError, match="見出し行"):
        maebashi.parse(_with_lines(doc, lines))


def test_field_copy_and_rank(extract):
    first = [i for i in extract.initiatives if i.key == "WG:3"]
    assert [(i.copy, i.rank, i.line, i.title) for i in first] == [
        ("13のWG活動一覧", 0, 11, "財務・文書システムWG"), ("WG詳細頁", 1, 280, "財務・文書管理システムWG")]
