"""Golden cases for the money model (etl.money): every amount of every document, classified.

Each row is read off the document at that line: (line, initiative key, 年度, 金額, 上限額, 区分,
根拠, 期間, 表記, why not counted or None when counted). The documents are in data/raw:
tomakomai_gyosei_sokaku_plan_hyoka_r6.txt, komae_gyozaisei_kaikaku_shinchoku_r3.txt,
koganei_kaizen_kaikaku_hokokusho_r3.txt, maebashi_dx_wg_jisseki_r3.txt.
"""
from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.model import FiscalEffect
from etl.money import (BASES, BOUNDS, KINDS, REASON_BUDGET, REASON_COST, REASON_GROSS, REASON_OVERLAP,
                       REASON_REPEAT, REASON_STATED, REASON_TARGET, RECURRENCES, decide, kind_of)
from etl.normalize import yen_amounts

STATED, COST, BUDGET, TARGET = REASON_STATED, REASON_COST, REASON_BUDGET, REASON_TARGET
GROSS, OVERLAP, REPEAT = REASON_GROSS, REASON_OVERLAP, REASON_REPEAT

TOMAKOMAI = [  # 苫小牧市: plan summary (l.46–50) and the progress sheets
    (46, None, None, 3_760_000_000, None, "複数区分", "計画記載", "累計", "exact", STATED),  # 財政効果額 37億6千万円
    (48, '実践項目:27', None, 2_800_000_000, None, "売却収入", "計画記載", "累計", "exact", STATED),  # ・公有財産の売却促進及び有効活用 28億円
    (49, '実践項目:2', None, 770_000_000, None, "寄附", "計画記載", "累計", "exact", STATED),  # ・企業版ふるさと納税の導入 7億7千万円
    (50, '実践項目:35', None, 110_000_000, None, "経費削減", "計画記載", "累計", "exact", STATED),  # ・窓口サービス課と保険年金課の窓口業務委託による総合運用
    (944, '実践項目:1', None, 8_200_000, None, "寄附", "実績", "単年度", "exact", None),  # 2つのプロジェクトで820万円の寄附を獲得した。
    (970, '実践項目:2', 2020, 11_075_455, None, "寄附", "実績", "単年度", "exact", None),  # (新) 4社から合計11,075,455円の寄附を受領し
    (971, '実践項目:2', 2021, 101_765_982, None, "寄附", "実績", "単年度", "exact", None),  # (継) 6社から合計101,765,982円の寄附を受領
    (974, '実践項目:2', 2022, 238_981_858, None, "寄附", "実績", "単年度", "exact", None),  # (継) 17社から合計238,981,858円の寄附を受
    (976, '実践項目:2', 2023, 215_257_994, None, "寄附", "実績", "単年度", "exact", None),  # (継) 19社から合計215,257,994円の寄附を受
    (978, '実践項目:2', 2024, 207_803_629, None, "寄附", "実績", "単年度", "exact", None),  # 27社から207,803,629円の寄附を受領した(3月
    (987, '実践項目:2', None, 200_000_000, None, "寄附", "実績", "毎年度", "約", OVERLAP),  # 周知の強化や積極的なPRにより現在では毎年2億円程の寄附
    (1000, '実践項目:2', None, 200_000_000, None, "寄附", "実績", "単年度", "約", OVERLAP),  # 制度のさらなる周知により、27社から約2億の寄附の申し出
    (1013, '実践項目:3', 2020, 35_580_000, None, "広告料", "実績", "単年度", "exact", None),  # (新)16施設導入対象のうち新規2件、継続14件(契約9
    (1016, '実践項目:3', 2021, 37_956_000, None, "広告料", "実績", "単年度", "exact", None),  # (継)18施設導入対象のうち新規3件、継続15件(契約1
    (1018, '実践項目:3', 2022, 39_943_000, None, "広告料", "実績", "単年度", "exact", None),  # (継)18施設導入対象のうち継続18件(契約11件のうち
    (1020, '実践項目:3', 2023, 40_889_000, None, "広告料", "実績", "単年度", "exact", None),  # (継)導入対象施設1施設追加、19施設導入対象のうち新規
    (1022, '実践項目:3', 2024, 42_786_000, None, "広告料", "実績", "単年度", "exact", None),  # (継)導入対象施設1施設追加、19施設導入対象のうち新規
    (1053, '実践項目:N1', 2023, 6_220_000, None, "寄附", "実績", "単年度", "約", None),  # ・寄附件数：109件、寄附額：約6,220千円
    (2236, '実践項目:27', 2020, 324_102_000, None, "売却収入", "実績", "単年度", "exact", None),  # (新)要望や条件等について、各関係部署と協議を行いながら
    (2237, '実践項目:27', 2020, 45_935_000, None, "貸付収入", "実績", "単年度", "exact", None),  # (新)個々の案件に応じた条件等を検討しながら、貸付を行っ
    (2239, '実践項目:27', 2021, 365_947_000, None, "売却収入", "実績", "単年度", "exact", None),  # (継)分譲地に限らず、未利用地についても積極的に要望や条
    (2240, '実践項目:27', 2021, 46_724_000, None, "貸付収入", "実績", "単年度", "exact", None),  # (継)個々の案件に応じた条件等を検討しながら、貸付を行っ
    (2242, '実践項目:27', 2022, 280_292_000, None, "売却収入", "実績", "単年度", "exact", None),  # (継)分譲地に限らず、未利用地についても積極的に要望や条
    (2243, '実践項目:27', 2022, 45_570_000, None, "貸付収入", "実績", "単年度", "exact", None),  # (継)個々の案件に応じた条件等を検討しながら、貸付を行っ
    (2245, '実践項目:27', 2023, 893_411_000, None, "売却収入", "実績", "単年度", "exact", None),  # (継)分譲地に限らず、未利用地についても積極的に要望や条
    (2246, '実践項目:27', 2023, 41_145_000, None, "貸付収入", "実績", "単年度", "exact", None),  # (継)個々の案件に応じた条件等を検討しながら、貸付を行っ
    (2248, '実践項目:27', 2024, 877_902_000, None, "売却収入", "実績", "単年度", "exact", None),  # ①(継)分譲地に限らず、未利用地についても積極的に要望や
    (2249, '実践項目:27', 2024, 42_480_000, None, "貸付収入", "実績", "単年度", "exact", None),  # ②(継)個々の案件に応じた条件等を検討しながら、貸付を行
    (2257, '実践項目:27', None, 1_150_000_000, None, "売却・貸付収入", "予算", "累計", "約", BUDGET),  # 売却及び貸付について、当初予算額合計約11.5億円に対し
    (2257, '実践項目:27', None, 2_960_000_000, None, "売却・貸付収入", "実績", "累計", "約", OVERLAP),  # 売却及び貸付について、当初予算額合計約11.5億円に対し
    (2666, '実践項目:35', None, 200_000_000, None, "経費削減", "見込", "累計", "約", None),  # 窓口業務の民間委託により、財政効果の面では、5年間で約2
    (2810, '実践項目:N10', None, 50_000, 100_000, "費用", "実績", "単年度", "exact", COST),  # 民間事業者がエゾシカの死骸を処理する場合、5~10万円の
    (2957, '実践項目:40', None, 7_500_000, None, "経費削減", "見込", "単年度", "約", None),  # 初年度約750万円、2年目以降1,080万円の経費削減及
    (2957, '実践項目:40', None, 10_800_000, None, "経費削減", "見込", "毎年度", "exact", None),  # 初年度約750万円、2年目以降1,080万円の経費削減及
    (3031, '実践項目:42', None, 26_600_000, None, "経費削減", "実績", "単年度", "約", None),  # 民間委託により、約2,660万円の経費削減効果があった。
    (3033, '実践項目:42', None, 26_600_000, None, "経費削減", "実績", "累計", "約", REPEAT),  # 当初工程どおり民間委託を開始し、総額約2,660万円の経
    (3043, '実践項目:42', None, 26_600_000, None, "経費削減", "実績", "単年度", "約", REPEAT),  # 民間委託を実施したことで、約2,660万円の経費削減効果
    (3808, '実践項目:59', 2021, 10_000_000, None, "費用", "実績", "毎年度", "以上", COST),  # 委託料は年間1,000万円以上となることが確認できた。
    (3884, '実践項目:N16', 2023, 264_000, None, "費用", "実績", "月額換算済", "exact", COST),  # (新)年間利用料や月額利用料、年間催告契約件数等を確認し
    (4005, '実践項目:62', None, 10_000_000, None, "経費削減", "見込", "単年度", "約", None),  # コストだけではなく、拡張性なども考慮した「POSAシステ
    (4538, '実践項目:N23', None, 300_000, None, "費用", "実績", "単年度", "以下", COST),  # ※1件あたりの補助上限額は30万円
]
KOMAE = [
    (405, '取組項目:19', 2021, 311_436, None, "売却収入", "実績", "単年度", "exact", None),  # 利活用が困難な水路等敷地について、隣接する土地所有者に対
    (523, '取組項目:34', 2021, 1_587_050, None, "その他の収入", "実績", "単年度", "exact", None),  # 撮影の誘致を積極的に行い、110件（延べ136箇所）の作
    (543, '取組項目:37', 2021, 8_000_000, None, "補助金・交付金", "実績", "単年度", "exact", None),  # 令和3年度の国の補正予算を活用することにより、学校施設環
    (543, '取組項目:37', 2021, 274_910_000, None, "補助金・交付金", "実績", "単年度", "exact", GROSS),  # また、国の新型コロナウイルス感染症対応地方創生臨時交付金
    (546, '取組項目:38', 2021, 50_000_000, None, "経費削減", "見込", "単年度", "約", None),  # 小中学校の施設改修において、令和3年度の国の補正予算を活
    (546, '取組項目:38', 2021, 50_000_000, None, "補助金・交付金", "実績", "単年度", "exact", GROSS),  # また、都の市町村新型コロナウイルス感染症緊急対策特別交付
    (751, '取組項目:62', 2021, 50_000, None, "費用", "実績", "単年度", "以下", COST),  # また、資格取得にかかる費用の最大50,000円を助成する
]
KOGANEI = [
    (712, '改善取組:2021:11', 2021, 5_000_000, 10_000_000, "経費削減", "実績", "単年度", "約", None),  # 国土交通省が予算措置をして実施した支援事業であるため、本
]
MAEBASHI = [
    (1163, 'WG:9', None, 10_000_000, None, "経費削減", "見込", "毎年度", "exact", None),  # 係長決裁：年間1000万円の費用削減
]

