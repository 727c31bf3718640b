"""Golden cases for the Tokyo DX case collection (tokyo_dx_jirei_2024.txt, document tokyo-dx-2024).

Expectations are taken from the document itself; comments quote the lines they come from.
Most assertions run against the public views of a freshly built warehouse (fixture
``warehouse``); a few check the parser's Extract directly (line numbers, failure modes).
"""
from __future__ import annotations

import json

import pytest

from etl.documents import load_by_id
from etl.errors import SourceFormatError
from etl.model import Extract, Initiative, Narrative, SourceDocument
from etl.sources import tokyo_dx
from tests.conftest import RAW_DIR

DOC_ID = "tokyo-dx-2024"


def iid(n: int) -> str:
    return f"{DOC_ID}/DX事例:{n}"


@pytest.fixture(scope="module")
def doc() -> SourceDocument:
    return load_by_id(DOC_ID, RAW_DIR)


@pytest.fixture(scope="module")
def extract(doc) -> Extract:
    return tokyo_dx.parse(doc)


def initiative(warehouse, n: int) -> dict:
    rows = warehouse.sql(
        "SELECT municipality, level, code, title, fiscal_year, departments, themes, extra "
        "FROM initiatives WHERE initiative_id = ?", params=[iid(n)]).fetchall()
    assert len(rows) == 1, n
    row = rows[0]
    keys = ("municipality", "level", "code", "title", "fiscal_year", "departments", "themes", "extra")
    record = dict(zip(keys, row))
    record["extra"] = json.loads(record["extra"])
    return record


def narrative(warehouse, n: int, section: str) -> str:
    rows = warehouse.sql("SELECT text FROM narratives WHERE initiative_id = ? AND section = ?",
                         params=[iid(n), section]).fetchall()
    assert len(rows) == 1, (n, section)
    return rows[0][0]


# --- initiatives view -------------------------------------------------------------------

def test_sixty_entries_in_three_divisions(warehouse):
    rows = warehouse.sql(
        "SELECT themes[1], count(*), min(CAST(code AS INTEGER)), max(CAST(code AS INTEGER)) "
        "FROM initiatives WHERE document_id = ? AND level = 'DX事例' GROUP BY 1 ORDER BY 3",
        params=[DOC_ID]).fetchall()
    # line 3 行政サービス部門 … line 679 業務改善部門 … line 1712 DXアイデア部門
    assert rows == [("行政サービス部門", 16, 1, 16), ("業務改善部門", 27, 17, 43),
                    ("DXアイデア部門", 17, 44, 60)]


def test_kind_follows_section_headings(warehouse):
    kinds = dict(warehouse.sql(
        "SELECT extra->>'区分', count(*) FROM initiatives WHERE document_id = ? GROUP BY 1",
        params=[DOC_ID]).fetchall())
    assert kinds == {"取組": 43, "提案": 17}
    # line 522 「提案概要」 but the sections are ○取組内容 / ○取組前・取組後 (lines 530, 534)
    thirteen = initiative(warehouse, 13)
    assert thirteen["extra"]["区分"] == "取組"
    assert thirteen["extra"]["概要見出し"] == "提案概要"
    assert thirteen["themes"] == ["行政サービス部門"]


def test_title_municipality_subtitle_department_from_bracket_line(warehouse):
    # line 69: 区内製造業におけるデジタル人材育成を通じたDXの土台構築（墨田区） ノーコードツールでIT未経験の町工場社員をDX人材に！
    # line 71: 産業観光部産業振興課
    two = initiative(warehouse, 2)
    assert two["title"] == "区内製造業におけるデジタル人材育成を通じたDXの土台構築"
    assert two["municipality"] == "墨田区"
    assert two["extra"]["副題"] == "ノーコードツールでIT未経験の町工場社員をDX人材に！"
    assert two["departments"] == ["産業観光部産業振興課"]
    assert two["level"] == "DX事例" and two["code"] == "2" and two["fiscal_year"] is None


def test_two_department_lines(warehouse):
    # lines 104-107: こうとう電子図書館…（江東区） いつでもどこでも読書！… / 教育委員会事務局 / 江東図書館
    three = initiative(warehouse, 3)
    assert three["municipality"] == "江東区"
    assert three["departments"] == ["教育委員会事務局", "江東図書館"]
    assert three["extra"]["副題"] == "いつでもどこでも読書！～小中学校への電子図書館専用ID配布～"


def test_subtitle_on_its_own_line(warehouse):
    # line 344 「…「まちドア」の導入（町田市）」, line 346 全国初！…「AIナビゲーター」, line 348 政策経営部デジタル戦略室
    eight = initiative(warehouse, 8)
    assert eight["title"] == "「いつでも、どこでも、使いやすい」バーチャル市役所ポータル「まちドア」の導入"
    assert eight["extra"]["副題"] == "全国初！生成AIと3Dアバターで実現する、次世代ユーザー体験「AIナビゲーター」"
    assert eight["departments"] == ["政策経営部デジタル戦略室"]


