"""The deck builder page's deck: title slide, a slide per chosen chart in order, sources."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from cards import CardRef
from cards.deck import deck_bytes
from warehouse import Filters

TOMAKOMAI = Filters(municipality="苫小牧市")
CREATED = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
BASKET = [
    CardRef.of("trends.grades", TOMAKOMAI, {"level": "実践項目"}),
    CardRef.of("radar.profile", TOMAKOMAI, {"profiles": ["theme|健全な財政運営|0", "theme|協働の推進|0"]}),
    CardRef.of("fiscal.by_year", TOMAKOMAI),
]


def _texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def _deck(refs, **kwargs) -> list:
    return list(Presentation(io.BytesIO(deck_bytes(refs, created=CREATED, **kwargs))).slides)


def test_deck_has_title_one_slide_per_chart_in_order_and_sources():
    slides = _deck(BASKET, title="令和8年12月 庁議資料")
    assert len(slides) == 1 + 3 + 1
    cover = _texts(slides[0])
    assert "令和8年12月 庁議資料" in cover and "苫小牧市" in cover
    assert "グラフ1: 総合評価の分布 (年度別)\nグラフ2: 観点別プロフィール (レーダー)\nグラフ3: 財政効果額 (年度別・区分別)" in cover
    assert "作成日: 2026年11月23日" in cover
    titles = [_texts(s).split("\n")[0] for s in slides[1:4]]
    assert titles == ["総合評価の分布 (年度別)", "観点別プロフィール (レーダー)", "財政効果額 (年度別・区分別)"]
    assert "A評価の割合は R5 (2023) で" in _texts(slides[1])
    assert "財政効果額は 42億円 (苫小牧市、R5 (2023) が最多)" in _texts(slides[3])  # the page's headline
    # Each chart slide: a picture and its own conditions as the footnote.
    for slide in slides[1:4]:
        assert sum(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes) == 1
        assert "条件: 自治体: 苫小牧市 ／ 年度: すべて" in _texts(slide)
    assert "階層: 実践項目 ／ 表示: 件数" in _texts(slides[1])
    assert "テーマ平均: 健全な財政運営 (総括)" in _texts(slides[2])
    sources = _texts(slides[-1])
    assert "出典資料" in sources and "tomakomai_gyosei_sokaku_plan_hyoka_r6.txt" in sources
    assert "データ品質に関する注記" in sources and "訂正:" in sources


def test_cards_without_data_are_left_out_and_counted():
    slides = _deck([BASKET[2], CardRef.of("kaizen.division", TOMAKOMAI)])
    assert len(slides) == 1 + 1 + 1
    assert "省いたグラフ: 1 件" in _texts(slides[0])
    assert "庁議資料" in _texts(slides[0])  # the default title


def test_items_with_different_conditions_say_so_on_the_cover():
    refs = [BASKET[0], CardRef.of("kaizen.department", Filters(municipality="小金井市", fiscal_year=2021))]
    slides = _deck(refs)
    cover = _texts(slides[0])
    assert "苫小牧市・小金井市" in cover
    assert "対象年度: 項目ごとに異なる (各スライドの注記)" in cover
    assert "条件: 自治体: 小金井市 ／ 年度: 令和3年度 (2021)" in _texts(slides[2])
