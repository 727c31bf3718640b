"""Every recipe builds a card that serialises (or None when the filters match nothing), and the
cards say what the screens say (golden values from the Tomakomai document)."""
from __future__ import annotations

import json

import polars as pl
import pytest

from cards import RECIPES, CardRef, CardSpec, build, catalogue, describe_text, recipe_card, resolve
from cards.trends import SHARE
from cards.wording import takeaway_for_grades
from warehouse import Filters, trends

EXPECTED = {
    "overview.grades", "overview.finished", "trends.grades", "trends.criteria", "trends.committee",
    "radar.profile", "radar.bars", "fiscal.by_year", "fiscal.cumulative", "fiscal.by_initiative",
    "fiscal.compare", "indicators.indicator", "kaizen.division", "kaizen.department", "kaizen.categories",
    "kaizen.co_implementers", "cases.counts", "compare.municipalities", "quality.counts",
}
VIEWS = [Filters(), Filters(municipality="苫小牧市"), Filters(municipality="狛江市"),
         Filters(municipality="小金井市", fiscal_year=2021), Filters(fiscal_year=2022, grade="A")]
NOTHING = Filters(search="該当しない語句ZZZ")
TOMAKOMAI = Filters(municipality="苫小牧市")


def test_catalogue_has_every_card_in_screen_order():
    assert set(RECIPES) == EXPECTED
    pages = [r.page for r in catalogue()]
    assert pages[0] == "概要" and pages[-1] == "データ品質"
    assert pages == sorted(pages, key=pages.index)  # grouped by screen


@pytest.mark.parametrize("recipe_id", sorted(EXPECTED))
def test_recipe_builds_a_serialisable_card_or_none(recipe_id):
    built = 0
    for filters in VIEWS:
        spec = build(CardRef.of(recipe_id, filters))
        if spec is None:
            continue
        built += 1
        assert isinstance(spec, CardSpec)
        assert spec.title and isinstance(spec.table, pl.DataFrame) and not spec.table.is_empty()
        json.dumps(spec.chart.to_dict())  # a Vega-Lite dict, as st.altair_chart and the PNG export use it
        assert spec.ref is not None and spec.ref.recipe == recipe_id
        assert spec.headline(), "every card says something in words on its slide"
    assert built, f"{recipe_id} showed nothing for any of the views"


@pytest.mark.parametrize("recipe_id", sorted(EXPECTED))
def test_filter_matching_nothing_gives_none(recipe_id):
    used = RECIPES[recipe_id].filters_used
    nothing = NOTHING if "search" in used else Filters(municipality="存在しない市")
    assert build(CardRef.of(recipe_id, nothing)) is None


def test_unknown_recipe_is_none():
    assert build(CardRef.of("no.such", TOMAKOMAI)) is None


def test_trends_grades_options_and_takeaway():
    spec = recipe_card("trends.grades", TOMAKOMAI, {"level": "取組項目", "share": SHARE})
    assert dict(spec.ref.options) == {"level": "取組項目", "share": "割合"}
    assert spec.takeaway == takeaway_for_grades(trends.grade_counts(TOMAKOMAI, "取組項目"))
    assert spec.chart.to_dict()["encoding"]["y"]["stack"] == "normalize"
    assert "取組項目の自己評価 (A–D) の件数に占める割合" in spec.note
    # An unknown level falls back to the most numerous one, as the screen does.
    fallback = recipe_card("trends.grades", TOMAKOMAI, {"level": "存在しない階層", "share": "?"})
    assert dict(fallback.ref.options) == {"level": "実践項目", "share": "件数"}


def test_overview_grade_table_names_the_plan_period_rows():
    # The whole-period evaluation has no fiscal year; its rows once had an empty 年度 in the
    # table (表で見る, Excel) while the chart beside it said 総括.
    table = recipe_card("overview.grades", Filters()).table
    assert table["年度"].null_count() == 0
    assert dict(table.filter(年度="総括").select("総合評価", "件数").iter_rows()) == {"A": 73, "B": 43, "C": 1}


def test_overview_charts_cite_only_the_documents_they_count():
    # Of the five documents only Tomakomai's has 総合評価 grades and 取組終了 years; both cards
    # once cited all five under 出典.
    for name in ("overview.grades", "overview.finished"):
        assert recipe_card(name, Filters()).document_ids == ("tomakomai-sokaku-r6",)


def test_resolve_keeps_only_the_filters_a_card_uses():
    ref = resolve(CardRef.of("quality.counts", Filters(municipality="苫小牧市", fiscal_year=2022, grade="A")))
    assert ref.filters == TOMAKOMAI  # データ品質 applies only 自治体 and キーワード
    assert describe_text(ref) == "自治体: 苫小牧市 ／ 年度: すべて"


def test_radar_of_two_themes():
    themes = ("theme|健全な財政運営|0", "theme|市民サービスの進化|0")
    spec = recipe_card("radar.profile", TOMAKOMAI, {"profiles": themes + ("broken",)})
    assert spec.ref.option("profiles") == themes  # the unreadable profile is dropped
    assert list(spec.table["対象"]) == ["テーマ平均: 健全な財政運営 (総括)", "テーマ平均: 市民サービスの進化 (総括)"]
    assert spec.takeaway.startswith("4観点の合計が最も高いのは テーマ平均: ")
    assert "比べる対象: テーマ平均: 健全な財政運営 (総括)、テーマ平均: 市民サービスの進化 (総括)" in describe_text(spec.ref)


def test_fiscal_takeaways():
    by_year = recipe_card("fiscal.by_year", TOMAKOMAI)
    assert by_year.takeaway == "財政効果額は 42億円 (苫小牧市、R5 (2023) が最多)"  # the same headline as the page
    compare = recipe_card("fiscal.compare", TOMAKOMAI)
    assert compare.takeaway.startswith("計画の記載 37.6億円 に対し、集計は 42億円")
    assert compare.ref.option("document") == "tomakomai-sokaku-r6"
    assert recipe_card("fiscal.compare", TOMAKOMAI, {"document": "no-such-doc"}).ref.option("document") \
        == "tomakomai-sokaku-r6"


def test_indicator_cards_are_addressed_per_indicator():
    spec = recipe_card("indicators.indicator", Filters(municipality="狛江市"), {"indicator": "komae-gyokaku-r3#3"})
    assert spec is not None and spec.title == "3. 経常収支比率"
    assert spec.takeaway.startswith("最新の実績値 88.7%")
    assert spec.document_ids == ("komae-gyokaku-r3",)