def test_department_printed_at_end_of_subtitle_is_split_off(warehouse):
    # line 1714: …なんでもおまかせ！（江東区） 役所に行かずに、手のひらで手続き完了！オンライン納税管理システム 区民部納税課
    fortyfour = initiative(warehouse, 44)
    assert fortyfour["departments"] == ["区民部納税課"]
    assert fortyfour["extra"]["副題"] == "役所に行かずに、手のひらで手続き完了！オンライン納税管理システム"
    assert fortyfour["extra"]["区分"] == "提案"
    repairs = warehouse.sql("SELECT location FROM data_quality WHERE document_id = ? AND kind = 'repair' "
                            "AND message LIKE '%区民部納税課%'", params=[DOC_ID]).fetchall()
    assert repairs == [("tokyo_dx_jirei_2024.txt:1714",)]


def test_joint_entry_names_three_municipalities(warehouse):
    # line 1530: 日野市・多摩市・稲城市DX人材育成事業（日野市・多摩市・稲城市） 3市のマンパワーを…
    joint = initiative(warehouse, 39)
    assert joint["municipality"] == "日野市"
    assert joint["extra"]["関係自治体"] == ["日野市", "多摩市", "稲城市"]
    assert joint["departments"] == ["日野市総務部職員課・企画部情報政策課",
                                    "多摩市総務部人事課・企画政策部情報政策課",
                                    "稲城市総務部人事課・企画部ICT推進課"]


def test_municipality_from_text_only_when_it_is_the_actor(warehouse, extract):
    # line 160: 渋谷区では、令和3～5年度に高齢者デジタルデバイド解消事業として…
    four = initiative(warehouse, 4)
    assert four["municipality"] == "渋谷区"
    assert four["extra"]["自治体の判定"] == "本文"
    assert four["extra"]["自治体の根拠"].startswith("渋谷区では、令和3～5年度に")
    assert four["extra"]["自治体の根拠行"] == 160
    # line 16: 「千代田区ポータルサイト」を構築 — a name, not an actor: the parser leaves it NULL
    # (etl.attribution decides it later, see tests/etl/test_attribution.py)
    one = next(i for i in extract.initiatives if i.key == "DX事例:1")
    assert one.municipality is None and "自治体の根拠" not in one.extra
    # line 245: 本区は「来庁不要の区役所」… — no name at all
    assert initiative(warehouse, 6)["municipality"] is None


def test_municipality_counts(warehouse):
    [(with_, without)] = warehouse.sql(
        "SELECT count(municipality), count(*) - count(municipality) FROM initiatives "
        "WHERE document_id = ?", params=[DOC_ID]).fetchall()
    assert (with_, without) == (42, 18)
    by_basis = dict(warehouse.sql(
        "SELECT extra->>'自治体の判定', count(municipality) "
        "FROM initiatives WHERE document_id = ? AND municipality IS NOT NULL GROUP BY 1",
        params=[DOC_ID]).fetchall())
    # 15 by the parser's actor rule, 6 more by etl.attribution's 本文 rule, 1 推定
    assert by_basis == {"括弧": 20, "本文": 21, "推定": 1}


def test_municipality_table_lists_every_attributed_name(warehouse):
    rows = warehouse.sql("SELECT municipality, line FROM src_tokyo_dx_municipalities "
                         "WHERE document_id = ? ORDER BY line, municipality", params=[DOC_ID]).fetchall()
    assert len(rows) == 38  # 35 entries, two of them joint (3 + 2 names)
    assert ("多摩市", 1530) in rows and ("稲城市", 1530) in rows and ("江戸川区", 2316) in rows
    assert ("目黒区", 891) in rows  # line 891: 目黒区では5年に1度の国勢調査結果をもとに…
    names = {r[0] for r in rows}
    assert names <= set(tokyo_dx.TOKYO_MUNICIPALITIES)


def test_entries_without_printed_title(warehouse):
    untitled = [r[0] for r in warehouse.sql(
        "SELECT CAST(code AS INTEGER) FROM initiatives WHERE document_id = ? AND title = '' ORDER BY 1",
        params=[DOC_ID]).fetchall()]
    # e.g. line 239 (PRポイント body of entry 5) is followed directly by 取組概要 at line 241
    assert untitled == [6, 9, 11, 13, 15, 17, 22, 23, 24, 26, 28, 31, 32, 33, 34, 35, 37, 46, 55, 56]
    noted = warehouse.sql("SELECT count(*) FROM data_quality WHERE document_id = ? "
                          "AND message LIKE '%表題が印字されていません%'", params=[DOC_ID]).fetchall()[0][0]
    assert noted == 20


