"""概要: the whole slice's figures, the document cards (figures they have, freshness) and the
click-through to the filtered 取組一覧. Expected values are the documents' own: 苫小牧市's plan
states 財政効果額 37.6億円 (line 46), its sheets give the yearly grades, 取組終了 and 委員評価."""
from __future__ import annotations

OVERVIEW = "app_pages/overview.py"


def _metrics(at) -> dict[str, tuple[str, str | None]]:
    return {m.label: (m.value, m.delta or None) for m in at.metric}


def _captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_whole_slice_first_then_one_card_per_document(app):
    at = app(OVERVIEW)
    assert not at.exception and not at.error
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings == ["### 全自治体", "### 前橋市", "### 小金井市", "### 東京都 (18 団体)", "### 狛江市",
                        "### 苫小牧市"]
    metrics = _metrics(at)
    assert metrics["A評価の割合 R5 (2023)"] == ("43%", "+2pt (前年比)")
    assert metrics["委員評価の平均"][0] == "4.07 / 5"
    assert metrics["財政効果額"][0] == "37.6億円"
    assert metrics["取組終了"][0] == "83 件"
    assert "5 文書 (公表 2022-03〜2025-07) ・ 取り込み " in _captions(at)


def test_document_cards_show_what_their_document_has(app):
    at = app(OVERVIEW)
    captions = _captions(at)
    # 前橋市's WG report has money (1,000万円) but no grades, committee or end years.
    assert [m.value for m in at.metric if m.label == "財政効果額"] == ["37.6億円", "1,000万円", "37.6億円"]
    assert "記載なし: A評価の割合・委員評価の平均・取組終了" in captions
    # 小金井市's 改善取組 report has none of the four figures, and says so.
    assert "記載なし: A評価の割合・委員評価の平均・財政効果額・取組終了" in captions
    assert "公表 2025-07 ・ tomakomai_gyosei_sokaku_plan_hyoka_r6.txt ・ 取り込み " in captions


def test_a_document_card_opens_the_explorer_filtered_to_its_municipality(app):
    at = app(OVERVIEW)
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    tomakomai = at.button(key=f"open_card{headings.index('### 苫小牧市') - 1}")  # card0 follows the summary
    tomakomai.click().run()
    assert not at.exception
    assert at.session_state["filters"].municipality == "苫小牧市"
    assert at.title[0].value == "取組一覧"


def test_one_municipality_shows_its_card_alone_with_dashes_for_what_is_missing(app):
    at = app(OVERVIEW, m="小金井市")
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings == ["### 小金井市"]
    assert _metrics(at) == {name: ("—", None) for name in ("A評価の割合", "委員評価の平均", "財政効果額", "取組終了")}
    assert "公表 2022-03 ・ koganei_kaizen_kaikaku_hokokusho_r3.txt ・ 取り込み " in _captions(at)