DOCUMENTS = {
    "tomakomai-sokaku-r6": ("tomakomai_gyosei_sokaku_plan_hyoka_r6.txt", TOMAKOMAI),
    "komae-gyokaku-r3": ("komae_gyozaisei_kaikaku_shinchoku_r3.txt", KOMAE),
    "koganei-kaizen-r3": ("koganei_kaizen_kaikaku_hokokusho_r3.txt", KOGANEI),
    "maebashi-wg-r3": ("maebashi_dx_wg_jisseki_r3.txt", MAEBASHI),
}


def _rows(warehouse, document_id: str) -> list[tuple]:
    file, _ = DOCUMENTS[document_id]
    rows = warehouse.sql(
        "SELECT location, initiative_id, fiscal_year, amount_yen, amount_max_yen, kind, basis, recurrence, bound, "
        "counted, excluded_reason FROM fiscal_effects WHERE document_id = ?", params=[document_id]).fetchall()
    out = []
    for location, initiative_id, *rest, counted, reason in rows:
        assert location.startswith(f"{file}:"), location
        assert counted == (reason is None)
        key = None if initiative_id is None else initiative_id.split("/", 1)[1]
        out.append((int(location.rsplit(":", 1)[1]), key, *rest, reason))
    return sorted(out, key=lambda r: (r[0], r[3]))