def test_corrected_titles(warehouse):
    # line 1223 「未納対策支援A I」, line 1685 「保育所 A I 入所選考」, line 717 「0 予算」: OCR spacing
    assert initiative(warehouse, 30)["extra"]["副題"] == "全国初！「未納対策支援AI」の開発と導入"
    assert initiative(warehouse, 43)["title"] == "保育所AI入所選考システムを導入して業務効率化を実現！"
    assert initiative(warehouse, 18)["title"] == "0予算でも出来る職員向けの新しいアプローチ！！"
    # line 1580: 必要な法令通知は **ここ** にある！ — bold markers dropped
    assert initiative(warehouse, 40)["title"] == "必要な法令通知は ここ にある！ ～よくある質問は、共有財産～"


# --- narratives view --------------------------------------------------------------------

def test_narrative_counts_per_section(warehouse):
    counts = dict(warehouse.sql(
        "SELECT section, count(*) FROM narratives WHERE initiative_id LIKE ? GROUP BY 1",
        params=[f"{DOC_ID}/%"]).fetchall())
    assert sum(counts.values()) == 477
    for always in ("経緯・動機", "効果", "システム概要", "PRポイント"):
        assert counts[always] == 60, always
    assert counts["取組内容"] == 43 and counts["提案内容"] == 17
    assert counts["取組前・取組後"] == 2  # lines 511 and 534
    assert counts["実現に向けたステップ 想定される課題"] == 17
    assert warehouse.sql("SELECT count(*) FROM narratives WHERE initiative_id LIKE ? "
                         "AND fiscal_year IS NOT NULL", params=[f"{DOC_ID}/%"]).fetchall()[0][0] == 0


def test_narrative_text_cleaned(warehouse):
    # line 50: ●登録者数：3,500名を突破!! ●利用件数：10,000件を突破!! ※いずれも令和6年8月末時点
    assert narrative(warehouse, 1, "効果") == "●登録者数：3,500名を突破!! ●利用件数：10,000件を突破!! ※いずれも令和6年8月末時点"
    # lines 30-31: bullets kept, ** removed
    after = narrative(warehouse, 1, "取組後").split("\n")
    assert after[0] == "- ▶ プッシュ型の情報発信により申込が増加（これまで届いてなかった区民に情報が届くように！）"
    assert after[1] == "- ▶ オンライン手続きを推進することで利便性が向上"
    dirty = warehouse.sql("SELECT count(*) FROM narratives WHERE initiative_id LIKE ? AND "
                          "(text LIKE '%**%' OR text LIKE '%<ul%' OR text LIKE '%<p>%' OR text LIKE '%</p>%')",
                          params=[f"{DOC_ID}/%"]).fetchall()[0][0]
    assert dirty == 0


def test_html_list_cell_split_into_items(warehouse):
    # line 101: 職員の頑張り<TAB><ul …> スタートアップ単独であると…支援した。 スタートアップに業務を…行った。 「Digi田甲子園2023」…
    lines = narrative(warehouse, 2, "職員の頑張り").split("\n")
    assert len(lines) == 3
    assert lines[0] == "スタートアップ単独であると難しい実証可能な企業の選定を、行政ならではのネットワークを用いて支援した。"
    assert lines[2].startswith("「Digi田甲子園2023」")
    # line 182: 効果<TAB><ul …> ・ハチさんポユーザー数 約2,000人（令和6年7月末時点） ・イベント参加で…
    assert narrative(warehouse, 4, "効果").split("\n")[0] == "・ハチさんポユーザー数 約2,000人（令和6年7月末時点）"


def test_heading_forms(warehouse):
    # line 674: <p>効 果</p><TAB><ul …> ・登降所時刻の通知の他に…
    assert narrative(warehouse, 16, "効果").startswith("・登降所時刻の通知の他に台風・地震等")
    # lines 1793-1794: 実現に向けたステップ / 想定される課題 split over two lines
    assert narrative(warehouse, 45, "実現に向けたステップ 想定される課題").startswith("- ステップ : ①自治体から課題を募集")
    # line 1977: ○提案内容 D(Digital) J(Jibun=自分) Note — annotation kept as the first line
    assert narrative(warehouse, 50, "提案内容").split("\n")[0] == "D(Digital) J(Jibun=自分) Note"
    # line 2311: <h2>効果</h2><TAB><p>【広域】…
    assert narrative(warehouse, 59, "効果").startswith("【広域】メタバースとリアルのハイブリッド型イベント")


