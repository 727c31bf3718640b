"""A dashboard screen as a deck: one slide per chart card, its table, sources and notes."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import polars as pl
from pptx import Presentation

from cards.wording import takeaway_for_grades
from charts import builders
from exports.slides import PageChart, page_deck

GRADES = pl.DataFrame({"fiscal_year": [2022, 2022, 2023, 2023], "grade": ["A", "B", "A", "B"],
                       "count": [4, 4, 5, 3]})


def _texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def test_page_deck_has_a_slide_per_chart_and_the_key_table():
    charts = [
        PageChart("総合評価の分布 (年度別)", builders.grade_distribution(GRADES), GRADES,
                  takeaway=takeaway_for_grades(GRADES)),
        PageChart("取組終了の件数", builders.count_bars(pl.DataFrame({"年度": ["R3 (2021)"], "件数": [3]}),
                                                   category="年度", value="件数", title=""),
                  pl.DataFrame({"年度": ["R3 (2021)"], "件数": [3]}), note="取組終了ごとの件数。補足"),
    ]
    data = page_deck("概要", charts, municipality="苫小牧市", plan="行政創革プラン", fiscal_years="全年度",
                     conditions=[("自治体", "苫小牧市")], created=datetime(2026, 11, 23, tzinfo=timezone.utc),
                     sources=["苫小牧市行政創革プラン (tomakomai.txt)"], quality_notes=["訂正: 79 件"])
    deck = Presentation(io.BytesIO(data))
    slides = list(deck.slides)
    assert "概要" in _texts(slides[0]) and "苫小牧市" in _texts(slides[0])
    assert "総合評価の分布 (年度別)" in _texts(slides[1])
    assert "A評価の割合は R5 (2023) で 63% (前年比 +13pt)" in _texts(slides[1])
    assert "取組終了ごとの件数" in _texts(slides[2])  # no takeaway: the note's first sentence
    assert all(any(s.shape_type == 13 for s in slide.shapes) for slide in slides[1:3])  # pictures
    assert "総合評価の分布 (年度別) (表)" in _texts(slides[3])
    assert "訂正: 79 件" in _texts(slides[-1]) and "tomakomai.txt" in _texts(slides[-1])
