"""概要: the whole slice's figures, the document cards (figures they have, freshness) and the
click-through to the filtered 取組一覧. Expected values are the documents' own: 苫小牧市's sheets
give the yearly grades, 取組終了 and 委員評価; 財政効果額 is the counted amounts of every document
(tests/etl/test_money.py lists each), the same figure as the 財政効果 page."""
from __future__ import annotations

import pytest

from yen import yen_text

OVERVIEW = "app_pages/overview.py"


def _metrics(at) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def _captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_whole_slice_first_then_one_card_per_document(app):
    at = app(OVERVIEW)
    assert not at.exception and not at.error
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings == ["### 全自治体", "### 前橋市", "### 小金井市", "### 東京都 (20 団体)", "### 狛江市",
                        "### 苫小牧市"]
    metrics = _metrics(at)
    # each figure names the municipalities it comes from: none silently stands for all five documents
    assert metrics["A評価の割合 R5 (2023)（苫小牧市）"] == ("43%", "+2pt (前年比)")
    assert metrics["委員評価の平均（苫小牧市）"][0] == "4.07 / 5"
    assert metrics["財政効果額（小金井市・狛江市・前橋市・苫小牧市の合計）"][0] == "42.8億円"
    assert metrics["取組終了（苫小牧市）"][0] == "83 件"
    assert ("数字の出典 — A評価の割合: 苫小牧市 ／ 委員評価の平均: 苫小牧市 ／ "
            "財政効果額: 小金井市・狛江市・前橋市・苫小牧市の合計 ／ 取組終了: 苫小牧市") in _captions(at)
    assert "5 文書 (公表 2022-03〜2025-07) ・ 取り込み " in _captions(at)


def test_document_cards_show_what_their_document_has(app):
    at = app(OVERVIEW)
    captions = _captions(at)
    # 前橋市 1,000万円 (l.1163), 小金井市 500万円 (l.712), 狛江市 5,990万円, 苫小牧市 42億円; no grades
    # committee or end years outside 苫小牧市, and the DX collection has none of the four, and says so.
    assert [m.value for m in at.metric if m.label == "財政効果額"] == ["1,000万円", "500万円", "5,990万円", "42億円"]
    assert "記載なし: A評価の割合・委員評価の平均・取組終了" in captions
    assert "記載なし: A評価の割合・委員評価の平均・財政効果額・取組終了" in captions
    assert "公表 2025-07 ・ tomakomai_gyosei_sokaku_plan_hyoka_r6.txt ・ 取り込み " in captions


def test_a_document_card_opens_the_explorer_filtered_to_its_municipality(app):
    at = app(OVERVIEW)
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    tomakomai = at.button(key=f"open_card{headings.index('### 苫小牧市') - 1}")  # card0 follows the summary
    tomakomai.click().run()
    assert not at.exception
    assert at.session_state["filters"].municipality == "012131"  # 苫小牧市's 自治体コード
    assert at.title[0].value == "取組一覧"


def test_one_municipality_shows_its_card_alone_with_dashes_for_what_is_missing(app):
    at = app(OVERVIEW, m="小金井市")
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings == ["### 小金井市"]
    assert _metrics(at) == {**{name: ("—", None) for name in ("A評価の割合", "委員評価の平均", "取組終了")},
                            "財政効果額": ("500万円", None)}  # 「概ね500万円から1千万円程度の経費削減」 (l.712)
    assert "公表 2022-03 ・ koganei_kaizen_kaikaku_hokokusho_r3.txt ・ 取り込み " in _captions(at)


COUNTED_SUM = "SELECT sum(amount_yen) FROM fiscal_effects WHERE counted AND {}"


@pytest.mark.parametrize("params, where", [
    ({}, "true"),
    ({"m": "苫小牧市"}, "municipality = '苫小牧市'"),
    ({"m": "狛江市"}, "municipality = '狛江市'"),
    ({"m": "前橋市"}, "municipality = '前橋市'"),
    ({"m": "苫小牧市", "fy": "2023"}, "municipality = '苫小牧市' AND fiscal_year = 2023"),
])
def test_headline_is_the_counted_sum_on_the_overview_and_the_fiscal_page(app, warehouse, params, where):
    """sum(amount_yen) WHERE counted, per municipality (and year), is the figure both pages show."""
    expected = yen_text(warehouse.sql(COUNTED_SUM.format(where)).fetchall()[0][0])
    overview = app(OVERVIEW, **params)
    shown = [m.value for m in overview.metric if m.label.startswith("財政効果額")]
    assert shown[0] == expected
    fiscal = app("app_pages/fiscal.py", **params)
    assert not fiscal.exception and not fiscal.error
    assert [m.value for m in fiscal.metric if m.label.startswith("財政効果額")] == [expected]