def test_sections_in_printed_order_for_a_proposal(warehouse):
    rows = warehouse.sql("SELECT section FROM _narratives WHERE initiative_id = ? ORDER BY line",
                         params=[iid(44)]).fetchall()
    assert [r[0] for r in rows] == ["経緯・動機", "提案内容", "現状の課題", "提案実現後の姿", "効果",
                                    "システム概要", "実現に向けたステップ 想定される課題", "PRポイント"]


def test_pr_body_is_not_taken_for_the_next_title(warehouse):
    # line 239 is entry 5's PRポイント body; line 241 opens entry 6 with no title
    assert narrative(warehouse, 5, "PRポイント").startswith("フロントヤードの改革を中心としたオフィス改革をデザインしました。")
    # lines 1801-1803 (three lines, one paragraph) are entry 45's PRポイント, line 1805 opens entry 46
    assert len(narrative(warehouse, 45, "PRポイント").split("\n")) == 3


def test_corrections_applied_to_text(warehouse):
    # line 160: デバйд (Cyrillic) → デバイド
    assert "デジタルデバイド解消事業" in narrative(warehouse, 4, "経緯・動機")
    assert "й" not in narrative(warehouse, 4, "職員の頑張り")


def test_last_line_without_newline_is_read(warehouse):
    # the file ends at line 2360 without a newline: ICTツールやシステムの導入ではなく、人材育成に係る提案となる。…
    assert narrative(warehouse, 60, "PRポイント").startswith("ICTツールやシステムの導入ではなく、人材育成に係る提案となる。")
    assert narrative(warehouse, 60, "PRポイント").endswith("繋がるのではと考えている。")


def test_cross_check_reports_the_missing_section(warehouse):
    rows = warehouse.sql("SELECT location, message FROM data_quality WHERE document_id = ? AND kind = 'mismatch'",
                         params=[DOC_ID]).fetchall()
    # entry 19 (line 758) has ○経緯・動機 / ○取組内容 / ○取組後 but no ○取組前
    assert rows == [("tokyo_dx_jirei_2024.txt:758", "DX事例:19: 取組の事例の節 取組前 がありません (ある節: 7/8)")]


# --- parser level -----------------------------------------------------------------------

def test_record_lines(extract):
    by_key = {i.key: i for i in extract.initiatives}
    assert by_key["DX事例:1"].line == 5  # title line
    assert by_key["DX事例:6"].line == 241  # no title: the 取組概要 line
    assert by_key["DX事例:60"].line == 2316
    pr = next(n for n in extract.narratives if n.initiative_key == "DX事例:2" and n.section == "PRポイント")
    assert pr.line == 102


def test_without_trailing_newline_same_records(doc):
    text = (RAW_DIR / doc.file).read_text(encoding="utf-8")
    with_nl = SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title,
                             (text.rstrip("\n") + "\n").splitlines())
    without = SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title,
                             text.rstrip("\n").splitlines())
    a, b = tokyo_dx.parse(with_nl), tokyo_dx.parse(without)
    assert a.initiatives == b.initiatives and a.narratives == b.narratives and len(a.initiatives) == 60


@pytest.mark.parametrize("fraction", [0.0, 0.4, 0.75, 0.99])
def test_truncated_document_raises(doc, fraction):
    cut = doc.lines[: int(len(doc.lines) * fraction)]
    with pytest.raises(SourceFormatError):
        tokyo_dx.parse(SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title, cut))


def test_truncated_after_a_title_raises(doc):
    # cut right after line 2316 (the last entry's title): its 提案概要 never comes
    with pytest.raises(SourceFormatError, match="途中で切れています"):
        tokyo_dx.parse(SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title, doc.lines[:2317]))


def test_divisions_out_of_order_raise(doc):
    lines = list(doc.lines)
    lines[678], lines[1711] = lines[1711], lines[678]  # swap 業務改善部門 (679) and DXアイデア部門 (1712)
    with pytest.raises(SourceFormatError, match="部門見出し"):
        tokyo_dx.parse(SourceDocument(doc.document_id, doc.file, doc.municipality, doc.title, lines))


def test_cross_check_on_crafted_extract():
    crafted = Extract(initiatives=[
        Initiative("DX事例:1", "DX事例", "1", "x", 10, themes=["DXアイデア部門"], extra={"区分": "取組"}),
        Initiative("DX事例:2", "DX事例", "2", "y", 20, themes=["業務改善部門"], extra={"区分": "取組"})],
        narratives=[Narrative("DX事例:1", None, "効果", "本文", 11)])
    messages = [i.message for i in tokyo_dx.cross_check(crafted)]
    assert any("DX事例:2: 本文の節が1つもありません" == m for m in messages)
    assert any("DX事例:1: 区分=取組 ですが部門 DXアイデア部門" in m for m in messages)
    assert any(m.startswith("DX事例:1: 取組の事例の節 経緯・動機・取組内容") for m in messages)