@pytest.mark.parametrize("document_id", sorted(DOCUMENTS))
def test_every_amount_of_the_document_classified(warehouse, document_id):
    assert _rows(warehouse, document_id) == DOCUMENTS[document_id][1]


# ---------------------------------------------------------------- the cases the issue names


def _one(warehouse, initiative: str, amount: int, extra: str = "") -> dict:
    rows = warehouse.sql(
        "SELECT * FROM fiscal_effects WHERE initiative_id = ? AND amount_yen = ? " + extra,
        params=[f"tomakomai-sokaku-r6/{initiative}", amount]).pl().to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def test_item_27_yearly_rows_counted_and_their_undated_total_not(warehouse):
    yearly = warehouse.sql("SELECT count(*), sum(amount_yen) FROM fiscal_effects WHERE initiative_id = ? "
                           "AND fiscal_year IS NOT NULL AND counted",
                           params=["tomakomai-sokaku-r6/実践項目:27"]).fetchall()[0]
    assert yearly == (10, 2_963_508_000)  # l.2236–2249: five sales and five leases
    total = _one(warehouse, "実践項目:27", 2_960_000_000)  # l.2257 「約29.6億円の収入となった」
    assert (total["counted"], total["excluded_reason"], total["recurrence"], total["bound"]) == (
        False, OVERLAP, "累計", "約")
    budget = _one(warehouse, "実践項目:27", 1_150_000_000)  # l.2257 「当初予算額合計約11.5億円」
    assert (budget["basis"], budget["kind"], budget["counted"], budget["excluded_reason"]) == (
        "予算", "売却・貸付収入", False, BUDGET)


def test_item_2_rounded_restatements_of_the_yearly_donations_are_not_counted(warehouse):
    rows = warehouse.sql("SELECT location, recurrence, bound, excluded_reason FROM fiscal_effects "
                         "WHERE initiative_id = ? AND fiscal_year IS NULL ORDER BY location",
                         params=["tomakomai-sokaku-r6/実践項目:2"]).fetchall()
    file = "tomakomai_gyosei_sokaku_plan_hyoka_r6.txt"
    assert rows == [(f"{file}:1000", "単年度", "約", OVERLAP),  # 「約2億の寄附の申し出」
                    (f"{file}:49", "累計", "exact", STATED),  # the plan's 7億7千万円
                    (f"{file}:987", "毎年度", "約", OVERLAP)]  # 「毎年2億円程」


def test_item_42_counted_once(warehouse):
    rows = warehouse.sql("SELECT counted, excluded_reason FROM fiscal_effects WHERE initiative_id = ? "
                         "AND amount_yen = 26600000 ORDER BY location",
                         params=["tomakomai-sokaku-r6/実践項目:42"]).fetchall()
    assert rows == [(True, None), (False, REPEAT), (False, REPEAT)]  # l.3031, 3033, 3043


def test_n16_monthly_fee_multiplied_out_with_the_working_in_evidence(warehouse):
    row = _one(warehouse, "実践項目:N16", 264_000)
    assert row["recurrence"] == "月額換算済" and row["kind"] == "費用" and not row["counted"]
    assert "月額22,000円×12か月" in row["evidence"] and "= 264,000円" in row["evidence"]


def test_item_40_second_year_on_recurs_and_item_59_is_a_lower_bound(warehouse):
    assert _one(warehouse, "実践項目:40", 10_800_000)["recurrence"] == "毎年度"  # 「2年目以降1,080万円」
    first = _one(warehouse, "実践項目:40", 7_500_000)  # 「初年度約750万円」
    assert (first["recurrence"], first["bound"], first["basis"]) == ("単年度", "約", "見込")
    row = _one(warehouse, "実践項目:59", 10_000_000)  # 「委託料は年間1,000万円以上」
    assert (row["bound"], row["recurrence"], row["kind"], row["excluded_reason"]) == ("以上", "毎年度", "費用", COST)


def test_komae_and_koganei_amounts_named_in_the_issue(warehouse):
    rows = dict(warehouse.sql("SELECT amount_yen, kind FROM fiscal_effects WHERE counted AND municipality = '狛江市'")
                .fetchall())
    assert rows == {311_436: "売却収入", 1_587_050: "その他の収入", 8_000_000: "補助金・交付金",
                    50_000_000: "経費削減"}
    koganei = warehouse.sql("SELECT amount_yen, amount_max_yen, bound, kind, counted FROM fiscal_effects "
                            "WHERE municipality = '小金井市'").fetchall()
    assert koganei == [(5_000_000, 10_000_000, "約", "経費削減", True)]  # 「概ね500万円から1千万円程度の経費削減」


# ---------------------------------------------------------------- vocabularies and sums


def test_every_row_uses_the_vocabularies_and_no_kind_is_a_title_or_a_total(warehouse):
    rows = warehouse.sql("SELECT DISTINCT kind, basis, recurrence, bound FROM fiscal_effects").fetchall()
    assert rows
    for kind, basis, recurrence, bound in rows:
        assert kind in KINDS and kind != "合計" and basis in BASES and recurrence in RECURRENCES and bound in BOUNDS
    titles = {t for (t,) in warehouse.sql("SELECT title FROM initiatives").fetchall()}
    assert not titles & set(KINDS)


def test_counted_sum_per_municipality(warehouse):
    sums = dict(warehouse.sql("SELECT municipality, sum(amount_yen) FROM fiscal_effects WHERE counted "
                              "GROUP BY 1").fetchall())
    assert sums == {"苫小牧市": 4_204_866_918, "狛江市": 59_898_486, "小金井市": 5_000_000, "前橋市": 10_000_000}


def test_no_counted_amount_is_the_sum_of_other_counted_amounts(warehouse):
    """Property over the real data: within an initiative, no counted row's money equals another counted
    row or the sum of several, of that initiative in the same year (in any year, if it is undated)."""
    rows = warehouse.sql("SELECT initiative_id, fiscal_year, amount_yen, bound FROM fiscal_effects "
                         "WHERE counted AND initiative_id IS NOT NULL").fetchall()
    by_item: dict[str, list[tuple]] = {}
    for initiative_id, year, amount, bound in rows:
        by_item.setdefault(initiative_id, []).append((year, amount, bound))
    checked = 0
    for items in by_item.values():
        for k, (year, amount, bound) in enumerate(items):
            # 「約29.6億円」 restates 2,963,508,000: a rounded amount matches within 1 %
            slack = amount // 100 if bound == "約" else 0
            others = [a for j, (y, a, _) in enumerate(items) if j != k and (year is None or y == year)]
            for size in range(1, min(len(others), 10) + 1):
                for combo in combinations(others, size):
                    checked += 1
                    assert abs(sum(combo) - amount) > slack, (year, amount, combo)
    assert checked >= 12  # there is something to check: 実践項目27's sale and lease of each year, 実践項目40's two …


def _effect(key, year, amount, kind="寄附", line=1, basis="実績"):
    return FiscalEffect(key, year, amount, kind, "sheet", "", line, basis=basis)


@given(st.lists(st.integers(1, 10**9), min_size=1, max_size=6), st.sampled_from([True, False]),
       st.integers(0, 3))
def test_decide_never_counts_a_total_of_yearly_rows_or_a_restatement(yearly, total_first, repeats):
    """Property of the rule: yearly rows of one item are counted; their undated total, and any
    restatement of an amount already counted, are not."""
    rows = [_effect("x", 2020 + k, amount, line=10 + k) for k, amount in enumerate(yearly)]
    total = _effect("x", None, sum(yearly), line=5 if total_first else 99)
    restated = [_effect("y", None, 777, line=200 + k) for k in range(repeats + 1)]
    effects = ([total] + rows if total_first else rows + [total]) + restated
    decisions = dict(zip(map(id, effects), decide(effects)))
    assert all(decisions[id(r)].counted for r in rows)
    assert decisions[id(total)].excluded_reason == OVERLAP
    assert [decisions[id(r)].counted for r in restated] == [True] + [False] * repeats
    counted = sum(e.amount_yen for e in effects if decisions[id(e)].counted)
    assert counted == sum(yearly) + 777


def test_decide_reasons_in_order():
    effects = [_effect(None, None, 100, basis="計画記載"), _effect("a", 2021, 5, kind="費用"),
               _effect("a", None, 7, basis="予算"), _effect("b", None, 9, basis="目標"),
               _effect("c", 2021, 11, kind="補助金・交付金"), _effect("d", 2021, 13, basis="見込")]
    assert [d.excluded_reason for d in decide(effects)] == [STATED, COST, BUDGET, TARGET, GROSS, None]


# ---------------------------------------------------------------- the one yen reader


@pytest.mark.parametrize("text, expected", [
    ("概ね500万円から1千万円程度の経費削減", [(5_000_000, 10_000_000, "約")]),  # 小金井市 l.712
    ("5~10万円の処理費用", [(50_000, 100_000, "exact")]),  # 苫小牧市 l.2810
    ("月額22,000円×12か月", [(264_000, None, "exact")]),  # 苫小牧市 l.3884
    ("委託料は年間1,000万円以上", [(10_000_000, None, "以上")]),  # 苫小牧市 l.3808
    ("補助上限額は30万円", [(300_000, None, "以下")]),  # 苫小牧市 l.4538
    ("費用の最大50,000円を助成", [(50_000, None, "以下")]),  # 狛江市 l.751
    ("通常より概算で5,000万円の一般財源の負担軽減", [(50_000_000, None, "約")]),  # 狛江市 l.546
    ("毎年2億円程の寄附", [(200_000_000, None, "約")]),  # 苫小牧市 l.987
    ("1,000円から500円に引き下げ", [(1_000, None, "exact"), (500, None, "exact")]),  # a change, not a range
])
def test_yen_amounts_ranges_and_bounds(text, expected):
    assert [(a.yen, a.high, a.bound) for a in yen_amounts(text)] == expected


def test_kind_prefers_the_amounts_own_clause():
    assert kind_of("1,587,050円の収入があった") == "その他の収入"
    assert kind_of("学校施設環境改善交付金を、800万円増額") == "補助金・交付金"
    assert kind_of("5,000万円の一般財源の負担軽減") == "経費削減"
    assert kind_of("人件費を年間120万円削減") == "人件費削減"
